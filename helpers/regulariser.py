"""Pascanu, Mikolov & Bengio's (2013, §3.3) regulariser Ω against vanishing gradients.

For the RNN of ``helpers.rnn`` (states ``hs[t]``, t = 0..T−1, h_t = φ(W_x x_t + W_h h_{t−1}
+ b)) and an error E, write v_t = ∂E/∂h_t (a row vector per sequence of the batch). One
step of back-propagation carries the error signal from h_t to h_{t−1}:
v_t · ∂h_t/∂h_{t−1} = (v_t ⊙ φ'(a_t)) W_h. Ω asks that it keep its norm:

    Ω = Σ_{t=1}^{T−1} mean over the batch of ( ‖(v_t ⊙ φ'(a_t)) W_h‖ / ‖v_t‖ − 1 )²   (eq. 9)

(the paper writes the state as the pre-activation, x_k = W_rec σ(x_{k−1}) + …; here the
state is h, so the diagonal factor is φ'(a_t) of the later state). Only the direction of
the error that actually flows back is constrained, not every direction of the Jacobian.

**The paper's approximation** (its eq. 10): when differentiating Ω_k they treat
∂E/∂x_{k+1} and the state as constants and keep only the "immediate" dependence on W_rec.
``omega_grad`` is the exact gradient, with respect to W_h, of that approximated objective:
Ω as a function of W_h with ``vs`` and ``hs`` held fixed (tested against finite
differences of exactly that function). It is *not* the full derivative of Ω, in which
v_t and h_t would move with W_h as well.

Every function also takes a stack of M models (a leading axis M on ``vs``, ``hs``, ``Wh``,
see ``helpers.stacking``) and returns one value per model.
"""

from __future__ import annotations

import numpy as np

from helpers import rnn
from helpers._validate import as_array, as_choice


def _derivative(hs: np.ndarray, activation: str) -> np.ndarray:
    """φ' of the states ``hs`` (checks ``activation``)."""
    return rnn._activation_derivative(hs, as_choice("activation", activation, rnn.ACTIVATIONS))


def error_signals(dhs: np.ndarray, cache: rnn.Cache) -> np.ndarray:
    """v_t = ∂E/∂h_t for every step, (T, B, H) (or (M, T, B, H) for a stack).

    ``dhs`` (like ``rnn.backward``'s) is the loss's direct gradient at every h_t; v_t adds
    what comes back through the recurrence: v_t = dhs_t + (v_{t+1} ⊙ φ'(a_{t+1})) W_h.
    """
    if not isinstance(cache, rnn.Cache):
        raise TypeError("cache must be the Cache returned by helpers.rnn.forward")
    hs = cache.hs
    g = as_array("dhs", dhs)
    if g.shape != hs.shape:
        raise ValueError(f"dhs must have the shape of cache.hs, {hs.shape}, got {g.shape}")
    d = _derivative(hs, cache.activation)
    Wh = cache.params["Wh"]
    vs = np.empty_like(g)
    carry = np.zeros_like(g[..., 0, :, :])
    for t in range(hs.shape[-3] - 1, -1, -1):
        vs[..., t, :, :] = g[..., t, :, :] + carry
        carry = (vs[..., t, :, :] * d[..., t, :, :]) @ Wh
    return vs


