"""Short labelled phrases for the sentiment classifier, made from a rated word list.

Each phrase puts one rated word (VADER's lexicon: "good" +1.9, "awful" −2.0 …) into a short
frame such as "the film was very good ." and is labelled by the word's sign. Some phrases
negate the word ("not good", "was n't awful", "never boring"), which flips the label: a single
word's vector cannot tell "good" from "not good", but a filter two words wide can, which is the
point of sliding n-gram filters. Words are split into a training and a held-out set, so the
held-out accuracy tells whether the network generalises to words it never saw (through the
similarity of their vectors).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.resources import resource_path

__all__ = ["LABELS", "Phrase", "default_sets", "load_ratings", "make_phrases", "split_words"]

LABELS = ("negative", "positive")  # class 0, class 1

OPENINGS = ("", "", "it was", "the film was", "the food is", "this book is", "my day was",
            "i think it 's", "in short , it was", "the service was", "that sounds",
            "she said it was", "the weather is", "i", "we")
INTENSIFIERS = ("", "", "", "very", "really", "so", "quite", "extremely", "rather")
NEGATIONS = ("not", "not", "never", "n't")
ENDINGS = ("", "", ".", "!", "today .", ", really")


@dataclass(frozen=True)
class Phrase:
    """One labelled example: its tokens and its class (0 negative, 1 positive)."""

    tokens: tuple[str, ...]
    label: int

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def load_ratings(path: str | Path | None = None) -> dict[str, float]:
    """word → mean rating from a ``word<TAB>rating`` file (the shipped lexicon by default)."""
    path = resource_path("text", "sentiment_words.tsv") if path is None else Path(path)
    ratings: dict[str, float] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            word, value = line.split("\t")
            ratings[word] = float(value)
        except ValueError:
            raise ValueError(f"line {n} of {Path(path).name} is not “word<TAB>rating”") from None
    if not ratings:
        raise ValueError(f"{Path(path).name} holds no rated words")
    return ratings


def split_words(ratings: dict[str, float], held_out: float = 0.2,
                seed: int = 0) -> tuple[list[str], list[str]]:
    """The rated words shuffled and split into (training words, held-out words)."""
    if not 0 <= held_out < 1:
        raise ValueError("the held-out share must be between 0 and 1")
    words = sorted(ratings)
    np.random.default_rng(seed).shuffle(words)
    cut = round(len(words) * (1 - held_out))
    return words[:cut], words[cut:]


def _negate(rng: np.random.Generator, opening: list[str]) -> list[str]:
    neg = NEGATIONS[rng.integers(len(NEGATIONS))]
    if neg == "n't":
        # "n't" needs a verb before it: reuse the opening's, or give one
        if opening and opening[-1] in ("was", "is", "'s"):
            return [*opening[:-1], "is" if opening[-1] == "'s" else opening[-1], "n't"]
        if opening and opening[-1] in ("i", "we"):
            return [*opening, "do", "n't"]
        return [*opening, "was", "n't"]
    return [*opening, neg.split()[0]]


def make_phrases(ratings: dict[str, float], words: list[str], count: int,
                 negated_share: float = 0.45, seed: int = 0) -> list[Phrase]:
    """``count`` phrases, each around a word of ``words``, balanced between the classes."""
    if not words:
        raise ValueError("no words to make phrases from")
    if count < 1:
        raise ValueError("ask for at least one phrase")
    rng = np.random.default_rng(seed)
    positive = [w for w in words if ratings[w] > 0]
    negative = [w for w in words if ratings[w] < 0]
    if not positive or not negative:
        raise ValueError("the words must include positive and negative ones")
    out: list[Phrase] = []
    for i in range(count):
        label = i % 2  # balanced classes
        negated = rng.random() < negated_share
        # a negated word of the opposite sign gives this label
        pool = positive if (label == 1) != negated else negative
        word = pool[rng.integers(len(pool))]
        opening = OPENINGS[rng.integers(len(OPENINGS))].split()
        head = _negate(rng, opening) if negated else opening
        extra = INTENSIFIERS[rng.integers(len(INTENSIFIERS))].split()
        tail = ENDINGS[rng.integers(len(ENDINGS))].split()
        if negated and head[-1] == "not" and rng.random() < 0.25:
            tail = ["at", "all", *tail[-1:]]  # "not bad at all"
        out.append(Phrase(tuple([*head, *extra, word, *tail]), label))
    return out


def default_sets(ratings: dict[str, float] | None = None, train_count: int = 6000,
                 held_out_count: int = 1000, seed: int = 0) -> tuple[list[Phrase], list[Phrase]]:
    """(training phrases, held-out phrases) around disjoint word sets, reproducibly."""
    ratings = load_ratings() if ratings is None else ratings
    train_words, test_words = split_words(ratings, seed=seed)
    return (make_phrases(ratings, train_words, train_count, seed=seed + 1),
            make_phrases(ratings, test_words, held_out_count, seed=seed + 2))
