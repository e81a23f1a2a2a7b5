"""helpers.stats against closed forms and published values (Newcombe 1998, Table I)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import stats

Z95 = 1.959963984540054  # the 97.5 % point of the standard normal


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998_table_1(k, n, lo, hi):
    """Newcombe (1998), Statistics in Medicine 17, 857-872, Table I, method 3 (score)."""
    got = stats.wilson_interval(k, n)
    assert got == pytest.approx((lo, hi), abs=6e-5)


@pytest.mark.parametrize("n", [1, 5, 8, 16, 100])
def test_wilson_closed_forms_at_the_edges(n):
    """0/n: upper end z²/(n + z²); n/n: lower end n/(n + z²)."""
    assert stats.wilson_interval(0, n) == pytest.approx((0.0, Z95**2 / (n + Z95**2)), rel=1e-12)
    assert stats.wilson_interval(n, n) == pytest.approx((n / (n + Z95**2), 1.0), rel=1e-12)


@pytest.mark.parametrize(("k", "n"), [(1, 8), (4, 8), (7, 8), (3, 17)])
def test_wilson_endpoints_solve_the_score_equation(k, n):
    """Both ends satisfy |k/n − p| = z √(p(1 − p)/n) (the definition of the interval)."""
    for p in stats.wilson_interval(k, n):
        assert abs(k / n - p) == pytest.approx(Z95 * np.sqrt(p * (1 - p) / n), rel=1e-10)


def test_rate_text_median_range_and_errors():
    assert stats.rate(np.array([True] * 7 + [False]))[:2] == (7, 8)
    assert stats.rate_text(7, 8) == "7/8 (0.53–0.98)"
    med, lo, hi = stats.median_range(np.arange(11.0))
    assert (med, lo, hi) == (5.0, 1.0, 9.0)
    with pytest.raises(ValueError, match="k must be <= 8"):
        stats.wilson_interval(9, 8)
    with pytest.raises(ValueError, match="n must be >= 1"):
        stats.wilson_interval(0, 0)
    with pytest.raises(TypeError, match="successes"):
        stats.rate(np.array([1, 0]))


def test_median_range_refuses_nan_by_name_and_keeps_inf():
    with pytest.raises(ValueError, match="values contains 1 NaN"):
        stats.median_range(np.array([1.0, np.nan, 2.0]))
    med, lo, hi = stats.median_range(np.array([1.0, 2.0, np.inf, np.inf]))
    assert med == np.inf and hi == np.inf and np.isfinite(lo)
    # two infinite neighbours: inf, not the NaN of inf − inf
    med, lo, hi = stats.median_range(np.array([np.inf] * 4))
    assert (med, lo, hi) == (np.inf, np.inf, np.inf)
    # finite values: NumPy's linear interpolation (10th, 50th, 90th percentile of 0..9)
    assert np.allclose(stats.median_range(np.arange(10.0)), (4.5, 0.9, 8.1))
