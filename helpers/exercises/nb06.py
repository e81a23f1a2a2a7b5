"""Exercises of notebook 06: RMSProp, Nesterov and Adam steps written from their formulas,
and an experiment: the largest stable step of NAG in one eigen-direction.

Each update-rule checker runs the student's *one-step* function for several updates in a
row (the state it returns is fed back in), on parameter vectors of different sizes, and
compares the whole trajectory with the reference: a mistake in the state (σ, v, m) shows
up in later updates even when the first one is right. The catalogue of each checker is a
list of buggy implementations of the mistakes students make, each with its own hint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.exercises.core import Hint, check, check_value, near

#: The trajectories' axes, so an unrecognised error is located ("update = 2, entry = 1").
AXES = ("update", "entry")


# ----------------------------------------------------------------------------------------
# Exercise 1: an RMSProp step (seed 002's form: σ⁰ = |g⁰|)
# ----------------------------------------------------------------------------------------
def reference_rmsprop(w, g, sigma_prev, lr, alpha):
    """σ = √(α σ_prev² + (1 − α) g²) (σ = |g| when sigma_prev is None); w − lr g / σ."""
    sigma = np.abs(g) if sigma_prev is None else np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    return w - lr * g / sigma, sigma


def _swapped_alpha(w, g, sigma_prev, lr, alpha):
    return reference_rmsprop(w, g, sigma_prev, lr, 1 - alpha)


def _no_sqrt(w, g, sigma_prev, lr, alpha):
    s2 = g**2 if sigma_prev is None else alpha * sigma_prev**2 + (1 - alpha) * g**2
    return w - lr * g / s2, s2


def _sigma_starts_at_zero(w, g, sigma_prev, lr, alpha):
    prev = 0.0 if sigma_prev is None else sigma_prev
    sigma = np.sqrt(alpha * prev**2 + (1 - alpha) * g**2)
    return w - lr * g / sigma, sigma


def _old_sigma(w, g, sigma_prev, lr, alpha):
    sigma = np.abs(g) if sigma_prev is None else np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    divide_by = sigma if sigma_prev is None else sigma_prev
    return w - lr * g / divide_by, sigma


def _signed_sigma0(w, g, sigma_prev, lr, alpha):
    sigma = g if sigma_prev is None else np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    return w - lr * g / sigma, sigma


def _mean_square_state(w, g, sigma_prev, lr, alpha):
    ms = g**2 if sigma_prev is None else alpha * sigma_prev + (1 - alpha) * g**2
    return w - lr * g / np.sqrt(ms), ms


RMSPROP_MISTAKES = [
    (_swapped_alpha, "α weighs the OLD average: σᵗ = √(α (σᵗ⁻¹)² + (1 − α)(gᵗ)²)."),
    (_no_sqrt, "σ is a root mean square: take the square root of the running average."),
    (
        _sigma_starts_at_zero,
        "the first update starts the average at σ⁰ = |g⁰| (seed 002's form), not at 0 "
        "(that is PyTorch's RMSprop, whose first steps are larger by 1/√(1 − α)).",
    ),
    (
        _old_sigma,
        "divide by the NEW σᵗ, which already includes gᵗ, not by the previous σᵗ⁻¹.",
    ),
    (
        _signed_sigma0,
        "σ is a root mean square, never negative: σ⁰ = |g⁰|, not g⁰ (with σ⁰ = g⁰ every "
        "first step is −η whatever the sign of g⁰: uphill wherever g⁰ < 0).",
    ),
    (
        _mean_square_state,
        "the state to return is σ itself, not its square: the next update squares it "
        "again in α (σᵗ⁻¹)².",
    ),
]


def _is_tuple_of(value: object, n: int) -> bool:
    """A tuple or list of ``n`` items: what an update step must return."""
    return isinstance(value, tuple | list) and len(value) == n


def _run_rmsprop(step: Callable) -> Callable:
    def run(w0, grads, lr, alpha):
        w, sigma, ws, sigmas = w0, None, [], []
        for g in grads:
            out = step(w, g, sigma, lr, alpha)
            if not _is_tuple_of(out, 2):
                return out  # the engine then says what was returned instead of a pair
            w, sigma = out
            ws.append(w)
            sigmas.append(sigma)
        return {"w": np.array(ws), "sigma": np.array(sigmas)}

    return run


def _gradients(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n gradients of d entries, of mixed signs and sizes 0.1–3 (never 0)."""
    return rng.choice([-1.0, 1.0], size=(n, d)) * rng.uniform(0.1, 3.0, size=(n, d))


