"""Notebook 06's checkers diagnose: the reference passes, every catalogued mistake (written
here as a buggy solution, independently of the checker's own catalogue) gets its own hint
back, and an error outside the catalogue is located (which output, which update, which
entry). The answer of the experiment (exercise 4) is checked against an independent
computation: the spectral radius of NAG's 2 × 2 iteration matrix, by bisection."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import optim
from helpers.exercises import nb06


def _out(checker, fn, capsys):
    result = checker(fn)
    return result, capsys.readouterr().out


# ---------------------------------------------------------------- exercise 1: RMSProp
def rms_ok(w, g, sigma_prev, lr, alpha):
    sigma = np.abs(g) if sigma_prev is None else np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    return w - lr * g / sigma, sigma


def rms_alpha_swapped(w, g, sigma_prev, lr, alpha):
    sigma = np.abs(g) if sigma_prev is None else np.sqrt((1 - alpha) * sigma_prev**2 + alpha * g**2)
    return w - lr * g / sigma, sigma


def rms_no_sqrt(w, g, sigma_prev, lr, alpha):
    sigma = g**2 if sigma_prev is None else alpha * sigma_prev**2 + (1 - alpha) * g**2
    return w - lr * g / sigma, sigma


def rms_sigma0_zero(w, g, sigma_prev, lr, alpha):
    if sigma_prev is None:
        sigma_prev = np.zeros_like(g)
    sigma = np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    return w - lr * g / sigma, sigma


def rms_old_sigma(w, g, sigma_prev, lr, alpha):
    if sigma_prev is None:
        return w - lr * np.sign(g), np.abs(g)
    return w - lr * g / sigma_prev, np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)


def rms_signed_sigma0(w, g, sigma_prev, lr, alpha):
    sigma = g if sigma_prev is None else np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    return w - lr * g / sigma, sigma


def rms_keeps_mean_square(w, g, sigma_prev, lr, alpha):
    mean_sq = g * g if sigma_prev is None else alpha * sigma_prev + (1 - alpha) * g * g
    return w - lr * g / np.sqrt(mean_sq), mean_sq


def rms_forgot_lr(w, g, sigma_prev, lr, alpha):  # not in the catalogue
    sigma = np.abs(g) if sigma_prev is None else np.sqrt(alpha * sigma_prev**2 + (1 - alpha) * g**2)
    return w - g / sigma, sigma


def test_a_correct_rmsprop_step_passes(capsys):
    result, out = _out(nb06.check_rmsprop_step, rms_ok, capsys)
    assert out.startswith("✔") and result is rms_ok
    # and the reference agrees with the course's optim.RMSProp over several updates
    rng = np.random.default_rng(0)
    w, sigma, opt, p = rng.normal(size=4), None, optim.RMSProp(lr=0.1, alpha=0.8, eps=1e-300), None
    p = {"w": w.copy()}
    for _ in range(5):
        g = rng.normal(size=4)
        w, sigma = nb06.reference_rmsprop(w, g, sigma, 0.1, 0.8)
        p = opt.step(p, {"w": g})
        assert np.allclose(w, p["w"], rtol=1e-12)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (rms_alpha_swapped, "OLD average"),
        (rms_no_sqrt, "square root"),
        (rms_sigma0_zero, "σ⁰ = |g⁰|"),
        (rms_old_sigma, "NEW σᵗ"),
        (rms_signed_sigma0, "never negative"),
        (rms_keeps_mean_square, "not its square"),
    ],
)
def test_each_rmsprop_mistake_gets_its_hint(wrong, hint, capsys):
    result, out = _out(nb06.check_rmsprop_step, wrong, capsys)
    assert out.startswith("✘") and hint in out, out
    assert out.count("Hint:") == 1, out  # its own hint, and no other
    assert result is nb06.reference_rmsprop


def test_an_unknown_rmsprop_mistake_is_located(capsys):
    _, out = _out(nb06.check_rmsprop_step, rms_forgot_lr, capsys)
    assert "Hint:" not in out and "output['w'] (case 1)" in out
    assert "update = " in out and "entry = " in out, out


# ---------------------------------------------------------------- exercise 2: Nesterov
def nag_ok(theta, v, grad, lr, mu):
    v = mu * v - lr * grad(theta + mu * v)
    return theta + v, v


def nag_at_theta(theta, v, grad, lr, mu):
    v = mu * v - lr * grad(theta)
    return theta + v, v


def nag_minus_lookahead(theta, v, grad, lr, mu):
    v = mu * v - lr * grad(theta - mu * v)
    return theta + v, v


def nag_plus_gradient(theta, v, grad, lr, mu):
    v = mu * v + lr * grad(theta + mu * v)
    return theta + v, v


def nag_old_v(theta, v, grad, lr, mu):
    theta_new = theta + v
    return theta_new, mu * v - lr * grad(theta + mu * v)


def nag_forgot_mu(theta, v, grad, lr, mu):  # not in the catalogue
    v = v - lr * grad(theta + mu * v)
    return theta + v, v


def test_a_correct_nesterov_step_passes(capsys):
    result, out = _out(nb06.check_nesterov_step, nag_ok, capsys)
    assert out.startswith("✔") and result is nag_ok


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (nag_at_theta, "classical momentum"),
        (nag_minus_lookahead, "not θ − μv"),
        (nag_plus_gradient, "points uphill"),
        (nag_old_v, "NEW velocity"),
    ],
)
def test_each_nesterov_mistake_gets_its_hint(wrong, hint, capsys):
    result, out = _out(nb06.check_nesterov_step, wrong, capsys)
    assert out.startswith("✘") and hint in out, out
    assert out.count("Hint:") == 1, out
    assert result is nb06.reference_nesterov


def test_an_unknown_nesterov_mistake_is_located(capsys):
    _, out = _out(nb06.check_nesterov_step, nag_forgot_mu, capsys)
    assert "Hint:" not in out and "update = " in out and "entry = " in out, out


# ---------------------------------------------------------------- exercise 3: Adam
def adam_ok(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta - step, m, v


def adam_no_correction(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_t_from_zero(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta - step, m, v


def adam_eps_inside(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def adam_betas_swapped(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_ok(theta, g, m, v, t, lr, beta2, beta1, eps)


def adam_v_from_g(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_returns_corrected(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)
    v = (beta2 * v + (1 - beta2) * g**2) / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_only_m_corrected(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def adam_plus(theta, g, m, v, t, lr, beta1, beta2, eps):  # not in the catalogue: climbs
    new, m, v = adam_ok(theta, g, m, v, t, lr, beta1, beta2, eps)
    return 2 * theta - new, m, v


def test_a_correct_adam_step_passes_and_matches_optim(capsys):
    result, out = _out(nb06.check_adam_step, adam_ok, capsys)
    assert out.startswith("✔") and result is adam_ok
    rng = np.random.default_rng(1)
    theta, m, v = rng.normal(size=3), np.zeros(3), np.zeros(3)
    opt, p = optim.Adam(lr=0.1, beta1=0.8, beta2=0.99, eps=1e-3), {"w": theta.copy()}
    for t in range(6):
        g = rng.normal(size=3)
        theta, m, v = nb06.reference_adam(theta, g, m, v, t, 0.1, 0.8, 0.99, 1e-3)
        p = opt.step(p, {"w": g})
        assert np.allclose(theta, p["w"], rtol=1e-12)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (adam_no_correction, "bias correction missing"),
        (adam_t_from_zero, "increments t BEFORE"),
        (adam_eps_inside, "outside the square root"),
        (adam_betas_swapped, "swapped"),
        (adam_v_from_g, "SQUARED gradients"),
        (adam_returns_corrected, "raw averages"),
        (adam_only_m_corrected, "v needs its bias correction"),
    ],
)
def test_each_adam_mistake_gets_its_hint(wrong, hint, capsys):
    result, out = _out(nb06.check_adam_step, wrong, capsys)
    assert out.startswith("✘") and hint in out, out
    assert out.count("Hint:") == 1, out
    assert result is nb06.reference_adam


def test_an_unknown_adam_mistake_is_located(capsys):
    _, out = _out(nb06.check_adam_step, adam_plus, capsys)
    assert "Hint:" not in out and "output['theta'] (case 1)" in out and "update = " in out, out


# ---------------------------------------------------------------- exercise 4: NAG's limit
def _nag_radius(etalam: float, mu: float) -> float:
    d = 1 - etalam
    return max(abs(np.linalg.eigvals([[d, mu * d], [-etalam, mu * d]])))


def test_the_nag_limit_is_where_the_spectral_radius_reaches_one():
    lo, hi = 0.5, 3.0  # stable at 0.5, unstable at 3
    assert _nag_radius(lo, nb06.NAG_MU) < 1 < _nag_radius(hi, nb06.NAG_MU)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _nag_radius(mid, nb06.NAG_MU) < 1 else (lo, mid)
    assert abs(lo - nb06.NAG_LIMIT) < 1e-9
    # and optim.Nesterov on E = ½ λ θ² (η = 1): converges just below, diverges just above
    for etalam, converges in ((0.99 * lo, True), (1.01 * lo, False)):
        opt, p = optim.Nesterov(lr=etalam, momentum=nb06.NAG_MU), {"w": np.array(1.0)}
        for _ in range(3000):
            p = opt.step(p, {"w": opt.lookahead(p)["w"]})
        assert (abs(float(p["w"])) < 1e-3) == converges


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (1.5, "✔"),
        (1.49, "✔"),
        (3.0, "momentum's limit"),
        (2.0, "gradient descent"),
        (1.357, "μ = 0.9"),
        (1.0, "cancels the momentum"),
        (150.0, "pass eta=1.0, so"),  # radius("NAG", x, mu=0.5): η = 0.01 by default
        (135.7, "pass eta=1.0 and mu=0.5"),  # both of radius's defaults kept
    ],
)
def test_the_nag_limit_answers(answer, expected, capsys):
    ok = nb06.check_nag_limit(lambda: answer)
    out = capsys.readouterr().out
    assert expected in out, out
    assert ok == (expected == "✔")


def test_an_unanswered_or_odd_nag_limit_is_explained(capsys):
    def todo():
        raise NotImplementedError

    assert not nb06.check_nag_limit(todo)
    assert "no answer yet" in capsys.readouterr().out
    assert not nb06.check_nag_limit(lambda: 2.5)
    out = capsys.readouterr().out
    assert "too large" in out and "Hint" not in out
    # 2/(1 + μ) = 1.333 is 1.8 % from μ = 0.9's limit 1.357: no hint names that mistake
    assert not nb06.check_nag_limit(lambda: 4 / 3)
    out = capsys.readouterr().out
    assert "too small" in out and "Hint" not in out
    assert not nb06.check_nag_limit(lambda: "1.5")
    assert "should be a number" in capsys.readouterr().out
