"""The quiz: predict a step's value before it is shown, and output sizes of random layers.

How close is right? The cells show numbers rounded (:func:`cell_text`: whole numbers exactly,
others to 3 significant digits). A student who computes from the shown numbers gets the value
those numbers give, which may differ from the exact one, so both count, and so does anything
within a margin of either: 0.05 (an answer rounded to one decimal, e.g. 1.7 for 1.667) and,
for a value that is not a whole number, 0.5 % of it if that is larger (an answer rounded to 3
significant digits like the cells, e.g. 1230 for 1234.5). A whole value from whole numbers
(every step of the lectures' and conv_arithmetic's convolutions) is thus checked to 0.05:
29, 31 or 30.1 is wrong where 30 is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from explorer.core.activations import activation as activation_fn
from explorer.core.shapes import output_size
from explorer.core.stepthrough.examples import Example
from explorer.core.stepthrough.steps import Step

ABSOLUTE_MARGIN = 0.05
RELATIVE_MARGIN = 0.005


def cell_text(value: float) -> str:
    """A number as a cell shows it: whole numbers whole, others to 3 significant digits.

    From 1000 up a fraction is rounded to a whole number rather than written 1.23e+03.
    """
    v = float(value)
    if not math.isfinite(v):
        return "?" if math.isnan(v) else str(v).replace("-", "−")
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 1e5:
        text = str(int(v))
    elif 1e3 <= abs(v) < 1e5:
        text = f"{v:.0f}"
    else:
        text = f"{v:.3g}"
    return text.replace("-", "−")  # a typographic minus reads better on a slide


def shown(value: float) -> float:
    """The number a cell shows, as a number."""
    return float(cell_text(value).replace("−", "-")) if math.isfinite(value) else value


def parse_number(text: str) -> float:
    """A typed number: accepts ``−`` as minus and a decimal comma. Raises ValueError."""
    t = text.strip().replace("−", "-").replace("\u2013", "-").replace(" ", "")
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"type a number such as 3, −1 or 2.5, not {text.strip()!r}") from None
    if not math.isfinite(v):
        raise ValueError("type a finite number")
    return v


def value_from_shown(step: Step, example: Example) -> float:
    """The step's value computed from the rounded numbers on screen."""
    taps = np.vectorize(shown, otypes=[float])(step.taps)
    if step.weights is None:
        return float(taps.max() if example.operation == "max" else taps.mean())
    weights = np.vectorize(shown, otypes=[float])(step.weights)
    pre = float((taps * weights).sum()) + shown(step.bias)
    return float(activation_fn(example.activation)(np.array([pre], np.float32))[0])


@dataclass(frozen=True)
class Verdict:
    """What the student typed, what was right, and whether they match."""

    correct: bool
    given: float
    expected: float


def check_prediction(text: str, step: Step, example: Example) -> Verdict:
    """Is ``text`` the value of ``step``? See the module docstring for the margin."""
    given = parse_number(text)
    expected = step.value
    rounded = value_from_shown(step, example)
    margin = ABSOLUTE_MARGIN
    if not float(expected).is_integer():
        margin = max(margin, RELATIVE_MARGIN * abs(expected))
    low, high = min(expected, rounded) - margin, max(expected, rounded) + margin
    return Verdict(low <= given <= high, given, expected)


@dataclass(frozen=True)
class SizeQuestion:
    """How many outputs does this layer give along one axis?"""

    n: int
    kernel: int
    stride: int
    padding: int
    dilation: int

    @property
    def answer(self) -> int:
        return output_size(self.n, self.kernel, self.stride, self.padding, self.dilation)

    @property
    def text(self) -> str:
        dilation = f", dilation d = {self.dilation}" if self.dilation > 1 else ""
        return (f"Input i = {self.n}, kernel k = {self.kernel}, stride s = {self.stride}, "
                f"padding p = {self.padding}{dilation}: what is the output size?")

    @property
    def explanation(self) -> str:
        n, k, s, p, d = self.n, self.kernel, self.stride, self.padding, self.dilation
        span = f"{d}·({k} − 1)" if d > 1 else f"({k} − 1)"
        return f"o = ⌊({n} + 2·{p} − {span} − 1) / {s}⌋ + 1 = {self.answer}"


def size_questions(count: int, seed: int | None = None) -> list[SizeQuestion]:
    """``count`` output-size questions from random settings that fit (seeded if asked)."""
    rng = np.random.default_rng(seed)
    questions: list[SizeQuestion] = []
    while len(questions) < count:
        q = SizeQuestion(int(rng.integers(4, 17)), int(rng.choice([1, 2, 3, 4, 5, 7])),
                         int(rng.integers(1, 4)), int(rng.integers(0, 4)),
                         int(rng.choice([1, 1, 1, 2])))
        try:
            q.answer  # noqa: B018  (a kernel larger than the padded input is no question)
        except ValueError:
            continue
        questions.append(q)
    return questions


def check_size(text: str, question: SizeQuestion) -> Verdict:
    """Is ``text`` the output size? Sizes are whole numbers: only the exact one counts."""
    given = parse_number(text)
    return Verdict(given == question.answer, given, float(question.answer))


@dataclass
class Score:
    """Right answers out of those asked in one round."""

    right: int = 0
    asked: int = 0

    def record(self, verdict: Verdict) -> None:
        self.asked += 1
        self.right += int(verdict.correct)

    @property
    def text(self) -> str:
        if not self.asked:
            return "no answers yet"
        return f"{self.right} of {self.asked} right ({round(100 * self.right / self.asked)} %)"


@dataclass
class QuizRound:
    """One round of the quiz: the steps already shown, the score, an open size question.

    A step is shown once it is answered or shown without an answer (→ before answering);
    nothing else reveals it, so a quiz started late, or restarted, asks every step again.
    """

    revealed: set[int] = field(default_factory=set)
    score: Score = field(default_factory=Score)
    question: SizeQuestion | None = None  # asked before the step's own question
    seed: int | None = None  # of the size questions (for a repeatable round)
    _stock: list[SizeQuestion] = field(default_factory=list)

    def restart(self) -> None:
        """Nothing shown, no answers, no open question."""
        self.revealed = set()
        self.score = Score()
        self.question = None

    def hides(self, index: int) -> bool:
        return index not in self.revealed

    def reveal(self, index: int) -> None:
        """Show step ``index`` without an answer (not scored)."""
        self.revealed.add(index)

    def ask_size(self) -> SizeQuestion:
        """Open a new output-size question."""
        if not self._stock:
            self._stock = size_questions(20, self.seed)
            if self.seed is not None:
                self.seed += 1
        self.question = self._stock.pop()
        return self.question

    def answer_size(self, text: str) -> Verdict:
        """Check ``text`` against the open size question and close it; ValueError if ``text``
        is no number (the question stays open)."""
        if self.question is None:
            raise ValueError("there is no size question to answer")
        verdict = check_size(text, self.question)
        self.score.record(verdict)
        self.question = None
        return verdict

    def answer_step(self, text: str, step: Step, example: Example) -> Verdict:
        """Check ``text`` as the value of ``step`` and show the step; ValueError if ``text``
        is no number (the step stays hidden)."""
        verdict = check_prediction(text, step, example)
        self.score.record(verdict)
        self.revealed.add(step.index)
        return verdict
