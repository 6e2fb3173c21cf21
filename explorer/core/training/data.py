"""The handwritten digits the network learns from: MNIST-5k, split into training and test sets.

5,000 digits of MNIST, 500 of each class, 28×28 pixels, white ink (255) on black (0), shipped
as ``resources/datasets/mnist_5k.npz`` (see ``resources/README.md`` for its source and licence).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from explorer.resources import resource_path

DATASET_FILE = ("datasets", "mnist_5k.npz")
SIDE = 28
CLASSES = 10
TRAIN_SIZE = 4000
TEST_SIZE = 1000
SPLIT_SEED = 2024  # the split never changes, so every run is tested on the same 1,000 digits


@dataclass(frozen=True, eq=False)
class Digits:
    """Digit pictures and their labels: ``images`` (N, 28, 28) uint8, ``labels`` (N,) int64."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, index: np.ndarray | slice) -> Digits:
        return Digits(self.images[index], self.labels[index])


@cache
def _load_all() -> Digits:
    with np.load(resource_path(*DATASET_FILE), allow_pickle=False) as data:
        images = np.ascontiguousarray(data["images"], dtype=np.uint8)
        labels = data["labels"].astype(np.int64)
    images.flags.writeable = False  # cached and shared: nobody may draw on the originals
    labels.flags.writeable = False
    return Digits(images, labels)


def stratified_split(labels: np.ndarray, test_per_class: int,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test): ``test_per_class`` of every class go to the test set.

    Each class is shuffled on its own, so the test set holds every digit equally often;
    both index lists come back shuffled across classes.
    """
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        if len(members) <= test_per_class:
            raise ValueError(f"class {c} has {len(members)} examples, too few to keep "
                             f"{test_per_class} for testing")
        test.append(members[:test_per_class])
        train.append(members[test_per_class:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def every_digit() -> Digits:
    """All 5,000 digits in the file's order (the pictures a unit's top patches are found in)."""
    return _load_all()


def load_digits() -> tuple[Digits, Digits]:
    """The 4,000 training digits and the 1,000 test digits (100 of each class)."""
    every = _load_all()
    train, test = stratified_split(every.labels, TEST_SIZE // CLASSES, SPLIT_SEED)
    return every.subset(train), every.subset(test)
