"""Jacobians of the vanilla RNN of ``helpers.rnn``, their products over time, and their norms.

Math (column vectors, as in the course's notation table)::

    a_t = W_x x_t + W_h h_{t-1} + b,     h_t = φ(a_t)
    ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_h                        (H, H)
    ∂h_t/∂h_k     = ∂h_t/∂h_{t-1} ⋯ ∂h_{k+1}/∂h_k            (newest factor on the left)

Code indices: ``xs[t - 1]`` is x_t and ``hs[t - 1]`` is h_t; ``h0`` is h_0, the state
before the first input. So ``J[t - 1]`` is ∂h_t/∂h_{t-1}.

Shapes: ``xs`` (T, B, D), ``hs`` and ``dphi`` (T, B, H), ``J`` (T, B, H, H).
Activations: those of ``helpers.rnn`` (tanh, relu, linear) plus the logistic ``sigmoid``
(computed here), so that Pascanu's bound can be tried with γ = 1/4.
"""

from __future__ import annotations

import numpy as np

from helpers import rnn
from helpers._validate import (
    COUNT_LIMIT,
    as_array,
    as_choice,
    as_float,
    as_int,
    check_params,
    check_size,
)

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")
#: γ = max |φ'|: the constant of Pascanu et al.'s bound ‖diag(φ'(a)) W_h‖ ≤ γ σ_max
#: (σ_max: the largest singular value of W_h, which Pascanu et al. call λ1).
GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "linear": 1.0}


# -- recurrent matrices with a chosen spectral radius ------------------------------------------
def spectral_radius(W: np.ndarray) -> float:
    """ρ(W) = max |eigenvalue| of a square matrix ``W`` (H, H)."""
    M = as_array("W", W, ndim=2)
    if M.shape[0] != M.shape[1] or M.size == 0:
        raise ValueError(f"W must be square (H, H) with H >= 1, got shape {M.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def largest_singular_value(W: np.ndarray) -> float:
    """σ_max = ‖W‖₂ (Pascanu et al.'s λ1), the largest singular value of ``W`` (any 2-D shape)."""
    M = as_array("W", W, ndim=2)
    if M.size == 0:
        raise ValueError(f"W must not be empty, got shape {M.shape}")
    return float(np.linalg.norm(M, 2))


def with_spectral_radius(W: np.ndarray, radius: float) -> np.ndarray:
    """``W`` (H, H) rescaled so that its spectral radius is exactly ``radius`` (≥ 0)."""
    r = as_float("radius", radius, min_value=0.0)
    M = as_array("W", W, ndim=2)
    rho = spectral_radius(M)
    if rho == 0.0:
        raise ValueError("W has spectral radius 0 (nilpotent or zero): it cannot be rescaled")
    return M * (r / rho)


def random_recurrent(hidden_size: int, radius: float, *, rng: np.random.Generator) -> np.ndarray:
    """A Gaussian random W_h (H, H) rescaled to spectral radius exactly ``radius``.

    Entries start as N(0, 1/H), whose eigenvalues fill the unit disc roughly uniformly
    (the circular law), so the eigenvalue cloud is a disc of radius ``radius``.
    """
    H = as_int("hidden_size", hidden_size, min_value=1)
    check_size("hidden_size", (H, H))
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    return with_spectral_radius(rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H)), radius)


# -- forward pass and per-step Jacobians ---------------------------------------------------------
def _check(
    params: object, xs: object, activation: str
) -> tuple[dict[str, np.ndarray], np.ndarray, str]:
    act = as_choice("activation", activation, ACTIVATIONS)
    if not isinstance(params, dict) or "Wx" not in params:
        raise TypeError("params must be a dict with keys 'Wx', 'Wh', 'b' (see helpers.rnn.init)")
    Wx = np.asarray(params["Wx"])
    if Wx.ndim != 2:
        raise ValueError(f"params['Wx'] must have shape (H, D), got {Wx.shape}")
    H, D = Wx.shape
    p = check_params("params", params, {"Wx": (H, D), "Wh": (H, H), "b": (H,)})
    x = as_array("xs", xs, ndim=3, shape=(None, None, D))
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"xs must have at least one time step and one sequence, got {x.shape}")
    return p, x, act


