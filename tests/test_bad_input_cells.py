"""Issue 18, the cells and what works on them (rnn, lstm, gru, clip, jacobians, truncation,
stacking, unroll): regression tests for the cases the issue names. Numbers are checked
against independent computations (exact decimal arithmetic, direct products)."""

from __future__ import annotations

import re
import time
import tracemalloc
from decimal import Decimal, getcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import clip, gru, jacobians, lstm, rnn, stacking, truncation, unroll

CELLS = [rnn, lstm, gru]


# -- init(dtype=...): float32 / float64 only --------------------------------------------------
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype", [np.int64, int, np.complex128, "banana", None, np.float16])
def test_init_refuses_dtypes_other_than_float32_and_float64(cell, dtype):
    with pytest.raises(TypeError, match=r"^dtype must be np.float32 or np.float64"):
        cell.init(2, 3, rng=np.random.default_rng(0), dtype=dtype)


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32"])
def test_init_keeps_float_dtypes_and_nonzero_weights(cell, dtype):
    params = cell.init(2, 3, rng=np.random.default_rng(0), dtype=dtype)
    for v in params.values():
        assert v.dtype == np.dtype(dtype)
    assert np.any(params["Wx"] != 0) and np.any(params["Wh"] != 0)


# -- sigmoid / activation_derivative ----------------------------------------------------------
@pytest.mark.parametrize("sigmoid", [lstm.sigmoid, gru.sigmoid], ids=["lstm", "gru"])
def test_sigmoid_takes_numbers_and_refuses_the_rest_by_name(sigmoid):
    a = [-2.0, 0.0, 3.0]
    np.testing.assert_allclose(sigmoid(a), 1 / (1 + np.exp(-np.array(a))), rtol=1e-15)
    assert sigmoid(np.inf) == 1.0 and sigmoid(-np.inf) == 0.0  # defined at ±inf
    for bad, err in [(None, TypeError), (True, TypeError), (np.array([True]), TypeError),
                     (1 + 2j, TypeError), ("1", TypeError), (np.nan, ValueError)]:  # fmt: skip
        with pytest.raises(err, match=r"^a "):
            sigmoid(bad)


def test_activation_derivative_takes_states_and_refuses_the_rest_by_name():
    hs = [0.5, -0.25]
    np.testing.assert_allclose(rnn.activation_derivative(hs, "tanh"), [0.75, 0.9375])
    for bad, err in [(None, TypeError), (True, TypeError), ([0.5j], TypeError),
                     ("abc", TypeError), ([np.nan], ValueError), ([np.inf], ValueError),
                     ([1e308], ValueError), ([1.5], ValueError)]:  # fmt: skip
        with pytest.raises(err, match=r"^hs "):
            rnn.activation_derivative(bad, "tanh")
    with pytest.raises(ValueError, match=r"^hs must hold relu outputs"):
        rnn.activation_derivative([-0.5], "relu")
    with pytest.raises(ValueError, match="activation"):
        rnn.activation_derivative(hs, "sigmoid")


# -- clip: a norm beyond float64's range is clipped exactly ------------------------------------
def _exact_clip(grads: dict[str, np.ndarray], limit: float) -> dict[str, np.ndarray]:
    """PyTorch's rule, min(1, limit / (‖g‖ + 1e-6)) · g, in 60-digit decimal arithmetic
    (no overflow possible)."""
    getcontext().prec = 60
    norm = sum(Decimal(float(x)) ** 2 for v in grads.values() for x in np.ravel(v)).sqrt()
    coef = min(Decimal(1), Decimal(limit) / (norm + Decimal(clip.EPS)))
    return {
        k: np.array([float(Decimal(float(x)) * coef) for x in np.ravel(v)]).reshape(np.shape(v))
        for k, v in grads.items()
    }


HUGE = {"W": np.array([[1e308, -1.5e308], [3.0, 0.0]]), "b": np.array([1.2e308, 7e307])}


def test_clip_by_global_norm_clips_exactly_when_the_norm_overflows():
    with np.errstate(all="raise"):  # no warning on the way
        clipped, norm = clip.clip_by_global_norm(HUGE, 2.0)
    assert norm == np.inf  # the true norm, 2.3e308, is beyond float64
    want = _exact_clip(HUGE, 2.0)
    for k in HUGE:
        np.testing.assert_allclose(clipped[k], want[k], rtol=1e-14, atol=1e-300)
    assert clip.global_norm(clipped) == pytest.approx(2.0, rel=1e-14)