def _parts(
    vs: object, hs: object, Wh: object, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(r, u, rho, live)`` for t = 1..T−1: r = v̂_t ⊙ φ'_t with v̂ = v/‖v‖, u = r W_h,
    rho = ‖u‖ (the ratio of eq. 9), live = ‖v_t‖ > 0 (terms with v_t = 0 count as 0)."""
    act = as_choice("activation", activation, rnn.ACTIVATIONS)
    h = as_array("hs", hs)
    if h.ndim not in (3, 4) or h.shape[-3] < 2 or 0 in h.shape:
        raise ValueError(
            f"hs must have shape (T, B, H) or (M, T, B, H) with T >= 2 (and B, H >= 1), "
            f"got {h.shape}"
        )
    v = as_array("vs", vs)
    if v.shape != h.shape:
        raise ValueError(f"vs must have the shape of hs, {h.shape}, got {v.shape}")
    lead, H = h.shape[:-3], h.shape[-1]
    W = as_array("Wh", Wh, shape=(*lead, H, H))
    v, h = v[..., 1:, :, :], h[..., 1:, :, :]
    with np.errstate(over="ignore", under="ignore"):
        size = np.linalg.norm(v, axis=-1, keepdims=True)
    top = np.abs(v).max(axis=-1, keepdims=True)
    if np.any(~np.isfinite(size) | ((size == 0) & (top > 0))):
        # entries near 1e308 (or 1e-300): the norm overflows (underflows), the direction
        # v/‖v‖ does not. Scaling each v_t by its largest entry changes neither.
        v = v / np.where(top > 0, top, 1.0)
        size = np.linalg.norm(v, axis=-1, keepdims=True)
    live = size > 0
    r = np.where(live, v / np.where(live, size, 1.0), 0.0) * _derivative(h, act)
    with np.errstate(over="ignore", invalid="ignore"):
        u = r @ W[..., None, :, :]
        rho = np.linalg.norm(u, axis=-1)
    _finite_or_refuse(rho, W)
    return r, u, rho, live[..., 0]


def _finite_or_refuse(result: np.ndarray, W: np.ndarray) -> None:
    """Raise (naming Wh) if ``result`` overflowed float64: a Wh far too large for Ω."""
    if not np.all(np.isfinite(result)):
        raise ValueError(
            f"Wh is too large: Ω overflows float64 (largest |Wh| entry "
            f"{np.abs(W).max():.3g}); Ω needs ‖(v ⊙ φ') Wh‖ below about 1e154"
        )


def omega(
    vs: np.ndarray, hs: np.ndarray, Wh: np.ndarray, *, activation: str = "tanh"
) -> tuple[np.ndarray, np.ndarray]:
    """``(Ω, ratios)``: Ω of eq. 9 (a float, or (M,) for a stack) and the per-step norm
    ratios ‖(v_t ⊙ φ'_t) W_h‖ / ‖v_t‖, (T−1, B) (or (M, T−1, B)) for t = 1..T−1.

    ``vs``: ∂E/∂h_t from ``error_signals``, (T, B, H); ``hs``: the states, (T, B, H);
    ``Wh``: (H, H). A ratio of 1 preserves the error's norm over that step; Ω is the summed
    (over steps), batch-averaged squared distance from 1. A step where v_t = 0 adds 0.
    """
    _, _, rho, live = _parts(vs, hs, Wh, activation)
    with np.errstate(over="ignore"):
        terms = np.where(live, (rho - 1.0) ** 2, 0.0)
        total = terms.mean(axis=-1).sum(axis=-1)
    _finite_or_refuse(total, np.asarray(Wh))
    return total, rho


def omega_grad(
    vs: np.ndarray, hs: np.ndarray, Wh: np.ndarray, *, activation: str = "tanh"
) -> np.ndarray:
    """∂⁺Ω/∂W_h, (H, H) (or (M, H, H)): the gradient of ``omega`` as a function of ``Wh``
    alone, ``vs`` and ``hs`` held fixed (Pascanu et al.'s eq. 10 approximation).

    With r = v̂_t ⊙ φ'_t and u = r W_h: ∂(‖u‖ − 1)²/∂W_h = 2(‖u‖ − 1) rᵀ u/‖u‖, averaged
    over the batch and summed over t. Where u = 0 the term's gradient is taken as 0.
    """
    r, u, rho, live = _parts(vs, hs, Wh, activation)
    B = r.shape[-2]
    unit = np.where(rho[..., None] > 0, u / np.where(rho > 0, rho, 1.0)[..., None], 0.0)
    coef = np.where(live, 2.0 * (rho - 1.0), 0.0)[..., None]
    flat_r = (coef * r).reshape(*r.shape[:-3], -1, r.shape[-1])
    flat_u = unit.reshape(*unit.shape[:-3], -1, unit.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):
        grad = flat_r.swapaxes(-1, -2) @ flat_u / B
    _finite_or_refuse(grad, np.asarray(Wh))
    return grad