def forward(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    activation: str = "tanh",
) -> tuple[np.ndarray, np.ndarray]:
    """Run the RNN: returns ``hs`` (T, B, H) and ``dphi`` (T, B, H) = φ'(a_t) at every step.

    tanh, relu and linear run ``helpers.rnn.forward``; sigmoid (σ(a) = 1/(1 + e^{-a}))
    runs the same recurrence here. φ' is written in terms of h: tanh 1 − h², sigmoid
    h(1 − h), relu [h > 0], linear 1.
    """
    p, x, act = _check(params, xs, activation)
    if act != "sigmoid":
        hs, _ = rnn.forward(p, x, h0, activation=act)
        return hs, rnn._activation_derivative(hs, act)
    T, B, _ = x.shape
    H = p["Wh"].shape[0]
    if h0 is None:
        h = np.zeros((B, H))
    else:
        h = as_array("h0", h0)
        if h.shape == (H,):
            h = np.broadcast_to(h, (B, H)).copy()
        elif h.shape != (B, H):
            raise ValueError(f"h0 must have shape (B, H) = {(B, H)} or (H,), got {h.shape}")
    pre = x @ p["Wx"].T + p["b"]
    hs = np.empty((T, B, H))
    with np.errstate(over="ignore"):
        for t in range(T):
            h = 1.0 / (1.0 + np.exp(-(pre[t] + h @ p["Wh"].T)))
            hs[t] = h
    return hs, hs * (1.0 - hs)


def step_jacobians(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    activation: str = "tanh",
) -> tuple[np.ndarray, np.ndarray]:
    """``(hs, J)``: states (T, B, H) and J (T, B, H, H), ``J[t-1]`` = ∂h_t/∂h_{t-1}.

    ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_h (the column-vector convention of the course).

    Row i of ``J[t-1]`` is W_h's row i scaled by φ'(a_t)_i: how unit i of h_t responds to
    each unit of h_{t-1}.
    """
    p, x, _ = _check(params, xs, activation)
    check_size("xs", (*x.shape[:2], p["Wh"].shape[0], p["Wh"].shape[0]))
    hs, dphi = forward(p, x, h0, activation=activation)
    return hs, dphi[..., :, None] * p["Wh"]


def _as_jacobians(J: object) -> np.ndarray:
    arr = as_array("J", J, ndim=4)
    if arr.shape[-1] != arr.shape[-2] or 0 in arr.shape:
        raise ValueError(f"J must have shape (T, B, H, H) with T, B, H >= 1, got {arr.shape}")
    return arr


def products(J: np.ndarray, *, start: int = 0) -> np.ndarray:
    """Running products P (T − start, B, H, H): ``P[i]`` = ∂h_{start+i+1}/∂h_start.

    ``P[i] = J[start+i] @ … @ J[start]`` (newest factor on the left). Entries may overflow
    to ``inf`` or underflow to 0 over long horizons; use ``log10_norms`` for their size.
    """
    Js = _as_jacobians(J)
    k = as_int("start", start, min_value=0, max_value=Js.shape[0] - 1)
    out = np.empty_like(Js[k:])
    P = np.broadcast_to(np.eye(Js.shape[-1]), Js.shape[1:]).copy()
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for i in range(Js.shape[0] - k):
            P = Js[k + i] @ P
            out[i] = P
    return out


