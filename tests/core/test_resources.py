"""The shipped sample photos: found, documented, and each one loads."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from explorer.core.images import load_image
from explorer.resources import (
    SAMPLE_SUFFIXES,
    resource_path,
    resources_root,
    sample_images,
)

SAMPLES = sample_images()
load_once = cache(load_image)


def readme_rows() -> dict[str, tuple[int, int, str]]:
    """``resources/README.md``'s table: file name → (width, height, "RGB" or "gray")."""
    text = (resources_root() / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|.*?(\d+)×(\d+) (RGB|gray)", text, flags=re.M)
    return {name: (int(w), int(h), kind) for name, w, h, kind in rows}


def test_at_least_four_samples_are_found():
    assert len(SAMPLES) >= 4
    assert sorted(SAMPLES) == SAMPLES
    for path in SAMPLES:
        assert path.is_file() and path.suffix.lower() in SAMPLE_SUFFIXES
        assert path.parent == resources_root() / "samples"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_each_sample_loads_as_a_useful_picture(path):
    image = load_once(path)
    assert image.dtype == np.uint8
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)
    assert min(image.shape[:2]) >= 64  # big enough for a 15×15 kernel and pooling to show
    assert image.std() > 10  # not a blank picture: edges for the detectors to find


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_each_sample_is_documented_with_its_size(path):
    rows = readme_rows()
    assert path.name in rows, f"{path.name} has no row (source, licence) in resources/README.md"
    width, height, kind = rows[path.name]
    image = load_once(path)
    assert image.shape[:2] == (height, width)
    assert (image.ndim == 3) == (kind == "RGB")


def test_resource_path_finds_a_sample_and_refuses_a_missing_one():
    first = SAMPLES[0]
    assert resource_path("samples", first.name) == first
    with pytest.raises(FileNotFoundError, match=r"no-such-picture\.png"):
        resource_path("samples", "no-such-picture.png")
