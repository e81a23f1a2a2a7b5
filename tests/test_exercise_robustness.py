"""Whatever a student's function returns or raises, a checker answers with a sentence about
it (never a traceback), and never accepts complex, NaN or non-numeric answers as correct."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.exercises import check_value, nb02
from tests.test_exercises import CORRECT


def _plus_imaginary(value):
    """The correct output with 5j added to every number: right real part, complex type."""
    if isinstance(value, Mapping):
        return {k: _plus_imaginary(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_plus_imaginary(v) for v in value)
    return np.asarray(value) + 5j


def _gen(*args, **kwargs):
    return (x for x in range(3))


def _raise(exc):
    def student(*args, **kwargs):
        raise exc

    return student


BAD_RETURNS = {
    "a string": lambda *a, **k: "the gradient",
    "a set": lambda *a, **k: {1.0, 2.0},
    "a generator": _gen,
    "None": lambda *a, **k: None,
    "an object": lambda *a, **k: object(),
    "a function": lambda *a, **k: np.sum,
    "a ragged list": lambda *a, **k: [[1.0, 2.0], [3.0]],
    "strings in an array": lambda *a, **k: np.array(["a", "b"]),
}
BAD_RAISES = {
    "KeyError": _raise(KeyError("Wh")),
    "SystemExit": _raise(SystemExit(3)),
    "ZeroDivisionError": _raise(ZeroDivisionError("division by zero")),
    "RecursionError": _raise(RecursionError("maximum recursion depth exceeded")),
}


@pytest.mark.parametrize("bad", sorted(BAD_RETURNS))
@pytest.mark.parametrize(("checker", "solution"), CORRECT, ids=lambda x: getattr(x, "__name__", ""))
def test_non_numeric_returns_get_a_sentence_not_a_traceback(checker, solution, bad, capsys):
    result = checker(BAD_RETURNS[bad])
    out = capsys.readouterr().out
    assert out.startswith("✘"), out
    assert "Traceback" not in out and result is not BAD_RETURNS[bad]
    said = ("your function returned", "expected outputs", "has shape")
    assert any(words in out for words in said), out


@pytest.mark.parametrize("bad", sorted(BAD_RAISES))
@pytest.mark.parametrize(("checker", "solution"), CORRECT, ids=lambda x: getattr(x, "__name__", ""))
def test_anything_raised_is_explained(checker, solution, bad, capsys):
    result = checker(BAD_RAISES[bad])
    out = capsys.readouterr().out
    assert out.startswith("✘") and f"raised {bad}" in out and "Traceback" not in out, out
    assert result is not BAD_RAISES[bad]


@pytest.mark.parametrize(("checker", "solution"), CORRECT, ids=lambda x: getattr(x, "__name__", ""))
def test_correct_values_plus_an_imaginary_part_are_refused(checker, solution, capsys):
    def complex_answer(*args, **kwargs):
        return _plus_imaginary(solution(*args, **kwargs))

    result = checker(complex_answer)
    out = capsys.readouterr().out
    assert out.startswith("✘") and "complex" in out, out
    assert result is not complex_answer


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (float("nan"), "NaN"),
        (np.float64("nan"), "NaN"),
        (float("inf"), "overflow"),
        (True, "boolean"),
        (np.bool_(True), "boolean"),
        ("4.3e-5", "should be a number"),
        ([4.3e-5], "should be a number"),
        (np.array([4.3e-5, 1.0]), "shape (2,)"),
        (4.3e-5 + 0j, "complex"),
        (np.complex128(4.3e-5), "complex"),
        (None, "should be a number"),
    ],
    ids=repr,
)
def test_predictions_refuse_what_is_not_a_real_number(answer, message, capsys):
    assert not nb02.check_predict_099_1000(lambda: answer)
    out = capsys.readouterr().out
    assert out.startswith("✘") and message in out and "too small" not in out, out


def test_a_boolean_is_not_an_integer_answer(capsys):
    assert not check_value("an integer", lambda: True, 1.0, rtol=0.0)
    assert "boolean" in capsys.readouterr().out
    assert check_value("an integer", lambda: np.int64(20), 20.0, rtol=0.0)
    assert nb02.check_predict_099_1000(lambda: np.array(4.3e-5))


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.complex_numbers(),
        st.text(max_size=5),
        st.lists(st.floats(), max_size=3),
        st.dictionaries(st.text(max_size=2), st.floats(), max_size=2),
        st.tuples(st.floats(), st.text(max_size=2)),
    )
)
def test_check_value_never_raises_and_only_accepts_the_truth(answer):
    truth = 0.5
    try:
        ok = check_value("prop", lambda: answer, truth, rtol=0.01)
    except BaseException as exc:  # pragma: no cover - the property under test
        pytest.fail(f"check_value raised {type(exc).__name__} for {answer!r}")
    if ok:
        assert isinstance(answer, (int, float)) and not isinstance(answer, bool)
        assert abs(float(answer) - truth) <= 0.01 * truth
