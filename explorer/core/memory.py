"""Will a stack fit in memory? An estimate before computing, and a size that would fit.

"Full size" on a 100-megapixel photo with 16 filters needs tens of gigabytes; left alone, the
system would kill the app. The pipeline asks first: the estimate counts the float32 arrays one
stage keeps alive at once (its input as float planes, the pre-activation and the feature maps,
the pooled maps, padding copies) and every stage's maps kept for the views, and compares it
with a share of the memory the machine has free.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from explorer.core.pipeline import LayerSpec
from explorer.core.stack_info import stage_infos

FLOAT = 4  # bytes of a float32
SHARE_OF_FREE = 0.5  # never plan to use more than this share of the free memory


def available_bytes() -> int | None:
    """Memory the system can give now (Linux: MemAvailable), None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def stack_bytes(shape: tuple[int, int], channels: int, layers: Sequence[LayerSpec]) -> int:
    """Bytes a stack's maps take on a picture of ``shape`` (rows, cols): what every stage
    keeps (pre-activation, feature maps, pooled maps) plus the largest stage's temporaries
    (its input as float planes and a padded copy)."""
    kept = 0
    peak_temp = 0
    for info in stage_infos(layers, shape, channels):
        h, w, c = info.input_shape
        temporaries = 2 * h * w * c * FLOAT  # float planes of the input, a padded copy
        if info.feature_shape is not None:
            fh, fw, k = info.feature_shape
            kept += 2 * fh * fw * k * FLOAT  # pre-activation and feature maps
        if info.pooled_shape is not None:
            ph, pw, k = info.pooled_shape
            kept += ph * pw * k * FLOAT
        peak_temp = max(peak_temp, temporaries)
    return kept + peak_temp


def check_fits(shape: tuple[int, int], channels: int, layers: Sequence[LayerSpec],
               available: int | None = None) -> None:
    """Raise ValueError (saying which processing size would fit) when the stack would need
    more than half of the free memory."""
    free = available_bytes() if available is None else available
    if free is None:
        return
    need = stack_bytes(shape, channels, layers)
    limit = free * SHARE_OF_FREE
    if need <= limit:
        return
    side = max(shape)
    fitting = max(16, int(side * math.sqrt(limit / need) * 0.95))
    raise ValueError(
        f"this stack on a {shape[0]}×{shape[1]} picture needs about {_gb(need)} of memory, "
        f"more than half of the {_gb(free)} free; a processing size of {fitting} px (Size in "
        "the Layers dock) fits")


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"
