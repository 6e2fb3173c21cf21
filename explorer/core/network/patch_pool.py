"""The pictures the Network tab searches for a channel's top-9 patches, kept as it goes.

Every picture is scored once, when it arrives: one pass through the network gives every
layer's maps, and the pool keeps, per layer and channel, the strongest unit's value and
place (a few numbers a channel), with the 224×224 picture the network saw. The top-9 of any
channel of any layer is then a sort of numbers already there, so a live feed keeps it up to
date and choosing another channel costs no pass through the network.

The bundled sample pictures are always searched; live frames and stills of the current
source are added as the tab sees them. A new source starts again (the tab's contract: what
came from the old source goes), and at most ``max_frames`` of them are kept, the oldest that
is not in the top-9 on show going first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core.network.preprocess import GREY
from explorer.core.network.runtime import Prediction
from explorer.core.shapes import RFInfo
from explorer.core.top_patches import TopPatches, rank_patches

MAX_FRAMES = 200  # about 35 MB of pictures the network saw and their strongest units


@dataclass(frozen=True, eq=False)
class SeenPicture:
    """One picture as the network saw it, with every channel's strongest unit."""

    name: str
    picture: np.ndarray  # (224, 224, 3) uint8: what the network saw
    strongest: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # layer → values, rows, cols
    path: str | None = None  # the file of a bundled sample (to open it again)
    key: tuple = ()  # (source, sequence) of a picture of the tab's source; () for a sample


def seen_picture(prediction: Prediction, name: str, path: str | None = None,
                 key: tuple = ()) -> SeenPicture:
    """Score a picture: for every layer of ``prediction``, each channel's strongest unit."""
    strongest = {}
    for layer, maps in prediction.maps.items():
        h, w, c = maps.shape
        flat = maps.reshape(h * w, c)  # a view: no copy of every layer for every frame
        where = flat.argmax(axis=0)  # the first in reading order when units tie
        rows, cols = np.divmod(where, w)
        strongest[layer] = (flat[where, np.arange(c)].astype(np.float32), rows, cols)
    return SeenPicture(name, prediction.picture, strongest, path, key)


@dataclass(frozen=True, eq=False)
class PoolPatches:
    """The top patches of one channel over the pool, and the pictures they came from."""

    layer: str
    channel: int
    top: TopPatches
    pictures: tuple[SeenPicture, ...]  # best first, one per patch
    samples: int  # sample pictures searched
    frames: int  # pictures of the tab's source searched


class PatchPool:
    """See the module docstring. Used by one thread (the tab's worker)."""

    def __init__(self, max_frames: int = MAX_FRAMES) -> None:
        self.max_frames = max_frames
        self.samples: list[SeenPicture] = []
        self.frames: list[SeenPicture] = []
        self._source: object = None
        self._pinned: set[int] = set()  # id() of the pictures in the top-9 on show

    def set_samples(self, samples: Sequence[SeenPicture]) -> None:
        self.samples = list(samples)

    @property
    def source(self) -> object:
        """The source whose pictures are kept (None before the first)."""
        return self._source

    def follow(self, source: object) -> None:
        """The tab's pictures now come from ``source``: the old source's go."""
        if source != self._source:
            self._source = source
            self.frames = []
            self._pinned = set()

    def has(self, key: tuple) -> bool:
        return any(seen.key == key for seen in self.frames)

    def add(self, seen: SeenPicture) -> None:
        """Add a picture of the current source (a picture already there is not added)."""
        if seen.key and self.has(seen.key):
            return
        self.frames.append(seen)
        while len(self.frames) > self.max_frames:
            drop = next((i for i, f in enumerate(self.frames) if id(f) not in self._pinned), 0)
            del self.frames[drop]

    def pictures(self) -> list[SeenPicture]:
        """Everything searched: the samples first, then the source's pictures, oldest first."""
        return [*self.samples, *self.frames]

    def top(self, layer: str, channel: int, field: RFInfo, k: int = 9) -> PoolPatches:
        """The ``k`` pictures whose strongest unit of ``channel`` of ``layer`` is largest,
        best first, each with the patch in that unit's receptive ``field``. Raises ValueError
        when the pool is empty or a picture was scored without ``layer``."""
        pictures = [p for p in self.pictures() if layer in p.strongest]
        if not pictures:
            raise ValueError(f"no picture searched has the maps of {layer}")
        values = np.array([p.strongest[layer][0][channel] for p in pictures], np.float32)
        rows = np.array([p.strongest[layer][1][channel] for p in pictures], np.intp)
        cols = np.array([p.strongest[layer][2][channel] for p in pictures], np.intp)
        top = rank_patches(values, rows, cols, [p.picture for p in pictures], (field, field),
                           min(k, len(pictures)), fill=GREY)
        chosen = tuple(pictures[i] for i in top.indices)
        self._pinned = {id(p) for p in chosen}
        return PoolPatches(layer, channel, top, chosen, len(self.samples), len(self.frames))
