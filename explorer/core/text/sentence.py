"""One sentence through Kim's network: its matrix, each filter's map, the pooled vector, the
classifier's answer, and the n-gram behind any position.

The sentence becomes a (T, C·D) matrix (C channels of D numbers) with ``padding`` zero rows
at each end, and more zero rows at the end when it is shorter than the widest filter (so every
filter has a position, as in training). Every row has a label and a kind, so a view can show
which rows are words, unknown words (zero vectors) or padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.text.bank import CHANNELS, Bank
from explorer.core.text.classifier import Prediction
from explorer.core.text.tokens import Token
from explorer.core.text.vectors import Vocabulary

__all__ = ["KNOWN", "PAD", "PADDING", "UNKNOWN", "Reading", "read_sentence"]

PAD = "⟨pad⟩"
KNOWN, UNKNOWN, PADDING = "known", "unknown", "padding"  # what a row of the matrix is


@dataclass(frozen=True, eq=False)
class Reading:
    """A sentence as the network saw it, with the bank that read it."""

    text: str
    tokens: list[Token]
    labels: list[str]  # one a row of ``x``: the token, or ⟨pad⟩
    kinds: list[str]  # KNOWN, UNKNOWN or PADDING, one a row
    x: np.ndarray  # (rows, C·D) float32: each channel's D numbers in turn
    padding: int  # zero rows before the first token
    bank: Bank
    vocabulary: str  # its name
    prediction: Prediction | None  # None for a sentence without tokens

    @property
    def channels(self) -> tuple[str, ...]:
        """The names of the channels side by side in each row of ``x``."""
        return CHANNELS[:self.bank.network.channels]

    def moved(self) -> np.ndarray | None:
        """Per row, how far training moved its fine-tuned vector from the static one (the
        Euclidean distance); None with one channel."""
        if len(self.channels) < 2:
            return None
        d = self.bank.network.dim
        return np.linalg.norm(self.x[:, d:] - self.x[:, :d], axis=1)

    @property
    def unknown(self) -> list[str]:
        """The tokens the vocabulary does not know, in order."""
        return [lab for lab, kind in zip(self.labels, self.kinds, strict=True)
                if kind == UNKNOWN]

    def window_tokens(self, k: int, t: int) -> tuple[list[int], int]:
        """The tokens (indices) under filter ``k`` at position ``t``, and how many padding
        rows it also covers."""
        w = self.bank.network.widths[k]
        real = [j - self.padding for j in range(t, t + w)
                if 0 <= j - self.padding < len(self.tokens)]
        return real, w - len(real)

    def window_text(self, k: int, t: int) -> str:
        """The n-gram under filter ``k`` at position ``t``, as typed (padding as ⟨pad⟩)."""
        real, pads = self.window_tokens(k, t)
        parts = []
        if real:
            parts.append(self.text[self.tokens[real[0]].start:self.tokens[real[-1]].end])
        if pads:
            parts.append(" ".join([PAD] * pads))
        return " ".join(parts)


def _label(token: Token) -> str:
    return "␣" if token.text == " " else token.text


def read_sentence(text: str, padding: int, bank: Bank, vocabulary: Vocabulary) -> Reading:
    """Embed ``text``, pad it, and run ``bank`` over it."""
    embedded = vocabulary.embed(text)
    t = len(embedded.tokens)
    network = bank.network
    if t == 0:
        return Reading(text, [], [], [], np.zeros((0, vocabulary.dim * network.channels),
                                                  np.float32), padding,
                       bank, vocabulary.name, None)
    extra = max(0, bank.network.min_length - (t + 2 * padding))  # so the widest filter fits
    labels = [PAD] * padding + [_label(tok) for tok in embedded.tokens] \
        + [PAD] * (extra + padding)
    kinds = [PADDING] * padding + [KNOWN if k else UNKNOWN for k in embedded.known] \
        + [PADDING] * (extra + padding)
    rows = np.full(len(labels), -1, np.intp)  # −1: a zero vector in every channel
    rows[padding:padding + t] = embedded.rows
    x = network.sentence_matrix(vocabulary.vectors, rows)
    return Reading(text, embedded.tokens, labels, kinds, x, padding, bank, vocabulary.name,
                   network.predict(x))
