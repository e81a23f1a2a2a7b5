"""Notebook 04's checkers diagnose: the reference passes, each catalogued mistake written as
a buggy solution gets its own hint back (and no other), an unnamed error is located."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import clip
from helpers.exercises import nb04


def _todo(*args, **kwargs):
    raise NotImplementedError


# -- Exercise 1: students' versions of clip_grad_norm, written independently -----------------


def torch_like(grads, max_norm, error_if_nonfinite=False):
    """What torch.nn.utils.clip_grad_norm_ computes, via the course's helper."""
    total = clip.global_norm(grads)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError("non-finite total norm")
    coef = clip.clip_coefficient(total, max_norm)
    return {k: g * coef for k, g in grads.items()}, total


def in_place(grads, max_norm, error_if_nonfinite=False):
    """Right numbers, but rescales the caller's arrays in place (as PyTorch does with .grad),
    which the exercise forbids."""
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    if error_if_nonfinite and not np.isfinite(total):
        raise ValueError("non-finite")
    for g in grads.values():
        g *= min(1.0, max_norm / (total + 1e-6))
    return grads, total


def per_tensor(grads, max_norm, error_if_nonfinite=False):
    out = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    return out, total


def always_rescale(grads, max_norm, error_if_nonfinite=False):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    return {k: g * (max_norm / (total + 1e-6)) for k, g in grads.items()}, total


def clipped_norm_returned(grads, max_norm, error_if_nonfinite=False):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    coef = min(1.0, max_norm / (total + 1e-6))
    return {k: g * coef for k, g in grads.items()}, total * coef


def no_eps(grads, max_norm, error_if_nonfinite=False):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    return {k: g * min(1.0, max_norm / total) for k, g in grads.items()}, total


def value_clip(grads, max_norm, error_if_nonfinite=False):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, total


def mean_squares(grads, max_norm, error_if_nonfinite=False):
    total = np.sqrt(sum(np.mean(g**2) for g in grads.values()))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    return {k: g * min(1.0, max_norm / (total + 1e-6)) for k, g in grads.items()}, total


def no_sqrt(grads, max_norm, error_if_nonfinite=False):
    total = sum(np.sum(g**2) for g in grads.values())
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    return {k: g * min(1.0, max_norm / (total + 1e-6)) for k, g in grads.items()}, total


def sum_of_norms(grads, max_norm, error_if_nonfinite=False):
    total = sum(np.linalg.norm(g) for g in grads.values())
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError
    return {k: g * min(1.0, max_norm / (total + 1e-6)) for k, g in grads.items()}, total


def ignores_the_flag(grads, max_norm, error_if_nonfinite=False):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    coef = min(1.0, max_norm / (total + 1e-6))
    return {k: g * coef for k, g in grads.items()}, total


def off_in_one_entry(grads, max_norm, error_if_nonfinite=False):
    out, total = torch_like(grads, max_norm, error_if_nonfinite)
    out["Wh"] = out["Wh"].copy()
    out["Wh"][2, 1] += 0.5
    return out, total


CLIP_BUGS = [
    (per_tensor, "ONE norm over all arrays"),
    (always_rescale, "already below max_norm"),
    (clipped_norm_returned, "norm AFTER clipping"),
    (no_eps, "total_norm + 1e-6"),
    (value_clip, "clip_grad_value_"),
    (mean_squares, "averaged the squares"),
    (no_sqrt, "square ROOT"),
    (ignores_the_flag, "must raise an error"),
    (sum_of_norms, "added up the norms"),
    (in_place, "in place"),
]

ALL_CLIP_HINTS = [text for _, text in nb04.CLIP_MISTAKES]


@pytest.mark.parametrize("solution", [torch_like, nb04.reference_clip_grad_norm])
def test_clip_reference_passes_and_is_returned(solution, capsys):
    result = nb04.check_clip_grad_norm(solution)
    out = capsys.readouterr().out
    assert out.startswith("✔"), out
    assert result is solution


def test_clip_unfinished_hands_back_the_reference(capsys):
    result = nb04.check_clip_grad_norm(_todo)
    assert "not implemented yet" in capsys.readouterr().out
    assert result is nb04.reference_clip_grad_norm


@pytest.mark.parametrize(("bug", "phrase"), CLIP_BUGS, ids=lambda x: getattr(x, "__name__", ""))
def test_each_clip_mistake_gets_its_own_hint(bug, phrase, capsys):
    result = nb04.check_clip_grad_norm(bug)
    out = capsys.readouterr().out
    assert out.startswith("✘") and phrase in out, out
    assert out.count("Hint:") - out.count("Hint: the last case") == 1, out  # only its own
    assert result is nb04.reference_clip_grad_norm
    assert "Traceback" not in out


def test_an_unnamed_clip_error_is_located(capsys):
    nb04.check_clip_grad_norm(off_in_one_entry)
    out = capsys.readouterr().out
    assert out.startswith("✘") and "unit = 2, unit before = 1" in out, out
    assert not any(text in out for text in ALL_CLIP_HINTS)


def test_clip_cases_are_not_degenerate():
    (grads, max_norm), _ = nb04._clip_cases()[0]
    shapes = {g.shape for g in grads.values()}
    assert len(shapes) == len(grads) and max(g.ndim for g in grads.values()) == 2
    norms = [np.linalg.norm(g) for g in grads.values()]
    assert min(norms) < max_norm < max(norms)  # per-tensor clipping differs from global


