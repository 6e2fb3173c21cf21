"""MLP against CNN on the same digits, plain and with shuffled pixels: the lecture's "the MLP
hidden layer ignores all the spatial structure", as an experiment.

Four trainings with the same settings, one after the other: the perceptron and the CNN, each on
the digits as they are and on the digits with their pixels shuffled (one fixed permutation for
every training and test digit, see :mod:`.shuffle`). The perceptron gives every pixel its own
weight, so for it shuffling only renames its inputs: it learns as well as before. The CNN's
kernels and pooling rely on neighbouring pixels belonging together; shuffled, they do not, and
it reads fewer digits right.

A generator, like training itself: one light :class:`ComparisonStep` (numbers only, no weights)
per mini-batch, so the one worker can draw the curves as they grow, pause and stop it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from explorer.core.training.data import Digits
from explorer.core.training.mlp import HIDDEN_UNITS, mlp_architecture
from explorer.core.training.model import architecture
from explorer.core.training.trainer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATE,
    EVALUATIONS_PER_EPOCH,
    train_digits,
)

RUNS = (("mlp", False), ("mlp", True), ("cnn", False), ("cnn", True))  # the perceptron is quick
NAMES = {"mlp": "MLP", "cnn": "CNN"}


def parameter_count(model: str) -> int:
    """Weights and biases of the default network of that kind."""
    rows = mlp_architecture(HIDDEN_UNITS) if model == "mlp" else architecture()
    return sum(row.params for row in rows)


def run_name(model: str, shuffled: bool) -> str:
    return f"{NAMES[model]}, {'shuffled pixels' if shuffled else 'plain digits'}"


@dataclass(frozen=True)
class RunResult:
    """One finished training of the experiment."""

    model: str  # "mlp" or "cnn"
    shuffled: bool
    parameters: int
    accuracy: float  # on the test digits (shuffled as its training digits were), at the end
    seconds: float  # time spent computing


@dataclass(frozen=True, eq=False)
class ComparisonStep:
    """Progress after one mini-batch of one of the four trainings."""

    run: int  # 0 … 3, an index of RUNS
    epoch_progress: float  # epochs done in this run, as a fraction
    test_accuracy: float | None  # on the test digits; None between evaluations
    loss: float
    step: int  # 1, 2, … over the whole experiment
    total_steps: int
    results: tuple[RunResult, ...]  # the runs finished so far, in RUNS order

    @property
    def model(self) -> str:
        return RUNS[self.run][0]

    @property
    def shuffled(self) -> bool:
        return RUNS[self.run][1]

    @property
    def progress(self) -> float:
        return self.step / self.total_steps

    @property
    def done(self) -> bool:
        return len(self.results) == len(RUNS)


@dataclass(frozen=True)
class TableRow:
    """One network's line of the experiment's table (accuracies None until measured)."""

    model: str
    parameters: int
    plain: float | None
    shuffled: float | None

    @property
    def change(self) -> float | None:
        """Shuffled less plain accuracy, in points of percentage (negative: a loss)."""
        if self.plain is None or self.shuffled is None:
            return None
        return 100.0 * (self.shuffled - self.plain)


def table(results: tuple[RunResult, ...]) -> list[TableRow]:
    """Parameters, plain accuracy and shuffled accuracy of the MLP and the CNN."""
    accuracy = {(r.model, r.shuffled): r.accuracy for r in results}
    return [TableRow(model, parameter_count(model), accuracy.get((model, False)),
                     accuracy.get((model, True))) for model in ("mlp", "cnn")]


def compare_networks(
    seed: int = 0,
    epochs: int = DEFAULT_EPOCHS,
    learning_rate: float = DEFAULT_LEARNING_RATE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    *,
    train: Digits | None = None,
    test: Digits | None = None,
    evaluations_per_epoch: int = EVALUATIONS_PER_EPOCH,
) -> Iterator[ComparisonStep]:
    """Train the four networks of :data:`RUNS` one after the other with the same settings;
    yield a :class:`ComparisonStep` per mini-batch. Settings that cannot work raise
    ValueError here, before any step."""
    settings = {"seed": seed, "epochs": epochs, "learning_rate": learning_rate,
                "batch_size": batch_size, "train": train, "test": test,
                "evaluations_per_epoch": evaluations_per_epoch}
    train_digits(**settings).close()  # checks the settings now
    return _steps(settings)


def _steps(settings: dict) -> Iterator[ComparisonStep]:
    results: list[RunResult] = []
    done = 0
    for run, (model, shuffled) in enumerate(RUNS):
        accuracy = 0.0
        for step in train_digits(**settings, model=model, shuffled=shuffled):
            done += 1
            if step.test_accuracy is not None:
                accuracy = step.test_accuracy
            if step.done:
                results.append(RunResult(model, shuffled, step.model.parameter_count(),
                                         accuracy, step.seconds))
            yield ComparisonStep(run, step.epoch_progress, step.test_accuracy, step.loss,
                                 done, step.total_steps * len(RUNS), tuple(results))
