"""helpers.generative: the character task, scheduled-sampling inputs, free-running generation.

Inputs and generations are checked against an independent path through the model
(``helpers.rnn.forward`` + the read-out), not against the module's own step function.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import generative, optim, rnn


def model(seed: int = 0, sharp: float = 1.0) -> dict[str, np.ndarray]:
    params = generative.init_model(8, rng=np.random.default_rng(seed))
    params["Wy"] = params["Wy"] * sharp  # large ``sharp``: softmax ≈ one-hot at the argmax
    return params


def logits_of(params, xs):
    """Independent forward pass: helpers.rnn + read-out, (T, B, V)."""
    hs, _ = rnn.forward({k: params[k] for k in rnn.PARAM_NAMES}, xs)
    return hs @ params["Wy"].T + params["by"]


def test_vocabulary_and_round_trip():
    assert generative.VOCAB == " .acehmnost" and generative.V == 11
    ids = generative.encode("the cat")
    assert ids.tolist() == [10, 5, 4, 0, 3, 2, 10]  # ' '=0 '.'=1 a=2 c=3 e=4 h=5 … t=10
    assert generative.decode(ids) == "the cat"
    assert generative.decode(generative.encode(generative.TEXT)) == generative.TEXT


def test_windows_are_pieces_of_the_endless_text():
    ids = generative.windows(50, 40, rng=np.random.default_rng(1))
    assert ids.shape == (40, 50) and ids.dtype == np.int64
    endless = generative.TEXT * 4
    for column in ids.T:
        assert generative.decode(column) in endless


def test_one_hot():
    x = generative.one_hot(np.array([[0, 3], [10, 1]]))
    assert x.shape == (2, 2, generative.V)
    assert np.array_equal(x.sum(axis=-1), np.ones((2, 2)))
    assert x[1, 0, 10] == 1.0 and x[0, 1, 3] == 1.0


def test_teacher_forcing_feeds_the_truth():
    ids = generative.windows(5, 13, rng=np.random.default_rng(2))
    xs, truth = generative.scheduled_inputs(model(), ids, 1.0, rng=np.random.default_rng(3))
    assert np.array_equal(xs, generative.one_hot(ids[:-1]))
    assert truth.shape == (12, 5) and truth.all()


def test_free_running_feeds_the_models_own_prediction():
    """ε = 0: every input after the first is the model's own choice at the step before.

    With a very sharp softmax the sample is the argmax; the argmax is recomputed with
    helpers.rnn.forward on the inputs actually fed.
    """
    params = model(sharp=1e4)
    ids = generative.windows(20, 16, rng=np.random.default_rng(4))
    xs, truth = generative.scheduled_inputs(params, ids, 0.0, rng=np.random.default_rng(5))
    fed = xs.argmax(axis=-1)
    assert np.array_equal(fed[0], ids[0]) and truth[0].all() and not truth[1:].any()
    own = logits_of(params, xs).argmax(axis=-1)
    assert np.array_equal(fed[1:], own[:-1])


def test_scheduled_sampling_mixes_in_proportion():
    params = model(sharp=1e4)
    ids = generative.windows(4000, 6, rng=np.random.default_rng(6))
    xs, truth = generative.scheduled_inputs(params, ids, 0.3, rng=np.random.default_rng(7))
    assert abs(truth[1:].mean() - 0.3) < 0.01  # 20 000 coins: sd 0.003
    fed = xs.argmax(axis=-1)
    own = logits_of(params, xs).argmax(axis=-1)
    assert np.array_equal(fed[1:][truth[1:]], ids[1:-1][truth[1:]])
    assert np.array_equal(fed[1:][~truth[1:]], own[:-1][~truth[1:]])


def test_samples_follow_the_softmax():
    """With a flat model (zero read-out) every character is equally likely: 1/V each."""
    params = model()
    params["Wy"][:] = 0.0
    ids = generative.windows(20_000, 3, rng=np.random.default_rng(8))
    xs, _ = generative.scheduled_inputs(params, ids, 0.0, rng=np.random.default_rng(9))
    counts = np.bincount(xs[1].argmax(axis=-1), minlength=generative.V) / 20_000
    np.testing.assert_allclose(counts, 1 / generative.V, atol=0.012)  # ~5 sd


def test_generate_is_greedy_free_running():
    params = model(seed=3)
    prompt = generative.windows(6, 5, rng=np.random.default_rng(10))
    out = generative.generate(params, prompt, 12)
    assert out.shape == (12, 6)
    # Feed prompt + generated text through the independent forward pass: at every step
    # from the end of the prompt on, the most likely next character is the generated one.
    full = np.concatenate([prompt, out[:-1]])
    pred = logits_of(params, generative.one_hot(full)).argmax(axis=-1)
    assert np.array_equal(pred[len(prompt) - 1 :], out)
    assert generative.generate(params, prompt[:, 0], 3).shape == (3, 1)


def test_teacher_forced_predictions():
    params = model(seed=4)
    ids = generative.windows(3, 9, rng=np.random.default_rng(11))
    pred = generative.teacher_forced_predictions(params, ids)
    assert np.array_equal(pred, logits_of(params, generative.one_hot(ids[:-1])).argmax(-1))


def test_teacher_forcing_learns_the_sentence():
    """The notebook's claim: 150 teacher-forced updates learn the sentence perfectly
    (every next character right once 10 characters of context have been read)."""
    params = generative.init_model(32, rng=np.random.default_rng(0))
    start = generative.windows(64, 25, rng=np.random.default_rng(12))
    trained, losses = generative.fit(
        params, steps=150, optimizer=optim.Adam(lr=0.005), rng=np.random.default_rng(10)
    )
    assert losses.shape == (150,) and losses[0] > 2.0 and losses[-10:].mean() < 0.2
    pred = generative.teacher_forced_predictions(trained, start)
    assert (pred[9:] == start[10:]).mean() == 1.0
    assert np.array_equal(
        params["Wh"], generative.init_model(32, rng=np.random.default_rng(0))["Wh"]
    )


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: generative.encode("the dog"), ValueError, "vocabulary"),
        (lambda: generative.encode(42), TypeError, "text"),
        (lambda: generative.decode(np.array([[1, 2]])), ValueError, "ids"),
        (lambda: generative.decode(np.array([11])), ValueError, "ids"),
        (lambda: generative.one_hot(np.array([-1])), ValueError, "ids"),
        (lambda: generative.windows(0, 5, rng=np.random.default_rng(0)), ValueError, "n"),
        (lambda: generative.windows(2, 1, rng=np.random.default_rng(0)), ValueError, "length"),
        (lambda: generative.windows(2, 5, rng=3), TypeError, "rng"),
        (lambda: generative.init_model(0, rng=np.random.default_rng(0)), ValueError, "hidden"),
        (
            lambda: generative.scheduled_inputs(
                model(), np.zeros((4, 2), int), 1.5, rng=np.random.default_rng(0)
            ),
            ValueError,
            "eps",
        ),
        (lambda: generative.generate(model(), np.zeros((3, 2), int), 0), ValueError, "n"),
    ],
)
def test_bad_arguments(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
