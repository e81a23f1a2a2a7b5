"""helpers.unroll against finite differences: the untied network, per-step contributions,
Sutskever's k1/k2 truncation and the chunked "set h = 0" model.

Truncated gradients are checked against an independent reference: finite differences of
each loss term recomputed from a *frozen* earlier state (the state is held constant, only
the last few steps see the perturbed parameters) — the definition of truncation."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import rnn, unroll
from helpers.gradcheck import numerical_gradient, rel_error

TOL = 1e-7


def _setup(T=6, B=2, D=2, H=3, seed=1, activation="tanh"):
    rng = np.random.default_rng(seed)
    params = rnn.init(D, H, rng=rng, scale=1.5)
    params["b"] = rng.normal(0, 0.3, size=H)
    xs = rng.normal(size=(T, B, D))
    h0 = rng.normal(0, 0.5, size=(B, H))
    weights = rng.normal(size=(T, B, H))  # L = Σ_t weights[t] · h_t, so dL/dh_t = weights[t]
    return params, xs, h0, weights


def _run(params, xs, h, t0, t1, activation="tanh"):
    """States t0..t1 (inclusive) started from h = state before step t0, by a plain loop."""
    phi = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v}[activation]
    out = []
    for t in range(t0, t1 + 1):
        h = phi(xs[t] @ params["Wx"].T + h @ params["Wh"].T + params["b"])
        out.append(h)
    return out


def _frozen_reference(params, xs, h0, weights, windows):
    """Σ over windows (losses, first_step) of ∂/∂θ Σ_{t in losses} weights[t]·h_t, where the
    state before ``first_step`` is frozen at its true value: truncation by definition."""
    hs, _ = rnn.forward(params, xs, h0)
    total = {k: np.zeros_like(v) for k, v in params.items()}
    for losses, first in windows:
        start_state = h0 if first == 0 else hs[first - 1]

        def f(p, losses=losses, first=first, start_state=start_state):
            states = _run(p, xs, start_state, first, max(losses))
            return sum(float(np.sum(weights[t] * states[t - first])) for t in losses)

        g = numerical_gradient(f, params)
        for k in total:
            total[k] += g[k]
    return total


def test_untied_forward_equals_tied_forward_and_tie_sums_copies():
    params, xs, h0, weights = _setup()
    T = xs.shape[0]
    untied = unroll.untie(params, T)
    assert untied["Wh"].shape == (T, 3, 3) and untied["Wx"].shape == (T, 3, 2)
    hs_u, cache_u = unroll.forward_untied(untied, xs, h0)
    hs, _ = rnn.forward(params, xs, h0)
    np.testing.assert_allclose(hs_u, hs, rtol=0, atol=1e-14)
    grads_u, dh0_u = unroll.backward_untied(weights, cache_u)
    # the tied gradient, by finite differences of the tied model
    numeric = numerical_gradient(
        lambda p: float(np.sum(weights * rnn.forward(p, xs, h0)[0])), params
    )
    assert rel_error(unroll.tie(grads_u), numeric) < TOL
    # dh0 by finite differences
    num_h0 = numerical_gradient(
        lambda p: float(np.sum(weights * rnn.forward(params, xs, p["h0"])[0])), {"h0": h0}
    )["h0"]
    assert rel_error(dh0_u, num_h0) < TOL


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_untied_backward_matches_finite_differences_per_copy(activation):
    params, xs, h0, weights = _setup(T=4, activation=activation)
    params["Wh"] *= 0.5
    untied = unroll.untie(params, 4)
    rng = np.random.default_rng(5)
    untied = {k: v + rng.normal(0, 0.1, size=v.shape) for k, v in untied.items()}  # copies differ

    def f(u):
        return float(np.sum(weights * unroll.forward_untied(u, xs, h0, activation=activation)[0]))

    _, cache = unroll.forward_untied(untied, xs, h0, activation=activation)
    grads, _ = unroll.backward_untied(weights, cache)
    assert rel_error(grads, numerical_gradient(f, untied)) < TOL


def test_copies_get_different_gradients():
    params, xs, h0, weights = _setup()
    _, cache = unroll.forward_untied(unroll.untie(params, 6), xs, h0)
    grads, _ = unroll.backward_untied(weights, cache)
    assert rel_error(grads["Wh"][0], grads["Wh"][-1]) > 0.1


@pytest.mark.parametrize("truncate", [None, 0, 1, 3, 5, 9])
def test_step_contributions_sum_to_truncated_gradient(truncate):
    params, xs, h0, weights = _setup()
    T = xs.shape[0]
    _, cache = rnn.forward(params, xs, h0)
    contrib = unroll.step_contributions(weights, cache, truncate=truncate)
    k = T if truncate is None else truncate
    windows = [([t], max(t - k, 0)) for t in range(T)]  # loss t sees steps t-k..t
    reference = _frozen_reference(params, xs, h0, weights, windows)
    assert rel_error(unroll.tie(contrib), reference) < TOL
    grads, _ = rnn.backward(weights, cache, truncate=truncate)
    assert rel_error(unroll.tie(contrib), grads) < 1e-12


def test_full_step_contributions_are_the_per_copy_gradients():
    params, xs, h0, weights = _setup()
    _, cache = rnn.forward(params, xs, h0)
    contrib = unroll.step_contributions(weights, cache)
    _, cache_u = unroll.forward_untied(unroll.untie(params, xs.shape[0]), xs, h0)
    per_copy, _ = unroll.backward_untied(weights, cache_u)
    for k in ("Wx", "Wh", "b"):
        np.testing.assert_allclose(contrib[k], per_copy[k], rtol=1e-10, atol=1e-13)


def test_error_signals_are_causal_and_sum_to_full_delta():
    params, xs, h0, weights = _setup()
    _, cache = rnn.forward(params, xs, h0)
    sig = unroll.error_signals(weights, cache)
    T = xs.shape[0]
    assert sig.shape == (T, T, 2, 3)
    t_idx, s_idx = np.indices((T, T))
    assert np.all(sig[s_idx > t_idx] == 0.0)  # a loss sends nothing forward in time
    # the diagonal is φ'(a_t) ⊙ ∂ℓ_t/∂h_t (closed form, tanh)
    np.testing.assert_allclose(
        sig[np.arange(T), np.arange(T)], (1 - cache.hs**2) * weights, atol=1e-15
    )


@pytest.mark.parametrize(("k1", "k2"), [(1, 1), (1, 3), (2, 3), (3, 3), (2, 5), (4, 4), (6, 6)])
def test_tbptt_k1_k2_matches_frozen_state_finite_differences(k1, k2):
    params, xs, h0, weights = _setup(T=7)
    T = xs.shape[0]
    _, cache = rnn.forward(params, xs, h0)
    ends = list(range(k1 - 1, T, k1))
    if ends[-1] != T - 1:
        ends.append(T - 1)
    windows, first_loss = [], 0
    for end in ends:
        windows.append((list(range(first_loss, end + 1)), max(end - k2 + 1, 0)))
        first_loss = end + 1
    reference = _frozen_reference(params, xs, h0, weights, windows)
    assert rel_error(unroll.tbptt_grads(weights, cache, k1=k1, k2=k2), reference) < TOL


@pytest.mark.parametrize("k", [0, 1, 2, 6])
def test_tbptt_with_k1_one_is_truncate_k(k):
    params, xs, h0, weights = _setup(T=7)
    _, cache = rnn.forward(params, xs, h0)
    grads, _ = rnn.backward(weights, cache, truncate=k)
    assert rel_error(unroll.tbptt_grads(weights, cache, k1=1, k2=k + 1), grads) < 1e-12


def test_chunked_with_reset_is_the_exact_gradient_of_a_forgetful_model():
    params, xs, _, weights = _setup(T=7)
    n = 3

    def f(p):
        return float(np.sum(weights * unroll.chunked_forward(p, xs, n)[0]))

    hs, caches = unroll.chunked_forward(params, xs, n)
    assert len(caches) == 3 and [c.hs.shape[0] for c in caches] == [3, 3, 1]
    # the state restarts from zero: step 3 sees h = 0, as the first step does
    np.testing.assert_allclose(hs[3], _run(params, xs, np.zeros((2, 3)), 3, 3)[0], atol=1e-14)
    grads = unroll.chunked_backward(weights, caches)
    assert rel_error(grads, numerical_gradient(f, params)) < TOL


def test_chunked_without_reset_keeps_states_and_cuts_the_gradient():
    params, xs, _, weights = _setup(T=7)
    hs_full, _ = rnn.forward(params, xs)
    hs, caches = unroll.chunked_forward(params, xs, 3, reset=False)
    np.testing.assert_allclose(hs, hs_full, atol=1e-14)
    grads = unroll.chunked_backward(weights, caches)
    windows = [([0, 1, 2], 0), ([3, 4, 5], 3), ([6], 6)]  # the last chunk holds one step
    reference = _frozen_reference(params, xs, np.zeros((2, 3)), weights, windows)
    assert rel_error(grads, reference) < TOL
    # when n divides T it is Sutskever's scheme with k1 = k2 = n
    _, caches6 = unroll.chunked_forward(params, xs[:6], 3, reset=False)
    _, cache6 = rnn.forward(params, xs[:6])
    assert (
        rel_error(
            unroll.chunked_backward(weights[:6], caches6),
            unroll.tbptt_grads(weights[:6], cache6, k1=3, k2=3),
        )
        < 1e-12
    )


def test_bad_input_is_named():
    params, xs, h0, weights = _setup()
    _, cache = rnn.forward(params, xs, h0)
    with pytest.raises(ValueError, match="steps"):
        unroll.untie(params, 0)
    with pytest.raises(TypeError, match="params"):
        unroll.untie([1, 2], 3)
    with pytest.raises(ValueError, match="k2 must be >= k1"):
        unroll.tbptt_grads(weights, cache, k1=3, k2=2)
    with pytest.raises(ValueError, match="k1"):
        unroll.tbptt_grads(weights, cache, k1=0, k2=2)
    with pytest.raises(ValueError, match="dhs"):
        unroll.step_contributions(weights[:-1], cache)
    with pytest.raises(ValueError, match="truncate"):
        unroll.step_contributions(weights, cache, truncate=-1)
    with pytest.raises(TypeError, match="cache"):
        unroll.error_signals(weights, "cache")
    with pytest.raises(ValueError, match="n must be >= 1"):
        unroll.chunked_forward(params, xs, 0)
    with pytest.raises(TypeError, match="reset"):
        unroll.chunked_forward(params, xs, 2, reset=1)
    with pytest.raises(TypeError, match="caches"):
        unroll.chunked_backward(weights, [cache, "x"])
    untied = unroll.untie(params, xs.shape[0])
    with pytest.raises(ValueError, match="xs"):
        unroll.forward_untied(untied, xs[:-1], h0)
    with pytest.raises(ValueError, match="h0"):
        unroll.forward_untied(untied, xs, np.zeros((5, 3)))
    with pytest.raises(TypeError, match="cache"):
        unroll.backward_untied(weights, cache)


@pytest.mark.parametrize(("T", "k"), [(1, 0), (2, 0), (7, 3), (60, 10), (200, 0), (200, 57)])
def test_explorer_contributions_match_truncated_backward(T, k):
    """The explorer's fast sums (notebook 01) against rnn.backward(truncate=k) on its RNN."""
    from helpers.explorers import nb01

    pre = nb01.precompute()
    params, xs, h0, dhs = nb01.explorer_rnn()
    _, cache = rnn.forward(params, xs[:T], h0)
    for mode in nb01.MODES:
        d = dhs[:T].copy()
        if mode == nb01.MODES[0]:
            d[:-1] = 0.0
        full, trunc, err = nb01.contributions(T, k, mode, pre)
        per_step = unroll.step_contributions(d, cache)["Wh"]
        per_step_k = unroll.step_contributions(d, cache, truncate=k)["Wh"]
        np.testing.assert_allclose(
            full, np.linalg.norm(per_step, axis=(1, 2)), rtol=1e-9, atol=1e-300
        )
        np.testing.assert_allclose(
            trunc, np.linalg.norm(per_step_k, axis=(1, 2)), rtol=1e-9, atol=1e-300
        )
        g = rnn.backward(d, cache)[0]["Wh"]
        for kk in {0, k, max(T - 2, 0), T - 1, T}:
            direct = np.linalg.norm(
                rnn.backward(d, cache, truncate=kk)[0]["Wh"] - g
            ) / np.linalg.norm(g)
            assert abs(err[min(kk, T)] - direct) <= 1e-9 * direct + 1e-13  # rounding near k = T − 1
