"""helpers.truncation (randomized truncation, Tallec & Ollivier 2017) against independent
references: its exact expectation over every coin pattern is the full gradient by finite
differences; a draw's cut is truncation defined from frozen states; Monte-Carlo averages
converge; bad input is refused by name."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from helpers import rnn, truncation
from helpers.gradcheck import numerical_gradient, rel_error


def _setup(T=5, B=2, D=2, H=3, seed=3, activation="tanh"):
    rng = np.random.default_rng(seed)
    params = rnn.init(D, H, rng=rng, scale=1.4)
    params["b"] = rng.normal(0, 0.3, size=H)
    xs = rng.normal(size=(T, B, D))
    h0 = rng.normal(0, 0.5, size=(B, H))
    weights = rng.normal(size=(T, B, H))  # L = Σ_t weights[t]·h_t, so dL/dh_t = weights[t]
    _, cache = rnn.forward(params, xs, h0, activation=activation)
    return params, xs, h0, weights, cache


def _loss(params, xs, h0, weights, activation="tanh"):
    hs, _ = rnn.forward(params, xs, h0, activation=activation)
    return float(np.sum(weights * hs))


@pytest.mark.parametrize(("keep", "activation"), [(0.3, "tanh"), (0.75, "tanh"), (0.5, "linear")])
def test_expectation_over_every_coin_pattern_is_the_full_gradient(keep, activation):
    params, xs, h0, weights, cache = _setup(activation=activation)
    T = xs.shape[0]
    patterns = np.array(list(itertools.product([0.0, 1.0], repeat=T)))  # all 2^T coin rows
    prob = np.prod(np.where(patterns == 1, keep, 1 - keep), axis=1)
    grads, dh0 = truncation.randomized_backward(weights, cache, keep=keep, coins=patterns)
    expected = {k: np.einsum("n,n...->...", prob, g) for k, g in grads.items()}
    numeric = numerical_gradient(lambda p: _loss(p, xs, h0, weights, activation), params)
    assert rel_error(expected, numeric) < 1e-7
    numeric_h0 = numerical_gradient(
        lambda p: _loss(params, xs, p["h0"], weights, activation), {"h0": h0}
    )["h0"]
    assert rel_error(np.einsum("n,n...->...", prob, dh0), numeric_h0) < 1e-7


def test_one_draw_is_truncation_from_frozen_states():
    """A draw whose coins cut only at step c: every loss at t >= c is backpropagated down
    to step c and no further, i.e. the gradient of Σ_t w_t·h_t where h_{c-1} is frozen
    (for t >= c) — here by finite differences with the state before step c held fixed —
    with each kept pass weighted by 1/keep."""
    params, xs, h0, weights, cache = _setup(T=5)
    keep, c = 1.0, 2  # keep = 1: no reweighting, a pure cut between code steps 1 and 2
    coins = np.ones((1, 5))
    coins[0, c] = 0.0
    grads, _ = truncation.randomized_backward(weights, cache, keep=keep, coins=coins)
    hs = cache.hs

    def frozen_loss(p):
        early, _ = rnn.forward(p, xs[:c], h0)  # steps before the cut: full dependence
        late, _ = rnn.forward(p, xs[c:], hs[c - 1])  # after it: started from the frozen state
        return float(np.sum(weights[:c] * early) + np.sum(weights[c:] * late))

    numeric = numerical_gradient(frozen_loss, params)
    assert rel_error({k: g[0] for k, g in grads.items()}, numeric) < 1e-7


def test_all_coins_pass_with_keep_one_is_full_bptt_and_all_cut_is_truncate_zero():
    *_, weights, cache = _setup()
    full, dh0 = rnn.backward(weights, cache)
    both = np.vstack([np.ones(5), np.zeros(5)])
    grads, dh0s = truncation.randomized_backward(weights, cache, keep=1.0, coins=both)
    assert rel_error({k: g[0] for k, g in grads.items()}, full) < 1e-13
    assert rel_error(dh0s[0], dh0) < 1e-13
    zero, _ = rnn.backward(weights, cache, truncate=0)
    assert rel_error({k: g[1] for k, g in grads.items()}, zero) < 1e-13


def test_monte_carlo_mean_approaches_the_full_gradient():
    *_, weights, cache = _setup(T=12, seed=5)
    full, _ = rnn.backward(weights, cache)
    coins = truncation.draw_coins(12, keep=0.8, draws=20000, rng=np.random.default_rng(0))
    grads, _ = truncation.randomized_backward(weights, cache, keep=0.8, coins=coins)
    g = grads["Wh"]
    err = np.linalg.norm(g.mean(axis=0) - full["Wh"])
    standard_error = np.sqrt(np.mean(np.sum((g - full["Wh"]) ** 2, axis=(1, 2))) / len(g))
    assert err < 4 * standard_error
    assert np.ptp(g, axis=0).max() > 0.1 * np.abs(full["Wh"]).max()  # the draws do differ


def test_draw_coins_rate_and_shape():
    coins = truncation.draw_coins(50, keep=0.9, draws=4000, rng=np.random.default_rng(1))
    assert coins.shape == (4000, 50) and set(np.unique(coins)) <= {0.0, 1.0}
    assert abs(coins.mean() - 0.9) < 4 * np.sqrt(0.9 * 0.1 / coins.size)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"keep": 0.0}, ValueError, "keep"),
        ({"keep": 1.5}, ValueError, "keep"),
        ({"keep": float("nan")}, ValueError, "keep"),
        ({"keep": "0.5"}, TypeError, "keep"),
        ({"coins": np.ones((2, 4))}, ValueError, "coins"),
        ({"coins": np.full((2, 5), 0.5)}, ValueError, "coins"),
        ({"coins": np.ones(5)}, ValueError, "coins"),
        ({"coins": np.ones((0, 5))}, ValueError, "coins"),
        ({"dhs": np.ones((4, 2, 3))}, ValueError, "dhs"),
        ({"cache": "not a cache"}, TypeError, "cache"),
    ],
)
def test_bad_input_is_refused_by_name(kwargs, error, name):
    _, _, _, weights, cache = _setup()
    args = {"dhs": weights, "cache": cache, "keep": 0.5, "coins": np.ones((2, 5))} | kwargs
    with pytest.raises(error, match=name):
        truncation.randomized_backward(
            args["dhs"], args["cache"], keep=args["keep"], coins=args["coins"]
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"steps": 0}, ValueError, "steps"),
        ({"steps": 1e308}, ValueError, "steps"),
        ({"draws": 0}, ValueError, "draws"),
        ({"keep": -0.1}, ValueError, "keep"),
        ({"rng": 0}, TypeError, "rng"),
    ],
)
def test_draw_coins_refuses_bad_input_by_name(kwargs, error, name):
    args = {"steps": 5, "keep": 0.5, "draws": 3, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(error, match=name):
        truncation.draw_coins(
            args["steps"], keep=args["keep"], draws=args["draws"], rng=args["rng"]
        )
