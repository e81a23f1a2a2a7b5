"""Exercises of notebook 02: predict 0.99^1000; the gain horizon ℓ(α, m); the lost term.

Every checker carries a catalogue of the mistakes students make, each answered with its own
hint (tests/test_checkers_nb02.py writes each one as a buggy solution).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.exercises.core import Hint, NumberMistake, check, check_value, near

# -- Exercise 1: predict 0.99^1000 ------------------------------------------------------------

PREDICT_MISTAKES: list[NumberMistake] = [
    (
        lambda v: v == 0.0,
        "small is not zero: 0.99^1000 = exp(1000 ln 0.99) is a positive number that "
        "float64 holds easily; compute ln 0.99 ≈ −0.01005 first.",
    ),
    (
        lambda v: v < 0.0,
        "a power of a positive number is positive: 1 − 1000 · 0.01 is the linearisation "
        "(1 − δ)^n ≈ 1 − nδ, valid only while nδ ≪ 1; here nδ = 10, use exp(−nδ).",
    ),
    (
        lambda v: 0.3 < v < 0.45,
        "≈ 0.37 = e^−1 is 0.999^1000; for 0.99, 1000 · ln 0.99 ≈ −10, not −1.",
    ),
    (
        lambda v: 0.0 < v < 1e-30,
        "far too small: ln 0.99 ≈ −0.01 (not −0.1), so the exponent 1000 ln 0.99 is about "
        "−10, not −100.",
    ),
    (
        lambda v: 1e-11 < v < 1e-9,
        "≈ 10^−10 mixes the bases: the exponent 1000 ln 0.99 ≈ −10 is a power of e, not of "
        "10 (e^x = 10^(x / ln 10), and ln 10 ≈ 2.3).",
    ),
    (
        near(math.exp(1000 * math.log10(0.99)), 0.05),
        "≈ 0.013 mixes the bases the other way: log10 0.99 ≈ −0.0044 put into exp. Use the "
        "natural logarithm with exp (or log10 with 10^…).",
    ),
    (
        lambda v: v >= 1.0,
        "a number below 1 raised to a power is below 1, and smaller the larger the power: "
        "did you compute 1.01^1000, or 1 / 0.99^1000?",
    ),
]


def check_predict_099_1000(answer: Callable[[], float], *, reveal: bool = False) -> bool:
    """Exercise 1: predict 0.99^1000 (within 10 %) before computing it.

    A wrong prediction hears its direction, a coarse size of the miss and the hint of a
    catalogued mistake, never the value; ``reveal=True`` (a deliberate request) shows it.
    """
    return check_value(
        "Exercise 1 (0.99^1000)",
        answer,
        0.99**1000,
        rtol=0.1,
        explanation="Use 0.99^1000 = exp(1000 ln 0.99) ≈ exp(−10.05).",
        mistakes=PREDICT_MISTAKES,
        guidance="Write 0.99^1000 = exp(1000 ln 0.99) and use ln 0.99 ≈ −0.01.",
        reveal=reveal,
    )


# -- Exercise 2: the gain horizon ℓ(α, m) -----------------------------------------------------


def reference_gain_horizon(alpha: np.ndarray, m: float) -> np.ndarray:
    """The smallest lag ℓ at which |α|^ℓ ≤ 10^−m (|α| < 1) or |α|^ℓ ≥ 10^m (|α| > 1).

    ``alpha``: shape (K,), no entry 0 or ±1; returns shape (K,): ⌈m / |log10 |α||⌉.
    """
    return np.ceil(m / np.abs(np.log10(np.abs(alpha))))


def _horizon_natural_log(alpha, m):
    return np.ceil(m / np.abs(np.log(np.abs(alpha))))


def _horizon_log2(alpha, m):
    return np.ceil(m / np.abs(np.log2(np.abs(alpha))))


def _horizon_floor(alpha, m):
    return np.floor(m / np.abs(np.log10(np.abs(alpha))))


def _horizon_round(alpha, m):
    return np.round(m / np.abs(np.log10(np.abs(alpha))))


def _horizon_not_rounded(alpha, m):
    return m / np.abs(np.log10(np.abs(alpha)))


def _horizon_plus_one(alpha, m):
    return np.ceil(m / np.abs(np.log10(np.abs(alpha)))) + 1


def _horizon_signed_log(alpha, m):
    return np.ceil(m / np.log10(np.abs(alpha)))


def _horizon_vanishing_only(alpha, m):
    return np.ceil(-m / np.log10(np.abs(alpha)))


HORIZON_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _horizon_natural_log,
        "natural logarithm: ln counts factors of e, about 2.3 per factor of 10. The "
        "gain reaches 10^−m when ℓ · log10|α| = −m: use np.log10 (or divide ln by ln 10).",
    ),
    (
        _horizon_log2,
        "base-2 logarithm: log2 counts halvings (binary digits), about 3.3 per factor of 10. "
        "m counts decimal orders of magnitude: use np.log10.",
    ),
    (
        _horizon_floor,
        "one step short: at ℓ = ⌊m / |log10|α||⌋ the gain has not yet reached 10^∓m. "
        "The lag must be at least m / |log10|α||: round UP (np.ceil).",
    ),
    (
        _horizon_round,
        "round() goes down when the fraction is below one half, and then the gain has not "
        "yet reached 10^∓m: round UP (np.ceil).",
    ),
    (
        _horizon_not_rounded,
        "a lag is a whole number of steps: m / |log10|α|| falls between two lags; return the "
        "first lag at which the gain has got there (np.ceil).",
    ),
    (
        _horizon_plus_one,
        "one step too many: the lag ℓ = t − k counts multiplications by α (α^0 = 1 at lag "
        "0), so ⌈m / |log10|α||⌉ is already the first lag past the threshold.",
    ),
    (
        _horizon_signed_log,
        "negative lags for |α| < 1: log10|α| < 0 there, so m / log10|α| is negative. The "
        "number of steps is m / |log10|α|| for a shrinking and a growing gain alike.",
    ),
    (
        _horizon_vanishing_only,
        "right for |α| < 1, negative for |α| > 1: there the gain grows, log10|α| > 0, and "
        "the question is when it has grown by 10^m. Divide by |log10|α||.",
    ),
]

HORIZON_HINTS = [
    Hint(
        lambda d: d.kind == "nan",
        "NaN where α < 0? log10 of a negative number is NaN. A negative α flips the sign of "
        "the gain every step; its size is |α|^ℓ: take np.abs(alpha) first.",
    ),
]

#: ((alpha, m), ...): α < 1, α > 1 and α < 0 in every case; m / |log10|α|| is never within
#: 1e-6 of a whole number (the test checks it), so ⌈·⌉ is not at the mercy of rounding.
HORIZON_CASES = [
    ((np.array([0.9, 0.99, 1.5, -0.8, 1.01, -1.2, 0.5]), 3.0), {}),
    ((np.array([0.95, -0.999, 2.0, 0.3, 1.1]), 6.0), {}),
    ((np.array([0.999999, -0.7, 1.000001, 1.3]), 2.5), {}),
]


def check_gain_horizon(student: Callable[..., Any]) -> Callable[..., Any]:
    """Exercise 2: ``gain_horizon(alpha, m)``, the lag at which |α|^ℓ crosses 10^∓m."""
    return check(
        "Exercise 2 (gain horizon)",
        student,
        reference_gain_horizon,
        HORIZON_CASES,
        hints=HORIZON_HINTS,
        mistakes=HORIZON_MISTAKES,
        axis_names={"output": ("alpha index",)},
    )


# -- Exercise 3: when is a long-range term lost in the sum? ------------------------------------


def reference_lost_power(dtype: type) -> int:
    """The smallest p ≥ 1 with dtype(1) + dtype(2)^−p == dtype(1): the stored fraction bits + 1.

    Rounding to nearest (ties to even) sends 1 + 2^−(bits+1), half the gap above 1, back to
    1. float16: 11, float32: 24, float64: 53 (IEEE 754).
    """
    return int(np.finfo(dtype).nmant) + 1


def _lost_last_kept(dtype):
    return int(np.finfo(dtype).nmant)


def _lost_python_floats(dtype):
    p = 1
    while 1.0 + 2.0**-p != 1.0:
        p += 1
    return p


def _lost_decimal(dtype):
    one, p = dtype(1), 1
    while one + dtype(10) ** -p != one:
        p += 1
    return p


def _lost_counted_one_more(dtype):
    return int(np.finfo(dtype).nmant) + 2


LOST_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _lost_last_kept,
        "one too small: that is the LAST p whose term still changes the sum (2^−p = ε, "
        "np.finfo(dtype).eps, the gap between 1 and the next number). Half of that gap is "
        "rounded back to 1 (round to nearest, ties to even): that p is the first one lost.",
    ),
    (
        _lost_python_floats,
        "every dtype gave 53: Python's floats are float64. Compute in the dtype itself: "
        "one = dtype(1); one + dtype(2) ** -p == one.",
    ),
    (
        _lost_decimal,
        "decimal powers: the question is about 2^−p, the binary digits float arithmetic "
        "keeps (1 + 10^−p is lost at a different p): one + dtype(2) ** -p.",
    ),
    (
        _lost_counted_one_more,
        "one too many: check where your count starts and when it stops; p = 1 is the term "
        "2^−1 = 0.5, and the answer is the first p whose sum equals 1.",
    ),
]

LOST_CASES = [((np.float32,), {}), ((np.float16,), {}), ((np.float64,), {})]


def check_lost_power(student: Callable[..., Any]) -> Callable[..., Any]:
    """Exercise 3a: ``lost_power(dtype)``, the first p with 1 + 2^−p == 1 in that dtype."""
    return check(
        "Exercise 3a (the first term lost)",
        student,
        reference_lost_power,
        LOST_CASES,
        mistakes=LOST_MISTAKES,
    )


def lag_lost(alpha: float, bits: int) -> int:
    """The first lag ℓ with |α|^ℓ ≤ 2^−bits: a long-range term α^ℓ added to 1 is lost."""
    return math.ceil(bits * math.log(2) / abs(math.log(abs(alpha))))


def _near(value: int) -> Callable[[float], bool]:
    return lambda v: abs(v - value) < 0.5


LAG_MISTAKES: list[NumberMistake] = [
    (
        lambda v: v == lag_lost(0.9, 24) - 1,
        "one step short: at that lag 0.9^ℓ is still above 2^−24 and is kept (rounded up to "
        "1 + 2^−23). Round up.",
    ),
    (
        _near(lag_lost(0.9, 23)),
        "2^−23 is float32's ε, the gap above 1; a term is lost only at or below HALF of it, "
        "2^−24 (Exercise 3a's answer for float32).",
    ),
    (
        lambda v: lag_lost(0.9, 24) - 1 < v < lag_lost(0.9, 24),
        "a lag is a whole number of steps: 0.9^ℓ reaches 2^−24 between two lags; the term "
        "is lost from the first whole lag past that point on (round up).",
    ),
    (
        _near(math.ceil(24 / abs(math.log10(0.9)))),
        "24 binary digits are not 24 decimal orders of magnitude: Exercise 2's m counts "
        "powers of 10, and 2^−24 = 10^−m with m = 24 · log10 2 ≈ 7.2.",
    ),
    (
        lambda v: v == lag_lost(0.9, 24) + 1,
        "one step too many: one lag earlier 0.9^ℓ is already at or below 2^−24, and lost. "
        "The question asks for the FIRST lag at which the term is lost.",
    ),
    (
        _near(lag_lost(0.9, 53)),
        "that is float64's lag (2^−53). Networks are usually trained in float32: 2^−24.",
    ),
    (
        _near(lag_lost(0.9, 11)),
        "that is float16's lag (2^−11). Networks are usually trained in float32: use "
        "Exercise 3a's answer for np.float32.",
    ),
    (
        lambda v: (
            abs(v - 24 * math.log10(2) / abs(math.log(0.9))) < 1
            or abs(v - 24 * math.log(2) / abs(math.log10(0.9))) < 1
        ),
        "mixed logarithm bases: ℓ = 24 log 2 / |log 0.9| with the SAME base on top and "
        "below (ln/ln or log10/log10).",
    ),
]


def check_lag_lost_float32(answer: Callable[[], float], *, reveal: bool = False) -> bool:
    """Exercise 3b: the first lag at which 0.9^ℓ added to 1 is lost in float32.

    A wrong lag is never told the right one (``reveal=True``, a deliberate request, shows it).
    """
    truth = lag_lost(0.9, 24)
    return check_value(
        "Exercise 3b (the lag at which float32 loses the term)",
        answer,
        truth,
        rtol=1e-9,  # a whole lag: 157.9 is not yet lost
        explanation="0.9^ℓ ≤ 2^−24 from ℓ = ⌈24 ln 2 / |ln 0.9|⌉.",
        mistakes=LAG_MISTAKES,
        guidance="The term is lost once 0.9^ℓ ≤ 2^−p, p being Exercise 3a's answer for "
        "np.float32: find the first whole lag ℓ at which that holds.",
        reveal=reveal,
    )


# -- Exercise 4 (Going further): the best step of a forward difference -----------------------

_EPS64 = float(np.finfo(np.float64).eps)


def reference_best_forward_step(w: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The Δ minimising ½|a|Δ + ε(|w| + 1/|a|)/Δ: the forward difference of exp(a·w).

    ``w``, ``a``: shape (K,), no zero in ``a``; returns shape (K,):
    √(2ε(|w| + 1/|a|)/|a|) with ε = 2.2e-16 (float64's machine epsilon).
    """
    return np.sqrt(2 * _EPS64 * (np.abs(w) + 1 / np.abs(a)) / np.abs(a))


