"""What can go wrong with the pretrained network, each a ``ValueError`` with a plain sentence."""

from __future__ import annotations


class NetworkError(ValueError):
    """The pretrained network cannot be used; the message says why and what to do."""


class MissingPackageError(NetworkError):
    """An optional package the pretrained network needs is not installed."""


class WeightsError(NetworkError):
    """The weights file is missing, damaged or not the expected network."""


class UnsafeWeightsError(WeightsError):
    """The weights file tries to run code while it is read; it was not opened."""


class CacheError(NetworkError):
    """The converted network in the cache is damaged or belongs to other weights."""
