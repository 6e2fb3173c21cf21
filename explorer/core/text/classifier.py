"""Kim's (2014) sentence classifier, small enough to train in seconds with NumPy.

word vectors (T, D) → K filters of widths 2–4 slid along the sentence (one feature map each)
→ max-over-time pooling (one number per filter) → a fully connected layer → softmax over
{negative, positive}. The word vectors stay fixed (Kim's "CNN-static"); the filters, their
biases and the last layer are learned by gradient descent (Adam) on short labelled phrases.

A sentence shorter than the widest filter gets zero vectors appended (``min_length``), during
training and when classifying alike, so every filter has at least one position.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from explorer.core.text.conv1d import conv1d, max_over_time
from explorer.core.text.phrases import LABELS, Phrase
from explorer.core.text.vectors import Vocabulary

__all__ = ["DEFAULT_WIDTHS", "Prediction", "TextCNN", "TrainStep", "loss_and_gradients",
           "pad_to_fit", "train"]

DEFAULT_WIDTHS = (2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4)  # Kim used 3, 4, 5 with 100 of each
DEFAULT_EPOCHS = 20


@dataclass(eq=False)
class TextCNN:
    """K filters (each (w_k, D)) with biases, and a dense layer (K → classes)."""

    filters: list[np.ndarray]
    biases: np.ndarray  # (K,)
    weights: np.ndarray  # (K, C)
    out_bias: np.ndarray  # (C,)
    labels: tuple[str, ...] = LABELS
    trained: bool = False  # the dense layer has learned from the filters it now has

    def __post_init__(self) -> None:
        k = len(self.filters)
        if k == 0:
            raise ValueError("a text network needs at least one filter")
        dims = {f.shape[1] for f in self.filters}
        if len(dims) != 1 or any(f.ndim != 2 or f.shape[0] < 1 for f in self.filters):
            raise ValueError("every filter must be a (width, vector size) matrix of one size")
        self.filters = [np.asarray(f, np.float32) for f in self.filters]
        self.biases = np.asarray(self.biases, np.float32).reshape(k)
        self.weights = np.asarray(self.weights, np.float32).reshape(k, len(self.labels))
        self.out_bias = np.asarray(self.out_bias, np.float32).reshape(len(self.labels))

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def random(cls, widths: Sequence[int], dim: int, seed: int = 0) -> TextCNN:
        """Small random filters (scaled to the fan-in) and a zero dense layer."""
        if not widths:
            raise ValueError("a text network needs at least one filter")
        rng = np.random.default_rng(seed)
        filters = [rng.normal(0, 1 / np.sqrt(w * dim), (w, dim)) for w in widths]
        k = len(widths)
        return cls(filters, np.zeros(k), np.zeros((k, len(LABELS))), np.zeros(len(LABELS)))

    def copy(self) -> TextCNN:
        return TextCNN([f.copy() for f in self.filters], self.biases.copy(),
                       self.weights.copy(), self.out_bias.copy(), self.labels, self.trained)

    @property
    def widths(self) -> list[int]:
        return [f.shape[0] for f in self.filters]

    @property
    def dim(self) -> int:
        return int(self.filters[0].shape[1])

    @property
    def min_length(self) -> int:
        """The shortest sentence every filter fits: the widest filter."""
        return max(self.widths)

    # --- inference -------------------------------------------------------------------------
    def feature_maps(self, x: np.ndarray, padding: int = 0) -> list[np.ndarray]:
        """Each filter's response along ``x`` (T, D), as a list of (T′_k,) arrays."""
        x = np.asarray(x, np.float32)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"the sentence must be a (length, {self.dim}) matrix of vectors")
        return [conv1d(x, f[None], self.biases[k:k + 1], padding=padding)[:, 0]
                for k, f in enumerate(self.filters)]

    def predict(self, x: np.ndarray, padding: int = 0) -> Prediction:
        """Feature maps, pooled vector and class probabilities of one sentence ``x``."""
        maps = self.feature_maps(x, padding)
        pooled = np.empty(len(maps), np.float32)
        positions = np.empty(len(maps), np.intp)
        for k, m in enumerate(maps):
            v, p = max_over_time(m[:, None])
            pooled[k], positions[k] = v[0], p[0]
        logits = pooled.astype(np.float64) @ self.weights + self.out_bias
        return Prediction(maps, pooled, positions, _softmax(logits[None])[0].astype(np.float32))

    # --- files -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            path, widths=np.array(self.widths), filters=np.concatenate(self.filters),
            biases=self.biases, weights=self.weights, out_bias=self.out_bias,
            labels=np.array(self.labels))

    @classmethod
    def load(cls, path: str | Path) -> TextCNN:
        try:
            with np.load(path, allow_pickle=False) as data:
                widths = [int(w) for w in data["widths"]]
                rows = np.asarray(data["filters"], np.float32)
                if sum(widths) != rows.shape[0]:
                    raise ValueError("the filter widths do not add up to the stored rows")
                cuts = np.cumsum(widths)[:-1]
                return cls(np.split(rows, cuts), data["biases"], data["weights"],
                           data["out_bias"], tuple(str(s) for s in data["labels"]),
                           trained=True)
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"cannot read the text network in {Path(path).name}: {exc}") \
                from None


