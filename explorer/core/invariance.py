"""Translation: how each layer's output changes when the picture moves sideways.

A window slides over the picture: at shift ``s`` the layer stack sees the same crop moved
``s`` pixels, with real picture content entering at the edge (no padding tricks). For every
representation (the pixels, each stage's feature maps and pooled maps, and a dense layer of
random weights for comparison) the study measures how similar the output at shift ``s`` stays
to the output at shift 0: the Pearson correlation of the two, compared where they are, not
moved back. Convolution maps move *with* the picture (equivariance: moved back, they match),
so compared in place they decorrelate fast; pooling and depth make outputs change less
(local invariance); the dense layer has no notion of "where" at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.levels import colorize
from explorer.core.pipeline import LayerSpec, prepare_input, run_stack

DENSE_UNITS = 64


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two equally shaped arrays, flattened (0 if either is flat)."""
    x = np.asarray(a, np.float64).ravel()
    y = np.asarray(b, np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"cannot compare outputs of {x.size} and {y.size} values")
    x = x - x.mean()
    y = y - y.mean()
    norm = float(np.sqrt((x @ x) * (y @ y)))
    return float(x @ y / norm) if norm > 0 else 0.0


def moving_crop(picture: np.ndarray, size: int, shift: int, max_shift: int) -> np.ndarray:
    """The central ``size``-wide crop seen ``shift`` pixels further left: its content moves
    ``shift`` pixels right. Pictures too small are padded by repeating their edge first."""
    h, w = picture.shape[:2]
    need_w, need_h = size + 2 * max_shift, size
    if w < need_w or h < need_h:
        pad_x, pad_y = max(0, need_w - w), max(0, need_h - h)
        picture = cv2.copyMakeBorder(picture, pad_y // 2, pad_y - pad_y // 2, pad_x // 2,
                                     pad_x - pad_x // 2, cv2.BORDER_REPLICATE)
        h, w = picture.shape[:2]
    y0 = (h - size) // 2
    x0 = (w - size) // 2 - shift
    return picture[y0:y0 + size, x0:x0 + size]


@dataclass(frozen=True, eq=False)
class TranslationStudy:
    """Similarity to the unshifted output, per representation and shift, and sample maps."""

    shifts: np.ndarray  # (S,) pixels
    names: list[str]  # the representations, in order
    curves: dict[str, np.ndarray]  # name → (S,) correlation with the shift-0 output
    moved_back: np.ndarray  # (S,) layer 1's feature maps compared after moving them back
    shown_shift: int
    before: dict[str, np.ndarray]  # name → one plane at shift 0 (the chosen filter)
    after: dict[str, np.ndarray]  # name → the same plane at ``shown_shift``


def _representations(crop: np.ndarray, layers: Sequence[LayerSpec], dense: np.ndarray,
                     filter_index: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every representation of one crop (whole) and one plane of each (for the view)."""
    x = prepare_input(crop, layers[0].channels).astype(np.float32)
    whole = {"input pixels": x}
    planes = {"input pixels": x.mean(axis=2)}
    for stage in run_stack(crop, layers):
        k = min(filter_index, stage.feature_maps.shape[2] - 1)
        name = f"layer {stage.index + 1} conv"
        whole[name] = stage.feature_maps
        planes[name] = stage.feature_maps[:, :, k]
        if stage.pooled is not None:
            name = f"layer {stage.index + 1} pool"
            whole[name] = stage.pooled
            planes[name] = stage.pooled[:, :, k]
    # the dense layer sees the picture centred (as networks normalise their input): otherwise
    # its units answer mostly to the mean brightness, which no shift changes
    hidden = np.maximum(dense @ (x - x.mean(axis=(0, 1))).ravel(), 0.0)
    whole["dense (random weights)"] = hidden
    return whole, planes


def translation_study(picture: np.ndarray, layers: Sequence[LayerSpec], *,
                      max_shift: int = 16, shown_shift: int = 4, size: int = 128,
                      filter_index: int = 0, seed: int = 0) -> TranslationStudy:
    """How each representation of a ``size``×``size`` crop changes over shifts 0…max_shift.

    ``picture`` is what the first layer sees (processing size, gray or colour). Raises
    ValueError when a stage does not fit the crop (a stack too deep for ``size``).
    """
    if not layers:
        raise ValueError("the stack has no layers")
    if max_shift < 1 or not 0 <= shown_shift <= max_shift:
        raise ValueError(f"the shift must lie between 0 and {max_shift}")
    channels = layers[0].channels
    rng = np.random.default_rng(seed)
    # a fixed random dense layer: He-scaled weights, one row per hidden unit
    inputs = size * size * channels
    dense = rng.normal(0.0, np.sqrt(2.0 / inputs), (DENSE_UNITS, inputs)).astype(np.float32)
    shifts = np.arange(max_shift + 1)
    base_whole, base_planes = _representations(
        moving_crop(picture, size, 0, max_shift), layers, dense, filter_index)
    names = list(base_whole)
    curves = {name: np.zeros(len(shifts)) for name in names}
    moved_back = np.zeros(len(shifts))
    after = base_planes
    first = "layer 1 conv"
    for s in shifts:
        whole, planes = _representations(moving_crop(picture, size, int(s), max_shift), layers,
                                         dense, filter_index)
        for name in names:
            curves[name][s] = similarity(base_whole[name], whole[name])
        a, b = base_whole[first], whole[first]
        stride = layers[0].stride[1]
        if s % stride == 0:
            step = s // stride  # the maps moved right by this many columns: move them back
            width = a.shape[1] - step
            moved_back[s] = similarity(a[:, :width], b[:, step:step + width]) if width > 0 \
                else 0.0
        else:
            moved_back[s] = np.nan  # a shift the stride cannot follow
        if s == shown_shift:
            after = planes
    return TranslationStudy(shifts, names, curves, moved_back, shown_shift, base_planes, after)


GRAY_LUT = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


def coloured_planes(study: TranslationStudy, signed_lut: np.ndarray,
                    sequential_lut: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each representation's shown plane at shift 0 and at the chosen shift, as RGB uint8 on
    one colour scale per pair (so the two compare): the pixels in grey over 0–255, signed
    maps on the diverging table symmetric about 0, the rest from 0 up."""
    out = {}
    for name in study.names:
        if name not in study.before:
            continue  # the dense layer has no picture
        before, after = study.before[name], study.after[name]
        if name == "input pixels":
            levels, lut = (0.0, 255.0), GRAY_LUT
        else:
            signed = bool(before.min() < 0 or after.min() < 0)
            high = float(max(np.abs(before).max(), np.abs(after).max(), 1e-6))
            levels = (-high, high) if signed else (0.0, high)
            lut = signed_lut if signed else sequential_lut
        out[name] = (colorize(before, levels, lut), colorize(after, levels, lut))
    return out
