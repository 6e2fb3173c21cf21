"""The pretrained network's top patches over the bundled samples, against a search written here.

The reference scans each picture's map for its largest unit, sorts the pictures, and finds the
unit's patch by walking its window back through every convolution with TensorFlow's SAME
padding, then cuts it from the 224×224 picture the network saw, grey outside it.
"""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.images import load_image
from explorer.core.network.errors import NetworkError
from explorer.core.network.unit_patches import top_patches
from explorer.resources import resource_path
from tests.network_support import needs_pretrained, shared_network

pytestmark = needs_pretrained

SAMPLES = ("astronaut.png", "brick.png", "chelsea.png", "coffee.png", "rocket.jpg", "text.png")
# (kernel, stride) of every convolution up to block 3: stem, block 1, block 2, block 3
CONVS = {"stem": [(3, 2)], "block 1": [(3, 1), (1, 1)],
         "block 2": [(1, 1), (3, 2), (1, 1)], "block 3": [(1, 1), (3, 1), (1, 1)]}


def pictures() -> list[np.ndarray]:
    found = [load_image(resource_path("samples", name)) for name in SAMPLES]
    yy, xx = np.mgrid[0:240, 0:320]
    stripes = (127 + 120 * np.sin(xx / 3.0 + yy / 5.0)).astype(np.uint8)
    return [*found, np.dstack([stripes] * 3), np.full((300, 300, 3), 127, np.uint8)]


def window(layer: str, row: int, col: int) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) input pixels of a unit, walked back conv by conv."""
    convs = [conv for name in CONVS for conv in CONVS[name]][
        :sum(len(CONVS[n]) for n in list(CONVS)[:list(CONVS).index(layer) + 1])]
    sizes = [224]
    for _, s in convs:
        sizes.append(-(-sizes[-1] // s))
    top, bottom, left, right = row, row, col, col
    for (k, s), n in zip(reversed(convs), reversed(sizes[:-1]), strict=True):
        before = max((-(-n // s) - 1) * s + k - n, 0) // 2
        top, bottom = top * s - before, bottom * s - before + k - 1
        left, right = left * s - before, right * s - before + k - 1
    return top, left, bottom, right


@pytest.mark.parametrize(("layer", "channel"), [("block 1", 4), ("block 3", 17)])
def test_top_patches_are_the_best_pictures_of_a_search(layer, channel):
    net = shared_network()
    found = top_patches(net, pictures(), layer, channel, k=5)
    scored = []
    for index, picture in enumerate(pictures()):
        prediction = net.run(picture, [layer])
        plane = prediction.maps[layer][:, :, channel]
        best = (-np.inf, 0, 0)
        for r in range(plane.shape[0]):
            for c in range(plane.shape[1]):
                if plane[r, c] > best[0]:
                    best = (plane[r, c], r, c)
        scored.append((-best[0], index, best[1], best[2], prediction.picture))
    scored.sort(key=lambda t: t[:2])
    assert found.indices.tolist() == [s[1] for s in scored[:5]]
    assert found.units.tolist() == [[s[2], s[3]] for s in scored[:5]]
    np.testing.assert_allclose(found.values, [-s[0] for s in scored[:5]])
    for patch, (_, _, r, c, seen) in zip(found.patches, scored[:5], strict=True):
        top, left, bottom, right = window(layer, r, c)
        want = np.full((bottom - top + 1, right - left + 1, 3), 127, np.uint8)
        for y in range(top, bottom + 1):
            for x in range(left, right + 1):
                if 0 <= y < 224 and 0 <= x < 224:
                    want[y - top, x - left] = seen[y, x]
        np.testing.assert_array_equal(patch, want)
    assert found.indices[0] != 7  # a flat grey picture is not what excites a unit most


def test_a_channel_the_layer_lacks_or_no_pictures_say_so():
    net = shared_network()
    with pytest.raises(NetworkError, match="channels 0 to 15"):
        top_patches(net, pictures()[:1], "block 1", 16)
    with pytest.raises(ValueError, match="no pictures"):
        top_patches(net, [], "block 1", 0)
