"""Pascanu's regulariser Ω: its value against explicit Jacobians, its gradient against finite
differences of the approximated objective (v_t and h_t held fixed), stacks, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import regulariser, rnn, stacking


def _setup(seed=0, T=7, B=3, D=2, H=5, scale=0.8):
    rng = np.random.default_rng(seed)
    params = rnn.init(D, H, rng=rng, scale=scale)
    params["b"] = rng.normal(0, 0.3, size=H)
    xs = rng.normal(size=(T, B, D))
    hs, cache = rnn.forward(params, xs)
    dhs = np.zeros_like(hs)
    dhs[-1] = rng.normal(size=(B, H))
    dhs[3] = rng.normal(size=(B, H))  # a second loss term inside the sequence
    return params, xs, hs, cache, dhs


def test_error_signals_are_bptts_dL_dh():
    """v_t = ∂E/∂h_t: Σ_t (v_t ⊙ φ'_t)ᵀ x_t is ∂E/∂W_x; v_0 carried once more is ∂E/∂h0."""
    params, xs, hs, cache, dhs = _setup()
    vs = regulariser.error_signals(dhs, cache)
    grads, dh0 = rnn.backward(dhs, cache)
    das = vs * (1 - hs**2)
    np.testing.assert_allclose(np.einsum("tbh,tbd->hd", das, xs), grads["Wx"], rtol=1e-12)
    np.testing.assert_allclose(das[0] @ params["Wh"], dh0, rtol=1e-12)


def test_error_signals_by_finite_differences():
    """∂E/∂h_t for E = Σ_t <dhs_t, h_t>: perturb h_t inside a hand-written forward loop."""
    params, xs, hs, cache, dhs = _setup(T=5)
    vs = regulariser.error_signals(dhs, cache)

    def energy(t, bump):
        h = np.zeros((xs.shape[1], params["Wh"].shape[0]))
        total = 0.0
        for s in range(xs.shape[0]):
            h = np.tanh(xs[s] @ params["Wx"].T + h @ params["Wh"].T + params["b"])
            if s == t:
                h = h + bump
            total += np.sum(dhs[s] * h)
        return total

    eps = 1e-6
    for t in (1, 3):
        for b, j in [(0, 2), (2, 4)]:
            bump = np.zeros_like(hs[0])
            bump[b, j] = eps
            fd = (energy(t, bump) - energy(t, -bump)) / (2 * eps)
            assert abs(fd - vs[t, b, j]) < 1e-8 * max(1.0, abs(fd))


def test_omega_matches_explicit_jacobians():
    params, _, hs, cache, dhs = _setup(seed=1)
    vs = regulariser.error_signals(dhs, cache)
    value, ratios = regulariser.omega(vs, hs, params["Wh"])
    T, B, _ = hs.shape
    expect = np.zeros((T - 1, B))
    for t in range(1, T):
        for b in range(B):
            J = np.diag(1 - hs[t, b] ** 2) @ params["Wh"]  # ∂h_t/∂h_{t-1}
            expect[t - 1, b] = np.linalg.norm(vs[t, b] @ J) / np.linalg.norm(vs[t, b])
    np.testing.assert_allclose(ratios, expect, rtol=1e-12)
    assert value == pytest.approx(np.sum(np.mean((expect - 1) ** 2, axis=1)), rel=1e-12)


def test_omega_is_zero_for_a_norm_preserving_step():
    """Linear activation and an orthogonal W_h: every step keeps the norm, Ω = 0."""
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    vs, hs = rng.normal(size=(6, 3, 4)), rng.normal(size=(6, 3, 4))
    value, ratios = regulariser.omega(vs, hs, Q, activation="linear")
    np.testing.assert_allclose(ratios, 1.0, rtol=1e-12)
    assert abs(value) < 1e-24
    assert np.allclose(regulariser.omega_grad(vs, hs, Q, activation="linear"), 0.0, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "linear"])
