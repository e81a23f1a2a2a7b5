"""Notebook 03's checkers diagnose: the reference passes, every catalogued mistake written as a
buggy solution gets ITS hint back (and no other), unnamed errors are located, and the
experiment's answer and its mistaken values are re-measured here with plain NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.exercises import nb03
from helpers.explorers.nb03 import network, random_h0


def _run(checker, fn, capsys):
    result = checker(fn)
    return result, capsys.readouterr().out


def _todo(*args, **kwargs):
    raise NotImplementedError


# -- Exercise 1: the Jacobian product ----------------------------------------------------------
def _loop_jacobian(Wh, hs, k, t):
    """∂h_t/∂h_k by the chain rule, entry by entry (independent of nb03's reference)."""
    H = Wh.shape[0]
    J = np.eye(H)
    for i in range(k + 1, t + 1):
        step = np.array([[(1 - hs[i, m] ** 2) * Wh[m, n] for n in range(H)] for m in range(H)])
        J = step @ J
    return J


def test_reference_matches_finite_differences_of_a_tanh_rnn():
    rng = np.random.default_rng(11)
    H, T, k, t = 3, 6, 1, 5
    Wh = rng.normal(0, 0.8, (H, H))
    drive = rng.normal(0, 0.5, (T + 1, H))

    def states(h_k):
        hs, h = [h_k], h_k
        for i in range(k + 1, T + 1):
            h = np.tanh(Wh @ h + drive[i])
            hs.append(h)
        return hs

    hs = np.zeros((T + 1, H))
    hs[k:] = states(np.tanh(drive[k]))
    eps = 1e-6
    numeric = np.column_stack(
        [
            (states(hs[k] + eps * e)[t - k] - states(hs[k] - eps * e)[t - k]) / (2 * eps)
            for e in np.eye(H)
        ]
    )
    np.testing.assert_allclose(nb03._reference_jacobian(Wh, hs, k, t), numeric, atol=1e-8)
    np.testing.assert_allclose(_loop_jacobian(Wh, hs, k, t), numeric, atol=1e-8)


def test_first_case_is_not_degenerate():
    (Wh, hs, k, t), _ = nb03._jacobian_cases()[0]
    H, T = Wh.shape[0], hs.shape[0] - 1
    assert len({H, T, k, t}) == 4 and t - k >= 2 and H >= 3


def test_correct_jacobian_passes(capsys):
    result, out = _run(nb03.check_jacobian_product, _loop_jacobian, capsys)
    assert out.startswith("✔") and result is _loop_jacobian


def _buggy(factor, steps=None, newest_left=True):
    def student(Wh, hs, k, t):
        J = np.eye(Wh.shape[0])
        for i in range(k + 1, t + 1) if steps is None else steps(k, t):
            J = factor(Wh, hs, i) @ J if newest_left else J @ factor(Wh, hs, i)
        return J

    return student


def _right(Wh, hs, i):
    return np.diag(1 - hs[i] ** 2) @ Wh


def _started_from_none(Wh, hs, k, t):
    """The first factor starts the product; with no factor (k = t) it returns zeros."""
    J = None
    for i in range(k + 1, t + 1):
        J = _right(Wh, hs, i) if J is None else _right(Wh, hs, i) @ J
    return np.zeros((len(Wh), len(Wh))) if J is None else J


BUGGY_JACOBIANS = {
    # written independently of the catalogue's implementations, as a student would
    "column-gradient": _buggy(lambda Wh, hs, i: Wh.T @ np.diag(1 - hs[i] ** 2)),
    "(∂h_t/∂h_k)ᵀ": lambda Wh, hs, k, t: _buggy(_right)(Wh, hs, k, t).T,
    "you used W_hᵀ": _buggy(lambda Wh, hs, i: np.diag(1 - hs[i] ** 2) @ Wh.T),
    "wrong order": _buggy(_right, newest_left=False),
    "φ'(a_{i−1})": _buggy(lambda Wh, hs, i: np.diag(1 - hs[i - 1] ** 2) @ Wh),
    "range runs over i = k..t−1": _buggy(_right, steps=lambda k, t: range(k, t)),
    "one factor is missing": _buggy(_right, steps=lambda k, t: range(k + 1, t)),
    "one factor too many": _buggy(_right, steps=lambda k, t: range(k, t + 1)),
    "scales the columns": _buggy(lambda Wh, hs, i: Wh @ np.diag(1 - hs[i] ** 2)),
    "linear RNN's product": _buggy(lambda Wh, hs, i: Wh),
    "not 1 − tanh(h_i)²": _buggy(lambda Wh, hs, i: np.diag(1 - np.tanh(hs[i]) ** 2) @ Wh),
    "elementwise": _buggy(lambda Wh, hs, i: np.diag(1 - hs[i] ** 2) * Wh),
    "1 − h_i": _buggy(lambda Wh, hs, i: np.diag(1 - hs[i]) @ Wh),
    "started from None": _started_from_none,
}
#: The hint each buggy solution must get (a substring of it), and no other named hint.
OWN_HINT = {
    "column-gradient": "column-gradient (BPTT) convention",
    "(∂h_t/∂h_k)ᵀ": "you returned (∂h_t/∂h_k)ᵀ",
    "you used W_hᵀ": "you used W_hᵀ",
    "wrong order": "wrong order",
    "φ'(a_{i−1})": "φ'(a_{i−1})",
    "range runs over i = k..t−1": "φ'(a_{i−1})",  # the same output: one hint names both
    "one factor is missing": "one factor is missing",
    "one factor too many": "one factor too many",
    "scales the columns": "scales the columns",
    "linear RNN's product": "linear RNN's product",
    "not 1 − tanh(h_i)²": "not 1 − tanh(h_i)²",
    "elementwise": "multiplies ELEMENTWISE",
    "1 − h_i": "you used 1 − h_i:",
    "started from None": "∂h_k/∂h_k = I",
}


@pytest.mark.parametrize("name", sorted(BUGGY_JACOBIANS))
def test_each_jacobian_mistake_gets_its_own_hint(name, capsys):
    wrong = BUGGY_JACOBIANS[name]
    result, out = _run(nb03.check_jacobian_product, wrong, capsys)
    assert out.startswith("✘") and result is not wrong
    assert OWN_HINT[name] in out, out
    assert out.count("Hint: ") == 1, out  # exactly one named mistake, not several
    assert "Traceback" not in out


def test_every_catalogued_jacobian_mistake_is_tested():
    hints = [hint for _, hint in nb03.JACOBIAN_MISTAKES]
    for hint in hints:
        assert any(own in hint for own in OWN_HINT.values()), hint


def test_an_unnamed_jacobian_error_is_located(capsys):
    def off_by_a_bit(Wh, hs, k, t):
        J = _loop_jacobian(Wh, hs, k, t).copy()
        J[2, 0] += 0.05
        return J

    _result, out = _run(nb03.check_jacobian_product, off_by_a_bit, capsys)
    assert "Hint" not in out
    assert "row (unit m of h_t) = 2, column (unit n of h_k) = 0" in out, out


def test_jacobian_shape_error_is_explained(capsys):
    _result, out = _run(nb03.check_jacobian_product, lambda Wh, hs, k, t: np.ones(3), capsys)
    assert "has shape (3,), but shape (3, 3) was expected" in out and "(H, H)" in out


# -- Exercise 2: the non-normal transient ------------------------------------------------------
def _norms(W, steps=2000):
    """‖W^t‖₂ by matrix_power and the SVD, independently of nb03.power_norms."""
    return np.array(
        [np.linalg.svd(np.linalg.matrix_power(W, t), compute_uv=False)[0] for t in range(1, steps)]
    )


def test_reference_transient_has_the_property():
    W = nb03._reference_transient()
    assert np.max(np.abs(np.linalg.eigvals(W))) < 1
    norms = _norms(W, 400)
    assert norms.max() >= 100 and norms[-1] < 1e-3
    np.testing.assert_allclose(nb03.power_norms(W, 399), norms, rtol=1e-10)


def test_a_correct_transient_passes(capsys):
    def build():
        return np.array([[0.9, 0.0], [40.0, 0.8]])  # lower triangular, another solution

    assert _norms(build(), 300).max() >= 100
    result, out = _run(nb03.check_transient, build, capsys)
    assert out.startswith("✔") and result is build and "peaks at" in out


@pytest.mark.parametrize(
    ("W", "expected"),
    [
        (np.array([[0.6, 0.3], [0.3, 0.5]]), "normal"),  # symmetric
        (0.95 * np.array([[0.6, -0.8], [0.8, 0.6]]), "normal"),  # a scaled rotation
        (np.diag([0.99, -0.5]), "normal"),
        (np.array([[1.02, 30.0], [0.0, 0.5]]), "≥ 1"),  # ρ > 1
        (np.array([[1.0, 30.0], [0.0, 0.5]]), "≥ 1"),  # ρ = 1 exactly
        (np.array([[0.5, 0.6], [0.0, 0.4]]), "σ_max = ‖W‖₂"),  # non-normal, σ_max < 1
        (np.array([[0.9, 5.0], [0.0, 0.9]]), "only reach"),  # a transient, but ≈ 10×
        (np.ones(3), "2 × 2 matrix"),
        (np.array([[np.nan, 1.0], [0.0, 0.5]]), "NaN"),
    ],
)
def test_transient_mistakes_get_their_diagnosis(W, expected, capsys):
    result, out = _run(nb03.check_transient, lambda: W, capsys)
    assert out.startswith("✘") and expected in out, out
    assert result is nb03._reference_transient
    assert "Traceback" not in out


def test_small_transient_is_really_small():
    assert 10 < _norms(np.array([[0.9, 5.0], [0.0, 0.9]]), 200).max() < 100


@pytest.mark.parametrize(
    ("student", "expected"),
    [
        (_todo, "not implemented yet"),
        (lambda: 1 / 0, "raised ZeroDivisionError"),
        (lambda: "W", "your function returned"),
        (lambda: np.array([[0.95, 20.0], [0.0, 0.95]]) + 5j, "complex"),
        (lambda: None, "your function returned"),
    ],
)
def test_transient_checker_never_shows_a_traceback(student, expected, capsys):
    result, out = _run(nb03.check_transient, student, capsys)
    assert expected in out and "Traceback" not in out, out
    assert result is nb03._reference_transient


# -- Exercise 3: the flip radius ---------------------------------------------------------------
def _first_explosion(
    scale=1.0, zero_start=False, linear=False, steps=200, oldest_left=False, any_t=False
):
    """The first ρ of np.linspace(1, 4, 61) with ‖∂h_T/∂h_0‖₂ > 1, by a plain NumPy loop over
    all ρ at once (no helpers.jacobians); also returns log10‖∂h_T/∂h_0‖₂ for every ρ."""
    W0, Wx, noise = network()
    rhos = np.linspace(1, 4, 61)
    Wb = rhos[:, None, None] * W0
    h = np.zeros((61, 16)) if zero_start else np.repeat(random_h0(), 61, axis=0)
    P, logs = np.repeat(np.eye(16)[None], 61, axis=0), np.zeros(61)
    ever = np.zeros(61, dtype=bool)  # ‖∂h_t/∂h_0‖₂ > 1 at some t ≤ T
    for t in range(steps):
        h = np.tanh(np.einsum("rij,rj->ri", Wb, h) + Wx @ (scale * noise[t, 0]))
        d = np.ones_like(h) if linear else 1 - h**2
        factor = d[:, :, None] * Wb
        P = P @ factor if oldest_left else factor @ P
        size = np.linalg.norm(P, axis=(1, 2))
        logs, P = logs + np.log10(size), P / size[:, None, None]
        ever |= logs + np.log10(np.linalg.norm(P, ord=2, axis=(1, 2))) > 0
    logs = logs + np.log10(np.linalg.norm(P, ord=2, axis=(1, 2)))
    return float(rhos[np.argmax(ever if any_t else logs > 0)]), logs


def test_flip_truth_is_measured_with_margin():
    flip, logs = _first_explosion()
    assert flip == pytest.approx(nb03.FLIP_TRUTH)
    rhos = np.linspace(1, 4, 61)
    assert np.all(logs[rhos < 2.42] < -0.4)  # every ρ ≤ 2.40 vanishes, clearly
    assert logs[np.argmin(np.abs(rhos - 2.45))] > 3  # 2.45 explodes, clearly


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [
        ({"zero_start": True}, 2.20),
        ({"linear": True}, 1.0),
        ({"scale": 0.0}, 1.05),
        ({"scale": 0.5}, 1.85),
        ({"scale": 2.0}, 3.05),
        ({"steps": 100}, 2.30),
        ({"steps": 300}, 2.40),  # section 4's horizon, Ts = 300
        ({"oldest_left": True}, 2.40),  # P = P @ J_t
        ({"any_t": True}, 1.0),  # ‖∂h_t/∂h_0‖ > 1 at some t, not at t = 200
    ],
)
def test_each_catalogued_value_is_what_that_mistake_gives(kwargs, value):
    assert _first_explosion(**kwargs)[0] == pytest.approx(value)
    assert value in [v for v, _ in nb03.FLIP_MISTAKES]


