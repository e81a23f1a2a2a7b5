"""helpers.toys.linear_gain and helpers.toys.power against closed forms and published values."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.toys import linear_gain, power


def run_linear_rnn(alpha: float, xs: np.ndarray, h0: float = 0.0) -> np.ndarray:
    """h_t = α h_{t-1} + x_t for t = 1..T from h_0, step by step (independent of linear_gain).

    ``xs`` = [x_1, …, x_T]; returns [h_0, h_1, …, h_T] (the course's indexing, notebook 00)."""
    h, out = h0, [h0]
    for x in xs:
        h = alpha * h + x
        out.append(h)
    return np.array(out)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 1.0, 1.1, -0.8])
def test_linear_gain_is_the_derivative_of_the_linear_rnn(alpha):
    """∂h_t/∂x_k = α^(t−k): nudging x_1 moves h_t by α^(t−1); nudging h_0, by α^t."""
    horizon = 30
    xs = np.random.default_rng(0).normal(size=horizon + 1)  # x_1 … x_31
    eps = 1e-6
    up, down = xs.copy(), xs.copy()
    up[0] += eps
    down[0] -= eps
    fd = (run_linear_rnn(alpha, up) - run_linear_rnn(alpha, down)) / (2 * eps)
    gain = linear_gain(alpha, horizon)
    assert gain.shape == (horizon + 1,)
    np.testing.assert_allclose(gain, fd[1:], rtol=1e-7, atol=1e-9)  # h_1 … h_31: lags 0 … 30
    fd_h0 = (run_linear_rnn(alpha, xs, eps) - run_linear_rnn(alpha, xs, -eps)) / (2 * eps)
    np.testing.assert_allclose(gain, fd_h0[:-1], rtol=1e-7, atol=1e-9)  # h_0 … h_30


def test_linear_gain_published_values_and_zero_alpha():
    # Long Liangqu's poster: 1.01^365 = 37.8 and 0.99^365 = 0.03.
    assert linear_gain(1.01, 365)[-1] == pytest.approx(37.7834, rel=1e-5)
    assert linear_gain(0.99, 365)[-1] == pytest.approx(0.0255179, rel=1e-5)
    assert linear_gain(0.0, 5).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert linear_gain(1.0, 1000).tolist() == [1.0] * 1001


def test_linear_gain_overflow_and_underflow_are_silent_and_exact():
    big = linear_gain(2.0, 1100)  # 2^1024 overflows float64
    assert big[1023] == 2.0**1023 and np.isinf(big[1024]) and np.isinf(big[-1])
    small = linear_gain(0.5, 1100)  # 2^-1074 is the smallest subnormal
    assert small[1074] == 5e-324 and small[1075] == 0.0


def test_linear_gain_rejects_bad_input():
    with pytest.raises(ValueError, match="horizon"):
        linear_gain(0.5, -1)
    with pytest.raises(TypeError, match="horizon"):
        linear_gain(0.5, 2.5)
    with pytest.raises(TypeError, match="alpha"):
        linear_gain("0.5", 3)
    with pytest.raises(ValueError, match="alpha"):
        linear_gain(float("nan"), 3)


def test_power_seed_table():
    # Hung-yi Lee's table for n = 1000: w = 1 → 1, 1.01 → ≈ 20000, 0.99 → ≈ 0, 0.01 → ≈ 0.
    y, dy = power(np.array([1.0, 1.01, 0.99, 0.01]))
    assert y[0] == 1.0 and dy[0] == 1000.0
    assert y[1] == pytest.approx(20959.16, rel=1e-6)
    assert y[2] == pytest.approx(4.3171e-05, rel=1e-4)
    assert y[3] == 0.0  # 1e-2000 underflows below the smallest subnormal 4.9e-324
    assert dy[1] == pytest.approx(1000 * 20959.16 / 1.01, rel=1e-6)


@pytest.mark.parametrize(("w", "n"), [(0.7, 3), (1.2, 5), (-0.9, 4), (1.001, 1000), (0.999, 1000)])
def test_power_derivative_matches_central_differences(w, n):
    eps = 1e-7 * max(1.0, abs(w))
    fd = (power(w + eps, n)[0] - power(w - eps, n)[0]) / (2 * eps)
    assert power(w, n)[1] == pytest.approx(float(fd), rel=1e-6)


def test_power_broadcasts_and_overflows_silently():
    y, dy = power(np.full((2, 3), 2.0), n=1100)
    assert y.shape == dy.shape == (2, 3) and np.all(np.isinf(y)) and np.all(np.isinf(dy))
    y0, dy0 = power(0.0, 1)
    assert y0 == 0.0 and dy0 == 1.0


def test_power_rejects_bad_input():
    with pytest.raises(ValueError, match="n"):
        power(1.0, 0)
    with pytest.raises(TypeError, match="n"):
        power(1.0, True)
    with pytest.raises(TypeError, match="w"):
        power("1.0")
    with pytest.raises(ValueError, match="w"):
        power(np.inf)
