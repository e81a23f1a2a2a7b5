"""Exercises of notebook 06: seed 002's RMSProp step, and Nesterov's look-ahead."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.exercises.core import check


def reference_rmsprop(w, g, sigma_prev, lr, alpha):
    """σ = √(α σ_prev² + (1 − α) g²) (σ = |g| when sigma_prev is None); w − lr g / σ."""
    sigma = np.abs(g) if sigma_prev is None else np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    return w - lr * g / sigma, sigma


def _swapped_alpha(w, g, sigma_prev, lr, alpha):
    return reference_rmsprop(w, g, sigma_prev, lr, 1 - alpha)


def _no_sqrt(w, g, sigma_prev, lr, alpha):
    s2 = g**2 if sigma_prev is None else alpha * sigma_prev**2 + (1 - alpha) * g**2
    return w - lr * g / s2, s2


def check_rmsprop_step(student: Callable) -> Callable:
    """Exercise 1: ``rmsprop_step(w, g, sigma_prev, lr, alpha) -> (w_new, sigma)``."""
    rng = np.random.default_rng(7)
    cases = [((np.array([1.0, -2.0]), np.array([0.5, 4.0]), None, 0.1, 0.9), {})]
    for _ in range(3):
        cases.append(
            (
                (
                    rng.normal(size=3),
                    rng.normal(size=3),
                    np.abs(rng.normal(size=3)) + 0.1,
                    0.01,
                    0.9,
                ),
                {},
            )
        )
    mistakes = [
        (_swapped_alpha, "α weighs the OLD average: σᵗ = √(α (σᵗ⁻¹)² + (1 − α)(gᵗ)²)."),
        (_no_sqrt, "σ is a root mean square: take the square root of the running average."),
    ]
    return check(
        "Exercise 1 (an RMSProp step)", student, reference_rmsprop, cases, mistakes=mistakes
    )


def reference_nesterov(theta, v, grad, lr, mu):
    """Sutskever et al. (2013): v ← μv − lr ∇f(θ + μv); θ ← θ + v. Returns (θ, v)."""
    v_new = mu * v - lr * grad(theta + mu * v)
    return theta + v_new, v_new


def _classical(theta, v, grad, lr, mu):
    v_new = mu * v - lr * grad(theta)
    return theta + v_new, v_new


def check_nesterov_step(student: Callable) -> Callable:
    """Exercise 2: ``nesterov_step(theta, v, grad, lr, mu) -> (theta_new, v_new)``."""

    def quad(t):
        return np.array([2.0, 20.0]) * t

    def wavy(t):
        return np.cos(3 * t) + t

    cases = [
        ((np.array([1.0, 1.0]), np.array([0.3, -0.2]), quad, 0.05, 0.9), {}),
        ((np.array([0.5]), np.array([0.1]), wavy, 0.1, 0.5), {}),
        ((np.array([-1.0, 2.0]), np.zeros(2), quad, 0.01, 0.99), {}),
    ]
    mistakes = [
        (
            _classical,
            "this is classical momentum: NAG takes the gradient at the "
            "look-ahead point θ + μv, not at θ.",
        )
    ]
    return check(
        "Exercise 2 (a Nesterov step)", student, reference_nesterov, cases, mistakes=mistakes
    )
