"""Checking a student's predictions and output-size answers."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.stepthrough import (
    Example,
    QuizRound,
    Score,
    SizeQuestion,
    cell_text,
    check_prediction,
    check_size,
    example,
    parse_number,
    size_questions,
    walk,
)


def test_whole_number_steps_take_only_the_exact_answer():
    ex = example("lecture-edge")
    step = walk(ex).steps[1]  # the window across the edge: 30
    assert step.value == 30
    for typed in ("30", " 30 ", "30.0", "30,0", "30.04"):
        assert check_prediction(typed, step, ex).correct, typed
    for typed in ("29", "31", "−30", "30.1", "0"):
        assert not check_prediction(typed, step, ex).correct, typed


def test_a_negative_value_typed_with_either_minus():
    ex = Example("t", "t", "t", "conv", np.full((3, 3, 1), 2, np.float32),
                 -np.ones((1, 3, 3, 1), np.float32), bias=[3.0])
    step = walk(ex).steps[0]
    assert step.value == -15
    assert check_prediction("−15", step, ex).correct
    assert check_prediction("-15", step, ex).correct
    assert not check_prediction("15", step, ex).correct


def test_an_answer_from_the_rounded_numbers_on_screen_counts():
    # a box blur: weights 1/9 shown as 0.111, pixels of 200; exactly 1800/9 = 200, but the
    # numbers on screen give 9 · 200 · 0.111 = 199.8
    ex = Example("t", "t", "t", "conv", np.full((3, 3, 1), 200, np.float32),
                 np.full((1, 3, 3, 1), 1 / 9, np.float32))
    step = walk(ex).steps[0]
    assert cell_text(step.weights[0, 0, 0]) == "0.111"
    assert step.value == pytest.approx(200, abs=1e-3)
    assert check_prediction("200", step, ex).correct
    assert check_prediction("199.8", step, ex).correct
    assert not check_prediction("198", step, ex).correct
    assert not check_prediction("202", step, ex).correct


def test_a_mean_may_be_rounded_to_one_decimal():
    ex = Example("t", "t", "t", "avg", np.array([[1, 2], [2, 0]], np.float32), pool_size=2,
                 stride=2)
    step = walk(ex).steps[0]  # 5 / 4 = 1.25
    assert check_prediction("1.25", step, ex).correct
    assert check_prediction("1.3", step, ex).correct
    assert not check_prediction("1", step, ex).correct
    assert not check_prediction("1.5", step, ex).correct


def test_garbage_is_no_answer():
    with pytest.raises(ValueError, match="type a number"):
        parse_number("twelve")
    with pytest.raises(ValueError):
        parse_number("")
    with pytest.raises(ValueError, match="finite"):
        parse_number("inf")


def count_positions(n, k, s, p, d):
    """How often the dilated window fits, by sliding it along the padded input."""
    span = d * (k - 1) + 1
    count, start = 0, 0
    while start + span <= n + 2 * p:
        count += 1
        start += s
    return count


def test_size_questions_fit_and_their_answers_are_right():
    questions = size_questions(60, seed=3)
    assert len(questions) == 60
    assert len({(q.n, q.kernel, q.stride, q.padding, q.dilation) for q in questions}) > 30
    for q in questions:
        want = count_positions(q.n, q.kernel, q.stride, q.padding, q.dilation)
        assert want >= 1
        assert q.answer == want
        assert check_size(str(want), q).correct
        assert not check_size(str(want + 1), q).correct
        assert str(q.n) in q.text and str(q.answer) in q.explanation
    assert size_questions(5, seed=1) == size_questions(5, seed=1)


def test_a_size_question_from_conv_arithmetic():
    q = SizeQuestion(6, 3, 2, 1, 1)  # the odd case: 3 outputs
    assert check_size("3", q).correct and not check_size("3.5", q).correct


def test_the_score_counts_right_answers():
    ex = example("lecture-edge")
    steps = walk(ex).steps
    score = Score()
    for step, typed in zip(steps[:4], ("0", "30", "1", "0"), strict=True):
        score.record(check_prediction(typed, step, ex))
    assert (score.right, score.asked) == (3, 4)
    assert score.text == "3 of 4 right (75 %)"


def test_a_large_fraction_may_be_rounded_like_the_cells():
    ex = Example("t", "t", "t", "avg", np.array([[1234.5, 1234.5], [1234.5, 1234.5]],
                                                np.float32), pool_size=2, stride=2)
    step = walk(ex).steps[0]
    assert cell_text(step.value) == "1234"
    assert check_prediction("1230", step, ex).correct
    assert not check_prediction("1220", step, ex).correct


def test_a_quiz_round_reveals_only_what_was_answered_or_shown():
    ex = example("lecture-edge")
    steps = walk(ex).steps
    quiz = QuizRound(seed=4)
    assert all(quiz.hides(i) for i in range(len(steps)))  # started late: nothing is shown
    with pytest.raises(ValueError, match="number"):
        quiz.answer_step("thirty", steps[1], ex)
    assert quiz.hides(1) and quiz.score.asked == 0
    assert quiz.answer_step("30", steps[1], ex).correct
    quiz.reveal(2)  # → before an answer: shown, not scored
    assert not quiz.hides(1) and not quiz.hides(2) and quiz.hides(0) and quiz.hides(3)
    question = quiz.ask_size()
    span = question.dilation * (question.kernel - 1) + 1
    want = (question.n + 2 * question.padding - span) // question.stride + 1
    assert not quiz.answer_size(str(want + 1)).correct
    assert quiz.question is None
    with pytest.raises(ValueError):
        quiz.answer_size(str(want))  # answered: no question is open
    assert (quiz.score.right, quiz.score.asked) == (1, 2)
    quiz.restart()
    assert quiz.hides(1) and quiz.score.asked == 0 and quiz.question is None
