"""A digit network trained once per test session: one epoch on the 4,000 training digits."""

from __future__ import annotations

from functools import cache


@cache
def trained_digit_model():
    from explorer.core.training import train_digits

    *_, last = train_digits(seed=0, epochs=1)
    return last.model


@cache
def all_digits():
    """The 5,000 digits (training then test) as (N, 28, 28) uint8, and their labels."""
    import numpy as np

    from explorer.core.training import load_digits

    train, test = load_digits()
    return (np.concatenate([train.images, test.images]),
            np.concatenate([train.labels, test.labels]))
