"""Training as a plain generator: one :class:`TrainStep` per mini-batch.

Whoever iterates decides when the work happens: the Training tab's worker pauses by not asking
for the next step and stops by closing the generator; the last step it received keeps a
complete model (every step carries its own frozen snapshot of the weights, which also pickles,
so the steps can come from another process).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from explorer.core.blas import one_blas_thread
from explorer.core.training import layers
from explorer.core.training.data import Digits, load_digits
from explorer.core.training.mlp import (
    HIDDEN_UNITS,
    DigitMLP,
    init_mlp_params,
    is_mlp,
    mlp_backward,
    mlp_forward,
)
from explorer.core.training.model import DigitModel, as_input, backward, forward, init_params
from explorer.core.training.shuffle import pixel_order

DEFAULT_EPOCHS = 8
DEFAULT_LEARNING_RATE = 0.004
DEFAULT_BATCH_SIZE = 32
MODELS = ("cnn", "mlp")
# on the first layer's weights only: smooth, readable stroke detectors (CNN) and weight
# pictures (MLP: pixels black in every digit fade to 0 instead of keeping their random start)
DEFAULT_L2 = {"cnn": 1e-2, "mlp": 1e-3}
EVALUATIONS_PER_EPOCH = 4  # test accuracy points per epoch on the curves


@dataclass(frozen=True, eq=False)
class TrainStep:
    """Progress after one mini-batch, and the model as it is now."""

    epoch: int  # 1, 2, … epochs
    batch: int  # 1, 2, … batches within the epoch
    batches: int  # batches per epoch
    step: int  # 1, 2, … total_steps, counted over all epochs
    total_steps: int
    loss: float  # this batch's mean cross-entropy plus the L2 penalty
    train_accuracy: float  # share of this epoch's training digits so far classified right
    test_accuracy: float | None  # on the test digits; None between evaluations
    seconds: float  # time spent computing so far (pauses between steps not counted)
    model: DigitModel | DigitMLP

    @property
    def progress(self) -> float:
        """0 … 1 of the whole run."""
        return self.step / self.total_steps

    @property
    def epoch_progress(self) -> float:
        """Epochs done, as a fraction: 2.5 is half-way through the third epoch."""
        return self.epoch - 1 + self.batch / self.batches

    @property
    def done(self) -> bool:
        return self.step == self.total_steps


class Adam:
    """Adam (Kingma & Ba 2015): per-weight steps scaled by running gradient statistics."""

    def __init__(self, params: dict[str, np.ndarray], learning_rate: float,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Change ``params`` in place, one step against ``grads``."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # bias-corrected step size: the first steps are not shrunk by the zero start of m, v
        step = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for k, g in grads.items():
            m, v = self.m[k], self.v[k]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            params[k] -= (step * m / (np.sqrt(v) + self.eps)).astype(params[k].dtype)


def loss_and_grads(params: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
                   l2: float) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    """(loss, logits, gradients) of one batch of a CNN's or a perceptron's weights, with
    ``l2/2 · ‖first-layer weights‖²`` added."""
    mlp = is_mlp(params)
    if mlp:
        logits, caches = mlp_forward(params, x, keep=True)
    else:
        logits, caches = forward(params, x, keep=True)
    loss, dlogits = layers.cross_entropy(logits, labels)
    grads = mlp_backward(caches, dlogits) if mlp else backward(caches, dlogits)
    if l2:
        first = "hidden.weights" if mlp else "conv1.weights"
        w = params[first]
        loss += 0.5 * l2 * float(np.sum(w * w))
        grads[first] += l2 * w
    return loss, logits, grads


def _check(value: object, what: str, low: float, high: float, whole: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"the {what} must be a number, not {value!r}")
    if whole and int(value) != value:
        raise ValueError(f"the {what} must be a whole number, not {value}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"the {what} must be between {low:g} and {high:g}, not {value}")


def train_digits(
    seed: int = 0,
    epochs: int = DEFAULT_EPOCHS,
    learning_rate: float = DEFAULT_LEARNING_RATE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    *,
    model: str = "cnn",
    shuffled: bool = False,
    filters: tuple[int, ...] = (8, 16),
    kernel_size: int = 5,
    hidden: int = HIDDEN_UNITS,
    l2: float | None = None,
    first_scale: float = 0.1,
    train: Digits | None = None,
    test: Digits | None = None,
    evaluations_per_epoch: int = EVALUATIONS_PER_EPOCH,
) -> Iterator[TrainStep]:
    """Train a digit network with Adam on mini-batches; yield a :class:`TrainStep` per batch.

    ``model`` is ``"cnn"`` (conv layers of ``filters`` kernels of ``kernel_size``, then a
    dense layer) or ``"mlp"`` (a dense layer of ``hidden`` units, then a dense layer); ``l2``
    weighs the penalty on its first layer's weights (by default :data:`DEFAULT_L2` of the
    model). With ``shuffled``, every training and test digit has its pixels moved by the one
    :func:`~explorer.core.training.shuffle.pixel_order`, and the model shuffles any picture
    it is given the same way.

    ``train`` and ``test`` default to the 4,000 / 1,000 split of MNIST-5k. The same seed
    gives the same initial weights and the same batch order. Settings that cannot work raise
    ValueError here, before any step.
    """
    _check(seed, "seed", 0, 2**32 - 1, whole=True)
    _check(epochs, "number of epochs", 1, 1000, whole=True)
    _check(learning_rate, "learning rate", 1e-6, 1.0)
    _check(batch_size, "batch size", 1, 4096, whole=True)
    if model not in MODELS:
        raise ValueError(f"the network is one of {', '.join(MODELS)}, not {model!r}")
    if not isinstance(shuffled, bool | np.bool_):
        raise ValueError(f"shuffled is true or false, not {shuffled!r}")
    l2 = DEFAULT_L2[model] if l2 is None else l2
    _check(l2, "L2 weight", 0.0, 1.0)
    _check(evaluations_per_epoch, "number of evaluations per epoch", 1, 1000, whole=True)
    if train is not None and len(train) == 0:
        raise ValueError("there are no training digits")
    rng = np.random.default_rng(int(seed))
    if model == "mlp":
        params = init_mlp_params(rng, hidden)
    else:
        params = init_params(rng, tuple(filters), kernel_size, first_scale)
    return _steps(params, rng, train, test, int(epochs), float(learning_rate), int(batch_size),
                  float(l2), evaluations_per_epoch, pixel_order() if shuffled else None)


def _steps(params: dict[str, np.ndarray], rng: np.random.Generator, train: Digits | None,
           test: Digits | None, epochs: int, learning_rate: float, batch_size: int, l2: float,
           evaluations_per_epoch: int, order: np.ndarray | None) -> Iterator[TrainStep]:
    if train is None or test is None:  # loaded here, by whoever runs the steps
        default_train, default_test = load_digits()
        train = default_train if train is None else train
        test = default_test if test is None else test
    frozen = DigitMLP if is_mlp(params) else DigitModel
    optimiser = Adam(params, learning_rate)
    # the digits as the network sees them; the model shuffles the test digits itself
    x_train = as_input(train.images, order)
    batches = math.ceil(len(train) / batch_size)
    total = epochs * batches
    # evenly spread over the epoch, always including its last batch
    evaluate_at = {round(batches * (j + 1) / evaluations_per_epoch)
                   for j in range(evaluations_per_epoch)}
    spent, step = 0.0, 0
    for epoch in range(1, epochs + 1):
        order_of_batches = rng.permutation(len(train))
        right = seen = 0
        for b in range(1, batches + 1):
            t0 = time.perf_counter()
            idx = order_of_batches[(b - 1) * batch_size:b * batch_size]
            labels = train.labels[idx]
            with one_blas_thread():
                loss, logits, grads = loss_and_grads(params, x_train[idx], labels, l2)
                optimiser.update(params, grads)
                right += int((logits.argmax(axis=1) == labels).sum())
                seen += len(idx)
                step += 1
                model = frozen(params, order)  # a frozen copy: later steps never change it
                test_accuracy = None
                if b in evaluate_at and len(test):
                    test_accuracy = float((model.predict(test.images) == test.labels).mean())
            spent += time.perf_counter() - t0
            yield TrainStep(epoch, b, batches, step, total, loss, right / seen, test_accuracy,
                            spent, model)
