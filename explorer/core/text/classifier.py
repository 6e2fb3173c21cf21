"""Kim's (2014) sentence classifier, small enough to train in seconds with NumPy.

word vectors (T, D) → K filters of widths 2–4 slid along the sentence (one feature map each)
→ max-over-time pooling (one number per filter) → a fully connected layer → softmax over
{negative, positive}. The filters, their biases and the last layer are learned by gradient
descent (Adam) on short labelled phrases.

Kim's two variants of the input: one channel, the word vectors kept fixed ("CNN-static"), or
two channels ("CNN-multichannel"): the fixed vectors and the network's own copy of them, which
training moves ("fine-tuned"). A filter then has rows over both channels and its response sums
over both; in the matrices here a row holds the static vector (D numbers) followed by the
fine-tuned one (D more), so a two-channel filter is (w, 2·D) and slides like any other.

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
    # the second, fine-tuned channel: the network's own copy of the vocabulary's vectors
    # (N, D), row for row; None: one static channel
    tuned: np.ndarray | None = None

    def __post_init__(self) -> None:
        k = len(self.filters)
        if k == 0:
            raise ValueError("a text network needs at least one filter")
        if any(np.ndim(f) != 2 or np.shape(f)[0] < 1 for f in self.filters) \
                or len({np.shape(f)[1] for f in self.filters}) != 1:
            raise ValueError("every filter must be a (width, vector size) matrix of one size")
        self.filters = [np.asarray(f, np.float32) for f in self.filters]
        if self.tuned is not None:
            self.tuned = np.asarray(self.tuned, np.float32)
            if self.tuned.ndim != 2 or self.filters[0].shape[1] != 2 * self.tuned.shape[1]:
                raise ValueError("a two-channel filter has a static and a fine-tuned part a "
                                 "row, each as long as a vector of the fine-tuned copy")
        self.biases = np.asarray(self.biases, np.float32).reshape(k)
        self.weights = np.asarray(self.weights, np.float32).reshape(k, len(self.labels))
        self.out_bias = np.asarray(self.out_bias, np.float32).reshape(len(self.labels))

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def random(cls, widths: Sequence[int], dim: int, seed: int = 0,
               tuned: np.ndarray | None = None) -> TextCNN:
        """Small random filters (scaled to the fan-in) and a zero dense layer; with ``tuned``
        (the vectors the fine-tuned channel starts from), two channels."""
        if not widths:
            raise ValueError("a text network needs at least one filter")
        rng = np.random.default_rng(seed)
        columns = dim if tuned is None else 2 * dim
        filters = [rng.normal(0, 1 / np.sqrt(w * columns), (w, columns)) for w in widths]
        k = len(widths)
        return cls(filters, np.zeros(k), np.zeros((k, len(LABELS))), np.zeros(len(LABELS)),
                   tuned=None if tuned is None else np.array(tuned, np.float32))

    def copy(self) -> TextCNN:
        return TextCNN([f.copy() for f in self.filters], self.biases.copy(),
                       self.weights.copy(), self.out_bias.copy(), self.labels, self.trained,
                       None if self.tuned is None else self.tuned.copy())

    @property
    def widths(self) -> list[int]:
        return [f.shape[0] for f in self.filters]

    @property
    def channels(self) -> int:
        """1 (static vectors) or 2 (static and fine-tuned)."""
        return 1 if self.tuned is None else 2

    @property
    def dim(self) -> int:
        """D, the length of a word vector (of one channel)."""
        return int(self.filters[0].shape[1]) // self.channels

    def sentence_matrix(self, vectors: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The input for token ``rows`` (…, T) of a vocabulary with ``vectors`` (N, D): each
        token's static vector, followed by its fine-tuned one with two channels. A row of −1
        (an unknown token, padding) is zeros in every channel."""
        rows = np.asarray(rows, np.intp)
        known = (rows >= 0)[..., None]
        static = np.where(known, vectors[np.maximum(rows, 0)], 0).astype(np.float32)
        if self.tuned is None:
            return static
        if self.tuned.shape != vectors.shape:
            raise ValueError(f"the fine-tuned copy holds {self.tuned.shape[0]} vectors of "
                             f"{self.tuned.shape[1]} but the vocabulary {vectors.shape[0]} of "
                             f"{vectors.shape[1]}")
        tuned = np.where(known, self.tuned[np.maximum(rows, 0)], 0).astype(np.float32)
        return np.concatenate([static, tuned], axis=-1)

    @property
    def min_length(self) -> int:
        """The shortest sentence every filter fits: the widest filter."""
        return max(self.widths)

    # --- inference -------------------------------------------------------------------------
    def feature_maps(self, x: np.ndarray, padding: int = 0) -> list[np.ndarray]:
        """Each filter's response along ``x`` (T, C·D), as a list of (T′_k,) arrays."""
        x = np.asarray(x, np.float32)
        columns = self.dim * self.channels
        if x.ndim != 2 or x.shape[1] != columns:
            raise ValueError(f"the sentence must be a (length, {columns}) matrix of vectors")
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
        tuned = {} if self.tuned is None else {"tuned": self.tuned}
        np.savez_compressed(
            path, widths=np.array(self.widths), filters=np.concatenate(self.filters),
            biases=self.biases, weights=self.weights, out_bias=self.out_bias,
            labels=np.array(self.labels), **tuned)

    @classmethod
    def load(cls, path: str | Path) -> TextCNN:
        try:
            with np.load(path, allow_pickle=False) as data:
                widths = [int(w) for w in data["widths"]]
                rows = np.asarray(data["filters"], np.float32)
                if sum(widths) != rows.shape[0]:
                    raise ValueError("the filter widths do not add up to the stored rows")
                cuts = np.cumsum(widths)[:-1]
                tuned = np.asarray(data["tuned"], np.float32) if "tuned" in data else None
                return cls(np.split(rows, cuts), data["biases"], data["weights"],
                           data["out_bias"], tuple(str(s) for s in data["labels"]),
                           trained=True, tuned=tuned)
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
    """Phrases as rows of the vocabulary (−1: unknown or padding), grouped by length, so a
    batch is one (B, T) array; its sentence matrices are looked up when it is used, so the
    fine-tuned channel gives its vectors as they are at that step."""

    def __init__(self, phrases: Sequence[Phrase], vocab: Vocabulary, min_length: int) -> None:
        groups: dict[int, list[int]] = defaultdict(list)
        rows = []
        for i, p in enumerate(phrases):
            found = [vocab.index.get(t.text, -1) for t in vocab.split(p.text)]
            found += [-1] * (min_length - len(found))
            rows.append(np.array(found, np.intp))
            groups[len(found)].append(i)
        self.vectors = vocab.vectors
        self.arrays = {n: np.stack([rows[i] for i in idx]) for n, idx in groups.items()}
        self.labels = {n: np.array([phrases[i].label for i in idx]) for n, idx in groups.items()}

    def batches(self, size: int, rng: np.random.Generator | None) -> Iterator[tuple]:
        """(token rows (B, T), labels (B,)) batch after batch."""
        order = []
        for n, x in self.arrays.items():
            idx = rng.permutation(len(x)) if rng is not None else np.arange(len(x))
            order += [(n, idx[i:i + size]) for i in range(0, len(idx), size)]
        if rng is not None:
            rng.shuffle(order)
        for n, idx in order:
            yield self.arrays[n][idx], self.labels[n][idx]


