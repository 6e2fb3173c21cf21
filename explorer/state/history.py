"""Undo and redo for every kernel and layer edit, and the tabs' typed numbers.

The history keeps snapshots of the stack (every layer's settings, filters, biases and names,
and its dense head),
the input's colour or gray, the selection, the numbers typed into the step-through's grids
(with the example they belong to) and the 1-D tab's edits (its filters and its signal). The
window records one after each burst of edits settles, so typing a weight or dragging a spin
box is one step, not fifty. Undoing puts a snapshot back whole; nothing is recorded while
that happens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from explorer.state.document import Document
from explorer.state.layer import Filter, Layer, LayerSettings
from explorer.state.tabs import TextSettings

MAX_STEPS = 200


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The stack and the selection at one moment."""

    grayscale: bool
    layers: tuple[tuple[dict[str, object], tuple[tuple[str, np.ndarray, float, bool], ...]],
                  ...]
    selection: tuple[int, int]
    typed: tuple  # the step-through's typed numbers (edits, example, seed)
    edits_1d: tuple  # the 1-D tab's edits (TextSettings.EDITS)
    head: tuple = ()  # the dense head's settings as (name, value) pairs

    def same_as(self, other: Snapshot) -> bool:
        """The same edits (a change of selection, or of example with nothing typed, is no
        edit)."""
        if (self.grayscale, len(self.layers), self.head) != (
                other.grayscale, len(other.layers), other.head):
            return False
        if self.typed[0] != other.typed[0] or self.edits_1d != other.edits_1d:
            return False
        if self.typed[0] and self.typed != other.typed:
            return False
        for (settings, filters), (settings2, filters2) in zip(self.layers, other.layers,
                                                              strict=True):
            if settings != settings2 or len(filters) != len(filters2):
                return False
            for (name, w, b, r), (name2, w2, b2, r2) in zip(filters, filters2, strict=True):
                if name != name2 or b != b2 or r != r2 or not np.array_equal(w, w2):
                    return False
        return True


def take_snapshot(doc: Document) -> Snapshot:
    layers = []
    for layer in doc.stack:
        bank = layer.filters
        filters = tuple((bank[i].name, bank[i].weights.copy(), float(bank[i].bias),
                         bank[i].random) for i in range(len(bank)))
        layers.append((layer.settings.as_dict(), filters))
    steps, text = doc.stepthrough, doc.text
    return Snapshot(doc.input.grayscale, tuple(layers),
                    (doc.selection.layer, doc.selection.filter),
                    (steps.edits, steps.example, steps.seed),
                    tuple(getattr(text, name) for name in TextSettings.EDITS),
                    tuple(doc.stack.head.as_dict().items()))


class History:
    """Snapshots of the document's stack, with the one now shown at ``_index``."""

    changed = Signal()  # what undo / redo would do changed

    def __init__(self, document: Document) -> None:
        self._doc = document
        self._steps: list[Snapshot] = [take_snapshot(document)]
        self._index = 0
        self._restoring = False

    @property
    def restoring(self) -> bool:
        """True while a snapshot is being put back (its events are no new edit)."""
        return self._restoring

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._steps) - 1

    def record(self) -> bool:
        """Remember the document as it is now, if it changed since the last step."""
        if self._restoring:
            return False
        now = take_snapshot(self._doc)
        if now.same_as(self._steps[self._index]):
            return False
        del self._steps[self._index + 1:]  # a new edit: what was undone is gone
        self._steps.append(now)
        if len(self._steps) > MAX_STEPS:
            del self._steps[0]
        self._index = len(self._steps) - 1
        self.changed.emit()
        return True

    def reset(self) -> None:
        """Forget every step (a new session): the document as it is is the only one."""
        self._steps = [take_snapshot(self._doc)]
        self._index = 0
        self.changed.emit()

    def undo(self) -> bool:
        self.record()  # an edit not yet recorded is undone first, not lost
        if not self.can_undo:
            return False
        self._index -= 1
        self._restore(self._steps[self._index])
        return True

    def redo(self) -> bool:
        if not self.can_redo:
            return False
        self._index += 1
        self._restore(self._steps[self._index])
        return True

    def _restore(self, snap: Snapshot) -> None:
        doc = self._doc
        self._restoring = True
        try:
            layers = []
            channels = 1 if snap.grayscale else 3
            for settings, filters in snap.layers:
                layer = Layer(LayerSettings(**settings), channels=channels)  # type: ignore[arg-type]
                layer.filters.set_filters([Filter(n, w.copy(), b, random=r)
                                           for n, w, b, r in filters])
                layers.append(layer)
                channels = len(filters)
            if doc.input.grayscale != snap.grayscale:
                doc.input.grayscale = snap.grayscale
            doc.stack.replace(layers)
            doc.stack.head.update(dict(snap.head))
            doc.selection.layer, doc.selection.filter = snap.selection
            doc.clamp_selection()
            edits, example, seed = snap.typed
            steps = doc.stepthrough
            if edits or steps.edits:  # the typed numbers come back with their example
                steps.update({"example": example, "seed": seed, "edits": edits})
            doc.text.update(dict(zip(TextSettings.EDITS, snap.edits_1d, strict=True)))
        finally:
            self._restoring = False
        self.changed.emit()
