"""Notebook 07's checkers: the reference passes, and every catalogued mistake, written as a
buggy solution, gets its own hint back."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import generative, schedules
from helpers.exercises import nb07


def _run(capsys, checker, fn):
    used = checker(fn)
    return used, capsys.readouterr().out


@pytest.mark.parametrize(
    ("checker", "reference"),
    [
        (nb07.check_generate, nb07.reference_generate),
        (nb07.check_inverse_sigmoid_crossing, nb07.reference_crossing),
        (nb07.check_teacher_forced_loss, nb07.reference_teacher_forced_loss),
    ],
)
def test_the_reference_passes(capsys, checker, reference):
    used, out = _run(capsys, checker, reference)
    assert used is reference and "✔" in out and "✘" not in out


@pytest.mark.parametrize(
    ("checker", "mistakes"),
    [
        (nb07.check_generate, nb07.GENERATE_MISTAKES),
        (nb07.check_inverse_sigmoid_crossing, nb07.CROSSING_MISTAKES),
        (nb07.check_teacher_forced_loss, nb07.LOSS_MISTAKES),
    ],
)
def test_every_catalogued_mistake_gets_its_own_hint(capsys, checker, mistakes):
    for index, (buggy, hint) in enumerate(mistakes):
        used, out = _run(capsys, checker, buggy)
        assert used is not buggy, f"mistake {index} passed"
        assert hint in out, f"mistake {index}: its hint is missing from:\n{out}"
        others = [h for i, (_, h) in enumerate(mistakes) if i != index and h in out]
        assert not others, f"mistake {index} also got other hints: {others}"


def test_the_reference_crossing_is_where_the_schedule_is_p():
    for p, k in [(0.3, 50.0), (0.9, 500.0), (0.05, 1000.0)]:
        i = nb07.reference_crossing(p, k)
        assert abs(float(schedules.inverse_sigmoid(i, k=k)) - p) < 1e-12
        assert abs(i - schedules.crossing("inverse sigmoid", p, k=k)) < 1e-9 * i


def test_the_reference_loss_is_the_mean_cross_entropy_computed_by_hand():
    rng = np.random.default_rng(0)
    params = generative.init_model(5, rng=rng)
    ids = generative.windows(4, 7, rng=rng)
    h, total = np.zeros((4, 5)), 0.0
    for t in range(6):
        h = np.tanh(generative.one_hot(ids[t]) @ params["Wx"].T + h @ params["Wh"].T + params["b"])
        z = h @ params["Wy"].T + params["by"]
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        total += -np.log(p[np.arange(4), ids[t + 1]]).sum()
    assert abs(nb07.reference_teacher_forced_loss(params, ids) - total / 24) < 1e-12


def test_an_unnamed_generation_error_is_located(capsys):
    def off_somewhere(params, prompt, n):
        out = nb07.reference_generate(params, prompt, n).copy()
        out[2, 1] = (out[2, 1] + 1) % generative.V
        return out

    _, out = _run(capsys, nb07.check_generate, off_somewhere)
    assert "written character = 2, sequence = 1" in out


def test_a_missing_hidden_bias_cannot_hide(capsys):
    """``init`` sets b = 0; the checkers' models do not, so a loss written without b fails."""

    def no_b(params, ids):
        xs = generative.one_hot(ids[:-1])
        h, total = np.zeros((ids.shape[1], params["Wh"].shape[0])), 0.0
        for t in range(xs.shape[0]):
            h = np.tanh(xs[t] @ params["Wx"].T + h @ params["Wh"].T)
            z = h @ params["Wy"].T + params["by"]
            z = z - z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            total -= logp[np.arange(ids.shape[1]), ids[t + 1]].sum()
        return total / (xs.shape[0] * ids.shape[1])

    used, out = _run(capsys, nb07.check_teacher_forced_loss, no_b)
    assert used is not no_b and "✘" in out and "case 1" in out
