"""A checker never hands out the answer on a wrong attempt.

For every checker whose answer is a number (``check_value`` and the one-number outputs of
the engine ``check``): a wrong answer's feedback contains no representation of the true
value (formatted .2g, .3g, .4g, .6g, or its repr), whatever the size of the miss; it says
the direction and a coarse size of the miss; each catalogued mistake is named by its own
hint when its wrong number is given; a right answer still passes, and ``reveal=True`` (a
deliberate request) is the only way to see the answer after a wrong attempt. The truths
are the checkers' own constants: what is tested here is what the feedback prints, the
truths themselves are checked against independent computations in tests/test_checkers_nbNN.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from helpers.exercises import core, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09

FORMATS = (".2g", ".3g", ".4g", ".6g")


def representations(truth: float) -> set[str]:
    """The ways the true value could be printed: .2g, .3g, .4g, .6g and its repr."""
    out = {format(float(truth), f) for f in FORMATS} | {repr(float(truth))}
    if float(truth).is_integer():
        out.add(str(int(truth)))
    return out


def leaked(out: str, truth: float, own: list[float]) -> list[str]:
    """The representations of ``truth`` printed in ``out`` as a whole number token, after
    removing the student's own numbers (printed .4g), which the feedback repeats."""
    for value in own:
        out = out.replace(format(float(value), ".4g"), "<yours>")
    found = []
    for rep in representations(truth):
        if re.search(rf"(?<![\d.]){re.escape(rep)}(?!\d|\.\d)", out):
            found.append(rep)
    return found


def _wrong_values(truth: float, rtol: float) -> list[float]:
    """Wrong answers on every band of the miss: just outside the tolerance, within a factor
    of 2, 2-10, 10-1000, beyond 1000, both directions, and the wrong sign."""
    near = 1 + max(3 * rtol, 0.03)
    factors = [near, 1 / near, 1.5, 0.6, 5.0, 0.2, 50.0, 0.02, 1e4, 1e-4, -0.7]
    return [truth * f for f in factors]


# -- check_value: the exercises whose answer is one number -------------------------------------


def _predict_catalogue() -> list[tuple[float, str]]:
    return [
        (0.0, "small is not zero"),
        (1 - 1000 * 0.01, "linearisation"),
        (math.exp(-1), "0.999^1000"),
        (math.exp(1000 * -0.1), "not −100"),
        (10 ** (1000 * math.log(0.99)), "mixes the bases:"),
        (math.exp(1000 * math.log10(0.99)), "mixes the bases the other way"),
        (1.01**1000, "did you compute 1.01^1000"),
        (1 / 0.99**1000, "1 / 0.99^1000"),
    ]


def _lag_catalogue() -> list[tuple[float, str]]:
    lag = nb02.lag_lost(0.9, 24)
    return [
        (lag - 1, "one step short"),
        (lag + 1, "one step too many"),
        (nb02.lag_lost(0.9, 23), "float32's ε"),
        (24 * math.log(2) / -math.log(0.9), "a lag is a whole number"),
        (math.ceil(24 / -math.log10(0.9)), "24 binary digits"),
        (nb02.lag_lost(0.9, 53), "float64's lag"),
        (nb02.lag_lost(0.9, 11), "float16's lag"),
        (69, "mixed logarithm bases"),
    ]


#: (name, checker, truth, rtol, [(a catalogued wrong number, words of its own hint)])
VALUE_CHECKERS: list[tuple[str, Callable[..., bool], float, float, list[tuple[float, str]]]] = [
    ("nb02 ex1", nb02.check_predict_099_1000, 0.99**1000, 0.1, _predict_catalogue()),
    ("nb02 ex3b", nb02.check_lag_lost_float32, nb02.lag_lost(0.9, 24), 1e-9, _lag_catalogue()),
    ("nb03 ex3", nb03.check_flip_radius, nb03.FLIP_TRUTH, 0.01,
     [(v, h[:40]) for v, h in nb03.FLIP_MISTAKES]),
    ("nb05 ex3", nb05.check_forget_bias, math.log(0.5 ** (1 / 50) / (1 - 0.5 ** (1 / 50))), 0.02,
     [(v, h[:40]) for v, h in nb05.FORGET_BIAS_MISTAKES]),
    ("nb06 ex4", nb06.check_nag_limit, 1.5, 0.02,
     [(v, h[:40]) for v, h in nb06.NAG_LIMIT_MISTAKES]),
]  # fmt: skip
IDS = [name for name, *_ in VALUE_CHECKERS]


def _answer(checker: Callable[..., bool], value: Any, capsys, **kw) -> tuple[bool, str]:
    ok = checker(lambda: value, **kw)
    return ok, capsys.readouterr().out


@pytest.mark.parametrize(("name", "checker", "truth", "rtol", "catalogue"), VALUE_CHECKERS, ids=IDS)
def test_a_wrong_number_never_sees_the_truth(name, checker, truth, rtol, catalogue, capsys):
    for value in _wrong_values(truth, rtol):
        ok, out = _answer(checker, value, capsys)
        assert not ok and out.startswith("✘"), out
        assert not leaked(out, truth, [value]), (value, leaked(out, truth, [value]), out)
        assert "exact" not in out or "not exact" in out, out
        direction = "too large" if value > truth else "too small"
        assert direction in out or "wrong sign" in out, out
        assert "reveal=True" in out, out  # the way to ask for it is said, not taken


