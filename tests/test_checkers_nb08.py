"""Notebook 08's checkers diagnose: the reference passes, every catalogued mistake written as
a buggy solution gets its own hint back, and an unnamed error is located.

The references are checked against independent computations (finite differences, the
definition of η² through np.var), not against their own output."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import gradcheck
from helpers.exercises import nb08

H_T = nb08.TEMPERATURE_HINTS
H_C = nb08.CLOZE_HINTS
H_S = nb08.SELECTIVITY_HINTS


def _out(capsys, checker, fn):
    capsys.readouterr()
    checker(fn)
    return capsys.readouterr().out


# ------------------------------------------------------------------ Exercise 1: temperature


def _naive(z, t):
    e = np.exp(np.asarray(z) / t)
    return e / e.sum(axis=-1, keepdims=True)


def _global_max(z, t):
    z = np.asarray(z, dtype=float) / t
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _after_exp(z, t):
    e = np.exp(np.asarray(z, dtype=float) - np.max(z, axis=-1, keepdims=True)) / t
    return e / e.sum(axis=-1, keepdims=True)


def _times(z, t):
    z = np.asarray(z, dtype=float) * t
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _axis0(z, t):
    z = np.asarray(z, dtype=float) / t
    e = np.exp(z - z.max())
    return e / e.sum(axis=0)


def _whole(z, t):
    z = np.asarray(z, dtype=float) / t
    e = np.exp(z - z.max())
    return e / np.sum(e)


@pytest.mark.parametrize(
    ("buggy", "hint"),
    [
        (_naive, H_T["overflow"]),
        (_global_max, H_T["global_max"]),
        (_after_exp, H_T["after_exp"]),
        (_times, H_T["times"]),
        (_axis0, H_T["axis"]),
        (_whole, H_T["axis"]),
    ],
)
def test_temperature_mistakes_get_their_hint(capsys, buggy, hint):
    out = _out(capsys, nb08.check_softmax_temperature, buggy)
    assert "✘" in out and hint in out
    others = [h for h in H_T.values() if h != hint]
    assert not any(h in out for h in others), out


def test_temperature_reference_and_location(capsys):
    assert "✔" in _out(capsys, nb08.check_softmax_temperature, nb08.reference_softmax_temperature)

    def off(z, t):  # no named mistake: an extra weight on one word
        p = nb08.reference_softmax_temperature(z, t) * np.array([1, 1, 1, 1.5, 1])
        return p / p.sum(axis=-1, keepdims=True)

    out = _out(capsys, nb08.check_softmax_temperature, off)
    assert "largest difference is at t = " in out and "word = 3" in out
    # the reference against the definition: p ∝ p1^(1/T)
    z = np.random.default_rng(1).normal(size=(2, 7))
    p1 = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    want = p1**2 / (p1**2).sum(-1, keepdims=True)
    np.testing.assert_allclose(nb08.reference_softmax_temperature(z, 0.5), want, rtol=1e-12)


# ------------------------------------------------------------------ Exercise 2: cloze loss


def _cloze(
    z,
    y,
    *,
    over=None,
    grad_mask=True,
    softmax_term=True,
    sign=1.0,
    stable=True,
    sub=True,
    loss_mask=True,
):
    z = np.asarray(z, dtype=float)
    y = np.asarray(y)
    if not sub:
        y = np.where(y < 0, z.shape[-1] - 1, y)
    mask = y >= 0
    n = mask.sum() if over is None else over(y)
    zs = z - z.max(axis=-1, keepdims=True) if stable else z
    p = np.exp(zs) / np.exp(zs).sum(axis=-1, keepdims=True)
    safe = np.where(mask, y, 0)
    picked = np.log(np.take_along_axis(p, safe[..., None], -1)[..., 0])
    loss = -(picked * mask).sum() / n if loss_mask else -picked.sum() / n
    g = p.copy() if softmax_term else np.zeros_like(p)
    g[mask, y[mask]] -= 1.0
    if grad_mask:
        g *= mask[..., None]
    return {"loss": loss, "dlogits": sign * g / n}


@pytest.mark.parametrize(
    ("buggy", "hint"),
    [
        (lambda z, y: _cloze(z, y, over=np.size), H_C["all_positions"]),
        (lambda z, y: _cloze(z, y, over=lambda y: 1), H_C["sum"]),
        (lambda z, y: _cloze(z, y, sub=False), H_C["minus_one"]),
        (lambda z, y: _cloze(z, y, loss_mask=False), H_C["unmasked_loss"]),
        (lambda z, y: _cloze(z, y, grad_mask=False), H_C["unmasked_grad"]),
        (lambda z, y: _cloze(z, y, softmax_term=False), H_C["no_softmax"]),
        (lambda z, y: _cloze(z, y, sign=-1.0), H_C["sign"]),
        (lambda z, y: _cloze(z, y, stable=False), H_C["overflow"]),
    ],
)
def test_cloze_mistakes_get_their_hint(capsys, buggy, hint):
    out = _out(capsys, nb08.check_cloze_loss, buggy)
    assert "✘" in out and hint in out
    others = [h for h in H_C.values() if h != hint]
    assert not any(h in out for h in others), out


def test_cloze_reference_against_finite_differences_and_location(capsys):
    assert "✔" in _out(capsys, nb08.check_cloze_loss, nb08.reference_cloze_loss)
    (z, y), _ = nb08.CLOZE_CASES[0]
    grad = nb08.reference_cloze_loss(z, y)["dlogits"]
    numeric = gradcheck.numerical_gradient(
        lambda q: nb08.reference_cloze_loss(q["z"], y)["loss"], {"z": z}, keys=("z",)
    )
    assert gradcheck.rel_error({"z": grad}, numeric) < 1e-7
    mask = y >= 0  # the loss against its definition, one target at a time
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    want = -np.mean([np.log(p[t, b, y[t, b]]) for t, b in zip(*np.nonzero(mask), strict=True)])
    assert np.isclose(nb08.reference_cloze_loss(z, y)["loss"], want, rtol=1e-12)

    def off(z, y):  # no named mistake: the gradient of one word doubled
        out = nb08.reference_cloze_loss(z, y)
        out["dlogits"][..., 2] *= 2
        return out

    out = _out(capsys, nb08.check_cloze_loss, off)
    assert "dlogits" in out and "word = 2" in out and "largest difference is at t = " in out


# ------------------------------------------------------------------ Exercise 3: name units


def _unweighted(h, names):
    means = np.array([h[names == c].mean(0) for c in np.unique(names)])
    return means.var(0) / h.var(0)


def _unweighted_sum(h, names):
    mu = h.mean(0)
    between = sum((h[names == c].mean(0) - mu) ** 2 for c in np.unique(names))
    total = ((h - mu) ** 2).sum(0)
    return np.divide(between, total, out=np.zeros_like(total), where=total > 0)


def _names_0_to_4(h, names):
    mu = h.mean(0)
    between = sum(
        (names == c).sum() * (h[names == c].mean(0) - mu) ** 2
        for c in range(5)
        if np.any(names == c)
    )
    total = ((h - mu) ** 2).sum(0)
    return np.divide(between, total, out=np.zeros_like(total), where=total > 0)


def _no_guard(h, names):
    mu = h.mean(0)
    between = sum((names == c).sum() * (h[names == c].mean(0) - mu) ** 2 for c in np.unique(names))
    return between / ((h - mu) ** 2).sum(0)


def _f_ratio(h, names):
    mu = h.mean(0)
    between = sum((names == c).sum() * (h[names == c].mean(0) - mu) ** 2 for c in np.unique(names))
    within = sum(((h[names == c] - h[names == c].mean(0)) ** 2).sum(0) for c in np.unique(names))
    return between / within


def _per_story(h, names):
    return h.var(axis=1)


@pytest.mark.parametrize(
    ("buggy", "hint"),
    [
        (_unweighted, H_S["unweighted"]),
        (_unweighted_sum, H_S["unweighted"]),
        (_names_0_to_4, H_S["labels"]),
        (_no_guard, H_S["constant"]),
        (_f_ratio, H_S["within"]),
        (_per_story, H_S["range"]),
    ],
)
def test_selectivity_mistakes_get_their_hint(capsys, buggy, hint):
    out = _out(capsys, nb08.check_name_selectivity, buggy)
    assert "✘" in out and hint in out
    others = [h for h in H_S.values() if h != hint]
    assert not any(h in out for h in others), out


def test_selectivity_reference_and_location(capsys):
    assert "✔" in _out(capsys, nb08.check_name_selectivity, nb08.reference_name_selectivity)
    (h, names), _ = nb08.SELECTIVITY_CASES[0]
    # η² = 1 − (within-name variance) / (total variance), computed with np.var
    within = sum((names == c).sum() * h[names == c].var(0) for c in np.unique(names))
    want = 1.0 - within / (len(h) * h.var(0))
    np.testing.assert_allclose(nb08.reference_name_selectivity(h, names), want, rtol=1e-10)

    def off(h, names):  # no named mistake: one unit wrong
        e = nb08.reference_name_selectivity(h, names).copy()
        e[3] = 0.5 * e[3] + 0.1
        return e

    out = _out(capsys, nb08.check_name_selectivity, off)
    assert "unit = 3" in out


# ------------------------------------------------------------------ every checker


CHECKERS = [
    (nb08.check_softmax_temperature, nb08.reference_softmax_temperature),
    (nb08.check_cloze_loss, nb08.reference_cloze_loss),
    (nb08.check_name_selectivity, nb08.reference_name_selectivity),
]


@pytest.mark.parametrize(("checker", "reference"), CHECKERS, ids=lambda x: x.__name__)
def test_correct_is_returned_and_unfinished_gets_the_reference(checker, reference, capsys):
    assert checker(reference) is reference
    assert capsys.readouterr().out.startswith("✔")

    def todo(*args):
        raise NotImplementedError

    assert checker(todo) is not todo
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize(("checker", "reference"), CHECKERS, ids=lambda x: x.__name__)
def test_complex_or_nan_outputs_are_refused(checker, reference, capsys):
    def complex_out(*args):
        out = reference(*args)
        if isinstance(out, dict):
            return {k: np.asarray(v) + 1j for k, v in out.items()}
        return np.asarray(out) + 1j

    def nan_out(*args):
        out = reference(*args)
        if isinstance(out, dict):
            return {k: np.asarray(v) * np.nan for k, v in out.items()}
        return np.asarray(out) * np.nan

    for bad in (complex_out, nan_out):
        assert checker(bad) is not bad
        assert capsys.readouterr().out.startswith("✘")
