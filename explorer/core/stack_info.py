"""What each stage of a stack gives, before anything is computed: sizes, counts, fields.

The layer dock's table, the strip of stage maps and the hover all read these numbers, so
they agree with each other and with the engine (both take their geometry from
:mod:`explorer.core.shapes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from explorer.core.params import conv_macs, conv_params
from explorer.core.pipeline import LayerSpec
from explorer.core.shapes import LayerGeometry, RFInfo, output_size, receptive_field

Shape3 = tuple[int, int, int]


@dataclass(frozen=True)
class StageInfo:
    """One stage: its input and output sizes, parameters, work and receptive fields.

    ``conv_field`` is the receptive field of one feature-map unit in input-picture pixels,
    (rows, cols); ``pooled_field`` that of one pooled unit. ``error`` says why the stage
    does not fit its input (then the shapes after it are None).
    """

    index: int
    input_shape: Shape3
    feature_shape: Shape3 | None
    pooled_shape: Shape3 | None
    params: int
    macs: int
    conv_field: tuple[RFInfo, RFInfo] | None
    pooled_field: tuple[RFInfo, RFInfo] | None
    error: str = ""

    @property
    def output_shape(self) -> Shape3 | None:
        return self.pooled_shape if self.pooled_shape is not None else self.feature_shape

    @property
    def output_field(self) -> tuple[RFInfo, RFInfo] | None:
        return self.pooled_field if self.pooled_field is not None else self.conv_field


def _axis_padding(padding: object, axis: int) -> object:
    if isinstance(padding, (tuple, list)):
        return padding[axis]
    return padding


def _geometries(spec: LayerSpec, axis: int) -> list[LayerGeometry]:
    """The conv (and pool) of one stage along one axis, as the receptive-field recurrence
    sees them."""
    kernel = spec.kernel_shape[axis]
    conv = LayerGeometry(kernel, spec.stride[axis], spec.dilation[axis],
                         _axis_padding(spec.padding, axis))  # type: ignore[arg-type]
    if spec.pool_mode == "none":
        return [conv]
    return [conv, LayerGeometry(spec.pool_size, spec.pool_stride, 1, 0)]


def stage_infos(specs: Sequence[LayerSpec], input_shape: tuple[int, int], channels: int
                ) -> list[StageInfo]:
    """Every stage's numbers for a picture of ``input_shape`` (rows, cols) with ``channels``.

    Stages after one that does not fit are reported with the same error.
    """
    infos: list[StageInfo] = []
    h, w = input_shape
    c = channels
    rows: list[LayerGeometry] = []
    cols: list[LayerGeometry] = []
    error = ""
    for i, spec in enumerate(specs):
        kh, kw = spec.kernel_shape
        params = conv_params((kh, kw), spec.channels, spec.n_filters)
        if error:
            infos.append(StageInfo(i, (h, w, c), None, None, params, 0, None, None, error))
            continue
        try:
            fh = output_size(h, kh, spec.stride[0], _axis_padding(spec.padding, 0),
                             spec.dilation[0])  # type: ignore[arg-type]
            fw = output_size(w, kw, spec.stride[1], _axis_padding(spec.padding, 1),
                             spec.dilation[1])  # type: ignore[arg-type]
            feature = (fh, fw, spec.n_filters)
            pooled = None
            if spec.pool_mode != "none":
                if min(fh, fw) < spec.pool_size:
                    raise ValueError(f"the {spec.pool_size}×{spec.pool_size} pooling window "
                                     f"is larger than the {fh}×{fw} feature map")
                pooled = (output_size(fh, spec.pool_size, spec.pool_stride),
                          output_size(fw, spec.pool_size, spec.pool_stride), spec.n_filters)
            macs = conv_macs((h, w, c), (kh, kw), spec.n_filters, spec.stride, spec.padding,
                             spec.dilation)
            geo_r, geo_c = _geometries(spec, 0), _geometries(spec, 1)
            rf_rows = receptive_field([*rows, *geo_r], input_shape[0])
            rf_cols = receptive_field([*cols, *geo_c], input_shape[1])
        except ValueError as exc:
            error = f"layer {i + 1}: {exc}"
            infos.append(StageInfo(i, (h, w, c), None, None, params, 0, None, None, error))
            continue
        conv_field = (rf_rows[len(rows)], rf_cols[len(cols)])
        pooled_field = (rf_rows[-1], rf_cols[-1]) if pooled is not None else None
        rows += geo_r
        cols += geo_c
        infos.append(StageInfo(i, (h, w, c), feature, pooled, params, macs, conv_field,
                               pooled_field))
        h, w, c = pooled if pooled is not None else feature
    return infos


def field_extent(field: tuple[RFInfo, RFInfo], row: int, col: int
                 ) -> tuple[float, float, float, float]:
    """(r0, r1, c0, c1): the input pixels unit (row, col) sees, as half-open pixel edges.

    May reach past the picture (into the padding) or be fractional for even sizes.
    """
    fr, fc = field
    centre_r = fr.start + row * fr.jump
    centre_c = fc.start + col * fc.jump
    r0 = centre_r - (fr.size - 1) / 2
    c0 = centre_c - (fc.size - 1) / 2
    return (r0, r0 + fr.size, c0, c0 + fc.size)