def test_clip_by_tensor_norm_and_stacks_clip_exactly_when_the_norm_overflows():
    with np.errstate(all="raise"):
        clipped, norms = clip.clip_by_tensor_norm(HUGE, 1.0)
    assert norms["W"] == np.inf and norms["b"] == pytest.approx(float(np.hypot(1.2, 0.7)) * 1e308)
    np.testing.assert_allclose(clipped["W"], _exact_clip({"W": HUGE["W"]}, 1.0)["W"], rtol=1e-14)
    np.testing.assert_allclose(clipped["b"], _exact_clip({"b": HUGE["b"]}, 1.0)["b"], rtol=1e-14)
    small = {"W": np.ones((2, 2)), "b": np.ones(2)}
    stack = {k: np.stack([HUGE[k], small[k]]) for k in HUGE}
    with np.errstate(all="raise"):
        clipped_s, norms_s = clip.clip_stack_by_global_norm(stack, np.array([2.0, 1.0]))
    assert norms_s[0] == np.inf and norms_s[1] == pytest.approx(np.sqrt(6.0))
    for k in HUGE:
        np.testing.assert_allclose(clipped_s[k][0], _exact_clip(HUGE, 2.0)[k], rtol=1e-14)
        np.testing.assert_allclose(clipped_s[k][1], _exact_clip(small, 1.0)[k], rtol=1e-14)


def test_clip_messages_name_the_offending_array():
    bad = {"W": np.ones(2), "b": np.array([np.nan, 1.0])}
    with pytest.raises(clip.NonFiniteGradientError, match=r"non-finite values in grads\['b'\]"):
        clip.clip_by_global_norm(bad, 1.0)
    with pytest.raises(clip.NonFiniteGradientError, match=r"NaN in grads\['b'\]"):
        clip.clip_by_value(bad, 1.0)
    with pytest.raises(ValueError, match=r"^b\['W'\] must have shape \(2,\)"):
        clip.angle_degrees({"W": np.ones(2)}, {"W": np.ones(3)})
    with pytest.raises(ValueError, match=r"^a\['W'\] contains 1 NaN"):
        clip.angle_degrees({"W": np.array([np.nan, 1.0])}, {"W": np.ones(2)})
    with pytest.raises(TypeError, match="error_if_nonfinite"):
        clip.clip_by_global_norm({"W": np.ones(2)}, 1.0, error_if_nonfinite="no")


def test_angle_degrees_of_huge_gradients():
    a, b = {"w": np.array([1e308, 1e308])}, {"w": np.array([1e308, 0.0])}
    with np.errstate(all="raise"):
        assert clip.angle_degrees(a, b) == pytest.approx(45.0, rel=1e-12)


# -- jacobians.log10_norms ----------------------------------------------------------------------
def test_log10_norms_refuses_nan_by_name():
    J = np.stack([np.eye(3)] * 4)[:, None]
    J[1, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^J contains 1 NaN"):
        jacobians.log10_norms(J)
    with pytest.raises(ValueError, match=r"^J contains 1 NaN"):
        jacobians.products(J)


@pytest.mark.parametrize("scale", [1e200, 1e308, 1e-200])
def test_log10_norms_of_huge_and_tiny_factors_are_finite_and_right(scale):
    rng = np.random.default_rng(3)
    small = rng.normal(size=(6, 2, 3, 3)) / 3  # products of these stay in range
    direct = np.empty((6, 2))
    P = np.broadcast_to(np.eye(3), (2, 3, 3))
    for i in range(6):
        P = small[i] @ P
        direct[i] = np.log10(np.linalg.norm(P, ord=2, axis=(1, 2)))
    with np.errstate(all="raise", under="ignore"):
        got = jacobians.log10_norms(small * scale)
    # ‖∏ c·J_i‖ = c^n ‖∏ J_i‖: the scale only shifts the log by n·log10(c)
    want = direct + np.log10(scale) * np.arange(1, 7)[:, None]
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    assert np.max(got) > 308 or scale < 1  # far beyond float64's range: no inf


# -- unroll.tie ------------------------------------------------------------------------------
def test_tie_refuses_already_tied_params():
    tied = rnn.init(2, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"untied_grads\['Wx'\] .*already tied"):
        unroll.tie(tied)
    untied = unroll.untie(tied, steps=4)
    np.testing.assert_allclose(unroll.tie(untied)["Wh"], 4 * tied["Wh"], rtol=1e-15)
    with pytest.raises(ValueError, match="untied_grads shapes"):
        unroll.tie({**untied, "b": untied["b"][:3]})


# -- huge counts and sizes: refused by name at once, nothing allocated -------------------------
_params = rnn.init(2, 3, rng=np.random.default_rng(0))


def _g() -> np.random.Generator:
    return np.random.default_rng(0)


def _backward_truncate_1e308() -> object:
    cache = rnn.forward(_params, np.ones((3, 1, 2)))[1]
    return rnn.backward(np.ones((3, 1, 3)), cache, truncate=1e308)


HUGE_CALLS = {
    "rnn.init(hidden_size=1e308)": ("hidden_size", lambda: rnn.init(2, 1e308, rng=_g())),
    "rnn.init(hidden_size=10**7)": ("hidden_size", lambda: rnn.init(2, 10**7, rng=_g())),
    "rnn.init(input_size=10**7)": ("input_size", lambda: rnn.init(10**7, 100, rng=_g())),
    "lstm.init(hidden_size=10**6)": ("hidden_size", lambda: lstm.init(2, 10**6, rng=_g())),
    "gru.init(hidden_size=10**6)": ("hidden_size", lambda: gru.init(2, 10**6, rng=_g())),
    "rnn.init_stack(hidden_size=10**7)": (
        "hidden_size",
        lambda: rnn.init_stack(2, 10**7, seeds=[0]),
    ),
    "random_recurrent(10**7)": (
        "hidden_size",
        lambda: jacobians.random_recurrent(10**7, 1.0, rng=_g()),
    ),
    "untie(steps=10**7)": ("steps", lambda: unroll.untie(_params, steps=10**7)),
    "untie(steps=1e308)": ("steps", lambda: unroll.untie(_params, steps=1e308)),
    "draw_coins(10**6 x 10**6)": (
        "draws",
        lambda: truncation.draw_coins(10**6, keep=0.5, draws=10**6, rng=_g()),
    ),
    "pascanu_bound(steps=1e308)": (
        "steps",
        lambda: jacobians.pascanu_bound(np.eye(2), "tanh", 1e308),
    ),
    "rnn.backward(truncate=1e308)": ("truncate", _backward_truncate_1e308),
    "stacking.rngs(seeds=[1e308])": ("seeds[0]", lambda: stacking.rngs([1e308])),
}


@pytest.mark.parametrize("name", sorted(HUGE_CALLS))
def test_huge_counts_and_sizes_are_refused_at_once_without_allocating(name):
    argument, call = HUGE_CALLS[name]
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError, match="^" + re.escape(argument) + " "):
            call()
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 10_000_000  # bytes: nothing big was allocated before the refusal


