"""The step-through's slide as a projector and an exported frame show it: the type measured,
the digits found in the painted picture, the padding's pattern kept off its numbers, the page
used without empty bands, and equations that wrap only between terms."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from explorer.core.stepthrough import (
    EXAMPLE_NAMES,
    INPUT,
    PADDING,
    cell_text,
    example,
    walk,
)
from explorer.ui.convert import qimage_to_array
from explorer.ui.step_frames import slide_frame
from explorer.ui.widgets.step_slide import SlidePainter, StepSlide, render_slide

PROJECTOR = (1280, 720)


def views(name: str) -> list[int | None]:
    """What presentation mode shows of an example: a volume one channel at a time and then
    the channels' sum, anything else whole."""
    walkthrough = walk(example(name))
    if walkthrough.kernels is None or walkthrough.grid.shape[2] == 1:
        return [None]
    return list(range(walkthrough.grid.shape[2] + 1))


def presentation(name: str, index: int = 1, size=PROJECTOR,
                 channel: int | None = None) -> SlidePainter:
    painter = SlidePainter()
    painter.layout(QRectF(0, 0, *size))
    painter.set_presentation(True)
    painter.set_slide(slide(walk(example(name)), index, channel))
    return painter


def slide(walkthrough, index: int, channel: int | None = None) -> StepSlide:
    """Step ``index``, a volume's channel ``channel`` alone (None: every channel)."""
    if channel is None:
        return StepSlide(walkthrough, index)
    return StepSlide(walkthrough, index, channel=channel)


def grids(painter: SlidePainter):
    return [s for block in painter.board._blocks for s in block.slices]


def ink_rows(rgb: np.ndarray, rect: QRectF, ink, tolerance=60) -> int:
    """How many pixel rows of ``rect`` hold the colour ``ink`` (a number's glyphs)."""
    x0, y0 = int(rect.left()) + 3, int(rect.top()) + 3
    x1, y1 = int(rect.right()) - 3, int(rect.bottom()) - 3
    part = rgb[y0:y1, x0:x1].astype(int)
    hit = (np.abs(part - np.array(ink)) <= tolerance).all(axis=2)
    rows = np.nonzero(hit.any(axis=1))[0]
    return 0 if rows.size == 0 else int(rows[-1] - rows[0] + 1)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_projector_at_1280x720_gets_36_pixel_numbers_and_28_pixel_headings(qtbot, name):
    """Every step of every example, as presentation mode shows it: each grid's numbers in
    type of 36 pixels or more, every heading (the slide's title, the blocks' titles, the
    names over the slices) 28 or more."""
    steps = len(walk(example(name)).steps)
    for channel in views(name):
        painter = presentation(name, 0, channel=channel)
        for index in range(steps):
            painter.set_slide(slide(painter.slide.walkthrough, index, channel))
            board = painter.board
            for s in grids(painter):
                assert board.digit_px(s.block, s.index) >= 36, (index, channel, s.block)
            assert board.title_font().pixelSize() >= 28  # "Input 6×6", "Kernel 3×3", …
            if any(s.title for s in grids(painter)):  # x[:,:,0], o[:,:,1]
                assert board.subtitle_font().pixelSize() >= 28
            assert painter.title_font.pixelSize() >= 28
            assert painter.text_font.pixelSize() >= 24  # the arithmetic


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_on_a_projector_every_block_title_stays_on_the_board(qtbot, name):
    """A title wider than its block spills into the gaps beside it, never past the board's
    edges: the volume's "Output o[:,:,0]" at the right edge of a 1280×720 projector."""
    for channel in views(name):
        painter = presentation(name, 1, channel=channel)
        board = painter.board
        metrics = QFontMetricsF(board.title_font())
        edge = board.rect
        for line, rect in board.title_lines():
            half = metrics.horizontalAdvance(line) / 2
            assert rect.center().x() - half >= edge.left() - 0.5, (channel, line)
            assert rect.center().x() + half <= edge.right() + 0.5, (channel, line)


