"""Tokens, word vectors, unknown words, filters from words, the phrases and the classifier."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.text import characters, tokenize
from explorer.core.text.classifier import (
    DEFAULT_WIDTHS,
    TextCNN,
    loss_and_gradients,
    pad_to_fit,
    train,
)
from explorer.core.text.phrases import (
    LABELS,
    Phrase,
    default_sets,
    load_ratings,
    make_phrases,
    split_words,
)
from explorer.core.text.vectors import (
    ALPHABET,
    character_vectors,
    filter_from_words,
    glove_vectors,
    load_word_vectors,
)
from explorer.resources import resource_path


def test_tokens_are_lower_case_words_and_marks_with_their_places():
    sentence = "The film wasn't GOOD, was it?"
    tokens = tokenize(sentence)
    assert [t.text for t in tokens] == ["the", "film", "was", "n't", "good", ",", "was", "it",
                                        "?"]
    for t in tokens:
        assert sentence[t.start:t.end].lower() == t.text
    assert (tokens[3].start, tokens[3].end) == (12, 15)


def test_tokens_split_clitics_and_keep_accents_and_curly_apostrophes():
    assert [t.text for t in tokenize("It’s Émile's café; we'll see")] == [
        "it", "'s", "émile", "'s", "café", ";", "we", "'ll", "see"]
    assert [t.text for t in tokenize("'quoted'")] == ["'", "quoted", "'"]
    assert tokenize("   ") == []


def test_characters_keep_single_spaces_between_words():
    chars = characters("  Ab   c ")
    assert [c.text for c in chars] == ["a", "b", " ", "c"]
    assert [c.start for c in chars] == [2, 3, 4, 7]


def test_tokenize_refuses_non_text():
    with pytest.raises(ValueError, match="must be text"):
        tokenize(42)


def test_shipped_vectors_are_glove_and_know_everyday_words():
    glove = glove_vectors()
    assert glove.dim == 50 and len(glove.words) > 10_000
    # the first numbers of "the" in glove.6B.50d.txt (float16 in the shipped file)
    np.testing.assert_allclose(glove.vector("the")[:3], [0.418, 0.24968, -0.41242], atol=1e-3)
    for word in ("good", "bad", "not", "n't", "movie", ".", "terrible"):
        assert word in glove


def test_unknown_words_are_kept_as_zero_rows_and_flagged():
    glove = glove_vectors()
    embedded = glove.embed("the zorblaxian film was good")
    assert [t.text for t in embedded.tokens] == ["the", "zorblaxian", "film", "was", "good"]
    assert embedded.known.tolist() == [True, False, True, True, True]
    assert embedded.unknown == ["zorblaxian"]
    assert embedded.vectors.shape == (5, 50)
    assert not embedded.vectors[1].any()
    np.testing.assert_array_equal(embedded.vectors[4], glove.vector("good"))


def test_character_vectors_are_one_hot_and_flag_unknown_characters():
    chars = character_vectors()
    embedded = chars.embed("Hi ☃")
    assert [t.text for t in embedded.tokens] == ["h", "i", " ", "☃"]
    assert embedded.known.tolist() == [True, True, True, False]
    assert embedded.vectors[0].argmax() == ALPHABET.index("h")
    assert embedded.vectors.sum(axis=1).tolist() == [1, 1, 1, 0]


def test_filter_from_words_rows_are_the_words_unit_vectors():
    glove = glove_vectors()
    f = filter_from_words(glove, ["not", "good"])
    assert f.shape == (2, 50)
    for row, word in zip(f, ["not", "good"], strict=True):
        v = glove.vector(word)
        np.testing.assert_allclose(row, v / np.sqrt((v.astype(np.float64) ** 2).sum()),
                                   rtol=1e-5)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        filter_from_words(glove, ["not", "zorblaxian"])
    with pytest.raises(ValueError, match="at least one word"):
        filter_from_words(glove, [])


def test_damaged_vector_file_is_refused(tmp_path):
    bad = tmp_path / "vectors.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="cannot read the word vectors"):
        load_word_vectors(bad, "broken")


def test_ratings_and_phrases():
    ratings = load_ratings()
    assert ratings["good"] > 0 > ratings["terrible"]
    train_words, test_words = split_words(ratings)
    assert not set(train_words) & set(test_words)
    phrases = make_phrases(ratings, train_words, 400, seed=3)
    assert sum(p.label for p in phrases) == 200  # balanced
    negations = {"not", "never", "n't"}
    for p in phrases:
        rated = [w for w in p.tokens if w in ratings]
        assert len(rated) == 1 and rated[0] in train_words, p
        sign = ratings[rated[0]] > 0
        negated = bool(negations & set(p.tokens))
        assert p.label == int(sign != negated), p
    assert any(negations & set(p.tokens) for p in phrases)


def test_ratings_file_errors(tmp_path):
    bad = tmp_path / "words.tsv"
    bad.write_text("good 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        load_ratings(bad)


def numeric_gradient(model, x, y, params, index, eps=1e-3):
    """Central difference of the loss in one parameter entry, in float64."""
    p = params[index]
    flat = p.reshape(-1)
    out = np.zeros(flat.size)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = loss_and_gradients(model, x, y, 0.01)[0]
        flat[i] = keep - eps
        down = loss_and_gradients(model, x, y, 0.01)[0]
        flat[i] = keep
        out[i] = (up - down) / (2 * eps)
    return out.reshape(p.shape)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(5)
    model = TextCNN.random([2, 3], dim=3, seed=1)
    model.weights = rng.normal(size=model.weights.shape)
    # float64 everywhere, so a finite difference is precise enough to compare
    model.filters = [f.astype(np.float64) for f in model.filters]
    model.biases = model.biases.astype(np.float64)
    model.weights = model.weights.astype(np.float64)
    model.out_bias = model.out_bias.astype(np.float64)
    x = rng.normal(size=(4, 6, 3))
    y = np.array([0, 1, 1, 0])
    _, grads, _, _ = loss_and_gradients(model, x, y, 0.01)
    params = [*model.filters, model.biases, model.weights, model.out_bias]
    for i in range(len(params)):
        np.testing.assert_allclose(grads[i], numeric_gradient(model, x, y, params, i),
                                   rtol=1e-4, atol=1e-6)


def test_classifier_learns_the_phrases_above_chance_quickly():
    glove = glove_vectors()
    phrases, held_out = default_sets(train_count=3000, held_out_count=400)
    model = TextCNN.random(DEFAULT_WIDTHS, glove.dim, seed=0)
    steps = list(train(model, glove, phrases, held_out, epochs=6))
    assert [s.epoch for s in steps] == [1, 2, 3, 4, 5, 6]
    assert steps[-1].loss < steps[0].loss
    assert steps[-1].accuracy > 0.65
    # held-out phrases are built around words never trained on: chance is 50 % (±2.5 % on
    # 400 phrases), so 62 % is far beyond luck
    assert steps[-1].held_out_accuracy > 0.62
    assert model.trained


def test_shipped_model_reads_negation():
    glove = glove_vectors()
    model = TextCNN.load(resource_path("text", "textcnn_glove50.npz"))
    assert model.labels == LABELS and sorted(set(model.widths)) == [2, 3, 4]

    def positive(text):
        x = pad_to_fit(glove.embed(text).vectors, model.min_length)
        return model.predict(x).probabilities[1]

    assert positive("the film was good") > 0.5 > positive("the film was not good")
    assert positive("terrible") < 0.5


def test_predict_pools_each_map_at_its_first_maximum():
    glove = glove_vectors()
    model = TextCNN.load(resource_path("text", "textcnn_glove50.npz"))
    x = glove.embed("honestly the film was not good at all").vectors
    pred = model.predict(x)
    for k, f in enumerate(model.filters):
        # the slow way: every window's products summed, plus the bias
        responses = [float((x[t:t + len(f)] * f).sum() + model.biases[k])
                     for t in range(len(x) - len(f) + 1)]
        np.testing.assert_allclose(pred.maps[k], responses, rtol=1e-5, atol=1e-5)
        assert pred.positions[k] == int(np.argmax(responses))
    logits = pred.pooled @ model.weights + model.out_bias
    np.testing.assert_allclose(pred.probabilities[1],
                               1 / (1 + np.exp(logits[0] - logits[1])), rtol=1e-5)


def test_model_round_trip_and_bad_files(tmp_path):
    model = TextCNN.random([2, 4], 5, seed=2)
    model.save(tmp_path / "m.npz")
    back = TextCNN.load(tmp_path / "m.npz")
    assert back.widths == [2, 4]
    for a, b in zip(back.filters, model.filters, strict=True):
        np.testing.assert_array_equal(a, b)
    (tmp_path / "bad.npz").write_bytes(b"nope")
    with pytest.raises(ValueError, match="cannot read the text network"):
        TextCNN.load(tmp_path / "bad.npz")


def test_training_refuses_mismatched_vectors():
    model = TextCNN.random([2], 7)
    with pytest.raises(ValueError, match="rebuild the filters"):
        next(train(model, glove_vectors(), [Phrase(("good",), 1)]))