@dataclass(frozen=True, eq=False)
class Prediction:
    maps: list[np.ndarray]  # each filter's feature map (T′_k,)
    pooled: np.ndarray  # (K,) each map's maximum
    positions: np.ndarray  # (K,) where it was first reached
    probabilities: np.ndarray  # (C,)


@dataclass(frozen=True, eq=False)
class TrainStep:
    """Progress after one epoch (one pass over the training phrases)."""

    epoch: int
    epochs: int
    loss: float  # mean cross-entropy over the epoch
    accuracy: float  # on the training phrases, 0..1
    held_out_accuracy: float  # on phrases around words never trained on
    model: TextCNN = field(repr=False)  # a copy, safe to hand to another thread


def pad_to_fit(x: np.ndarray, min_length: int) -> np.ndarray:
    """``x`` with zero vectors appended up to ``min_length`` rows."""
    short = min_length - x.shape[0]
    return np.pad(x, ((0, short), (0, 0))) if short > 0 else x


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _Batches:
    """Phrases embedded once and grouped by length, so a batch is one (B, T, D) array."""

    def __init__(self, phrases: Sequence[Phrase], vocab: Vocabulary, min_length: int) -> None:
        groups: dict[int, list[int]] = defaultdict(list)
        embedded = []
        for i, p in enumerate(phrases):
            tokens = [t.text for t in vocab.split(p.text)]
            x = pad_to_fit(vocab.embed_tokens(tokens), min_length)
            embedded.append(x)
            groups[x.shape[0]].append(i)
        self.arrays = {n: np.stack([embedded[i] for i in idx]) for n, idx in groups.items()}
        self.labels = {n: np.array([phrases[i].label for i in idx]) for n, idx in groups.items()}

    def batches(self, size: int, rng: np.random.Generator | None) -> Iterator[tuple]:
        order = []
        for n, x in self.arrays.items():
            idx = rng.permutation(len(x)) if rng is not None else np.arange(len(x))
            order += [(n, idx[i:i + size]) for i in range(0, len(idx), size)]
        if rng is not None:
            rng.shuffle(order)
        for n, idx in order:
            yield self.arrays[n][idx], self.labels[n][idx]


def _forward(model: TextCNN, x: np.ndarray) -> tuple:
    """Pooled (B, K), first-max positions (B, K) and windows per width for a batch (B, T, D)."""
    b, t, d = x.shape
    pooled = np.empty((b, len(model.filters)))
    positions = np.empty((b, len(model.filters)), np.intp)
    windows: dict[int, np.ndarray] = {}
    for w in set(model.widths):
        # (B, T′, w·D): every window of w consecutive vectors, flattened row by row
        windows[w] = np.lib.stride_tricks.sliding_window_view(x, w, axis=1) \
            .transpose(0, 1, 3, 2).reshape(b, t - w + 1, w * d)
    for k, f in enumerate(model.filters):
        maps = windows[f.shape[0]] @ f.reshape(-1) + model.biases[k]  # (B, T′)
        positions[:, k] = np.argmax(maps, axis=1)
        pooled[:, k] = maps[np.arange(b), positions[:, k]]
    return pooled, positions, windows


