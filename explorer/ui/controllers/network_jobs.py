"""The Network tab's work, done on its worker thread: the network lives there and nowhere else.

One :class:`TabJob` is one request of the tab's worker, and carries every part the tab still
waits for: the picture's view (the forward pass, the top-5, the layer's maps), the picture's
place among those searched for top patches, the top-9 patches of the chosen channel, and the
learned-filter figure. The worker keeps one waiting request, the newest, so a job never
leaves behind a part an older job was asked for: the controller puts every part still owed
into the newest job.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.core import images
from explorer.core.network import LayerInfo, Network
from explorer.core.network.architecture import classifier_parameters
from explorer.core.network.filter_figure import FilterFigure, filter_figure
from explorer.core.network.mosaic import heat_overlay
from explorer.core.network.occlusion import OcclusionStep, occlusion
from explorer.core.network.patch_pool import PatchPool, PoolPatches, seen_picture
from explorer.core.network.preprocess import centre_crop
from explorer.core.network.stem import stem_stack
from explorer.core.network.view import ViewRequest, ViewResult, compute_view
from explorer.core.pipeline import NamedStack
from explorer.resources import sample_images

PATCHES = 9  # the top-9, as the Deep Visualization Toolbox shows a unit's


@dataclass(frozen=True, eq=False)
class NetworkFacts:
    """What the view needs of the loaded network; plain data, safe on any thread."""

    layers: tuple[LayerInfo, ...]
    stem_kernels: np.ndarray  # (32, 3, 3, 3): the first layer's learned kernels, RGB
    stem_stack: NamedStack  # those kernels as the explorer's layer
    parameters: int  # learned numbers in all
    classifier: int  # of them in the final fully connected layer
    macs: int  # multiply-accumulates for one picture
    notes: tuple[str, ...]  # what happened while loading

    def layer(self, name: str) -> LayerInfo:
        return next(info for info in self.layers if info.name == name)


@dataclass(frozen=True, eq=False)
class OcclusionView:
    """One step of occlusion, made ready for the view on the worker."""

    step: OcclusionStep
    overlay: np.ndarray  # (224, 224, 3) uint8: the heat map so far over the picture
    label: str  # the class whose probability is watched


@dataclass(frozen=True)
class Seen:
    """Which picture a view is of, to add it to the pictures searched for top patches."""

    source: int
    sequence: int
    name: str
    path: str | None  # a still's file (a bundled sample is searched already)


@dataclass(frozen=True)
class PatchAsk:
    """The top patches of ``channel`` of ``layer`` over the samples and ``source``'s pictures."""

    layer: str
    channel: int
    source: int | None


@dataclass(frozen=True, eq=False)
class TabJob:
    """The parts one request computes (None: not this time)."""

    view: ViewRequest | None = None
    seen: Seen | None = None  # with ``view``: add its picture to those searched
    patches: PatchAsk | None = None
    figure: str | None = None  # the early layer whose learned-filter figure is wanted


@dataclass(frozen=True, eq=False)
class TabResult:
    """What one job made; the parts it was not asked for are None."""

    view: ViewResult | None = None
    patches: PoolPatches | None = None
    figure: FilterFigure | None = None


class NetworkOnWorker:
    """The pretrained network, used only by jobs on the tab's worker thread."""

    def __init__(self, loader: Callable[[], Network]) -> None:
        self._loader = loader
        self._net: Network | None = None
        self.pool = PatchPool()
        self._samples_scored = False
        self._sample_paths = {str(path.resolve()) for path in sample_images()}
        self._figures: dict[str, FilterFigure] = {}

    def load(self, _token: object = None) -> NetworkFacts:
        net = self._net = self._loader()
        layers = tuple(net.layers)
        classifier = classifier_parameters()
        return NetworkFacts(
            layers, net.conv_weights("stem"), stem_stack(*net.folded_conv("stem")),
            sum(info.parameters for info in layers) + classifier, classifier,
            sum(info.macs for info in layers), tuple(net.notes))

    def view(self, request: ViewRequest) -> ViewResult:
        return compute_view(self._network(), request)

    def run(self, job: TabJob) -> TabResult:
        """Every part of ``job``, in one pass of the picture through the network."""
        net = self._network()
        view = None
        if job.view is not None:
            seen = job.seen if job.seen is not None and self._keeps(job.seen) else None
            # a picture to search is scored on every layer: all come from the same pass
            layers = net.layer_names if seen is not None else [job.view.layer]
            start = time.perf_counter()
            prediction = net.run(job.view.image, layers)
            view = compute_view(net, job.view, prediction,
                                (time.perf_counter() - start) * 1e3)
            if seen is not None:
                self.pool.follow(seen.source)
                self.pool.add(seen_picture(prediction, seen.name, seen.path,
                                           (seen.source, seen.sequence)))
        patches = None
        if job.patches is not None:
            ask = job.patches
            self._score_samples()
            self.pool.follow(ask.source)
            patches = self.pool.top(ask.layer, ask.channel, net.layer_info(ask.layer).rf,
                                    PATCHES)
        figure = self.figure(job.figure) if job.figure is not None else None
        return TabResult(view, patches, figure)

    def figure(self, layer: str) -> FilterFigure:
        """The learned-filter figure of ``layer`` (kept: the weights do not change)."""
        if layer not in self._figures:
            self._figures[layer] = filter_figure(self._network(), layer)
        return self._figures[layer]

    def _keeps(self, seen: Seen) -> bool:
        """Whether ``seen`` is a picture to add: a sample is searched already, and a still
        seen again (another layer, another colour scale) is there already."""
        if seen.path is not None and str(Path(seen.path).resolve()) in self._sample_paths:
            return False
        return not (seen.source == self.pool.source
                    and self.pool.has((seen.source, seen.sequence)))

    def _score_samples(self) -> None:
        if self._samples_scored:
            return
        net = self._network()
        samples = []
        for path in sample_images():
            try:
                image = images.load_image(path)
            except ValueError:  # a damaged sample is not searched; the others are
                continue
            samples.append(seen_picture(net.run(image, net.layer_names), path.name, str(path)))
        self.pool.set_samples(samples)
        self._samples_scored = True

    def occlusion(self, image: np.ndarray, square: int, step: int, lut: np.ndarray
                  ) -> Iterator[OcclusionView]:
        """Occlusion of the centre of ``image`` (what the network sees), row by row."""
        net = self._network()
        picture, _ = centre_crop(image)
        for progress in occlusion(net.probabilities, picture, square, step):
            limit = float(np.abs(progress.heat).max())
            yield OcclusionView(progress, heat_overlay(picture, progress.heat, limit, lut),
                                net.classes.label(progress.target))

    def _network(self) -> Network:
        if self._net is None:
            raise ValueError("the network is not loaded")
        return self._net


__all__ = ["PATCHES", "NetworkFacts", "NetworkOnWorker", "OcclusionView", "PatchAsk", "Seen",
           "TabJob", "TabResult"]
