"""helpers.checkpoint: the checkpointed gradient is full BPTT's (against finite differences
and rnn.backward) for any stride, its memory is ~2√T states, and bad input is refused."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import checkpoint, rnn
from helpers.gradcheck import numerical_gradient, rel_error


def _setup(T=11, B=3, D=2, H=4, seed=0):
    rng = np.random.default_rng(seed)
    params = rnn.init(D, H, rng=rng, scale=1.2)
    params["b"] = rng.normal(0, 0.3, size=H)
    xs = rng.normal(size=(T, B, D))
    h0 = np.tanh(rng.normal(size=(B, H)))
    dhs = rng.normal(size=(T, B, H))  # L = Σ dhs ⊙ hs
    return params, xs, h0, dhs


@pytest.mark.parametrize("stride", [None, 1, 2, 3, 5, 11, 50])
def test_gradient_equals_full_bptt_and_finite_differences(stride):
    params, xs, h0, dhs = _setup()
    h_last, ckpt = checkpoint.forward(params, xs, h0, stride=stride)
    grads, dh0, recomputed = checkpoint.backward(dhs, ckpt)
    hs, cache = rnn.forward(params, xs, h0)
    full, full_dh0 = rnn.backward(dhs, cache)
    assert np.array_equal(h_last, hs[-1])  # the same arithmetic: bit for bit
    assert rel_error(grads, full) < 1e-13 and rel_error(dh0, full_dh0) < 1e-13
    assert recomputed == len(xs)

    def loss(p):
        return float(np.sum(dhs * rnn.forward(p, xs, p["h0"])[0]))

    numeric = numerical_gradient(loss, {**params, "h0": h0})
    assert rel_error({**grads, "h0": dh0}, numeric) < 1e-8


def test_memory_is_about_two_sqrt_T_states():
    B, H = 2, 3
    for T in (1, 4, 10, 100, 1000, 4096):
        params, xs, h0, _ = _setup(T=T, B=B, H=H)
        _, ckpt = checkpoint.forward(params, xs, h0)
        s = math.ceil(math.sqrt(T))
        assert ckpt.stride == s
        assert ckpt.stored_floats == math.ceil(T / s) * B * H
        n_states = checkpoint.stored_states(T, method="checkpoint")
        assert ckpt.peak_state_floats == n_states * B * H
        assert n_states <= 2 * math.sqrt(T) + 2
        assert checkpoint.stored_states(T, method="full") == T
    assert checkpoint.stored_states(1000, method="truncated", k2=20) == 20
    assert checkpoint.step_evaluations(100, method="checkpoint") == 300
    assert checkpoint.step_evaluations(100, method="full") == 200


def test_bad_input_is_refused():
    params, xs, h0, dhs = _setup()
    with pytest.raises(ValueError, match="stride"):
        checkpoint.forward(params, xs, h0, stride=0)
    with pytest.raises(ValueError, match="xs"):
        checkpoint.forward(params, xs[0], h0)
    with pytest.raises(ValueError, match="h0"):
        checkpoint.forward(params, xs, h0[:1, :2])
    _, ckpt = checkpoint.forward(params, xs, h0)
    with pytest.raises(ValueError, match="dhs"):
        checkpoint.backward(dhs[:-1], ckpt)
    with pytest.raises(TypeError, match="ckpt"):
        checkpoint.backward(dhs, object())
    with pytest.raises(ValueError, match="method"):
        checkpoint.stored_states(10, method="half")
    with pytest.raises(ValueError, match="T"):
        checkpoint.default_stride(0)
