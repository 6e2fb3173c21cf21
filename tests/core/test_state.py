"""The Qt-free document: filters follow the layer's size, depth and count."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core import kernels
from explorer.state import Document, Filter, FilterBank, spread_over_channels


def test_a_new_document_starts_with_the_lecture_edge_detectors():
    doc = Document()
    assert doc.filters.names()[:2] == ["vertical_edge", "horizontal_edge"]
    w = doc.layer_spec().weights
    assert w.shape == (4, 3, 3, 3)
    # a 2-D preset acts on the channel mean: the three slices add up to the preset
    np.testing.assert_allclose(w[0].sum(axis=2), kernels.get("vertical_edge").weights, atol=1e-6)


def test_setting_both_kernel_sides_reshapes_the_filters_once():
    doc = Document()
    shapes = []
    doc.filters.changed.connect(lambda: shapes.append(doc.filters.kernel_shape))
    doc.set_kernel_size(7, 5)
    assert shapes == [(7, 5)]
    assert doc.layer_spec().weights.shape[1:3] == (7, 5)


def test_resizing_keeps_the_kernel_centre():
    bank = FilterBank(3, 3, 1)
    bank.set_filters([Filter("k", np.arange(9, dtype=np.float32).reshape(3, 3))])
    bank.reshape(5, 5, 1)
    grown = bank[0].weights[:, :, 0]
    np.testing.assert_array_equal(grown[1:4, 1:4], np.arange(9).reshape(3, 3))
    assert grown[0].sum() == 0 and grown[:, 0].sum() == 0
    bank.reshape(1, 1, 1)
    assert bank[0].weights[0, 0, 0] == 4  # the centre survives a shrink


def test_changing_depth_keeps_the_response_to_gray_pictures():
    doc = Document()
    plane_sum = doc.filters[0].weights.sum(axis=2)
    doc.input.grayscale = True
    assert doc.filters.channels == 1
    np.testing.assert_allclose(doc.filters[0].weights[:, :, 0], plane_sum, atol=1e-6)


def test_filter_count_follows_the_layer_and_the_selection_stays_valid():
    doc = Document()
    doc.layer.n_filters = 9
    assert len(doc.filters) == 9
    doc.selection.filter = 8
    doc.layer.n_filters = 3
    assert len(doc.filters) == 3 and doc.selection.filter == 2


def test_bad_weights_are_refused_with_a_clear_message():
    doc = Document()
    with pytest.raises(ValueError, match="finite"):
        doc.filters.set_filter(0, np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="does not fit"):
        doc.filters.set_filter(0, np.zeros((3, 3, 2)))
    with pytest.raises(ValueError, match="finite"):
        doc.filters.set_bias(0, float("inf"))


def test_reset_restores_the_defaults():
    doc = Document()
    doc.layer.stride = 4
    doc.filters.set_bias(0, 3.0)
    doc.reset()
    assert doc.layer.stride == 1 and doc.filters[0].bias == 0.0


def test_spread_over_channels_divides_the_kernel():
    k = np.ones((2, 2), np.float32)
    np.testing.assert_allclose(spread_over_channels(k, 4), np.full((2, 2, 4), 0.25))
