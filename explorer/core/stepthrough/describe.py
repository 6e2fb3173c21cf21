"""A step's arithmetic written out as the lecture writes it: products, sum, bias, activation.

Plain text lines (the view styles them); every number is a step's own, formatted as the cells
show it (:func:`~explorer.core.stepthrough.quiz.cell_text`). :func:`bound` marks where a line
may wrap, so that an equation never breaks inside a term.
"""

from __future__ import annotations

import re

from explorer.core.activations import formula
from explorer.core.stepthrough.quiz import cell_text
from explorer.core.stepthrough.steps import Step, Walkthrough

MAX_TERMS = 25  # more products than this on one line are summed without being listed

_ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "tanh": "tanh",
                     "sigmoid": "sigmoid", "abs": "|x|"}


def _term(value: float) -> str:
    text = cell_text(value)
    return f"({text})" if text.startswith("−") else text


def _sum(values: list[float]) -> str:
    return " + ".join(_term(v) for v in values)


def cell_name(prefix: str, row: int, col: int, channel: int) -> str:
    return f"{prefix}[{row}, {col}, {channel}]"


def headline(walkthrough: Walkthrough, index: int) -> str:
    """Which step, which output cell, which window, and how far the window jumped."""
    step = walkthrough.steps[index]
    rows, cols = step.rows, step.cols
    where = (f"rows {rows[0]}–{rows[-1]}, columns {cols[0]}–{cols[-1]}" if len(rows) > 1
             or len(cols) > 1 else f"row {rows[0]}, column {cols[0]}")
    text = (f"Step {index + 1} of {len(walkthrough.steps)}: "
            f"{cell_name('o', *step.out, step.map)} ← window on {where}")
    if index > 0:
        before = walkthrough.steps[index - 1]
        if before.map == step.map and before.out[0] == step.out[0]:
            jump = cols[0] - before.cols[0]
            text += f"; it jumped {jump} column{'s' if jump != 1 else ''} (stride {jump})"
        elif before.map == step.map:
            jump = rows[0] - before.rows[0]
            text += f"; next row: down {jump} (stride {jump})"
    return text


def describe(walkthrough: Walkthrough, index: int, hide_value: bool = False,
             channel: int | None = None) -> list[str]:
    """The lines under the grids for step ``index``; with ``hide_value`` only the question.
    ``channel`` (a convolution over a volume, one channel at a time): that channel's
    products and the channels' sum so far; one past the last channel, their sum, the bias
    and the value."""
    step = walkthrough.steps[index]
    ex = walkthrough.example
    target = cell_name("o", *step.out, step.map)
    lines = [headline(walkthrough, index)]
    if hide_value:
        return [*lines, f"Your turn: what lands in {target}? Type it and press Enter."]
    if step.weights is None:
        return lines + _pooling(step, ex.operation, target)
    channels = step.taps.shape[2]
    if channel is None or channels < 2:
        return lines + _convolution(walkthrough, step, target)
    if channel >= channels:
        return lines + _convolution(walkthrough, step, target, products=False)
    sums = [float(step.products[:, :, c].sum(dtype="float64")) for c in range(channel + 1)]
    so_far = cell_text(sum(sums))
    if channel == 0:
        running = f"running sum, channel 0 of {channels}: {so_far}"
    else:
        running = f"running sum, channels 0–{channel} of {channels}: {_sum(sums)} = {so_far}"
    return [*lines, _products(walkthrough, step, channel), running]


def _pooling(step: Step, operation: str, target: str) -> list[str]:
    values = [float(v) for v in step.taps[:, :, 0].ravel()]
    shown = ", ".join(cell_text(v) for v in values)
    if operation == "max":
        return [f"max({shown}) = {cell_text(step.value)}: the winner is kept, "
                f"the other {len(values) - 1} are dropped",
                f"{target} = {cell_text(step.value)}"]
    return [f"({_sum(values)}) / {len(values)} = {cell_text(step.value)}",
            f"{target} = {cell_text(step.value)}"]


def _products(walkthrough: Walkthrough, step: Step, c: int) -> str:
    """Channel ``c``'s products written out and summed."""
    channels = step.taps.shape[2]
    turned = " (turned 180°)" if walkthrough.turned else ""
    taps = step.taps[:, :, c].ravel()
    weights = step.weights[:, :, c].ravel()
    part = float(step.products[:, :, c].sum(dtype="float64"))
    name = f"x[:,:,{c}] ⊙ w{step.map}[:,:,{c}]{turned}" if channels > 1 \
        else f"window ⊙ kernel{turned}"
    if taps.size <= MAX_TERMS:
        products = " + ".join(f"{_term(t)}·{_term(w)}" for t, w in
                              zip(taps, weights, strict=True))
        return f"{name}: {products} = {cell_text(part)}"
    return f"{name}: the sum of {taps.size} products = {cell_text(part)}"


def _convolution(walkthrough: Walkthrough, step: Step, target: str,
                 products: bool = True) -> list[str]:
    """The products channel by channel (unless ``products`` is False), their sum over the
    channels, the bias, the activation and the value."""
    ex = walkthrough.example
    channels = step.taps.shape[2]
    sums = [float(step.products[:, :, c].sum(dtype="float64")) for c in range(channels)]
    lines = [_products(walkthrough, step, c) for c in range(channels)] if products else []
    if channels > 1:
        lines.append(f"sum over the {channels} channels: {_sum(sums)} = "
                     f"{cell_text(step.total)}")
    lines.append(f"+ bias b{step.map} = {cell_text(step.bias)}: {cell_text(step.total)} + "
                 f"{_term(step.bias)} = {cell_text(step.pre_activation)}")
    if ex.activation != "identity":
        name = _ACTIVATION_NAMES[ex.activation]
        value = _term(step.pre_activation)
        rule = re.sub(r"\bx\b", lambda _m: value, formula(ex.activation))
        lines.append(f"{name}: {rule} = {cell_text(step.value)}")
    lines.append(f"{target} = {cell_text(step.value)}")
    return lines


NBSP = "\u00a0"
_OPERATORS = "+−=/⊙×"
_BRACKETED = re.compile(r"[\[(][^\[\]()]*[\])]")
_OPERATOR_GAP = re.compile(rf" ([{_OPERATORS}]) ")
_WORD_NUMBER = re.compile(r"(\b[A-Za-z]+) (?=[−\d]|b\d)")  # stride 2, bias b0
_LEADING_OPERATOR = re.compile(rf"^([{_OPERATORS}]) ")


def bound(line: str) -> str:
    """``line`` with no-break spaces where a wrap would split a term: inside brackets
    (``o[0, 1, 0]``, ``(−1)``, ``max(1, 2)``), between an operator and what follows it (a
    line may break before ``+ 10·1`` or ``= 30``, never after the sign), around ``⊙`` and
    between a word and its number (``stride 2``). The ordinary spaces left are the places
    where a line may wrap."""
    text = _BRACKETED.sub(lambda m: m.group(0).replace(" ", NBSP), line)
    text = text.replace(" ⊙ ", f"{NBSP}⊙{NBSP}")
    text = _OPERATOR_GAP.sub(lambda m: f" {m.group(1)}{NBSP}", text)
    text = _LEADING_OPERATOR.sub(lambda m: m.group(1) + NBSP, text)
    return _WORD_NUMBER.sub(lambda m: m.group(1) + NBSP, text)
