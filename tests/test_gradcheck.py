"""helpers.gradcheck against closed-form derivatives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.gradcheck import numerical_gradient, rel_error


def test_numerical_gradient_of_known_functions():
    params = {"a": np.array([1.0, -2.0, 0.5]), "B": np.array([[0.3, 0.7], [1.1, -0.4]])}
    before = {k: v.copy() for k, v in params.items()}

    def f(p):
        return float(np.sum(np.sin(p["a"])) + np.sum(p["B"] ** 3))

    num = numerical_gradient(f, params)
    np.testing.assert_allclose(num["a"], np.cos(params["a"]), rtol=1e-8)
    np.testing.assert_allclose(num["B"], 3 * params["B"] ** 2, rtol=1e-8)
    assert all(np.array_equal(params[k], before[k]) for k in params)  # inputs untouched
    only = numerical_gradient(f, params, keys=("a",))
    assert set(only) == {"a"}


def test_rel_error_values():
    a = np.array([3.0, 4.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(a, np.zeros(2)) == 1.0
    assert rel_error(a, -a) == 1.0
    assert rel_error({"x": a, "y": a}, {"x": a, "y": a * 0}) == pytest.approx(5 / (np.sqrt(50) + 5))
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0


def test_bad_input():
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda p: 0.0, {"a": np.ones(2)}, eps=0)
    with pytest.raises(ValueError, match="keys"):
        numerical_gradient(lambda p: 0.0, {"a": np.ones(2)}, keys=("b",))
    with pytest.raises(TypeError, match="params"):
        numerical_gradient(lambda p: 0.0, [1, 2])
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="different keys"):
        rel_error({"a": np.ones(1)}, {"b": np.ones(1)})
    with pytest.raises(TypeError, match="mix"):
        rel_error({"a": np.ones(1)}, np.ones(1))


def test_regressions_from_the_mutation_sweep():
    """Issue 18: each of these once returned a wrong number or failed inside NumPy."""
    A = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match=r"a is \(2, 3\) and b is \(3, 2\)"):
        rel_error(A, A.T)
    with pytest.raises(ValueError, match="a contains 1 NaN"):
        rel_error(np.array([1.0, np.nan]), np.ones(2))
    with pytest.raises(ValueError, match="b contains 1 NaN or infinite"):
        rel_error(np.ones(2), np.array([np.inf, 1.0]))
    with pytest.raises(ValueError, match=r"a\['W'\] is \(2,\) and b\['W'\] is \(3,\)"):
        rel_error({"W": np.ones(2)}, {"W": np.ones(3)})
    with pytest.raises(ValueError, match=r"f returned nan with params\['a'\]\[0\] nudged"):
        numerical_gradient(lambda p: float("nan"), {"a": np.ones(2)})
    with pytest.raises(ValueError, match=r"params\['a'\] contains 1 NaN"):
        numerical_gradient(lambda p: 0.0, {"a": np.array([1.0, np.nan])})
    with pytest.raises(TypeError, match=r"f must return one real number.*shape \(2,\)"):
        numerical_gradient(lambda p: p["a"] * 2, {"a": np.ones(2)})
    with pytest.raises(TypeError, match="f must be a function"):
        numerical_gradient("loss", {"a": np.ones(2)})
    # Finite entries whose norm overflows float64 still compare.
    assert rel_error(np.array([1e308, 1e308]), np.array([1e308, 1e308])) == 0.0
    assert rel_error(np.array([1e308, 0.0]), np.array([-1e308, 0.0])) == 1.0


@settings(max_examples=60, deadline=2000)
@given(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.floats(-1e6, 1e6)),
    st.floats(1e-3, 1e3),
)
def test_rel_error_is_scale_free_and_bounded(a, scale):
    b = a * 0.5 + 1.0
    e = rel_error(a, b)
    assert 0.0 <= e <= 1.0
    assert rel_error(a * scale, b * scale) == pytest.approx(e, rel=1e-9, abs=1e-12)
    assert rel_error(a, a) == 0.0


@settings(max_examples=60, deadline=2000)
@given(
    st.sampled_from(["nan", "inf", "shape", "list-of-str", "none"]),
    st.sampled_from(["a", "b"]),
)
def test_rel_error_refuses_bad_sides_by_name(kind, side):
    good = np.ones((2, 3))
    bad = {
        "nan": np.full((2, 3), np.nan),
        "inf": np.full((2, 3), -np.inf),
        "shape": np.ones((3, 2)),
        "list-of-str": [["x"] * 3] * 2,
        "none": None,
    }[kind]
    args = (bad, good) if side == "a" else (good, bad)
    with pytest.raises((ValueError, TypeError), match=rf"\b{side}\b"):
        rel_error(*args)
