"""Exercises of notebook 03: the Jacobian product, a non-normal transient, and the spectral
radius at which a tanh network flips from vanishing to exploding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.exercises.core import (
    Hint,
    OutputTypeError,
    _as_real_array,
    _explain_raise,
    check,
    check_value,
    within,
)


# -- Exercise 1: ∂h_t/∂h_k as a product of per-step Jacobians --------------------------------
def _product(Wh, hs, k, t, factor, *, steps=None, newest_left=True):
    """∏ factor(i) over ``steps`` (default i = k+1..t), newest on the left unless told."""
    J = np.eye(Wh.shape[0])
    for i in range(k + 1, t + 1) if steps is None else steps:
        J = factor(i) @ J if newest_left else J @ factor(i)
    return J


def _reference_jacobian(Wh, hs, k, t):
    """∂h_t/∂h_k = ∏_{i=k+1..t} diag(1 − h_i²) W_h (newest factor on the left); hs[i] = h_i.

    Shapes: ``Wh`` (H, H), ``hs`` (T + 1, H) with ``hs[0]`` = h_0; returns (H, H).
    """
    return _product(Wh, hs, k, t, lambda i: (1 - hs[i] ** 2)[:, None] * Wh)


def _transposed_factors(Wh, hs, k, t):
    """BPTT's factor W_hᵀ diag(φ'(a_i)) multiplied as if it were the Jacobian."""
    return _product(Wh, hs, k, t, lambda i: Wh.T * (1 - hs[i] ** 2)[None, :])


def _transposed_Wh(Wh, hs, k, t):
    """diag(φ'(a_i)) W_hᵀ: the right diagonal, the transposed matrix."""
    return _product(Wh, hs, k, t, lambda i: (1 - hs[i] ** 2)[:, None] * Wh.T)


def _reversed_order(Wh, hs, k, t):
    """The right factors, the oldest on the left."""
    return _product(Wh, hs, k, t, lambda i: (1 - hs[i] ** 2)[:, None] * Wh, newest_left=False)


def _previous_state(Wh, hs, k, t):
    """φ'(a_{i−1}) = 1 − h_{i−1}² in step i's factor (the same as a range shifted to k..t−1)."""
    return _product(Wh, hs, k, t, lambda i: (1 - hs[i - 1] ** 2)[:, None] * Wh)


def _one_factor_short(Wh, hs, k, t):
    """range(k + 1, t): the newest step's factor left out."""
    return _product(Wh, hs, k, t, lambda i: (1 - hs[i] ** 2)[:, None] * Wh, steps=range(k + 1, t))


def _one_factor_extra(Wh, hs, k, t):
    """range(k, t + 1): a factor for step k too."""
    return _product(Wh, hs, k, t, lambda i: (1 - hs[i] ** 2)[:, None] * Wh, steps=range(k, t + 1))


def _diag_on_the_right(Wh, hs, k, t):
    """W_h diag(φ'(a_i)): φ' scales the columns (broadcast along the wrong axis)."""
    return _product(Wh, hs, k, t, lambda i: Wh * (1 - hs[i] ** 2)[None, :])


def _no_derivative(Wh, hs, k, t):
    """W_h^(t−k): the linear RNN's product, φ' forgotten."""
    return _product(Wh, hs, k, t, lambda i: Wh)


def _tanh_again(Wh, hs, k, t):
    """1 − tanh(h_i)²: tanh applied to a state that is already tanh(a_i)."""
    return _product(Wh, hs, k, t, lambda i: (1 - np.tanh(hs[i]) ** 2)[:, None] * Wh)


def _elementwise_diag(Wh, hs, k, t):
    """np.diag(1 − h_i²) * W_h: an elementwise product, which keeps only W_h's diagonal."""
    return _product(Wh, hs, k, t, lambda i: np.diag(1 - hs[i] ** 2) * Wh)


def _square_forgotten(Wh, hs, k, t):
    """1 − h_i instead of 1 − h_i²."""
    return _product(Wh, hs, k, t, lambda i: (1 - hs[i])[:, None] * Wh)


def _empty_product_zero(Wh, hs, k, t):
    """The right product, but zeros for k = t (an empty product started from zeros or None)."""
    return _reference_jacobian(Wh, hs, k, t) if t > k else np.zeros_like(Wh)


def _whole_transposed(Wh, hs, k, t):
    """(∂h_t/∂h_k)ᵀ: the matrix BPTT applies to a gradient, returned as the Jacobian."""
    return _reference_jacobian(Wh, hs, k, t).T


def _jacobian_cases() -> list:
    """Non-degenerate cases: H, T, k, t all distinct in the first; a one-factor case; k = t."""
    rng = np.random.default_rng(3)
    out = []
    for H, T, k, t in [(3, 7, 1, 5), (4, 8, 0, 8), (5, 6, 2, 3), (2, 5, 3, 3)]:
        Wh = rng.normal(0, 1.2 / np.sqrt(H), (H, H))
        hs = np.tanh(rng.normal(0, 1, (T + 1, H)))
        out.append(((Wh, hs, k, t), {}))
    return out


JACOBIAN_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _transposed_factors,
        "you multiplied W_hᵀ diag(φ'), the factor of the column-gradient (BPTT) convention, "
        "which applies the TRANSPOSE of the Jacobian. Here ∂h_i/∂h_{i−1} = diag(1 − h_i²) W_h.",
    ),
    (
        _whole_transposed,
        "you returned (∂h_t/∂h_k)ᵀ, the matrix backpropagation applies to a column gradient; "
        "the Jacobian itself has row m = unit m of h_t and column n = unit n of h_k.",
    ),
    (
        _transposed_Wh,
        "you used W_hᵀ: unit m of a_i is Σ_n (W_h)_{mn} h_{i−1,n}, so ∂a_i/∂h_{i−1} = W_h "
        "itself (row m, column n), not its transpose.",
    ),
    (
        _reversed_order,
        "the factors are in the wrong order: the newest step's factor goes on the LEFT "
        "(chain rule: ∂h_t/∂h_{t−1} · … · ∂h_{k+1}/∂h_k), so P = factor_i @ P.",
    ),
    (
        _previous_state,
        "step i's factor uses φ'(a_{i−1}) = 1 − h_{i−1}² (or your range runs over i = k..t−1): "
        "h_i = tanh(a_i), so ∂h_i/∂h_{i−1} = diag(1 − h_i²) W_h, with i = k+1, …, t.",
    ),
    (
        _one_factor_short,
        "one factor is missing: from h_k to h_t there are t − k steps, i = k+1, …, t "
        "(range(k + 1, t + 1)); yours stops before step t.",
    ),
    (
        _one_factor_extra,
        "one factor too many: step k's own factor does not belong to ∂h_t/∂h_k; the "
        "steps are i = k+1, …, t (range(k + 1, t + 1)).",
    ),
    (
        _diag_on_the_right,
        "φ' scales the columns of W_h (W_h diag(φ')): the derivative belongs to the OUTPUT "
        "unit m, so it scales row m: (1 - hs[i]**2)[:, None] * Wh.",
    ),
    (
        _no_derivative,
        "this is W_h^(t−k), the linear RNN's product: the factor diag(φ'(a_i)) = diag(1 − h_i²) "
        "is missing.",
    ),
    (
        _tanh_again,
        "hs already holds h_i = tanh(a_i): tanh'(a_i) = 1 − h_i², not 1 − tanh(h_i)².",
    ),
    (
        _elementwise_diag,
        "np.diag(d) * Wh multiplies ELEMENTWISE and keeps only the diagonal of W_h: use the "
        "matrix product np.diag(d) @ Wh, or scale the rows with d[:, None] * Wh.",
    ),
    (
        _square_forgotten,
        "you used 1 − h_i: tanh'(a_i) = 1 − tanh(a_i)² = 1 − h_i², squared.",
    ),
    (
        _empty_product_zero,
        "for k = t there are no factors, and h_t depends on itself with the identity: "
        "∂h_k/∂h_k = I. Start the product from np.eye(H), not from zeros.",
    ),
]