@pytest.mark.parametrize(("name", "checker", "truth", "rtol", "catalogue"), VALUE_CHECKERS, ids=IDS)
def test_each_catalogued_number_is_named_and_sees_no_truth(
    name, checker, truth, rtol, catalogue, capsys
):
    assert catalogue
    for value, words in catalogue:
        ok, out = _answer(checker, value, capsys)
        assert not ok and words in out and out.count("Hint:") == 1, (value, out)
        assert not leaked(out, truth, [value]), (value, leaked(out, truth, [value]), out)


@pytest.mark.parametrize(("name", "checker", "truth", "rtol", "catalogue"), VALUE_CHECKERS, ids=IDS)
def test_a_right_number_passes_and_is_confirmed(name, checker, truth, rtol, catalogue, capsys):
    ok, out = _answer(checker, truth, capsys)
    assert ok and out.startswith("✔") and f"(exact: {truth:.4g})" in out, out
    if rtol >= 0.01:  # an answer inside the tolerance passes too
        ok, out = _answer(checker, truth * (1 + rtol / 2), capsys)
        assert ok and out.startswith("✔"), out


@pytest.mark.parametrize(("name", "checker", "truth", "rtol", "catalogue"), VALUE_CHECKERS, ids=IDS)
def test_the_answer_is_shown_only_on_request(name, checker, truth, rtol, catalogue, capsys):
    wrong = truth * 5.0
    ok, out = _answer(checker, wrong, capsys, reveal=True)
    assert not ok and f"as you asked (reveal=True): {truth:.4g}" in out, out

    def todo():
        raise NotImplementedError

    assert not checker(todo, reveal=True)
    assert f"{truth:.4g}" in capsys.readouterr().out
    assert not checker(todo)
    assert not leaked(capsys.readouterr().out, truth, [])


@pytest.mark.parametrize(
    ("number", "truth", "rtol", "words"),
    [
        (1.06, 1.0, 0.05, "too large: within 10 % of the answer, but outside the 5 % tolerance"),
        (157.0, 158.0, 1e-9, "too small: within 10 % of the answer, but not exact"),
        (
            1.6,
            1.0,
            0.1,
            "too large: within a factor of 2 of the answer, but outside the 10 % tolerance",
        ),
        (0.3, 1.0, 0.05, "too small: off by a factor between 2 and 10"),
        (20.0, 1.0, 0.05, "too large: off by more than a factor of 10"),
        (1e-300, 1.0, 0.05, "too small: off by more than a factor of 1000"),
        (1e300, 1e-300, 0.05, "too large: off by more than a factor of 1000"),
        (-2.0, 1.0, 0.05, "of the wrong sign: the answer is positive"),
        (0.0, -3.0, 0.05, "too large: the answer is not zero, it is negative"),
    ],
)
def test_the_miss_is_described_coarsely(number, truth, rtol, words):
    assert core.describe_miss(number, truth, rtol) == words


# -- the engine: an implementation whose output is one number -----------------------------------


def _scaled(reference: Callable[..., Any], factor: float, seen: list[float], key: str = ""):
    """A student function: the reference's number times ``factor`` (in ``key`` of a dict);
    records the true value of each case it is called on."""

    def student(*args, **kwargs):
        out = reference(*args, **kwargs)
        if key:
            seen.append(float(out[key]))
            return {**out, key: out[key] * factor}
        seen.append(float(out))
        return float(out) * factor

    return student


_REAL = nb04.factor_cases({})[1][0][0]  # a made-up experiment, answer 1.5
ENGINE_CHECKERS = [
    ("nb02 ex3a", nb02.check_lost_power, nb02.reference_lost_power, ""),
    ("nb04 ex2", nb04.check_largest_turn, nb04.reference_largest_turn, ""),
    (
        "nb04 ex3",
        lambda s: nb04.check_largest_factor(s, _REAL),
        nb04.reference_largest_factor,
        "",
    ),
    ("nb07 ex2", nb07.check_inverse_sigmoid_crossing, nb07.reference_crossing, ""),
    ("nb07 ex3", nb07.check_teacher_forced_loss, nb07.reference_teacher_forced_loss, ""),
    ("nb08 ex2", nb08.check_cloze_loss, nb08.reference_cloze_loss, "loss"),
    ("nb09 ex2 loss", nb09.check_held_out, nb09.reference_held_out, "loss"),
    ("nb09 ex2 perplexity", nb09.check_held_out, nb09.reference_held_out, "perplexity"),
]


@pytest.mark.parametrize(
    ("name", "checker", "reference", "key"), ENGINE_CHECKERS, ids=[c[0] for c in ENGINE_CHECKERS]
)
@pytest.mark.parametrize("factor", [1.3, 0.95, 4.0, 0.1, 1e4])
def test_a_wrong_one_number_output_never_sees_the_truth(
    name, checker, reference, key, factor, capsys
):
    seen: list[float] = []
    student = _scaled(reference, factor, seen, key)
    assert checker(student) is not student
    out = capsys.readouterr().out
    assert out.startswith("✘") and seen, out
    truth = seen[-1]  # the case the feedback is about: the first one that fails
    assert not leaked(out, truth, [truth * factor]), (leaked(out, truth, [truth * factor]), out)
    assert ("too large" if factor > 1 else "too small") in out, out
    assert "expected" not in out.replace("the expected value", ""), out
    assert "factor close to" not in out, out


def test_an_array_output_is_still_located_with_its_values(capsys):
    """Entries of a test case's array are a debugging aid, not an exercise's answer."""
    ref = np.ones((3, 2))
    core.check("A", lambda: ref + np.eye(3, 2) * 0.5, lambda: ref, [((), {})])
    assert "got 1.5, expected 1" in capsys.readouterr().out
