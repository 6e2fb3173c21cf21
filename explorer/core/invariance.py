"""Translation: how each layer's output changes when the picture moves sideways.

A window slides over the picture: at shift ``s`` the layer stack sees the same crop moved
``s`` pixels right, with real picture content entering at the left edge. Each crop is
computed on its own, so near the crop's border every layer's padding (zeros, a reflection)
stands in for content that is not there and differs from shift to shift. Only the units the
padding cannot reach are compared: those whose receptive field lies wholly inside the crop
(the ``margins`` say how many were left out at each edge).

For every representation (the pixels, each stage's feature maps and pooled maps) the study
measures how similar the output at shift ``s`` stays to the output at shift 0: the Pearson
correlation of each channel with itself, averaged over the channels, so that every feature
has the same say (a bright, smooth colour channel would otherwise outweigh the fine edge
channels):

- **in place**: unit against the same unit. A convolution's maps move *with* the picture, so
  in place they change fast; pooling and depth make outputs change less (local invariance).
- **moved back**: the shifted output moved back by ``s`` pixels (``s / jump`` units) before
  comparing. A convolution is equivariant: moved back, its maps match exactly (1.0), and so
  do pooled maps when the shift is a multiple of their jump; other shifts cannot be moved back.

A dense layer (random weights, for comparison) has no positions: there is nothing to move
back, so it can only be compared in place, where it changes as the pixels as a whole do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.levels import colorize
from explorer.core.pipeline import LayerSpec, prepare_input, run_stack
from explorer.core.shapes import RFInfo
from explorer.core.stack_info import stage_infos

DENSE_UNITS = 64
PIXELS = "input pixels"
DENSE = "dense (random weights)"


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


def feature_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The mean over channels of :func:`similarity` of each channel of two (H, W, C) stacks of
    maps; channels flat in both (a unit that never fires) are left out (0 if all are)."""
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(f"cannot compare maps of shapes {a.shape} and {b.shape}")
    x = np.asarray(a, np.float64).reshape(-1, a.shape[2])  # one column a channel
    y = np.asarray(b, np.float64).reshape(-1, b.shape[2])
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    xx, yy = (x * x).sum(axis=0), (y * y).sum(axis=0)
    norms = np.sqrt(xx * yy)
    alive = (xx > 0) | (yy > 0)
    if not alive.any():
        return 0.0
    values = np.divide((x * y).sum(axis=0), norms, out=np.zeros_like(norms), where=norms > 0)
    return float(values[alive].mean())


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


def inside(field: RFInfo, units: int, pixels: int) -> tuple[int, int]:
    """The units ``[first, stop)`` of an axis whose receptive field lies wholly inside an
    input of ``pixels``: the padding cannot reach them."""
    reach = (field.size - 1) / 2
    first = max(0, math.ceil((reach - field.start) / field.jump - 1e-9))
    last = min(units - 1, math.floor((pixels - 1 - reach - field.start) / field.jump + 1e-9))
    return first, max(first, last + 1)


@dataclass(frozen=True)
class Representation:
    """One output the study follows, and which of its units it compares."""

    name: str
    jump: int  # input pixels between neighbouring units along the rows
    rows: tuple[int, int]  # [first, stop) of the units the padding cannot reach
    cols: tuple[int, int]


@dataclass(frozen=True, eq=False)
class TranslationStudy:
    """Similarity to the unshifted output, per representation and shift, and sample maps."""

    shifts: np.ndarray  # (S,) pixels
    names: list[str]  # the representations, in order
    curves: dict[str, np.ndarray]  # name → (S,) in place: unit against the same unit
    moved_back_curves: dict[str, np.ndarray]  # name → (S,) moved back; NaN: cannot be
    shown_shift: int
    before: dict[str, np.ndarray]  # name → one plane at shift 0 (the chosen filter), the
    after: dict[str, np.ndarray]  # part compared; ``after``: the same at ``shown_shift``
    margins: dict[str, int]  # name → input pixels left out at each side (padding's reach)
    random: tuple[bool, ...] = ()  # per stage: its kernels are random (never learned)

    @property
    def moved_back(self) -> np.ndarray:
        """Layer 1's feature maps compared after moving them back (equivariance)."""
        return self.moved_back_curves["layer 1 conv"]


def _representations(layers: Sequence[LayerSpec], size: int, channels: int
                     ) -> list[Representation]:
    reps = [Representation(PIXELS, 1, (0, size), (0, size))]
    for info in stage_infos(layers, (size, size), channels):
        if info.error:
            raise ValueError(f"the stack does not fit a {size}×{size} crop: {info.error}")
        for kind, shape, field in (("conv", info.feature_shape, info.conv_field),
                                   ("pool", info.pooled_shape, info.pooled_field)):
            if shape is None or field is None:
                continue
            rows = inside(field[0], shape[0], size)
            cols = inside(field[1], shape[1], size)
            if rows[0] >= rows[1] or cols[0] >= cols[1]:
                raise ValueError(f"layer {info.index + 1}'s receptive field is wider than "
                                 f"the {size}×{size} crop: every unit touches the padding")
            reps.append(Representation(f"layer {info.index + 1} {kind}", field[1].jump,
                                       rows, cols))
    return reps