def check_jacobian_product(student: Callable) -> Callable:
    """Exercise 1: ``jacobian_product(Wh, hs, k, t)`` = ∂h_t/∂h_k (H, H) for a tanh RNN."""
    hints = [
        Hint(lambda d: d.kind == "shape", "the Jacobian of h_t (H,) w.r.t. h_k (H,) is (H, H).")
    ]
    return check(
        "Exercise 1 (∂h_t/∂h_k)",
        student,
        _reference_jacobian,
        _jacobian_cases(),
        hints=hints,
        mistakes=JACOBIAN_MISTAKES,
        axis_names={"output": ("row (unit m of h_t)", "column (unit n of h_k)")},
    )


# -- Exercise 2: ρ < 1, and yet the powers grow ≥ 100× first -----------------------------------
TRANSIENT_GROWTH = 100.0
TRANSIENT_HORIZON = 10_000


def _reference_transient() -> np.ndarray:
    """A 2 × 2 matrix with ρ = 0.95 whose powers peak near 150 (a Jordan-like block)."""
    return np.array([[0.95, 20.0], [0.0, 0.95]])


def power_norms(W: np.ndarray, steps: int = TRANSIENT_HORIZON) -> np.ndarray:
    """‖W^t‖₂ for t = 1..steps, for a square ``W`` with spectral radius < 1: (steps,)."""
    powers = np.empty((steps, *W.shape))
    P = np.eye(W.shape[0])
    for t in range(steps):
        P = W @ P
        powers[t] = P
    return np.linalg.norm(powers, 2, axis=(1, 2))