def _forward(model: TextCNN, x: np.ndarray) -> tuple:
    """Pooled (B, K), first-max positions (B, K) and windows per width for a batch (B, T, C·D)."""
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
    for rows, y in data.batches(256, None):
        pooled, _, _ = _forward(model, model.sentence_matrix(data.vectors, rows))
        right += int(((pooled @ model.weights + model.out_bias).argmax(1) == y).sum())
        total += len(y)
    return right / max(total, 1)


def loss_and_gradients(model: TextCNN, x: np.ndarray, y: np.ndarray,
                       weight_decay: float = 0.0
                       ) -> tuple[float, list[np.ndarray], np.ndarray, np.ndarray | None]:
    """Mean cross-entropy of a batch ``x`` (B, T, C·D) with labels ``y`` (B,), its gradients
    (filters…, biases, weights, out_bias, in that order), the class probabilities, and, for
    a network with a fine-tuned channel, the gradient with respect to ``x`` (else None).

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
    d_x = np.zeros(x.shape) if model.tuned is not None else None
    batch = np.arange(b)
    for k, f in enumerate(model.filters):
        won = windows[f.shape[0]][batch, positions[:, k]]  # (B, w·D)
        grads.append((d_pooled[:, k] @ won).reshape(f.shape) + weight_decay * f)
        if d_x is not None:  # the winning window's vectors get the filter's rows
            for i in range(f.shape[0]):
                np.add.at(d_x, (batch, positions[:, k] + i), d_pooled[:, k, None] * f[i])
    grads += [d_pooled.sum(0), pooled.T @ d_logits + weight_decay * model.weights,
              d_logits.sum(0)]
    return loss, grads, probs, d_x


class _SparseAdam:
    """Adam for the fine-tuned vectors: a batch moves only the rows of its own words (the
    moments of the others wait, as in "lazy" Adam), so a step costs the batch, not the
    whole vocabulary."""

    def __init__(self, table: np.ndarray, learning_rate: float) -> None:
        self.table, self.learning_rate = table, learning_rate
        self.m = np.zeros_like(table)
        self.v = np.zeros_like(table)

    def step(self, rows: np.ndarray, d_x: np.ndarray, step: int,
             beta1: float = 0.9, beta2: float = 0.999) -> None:
        """``rows`` (B, T) of the batch, ``d_x`` (B, T, D) the gradient of their vectors."""
        known = rows >= 0
        words, where = np.unique(rows[known], return_inverse=True)
        if words.size == 0:
            return
        g = np.zeros((words.size, self.table.shape[1]))
        np.add.at(g, where, d_x[known])  # a word twice in a batch: its gradients add
        m = self.m[words] * beta1 + (1 - beta1) * g
        v = self.v[words] * beta2 + (1 - beta2) * g * g
        self.m[words], self.v[words] = m, v
        m_hat, v_hat = m / (1 - beta1 ** step), v / (1 - beta2 ** step)
        self.table[words] -= (self.learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)
                              ).astype(self.table.dtype)


def train(model: TextCNN, vocab: Vocabulary, phrases: Sequence[Phrase],
          held_out: Sequence[Phrase] = (), epochs: int = DEFAULT_EPOCHS, batch_size: int = 32,
          learning_rate: float = 0.01, weight_decay: float = 1e-4,
          seed: int = 0) -> Iterator[TrainStep]:
    """Train ``model`` in place; yield a :class:`TrainStep` after each epoch. With two
    channels the fine-tuned copy of the vectors learns too (only the rows of words in the
    phrases move); the vocabulary's own vectors, the static channel, never change.

    A generator, so a worker thread can run it and stop between epochs.
    """
    if vocab.dim != model.dim:
        raise ValueError(f"the filters are {model.dim} numbers a row but the vectors of "
                         f"{vocab.name} have {vocab.dim}: rebuild the filters")
    if model.tuned is not None and model.tuned.shape != vocab.vectors.shape:
        raise ValueError(f"the fine-tuned channel holds {model.tuned.shape[0]} vectors but "
                         f"{vocab.name} has {vocab.vectors.shape[0]}: rebuild the filters")
    if not phrases:
        raise ValueError("there are no training phrases")
    if epochs < 1 or batch_size < 1 or not learning_rate > 0:
        raise ValueError("epochs, batch size and learning rate must be positive")
    rng = np.random.default_rng(seed)
    data = _Batches(phrases, vocab, model.min_length)
    test = _Batches(held_out, vocab, model.min_length) if held_out else None
    params = [*model.filters, model.biases, model.weights, model.out_bias]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    tuned = None if model.tuned is None else _SparseAdam(model.tuned, learning_rate)
    beta1, beta2, step = 0.9, 0.999, 0
    for epoch in range(1, epochs + 1):
        loss_sum = 0.0
        right = seen = 0
        for rows, y in data.batches(batch_size, rng):
            x = model.sentence_matrix(data.vectors, rows)
            loss, grads, probs, d_x = loss_and_gradients(model, x, y, weight_decay)
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
            if tuned is not None and d_x is not None:
                tuned.step(rows, d_x[..., model.dim:], step)  # the static part stays
        model.trained = True
        yield TrainStep(epoch, epochs, loss_sum / max(seen, 1), right / max(seen, 1),
                        _evaluate(model, test) if test else float("nan"), model.copy())
