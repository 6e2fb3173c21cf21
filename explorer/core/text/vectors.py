"""Turn tokens into vectors: pretrained word vectors, or one-hot characters.

A sentence becomes a (T, D) matrix, one row per token. A token the vocabulary does not know
gets a row of zeros and is flagged as unknown (so a view can say so), never dropped: dropping
it would silently join the words on either side into an n-gram the student never typed.

The word vectors are a subset of GloVe 6B, 50 dimensions (Pennington, Socher and Manning,
2014): the most frequent words plus the rated words of the sentiment lexicon, shipped in
``resources/text``. The character vectors need no file: each character is a one-hot vector.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from explorer.core.text.tokens import Token, characters, tokenize
from explorer.resources import resource_path

__all__ = [
    "ALPHABET",
    "Embedded",
    "Vocabulary",
    "character_vectors",
    "filter_from_words",
    "glove_vectors",
    "load_word_vectors",
    "vocabulary",
]

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'\"-()"


@dataclass(frozen=True, eq=False)
class Embedded:
    """A sentence as the network sees it."""

    tokens: list[Token]
    vectors: np.ndarray  # (T, D) float32; zeros for unknown tokens
    known: np.ndarray  # (T,) bool
    rows: np.ndarray  # (T,) each token's row in the vocabulary; −1 for unknown ones

    @property
    def unknown(self) -> list[str]:
        """The unknown tokens, in order."""
        return [t.text for t, k in zip(self.tokens, self.known, strict=True) if not k]


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Tokens → vectors: the words it knows, their (N, D) vectors, and how it cuts text."""

    name: str
    words: tuple[str, ...]
    vectors: np.ndarray  # (N, D) float32
    split: Callable[[str], list[Token]] = tokenize
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or len(self.words) != self.vectors.shape[0]:
            raise ValueError("a vocabulary needs one vector per word")
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words)})

    @property
    def dim(self) -> int:
        """D, the length of each vector."""
        return int(self.vectors.shape[1])

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def vector(self, word: str) -> np.ndarray:
        """The vector of ``word``; ValueError when the vocabulary does not know it."""
        i = self.index.get(word)
        if i is None:
            raise ValueError(f"“{word}” is not in the vocabulary of {self.name}: "
                             "try a more common word")
        return self.vectors[i].copy()

    def embed(self, sentence: str) -> Embedded:
        """Tokenize ``sentence`` and look every token up."""
        tokens = self.split(sentence)
        rows = np.array([self.index.get(t.text, -1) for t in tokens], np.intp)
        known = rows >= 0
        out = np.zeros((len(tokens), self.dim), np.float32)
        out[known] = self.vectors[rows[known]]
        return Embedded(tokens, out, known, rows)


def load_word_vectors(path: str | Path, name: str) -> Vocabulary:
    """Word vectors from an ``.npz`` file with ``words`` (N,) and ``vectors`` (N, D)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            words = tuple(str(w) for w in data["words"])
            vectors = np.asarray(data["vectors"], np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"cannot read the word vectors in {Path(path).name}: {exc}") from None
    return Vocabulary(name, words, vectors)


@cache
def glove_vectors() -> Vocabulary:
    """The shipped GloVe subset (about 14,600 words × 50), loaded once."""
    return load_word_vectors(resource_path("text", "glove50_subset.npz"), "GloVe 6B 50-d")


@cache
def character_vectors() -> Vocabulary:
    """One-hot vectors over :data:`ALPHABET`: characters as tokens, D = len(ALPHABET)."""
    return Vocabulary("one-hot characters", tuple(ALPHABET),
                      np.eye(len(ALPHABET), dtype=np.float32), split=characters)


def vocabulary(key: str) -> Vocabulary:
    """The vocabulary a setting names: "words" (GloVe) or "characters" (one-hot)."""
    if key == "words":
        return glove_vectors()
    if key == "characters":
        return character_vectors()
    raise ValueError(f"unknown vocabulary {key!r}: choose words or characters")


def filter_from_words(vocabulary: Vocabulary, words: Sequence[str]) -> np.ndarray:
    """A (w, D) filter whose row i is word i's vector scaled to length 1.

    Its response to a window is the sum, over the window's rows, of each vector's length times
    the cosine with the filter's row: largest where the n-gram's words point the same way as
    the chosen ones (the words themselves, or words used alike).
    """
    if not words:
        raise ValueError("name at least one word to build a filter from")
    rows = []
    for w in words:
        v = vocabulary.vector(w)
        norm = float(np.linalg.norm(v))
        if norm == 0:
            raise ValueError(f"“{w}” has a zero vector: it cannot shape a filter")
        rows.append(v / norm)
    return np.stack(rows).astype(np.float32)
