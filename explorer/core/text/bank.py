"""The sentence network's filter bank: described by the document, weighed by a training.

The document describes the bank (docs/architecture.md, "Tabs"): groups of learned filters, a
(width, count) each, and filters built from words, each the phrase it detects. The numbers in
the filters and in the last layer are not a setting but a result: they come from the newest
trained network for the vocabulary (the one shipped with the app, or the user's own training),
matched filter by filter. Every filter has a key (its group, width and place in the group, or
its phrase), so a bank rebuilt after an edit keeps each trained filter that still fits. A
filter the trained network does not have starts from fixed random numbers (the same for the
same key, so a session or an undo gives back the same bank) or from its words' vectors, with
no weight in the last layer. The bank counts its new filters and the trained ones it leaves
out: a classifier trained for other filters is never passed off as trained for these.

With two channels (static and fine-tuned vectors) a filter has rows over both. A filter made
for one channel is spread over the two, half in each: while the fine-tuned copy still equals
the static vectors, the two-channel filter answers exactly as the one-channel filter did, so
what training then changes is what the second channel brings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from explorer.core.text.classifier import TextCNN, TrainStep, train
from explorer.core.text.phrases import LABELS, Phrase, default_sets
from explorer.core.text.vectors import Vocabulary, filter_from_words, glove_vectors
from explorer.resources import resource_path

__all__ = ["CHANNELS", "MAX_PHRASE_TOKENS", "Bank", "Key", "Trained", "build_bank",
           "default_training", "phrase_tokens", "shipped_network", "spread", "train_bank",
           "training_phrases"]

Key = tuple  # ("group", g, width, slot) or ("words", phrase, n-th filter of that phrase)
MAX_PHRASE_TOKENS = 20  # the widest filter built from words
CHANNELS = ("static", "fine-tuned")  # the names of the input channels, in their order


@dataclass(frozen=True, eq=False)
class Trained:
    """A trained network and the key of each of its filters."""

    network: TextCNN
    keys: tuple[Key, ...]
    by: str  # "shipped" (came with the app) or "you"
    step: TrainStep | None = None  # the user's last epoch, for "you"


@dataclass(frozen=True, eq=False)
class Bank:
    """The filters in use, their keys and names, and how they relate to the training."""

    network: TextCNN
    keys: tuple[Key, ...]
    names: tuple[str, ...]
    trained: Trained | None  # whose weights it starts from; None: nobody trained any
    new: int  # filters the trained network does not have (no weight in the last layer)
    left_out: int  # trained filters this bank does not use
    skipped: tuple[str, ...]  # why a phrase makes no filter

    @property
    def as_trained(self) -> bool:
        """Exactly the filters the network was trained with."""
        return self.trained is not None and self.new == 0 and self.left_out == 0


def phrase_tokens(vocabulary: Vocabulary, phrase: str) -> list[str]:
    """The tokens a filter built from ``phrase`` has a row for; ValueError saying why none."""
    tokens = [t.text for t in vocabulary.split(phrase)]
    if not tokens:
        raise ValueError("type the words the filter should detect, e.g. not good")
    if len(tokens) > MAX_PHRASE_TOKENS:
        raise ValueError(f"“{phrase[:40]}” is {len(tokens)} tokens long: a filter built from "
                         f"words spans at most {MAX_PHRASE_TOKENS}")
    unknown = [t for t in tokens if t not in vocabulary]
    if unknown:
        raise ValueError(f"“{unknown[0]}” is not in the vocabulary of {vocabulary.name}: "
                         "try a more common word")
    return tokens


def spread(one_channel: np.ndarray, channels: int) -> np.ndarray:
    """A (w, D) filter as a filter of ``channels`` channels (w, channels·D): an equal share
    of it in each, so over equal channels it answers as it did over one."""
    return np.concatenate([one_channel / channels] * channels, axis=1).astype(np.float32)


def _fresh(key: Key, dim: int) -> np.ndarray:
    """Small random numbers scaled to the fan-in, the same for the same key and size."""
    _, group, width, slot = key
    rng = np.random.default_rng([dim, group, width, slot])
    return rng.normal(0, 1 / np.sqrt(width * dim), (width, dim)).astype(np.float32)


def build_bank(groups: Sequence[tuple[int, int]], phrases: Sequence[str],
               vocabulary: Vocabulary, trained: Trained | None, channels: int = 1) -> Bank:
    """The bank the document describes, over ``channels`` channels (1: static vectors,
    2: static and fine-tuned), with ``trained``'s weights where its keys match.

    Raises ValueError when the description makes no filter at all.
    """
    dim = vocabulary.dim
    if channels not in (1, 2):
        raise ValueError(f"a sentence has one or two channels, not {channels}")
    if trained is not None and trained.network.dim != dim:
        raise ValueError(f"the trained filters are {trained.network.dim} numbers a row but the "
                         f"vectors of {vocabulary.name} have {dim}")
    if trained is not None and trained.network.channels != channels:
        raise ValueError(f"the trained filters have {trained.network.channels} channels, not "
                         f"{channels}")
    index = {} if trained is None else {k: i for i, k in enumerate(trained.keys)}
    net = trained.network if trained is not None else None
    keys: list[Key] = []
    names: list[str] = []
    filters: list[np.ndarray] = []
    skipped: list[str] = []
    for g, (width, count) in enumerate(groups):
        for slot in range(count):
            keys.append(("group", g, width, slot))
            names.append(f"F{len(names) + 1} · w{width}")
    words: dict[Key, list[str]] = {}
    for phrase in phrases:
        try:
            tokens = phrase_tokens(vocabulary, phrase)
        except ValueError as exc:
            skipped.append(str(exc))
            continue
        key = ("words", phrase, sum(1 for k in words if k[1] == phrase))
        words[key] = tokens
        keys.append(key)
        names.append(f"“{phrase.strip()}” · w{len(tokens)}")
    if not keys:
        raise ValueError("there are no filters: give a group a count, or add a filter built "
                         "from words" + (f" ({skipped[0]})" if skipped else ""))
    biases = np.zeros(len(keys), np.float32)
    rows = np.zeros((len(keys), len(LABELS)), np.float32)
    new = 0
    for k, key in enumerate(keys):
        i = index.get(key)
        if i is not None and net is not None:
            filters.append(net.filters[i].copy())
            biases[k], rows[k] = net.biases[i], net.weights[i]
            continue
        new += 1
        made = filter_from_words(vocabulary, words[key]) if key in words else _fresh(key, dim)
        filters.append(spread(made, channels))
    used = sum(1 for key in keys if key in index)
    out_bias = net.out_bias.copy() if net is not None else np.zeros(len(LABELS), np.float32)
    tuned = None
    if channels == 2:  # the fine-tuned copy starts as the static vectors
        tuned = (net.tuned if net is not None and net.tuned is not None
                 else vocabulary.vectors).copy()
    network = TextCNN(filters, biases, rows, out_bias, LABELS, trained=net is not None,
                      tuned=tuned)
    return Bank(network, tuple(keys), tuple(names), trained, new,
                len(index) - used, tuple(skipped))


@cache
def shipped_network() -> Trained | None:
    """The network trained for the shipped word vectors (None when its file is unreadable:
    the tab then works untrained)."""
    try:
        network = TextCNN.load(resource_path("text", "textcnn_glove50.npz"))
    except (ValueError, FileNotFoundError):
        return None
    if network.dim != glove_vectors().dim:
        return None
    order = sorted(set(network.widths))  # one group a width, in the order of the widths
    slots: dict[int, int] = {}
    keys = []
    for w in network.widths:
        slots[w] = slots.get(w, -1) + 1
        keys.append(("group", order.index(w), w, slots[w]))
    return Trained(network, tuple(keys), "shipped")


def default_training(vocabulary: Vocabulary, channels: int = 1) -> Trained | None:
    """What a bank starts from before the user trains: the shipped network for the shipped
    word vectors (with two channels, its filters spread over both and the fine-tuned copy
    equal to the static vectors); nothing (random filters, a zero last layer) for any other
    vocabulary."""
    if vocabulary is not glove_vectors():
        return None
    return shipped_network() if channels == 1 else _shipped_two_channels()


@cache
def _shipped_two_channels() -> Trained | None:
    shipped = shipped_network()
    if shipped is None:
        return None
    net = shipped.network
    network = TextCNN([spread(f, 2) for f in net.filters], net.biases, net.weights,
                      net.out_bias, net.labels, trained=True,
                      tuned=glove_vectors().vectors.copy())
    return Trained(network, shipped.keys, "shipped")


@cache
def training_phrases() -> tuple[list[Phrase], list[Phrase]]:
    """(training phrases, held-out phrases): the same for words and characters."""
    return default_sets()


def train_bank(groups: Sequence[tuple[int, int]], phrases: Sequence[str],
               vocabulary: Vocabulary, trained: Trained | None,
               epochs: int | None = None, channels: int = 1) -> Iterator[Trained]:
    """Train the bank the document describes (from ``trained``'s weights where they match);
    yield the network after each epoch, with the keys of its filters."""
    bank = build_bank(groups, phrases, vocabulary, trained, channels)
    examples, held_out = training_phrases()
    options = {} if epochs is None else {"epochs": epochs}
    for step in train(bank.network.copy(), vocabulary, examples, held_out,
                      seed=len(bank.keys), **options):
        yield Trained(step.model, bank.keys, "you", step)