def _outputs(crop: np.ndarray, layers: Sequence[LayerSpec], reps: list[Representation],
             dense: np.ndarray) -> dict[str, np.ndarray]:
    """Every representation of one crop, whole."""
    x = prepare_input(crop, layers[0].channels).astype(np.float32)
    out = {PIXELS: x}
    for stage in run_stack(crop, layers):
        out[f"layer {stage.index + 1} conv"] = stage.feature_maps
        if stage.pooled is not None:
            out[f"layer {stage.index + 1} pool"] = stage.pooled
    # the dense layer sees the picture centred (as networks normalise their input): otherwise
    # its units answer mostly to the mean brightness, which no shift changes
    out[DENSE] = np.maximum(dense @ (x - x.mean(axis=(0, 1))).ravel(), 0.0)
    return out


def _cut(values: np.ndarray, rep: Representation, offset: int = 0) -> np.ndarray:
    (r0, r1), (c0, c1) = rep.rows, rep.cols
    return values[r0:r1, c0 + offset:c1 + offset]


def translation_study(picture: np.ndarray, layers: Sequence[LayerSpec], *,
                      max_shift: int = 16, shown_shift: int = 4, size: int = 128,
                      filter_index: int = 0, seed: int = 0,
                      random: Sequence[bool] = ()) -> TranslationStudy:
    """How each representation of a ``size``×``size`` crop changes over shifts 0…max_shift.

    ``picture`` is what the first layer sees (processing size, gray or colour); ``random``
    says which stages' kernels are random (for the caption). Raises ValueError when a stage
    does not fit the crop (a stack too deep for ``size``).
    """
    if not layers:
        raise ValueError("the stack has no layers")
    if max_shift < 1 or not 0 <= shown_shift <= max_shift:
        raise ValueError(f"the shift must lie between 0 and {max_shift}")
    channels = layers[0].channels
    reps = _representations(layers, size, channels)
    rng = np.random.default_rng(seed)
    # a fixed random dense layer: He-scaled weights, one row per hidden unit
    inputs = size * size * channels
    dense = rng.normal(0.0, np.sqrt(2.0 / inputs), (DENSE_UNITS, inputs)).astype(np.float32)
    shifts = np.arange(max_shift + 1)
    names = [rep.name for rep in reps] + [DENSE]
    curves = {name: np.zeros(len(shifts)) for name in names}
    moved_back = {rep.name: np.full(len(shifts), np.nan) for rep in reps}
    base = _outputs(moving_crop(picture, size, 0, max_shift), layers, reps, dense)
    before = _planes(base, reps, filter_index)
    after = before
    for s in shifts:
        now = base if s == 0 else _outputs(moving_crop(picture, size, int(s), max_shift),
                                           layers, reps, dense)
        for rep in reps:
            a, b = _cut(base[rep.name], rep), _cut(now[rep.name], rep)
            curves[rep.name][s] = feature_similarity(a, b)
            if s % rep.jump == 0:  # the content moved by whole units: move it back
                step = s // rep.jump
                width = a.shape[1] - step
                if width > 0:
                    moved_back[rep.name][s] = feature_similarity(a[:, :width], b[:, step:])
        curves[DENSE][s] = similarity(base[DENSE], now[DENSE])
        if s == shown_shift:
            after = _planes(now, reps, filter_index)
    margins = {rep.name: rep.cols[0] * rep.jump for rep in reps}
    return TranslationStudy(shifts, names, curves, moved_back, shown_shift, before, after,
                            margins, tuple(bool(r) for r in random))


def _planes(outputs: dict[str, np.ndarray], reps: list[Representation], k: int
            ) -> dict[str, np.ndarray]:
    """One plane of each representation: the part that was compared (the padding's border
    would otherwise set the colours)."""
    planes = {PIXELS: outputs[PIXELS].mean(axis=2)}
    for rep in reps[1:]:
        maps = _cut(outputs[rep.name], rep)
        planes[rep.name] = np.ascontiguousarray(maps[:, :, min(k, maps.shape[2] - 1)])
    return planes


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
        if name == PIXELS:
            levels, lut = (0.0, 255.0), GRAY_LUT
        else:
            signed = bool(before.min() < 0 or after.min() < 0)
            high = float(max(np.abs(before).max(), np.abs(after).max(), 1e-6))
            levels = (-high, high) if signed else (0.0, high)
            lut = signed_lut if signed else sequential_lut
        out[name] = (colorize(before, levels, lut), colorize(after, levels, lut))
    return out
