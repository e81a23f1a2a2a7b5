"""Notebook 02's checkers diagnose: the reference passes, each catalogued mistake, written
as a buggy solution a student would write, gets its own hint back, and an error no mistake
names is located. The answers are checked against independent computations (brute force in
the dtype itself, the gain computed step by step)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.exercises import nb02


def _todo(*args, **kwargs):
    raise NotImplementedError


def _out(checker, fn, capsys):
    result = checker(fn)
    return result, capsys.readouterr().out


# -- Exercise 1: predict 0.99^1000 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("prediction", "hint"),
    [
        (0.0, "small is not zero"),
        (1 - 1000 * 0.01, "linearisation"),
        (math.exp(-1), "0.999^1000"),
        (1e-10, "mixes the bases"),
        (math.exp(1000 * -0.1), "not −100"),  # ln 0.99 taken as −0.1
    ],
)
def test_predict_mistakes_get_their_hint(prediction, hint, capsys):
    assert not nb02.check_predict_099_1000(lambda: prediction)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out, out
    assert out.count("Hint:") == 1, out


def test_predict_right_and_unnamed(capsys):
    assert nb02.check_predict_099_1000(lambda: math.exp(-10))
    assert "✔" in capsys.readouterr().out
    assert not nb02.check_predict_099_1000(lambda: 1e-3)  # wrong, no catalogued mistake
    out = capsys.readouterr().out
    assert "too large" in out and "Hint:" not in out


# -- Exercise 2: the gain horizon ------------------------------------------------------------


def _horizon_by_steps(alpha: float, m: float) -> int:
    """The first lag at which |α|^ℓ has crossed 10^∓m, multiplying step by step."""
    gain, lag = 1.0, 0
    while (abs(alpha) < 1 and gain > 10.0**-m) or (abs(alpha) > 1 and gain < 10.0**m):
        gain *= abs(alpha)
        lag += 1
    return lag


def test_horizon_cases_are_not_degenerate():
    for (alpha, m), _ in nb02.HORIZON_CASES:
        x = m / np.abs(np.log10(np.abs(alpha)))
        assert np.min(np.abs(x - np.round(x))) > 1e-3  # ⌈·⌉ not at the mercy of rounding
        assert np.any(alpha < 0) and np.any(np.abs(alpha) > 1) and np.any(np.abs(alpha) < 1)
        assert alpha.size > 3 and len(set(alpha.tolist())) == alpha.size


def test_horizon_reference_against_stepping():
    for (alpha, m), _ in nb02.HORIZON_CASES[:2]:  # the third case has millions of steps
        want = [_horizon_by_steps(a, m) for a in alpha]
        assert nb02.reference_gain_horizon(alpha, m).tolist() == want


def test_horizon_reference_passes(capsys):
    result, out = _out(nb02.check_gain_horizon, nb02.reference_gain_horizon, capsys)
    assert out.startswith("✔") and result is nb02.reference_gain_horizon


# Each mistake as a student writes it (not the catalogue's own function), with its hint.
HORIZON_BUGS = [
    (lambda a, m: np.ceil(m / np.abs(np.log(np.abs(a)))), "natural logarithm"),
    (lambda a, m: np.ceil(m / np.abs(np.log2(np.abs(a)))), "base-2 logarithm"),
    (lambda a, m: np.floor(m / np.abs(np.log10(np.abs(a)))), "one step short"),
    (lambda a, m: np.round(m / np.abs(np.log10(np.abs(a)))), "round() goes down"),
    (lambda a, m: m / np.abs(np.log10(np.abs(a))), "a lag is a whole number"),
    (lambda a, m: np.ceil(m / abs(np.log10(abs(a)))) + 1, "one step too many"),
    (lambda a, m: np.ceil(m / np.log10(np.abs(a))), "negative lags for |α| < 1"),
    (lambda a, m: np.ceil(-m / np.log10(np.abs(a))), "right for |α| < 1, negative"),
    (lambda a, m: np.ceil(m / np.abs(np.log10(a))), "NaN where α < 0"),
]


@pytest.mark.parametrize(("buggy", "hint"), HORIZON_BUGS, ids=[h for _, h in HORIZON_BUGS])
def test_horizon_mistakes_get_their_hint(buggy, hint, capsys):
    result, out = _out(nb02.check_gain_horizon, buggy, capsys)
    assert out.startswith("✘") and hint in out and result is not buggy, out
    assert out.count("Hint:") == 1, out  # its own hint, not several
    assert "Traceback" not in out


def test_horizon_unnamed_error_is_located(capsys):
    def one_entry_wrong(alpha, m):
        out = nb02.reference_gain_horizon(alpha, m)
        out[3] += 7
        return out

    _result, out = _out(nb02.check_gain_horizon, one_entry_wrong, capsys)
    assert "Hint:" not in out and "alpha index = 3" in out and "case 1" in out, out


def test_horizon_unfinished(capsys):
    result, out = _out(nb02.check_gain_horizon, _todo, capsys)
    assert "not implemented yet" in out and result is nb02.reference_gain_horizon


# -- Exercise 3: the first term lost, and the lag in float32 ---------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_lost_power_against_brute_force(dtype):
    one, two = dtype(1), dtype(2)
    p = nb02.reference_lost_power(dtype)
    assert one + two**-p == one and one + two ** -(p - 1) != one
    assert all(one + two**-q != one for q in range(1, p))


def test_lost_power_reference_passes(capsys):
    result, out = _out(nb02.check_lost_power, nb02.reference_lost_power, capsys)
    assert out.startswith("✔") and result is nb02.reference_lost_power


def _kept_loop(dtype):  # stops at the last p that still changes the sum
    one, p = dtype(1), 1
    while one + dtype(2) ** -(p + 1) != one:
        p += 1
    return p


def _python_float_loop(dtype):  # computes in Python floats whatever the dtype
    p = 1
    while 1.0 + 2.0**-p != 1.0:
        p += 1
    return p


def _count_from_two(dtype):  # counts one step too many
    one, p = dtype(1), 2
    while one + dtype(2) ** -(p - 1) != one:
        p += 1
    return p


def _from_eps(dtype):  # -log2(eps): the gap above 1, not half of it
    return round(float(-np.log2(np.finfo(dtype).eps)))


def _decimal_loop(dtype):  # 1 + 10^-p instead of 1 + 2^-p
    one, p = dtype(1), 1
    while one + dtype(10) ** -p != one:
        p += 1
    return p


LOST_BUGS = [
    (_kept_loop, "one too small"),
    (_decimal_loop, "decimal powers"),
    (_from_eps, "one too small"),
    (_python_float_loop, "Python's floats are float64"),
    (_count_from_two, "one too many"),
]


@pytest.mark.parametrize(("buggy", "hint"), LOST_BUGS, ids=[f.__name__ for f, _ in LOST_BUGS])
def test_lost_power_mistakes_get_their_hint(buggy, hint, capsys):
    result, out = _out(nb02.check_lost_power, buggy, capsys)
    assert out.startswith("✘") and hint in out and result is not buggy, out
    assert out.count("Hint:") == 1, out


def test_lost_power_unnamed_error_is_located(capsys):
    _result, out = _out(nb02.check_lost_power, lambda dtype: 30, capsys)
    assert "Hint:" not in out and "case 1" in out and "is 30, too large" in out, out
    assert "24" not in out, out  # float32's answer is not given away


def test_lag_lost_against_float32():
    lag = nb02.lag_lost(0.9, 24)
    one = np.float32(1)
    assert lag == 158
    assert one + np.float32(0.9**lag) == one and one + np.float32(0.9 ** (lag - 1)) != one


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (157, "one step short"),
        (24 * np.log(2) / -np.log(0.9), "a lag is a whole number"),  # 157.9, not rounded
        (np.ceil(24 / -np.log10(0.9)), "24 binary digits are not 24 decimal"),  # m = 24
        (152, "float32's ε"),
        (349, "float64's lag"),
        (69, "mixed logarithm bases"),
        (364, "mixed logarithm bases"),
    ],
)
def test_lag_mistakes_get_their_hint(answer, hint, capsys):
    assert not nb02.check_lag_lost_float32(lambda: answer)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out and out.count("Hint:") == 1, out


def test_lag_right_wrong_and_unfinished(capsys):
    assert nb02.check_lag_lost_float32(lambda: 158)
    assert nb02.check_lag_lost_float32(lambda: np.float64(158.0))
    capsys.readouterr()
    assert not nb02.check_lag_lost_float32(lambda: 200)
    out = capsys.readouterr().out
    assert "too large" in out and "Hint:" not in out
    assert not nb02.check_lag_lost_float32(_todo)
    assert "no answer yet" in capsys.readouterr().out


# -- Exercise 4 (Going further): the best forward step for exp(a·w) ---------------------------

EPS = np.finfo(np.float64).eps


def test_best_step_minimises_the_model():
    """The reference is the minimiser of the stated error model, found by a fine search."""
    for (w, a), _ in nb02.STEP_CASES:
        best = nb02.reference_best_forward_step(w, a)
        grid = np.logspace(-12, -4, 80001)
        for wi, ai, bi in zip(w, a, best, strict=True):
            model = 0.5 * abs(ai) * grid + EPS * (abs(wi) + 1 / abs(ai)) / grid
            assert abs(grid[np.argmin(model)] / bi - 1) < 1e-3


def test_best_step_reference_passes(capsys):
    result, out = _out(nb02.check_best_forward_step, nb02.reference_best_forward_step, capsys)
    assert out.startswith("✔") and result is nb02.reference_best_forward_step


STEP_BUGS = [
    (lambda w, a: np.sqrt(EPS * (abs(w) + 1 / abs(a)) / abs(a)), "a factor 1/√2 too small"),
    (lambda w, a: np.sqrt(2 * (EPS / 2) * (abs(w) + 1 / abs(a)) / abs(a)), "1/√2 too small"),
    (lambda w, a: np.sqrt(2 * EPS * abs(w) / abs(a)), "rounding of f itself is missing"),
    (lambda w, a: np.sqrt(2 * EPS) / abs(a), "rounding of w + Δ is missing"),
    (lambda w, a: (3 * EPS * (abs(w) + 1 / abs(a)) / a**2) ** (1 / 3), "central difference"),
    (lambda w, a: np.sqrt(EPS) * np.ones_like(w), "rule of thumb"),
    (lambda w, a: np.sqrt(2 * EPS * (w + 1 / a) / a), "NaN where w or a is negative"),
]


@pytest.mark.parametrize(("buggy", "hint"), STEP_BUGS, ids=[h for _, h in STEP_BUGS])
def test_best_step_mistakes_get_their_hint(buggy, hint, capsys):
    result, out = _out(nb02.check_best_forward_step, buggy, capsys)
    assert out.startswith("✘") and hint in out and result is not buggy, out
    assert out.count("Hint:") == 1, out


def test_best_step_unnamed_error_is_located(capsys):
    def one_entry_wrong(w, a):
        out = nb02.reference_best_forward_step(w, a)
        out[2] *= 3
        return out

    _result, out = _out(nb02.check_best_forward_step, one_entry_wrong, capsys)
    assert "Hint:" not in out and "entry = 2" in out and "case 1" in out, out
