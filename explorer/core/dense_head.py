"""A dense (fully connected) head at the end of a stack: the lecture's figure ending in FC.

The last stage's output (its pooled maps when it pools) is flattened map by map, each map row
by row (as a channels-first network flattens), and every one of the N class units is
connected to every one of those values: ``scores = W · x + b``, then softmax probabilities.
Its weight count, ``inputs × N + N``, grows with the picture, while a convolution's shared
kernels do not: that count, next to the conv stages' own, is the lecture's argument.

The weights are random (normal with σ = 1/√inputs, LeCun's initialisation; zero biases),
reproducible from a seed: no network was trained for them, so the scores mean nothing.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core.formulas import shape_text
from explorer.core.params import conv_params

# 50 million float32 weights are 200 MB: more is refused rather than let the system kill the
# app (a head on an unpooled 1280-pixel stack would ask for billions)
MAX_HEAD_WEIGHTS = 50_000_000


@dataclass(frozen=True)
class HeadSpec:
    """A dense head as a request carries it: how many classes, and the weights' seed."""

    classes: int = 10
    seed: int = 0


@dataclass(frozen=True, eq=False)
class HeadWeights:
    """The head's weights for one input shape: ``weights[n, i]`` joins input i to class n."""

    input_shape: tuple[int, int, int]  # (H, W, K) of the maps it reads
    weights: np.ndarray  # (N, H·W·K) float32
    bias: np.ndarray  # (N,) float32
    seed: int

    @property
    def classes(self) -> int:
        return int(self.weights.shape[0])


@dataclass(frozen=True, eq=False)
class HeadResult:
    """One picture's class scores and their softmax probabilities."""

    input_shape: tuple[int, int, int]
    scores: np.ndarray  # (N,) float64
    probabilities: np.ndarray  # (N,) float64, summing to 1
    seed: int

    @property
    def inputs(self) -> int:
        return math.prod(self.input_shape)

    @property
    def classes(self) -> int:
        return int(self.scores.shape[0])

    @property
    def parameters(self) -> int:
        return head_parameters(self.inputs, self.classes)


def head_parameters(inputs: int, classes: int) -> int:
    """Weights and biases of a dense layer from ``inputs`` values to ``classes`` units."""
    return inputs * classes + classes


def check_head_size(input_shape: Sequence[int], classes: int) -> None:
    """ValueError, saying how many weights, when a head would not fit in memory."""
    inputs = math.prod(int(v) for v in input_shape)
    count = head_parameters(inputs, classes)
    if count > MAX_HEAD_WEIGHTS:
        raise ValueError(
            f"a dense head on {shape_text(input_shape)} = {inputs:,} inputs × {classes} "
            f"classes needs {count:,} weights ({count * 4 / 2**20:,.0f} MB); at most "
            f"{MAX_HEAD_WEIGHTS:,} are made: pool more, or choose a smaller size")


def random_head(input_shape: Sequence[int], classes: int, seed: int) -> HeadWeights:
    """Seeded random weights for a head on maps of ``input_shape`` (H, W, K).

    Raises ValueError when there would be too many (:func:`check_head_size`)."""
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"a dense head reads maps of a size (rows, columns, maps), not {shape}")
    if not classes >= 1:
        raise ValueError(f"a dense head needs at least one class, not {classes}")
    check_head_size(shape, classes)
    inputs = math.prod(shape)
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((classes, inputs), dtype=np.float32)
    weights *= np.float32(1.0 / math.sqrt(inputs))
    return HeadWeights(shape, weights, np.zeros(classes, np.float32), seed)  # type: ignore[arg-type]


def flatten(maps: np.ndarray) -> np.ndarray:
    """(H, W, K) maps as one vector: map 1 row by row, then map 2, … (no copy when the maps
    are laid out map by map, as the engine lays them out)."""
    if maps.ndim != 3:
        raise ValueError(f"a dense head reads (rows, columns, maps), not shape {maps.shape}")
    return maps.transpose(2, 0, 1).reshape(-1)


def softmax(scores: np.ndarray) -> np.ndarray:
    """exp(s) / Σ exp(s), computed from s − max(s) so large scores do not overflow."""
    s = np.asarray(scores, np.float64)
    e = np.exp(s - s.max())
    return e / e.sum()


def run_head(maps: np.ndarray, head: HeadWeights) -> HeadResult:
    """The class scores of ``maps`` (H, W, K) through ``head``. Raises ValueError."""
    if tuple(maps.shape) != head.input_shape:
        raise ValueError(f"the head was made for {shape_text(head.input_shape)} maps, not "
                         f"{shape_text(maps.shape)}")
    x = flatten(maps)
    if x.dtype != np.float32:
        x = x.astype(np.float32)
    scores = (head.weights @ x).astype(np.float64) + head.bias
    return HeadResult(head.input_shape, scores, softmax(scores), head.seed)


class HeadCache:
    """The newest few heads' weights, by (input shape, classes, seed): a live frame reuses
    them, so the weight matrix is made once per stack and size, never per frame."""

    def __init__(self, keep: int = 2) -> None:
        self._heads: OrderedDict[tuple, HeadWeights] = OrderedDict()
        self._keep = keep
        self.made = 0  # how many weight matrices were made (the tests watch it)

    def weights(self, input_shape: Sequence[int], spec: HeadSpec) -> HeadWeights:
        key = (tuple(int(v) for v in input_shape), spec.classes, spec.seed)
        head = self._heads.get(key)
        if head is None:
            head = random_head(key[0], spec.classes, spec.seed)
            self.made += 1
            self._heads[key] = head
            while len(self._heads) > self._keep:
                self._heads.popitem(last=False)
        else:
            self._heads.move_to_end(key)
        return head


def conv_stage_parameters(shapes: Sequence[tuple[int, int, int, int]]) -> int:
    """Weights and biases of every conv stage, from their (K, kh, kw, C) weight shapes."""
    return sum(conv_params((kh, kw), c, k) for k, kh, kw, c in shapes)


def head_count_lines(input_shape: Sequence[int], classes: int, conv_parameters: int
                     ) -> tuple[str, str]:
    """The head's weight count and the conv stages', in the lecture's terms."""
    inputs = math.prod(int(v) for v in input_shape)
    count = head_parameters(inputs, classes)
    head = (f"Dense head: {shape_text(input_shape)} = {inputs:,} inputs × {classes} classes "
            f"+ {classes} biases = {count:,} weights")
    ratio = count / conv_parameters if conv_parameters else 0.0
    conv = (f"All conv stages: {conv_parameters:,} weights"
            + (f"; the head has {ratio:,.0f}× as many" if ratio >= 2 else ""))
    return head, conv
