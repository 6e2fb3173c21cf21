"""Find files in the top-level ``resources/`` folder, installed or not.

The wheel carries ``resources/`` as ``explorer/resources``; an editable install (or running from
a checkout) finds it beside the package. Both cases go through :func:`resource_path`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resources_root() -> Path:
    """The folder that holds the shipped resources."""
    packaged = Path(str(resources.files("explorer"))) / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("samples", "coffee.png")``."""
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"the resource {'/'.join(parts)} is not installed")
    return path


SAMPLE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def sample_images() -> list[Path]:
    """The bundled sample photos, sorted by name."""
    folder = resources_root() / "samples"
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)
