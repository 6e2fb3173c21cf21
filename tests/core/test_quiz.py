"""Checking a student's predictions and output-size answers."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from explorer.core.stepthrough import (
    Example,
    QuizRound,
    Score,
    SizeQuestion,
    Verdict,
    cell_text,
    check_prediction,
    check_size,
    example,
    parse_number,
    size_questions,
    walk,
)
from explorer.core.stepthrough.quiz import shown


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


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (30.0, "30"), (-15.0, "−15"), (1 / 9, "0.111"), (-1 / 9, "−0.111"),
    (2.5e-5, "2.5e−05"),
    # from 1000 a fraction is rounded whole, not written 1e+03
    (1000.25, "1000"), (1234.5, "1234"), (99999.0, "99999"),
    # from 100000 on, whole or not, 3 significant digits
    (100000.0, "1e+05"), (100000.5, "1e+05"), (-100000.0, "−1e+05"), (1e7, "1e+07"),
    (float("nan"), "?"), (float("inf"), "inf"), (float("-inf"), "−inf"),
])
def test_a_cell_shows_a_number_like_this(value, text):
    assert cell_text(value) == text


def test_the_number_a_cell_shows_reads_back_as_that_number():
    assert shown(1 / 9) == 0.111
    assert shown(-1234.5) == -1234.0
    assert shown(100000.5) == 100000.0
    assert shown(float("inf")) == float("inf")
    assert math.isnan(shown(float("nan")))


@pytest.mark.parametrize(("typed", "value"), [
    ("3", 3.0), (" −1 ", -1.0), ("\u20132.5", -2.5), ("-2.5", -2.5), ("2,5", 2.5),
    ("1 234", 1234.0), ("1e3", 1000.0),
])
def test_a_number_may_be_typed_like_this(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize(("typed", "message"), [
    ("twelve", "type a number such as 3, −1 or 2.5, not 'twelve'"),
    ("  ", "type a number such as 3, −1 or 2.5, not ''"),
    ("1,234.5", "type a number such as 3, −1 or 2.5, not '1,234.5'"),
    ("1.2.3", "type a number such as 3, −1 or 2.5, not '1.2.3'"),
    ("inf", "type a finite number"),
    ("−nan", "type a finite number"),
])
def test_what_is_no_number_gets_this_sentence(typed, message):
    with pytest.raises(ValueError) as info:
        parse_number(typed)
    assert str(info.value) == message


def test_the_verdict_says_what_was_typed_and_what_was_right():
    ex = example("lecture-edge")
    step = walk(ex).steps[1]  # 30
    assert check_prediction("29", step, ex) == Verdict(False, 29.0, 30.0)
    assert check_prediction("30,0", step, ex) == Verdict(True, 30.0, 30.0)
    # the margin is 0.05 each side, both ends included
    assert check_prediction("29.95", step, ex).correct
    assert check_prediction("30.05", step, ex).correct
    assert not check_prediction("29.94", step, ex).correct
    assert not check_prediction("30.06", step, ex).correct
    q = SizeQuestion(6, 3, 2, 1, 1)
    assert check_size("4", q) == Verdict(False, 4.0, 3.0)
    assert check_size("3", q) == Verdict(True, 3.0, 3.0)


def test_a_whole_value_accepts_the_sum_of_the_rounded_numbers_with_the_bias():
    # three pixels of 1000 under weights of 1/3 (shown 0.333), bias 5: exactly 1005, but the
    # numbers on screen give 3 · 1000 · 0.333 + 5 = 1004
    ex = Example("t", "t", "t", "conv", np.full((1, 3, 1), 1000, np.float32),
                 np.full((1, 1, 3, 1), 1 / 3, np.float32), bias=[5.0])
    step = walk(ex).steps[0]
    assert step.value == 1005
    assert check_prediction("1005", step, ex).correct
    assert check_prediction("1004", step, ex).correct
    for typed in ("1003.9", "1000", "994", "1006"):
        assert not check_prediction(typed, step, ex).correct, typed


def test_a_max_from_the_rounded_numbers_is_the_largest_shown():
    ex = Example("t", "t", "t", "max", np.array([[1.23456, 0], [0, 0]], np.float32),
                 pool_size=(2, 2), stride=(2, 2))
    step = walk(ex).steps[0]
    assert check_prediction("1.23", step, ex).correct
    assert check_prediction("1.2346", step, ex).correct
    for typed in ("0.31", "0.7", "1.1"):  # 0.31 is the mean of the shown numbers
        assert not check_prediction(typed, step, ex).correct, typed


def fitting_settings():
    """Every setting the quiz draws from, with its chance, kept if the kernel fits."""
    kept = {}
    for n in range(4, 17):
        for k in (1, 2, 3, 4, 5, 7):
            for s in (1, 2, 3):
                for p in (0, 1, 2, 3):
                    for d, chance in ((1, 3 / 4), (2, 1 / 4)):
                        if n + 2 * p >= d * (k - 1) + 1:
                            kept[(n, k, s, p, d)] = chance
    return kept


def test_size_questions_draw_from_the_lecture_ranges():
    # inputs 4–16, kernels 1–5 or 7, strides 1–3, padding 0–3, dilation 2 one time in four
    kept = fitting_settings()
    questions = size_questions(1500, seed=11)
    drawn = [(q.n, q.kernel, q.stride, q.padding, q.dilation) for q in questions]
    assert set(drawn) <= set(kept)
    for axis, want in enumerate([set(range(4, 17)), {1, 2, 3, 4, 5, 7}, {1, 2, 3},
                                 {0, 1, 2, 3}, {1, 2}]):
        assert {setting[axis] for setting in drawn} == want
    dilated = sum(c for s, c in kept.items() if s[4] == 2) / sum(kept.values())
    assert sum(q.dilation == 2 for q in questions) / len(questions) == \
        pytest.approx(dilated, abs=0.04)


def test_a_seeded_round_repeats_and_keeps_asking_new_questions():
    def asked(seed, count):
        quiz = QuizRound(seed=seed)
        return [dataclasses.astuple(quiz.ask_size()) for _ in range(count)]

    for seed in (0, 1):
        first = asked(seed, 70)
        assert first == asked(seed, 70)  # the same seed, the same round
        assert len(set(first)) > 50  # not a short list asked over and over


def test_answering_without_a_size_question_is_refused():
    quiz = QuizRound(seed=2)
    with pytest.raises(ValueError) as info:
        quiz.answer_size("3")
    assert str(info.value) == "there is no size question to answer"
