"""helpers.lm: one-hot inputs, softmax with temperature, the language model's answer
distribution and accuracy, answer-only targets, and sampling — each against an independent
computation (a hand-written step loop, a closed form, finite differences, frequencies)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import gru, lm, lstm, rnn, tasks, train
from helpers.gradcheck import numerical_gradient, rel_error

V = len(tasks.VOCAB)


def _model(cell, H=6, seed=0, **init_kw):
    rng = np.random.default_rng(seed)
    params = cell.init(V, H, rng=rng, **init_kw)
    params.update(train.readout_init(H, V, rng=rng))
    return params


def test_one_hot_selects_columns_of_wx():
    ids = np.array([[0, 3], [5, V - 1]])
    x = lm.one_hot(ids, V)
    assert x.shape == (2, 2, V) and x.sum() == 4
    assert np.all(x.argmax(axis=-1) == ids)
    W = np.random.default_rng(0).normal(size=(4, V))
    # W_x e_i is column i of W_x: the one-hot input *is* an embedding lookup
    assert np.allclose(x @ W.T, W.T[ids])
    with pytest.raises(ValueError, match="ids must hold ids"):
        lm.one_hot(np.array([V]), V)
    with pytest.raises(TypeError, match="ids must be integer"):
        lm.one_hot(np.array([0.5]), V)


def test_softmax_and_temperature_closed_forms():
    z = np.array([2.0, 0.5, -1.0])
    p = lm.softmax(z)
    assert np.allclose(p, np.exp(z) / np.exp(z).sum())
    # two classes: p_0 = σ((z_0 − z_1)/τ)
    for tau in (0.25, 1.0, 4.0):
        q = lm.softmax(np.array([1.5, -0.5]), tau)
        assert np.isclose(q[0], 1 / (1 + np.exp(-2.0 / tau)))
    # softmax(z/τ) ∝ p^(1/τ)
    tau = 0.5
    r = p ** (1 / tau)
    assert np.allclose(lm.softmax(z, tau), r / r.sum())
    # huge logits: no overflow
    assert np.allclose(lm.softmax(np.array([1000.0, 0.0])), [1.0, 0.0])
    with pytest.raises(ValueError, match="temperature must be > 0"):
        lm.softmax(z, 0.0)


def test_logits_match_a_hand_written_rnn_loop():
    params = _model(rnn)
    batch = tasks.stories(3, [0, 1, 2], rng=np.random.default_rng(1))
    inputs, _ = batch.lm_pairs()
    out = lm.logits(rnn, params, inputs)
    T, B = inputs.shape
    h = np.zeros((B, 6))
    for t in range(T):
        emb = params["Wx"][:, inputs[t]].T  # embedding lookup, no one-hot
        h = np.tanh(emb + h @ params["Wh"].T + params["b"])
        assert np.allclose(out[t], h @ params["Wy"].T + params["by"], atol=1e-12)


def test_answer_probs_read_the_prefix_that_ends_at_said_hi_to():
    params = _model(gru, seed=3)
    batch = tasks.stories(4, [0, 2, 1, 3], rng=np.random.default_rng(2), pad_to=40)
    probs = lm.answer_probs(gru, params, batch)
    assert probs.shape == (4, V) and np.allclose(probs.sum(axis=1), 1)
    for j in range(4):
        prefix = batch.tokens[: batch.answer_pos[j], j]  # "... said hi to"
        assert tasks.VOCAB.words(prefix[-3:]) == ["said", "hi", "to"]
        alone = lm.logits(gru, params, prefix[:, None])[-1, 0]
        assert np.allclose(probs[j], lm.softmax(alone), atol=1e-12)


def test_accuracy_by_distance_for_a_model_that_always_says_one_name():
    params = _model(rnn)
    params["Wy"][:] = 0.0
    params["by"][:] = 0.0
    mary = tasks.VOCAB.ids(["Mary"])[0]
    params["by"][mary] = 5.0
    batch = tasks.stories(300, np.arange(300) % 3, rng=np.random.default_rng(4))
    dists, acc, counts = lm.accuracy_by_distance(rnn, params, batch)
    assert dists.tolist() == [tasks.distance_of(n) for n in range(3)]
    assert counts.tolist() == [100, 100, 100]
    for d, a in zip(dists, acc, strict=True):
        assert a == np.mean(batch.answer[batch.distance == d] == mary)


@pytest.mark.parametrize("cell", [rnn, lstm, gru])
def test_answer_only_loss_gradient_matches_finite_differences(cell):
    params = _model(cell, H=4, seed=5)
    batch = tasks.stories(3, [0, 1, 2], rng=np.random.default_rng(6))
    inputs, _ = batch.lm_pairs()
    xs = lm.one_hot(inputs, V)
    ys = lm.answer_targets(batch)
    assert np.sum(ys >= 0) == 3 and np.array_equal(ys[batch.answer_pos - 1, range(3)], batch.answer)
    value, grads = train.loss_and_grads(cell, params, xs, ys, loss="xent_all")
    # the loss is the mean −log p(answer), computed here from the probabilities
    p = lm.answer_probs(cell, params, batch)
    assert np.isclose(value, -np.mean(np.log(p[range(3), batch.answer])))
    num = numerical_gradient(
        lambda q: train.loss_and_grads(cell, q, xs, ys, loss="xent_all")[0], params
    )
    assert rel_error(grads, num) < 1e-6


def test_batch_source_shapes_and_answer_only_targets():
    data = lm.batch_source(8, [0, 2], rng=np.random.default_rng(7))
    xs, ys = data(0)
    longest = tasks.stories(1, 2, rng=np.random.default_rng(0)).tokens.shape[0]
    assert xs.shape == (longest - 1, 8, V) and ys.shape == (longest - 1, 8)
    assert np.all(xs.sum(axis=-1) == 1)
    only = lm.batch_source(8, [0, 2], rng=np.random.default_rng(7), answer_only=True)
    xs2, ys2 = only(0)
    assert np.array_equal(xs, xs2)
    kept = ys2 >= 0
    assert np.all(kept.sum(axis=0) == 1)  # one target per story
    assert np.all(np.isin(ys2[kept], tasks.VOCAB.name_ids))
    assert np.array_equal(ys2[kept], ys[kept])
    with pytest.raises(ValueError, match="n_filler must be a non-empty list"):
        lm.batch_source(8, [], rng=np.random.default_rng(0))


def test_generate_greedy_and_with_temperature():
    params = _model(rnn)
    params["Wy"][:] = 0.0
    params["by"][:] = -50.0
    ids = tasks.VOCAB.ids(["John", "Mary", "."])
    params["by"][ids] = np.log([0.6, 0.3, 0.1])  # a model whose next word ignores the story
    prompt = ["Jane", "walked", "in", "."]
    assert lm.generate(rnn, params, prompt, max_words=3) == ["John", "John", "John"]
    rng = np.random.default_rng(8)
    draws = [
        lm.generate(rnn, params, prompt, temperature=1.0, rng=rng, max_words=1)[0]
        for _ in range(1500)
    ]
    freq = np.array([draws.count(w) for w in ("John", "Mary", ".")]) / 1500
    assert np.all(np.abs(freq - [0.6, 0.3, 0.1]) < 4 * np.sqrt(0.25 / 1500))
    # temperature 0.5 squares the probabilities (then renormalises): 0.36 : 0.09 : 0.01
    draws = [
        lm.generate(rnn, params, prompt, temperature=0.5, rng=rng, max_words=1)[0]
        for _ in range(1500)
    ]
    expected = np.array([0.36, 0.09, 0.01]) / 0.46
    freq = np.array([draws.count(w) for w in ("John", "Mary", ".")]) / 1500
    assert np.all(np.abs(freq - expected) < 4 * np.sqrt(0.25 / 1500))
    # stop word ends the continuation
    params["by"][ids[2]] = 5.0
    assert lm.generate(rnn, params, prompt, stop=".") == ["."]


def test_generate_rejects_bad_arguments():
    params = _model(rnn)
    with pytest.raises(TypeError, match="needs rng"):
        lm.generate(rnn, params, ["Jane"], temperature=1.0)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        lm.generate(rnn, params, ["Zebedee"])
    with pytest.raises(ValueError, match="prompt must contain"):
        lm.generate(rnn, params, [])
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        lm.generate(rnn, params, ["Jane"], temperature=-1.0)
    with pytest.raises(ValueError, match="stop must be a word"):
        lm.generate(rnn, params, ["Jane"], stop="Zebedee")
    with pytest.raises(TypeError, match="batch must be"):
        lm.answer_probs(rnn, params, np.zeros((3, 2), dtype=int))


def test_distance_model_explorer_shows_the_accuracy_of_each_run():
    from helpers.explorers.nb08 import distance_model

    fixed = _model(rnn)
    fixed["Wy"][:] = 0.0
    fixed["by"][:] = 0.0
    john = tasks.VOCAB.ids(["John"])[0]
    fixed["by"][john] = 20.0  # always says John: accuracy = share of stories whose answer is John
    tests = {n: tasks.stories(50, n, rng=np.random.default_rng(n)) for n in (0, 1)}
    ex = distance_model({"always John": (rnn, fixed, {})}, n_filler=(0, 1), tests=tests)
    (line,) = [ln for ln in ex.figure.axes[1].get_lines() if ln.get_label() == "always John"]
    expected = [np.mean(tests[n].answer == john) for n in (0, 1)]
    assert np.allclose(line.get_ydata(), expected)
    assert list(line.get_xdata()) == [9, 13]
    ex.update(distance=13)
    heights = [bar.get_height() for bar in ex.figure.axes[0].patches]
    assert np.isclose(heights[tasks.NAMES.index("John")], 1.0, atol=1e-3)
    with pytest.raises(ValueError, match="has no model for n_filler"):
        distance_model({"m": {0: (rnn, fixed, {})}}, n_filler=(0, 1), tests=tests)
    with pytest.raises(TypeError, match="must be"):
        distance_model({"m": ("rnn", fixed, {})}, n_filler=(0, 1), tests=tests)
    with pytest.raises(ValueError, match="tests\\[1\\] must be"):
        distance_model({"m": (rnn, fixed, {})}, n_filler=(0, 1), tests={0: tests[0], 1: tests[0]})


def test_answer_probs_and_accuracy_of_a_stack_are_those_of_each_model():
    from helpers import stacking

    stack = train.init_stack(rnn, len(tasks.VOCAB), 5, len(tasks.VOCAB), seeds=[0, 1, 2])
    batch = tasks.stories(12, [0, 1, 2] * 4, rng=np.random.default_rng(3))
    probs = lm.answer_probs(rnn, stack, batch)
    _, acc, _ = lm.accuracy_by_distance(rnn, stack, batch)
    assert probs.shape == (3, 12, len(tasks.VOCAB)) and acc.shape == (3, 3)
    for m in range(3):
        one = stacking.unstack(stack, m)
        assert np.allclose(probs[m], lm.answer_probs(rnn, one, batch), rtol=1e-12, atol=0)
        assert np.array_equal(acc[m], lm.accuracy_by_distance(rnn, one, batch)[1])
    with pytest.raises(ValueError, match="generate takes one model"):
        lm.generate(rnn, stack, ["Jane"])


def test_softmax_refuses_nan_and_gives_inf_scores_all_the_probability():
    import pytest

    from helpers import lm

    with pytest.raises(ValueError, match="logits contain 1 NaN"):
        lm.softmax(np.array([0.0, np.nan, 1.0]))
    p = lm.softmax(np.array([[0.0, np.inf, np.inf, -np.inf], [0.0, 1.0, 2.0, 3.0]]))
    assert np.array_equal(p[0], [0.0, 0.5, 0.5, 0.0])
    e = np.exp([0.0, 1.0, 2.0, 3.0])
    assert np.allclose(p[1], e / e.sum(), rtol=1e-14)
    with pytest.raises(ValueError, match="a row of -inf scores only"):
        lm.softmax(np.full(3, -np.inf))