def check_transient(student: Callable[[], Any]) -> Callable[[], Any]:
    """Exercise 2: ``transient_matrix()`` returns a 2 × 2 real W with ρ(W) < 1 whose powers
    reach ‖W^t‖₂ ≥ 100 for some t ≥ 1. Returns the function to use (yours if right)."""
    title = "Exercise 2 (a transient)"
    try:
        with np.errstate(all="ignore"):
            got = student()
    except NotImplementedError:
        print(f"… {title}: not implemented yet. Later cells use the reference implementation.")
        return _reference_transient
    except (Exception, SystemExit) as exc:
        _explain_raise(title, exc, 0, ())
        return _reference_transient
    try:
        W = _as_real_array("output", got)
    except OutputTypeError as exc:
        print(f"✘ {title}: your function returned {exc}.")
        print("  Expected array(2, 2). Later cells use the reference implementation.")
        return _reference_transient
    problem = _transient_problem(W)
    if problem:
        print(f"✘ {title}: not yet right.")
        print("  " + problem)
        print("  Later cells use the reference implementation.")
        return _reference_transient
    norms = power_norms(W)
    rho = float(np.max(np.abs(np.linalg.eigvals(W))))
    peak = int(np.argmax(norms))
    below = np.flatnonzero(norms[peak:] < 1.0)
    after = f", back below 1 from t = {peak + below[0] + 1}" if below.size else ""
    print(
        f"✔ {title}: ρ = {rho:.3g} < 1, σ_max = {np.linalg.norm(W, 2):.3g}, and ‖W^t‖₂ "
        f"peaks at {norms[peak]:.4g} at t = {peak + 1}{after}."
    )
    return student


def _transient_problem(W: np.ndarray) -> str:
    """What is wrong with a candidate matrix (empty when it has the property)."""
    if W.shape != (2, 2):
        return f"your function returned an array of shape {W.shape}; a 2 × 2 matrix was asked for."
    if not np.all(np.isfinite(W)):
        return "your matrix contains NaN or infinite values."
    rho = float(np.max(np.abs(np.linalg.eigvals(W))))
    sigma = float(np.linalg.norm(W, 2))
    if rho >= 1.0:
        return (
            f"ρ(W) = {rho:.4g} ≥ 1: its powers do not die out (‖W^t‖ ≥ ρ^t), so this is plain "
            "growth, not a transient. Keep every |eigenvalue| below 1."
        )
    scale = max(float(np.sum(W * W)), 1e-300)
    if np.linalg.norm(W @ W.T - W.T @ W) <= 1e-9 * scale:
        return (
            f"your matrix is normal (W Wᵀ = Wᵀ W: symmetric, diagonal, a scaled rotation…). A "
            f"normal matrix has orthogonal eigenvectors and ‖W^t‖₂ = ρ^t = {rho:.3g}^t < 1 for "
            "every t: it cannot grow at all. The growth comes from NON-normality: eigenvectors "
            "far from orthogonal."
        )
    if sigma <= 1.0:
        return (
            f"σ_max = ‖W‖₂ = {sigma:.4g} ≤ 1, so ‖W^t‖₂ ≤ σ_max^t ≤ 1 for every t: no growth is "
            "possible. A transient needs σ_max > 1 while ρ < 1 — one step must be able to stretch "
            "some vector."
        )
    norms = power_norms(W)
    peak = int(np.argmax(norms))
    if norms[peak] >= TRANSIENT_GROWTH:
        return ""
    return (
        f"ρ = {rho:.3g} < 1 and W is non-normal, but the powers only reach max ‖W^t‖₂ = "
        f"{norms[peak]:.4g} (at t = {peak + 1}), below {TRANSIENT_GROWTH:.0f}. Make the "
        "non-normal part stronger, or bring |λ| closer to 1 so that the decay starts later."
    )


