"""helpers.jacobians against finite differences (helpers.gradcheck) and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import jacobians as jac
from helpers import rnn
from helpers.gradcheck import numerical_gradient, rel_error

ACTS = ["tanh", "sigmoid", "relu", "linear"]


def small_rnn(seed: int = 0, H: int = 4, D: int = 3, T: int = 6, B: int = 2, radius: float = 1.2):
    rng = np.random.default_rng(seed)
    params = rnn.init(D, H, rng=rng)
    params["Wh"] = jac.random_recurrent(H, radius, rng=rng)
    params["b"] = rng.normal(scale=0.3, size=H)
    xs = rng.normal(size=(T, B, D))
    h0 = rng.normal(scale=0.5, size=(B, H))
    return params, xs, h0


def fd_jacobian_wrt_state(params, xs, h_k, activation, steps):
    """∂h_{k+steps}/∂h_k (B, H, H) by central differences, one output unit at a time."""
    B, H = h_k.shape
    out = np.zeros((B, H, H))
    for i in range(H):

        def f(p, i=i):
            hs, _ = jac.forward(params, xs, p["h"], activation=activation)
            return hs[steps - 1, :, i].sum()  # batch rows are independent

        g = numerical_gradient(f, {"h": h_k}, eps=1e-5)["h"]  # (B, H): row i of each Jacobian
        out[:, i, :] = g
    return out


def test_sigmoid_forward_is_the_logistic_recurrence():
    params, xs, h0 = small_rnn()
    hs, dphi = jac.forward(params, xs, h0, activation="sigmoid")
    h = h0
    for t in range(xs.shape[0]):
        h = (
            1
            / (1 + np.exp(-(params["Wx"] @ xs[t].T + params["Wh"] @ h.T + params["b"][:, None]))).T
        )
        np.testing.assert_allclose(hs[t], h, rtol=1e-13)
    np.testing.assert_allclose(dphi, hs * (1 - hs))


@pytest.mark.parametrize("activation", ACTS)
def test_step_jacobians_match_finite_differences(activation):
    params, xs, h0 = small_rnn(seed=1)
    hs, J = jac.step_jacobians(params, xs, h0, activation=activation)
    assert J.shape == (6, 2, 4, 4)
    prev = np.concatenate([h0[None], hs[:-1]])
    for t in (0, 3, 5):
        fd = fd_jacobian_wrt_state(params, xs[t : t + 1], prev[t], activation, 1)
        assert rel_error(J[t], fd) < 1e-7, (activation, t)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("k", [0, 2])
def test_products_match_finite_differences(activation, k):
    params, xs, h0 = small_rnn(seed=2)
    hs, J = jac.step_jacobians(params, xs, h0, activation=activation)
    P = jac.products(J, start=k)
    assert P.shape == (6 - k, 2, 4, 4)
    h_k = h0 if k == 0 else hs[k - 1]
    for steps in (1, 6 - k):
        fd = fd_jacobian_wrt_state(params, xs[k:], h_k, activation, steps)
        assert rel_error(P[steps - 1], fd) < 1e-6, (activation, k, steps)


def test_products_of_a_linear_rnn_are_matrix_powers_through_the_eigendecomposition():
    rng = np.random.default_rng(3)
    W = jac.random_recurrent(5, 0.9, rng=rng)
    params = {"Wx": rng.normal(size=(5, 2)), "Wh": W, "b": np.zeros(5)}
    _, J = jac.step_jacobians(params, rng.normal(size=(40, 1, 2)), activation="linear")
    P = jac.products(J)
    lam, V = np.linalg.eig(W)
    Vinv = np.linalg.inv(V)
    for t in (1, 7, 40):
        closed = (V * lam**t) @ Vinv  # V diag(λ^t) V^{-1}
        assert np.max(np.abs(closed.imag)) < 1e-10
        assert rel_error(P[t - 1, 0], closed.real) < 1e-10


def test_log10_norms_match_direct_norms_and_survive_overflow_and_underflow():
    params, xs, h0 = small_rnn(seed=4, T=30)
    _, J = jac.step_jacobians(params, xs, h0, activation="tanh")
    P = jac.products(J, start=3)
    direct = np.log10(np.linalg.norm(P, ord=2, axis=(-2, -1)))
    np.testing.assert_allclose(jac.log10_norms(J, start=3), direct, atol=1e-10)
    fro = np.log10(np.linalg.norm(P, axis=(-2, -1)))
    np.testing.assert_allclose(jac.log10_norms(J, start=3, ord="fro"), fro, atol=1e-10)
    # W = 2 I: ‖∂h_t/∂h_0‖ = 2^t, far beyond 1.8e308 at t = 1100; W = 0.1 I: 10^-t.
    t = np.arange(1, 1101)
    for scale, expected in ((2.0, t * np.log10(2.0)), (0.1, -t * 1.0)):
        Js = np.broadcast_to(scale * np.eye(3), (1100, 1, 3, 3))
        np.testing.assert_allclose(jac.log10_norms(Js)[:, 0], expected, atol=1e-9)
    zero = np.zeros((4, 1, 2, 2))
    assert np.all(jac.log10_norms(zero) == -np.inf)


@pytest.mark.parametrize(("activation", "radius"), [("tanh", 0.9), ("sigmoid", 3.5), ("relu", 1.3)])
def test_pascanu_bound_holds(activation, radius):
    params, xs, h0 = small_rnn(seed=5, H=8, T=60, radius=radius)
    _, J = jac.step_jacobians(params, xs, h0, activation=activation)
    logs = jac.log10_norms(J)
    lam = np.linalg.svd(params["Wh"], compute_uv=False)[0]
    gamma = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}[activation]
    t = np.arange(1, 61)
    assert np.all(logs <= (t * np.log10(gamma * lam))[:, None] + 1e-9)
    np.testing.assert_allclose(jac.pascanu_bound(params["Wh"], activation, t), (gamma * lam) ** t)


def test_input_gradient_norms_match_finite_differences():
    params, xs, h0 = small_rnn(seed=6, T=5, B=1)
    norms = jac.input_gradient_norms(params, xs, h0, activation="tanh")
    assert norms.shape == (5, 1)
    H, D = params["Wx"].shape
    full = np.zeros((H, 5, D))  # ∂h_T[i]/∂x_s
    for i in range(H):

        def f(p, i=i):
            hs, _ = jac.forward(params, p["xs"], h0, activation="tanh")
            return hs[-1, 0, i]

        full[i] = numerical_gradient(f, {"xs": xs}, eps=1e-6)["xs"][:, 0, :]
    fd = np.linalg.norm(full.transpose(1, 0, 2), ord=2, axis=(1, 2))
    np.testing.assert_allclose(norms[:, 0], fd, rtol=1e-6)


def test_spectral_radius_helpers():
    rng = np.random.default_rng(7)
    for radius in (0.3, 1.0, 2.5):
        W = jac.random_recurrent(10, radius, rng=rng)
        assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(radius, rel=1e-10)
    R = np.array([[0.0, -2.0], [2.0, 0.0]])  # eigenvalues ±2i
    assert jac.spectral_radius(R) == pytest.approx(2.0)
    assert jac.largest_singular_value(np.diag([3.0, -4.0])) == pytest.approx(4.0)


def test_bad_input_is_reported_by_name():
    params, xs, _ = small_rnn()
    with pytest.raises(ValueError, match="activation"):
        jac.forward(params, xs, activation="softplus")
    with pytest.raises(ValueError, match="xs"):
        jac.forward(params, xs[..., :2])
    with pytest.raises(ValueError, match="h0"):
        jac.forward(params, xs, np.zeros((3, 4)), activation="sigmoid")
    with pytest.raises(ValueError, match="W must be square"):
        jac.spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="radius"):
        jac.with_spectral_radius(np.eye(2), -1.0)
    with pytest.raises(ValueError, match="spectral radius 0"):
        jac.with_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0)
    with pytest.raises(ValueError, match="J must have shape"):
        jac.products(np.zeros((3, 1, 2, 4)))
    with pytest.raises(ValueError, match="start"):
        jac.products(np.zeros((3, 1, 2, 2)), start=3)
    with pytest.raises(ValueError, match="ord"):
        jac.log10_norms(np.zeros((3, 1, 2, 2)), ord=1)
    with pytest.raises(TypeError, match="rng"):
        jac.random_recurrent(3, 1.0, rng=0)
    with pytest.raises(ValueError, match="steps"):
        jac.pascanu_bound(np.eye(2), "tanh", -1)