def check_rmsprop_step(student: Callable) -> Callable:
    """Exercise 1: ``rmsprop_step(w, g, sigma_prev, lr, alpha) -> (w_new, sigma)``.

    Run for 5 and 4 updates on vectors of 3 and 6 entries (σ fed back each time).
    """
    rng = np.random.default_rng(7)
    cases = [
        ((rng.normal(size=3), _gradients(rng, 5, 3), 0.1, 0.9), {}),
        ((rng.normal(size=6), _gradients(rng, 4, 6), 0.01, 0.7), {}),
    ]
    run_student = _run_rmsprop(student)
    checked = check(
        "Exercise 1 (an RMSProp step)",
        run_student,
        _run_rmsprop(reference_rmsprop),
        cases,
        mistakes=[(_run_rmsprop(wrong), hint) for wrong, hint in RMSPROP_MISTAKES],
        axis_names={"w": AXES, "sigma": AXES},
    )
    return student if checked is run_student else reference_rmsprop


# ----------------------------------------------------------------------------------------
# Exercise 2: a Nesterov step (Sutskever et al. 2013)
# ----------------------------------------------------------------------------------------
def reference_nesterov(theta, v, grad, lr, mu):
    """Sutskever et al. (2013): v ← μv − lr ∇f(θ + μv); θ ← θ + v. Returns (θ, v)."""
    v_new = mu * v - lr * grad(theta + mu * v)
    return theta + v_new, v_new


def _classical(theta, v, grad, lr, mu):
    v_new = mu * v - lr * grad(theta)
    return theta + v_new, v_new


def _lookahead_backwards(theta, v, grad, lr, mu):
    v_new = mu * v - lr * grad(theta - mu * v)
    return theta + v_new, v_new


def _uphill(theta, v, grad, lr, mu):
    v_new = mu * v + lr * grad(theta + mu * v)
    return theta + v_new, v_new


def _old_velocity(theta, v, grad, lr, mu):
    v_new = mu * v - lr * grad(theta + mu * v)
    return theta + v, v_new


NESTEROV_MISTAKES = [
    (
        _classical,
        "this is classical momentum: NAG takes the gradient at the look-ahead point θ + μv, "
        "not at θ.",
    ),
    (
        _lookahead_backwards,
        "the look-ahead goes where the velocity carries θ: θ + μv (v already points "
        "downhill), not θ − μv. Mixing two sign conventions for v gives this.",
    ),
    (
        _uphill,
        "with v ← μv + η∇E the velocity points uphill: in this form v ← μv − η∇E(θ + μv), "
        "and then θ ← θ + v.",
    ),
    (
        _old_velocity,
        "θ moves by the NEW velocity: first v ← μv − η∇E(θ + μv), then θ ← θ + v.",
    ),
]


def _run_nesterov(step: Callable) -> Callable:
    def run(theta0, v0, grad, lr, mu, n):
        theta, v, thetas, vs = theta0, v0, [], []
        for _ in range(n):
            out = step(theta, v, grad, lr, mu)
            if not _is_tuple_of(out, 2):
                return out
            theta, v = out
            thetas.append(theta)
            vs.append(v)
        return {"theta": np.array(thetas), "v": np.array(vs)}

    return run


