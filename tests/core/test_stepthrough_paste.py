"""Numbers typed or pasted into the step-through's grids: the edits they become, and the whole
sentence a refusal says (a lecturer reads it on the board, so every word is checked)."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.stepthrough import apply_edits, example, parse_matrix, walk

ONLY_THESE = "only the input's and the kernel's numbers and the bias can be typed into"


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        call(*args, **kwargs)
    return str(info.value)


def test_a_typed_number_that_cannot_go_in_says_why_in_full():
    padded = walk(example("half-padding"))  # a 5×5 input shown padded by 1
    assert refusal(padded.edit, "input", 0, 2, 2, float("nan")) == "a cell holds a finite number"
    assert refusal(padded.edit, "input", 0, 0, 3, 1.0) == (
        "that cell is padding: it follows from the input, so change the input's own pixels")
    spread = walk(example("transposed-strides"))  # grid cell (3, 2) sits between two pixels
    assert refusal(spread.edit, "input", 0, 3, 2, 1.0) == (
        "that cell is an inserted zero: it follows from the input, so change the input's own "
        "pixels")
    pooling = walk(example("max-pool"))
    assert refusal(pooling.edit, "bias", 0, 0, 0, 1.0) == ONLY_THESE
    assert refusal(pooling.edit, "kernel", 0, 0, 0, 1.0) == ONLY_THESE


def test_a_typed_bias_is_the_filters_bias():
    volume = walk(example("lecture-volume"))  # two filters, biases b0 = 1 and b1 = 0
    edit = volume.edit("bias", 0, 0, 0, -4.0, k=1)
    assert edit == ("bias", 1, 0, 0, 0, -4.0)
    assert apply_edits(volume.example, [edit]).bias.tolist() == [1, -4]


@pytest.mark.parametrize(("name", "block", "row", "col", "matrix", "said"), [
    ("half-padding", "input", 1, 1, [[1, np.nan]], "a matrix of finite numbers goes into a grid"),
    ("half-padding", "input", 1, 1, np.ones((2, 2, 2)),
     "a matrix of finite numbers goes into a grid"),
    ("max-pool", "bias", 0, 0, [[1]], "pooling has no bias to type into"),
    ("max-pool", "kernel", 0, 0, [[1]], ONLY_THESE),
    ("half-padding", "weights", 0, 0, [[1]], ONLY_THESE),  # no such grid
    # the half-padding example: a 5×5 input, shown padded to 7×7, and a 3×3 kernel
    ("half-padding", "input", 0, 2, np.ones((3, 3)),
     "a 3×3 matrix does not fit the input x[:,:,0], which is 5×5 without its padding: paste a "
     "5×5 matrix, or a smaller one from an input cell on"),
    ("half-padding", "input", 5, 1, np.ones((3, 1)),  # from input pixel (4, 0): too tall
     "a 3×1 matrix from row 4, column 0 runs past the input x[:,:,0] (5×5): paste a 5×5 "
     "matrix, or a smaller block"),
    ("half-padding", "input", 1, 5, np.ones((1, 3)),  # from input pixel (0, 4): too wide
     "a 1×3 matrix from row 0, column 4 runs past the input x[:,:,0] (5×5): paste a 5×5 "
     "matrix, or a smaller block"),
    ("half-padding", "kernel", 0, 0, np.ones((2, 4)),
     "a 2×4 matrix does not fit the kernel slice w0[:,:,0] (3×3): paste a 3×3 matrix"),
    ("half-padding", "kernel", 2, 0, np.ones((2, 1)),
     "a 2×1 matrix does not fit the kernel slice w0[:,:,0] (3×3) from row 2, column 0: paste "
     "a 3×3 matrix"),
    ("half-padding", "kernel", 0, 2, np.ones((1, 2)),
     "a 1×2 matrix does not fit the kernel slice w0[:,:,0] (3×3) from row 0, column 2: paste "
     "a 3×3 matrix"),
])
def test_a_pasted_matrix_that_cannot_go_in_says_why_in_full(name, block, row, col, matrix, said):
    assert refusal(walk(example(name)).paste, block, 0, row, col, np.asarray(matrix)) == said


def test_a_block_that_ends_on_the_inputs_last_row_and_column_goes_in():
    volume = walk(example("lecture-volume"))  # 5×5×3, shown padded by 1
    block = np.array([[1, 2, 3], [4, 5, 6]])
    edits = volume.paste("input", 1, 4, 3, block)  # grid (4, 3) is input pixel (3, 2)
    assert edits == (("input", 0, 3, 2, 1, 1.0), ("input", 0, 3, 3, 1, 2.0),
                     ("input", 0, 3, 4, 1, 3.0), ("input", 0, 4, 2, 1, 4.0),
                     ("input", 0, 4, 3, 1, 5.0), ("input", 0, 4, 4, 1, 6.0))
    after = apply_edits(volume.example, edits).input
    np.testing.assert_array_equal(after[3:, 2:, 1], block)
    before = volume.example.input
    np.testing.assert_array_equal(after[:, :, [0, 2]], before[:, :, [0, 2]])
    np.testing.assert_array_equal(after[:3, :, 1], before[:3, :, 1])


def test_a_whole_slice_fills_it_from_any_cell():
    volume = walk(example("lecture-volume"))
    whole = np.arange(25).reshape(5, 5) - 12
    want = []
    for r in range(5):
        for c in range(5):
            want.append(("input", 0, r, c, 2, float(r * 5 + c - 12)))
    assert volume.paste("input", 2, 0, 0, whole) == tuple(want)  # even from a padding cell
    kernel = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    want = [("weight", 1, r, c, 0, float(kernel[r, c])) for r in range(3) for c in range(3)]
    assert volume.paste("kernel", 0, 1, 2, kernel, k=1) == tuple(want)


def test_a_smaller_block_into_a_kernel_goes_from_the_cell_on():
    volume = walk(example("lecture-volume"))
    edits = volume.paste("kernel", 2, 1, 0, np.array([[1, 2, 3], [4, 5, 6]]))
    assert edits == (("weight", 0, 1, 0, 2, 1.0), ("weight", 0, 1, 1, 2, 2.0),
                     ("weight", 0, 1, 2, 2, 3.0), ("weight", 0, 2, 0, 2, 4.0),
                     ("weight", 0, 2, 1, 2, 5.0), ("weight", 0, 2, 2, 2, 6.0))


@pytest.mark.parametrize(("text", "want"), [
    # a spreadsheet's cells with a no-break space between thousands and a decimal comma
    ("1\u00a0000,5\t2,25\n−3\t4", [[1000.5, 2.25], [-3, 4]]),
    ("1 , 0 , -1\n2 , 2 , 2", [[1, 0, -1], [2, 2, 2]]),  # commas set apart by spaces
    ("\u20131 0; 1 \u20132", [[-1, 0], [1, -2]]),  # an en dash typed for a minus
])
def test_more_ways_lecturers_type_a_matrix(text, want):
    np.testing.assert_array_equal(parse_matrix(text), want)


@pytest.mark.parametrize(("text", "said"), [
    ("", "there are no numbers to put in: type them as 1 0 -1; 1 1 -1, or one row a line"),
    ("1 2; 3", "row 2 has 1 number and row 1 has 2: every row of a matrix has as many"),
    ("1 X 3", "'X' in row 1 is no number"),
    ("[[1, 2], [3, 4]] and more",
     "a matrix in brackets holds only numbers: [[1, 0, -1], [1, 1, -1]]"),
    ("\n".join([" ".join(["1"] * 64)] * 65), "65×64 numbers are more than any grid here holds"),
])
def test_a_matrix_that_is_none_says_why_in_full(text, said):
    assert refusal(parse_matrix, text) == said


def test_a_matrix_of_4096_numbers_is_read():
    text = "\n".join([" ".join(["2"] * 64)] * 64)
    np.testing.assert_array_equal(parse_matrix(text), np.full((64, 64), 2.0))
