"""The pictures that excite a channel of the pretrained network most (its top-9 patches).

Each picture goes through the network once, as the Network tab shows it (the centre 224×224);
its score is the channel's strongest unit, and its patch is that unit's receptive field cut
from the 224×224 picture the network saw. Where the field reaches past the picture the patch
is grey (127): the value the network's zero padding stands for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explorer.core.network.errors import NetworkError
from explorer.core.network.preprocess import GREY
from explorer.core.network.runtime import Network
from explorer.core.top_patches import TopPatches, rank_patches, strongest_units


def top_patches(net: Network, pictures: Sequence[np.ndarray], layer: str, channel: int,
                k: int = 9) -> TopPatches:
    """The ``k`` pictures (RGB or gray uint8, any size: frames seen live, the bundled samples)
    whose strongest unit of ``channel`` of ``layer`` is largest, best first. Indices are
    positions in ``pictures``; units and patches refer to the 224×224 picture the network saw.
    Raises NetworkError for a layer or channel the network lacks, ValueError for a picture it
    cannot read or no pictures."""
    info = net.layer_info(layer)
    channels = info.shape[2]
    if (isinstance(channel, bool) or not isinstance(channel, int | np.integer)
            or not 0 <= channel < channels):
        raise NetworkError(f"{layer} has channels 0 to {channels - 1}, not {channel!r}")
    if len(pictures) == 0:
        raise ValueError("there are no pictures to search")
    seen, planes = [], []
    for picture in pictures:
        prediction = net.run(picture, [layer])
        seen.append(prediction.picture)
        planes.append(prediction.maps[layer][:, :, channel])
    values, rows, cols = strongest_units(np.stack(planes))
    return rank_patches(values, rows, cols, seen, (info.rf, info.rf), k, fill=GREY)