def _step_without_two(w, a):
    return np.sqrt(_EPS64 * (np.abs(w) + 1 / np.abs(a)) / np.abs(a))


def _step_without_f_rounding(w, a):
    return np.sqrt(2 * _EPS64 * np.abs(w) / np.abs(a))


def _step_without_w_rounding(w, a):
    return np.sqrt(2 * _EPS64 / a**2)


def _step_central(w, a):
    return np.cbrt(3 * _EPS64 * (np.abs(w) + 1 / np.abs(a)) / a**2)


def _step_sqrt_eps(w, a):
    return np.full(np.shape(w), np.sqrt(_EPS64))


STEP_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _step_without_two,
        "a factor 1/√2 too small: the minimum of ½|a|Δ + c/Δ is where ½|a| = c/Δ², so "
        "Δ = √(2c/|a|) (and ε is np.finfo(float).eps = 2.2e-16, not half of it).",
    ),
    (
        _step_without_f_rounding,
        "the rounding of f itself is missing: ε|f/f′|/Δ = ε/(|a|Δ) is as large as ε|w|/Δ "
        "when |a·w| ≈ 1 (for w^1000 it was 1000 times smaller and was dropped).",
    ),
    (
        _step_without_w_rounding,
        "the rounding of w + Δ is missing: it costs ε|w|/Δ, larger than ε/(|a|Δ) when |a·w| > 1.",
    ),
    (
        _step_central,
        "that is the central difference's balance (a cube root); the forward difference's "
        "truncation error is first order, ½|f″/f′|Δ = ½|a|Δ.",
    ),
    (
        _step_sqrt_eps,
        "√ε ≈ 1.5e-8 is the rule of thumb for |w| ≈ 1 and a curvature of order 1; the model "
        "asks for √(2ε(|w| + 1/|a|)/|a|), which depends on w and a.",
    ),
]

STEP_HINTS = [
    Hint(
        lambda d: d.kind == "nan",
        "NaN where w or a is negative? Errors are sizes: use |w| and |a| under the root.",
    ),
]

#: ((w, a), ...): negative w and a in the first case, |a·w| from 0.6 to 30.
STEP_CASES = [
    ((np.array([1.0, -2.0, 0.5, 3.0, -0.2]), np.array([5.0, 0.3, -40.0, 2.0, -3.0])), {}),
    ((np.array([10.0, -1.0, 0.1]), np.array([-0.5, 20.0, 8.0])), {}),
]


def check_best_forward_step(student: Callable[..., Any]) -> Callable[..., Any]:
    """Exercise 4: ``best_forward_step(w, a)`` for f(w) = exp(a·w), from the error model."""
    return check(
        "Exercise 4 (the best forward step)",
        student,
        reference_best_forward_step,
        STEP_CASES,
        hints=STEP_HINTS,
        mistakes=STEP_MISTAKES,
        axis_names={"output": ("entry",)},
    )