def test_reference_matches_torch_formula_independently():
    """clip_grad_norm_: coef = max_norm / (total + 1e-6), clamped at 1; by hand on a 3-4-5."""
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}
    out, total = nb04.reference_clip_grad_norm(grads, 1.0)
    assert total == 5.0
    np.testing.assert_allclose(out["a"], [3.0 / (5.0 + 1e-6), 0.0], rtol=1e-15)
    same, _ = nb04.reference_clip_grad_norm(grads, 10.0)
    assert np.array_equal(same["a"], grads["a"])
    with pytest.raises(RuntimeError):
        nb04.reference_clip_grad_norm({"a": np.array([np.nan])}, 1.0, error_if_nonfinite=True)


# -- Exercise 2: the largest turn of value clipping -------------------------------------------


def test_largest_turn_is_the_supremum_measured():
    """Independent check: g = (L, 1, …, 1) clipped at 1 turns by → arccos(1/√D)."""
    for D in (2, 3, 10, 100):
        g = np.ones(D)
        g[0] = 1e8
        c = np.clip(g, -1, 1)
        angle = np.degrees(np.arccos(g @ c / np.linalg.norm(g) / np.linalg.norm(c)))
        assert abs(angle - nb04.reference_largest_turn(D)) < 1e-4
        rng = np.random.default_rng(D)  # and no random gradient turns further
        gs = rng.standard_cauchy(size=(2000, D)) * 3
        cs = np.clip(gs, -1, 1)
        cos = np.sum(gs * cs, 1) / np.linalg.norm(gs, axis=1) / np.linalg.norm(cs, axis=1)
        assert np.degrees(np.arccos(np.clip(cos, -1, 1))).max() <= nb04.reference_largest_turn(D)
    assert abs(nb04.reference_largest_turn(2) - 45.0) < 1e-12


def test_largest_turn_passes(capsys):
    sol = lambda D: float(np.degrees(np.arctan(np.sqrt(D - 1))))  # noqa: E731
    assert nb04.check_largest_turn(sol) is sol
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize(
    ("bug", "phrase"),
    [
        (lambda D: float(np.arccos(D**-0.5)), "RADIANS"),
        (lambda D: 45.0, "45° is the answer in two dimensions"),
        (lambda D: float(np.degrees(np.arccos(1 / D))), "not D"),
        (lambda D: 90.0 - float(np.degrees(np.arccos(D**-0.5))), "complement"),
        (lambda D: float(np.degrees(np.arctan(np.sqrt(D - 2)))), "D − 1 entries"),
    ],
)
def test_each_turn_mistake_gets_its_own_hint(bug, phrase, capsys):
    nb04.check_largest_turn(bug)
    out = capsys.readouterr().out
    assert out.startswith("✘") and phrase in out and out.count("Hint:") == 1, out


def test_an_unnamed_turn_error_is_reported_with_its_values(capsys):
    nb04.check_largest_turn(lambda D: 60.0)
    out = capsys.readouterr().out
    assert out.startswith("✘") and "is 60, too small" in out and "Hint" not in out, out
    assert "71.5" not in out and "71.6" not in out, out  # the answer is not given away


# -- Exercise 3: the largest factor at which >= 7/8 seeds learn -------------------------------

REAL_LIKE = {  # the shape of §4's result: 0.5-5 x learn, 10 x finite but not learned
    None: np.full(8, np.inf),
    0.5: np.full(8, 0.05),
    1.0: np.full(8, 0.05),
    2.0: np.full(8, 0.04),
    5.0: np.array([0.03, 0.02, 0.06, 0.05, 0.05, 0.03, 0.03, 0.04]),
    10.0: np.array([2.4, 3.7, 4.3, 1.1, 14.6, 9.2, 5.2, 8.8]),
}


def largest_ok(test_mse):
    best = np.nan
    for f in sorted(k for k in test_mse if k is not None):
        if np.count_nonzero(np.asarray(test_mse[f]) < (1 / 6) / 2) >= 7:
            best = f
    return best


def test_largest_factor_passes(capsys):
    assert nb04.check_largest_factor(largest_ok, REAL_LIKE) is largest_ok
    assert capsys.readouterr().out.startswith("✔")
    assert nb04.reference_largest_factor(REAL_LIKE) == 5.0


def _keys(test_mse):
    return [k for k in test_mse if k is not None]


@pytest.mark.parametrize(
    ("bug", "phrase"),
    [
        (lambda r: max(f for f in _keys(r) if np.isfinite(r[f]).sum() >= 7), "did not diverge"),
        (lambda r: max(f for f in _keys(r) if (r[f] < 1 / 12).all()), "not all 8"),
        (lambda r: max(f for f in _keys(r) if (r[f] < 1 / 6).sum() >= 7), "HALF of it"),
        (lambda r: min(f for f in _keys(r) if (r[f] < 1 / 12).sum() >= 7), "smallest"),
        (lambda r: max(f for f in _keys(r) if np.median(r[f]) < 1 / 12), "median"),
        (lambda r: max(f for f in _keys(r) if np.mean(r[f]) < 1 / 12), "median or mean"),
    ],
)
def test_each_factor_mistake_gets_its_own_hint(bug, phrase, capsys):
    nb04.check_largest_factor(bug, REAL_LIKE)
    out = capsys.readouterr().out
    assert out.startswith("✘") and phrase in out and out.count("Hint:") == 1, out


def test_an_unnamed_factor_error_is_reported(capsys):
    nb04.check_largest_factor(lambda r: 2.0, REAL_LIKE)
    out = capsys.readouterr().out
    assert out.startswith("✘") and "is 2, too small" in out and "Hint" not in out, out
    assert "5" not in out.split("not yet right.")[1], out  # the answer is not given away
