"""helpers.charlm against independent references: the corpus hash, the gradient by finite
differences, a uniform model's perplexity, the unigram entropy, truncation with carried state."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import sys

import numpy as np
import pytest

from helpers import charlm, gradcheck, stacking


def _tiny(V=5, H=3, seed=3):
    return stacking.unstack(charlm.init_stack(V, H, seeds=[seed]), 0)


def test_corpus_is_the_recorded_slice_of_the_stdlib_sources():
    parts = []
    for name in charlm.CORPUS_MODULES:
        with open(importlib.util.find_spec(name).origin, encoding="utf-8") as f:
            parts.append(f.read())
    text = "".join(parts)[: charlm.CORPUS_CHARS]
    corpus = charlm.load_corpus()
    assert corpus.text == text
    assert corpus.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert corpus.matches == (corpus.sha256 == charlm.CORPUS_SHA256)
    if sys.version_info[:3] == (3, 11, 7):
        assert corpus.matches, "the recorded hash is that of CPython 3.11.7's sources"


def test_another_text_is_reported_not_refused():
    corpus = charlm.load_corpus(n_chars=1000)
    assert not corpus.matches and len(corpus.text) == 1000


def test_vocab_maps_rare_characters_to_one_symbol():
    vocab = charlm.build_vocab("aaabbbc", min_count=2)
    assert vocab.chars == "ab" + charlm.RARE
    ids = charlm.encode("abcz", vocab)
    assert ids.tolist() == [0, 1, 2, 2]
    assert charlm.decode(ids, vocab) == "ab" + 2 * charlm.RARE


def test_unigram_entropy_closed_form():
    ids = np.array([0, 0, 1, 2])  # p = 1/2, 1/4, 1/4
    assert math.isclose(charlm.unigram_entropy(ids, 4), 1.5 * math.log(2), rel_tol=1e-12)


def test_uniform_model_has_perplexity_V():
    V = 7
    params = _tiny(V=V, H=4)
    params["Wy"][:] = 0.0
    params["by"][:] = 0.0
    rng = np.random.default_rng(0)
    ids = rng.integers(0, V, size=(6, 3))
    loss, _, _ = charlm.loss_and_grads(params, ids[:-1], ids[1:])
    assert math.isclose(math.exp(loss), V, rel_tol=1e-12)
    assert math.isclose(math.exp(charlm.held_out_loss(params, ids, 2)), V, rel_tol=1e-12)


def test_streams_are_contiguous_columns():
    s = charlm.streams(np.arange(23), 4)
    assert s.shape == (5, 4)
    assert s[:, 2].tolist() == [10, 11, 12, 13, 14]


@pytest.mark.parametrize("with_h0", [False, True])
def test_gradient_matches_finite_differences(with_h0):
    params = _tiny()
    x = np.array([[0, 1], [2, 3], [4, 0], [1, 1]])
    y = np.array([[1, 2], [3, 4], [0, 1], [2, 0]])
    h0 = np.array([[0.1, -0.2, 0.3], [0.0, 0.5, -0.4]]) if with_h0 else None
    _, grads, _ = charlm.loss_and_grads(params, x, y, h0)
    num = gradcheck.numerical_gradient(lambda p: charlm.loss_and_grads(p, x, y, h0)[0], params)
    for k in params:
        assert gradcheck.rel_error(grads[k], num[k]) < 1e-7, k


def test_stack_gives_each_model_its_separate_run():
    stack = charlm.init_stack(6, 4, seeds=[0, 5])
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 6, size=(5, 3))
    loss, grads, h = charlm.loss_and_grads(stack, ids[:-1], ids[1:])
    for m in range(2):
        one = stacking.unstack(stack, m)
        l1, g1, h1 = charlm.loss_and_grads(one, ids[:-1], ids[1:])
        assert math.isclose(loss[m], l1, rel_tol=1e-12)
        assert np.allclose(h[m], h1, rtol=1e-12, atol=1e-15)
        for k in g1:
            assert np.allclose(grads[k][m], g1[k], rtol=1e-10, atol=1e-14)


def test_carried_state_keeps_the_value_and_cuts_the_gradient():
    params = _tiny(V=4, H=3, seed=2)
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 4, size=(9, 2))
    x, y = ids[:-1], ids[1:]
    # the state after two chunks equals the state after the whole sequence
    _, g1, h = charlm.loss_and_grads(params, x[:4], y[:4])
    _, g2, h_end = charlm.loss_and_grads(params, x[4:], y[4:], h)
    _, _, h_full = charlm.loss_and_grads(params, x, y)
    assert np.allclose(h_end, h_full, atol=1e-14)
    # chunk 2's gradient treats h as a constant: finite differences of chunk 2's loss with
    # h held fixed agree; the full sequence's gradient (through h) differs
    num = gradcheck.numerical_gradient(
        lambda p: charlm.loss_and_grads(p, x[4:], y[4:], h)[0], params
    )
    assert gradcheck.rel_error(g2["Wh"], num["Wh"]) < 1e-7
    _, g_full, _ = charlm.loss_and_grads(params, x, y)
    truncated = 0.5 * (g1["Wh"] + g2["Wh"])  # both chunks have 4 steps: mean of the means
    assert gradcheck.rel_error(truncated, g_full["Wh"]) > 1e-3


def test_held_out_loss_is_the_mean_over_predictions():
    params = _tiny(V=5, H=3, seed=4)
    ids = np.random.default_rng(3).integers(0, 5, size=(8, 2))
    logp, _ = charlm.log_probs(params, ids[:-1])
    want = -np.take_along_axis(logp, ids[1:, :, None], axis=-1).mean()
    for k in (1, 3, 7, 20):  # carrying the state: the chunk length does not matter
        assert math.isclose(charlm.held_out_loss(params, ids, k), want, rel_tol=1e-12)


def test_sample_is_seeded_and_cold_sampling_is_greedy():
    corpus_vocab = charlm.build_vocab("abcde" * 30)
    params = _tiny(V=corpus_vocab.size, H=4, seed=7)
    rng = lambda: np.random.default_rng(0)  # noqa: E731
    a = charlm.sample(params, corpus_vocab, "ab", 20, temperature=1.0, rng=rng())
    assert a == charlm.sample(params, corpus_vocab, "ab", 20, temperature=1.0, rng=rng())
    cold = charlm.sample(params, corpus_vocab, "ab", 10, temperature=1e-3, rng=rng())
    h = np.zeros((1, 4))
    c = charlm.encode("ab", corpus_vocab)
    for i in c[:-1]:
        _, h = charlm.next_probs(params, h, np.array([i]))
    greedy, cur = [], c[-1:]
    for _ in range(10):
        p, h = charlm.next_probs(params, h, cur)
        cur = np.array([int(np.argmax(p[0]))])
        greedy.append(corpus_vocab.chars[cur[0]])
    assert cold == "".join(greedy)


def test_held_out_loss_with_reset_scores_each_chunk_from_zero():
    params = _tiny(V=5, H=3, seed=4)
    ids = np.random.default_rng(5).integers(0, 5, size=(9, 2))
    total = 0.0
    for s in range(0, 8, 3):  # chunks of inputs 0-2, 3-5, 6-7, each read from h = 0
        logp, _ = charlm.log_probs(params, ids[s : min(s + 3, 8)])
        total -= np.take_along_axis(logp, ids[s + 1 : min(s + 4, 9), :, None], axis=-1).sum()
    got = charlm.held_out_loss(params, ids, 3, carry=False)
    assert math.isclose(got, total / (8 * 2), rel_tol=1e-12)
    assert got != charlm.held_out_loss(params, ids, 3)


def test_sample_stack_gives_each_model_its_greedy_text_when_cold():
    vocab = charlm.build_vocab("abcde" * 30)
    stack = charlm.init_stack(vocab.size, 4, seeds=[7, 8, 9])
    texts = charlm.sample_stack(
        stack, vocab, "ab", 12, streams=2, temperature=1e-3, rng=np.random.default_rng(0)
    )
    for m in range(3):  # argmax decoding written out, one model at a time
        one = stacking.unstack(stack, m)
        h, out = np.zeros(4), []
        for c in charlm.encode("ab", vocab):
            h = np.tanh(one["Wx"][:, c] + one["Wh"] @ h + one["b"])
        for _ in range(12):
            out.append(int(np.argmax(one["Wy"] @ h + one["by"])))
            h = np.tanh(one["Wx"][:, out[-1]] + one["Wh"] @ h + one["b"])
        want = "".join(vocab.chars[i] for i in out)
        assert texts[m] == [want, want]


def test_sample_stack_draws_with_the_model_probabilities():
    vocab = charlm.build_vocab("abcde" * 30)
    stack = charlm.init_stack(vocab.size, 4, seeds=[1, 2])
    stack["Wh"][:] = 0.0  # each character then depends only on the one before it
    stack["Wx"][:] *= 3.0
    texts = charlm.sample_stack(stack, vocab, "a", 4000, streams=5, rng=np.random.default_rng(2))
    for m in range(2):
        one = stacking.unstack(stack, m)
        h = np.tanh(one["Wx"][:, 0] + one["b"])
        z = one["Wy"] @ h + one["by"]
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        text = "".join(texts[m])
        after_a = [text[i + 1] for i in range(len(text) - 1) if text[i] == "a"]
        freq = np.array([after_a.count(c) for c in vocab.chars]) / len(after_a)
        assert np.abs(freq - p).max() < 4 * np.sqrt(0.25 / len(after_a))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda p: charlm.loss_and_grads(p, np.array([[0, 9]]), np.array([[0, 1]])), "ids"),
        (lambda p: charlm.loss_and_grads(p, np.array([[0.5]]), np.array([[0]])), "ids"),
        (lambda p: charlm.loss_and_grads(p, np.array([[0, 1]]), np.array([[0]])), "targets"),
        (lambda p: charlm.held_out_loss(p, np.array([[0, 1]]), 2), "ids"),
        (lambda p: charlm.held_out_loss(p, np.array([[0], [1]]), 0), "k"),
        (lambda p: charlm.next_probs(p, np.zeros((1, 3)), np.array([0]), 0.0), "temperature"),
        (lambda p: charlm.streams(np.arange(10), 0), "batch"),
        (lambda p: charlm.load_corpus(n_chars=-1), "n_chars"),
        (lambda p: charlm.init_stack(5, 3, seeds=[0], dtype=np.int64), "dtype"),
        (lambda p: charlm.loss_and_grads(None, np.array([[0]]), np.array([[0]])), "params"),
        (lambda p: charlm.held_out_loss(None, np.array([[0], [1]]), 2), "params"),
        (lambda p: charlm.next_probs(None, np.zeros((1, 3)), np.array([0])), "params"),
        (lambda p: charlm.sample(p, "abc", "a", 3, rng=np.random.default_rng(0)), "vocab"),
        (lambda p: charlm.held_out_loss(p, np.array([[0], [1]]), 2, carry=1), "carry"),
        (
            lambda p: charlm.sample_stack(p, "abc", "a", 3, rng=np.random.default_rng(0)),
            "vocab",
        ),
        (
            lambda p: charlm.sample_stack(
                stacking.stack([p]), charlm.Vocab("abcde"), "a", 3, streams=0, rng=None
            ),
            "streams",
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call(_tiny())