# -- pascanu_bound, stacking ---------------------------------------------------------------------
def test_pascanu_bound_names_wh_and_refuses_overflow():
    with pytest.raises(ValueError, match=r"^Wh must have 2 dimensions"):
        jacobians.pascanu_bound(np.ones(3), "tanh", 3)
    with pytest.raises(ValueError, match=r"^Wh must be square"):
        jacobians.pascanu_bound(np.ones((2, 3)), "tanh", 3)
    with pytest.raises(ValueError, match=r"overflows|exceeds 1e308"):
        jacobians.pascanu_bound(2.0 * np.eye(2), "tanh", 2000)
    with pytest.raises(TypeError, match=r"^steps"):
        jacobians.pascanu_bound(np.eye(2), "tanh", True)
    with pytest.raises(ValueError, match=r"^steps"):
        jacobians.pascanu_bound(np.eye(2), "tanh", 2.5)
    # σ_max(0.5 I) = 0.5, γ = 1/4 for the sigmoid: (1/8)^3
    assert jacobians.pascanu_bound(0.5 * np.eye(2), "sigmoid", 3) == pytest.approx(0.125**3)


def test_stack_names_a_model_that_is_not_a_dict():
    with pytest.raises(TypeError, match=r"^models\[0\] must be a parameter dict"):
        stacking.stack([float("nan"), _params])


# -- property tests (hypothesis): generated bad input is refused by name, at once ---------------
@settings(max_examples=60, deadline=1000)
@given(
    cell=st.sampled_from(CELLS),
    hidden=st.one_of(st.integers(8_000, 10**12), st.floats(8_000, 1e308).map(float)),
)
def test_generated_huge_hidden_sizes_are_refused_by_name(cell, hidden):
    with pytest.raises((ValueError, TypeError), match=r"^hidden_size "):
        cell.init(2, hidden, rng=np.random.default_rng(0))


@settings(max_examples=60, deadline=1000)
@given(
    bad=st.one_of(
        st.none(),
        st.booleans(),
        st.text(max_size=3),
        st.complex_numbers(allow_nan=False).filter(lambda z: z.imag != 0),
        st.lists(st.just(float("nan")), min_size=1, max_size=3),
    )
)
def test_generated_non_real_input_to_the_element_wise_functions_is_refused_by_name(bad):
    for fn, name in ((lstm.sigmoid, "a"), (gru.sigmoid, "a")):
        with pytest.raises((ValueError, TypeError), match=rf"^{name} "):
            fn(bad)
    with pytest.raises((ValueError, TypeError), match=r"^hs "):
        rnn.activation_derivative(bad, "tanh")
