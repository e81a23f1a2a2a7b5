"""Exercises of notebook 03: the Jacobian product, and the spectral radius."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.exercises.core import Hint, check


def _reference_jacobian(Wh, hs, k, t):
    """∂h_t/∂h_k = ∏_{i=k+1..t} diag(1 − h_i²) W_h (newest factor on the left); hs[i] = h_i."""
    J = np.eye(Wh.shape[0])
    for i in range(k + 1, t + 1):
        J = ((1 - hs[i] ** 2)[:, None] * Wh) @ J
    return J


def _transposed_factors(Wh, hs, k, t):
    J = np.eye(Wh.shape[0])
    for i in range(k + 1, t + 1):
        J = (Wh.T * (1 - hs[i] ** 2)[None, :]) @ J
    return J


def _reversed_order(Wh, hs, k, t):
    J = np.eye(Wh.shape[0])
    for i in range(k + 1, t + 1):
        J = J @ ((1 - hs[i] ** 2)[:, None] * Wh)
    return J


def _cases():
    rng = np.random.default_rng(3)
    out = []
    for H, T, k, t in [(1, 4, 0, 3), (3, 6, 1, 5), (4, 8, 2, 8), (5, 5, 4, 4)]:
        Wh = rng.normal(0, 1.2 / np.sqrt(H), (H, H))
        hs = np.tanh(rng.normal(0, 1, (T + 1, H)))
        out.append(((Wh, hs, k, t), {}))
    return out


def check_jacobian_product(student: Callable) -> Callable:
    """Exercise 1: ``jacobian_product(Wh, hs, k, t)`` = ∂h_t/∂h_k for a tanh RNN."""
    mistakes = [
        (
            _transposed_factors,
            "you multiplied W_hᵀ diag(φ'): that is the Jacobian of the "
            "column-gradient (BPTT) convention. Here ∂h_i/∂h_{i-1} = diag(1 − h_i²) W_h.",
        ),
        (
            _reversed_order,
            "the factors are in the wrong order: the newest step's factor goes on "
            "the LEFT (chain rule: ∂h_t/∂h_{t-1} · … · ∂h_{k+1}/∂h_k).",
        ),
    ]
    hints = [
        Hint(lambda d: d.kind == "shape", "the Jacobian of h_t (H,) w.r.t. h_k (H,) is (H, H).")
    ]
    return check(
        "Exercise 1 (∂h_t/∂h_k)",
        student,
        _reference_jacobian,
        _cases(),
        hints=hints,
        mistakes=mistakes,
    )


def _reference_radius(W):
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def _largest_singular(W):
    return float(np.linalg.norm(W, 2))


def _largest_real_part(W):
    return float(np.max(np.linalg.eigvals(W).real))


def check_spectral_radius(student: Callable) -> Callable:
    """Exercise 2: ``spectral_radius(W)`` = max |λ_i(W)|."""
    rng = np.random.default_rng(4)
    rotation = np.array([[0.0, -1.1], [1.1, 0.0]])  # eigenvalues ±1.1 i
    cases = [
        ((rotation,), {}),
        ((np.diag([-2.0, 0.5]),), {}),
        ((rng.normal(0, 0.5, (4, 4)),), {}),
        ((np.array([[0.5, 3.0], [0.0, 0.5]]),), {}),
    ]
    mistakes = [
        (
            _largest_singular,
            "that is the largest singular value σ_max = ‖W‖₂ (Pascanu's λ1), an upper "
            "bound on the spectral radius; the radius is the largest |eigenvalue|.",
        ),
        (
            _largest_real_part,
            "eigenvalues can be negative or complex: take their absolute value "
            "(np.abs) before the maximum.",
        ),
    ]
    return check(
        "Exercise 2 (spectral radius)", student, _reference_radius, cases, mistakes=mistakes
    )