def test_omega_grad_matches_finite_differences_of_the_approximated_objective(activation):
    """∂⁺Ω/∂W_h: central differences of Ω(W_h) with v_t and h_t frozen (the paper's eq. 10)."""
    params, _, hs, cache, dhs = _setup(seed=3)
    vs = regulariser.error_signals(dhs, cache)
    Wh = params["Wh"]
    grad = regulariser.omega_grad(vs, hs, Wh, activation=activation)
    fd = np.zeros_like(Wh)
    eps = 1e-6
    for i in range(Wh.shape[0]):
        for j in range(Wh.shape[1]):
            bump = np.zeros_like(Wh)
            bump[i, j] = eps
            up = regulariser.omega(vs, hs, Wh + bump, activation=activation)[0]
            down = regulariser.omega(vs, hs, Wh - bump, activation=activation)[0]
            fd[i, j] = (up - down) / (2 * eps)
    err = np.linalg.norm(grad - fd) / np.linalg.norm(fd)
    assert err < 1e-7, err


def test_omega_grad_is_not_the_full_derivative():
    """Moving W_h also moves v_t and h_t; the approximation ignores that, and it shows."""
    params, xs, hs, cache, dhs = _setup(seed=4)
    vs = regulariser.error_signals(dhs, cache)
    grad = regulariser.omega_grad(vs, hs, params["Wh"])

    def full(Wh):
        p = {**params, "Wh": Wh}
        h, c = rnn.forward(p, xs)
        return regulariser.omega(regulariser.error_signals(dhs, c), h, Wh)[0]

    bump = np.zeros_like(params["Wh"])
    bump[1, 2] = 1e-6
    fd = (full(params["Wh"] + bump) - full(params["Wh"] - bump)) / 2e-6
    assert abs(fd - grad[1, 2]) > 1e-6 * abs(fd)


def test_a_stack_gives_each_models_own_result():
    runs = [_setup(seed=s) for s in (5, 6, 7)]
    vs = np.stack([regulariser.error_signals(r[4], r[3]) for r in runs])
    hs = np.stack([r[2] for r in runs])
    Wh = stacking.stack([r[0] for r in runs])["Wh"]
    value, ratios = regulariser.omega(vs, hs, Wh)
    grad = regulariser.omega_grad(vs, hs, Wh)
    assert value.shape == (3,) and grad.shape == (3, 5, 5)
    for m in range(3):
        v1, r1 = regulariser.omega(vs[m], hs[m], Wh[m])
        assert value[m] == pytest.approx(v1, rel=1e-12)
        np.testing.assert_allclose(ratios[m], r1, rtol=1e-12)
        np.testing.assert_allclose(grad[m], regulariser.omega_grad(vs[m], hs[m], Wh[m]), rtol=1e-12)
    params = stacking.stack([r[0] for r in runs])
    _, stacked_cache = rnn.forward(params, runs[0][1])
    dhs = np.stack([r[4] for r in runs])
    got = regulariser.error_signals(dhs, stacked_cache)
    for m in range(3):
        _, c = rnn.forward(runs[m][0], runs[0][1])
        np.testing.assert_allclose(got[m], regulariser.error_signals(dhs[m], c), rtol=1e-12)


def test_a_zero_error_signal_adds_nothing():
    rng = np.random.default_rng(8)
    vs, hs, Wh = (
        rng.normal(size=(4, 2, 3)),
        rng.normal(size=(4, 2, 3)) * 0.5,
        rng.normal(size=(3, 3)),
    )
    with_zero = vs.copy()
    with_zero[2, 1] = 0.0
    full, _ = regulariser.omega(vs, hs, Wh)
    value, _ = regulariser.omega(with_zero, hs, Wh)
    _, ratios = regulariser.omega(vs, hs, Wh)
    assert value == pytest.approx(full - (ratios[1, 1] - 1) ** 2 / 2, rel=1e-12)
    assert np.all(np.isfinite(regulariser.omega_grad(with_zero, hs, Wh)))


def test_bad_input_names_the_argument():
    rng = np.random.default_rng(9)
    vs, hs, Wh = rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3)), rng.normal(size=(3, 3))
    with pytest.raises(ValueError, match="vs"):
        regulariser.omega(vs[:3], hs, Wh)
    with pytest.raises(ValueError, match="Wh"):
        regulariser.omega(vs, hs, Wh[:2])
    with pytest.raises(ValueError, match="hs"):
        regulariser.omega(vs[:1], hs[:1], Wh)
    with pytest.raises(ValueError, match="hs"):
        regulariser.omega_grad(vs, np.where(hs > 0, np.nan, hs), Wh)
    with pytest.raises(ValueError, match="activation"):
        regulariser.omega(vs, hs, Wh, activation="sigmoid")
    with pytest.raises(TypeError, match="cache"):
        regulariser.error_signals(vs, {"hs": hs})