def test_last_vanishing_radius_is_one_step_below():
    _flip, logs = _first_explosion()
    rhos = np.linspace(1, 4, 61)
    last_vanishing = rhos[np.flatnonzero(logs <= 0)].max()
    assert last_vanishing == pytest.approx(2.40) and 2.40 in [v for v, _ in nb03.FLIP_MISTAKES]


def test_sigma_max_value_is_sigma_max_at_the_flip():
    W0, _, _ = network()
    sigma = np.linalg.svd(nb03.FLIP_TRUTH * W0, compute_uv=False)[0]
    assert abs(sigma - 4.03) < 0.01


@pytest.mark.parametrize(("value", "hint"), nb03.FLIP_MISTAKES, ids=lambda x: str(x)[:20])
def test_each_flip_mistake_gets_its_own_hint(value, hint, capsys):
    assert not nb03.check_flip_radius(lambda: value)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out and out.count("Hint: ") == 1, out


@pytest.mark.parametrize("answer", [2.45, np.float64(2.45), np.array(2.45)])
def test_the_flip_is_accepted(answer, capsys):
    assert nb03.check_flip_radius(lambda: answer)
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (3.5, "Scan the grid"),
        (_todo, "no answer yet"),
        (float("nan"), "NaN"),
        ("2.45", "should be a number"),
        (2.45 + 0j, "complex"),
    ],
)
def test_other_flip_answers_are_answered(answer, expected, capsys):
    fn = answer if callable(answer) else (lambda: answer)
    assert not nb03.check_flip_radius(fn)
    out = capsys.readouterr().out
    assert expected in out and "Hint" not in out and "Traceback" not in out, out