def _evaluate(model: TextCNN, data: _Batches) -> float:
    right = total = 0
    for x, y in data.batches(256, None):
        pooled, _, _ = _forward(model, x)
        right += int(((pooled @ model.weights + model.out_bias).argmax(1) == y).sum())
        total += len(y)
    return right / max(total, 1)


def loss_and_gradients(model: TextCNN, x: np.ndarray, y: np.ndarray,
                       weight_decay: float = 0.0) -> tuple[float, list[np.ndarray], np.ndarray]:
    """Mean cross-entropy of a batch ``x`` (B, T, D) with labels ``y`` (B,), its gradients
    (filters…, biases, weights, out_bias, in that order) and the class probabilities.

    ``weight_decay`` adds ½·λ·‖θ‖² over the filters and dense weights.
    """
    b = len(y)
    pooled, positions, windows = _forward(model, x)
    probs = _softmax(pooled @ model.weights + model.out_bias)
    loss = float(-np.log(probs[np.arange(b), y] + 1e-12).mean())
    decayed = [*model.filters, model.weights]
    loss += 0.5 * weight_decay * sum(float((p.astype(np.float64) ** 2).sum()) for p in decayed)
    # softmax + cross-entropy, the dense layer, then back into each filter's winning window only:
    # max-over-time passes its gradient to the position that won and to no other
    d_logits = probs.copy()
    d_logits[np.arange(b), y] -= 1
    d_logits /= b
    d_pooled = d_logits @ model.weights.T  # (B, K)
    grads = []
    for k, f in enumerate(model.filters):
        won = windows[f.shape[0]][np.arange(b), positions[:, k]]  # (B, w·D)
        grads.append((d_pooled[:, k] @ won).reshape(f.shape) + weight_decay * f)
    grads += [d_pooled.sum(0), pooled.T @ d_logits + weight_decay * model.weights,
              d_logits.sum(0)]
    return loss, grads, probs


def train(model: TextCNN, vocab: Vocabulary, phrases: Sequence[Phrase],
          held_out: Sequence[Phrase] = (), epochs: int = DEFAULT_EPOCHS, batch_size: int = 32,
          learning_rate: float = 0.01, weight_decay: float = 1e-4,
          seed: int = 0) -> Iterator[TrainStep]:
    """Train ``model`` in place; yield a :class:`TrainStep` after each epoch.

    A generator, so a worker thread can run it and stop between epochs.
    """
    if vocab.dim != model.dim:
        raise ValueError(f"the filters are {model.dim} numbers a row but the vectors of "
                         f"{vocab.name} have {vocab.dim}: rebuild the filters")
    if not phrases:
        raise ValueError("there are no training phrases")
    if epochs < 1 or batch_size < 1 or not learning_rate > 0:
        raise ValueError("epochs, batch size and learning rate must be positive")
    rng = np.random.default_rng(seed)
    data = _Batches(phrases, vocab, model.min_length)
    test = _Batches(held_out, vocab, model.min_length) if held_out else None
    params = [*model.filters, model.biases, model.weights, model.out_bias]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    beta1, beta2, step = 0.9, 0.999, 0
    for epoch in range(1, epochs + 1):
        loss_sum = 0.0
        right = seen = 0
        for x, y in data.batches(batch_size, rng):
            loss, grads, probs = loss_and_gradients(model, x, y, weight_decay)
            loss_sum += loss * len(y)
            right += int((probs.argmax(1) == y).sum())
            seen += len(y)
            step += 1
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * g * g
                m_hat = m / (1 - beta1 ** step)
                v_hat = v / (1 - beta2 ** step)
                p -= (learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)).astype(p.dtype)
        model.trained = True
        yield TrainStep(epoch, epochs, loss_sum / max(seen, 1), right / max(seen, 1),
                        _evaluate(model, test) if test else float("nan"), model.copy())
