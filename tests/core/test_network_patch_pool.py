"""The pictures searched for top patches: scored once as they arrive, ranked like a search
written here (every picture's map scanned in plain loops), and kept per source."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.images import load_image
from explorer.core.network.patch_pool import PatchPool, seen_picture
from explorer.resources import resource_path
from tests.network_support import needs_pretrained, shared_network

pytestmark = needs_pretrained

SAMPLES = ("astronaut.png", "brick.png", "chelsea.png", "coffee.png")


def sample(name: str) -> np.ndarray:
    return load_image(resource_path("samples", name))


def frames() -> list[np.ndarray]:
    yy, xx = np.mgrid[0:240, 0:320]
    stripes = (127 + 120 * np.sin(xx / 3.0 + yy / 5.0)).astype(np.uint8)
    checks = (((yy // 6 + xx // 6) % 2) * 255).astype(np.uint8)
    return [np.dstack([stripes] * 3), np.dstack([checks, 255 - checks, checks]),
            sample("coffee.png")[::-1]]


def brute_force(pictures: list[np.ndarray], layer: str, channel: int, k: int):
    """(index, value, row, col) of the k best pictures, best first (ties: the earlier)."""
    net = shared_network()
    scored = []
    for index, picture in enumerate(pictures):
        plane = net.activations(picture, layer)[:, :, channel]
        best = (-np.inf, 0, 0)
        for r in range(plane.shape[0]):
            for c in range(plane.shape[1]):
                if plane[r, c] > best[0]:
                    best = (float(plane[r, c]), r, c)
        scored.append((-best[0], index, best[1], best[2]))
    scored.sort(key=lambda t: t[:2])
    return [(i, -v, r, c) for v, i, r, c in scored[:k]]


def pool_of(source: int = 1) -> PatchPool:
    net = shared_network()
    pool = PatchPool()
    pool.set_samples([seen_picture(net.run(sample(n), net.layer_names), n) for n in SAMPLES])
    pool.follow(source)
    for i, frame in enumerate(frames()):
        pool.add(seen_picture(net.run(frame, net.layer_names), f"frame {i}", key=(source, i)))
    return pool


@pytest.mark.parametrize(("layer", "channel"), [("stem", 7), ("block 4", 30), ("head", 900)])
def test_the_top_patches_of_samples_and_frames_are_those_of_a_search(layer, channel):
    pool = pool_of()
    net = shared_network()
    found = pool.top(layer, channel, net.layer_info(layer).rf, k=5)
    want = brute_force([sample(n) for n in SAMPLES] + frames(), layer, channel, 5)
    assert found.top.indices.tolist() == [w[0] for w in want]
    np.testing.assert_allclose(found.top.values, [w[1] for w in want], rtol=1e-6)
    assert found.top.units.tolist() == [[w[2], w[3]] for w in want]
    names = [*SAMPLES, "frame 0", "frame 1", "frame 2"]
    assert [p.name for p in found.pictures] == [names[w[0]] for w in want]
    assert (found.samples, found.frames) == (4, 3)


def test_a_new_source_leaves_only_the_samples_and_a_picture_is_added_once():
    pool = pool_of(source=1)
    net = shared_network()
    again = seen_picture(net.run(frames()[0], net.layer_names), "frame 0", key=(1, 0))
    pool.add(again)  # the same picture looked at again (another layer): not added twice
    assert len(pool.frames) == 3
    pool.follow(2)  # a new still, a new feed, or back to the still
    assert pool.frames == [] and len(pool.samples) == 4
    found = pool.top("stem", 7, net.layer_info("stem").rf, k=9)
    assert len(found.top) == 4 and found.frames == 0


def test_a_full_pool_drops_its_oldest_frame_but_not_the_top_ones_on_show():
    net = shared_network()
    pool = PatchPool(max_frames=3)
    pool.follow(1)
    rng = np.random.default_rng(0)
    flat = [np.full((64, 64, 3), v, np.uint8) for v in (60, 90, 120)]
    for i, picture in enumerate(flat):
        pool.add(seen_picture(net.run(picture, net.layer_names), f"flat {i}", key=(1, i)))
    best = pool.top("block 2", 3, net.layer_info("block 2").rf, k=1).pictures[0]
    noise = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    pool.add(seen_picture(net.run(noise, net.layer_names), "noise", key=(1, 9)))
    names = [p.name for p in pool.frames]
    assert len(names) == 3 and "noise" in names and best.name in names
    first_other = next(n for n in ("flat 0", "flat 1", "flat 2") if n != best.name)
    assert first_other not in names  # the oldest not on show went