def log10_norms(J: np.ndarray, *, start: int = 0, ord: int | str = 2) -> np.ndarray:
    """log10 ‖∂h_{start+i+1}/∂h_start‖ for i = 0 … T−start−1, shape (T − start, B).

    The running product is renormalised after every step and the scale kept as a sum of
    logarithms, so the result is right far beyond float64's range (10^±308): a product of
    1000 factors of norm 2 gives 301.0, not ``inf``; each factor is divided by its largest
    |entry| first (its log added to the sum), so entries up to float64's maximum are fine.
    ``J`` must be finite (NaN or inf is refused: it would make every later norm NaN).
    ``ord`` is 2 (spectral norm, the largest singular value) or ``"fro"`` (Frobenius).
    An exactly zero product gives −inf.
    """
    Js = _as_jacobians(J)
    k = as_int("start", start, min_value=0, max_value=Js.shape[0] - 1)
    if ord not in (2, "fro"):
        raise ValueError(f"ord must be 2 or 'fro', got {ord!r}")
    n, B, H = Js.shape[0] - k, Js.shape[1], Js.shape[-1]
    unit = np.empty((n, B, H, H))
    logs = np.empty((n, B))
    P = np.broadcast_to(np.eye(H), (B, H, H)).copy()
    total = np.zeros(B)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for i in range(n):
            # Each factor is divided by its largest |entry| (its log kept in the sum) and
            # each product by its Frobenius norm, so nothing overflows even for entries
            # near 1e308: the scaled factor has entries <= 1, the product norm 1.
            scale = np.max(np.abs(Js[k + i]), axis=(-2, -1))
            safe = np.where(scale > 0, scale, 1.0)
            P = (Js[k + i] / safe[:, None, None]) @ P
            size = np.sqrt(np.einsum("bij,bij->b", P, P))
            total = total + np.log10(size) + np.log10(safe)  # −inf once the product is 0
            P = P / np.where(size > 0, size, 1.0)[:, None, None]
            unit[i] = P
            logs[i] = total
        if ord == "fro":
            return logs
        top = np.linalg.svd(unit, compute_uv=False)[..., 0]
        return logs + np.log10(np.where(top > 0, top, 1.0))


def input_gradient_norms(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    activation: str = "tanh",
) -> np.ndarray:
    """‖∂h_T/∂x_s‖₂ for every input s = 1 … T (code: ``xs[s-1]``), shape (T, B).

    ∂h_T/∂x_s = (∂h_T/∂h_s) diag(φ'(a_s)) W_x (H, D): how strongly the last state still
    depends on each earlier input. Computed by one backward sweep, G ← G diag(φ'(a_s)) W_h.
    """
    hs, dphi = forward(params, xs, h0, activation=activation)
    Wx = np.asarray(params["Wx"], dtype=np.float64)
    Wh = np.asarray(params["Wh"], dtype=np.float64)
    T, B, H = hs.shape
    G = np.broadcast_to(np.eye(H), (B, H, H)).copy()  # ∂h_T/∂h_s, starting at s = T
    out = np.empty((T, B))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for s in range(T - 1, -1, -1):
            Ga = G * dphi[s][:, None, :]  # ∂h_T/∂a_s (B, H, H)
            out[s] = np.linalg.norm(Ga @ Wx, ord=2, axis=(1, 2))
            G = Ga @ Wh
    return out


def pascanu_bound(Wh: np.ndarray, activation: str, steps: int | np.ndarray) -> np.ndarray:
    """(γ σ_max)^steps: Pascanu et al.'s upper bound on ‖∂h_{k+steps}/∂h_k‖₂.

    σ_max is the largest singular value of W_h (Pascanu's λ1), γ = max |φ'| (``GAMMA``).
    When γ σ_max < 1 the bound goes to 0 geometrically, so gradients vanish (a sufficient
    condition). A bound beyond 1e308 is refused (``ValueError``) rather than returned as inf.
    """
    act = as_choice("activation", activation, ACTIVATIONS)
    W = as_array("Wh", Wh, ndim=2)
    if W.shape[0] != W.shape[1] or W.size == 0:
        raise ValueError(f"Wh must be square (H, H) with H >= 1, got shape {W.shape}")
    lam = float(np.linalg.norm(W, 2))
    if isinstance(steps, (bool, np.bool_)) or np.asarray(steps).dtype == np.bool_:
        raise TypeError("steps must be a whole number (or an array of them), got a boolean")
    s = as_array("steps", steps)
    if np.any(s < 0) or np.any(s != np.round(s)) or np.any(s > COUNT_LIMIT):
        raise ValueError(f"steps must be whole numbers in [0, {COUNT_LIMIT:,}], got {steps!r}")
    rate = GAMMA[act] * lam
    if rate > 1.0 and s.size and np.max(s) * np.log10(rate) > 308.0:
        raise ValueError(
            f"the bound (γ σ_max(Wh))^steps = {rate:.4g}^{np.max(s):.0f} = "
            f"10^{np.max(s) * np.log10(rate):.4g} exceeds 1e308 (float64 overflows at 1.8e308); "
            "use steps * log10(γ σ_max) to plot it"
        )
    with np.errstate(under="ignore"):
        return np.power(rate, s)
