"""The names of the 1000 ImageNet classes, shipped in ``resources/imagenet/classes.txt``.

One line per class index, its WordNet synonyms separated by commas ("tabby, tabby cat"). The
first synonym is the class's short name; a few short names belong to two classes ("crane" is a
bird and a machine, "maillot" a leotard and a swimsuit), so those labels carry the index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

from explorer.core.network.errors import NetworkError
from explorer.resources import resource_path

N_CLASSES = 1000


@dataclass(frozen=True)
class ClassNames:
    """Names of the ImageNet classes by index."""

    synonyms: tuple[tuple[str, ...], ...]  # every name of each class, the short one first

    @property
    def short(self) -> tuple[str, ...]:
        return tuple(names[0] for names in self.synonyms)

    def ambiguous(self, index: int) -> bool:
        """Another class has the same short name."""
        return _shared_names(self.synonyms)[self.synonyms[index][0]] > 1

    def label(self, index: int) -> str:
        """The short name, with the class index where another class has the same name."""
        name = self.synonyms[index][0]
        return f"{name} (class {index})" if self.ambiguous(index) else name


@cache
def _shared_names(synonyms: tuple[tuple[str, ...], ...]) -> Counter:
    return Counter(names[0] for names in synonyms)


def parse_class_names(text: str) -> ClassNames:
    """:class:`ClassNames` from the resource's text; raises NetworkError if it is damaged."""
    lines = text.splitlines()
    synonyms = tuple(tuple(n.strip() for n in line.split(",") if n.strip()) for line in lines)
    if len(synonyms) != N_CLASSES or not all(synonyms):
        raise NetworkError(f"the list of ImageNet class names is damaged: it should have "
                           f"{N_CLASSES} named lines, not {len(lines)}")
    return ClassNames(synonyms)


@cache
def imagenet_classes() -> ClassNames:
    """The shipped class names (read once)."""
    try:
        text = resource_path("imagenet", "classes.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError, UnicodeDecodeError) as exc:
        raise NetworkError(f"the list of ImageNet class names cannot be read ({exc})") from None
    return parse_class_names(text)