def number_cells(painter: SlidePainter, block: str, index: int):
    """The cells of a grid that hold a number in white on the projector's black: not under
    the window's tint nor its frame, no padding's pattern, nothing hidden."""
    s = painter.board.slice(block, index)
    rows, cols = s.values.shape
    for r in range(rows):
        for c in range(cols):
            if (r, c) in s.taps or (r, c) == s.landing or not np.isfinite(s.values[r, c]) \
                    or (s.kinds is not None and s.kinds[r, c] != INPUT):
                continue
            yield r, c


@pytest.mark.parametrize(("name", "index", "channel", "blocks"), [
    ("lecture-edge", 1, None, (("input", 0), ("kernel", 0))),
    ("lecture-volume", 1, 1, (("input", 1), ("kernel", 1))),  # −1 in the kernel
    ("lecture-volume", 1, 3, (("sums", 0), ("output", 0))),  # the channels' sum
    ("avg-pool-overlap", 3, None, (("output", 0),)),  # means: 6.56, 6, 5.11
    ("arbitrary-padding", 12, None, (("output", 0),)),  # 12, 11, 10
])
def test_the_painted_digits_are_as_tall_as_the_type_says(qtbot, name, index, channel,
                                                          blocks):
    """The glyphs on the projector, found in the picture: a digit's ink is about 0.73 of the
    type's pixel size (DejaVu Sans and most sans fonts), so 36-pixel type paints digits of
    26 pixels and more."""
    painter = presentation(name, index, channel=channel)
    image = render_slide(painter.slide, PROJECTOR, 1, presentation=True)
    rgb = qimage_to_array(image)
    white = (255, 255, 255)
    checked = 0
    for block, grid in blocks:
        for r, c in number_cells(painter, block, grid):
            height = ink_rows(rgb, painter.board.cell_rect(block, grid, r, c), white)
            assert height >= 26, (block, r, c, height)
            checked += 1
    assert checked >= 3


def test_a_volume_on_a_projector_shows_one_channel_then_their_sum(qtbot):
    """Channel 1 of the lecture's volume: its input slice beside its kernel slice, the
    channel sums of channels 0 and 1 (the products summed by hand from the example's
    numbers), and the output as it was before this step; then the sum and the bias."""
    ex = example("lecture-volume")
    padded = np.zeros((7, 7, 3))
    padded[1:6, 1:6] = ex.input
    w0 = ex.weights[0]

    def channel_sum(c):  # step 2: o[0, 1, 0], rows 0–2 and columns 2–4 of the padded input
        total = 0.0
        for i in range(3):
            for j in range(3):
                total += padded[i, 2 + j, c] * w0[i, j, c]
        return total

    painter = presentation("lecture-volume", 1, channel=1)
    board = painter.board
    assert [s.block for s in grids(painter)] == ["input", "kernel", "sums", "output"]
    np.testing.assert_array_equal(board.slice("input", 1).values[1:6, 1:6], ex.input[:, :, 1])
    np.testing.assert_array_equal(board.slice("kernel", 1).values, w0[:, :, 1])
    sums = board.slice("sums", 0).values[0]
    np.testing.assert_allclose(sums[:2], [channel_sum(0), channel_sum(1)])
    assert np.isnan(sums[2])  # channel 2 is still to come
    output = board.slice("output", 0).values
    assert np.isfinite(output[0, 0]) and np.isnan(output[0, 1])  # lands with the sum
    painter = presentation("lecture-volume", 1, channel=3)
    board = painter.board
    assert [s.block for s in grids(painter)] == ["sums", "bias", "output", "output"]
    np.testing.assert_allclose(board.slice("sums", 0).values[0],
                               [channel_sum(c) for c in range(3)])
    expected = sum(channel_sum(c) for c in range(3)) + float(ex.bias[0])
    assert board.slice("output", 0).values[0, 1] == pytest.approx(expected)


