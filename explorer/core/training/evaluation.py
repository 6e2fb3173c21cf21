"""How well a model reads a set of digits: accuracy, confusion matrix, the digits it gets wrong."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.training.data import CLASSES, Digits
from explorer.core.training.model import DigitModel


@dataclass(frozen=True, eq=False)
class Evaluation:
    """``predictions`` and ``labels`` (N,); ``confusion[t, p]`` counts digits t read as p."""

    predictions: np.ndarray
    labels: np.ndarray
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / max(1, self.confusion.sum()))

    def mistakes(self, true: int | None = None, predicted: int | None = None) -> np.ndarray:
        """Indices of the digits read wrongly (of one true digit, or one kind of mistake)."""
        wrong = self.predictions != self.labels
        if true is not None:
            wrong &= self.labels == true
        if predicted is not None:
            wrong &= self.predictions == predicted
        return np.flatnonzero(wrong)


def evaluate(model: DigitModel, digits: Digits) -> Evaluation:
    """Classify every digit of ``digits`` and count what was read as what."""
    predictions = model.predict(digits.images)
    labels = np.asarray(digits.labels)
    confusion = np.zeros((CLASSES, CLASSES), np.int64)
    np.add.at(confusion, (labels, predictions), 1)
    return Evaluation(predictions, labels, confusion)