def check_nesterov_step(student: Callable) -> Callable:
    """Exercise 2: ``nesterov_step(theta, v, grad, lr, mu) -> (theta_new, v_new)``.

    Run for 6 and 4 updates, on a quadratic ravine of 3 curvatures and on a wavy function
    of 5 entries, from a non-zero velocity.
    """

    def ravine(t):
        return np.array([1.0, 10.0, 40.0]) * t

    def wavy(t):
        return np.cos(3 * t) + 0.5 * t

    rng = np.random.default_rng(6)
    cases = [
        ((np.array([1.0, -0.5, 0.2]), np.array([0.3, -0.2, 0.1]), ravine, 0.02, 0.9, 6), {}),
        ((rng.normal(size=5), 0.1 * rng.normal(size=5), wavy, 0.1, 0.5, 4), {}),
    ]
    run_student = _run_nesterov(student)
    checked = check(
        "Exercise 2 (a Nesterov step)",
        run_student,
        _run_nesterov(reference_nesterov),
        cases,
        mistakes=[(_run_nesterov(wrong), hint) for wrong, hint in NESTEROV_MISTAKES],
        axis_names={"theta": AXES, "v": AXES},
    )
    return student if checked is run_student else reference_nesterov


# ----------------------------------------------------------------------------------------
# Exercise 3: an Adam step (Kingma & Ba 2015, Algorithm 1)
# ----------------------------------------------------------------------------------------
def reference_adam(theta, g, m, v, t, lr, beta1, beta2, eps):
    """One Adam update; ``t`` counts the updates made BEFORE this one (0 at the first).

    Returns (θ, m, v): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², and
    θ ← θ − lr · m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁^(t+1)), v̂ = v / (1 − β₂^(t+1)).
    """
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _no_bias_correction(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def _t_from_zero(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)  # 1 − β⁰ = 0 at the first update
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _eps_inside(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


def _betas_swapped(theta, g, m, v, t, lr, beta1, beta2, eps):
    return reference_adam(theta, g, m, v, t, lr, beta2, beta1, eps)


def _v_from_g(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _corrected_state(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


def _v_uncorrected(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return theta - lr * m / (1 - beta1 ** (t + 1)) / (np.sqrt(v) + eps), m, v


ADAM_MISTAKES = [
    (
        _no_bias_correction,
        "bias correction missing: m and v start at 0, so divide them by 1 − β₁ᵗ and "
        "1 − β₂ᵗ (t = 1 at the first update) before the step.",
    ),
    (
        _eps_inside,
        "ε goes outside the square root: m̂ / (√v̂ + ε), as in Algorithm 1.",
    ),
    (
        _betas_swapped,
        "β₁ (0.9 by default) averages the gradients m, β₂ (0.999) their squares v: "
        "the two β's are swapped.",
    ),
    (
        _v_from_g,
        "v averages the SQUARED gradients: v ← β₂ v + (1 − β₂) g², element by element.",
    ),
    (
        _corrected_state,
        "return the raw averages m and v as the state, not m̂ and v̂: the bias correction "
        "is applied afresh at every update, to the raw averages.",
    ),
    (
        _v_uncorrected,
        "v needs its bias correction too: v̂ = v / (1 − β₂ᵗ). Without it √v is far too "
        "small in the first updates (by √(1 − β₂ᵗ)) and the steps far too large.",
    ),
]
#: A mistake whose output is NaN cannot be matched value for value: it is recognised by
#: the NaN it produces in the very first update.
ADAM_T_HINT = (
    "at the first update t = 0 was passed in: Algorithm 1 increments t BEFORE the bias "
    "correction, so use 1 − β^(t + 1) (with 1 − β⁰ = 0 the first step divides by zero)."
)


def _run_adam(step: Callable) -> Callable:
    def run(theta0, grads, lr, beta1, beta2, eps):
        theta, m, v = theta0, np.zeros_like(theta0), np.zeros_like(theta0)
        thetas, ms, vs = [], [], []
        for t, g in enumerate(grads):
            out = step(theta, g, m, v, t, lr, beta1, beta2, eps)
            if not _is_tuple_of(out, 3):
                return out
            theta, m, v = out
            thetas.append(theta)
            ms.append(m)
            vs.append(v)
        return {"theta": np.array(thetas), "m": np.array(ms), "v": np.array(vs)}

    return run


def check_adam_step(student: Callable) -> Callable:
    """Exercise 3: ``adam_step(theta, g, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v)``.

    Run for 6 and 5 updates on vectors of 3 and 4 entries. The first case has positive
    gradients (so that forgetting the square in v stays finite and is recognised) and a
    large ε = 0.01 (so that ε inside or outside the root differ clearly).
    """
    rng = np.random.default_rng(3)
    cases = [
        ((rng.normal(size=3), rng.uniform(0.1, 2.0, size=(6, 3)), 0.1, 0.9, 0.999, 1e-2), {}),
        ((rng.normal(size=4), _gradients(rng, 5, 4), 0.05, 0.8, 0.99, 1e-8), {}),
    ]
    hints = [Hint(lambda d: d.kind == "nan" and d.leaf == "output['theta']", ADAM_T_HINT)]
    run_student = _run_adam(student)
    checked = check(
        "Exercise 3 (an Adam step)",
        run_student,
        _run_adam(reference_adam),
        cases,
        hints=hints,
        mistakes=[(_run_adam(wrong), hint) for wrong, hint in ADAM_MISTAKES],
        axis_names={"theta": AXES, "m": AXES, "v": AXES},
    )
    return student if checked is run_student else reference_adam


# ----------------------------------------------------------------------------------------
# Exercise 4: an experiment — NAG's largest stable step in one direction, for μ = 0.5
# ----------------------------------------------------------------------------------------
NAG_MU = 0.5
#: Closed form (Schur–Cohn: a real eigenvalue of NAG's 2 × 2 matrix reaches −1):
#: ηλ = 2(1 + μ)/(1 + 2μ).
NAG_LIMIT = 2 * (1 + NAG_MU) / (1 + 2 * NAG_MU)
NAG_LIMIT_MISTAKES = [
    (
        2 * (1 + NAG_MU),
        "that is classical momentum's limit 2(1 + μ): NAG's matrix carries the velocity "
        "with μ(1 − ηλ), not μ (the gradient at the look-ahead point).",
    ),
    (2.0, "that is plain gradient descent's limit ηλ = 2: where did μ go?"),
    (
        2 * (1 + 0.9) / (1 + 2 * 0.9),
        "that is the limit for μ = 0.9 (§3's figure); this exercise asks for μ = 0.5.",
    ),
    (
        1.0,
        "at ηλ = 1 the look-ahead cancels the momentum (μ(1 − ηλ) = 0): NAG is still "
        "stable there. Look further, where the spectral radius reaches 1.",
    ),
    (
        NAG_LIMIT / 0.01,
        "that is a limit on λ with η = 0.01, `radius`'s default eta (§3's ravine): pass "
        "eta=1.0, so that its argument is ηλ.",
    ),
    (
        2 * (1 + 0.9) / (1 + 2 * 0.9) / 0.01,
        "that is a limit on λ, with `radius`'s defaults η = 0.01 and μ = 0.9: pass "
        "eta=1.0 and mu=0.5.",
    ),
]
#: A wrong answer is matched to a catalogued one more tightly than a right answer is
#: accepted: the catalogue's values lie within 2 % of one another (1.357 and 1.333 are
#: 1.8 % apart), and a hint must not name a mistake the student did not make.
NAG_MISTAKE_RTOL = 0.01


def check_nag_limit(answer: Callable[[], Any], *, reveal: bool = False) -> bool:
    """Exercise 4: the largest ηλ at which NAG with μ = 0.5 still converges (2 % tolerance).

    A value matching a catalogued mistake gets its hint; no wrong value is told the answer
    (``reveal=True``, a deliberate request, shows it)."""
    return check_value(
        "Exercise 4 (NAG's largest stable step, μ = 0.5)",
        answer,
        NAG_LIMIT,
        rtol=0.02,
        explanation="Above it one eigenvalue of NAG's matrix is below −1: the error "
        "flips sign and grows at every update.",
        mistakes=[(near(value, NAG_MISTAKE_RTOL), hint) for value, hint in NAG_LIMIT_MISTAKES],
        guidance="Look for the ηλ at which the spectral radius of NAG's iteration matrix, "
        'radius("NAG", ηλ, eta=1.0, mu=0.5), reaches 1: stable below it, unstable above.',
        reveal=reveal,
    )