@pytest.mark.parametrize("presenting", [False, True])
def test_the_padding_pattern_never_runs_over_its_zeros(qtbot, presenting):
    from PySide6.QtGui import QImage, QPainter

    painter = SlidePainter()
    painter.layout(QRectF(0, 0, *PROJECTOR))
    painter.set_presentation(presenting)
    painter.set_slide(StepSlide(walk(example("half-padding")), 12))
    rgb = qimage_to_array(render_slide(painter.slide, PROJECTOR, 1, presenting))
    board, theme = painter.board, painter.theme
    s = board.slice("input", 0)
    font = board.font(board.digit_px("input", 0))
    checked = 0
    for r, c in zip(*np.nonzero(s.kinds == PADDING), strict=True):
        if (r, c) in s.taps or (s.previous and s.previous[0] <= r <= s.previous[2]
                                and s.previous[1] <= c <= s.previous[3]):
            continue  # a window's frame crosses these cells
        rect = board.cell_rect("input", 0, int(r), int(c))
        # the same cell painted by hand: the padding's colour and its "0", no pattern
        w, h = int(rect.width()), int(rect.height())
        clean = QImage(w, h, QImage.Format.Format_RGB32)
        clean.fill(theme.padding)
        p = QPainter(clean)
        p.setFont(font)
        p.setPen(theme.padding_text)
        p.drawText(QRectF(rect.x() - int(rect.x()), rect.y() - int(rect.y()), rect.width(),
                          rect.height()), 0x84, cell_text(0.0))  # AlignCenter
        p.end()
        reference = qimage_to_array(clean).astype(int)
        # round the number (its middle third across, half down) the two agree
        y0, x0 = int(rect.y()), int(rect.x())
        sl = (slice(h // 4, 3 * h // 4), slice(w // 3, 2 * w // 3))
        shown = rgb[y0:y0 + h, x0:x0 + w].astype(int)[sl]
        assert np.abs(shown - reference[sl]).max() <= 60, (r, c)
        # and the pattern is there, in the cell's corners
        corner = rgb[y0 + 3:y0 + h // 5, x0 + 3:x0 + w // 5].astype(int)
        assert np.abs(corner - np.array(theme.padding.getRgb()[:3])).max() > 60
        checked += 1
    assert checked >= 10


def longest_empty_run(empty: np.ndarray) -> int:
    best = run = 0
    for e in empty:
        run = run + 1 if e else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("presenting", [False, True])
def test_an_exported_frame_uses_the_page_without_empty_bands(qtbot, name, presenting):
    frame = slide_frame(walk(example(name)), 1, 1, presenting).astype(int)
    background = frame[0, -1]
    ink = (np.abs(frame - background).sum(axis=2) > 30)
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    # from the first to the last thing painted: no band of empty rows over 30 pixels
    assert longest_empty_run(~ink.any(axis=1)[rows[0]:rows[-1]]) <= 30
    assert rows[-1] - rows[0] >= 0.93 * 720  # top to bottom
    assert cols[-1] - cols[0] >= 0.9 * 1280  # and side to side: a pooling frame too


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_on_a_projector_an_equation_wraps_only_between_terms(qtbot, name):
    from explorer.core.stepthrough.describe import NBSP

    walkthrough = walk(example(name))
    for index in range(0, len(walkthrough.steps), 3):
        painter = presentation(name, index, size=(1024, 768))  # a narrow projector
        lines = painter.arithmetic_lines()
        assert len(lines) >= len(painter.slide.lines)
        for line in lines:
            end = line.rstrip().rstrip(NBSP)
            assert end[-1:] not in set("+−=/⊙×"), line  # never "= / −5"
            assert end.count("[") == end.count("]") and end.count("(") == end.count(")")
        assert " ".join(lines).replace(NBSP, " ") == " ".join(painter.slide.lines)
