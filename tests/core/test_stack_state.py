"""The document's stack: layers feed each other, edits keep what still fits, limits hold."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.pipeline import LayerSpec, NamedStack
from explorer.state import MAX_LAYERS, Document, Filter, FilterBank
from explorer.state.document import default_filter
from explorer.state.presets import STACK_PRESETS, build_stack


def _tinyvgg(doc: Document) -> None:
    doc.stack.replace(build_stack("tinyvgg", doc.channels, default_filter))


def test_each_layer_sees_the_filters_of_the_one_before():
    doc = Document()
    _tinyvgg(doc)
    shapes = [spec.weights.shape for spec in doc.stack_specs()]
    assert shapes == [(8, 3, 3, 3), (16, 3, 3, 8), (16, 3, 3, 16)]


def test_fewer_filters_in_a_layer_keep_the_next_layers_slices_that_fit():
    doc = Document()
    _tinyvgg(doc)
    before = doc.stack[1].filters.weights()
    doc.stack[0].settings.n_filters = 5
    after = doc.stack[1].filters.weights()
    assert after.shape == (16, 3, 3, 5)
    np.testing.assert_array_equal(after, before[:, :, :, :5])
    doc.stack[0].settings.n_filters = 8  # and back: what was cut comes back
    np.testing.assert_array_equal(doc.stack[1].filters.weights(), before)


def test_more_filters_give_the_next_layer_zero_slices_for_the_new_maps():
    doc = Document()
    _tinyvgg(doc)
    before = doc.stack[1].filters.weights()
    doc.stack[0].settings.n_filters = 10
    after = doc.stack[1].filters.weights()
    np.testing.assert_array_equal(after[:, :, :, :8], before)
    assert not after[:, :, :, 8:].any()


def test_a_smaller_kernel_and_a_larger_one_again_give_back_the_weights():
    doc = Document()
    doc.set_kernel_size(7, 7)
    w7 = doc.filters.weights()
    doc.set_kernel_size(3, 3)
    doc.set_kernel_size(7, 7)
    np.testing.assert_array_equal(doc.filters.weights(), w7)


def test_an_edit_after_a_cut_is_kept_and_the_cut_is_forgotten():
    bank = FilterBank(5, 5, 1)
    bank.set_filters([Filter("k", np.arange(25, dtype=np.float32).reshape(5, 5))])
    bank.reshape(3, 3, 1)
    bank.set_filter(0, np.ones((3, 3), np.float32))
    bank.reshape(5, 5, 1)
    grown = bank[0].weights[:, :, 0]
    assert grown[1:4, 1:4].sum() == 9 and grown.sum() == 9  # the new edit, padded with zeros


def test_fewer_filters_then_more_give_back_the_same_filters():
    doc = Document()
    doc.layer.n_filters = 8
    doc.filters.set_filter(5, np.full((3, 3), 2.0), name="mine")
    doc.layer.n_filters = 2
    doc.layer.n_filters = 8
    assert doc.filters[5].name == "mine"
    assert np.allclose(doc.filters[5].weights.sum(), 18.0)


def test_adding_removing_and_moving_layers_keeps_the_channels_consistent():
    doc = Document()
    doc.stack.insert(1)
    doc.stack.insert(2)
    assert len(doc.stack) == 3
    doc.stack[1].settings.n_filters = 6
    doc.stack.move(2, 0)
    for i, spec in enumerate(doc.stack_specs()):
        assert spec.channels == doc.stack.channels_into(i)
    doc.stack.remove(1)
    for i, spec in enumerate(doc.stack_specs()):
        assert spec.channels == doc.stack.channels_into(i)
    while len(doc.stack) < MAX_LAYERS:
        doc.stack.insert(len(doc.stack))
    with pytest.raises(ValueError, match="at most"):
        doc.stack.insert(0)
    while len(doc.stack) > 1:
        doc.stack.remove(0)
    with pytest.raises(ValueError, match="at least one"):
        doc.stack.remove(0)


def test_the_selection_stays_inside_the_stack():
    doc = Document()
    _tinyvgg(doc)
    doc.selection.layer = 2
    doc.selection.filter = 15
    doc.stack.remove(2)
    assert doc.selection.layer == 1
    doc.layer.n_filters = 4
    assert doc.selection.filter == 3


def test_stack_signals_name_the_layer_that_changed():
    doc = Document()
    _tinyvgg(doc)
    seen = []
    doc.stack.layer_changed.connect(lambda i, name: seen.append((i, name)))
    doc.stack.filters_changed.connect(lambda i: seen.append((i, "filters")))
    doc.stack[2].settings.stride = 2
    doc.stack[1].filters.set_bias(0, 1.0)
    assert (2, "stride") in seen and (1, "filters") in seen


def test_gray_input_reshapes_only_the_first_layer():
    doc = Document()
    _tinyvgg(doc)
    second = doc.stack[1].filters.weights()
    doc.input.grayscale = True
    assert doc.stack_specs()[0].channels == 1
    np.testing.assert_array_equal(doc.stack[1].filters.weights(), second)


@pytest.mark.parametrize("key", list(STACK_PRESETS))
def test_every_stack_preset_builds(key):
    layers = build_stack(key, 3, default_filter)
    assert len(layers) == len(STACK_PRESETS[key].blocks)


def test_using_a_learned_stack_replaces_the_layers():
    rng = np.random.default_rng(0)
    specs = (LayerSpec(rng.normal(size=(8, 5, 5, 1)).astype(np.float32),
                       np.zeros(8, np.float32), padding="valid"),
             LayerSpec(rng.normal(size=(16, 5, 5, 8)).astype(np.float32),
                       np.ones(16, np.float32), padding="valid"))
    doc = Document()
    doc.use_stack(NamedStack(specs, (tuple(f"c{i}" for i in range(8)), ()), "learned"))
    assert doc.input.grayscale and len(doc.stack) == 2
    np.testing.assert_array_equal(doc.stack_specs()[1].weights, specs[1].weights)
    assert doc.stack[1].filters.names()[0] == "filter 1"
    assert doc.stack[0].settings.padding == "valid"


@pytest.mark.parametrize("problem", ["depth", "count", "kernel"])
def test_a_stack_the_explorer_cannot_hold_is_refused_and_nothing_changes(problem):
    shape = {"depth": (4, 3, 3, 2), "count": (40, 3, 3, 3), "kernel": (2, 17, 17, 3)}[problem]
    spec = LayerSpec(np.zeros(shape, np.float32), np.zeros(shape[0], np.float32))
    doc = Document()
    before = doc.stack_specs()[0].weights
    with pytest.raises(ValueError):
        doc.use_stack(NamedStack((spec,), ((),)))
    np.testing.assert_array_equal(doc.stack_specs()[0].weights, before)
