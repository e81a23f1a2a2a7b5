"""helpers.rnn against a hand-computed case, finite differences and an independent
re-implementation of truncated BPTT (frozen states + short windows)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import rnn
from helpers.gradcheck import numerical_gradient, rel_error


def _step(params, x, h, activation):
    a = x @ params["Wx"].T + h @ params["Wh"].T + params["b"]
    return {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v}[activation](
        a
    )


def _setup(T=5, B=3, D=2, H=4, seed=0, activation="tanh"):
    rng = np.random.default_rng(seed)
    params = rnn.init(D, H, rng=rng)
    params["b"] = rng.normal(0, 0.3, size=H)
    if activation != "tanh":
        params["Wh"] *= 0.6  # keep linear/relu states moderate
    xs = rng.normal(size=(T, B, D))
    h0 = rng.normal(0, 0.5, size=(B, H))
    weights = rng.normal(size=(T, B, H))  # L = Σ weights ⊙ hs: dL/dhs = weights
    return params, xs, h0, weights


def test_hand_computed_linear_case():
    params = {"Wx": np.array([[2.0]]), "Wh": np.array([[3.0]]), "b": np.array([1.0])}
    xs = np.array([1.0, 2.0]).reshape(2, 1, 1)
    h0 = np.array([[0.5]])
    hs, cache = rnn.forward(params, xs, h0, activation="linear")
    assert hs.ravel().tolist() == [4.5, 18.5]  # h1 = 2+1.5+1, h2 = 4+13.5+1
    dhs = np.array([0.0, 1.0]).reshape(2, 1, 1)  # L = h2
    grads, dh0 = rnn.backward(dhs, cache)
    assert grads["Wh"].item() == 6.0  # h1 + wh*h0
    assert grads["Wx"].item() == 5.0  # x2 + wh*x1
    assert grads["b"].item() == 4.0  # 1 + wh
    assert dh0.item() == 9.0  # wh²
    g0, d0 = rnn.backward(dhs, cache, truncate=0)  # only the last step's local term
    assert (g0["Wh"].item(), g0["Wx"].item(), g0["b"].item(), d0.item()) == (4.5, 2.0, 1.0, 0.0)
    g1, d1 = rnn.backward(dhs, cache, truncate=1)  # reaches h1, but h0 needs 2 factors
    assert (g1["Wh"].item(), g1["Wx"].item(), g1["b"].item(), d1.item()) == (6.0, 5.0, 4.0, 0.0)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (6, 3, 2, 4), (9, 2, 3, 5)])
def test_full_bptt_matches_finite_differences(activation, shape):
    T, B, D, H = shape
    params, xs, h0, w = _setup(T, B, D, H, seed=T * 7 + H, activation=activation)

    def loss(p):
        hs, _ = rnn.forward(
            {k: p[k] for k in rnn.PARAM_NAMES}, p["xs"], p["h0"], activation=activation
        )
        return float(np.sum(w * hs))

    _hs, cache = rnn.forward(params, xs, h0, activation=activation)
    grads, dh0, dxs = rnn.backward(w, cache, return_dxs=True)
    num = numerical_gradient(loss, {**params, "xs": xs, "h0": h0})
    for key in rnn.PARAM_NAMES:
        assert rel_error(grads[key], num[key]) < 1e-7, key
    assert rel_error(dh0, num["h0"]) < 1e-7
    assert rel_error(dxs, num["xs"]) < 1e-7


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("k", [0, 1, 3, 7, 50])
def test_truncated_bptt_matches_frozen_window_reference(activation, k):
    T, B, D, H = 7, 2, 3, 4
    params, xs, h0, w = _setup(T, B, D, H, seed=11 + k, activation=activation)
    hs, cache = rnn.forward(params, xs, h0, activation=activation)
    frozen = hs.copy()
    h0_const = h0.copy()

    def ref(p):
        total = 0.0
        for t in range(T):
            start = t - k
            if start >= 1:
                h = frozen[start - 1]
            elif start == 0:
                h = h0_const  # reaching h0 from here would need k + 1 factors
            else:
                h, start = p["h0"], 0
            for s in range(start, t + 1):
                h = _step(p, xs[s], h, activation)
            total += float(np.sum(w[t] * h))
        return total

    grads, dh0 = rnn.backward(w, cache, truncate=k)
    num = numerical_gradient(ref, {**params, "h0": h0})
    for key in rnn.PARAM_NAMES:
        assert rel_error(grads[key], num[key]) < 1e-7, (key, k)
    if k == 0:
        assert np.all(dh0 == 0)
    else:
        assert rel_error(dh0, num["h0"]) < 1e-7
    if k >= T:
        full, full_dh0 = rnn.backward(w, cache)
        assert all(np.array_equal(full[key], grads[key]) for key in rnn.PARAM_NAMES)
        assert np.array_equal(full_dh0, dh0)


def test_truncation_error_shrinks_to_zero_as_k_grows():
    params, xs, h0, w = _setup(T=12, seed=3)
    _, cache = rnn.forward(params, xs, h0)
    full, _ = rnn.backward(w, cache)
    errors = [rel_error(rnn.backward(w, cache, truncate=k)[0], full) for k in range(13)]
    assert errors[0] > 1e-3 and errors[-1] == 0.0
    assert errors[11] < errors[1]


def test_forward_matches_step_by_step_and_float32():
    params, xs, h0, _ = _setup()
    hs, cache = rnn.forward(params, xs, h0)
    h = h0
    for t in range(xs.shape[0]):
        h = _step(params, xs[t], h, "tanh")
        np.testing.assert_allclose(hs[t], h, rtol=1e-12, atol=1e-14)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    hs32, c32 = rnn.forward(p32, xs.astype(np.float32), h0)
    assert hs32.dtype == np.float32
    np.testing.assert_allclose(hs32, hs, atol=1e-5)
    g32, _ = rnn.backward(np.ones_like(hs32), c32)
    assert g32["Wh"].dtype == np.float32
    assert cache.nbytes == xs.nbytes + hs.nbytes + h0.nbytes


def test_h0_broadcast_and_default():
    params, xs, _h0, _ = _setup()
    a, _ = rnn.forward(params, xs, np.zeros(4))
    b, _ = rnn.forward(params, xs)
    np.testing.assert_array_equal(a, b)


def test_init_kinds():
    rng = np.random.default_rng(0)
    p = rnn.init(3, 50, rng=rng)
    assert p["Wx"].shape == (50, 3) and p["Wh"].shape == (50, 50) and p["b"].shape == (50,)
    assert np.abs(p["Wh"]).max() <= np.sqrt(6 / 100)
    radius = np.abs(np.linalg.eigvals(p["Wh"])).max()
    assert 0.8 < radius < 1.2  # Glorot-uniform: spectral radius ≈ 1
    q = rnn.init(3, 5, rng=rng, init="identity", scale=0.9)
    np.testing.assert_array_equal(q["Wh"], 0.9 * np.eye(5))
    assert np.abs(q["Wx"]).max() < 0.01 and not q["b"].any()


def test_overflow_is_inf_not_a_warning():
    params = {"Wx": np.ones((1, 1)), "Wh": np.array([[10.0]]), "b": np.zeros(1)}
    hs, _ = rnn.forward(params, np.ones((400, 1, 1)), activation="linear")
    assert np.isinf(hs[-1]).all()


GOOD = _setup()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda p, x, h: rnn.forward(p, x[0]), ValueError, "xs must have shape"),
        (lambda p, x, h: rnn.forward(p, x[..., :1]), ValueError, "xs must have shape"),
        (lambda p, x, h: rnn.forward(p, np.where(x > 1, np.nan, x)), ValueError, "xs contains"),
        (lambda p, x, h: rnn.forward(p, "abc"), TypeError, "xs must be"),
        (lambda p, x, h: rnn.forward({**p, "Wh": p["Wh"][:2]}, x), ValueError, r"params\['Wh'\]"),
        (lambda p, x, h: rnn.forward({**p, "b": p["b"] * np.nan}, x), ValueError, r"params\['b'\]"),
        (lambda p, x, h: rnn.forward({"Wx": p["Wx"], "Wh": p["Wh"]}, x), ValueError, "missing"),
        (lambda p, x, h: rnn.forward([1, 2], x), TypeError, "params must be"),
        (lambda p, x, h: rnn.forward(p, x, h[:1]), ValueError, "h0 must have shape"),
        (lambda p, x, h: rnn.forward(p, x, activation="sigmoid"), ValueError, "activation"),
        (lambda p, x, h: rnn.forward(p, x[:0]), ValueError, "at least one time step"),
        (lambda p, x, h: rnn.backward(np.ones((2, 2)), rnn.forward(p, x)[1]), ValueError, "dhs"),
        (lambda p, x, h: rnn.backward(np.ones((5, 3, 4)), "cache"), TypeError, "cache"),
        (
            lambda p, x, h: rnn.backward(np.ones((5, 3, 4)), rnn.forward(p, x)[1], truncate=-1),
            ValueError,
            "truncate",
        ),
        (
            lambda p, x, h: rnn.backward(np.ones((5, 3, 4)), rnn.forward(p, x)[1], truncate=1.5),
            TypeError,
            "truncate",
        ),
        (lambda p, x, h: rnn.init(0, 3, rng=np.random.default_rng()), ValueError, "input_size"),
        (lambda p, x, h: rnn.init(2, 3, rng=0), TypeError, "rng"),
        (
            lambda p, x, h: rnn.init(2, 3, rng=np.random.default_rng(), init="he"),
            ValueError,
            "init",
        ),
    ],
)
def test_bad_input_is_named(call, error, match):
    params, xs, h0, _ = GOOD
    with pytest.raises(error, match=match):
        call(params, xs, h0)
