"""helpers._validate: every count is bounded, so a huge number is refused at once instead of
hanging, and every refusal names the argument as the caller wrote it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import _validate, landscape, optim, toys
from helpers._validate import COUNT_LIMIT, as_int


@settings(max_examples=100, deadline=500)
@given(
    st.one_of(
        st.floats(COUNT_LIMIT + 1, 1e308).map(lambda x: float(int(x))),  # whole numbers
        st.integers(COUNT_LIMIT + 1, 10**400),
    )
)
def test_counts_beyond_the_limit_are_refused_by_name(value):
    with pytest.raises(ValueError, match=r"^n_steps must be <= 10,000,000"):
        as_int("n_steps", value)


@settings(max_examples=100, deadline=500)
@given(st.one_of(st.booleans(), st.none(), st.text(max_size=3), st.complex_numbers()))
def test_non_integers_are_refused_by_name(value):
    with pytest.raises(TypeError, match=r"^steps must be an integer"):
        as_int("steps", value)


@pytest.mark.parametrize("value", [0.5, float("nan"), float("inf"), 3.000001])
def test_fractional_and_non_finite_counts(value):
    with pytest.raises(TypeError, match="steps must be an integer"):
        as_int("steps", value)


def test_explicit_bounds_still_apply():
    assert as_int("k", 3.0, max_value=5) == 3
    assert as_int("seed", 2**40, max_value=2**63) == 2**40
    with pytest.raises(ValueError, match="k must be <= 5, got 6"):
        as_int("k", 6, max_value=5)


@pytest.mark.parametrize(
    "call",
    [
        lambda: toys.pascanu_loss(5.0, -2.0, steps=1e308),
        lambda: toys.linear_gain(0.9, 1e308),
        lambda: landscape.descend(0.9, lr=0.1, steps=1e308),
        lambda: optim.descend(
            optim.SGD(lr=0.1), lambda p: {"w": np.zeros(1)}, {"w": np.zeros(1)}, steps=1e308
        ),
    ],
    ids=["pascanu_loss", "linear_gain", "landscape.descend", "optim.descend"],
)
def test_calls_that_used_to_hang_refuse_at_once(call):
    with pytest.raises(ValueError, match=r"steps|horizon"):
        call()


def test_as_real_array_refuses_booleans_nan_and_optionally_inf():
    from helpers._validate import as_real_array

    np.testing.assert_array_equal(as_real_array("a", [1, 2]), [1.0, 2.0])
    assert as_real_array("a", np.inf, allow_inf=True) == np.inf
    for bad in (True, np.array([True, False]), None, "x", [1j]):
        with pytest.raises(TypeError, match=r"^a must be"):
            as_real_array("a", bad)
    with pytest.raises(ValueError, match=r"^a contains 1 NaN or infinite"):
        as_real_array("a", [np.inf, 0.0])
    with pytest.raises(ValueError, match=r"^a contains 2 NaN value"):
        as_real_array("a", [np.nan, np.nan, np.inf], allow_inf=True)


def test_as_float_dtype_accepts_float32_and_float64_only():
    from helpers._validate import as_float_dtype

    assert as_float_dtype("dtype", np.float32) == np.float32
    assert as_float_dtype("dtype", "float64") == np.float64
    for bad in (np.int64, int, complex, "banana", None, True, 3, np.float16, lambda: 0):
        with pytest.raises(TypeError, match=r"^dtype must be np.float32 or np.float64"):
            as_float_dtype("dtype", bad)


def test_check_size_refuses_huge_arrays_by_name():
    from helpers._validate import ARRAY_LIMIT, check_size

    check_size("n", (ARRAY_LIMIT,))  # the limit itself is allowed
    with pytest.raises(ValueError, match=r"^hidden_size is too large: .*\(10000000, 10000000\)"):
        check_size("hidden_size", (10**7, 10**7))


# --- as_real_values, as_str_list, as_int_list, check_product (added for issue 18) ---------


@pytest.mark.parametrize("value", [True, np.bool_(False), np.array([True, False]), [True, False]])
def test_as_real_array_refuses_bools(value):
    with pytest.raises(TypeError, match=r"^w must be (a )?real"):
        _validate.as_real_values("w", value)


def test_as_real_array_promotes_to_float64():
    out = _validate.as_real_values("steps", np.array([1e-3, 1e-6], dtype=np.float32))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.array([1e-3, 1e-6], dtype=np.float32).astype(float))
    assert _validate.as_real_values("w", [1, 2]).dtype == np.float64


@pytest.mark.parametrize(
    ("value", "error"),
    [("Jane said", TypeError), (None, TypeError), (["Jane", 3], TypeError), (3, TypeError)],
)
def test_as_str_list_names_the_argument(value, error):
    with pytest.raises(error, match=r"^words must"):
        _validate.as_str_list("words", value)
    assert _validate.as_str_list("words", ("a", "b")) == ["a", "b"]


def test_as_int_list():
    assert _validate.as_int_list("fillers", np.array([0, 2])) == [0, 2]
    assert _validate.as_int_list("fillers", (1, 2.0)) == [1, 2]
    with pytest.raises(TypeError, match=r"^fillers must be a list of integers"):
        _validate.as_int_list("fillers", 3)
    with pytest.raises(TypeError, match=r"^fillers\[1\] must be an integer"):
        _validate.as_int_list("fillers", [0, float("nan")])
    with pytest.raises(ValueError, match=r"^fillers\[0\] must be <= 7"):
        _validate.as_int_list("fillers", [8], max_value=7)
    with pytest.raises(ValueError, match=r"^fillers must be 1-d"):
        _validate.as_int_list("fillers", np.zeros((2, 2), dtype=int))


def test_check_size():
    _validate.check_product("n × length", 10**4, 10**4)  # 10⁸ numbers: at the limit
    with pytest.raises(ValueError, match=r"^n × length must give at most 100,000,000 numbers"):
        _validate.check_product("n × length", 10**4, 10**4 + 1)
