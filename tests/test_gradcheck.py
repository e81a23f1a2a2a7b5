"""helpers.gradcheck against closed-form derivatives."""

from __future__ import annotations

import numpy as np
import pytest

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
