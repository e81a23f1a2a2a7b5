"""helpers.landscape: the w^n toy's loss, descent on it, and finite-difference errors."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient
from helpers.landscape import descend, difference_errors, power_loss


@pytest.mark.parametrize(("w", "n", "target"), [(0.8, 3, 0.5), (1.05, 20, 2.0), (0.999, 1000, 0.5)])
def test_power_loss_gradient_matches_finite_differences(w, n, target):
    c, g = power_loss(w, n, target)
    assert c == pytest.approx((w**n - target) ** 2, rel=1e-12)
    fd = numerical_gradient(
        lambda p: float(power_loss(p["w"], n, target)[0]), {"w": np.array(w)}, eps=1e-7
    )["w"]
    assert float(g) == pytest.approx(float(fd), rel=1e-6)


def test_power_loss_minimum_plateau_and_cliff():
    w_star = 0.5 ** (1 / 1000)
    c, g = power_loss(w_star)
    assert float(c) < 1e-20 and abs(float(g)) < 1e-6
    c, g = power_loss(np.array([0.9, 0.95]))  # plateau: C ≈ ŷ² = 0.25, slope below 1e-19
    np.testing.assert_allclose(c, 0.25, rtol=1e-15)
    assert np.all(np.abs(g) < 1e-19)
    _, g = power_loss(1.01)  # cliff: 2 (1.01^1000 − 0.5) · 1000 · 1.01^999 ≈ 8.7e11
    assert float(g) == pytest.approx(2 * (20959.16 - 0.5) * 1000 * 20959.16 / 1.01, rel=1e-5)


def test_descend_matches_the_closed_form_on_a_quadratic():
    # n = 1: C = (w − ŷ)², so w_k − ŷ = (1 − 2 lr)^k (w0 − ŷ).
    run = descend(3.0, lr=0.1, steps=20, n=1, target=0.5)
    k = np.arange(21)
    np.testing.assert_allclose(run["w"], 0.5 + 0.8**k * 2.5, rtol=1e-12)
    assert run["w"].shape == run["loss"].shape == run["grad"].shape == (21,)
    assert not run["stopped"]


def test_descend_stalls_on_the_plateau_and_leaves_float64_off_the_cliff():
    flat = descend(0.95, lr=1.0, steps=100)
    assert abs(flat["w"][-1] - 0.95) < 1e-15 and flat["loss"][-1] == pytest.approx(0.25)
    cliff = descend(1.01, lr=1e-3, steps=10)
    assert cliff["stopped"] and len(cliff["w"]) < 11
    assert not np.isfinite(cliff["loss"][-1]) or not np.isfinite(cliff["w"][-1])


def test_difference_errors_truncation_and_round_off():
    h = np.array([1e-3, 1e-4, 1e-5])
    # forward difference, exactly: ((w + h)^n − w^n)/(h n w^(n−1)) − 1
    #                                = ((1 + h/w)^n − 1) w/(n h) − 1,
    # and ≈ ½ h (n − 1)/w (the truncation term) once n h ≪ w.
    err = difference_errors(1.01, h, kind="forward")
    exact = np.expm1(1000 * np.log1p(h / 1.01)) * 1.01 / (1000 * h) - 1
    np.testing.assert_allclose(err, exact, rtol=1e-4)
    assert err[2] == pytest.approx(0.5 * 1e-5 * 999 / 1.01, rel=0.01)
    # central: ≈ h² |y'''| / (6 |y'|) = h² (n − 1)(n − 2) / (6 w²).
    err_c = difference_errors(1.01, np.array([1e-5]), kind="central")
    assert err_c[0] == pytest.approx(1e-10 * 999 * 998 / (6 * 1.01**2), rel=0.05)
    # round-off dominates at tiny steps: the error grows again as the step shrinks.
    tiny = difference_errors(1.01, np.array([1e-9, 1e-13]), kind="central")
    assert tiny[1] > 10 * tiny[0]


def test_bad_input():
    with pytest.raises(ValueError, match="lr"):
        descend(1.0, lr=0.0, steps=3)
    with pytest.raises(ValueError, match="steps"):
        difference_errors(1.0, np.array([0.1, 0.0]))
    with pytest.raises(ValueError, match="kind"):
        difference_errors(1.0, np.array([0.1]), kind="backward")
    with pytest.raises(ValueError, match="dy/dw"):
        difference_errors(0.01, np.array([0.1]))
    with pytest.raises(TypeError, match="target"):
        power_loss(1.0, 10, "a")
