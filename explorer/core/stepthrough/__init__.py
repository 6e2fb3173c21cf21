"""Step through a worked example, window by window: the numbers behind the step-through view.

``examples`` holds the built-in examples (the lectures', conv_arithmetic's, pooling) and builds
one from the explorer's layer; ``steps`` turns an example into its sequence of windows;
``quiz`` checks a student's predictions; ``matrix`` reads a matrix typed or pasted into a
grid.
"""

from explorer.core.stepthrough.examples import (
    EDIT_BLOCKS,
    EXAMPLE_NAMES,
    LECTURE_LESSONS,
    MAX_CROP,
    Edit,
    Example,
    apply_edits,
    example,
    explorer_lesson,
    fitting_edits,
    from_layer,
    lecture_volume,
)
from explorer.core.stepthrough.matrix import matrix_text, parse_matrix
from explorer.core.stepthrough.quiz import (
    QuizRound,
    Score,
    SizeQuestion,
    Verdict,
    cell_text,
    check_prediction,
    check_size,
    parse_number,
    size_questions,
)
from explorer.core.stepthrough.steps import INPUT, INSERTED, PADDING, Step, Walkthrough, walk

__all__ = [
    "EDIT_BLOCKS",
    "EXAMPLE_NAMES",
    "INPUT",
    "INSERTED",
    "LECTURE_LESSONS",
    "MAX_CROP",
    "PADDING",
    "Edit",
    "Example",
    "QuizRound",
    "Score",
    "SizeQuestion",
    "Step",
    "Verdict",
    "Walkthrough",
    "apply_edits",
    "cell_text",
    "check_prediction",
    "check_size",
    "example",
    "explorer_lesson",
    "fitting_edits",
    "from_layer",
    "lecture_volume",
    "matrix_text",
    "parse_matrix",
    "parse_number",
    "size_questions",
    "walk",
]
