"""helpers.schedules: the three decays of Bengio et al. (2015) against their formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import schedules


def test_linear_closed_form():
    assert float(schedules.linear(0, c=1e-3)) == 1.0
    assert float(schedules.linear(500, c=1e-3)) == pytest.approx(0.5, abs=1e-15)
    assert float(schedules.linear(2000, c=1e-3, eps=0.1)) == pytest.approx(0.1, abs=1e-15)
    assert float(schedules.linear(0, c=0.01, k=0.8)) == pytest.approx(0.8, abs=1e-15)
    assert float(schedules.linear(30, c=0.01, k=0.8)) == pytest.approx(0.5, abs=1e-15)
    out = schedules.linear(np.array([[0.0, 250.0], [750.0, 5000.0]]), c=1e-3, eps=0.05)
    np.testing.assert_allclose(out, [[1.0, 0.75], [0.25, 0.05]], atol=1e-15)


def test_exponential_closed_form():
    assert float(schedules.exponential(10, k=0.5)) == 1 / 1024
    np.testing.assert_allclose(schedules.exponential([0, 1, 2, 3], k=0.9), [1, 0.9, 0.81, 0.729])
    with np.errstate(all="raise"):  # underflows to exactly 0 without a warning
        assert float(schedules.exponential(1e6, k=0.5)) == 0.0


def test_inverse_sigmoid_closed_form():
    assert float(schedules.inverse_sigmoid(0, k=1.0)) == pytest.approx(0.5, abs=1e-15)
    assert float(schedules.inverse_sigmoid(10, k=10.0)) == pytest.approx(10 / (10 + math.e))
    assert float(schedules.inverse_sigmoid(0, k=100.0)) == pytest.approx(100 / 101)
    i = np.array([0.0, 700.0, 3000.0, 9000.0])
    want = 500 / (500 + np.exp(i / 500))
    np.testing.assert_allclose(schedules.inverse_sigmoid(i, k=500.0), want, rtol=1e-12)
    with np.errstate(all="raise"):  # exp(1e6) would overflow in the naive formula
        assert 0.0 <= float(schedules.inverse_sigmoid(1e6, k=1.0)) < 1e-300


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("linear", {"c": 1e-4, "eps": 0.1}),
        ("exponential", {"k": 0.999}),
        ("inverse sigmoid", {"k": 300.0}),
    ],
)
def test_schedules_are_probabilities_that_never_increase(kind, params):
    i = np.arange(0, 20_000, 7.0)
    eps = schedules.epsilon(kind, i, **params)
    assert eps.shape == i.shape
    assert np.all((eps >= 0) & (eps <= 1))
    assert np.all(np.diff(eps) <= 1e-15)


def test_epsilon_dispatches_to_each_schedule():
    i = np.array([0.0, 10.0, 100.0])
    assert np.array_equal(schedules.epsilon("linear", i, c=0.01), schedules.linear(i, c=0.01))
    assert np.array_equal(
        schedules.epsilon("exponential", i, k=0.9), schedules.exponential(i, k=0.9)
    )
    assert np.array_equal(
        schedules.epsilon("inverse sigmoid", i, k=5.0), schedules.inverse_sigmoid(i, k=5.0)
    )


@pytest.mark.parametrize(
    ("kind", "params", "level", "closed"),
    [
        ("linear", {"c": 1e-4}, 0.5, 5000.0),
        ("linear", {"c": 1e-3, "k": 0.9}, 0.3, 600.0),
        ("exponential", {"k": 0.999}, 0.5, math.log(0.5) / math.log(0.999)),
        ("exponential", {"k": 0.9995}, 0.1, math.log(0.1) / math.log(0.9995)),
        ("inverse sigmoid", {"k": 500.0}, 0.5, 500 * math.log(500)),
        ("inverse sigmoid", {"k": 100.0}, 0.2, 100 * math.log(100 * 0.8 / 0.2)),
    ],
)
def test_crossing_closed_forms(kind, params, level, closed):
    at = schedules.crossing(kind, level, **params)
    assert at == pytest.approx(closed, rel=1e-12)
    assert float(schedules.epsilon(kind, at, **params)) == pytest.approx(level, abs=1e-12)


def test_crossing_never_or_at_start():
    assert schedules.crossing("linear", 0.5, c=1e-3, eps=0.6) == float("inf")
    assert schedules.crossing("linear", 0.5, c=0.0) == float("inf")
    assert schedules.crossing("linear", 0.9, c=1e-3, k=0.8) == 0.0
    assert schedules.crossing("inverse sigmoid", 0.9, k=1.0) == 0.0  # ε_0 = 1/2 already


def test_sample_mask_frequencies_and_shape():
    rng = np.random.default_rng(0)
    mask = schedules.sample_mask(np.array([0.0, 0.3, 1.0]), 100_000, rng=rng)
    assert mask.shape == (3, 100_000) and mask.dtype == bool
    assert not mask[0].any() and mask[2].all()
    assert abs(mask[1].mean() - 0.3) < 0.006  # 4 standard deviations of a binomial mean
    assert schedules.sample_mask(0.5, 4, rng=rng).shape == (4,)


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: schedules.linear(-1, c=0.1), ValueError, "i"),
        (lambda: schedules.linear(1, c=-0.1), ValueError, "c"),
        (lambda: schedules.linear(1, c=0.1, eps=1.0), ValueError, "eps"),
        (lambda: schedules.linear(1, c=0.1, k=1.5), ValueError, "k"),
        (lambda: schedules.linear("3", c=0.1), TypeError, "i"),
        (lambda: schedules.exponential(1, k=1.0), ValueError, "k"),
        (lambda: schedules.exponential(1, k=0.0), ValueError, "k"),
        (lambda: schedules.inverse_sigmoid(1, k=0.5), ValueError, "k"),
        (lambda: schedules.inverse_sigmoid([1, np.nan], k=2.0), ValueError, "i"),
        (lambda: schedules.epsilon("cosine", 1, k=0.5), ValueError, "kind"),
        (lambda: schedules.crossing("exponential", 1.0, k=0.9), ValueError, "level"),
        (lambda: schedules.sample_mask(1.5, 3, rng=np.random.default_rng(0)), ValueError, "eps_i"),
        (lambda: schedules.sample_mask(0.5, 0, rng=np.random.default_rng(0)), ValueError, "length"),
        (lambda: schedules.sample_mask(0.5, 3, rng=0), TypeError, "rng"),
    ],
)
def test_bad_arguments(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