# -- Exercise 3: the spectral radius where the explorer's tanh network flips -------------------
#: The experiment: the explorer's network (helpers.explorers.nb03.network(), seed 3),
#: W_h = ρ W0 for ρ on np.linspace(1, 4, 61), input scale 1.0, h_0 = random_h0(), T = 200.
FLIP_SCALE = 1.0
FLIP_STEPS = 200
FLIP_GRID = (1.0, 4.0, 61)
#: Measured by tests/test_checkers_nb03.py with a plain NumPy loop (log10‖∂h_T/∂h_0‖₂ is
#: −1.0 at ρ = 2.40 and +6.7 at ρ = 2.45, far from 0 on both sides of the flip).
FLIP_TRUTH = 2.45
FLIP_MISTAKES: list[tuple[float, str]] = [
    (
        2.20,
        "2.20 is what you get from h_0 = 0: use h_0 = random_h0(). From 0 the state starts on "
        "the fixed point of the input-free network, where tanh' = 1 — the start decides.",
    ),
    (
        4.03,
        "≈ 4.03 is σ_max of W_h at the flip, not ρ: report the spectral radius ρ (the grid value "
        "that multiplies W0, whose ρ is 1); σ_max(W0) ≈ 1.64.",
    ),
    (
        1.0,
        "≈ 1.0 is the first ρ of the grid, where the test fires at once. Two usual causes: you "
        "tested whether ‖∂h_t/∂h_0‖₂ > 1 at ANY t (one factor diag(φ'(a_1)) W_h already exceeds "
        "1; the question is about t = 200 only), or you computed the LINEAR network (ρ^T: "
        "diag(φ'(a_t)) or the inputs left out), whose flip is ρ = 1.",
    ),
    (
        1.05,
        "1.05 is the flip with no input (scale 0): feed the inputs, 1.0 · noise[:T] — saturation "
        "by the inputs is what moves the flip.",
    ),
    (
        1.85,
        "1.85 is the flip at input scale 0.5: this exercise uses input scale 1.0.",
    ),
    (
        3.05,
        "3.05 is the flip at input scale 2.0: this exercise uses input scale 1.0.",
    ),
    (
        2.30,
        "2.30 is the flip over T = 100 steps: measure ‖∂h_T/∂h_0‖ at T = 200.",
    ),
    (
        2.40,
        "2.40 comes from one of three slips: (a) it is the LAST ρ at which the gradient still "
        "vanishes (off by one grid step): return the first ρ at which ‖∂h_200/∂h_0‖₂ > 1; "
        "(b) you ran T = 300 steps, section 4's horizon: use noise[:200]; (c) you multiplied the "
        "factors oldest first (P = P @ J_t): the newest factor goes on the LEFT (P = J_t @ P).",
    ),
]


def check_flip_radius(answer: Callable[[], Any], *, reveal: bool = False) -> bool:
    """Exercise 3: the smallest ρ of the grid at which ‖∂h_200/∂h_0‖₂ > 1 (to ±1 %).

    A value matching a catalogued mistake gets its hint; no wrong value is told the answer
    (``reveal=True``, a deliberate request, shows it)."""
    return check_value(
        "Exercise 3 (where the tanh network flips)",
        answer,
        FLIP_TRUTH,
        rtol=0.01,
        explanation="The gradient vanishes at ρ = 2.40 and explodes at 2.45. The same "
        "network flips at ρ = 1.85 with input scale 0.5 and at 3.05 with input scale 2: "
        "stronger inputs saturate the units more and push the flip up (this network, this h_0).",
        mistakes=[(within(value, 0.02), hint) for value, hint in FLIP_MISTAKES],
        guidance="Scan the grid np.linspace(1, 4, 61) in order and return the FIRST ρ whose "
        "‖∂h_200/∂h_0‖₂ exceeds 1 (log10 > 0), with W_h = ρ · W0, Wx, inputs "
        "1.0 · noise[:200], h_0 = random_h0().",
        reveal=reveal,
    )
