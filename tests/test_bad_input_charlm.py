"""Bad input to charlm, checkpoint, regulariser, describe and diagrams (issue 18): refused by
name, or answered honestly; the cases the bad-input sweep found, one test each."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import charlm, checkpoint, describe, diagrams, regulariser, rnn, stacking

TEXT = "def f(a):\n    return a\n" * 2


def _vocab() -> charlm.Vocab:
    return charlm.build_vocab(TEXT, min_count=2)


def _one() -> dict[str, np.ndarray]:
    return stacking.unstack(charlm.init_stack(_vocab().size, 3, seeds=[0]), 0)


def _nan(params: dict[str, np.ndarray], key: str) -> dict[str, np.ndarray]:
    bad = {k: v.copy() for k, v in params.items()}
    bad[key].flat[0] = np.nan
    return bad


# ---- charlm -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["Wx", "Wh", "b", "Wy", "by"])
def test_sample_with_nan_params_is_refused(key):
    with pytest.raises(ValueError, match=rf"params\['{key}'\].*NaN"):
        charlm.sample(_nan(_one(), key), _vocab(), "def", 5, rng=np.random.default_rng(0))


def test_sample_stack_and_next_probs_with_nan_params_are_refused():
    stack = charlm.init_stack(_vocab().size, 3, seeds=[0, 1])
    with pytest.raises(ValueError, match=r"params\['Wy'\]"):
        charlm.sample_stack(_nan(stack, "Wy"), _vocab(), "def", 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"params\['by'\]"):
        charlm.next_probs(_nan(_one(), "by"), np.zeros((1, 3)), np.array([0]))


def test_sample_refuses_a_vocab_of_another_size():
    small = charlm.Vocab(_vocab().chars[:3])
    with pytest.raises(ValueError, match="vocab has 3 characters"):
        charlm.sample(_one(), small, "de", 5, rng=np.random.default_rng(0))


def test_encode_maps_characters_outside_the_vocabulary_to_rare():
    vocab = _vocab()
    ids = charlm.encode("dZ€", vocab)
    assert vocab.chars[-1] == charlm.RARE
    assert ids.tolist() == [vocab.chars.index("d"), vocab.size - 1, vocab.size - 1]
    assert charlm.decode(ids, vocab) == "d" + 2 * charlm.RARE


def test_encode_without_rare_refuses_characters_outside_the_vocabulary():
    vocab = charlm.Vocab("abc")  # built by hand: no RARE to stand for "z"
    assert charlm.encode("cab", vocab).tolist() == [2, 0, 1]
    with pytest.raises(ValueError, match="text holds characters outside vocab"):
        charlm.encode("az", vocab)
    params = stacking.unstack(charlm.init_stack(3, 2, seeds=[0]), 0)
    with pytest.raises(ValueError, match="prompt"):
        charlm.sample(params, vocab, "az", 2, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    ("chars", "error"), [("", TypeError), (None, TypeError), ("aba", ValueError)]
)
def test_vocab_refuses_empty_or_repeated_characters(chars, error):
    with pytest.raises(error, match="chars"):
        charlm.Vocab(chars)


def test_decode_names_the_vocab_an_id_is_outside_of():
    with pytest.raises(ValueError, match=r"vocab\.size = 2"):
        charlm.decode(np.array([0, 5]), charlm.Vocab("ab"))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: charlm.streams(np.array([], dtype=int), 2), "ids"),
        (lambda: charlm.unigram_entropy(np.array([], dtype=int), 4), "ids"),
        (lambda: charlm.init_stack(0, 3, seeds=[0]), "V"),
        (lambda: charlm.init_stack(4, 2.5, seeds=[0]), "H"),
        (lambda: charlm.load_corpus(modules=None), "modules"),
        (lambda: charlm.load_corpus(modules=3), "modules"),
        (lambda: charlm.load_corpus(modules=["", "no_such.pkg"]), "modules"),
        (lambda: charlm.log_probs(_one(), np.zeros((4, 0), dtype=int)), "ids"),
    ],
)
def test_charlm_refuses_by_name(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_loss_and_grads_flag_and_readout_are_checked():
    stack = charlm.init_stack(_vocab().size, 3, seeds=[0, 1])
    ids = np.array([[0, 1], [2, 3]])
    with pytest.raises(TypeError, match="grads"):
        charlm.loss_and_grads(stack, ids, ids, grads=None)
    short = {**stack, "by": stack["by"][:, :-1]}
    with pytest.raises(ValueError, match=r"params\['by'\]"):
        charlm.loss_and_grads(short, ids, ids)


def test_states_are_checked_against_the_batch_they_go_with():
    params = _one()
    with pytest.raises(ValueError, match=r"h0 must have shape \(3, 3\) \(B = 3 from ids\)"):
        charlm.log_probs(params, np.zeros((4, 3), dtype=int), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"h must have shape \(1, 3\) \(B = 1 from c\)"):
        charlm.next_probs(params, np.zeros((1, 1, 3)), np.array([0]))
    with pytest.raises(ValueError, match="c must have shape"):
        charlm.next_probs(params, np.zeros((1, 3)), np.array([[0]]))


# ---- checkpoint ---------------------------------------------------------------------------


def _rnn(T: int = 5, B: int = 2):
    rng = np.random.default_rng(4)
    params = rnn.init(2, 3, rng=rng)
    return params, rng.standard_normal((T, B, 2)), rng.standard_normal((T, B, 3))


@pytest.mark.parametrize("stride", [0, -1, 1e308, 2.5, None])
def test_checkpoint_forward_refuses_a_bad_stride(stride):
    params, xs, _ = _rnn()
    if stride is None:  # None is the default stride, ⌈√T⌉
        assert checkpoint.forward(params, xs, stride=None)[1].stride == 3
        return
    with pytest.raises((ValueError, TypeError), match="stride"):
        checkpoint.forward(params, xs, stride=stride)


def test_checkpoint_stride_beyond_t_keeps_only_h0_and_gives_full_bptt():
    params, xs, dhs = _rnn()
    _, ckpt = checkpoint.forward(params, xs, stride=50)
    assert ckpt.states.shape == (1, 2, 3) and np.all(ckpt.states[0] == 0)
    grads, _, rerun = checkpoint.backward(dhs, ckpt)
    _, cache = rnn.forward(params, xs)
    full, _ = rnn.backward(dhs, cache)
    assert rerun == 5
    for k in full:
        np.testing.assert_allclose(grads[k], full[k], rtol=1e-12, atol=1e-14)


def test_checkpoint_refuses_by_name():
    params, xs, dhs = _rnn()
    with pytest.raises(TypeError, match="params"):
        checkpoint.forward(None, xs)
    with pytest.raises(ValueError, match="xs"):
        checkpoint.forward(params, xs[:0])
    _, other = checkpoint.forward(params, xs[:3])
    with pytest.raises(ValueError, match=r"dhs.*ckpt"):
        checkpoint.backward(dhs, other)
    with pytest.raises(ValueError, match="k2"):
        checkpoint.stored_states(100, method="full", k2=0)


# ---- regulariser --------------------------------------------------------------------------


def _omega_inputs():
    params, xs, dhs = _rnn()
    hs, cache = rnn.forward(params, xs)
    return regulariser.error_signals(dhs, cache), hs, params["Wh"], cache


def test_omega_refuses_mismatched_shapes_naming_both():
    vs, hs, Wh, cache = _omega_inputs()
    with pytest.raises(ValueError, match=r"vs must have the shape of hs, \(5, 2, 3\)"):
        regulariser.omega(vs[:, :1], hs, Wh)
    with pytest.raises(ValueError, match="vs must have the shape of hs"):
        regulariser.omega_grad(vs, hs[..., :2], Wh)
    with pytest.raises(ValueError, match="Wh"):
        regulariser.omega(vs, hs, Wh[:2])
    with pytest.raises(ValueError, match=r"dhs must have the shape of cache\.hs"):
        regulariser.error_signals(np.ones((4, 2, 3)), cache)


@pytest.mark.filterwarnings("error")
def test_omega_refuses_an_overflowing_wh_without_a_warning():
    vs, hs, Wh, _ = _omega_inputs()
    for fn in (regulariser.omega, regulariser.omega_grad):
        with pytest.raises(ValueError, match="Wh is too large"):
            fn(vs, hs, np.full_like(Wh, 1e300))


@pytest.mark.filterwarnings("error")
def test_omega_depends_on_the_direction_of_v_only_even_near_the_float_limits():
    """Ω uses v_t/‖v_t‖: scaling every v_t to entries near 1e308 (where ‖v‖ overflows) or
    1e-300 (where ‖v‖² underflows) must give Ω of the unscaled v."""
    vs, hs, Wh, _ = _omega_inputs()
    want, ratios = regulariser.omega(vs, hs, Wh)
    for scale in (1e307 / np.abs(vs).max(), 1e-300):
        got, got_ratios = regulariser.omega(vs * scale, hs, Wh)
        assert got == pytest.approx(want, rel=1e-12)
        np.testing.assert_allclose(got_ratios, ratios, rtol=1e-12)


# ---- describe, diagrams -------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, "fig", 3, np.ones(2)])
def test_figure_functions_refuse_what_is_not_a_figure(bad):
    for fn in (describe.describe_figure, describe.png_with_alt, diagrams.labels):
        with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
            fn(bad)


def test_a_figure_with_no_axes_says_so():
    assert describe.describe_figure(Figure()) == "Figure with no axes."
    fig = Figure()
    fig.suptitle("empty")
    assert describe.describe_figure(fig) == 'Figure "empty" with no axes.'


@pytest.mark.filterwarnings("error")
def test_a_figure_of_nan_and_inf_is_described_honestly_and_drawn_without_warnings():
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore")  # matplotlib's own arithmetic on a bar of inf
        ax.plot([0, 1, 2], [1.0, np.nan, 2.0], label="loss")
        ax.plot([0, 1], [np.nan, np.nan], label="diverged")
        ax.scatter([0, 1, np.nan], [1, np.inf, 2])
        ax.imshow(np.full((2, 3), np.nan))
        ax.bar([0, 1], [np.inf, 1.0])
    text = describe.describe_figure(fig)
    assert "loss: from 1 at x = 0 to 2 at x = 2" in text
    assert "diverged" not in text  # nothing of it is drawn
    assert "1 markers" in text  # the one finite marker; NaN/inf markers are not drawn
    assert "An image of 2 by 3 values, none finite." in text
    assert "2 bars of heights infinite, 1" in text
    png, meta = describe.png_with_alt(fig)
    assert png[:4] == b"\x89PNG" and meta == {"alt": text}


@pytest.mark.filterwarnings("error")
def test_a_tiny_temperature_samples_greedily_instead_of_nan():
    """At temperature 1e-320, logits / temperature overflows; the limit is the greedy
    choice: the argmax of the logits (reference: log_probs, one step at a time)."""
    params, vocab = _one(), _vocab()
    text = charlm.sample(params, vocab, "de", 6, temperature=1e-320, rng=np.random.default_rng(0))
    ids = list(charlm.encode("de", vocab))
    for _ in range(6):
        logp, _ = charlm.log_probs(params, np.array(ids)[:, None])
        ids.append(int(np.argmax(logp[-1, 0])))
    assert text == charlm.decode(np.array(ids[2:]), vocab)
    stack = charlm.init_stack(vocab.size, 3, seeds=[0, 1])
    texts = charlm.sample_stack(
        stack, vocab, "de", 6, temperature=1e-320, rng=np.random.default_rng(0)
    )
    assert texts[0][0] == text
    p, _ = charlm.next_probs(params, np.zeros((1, 3)), np.array([0]), 1e-320)
    assert np.all(np.isfinite(p)) and p.max() == 1.0
