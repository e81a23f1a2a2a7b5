"""Exercises of notebook 04: clipping with PyTorch's semantics, how far value clipping can
turn a gradient, and the threshold experiment of §4 read as a verdict.

Each checker runs the student's function on non-degenerate cases against a reference and
recognises the mistakes students really make (``mistakes=``), each with its own hint.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from helpers.exercises.core import Hint, check

# -- Exercise 1: clip_grad_norm with torch.nn.utils.clip_grad_norm_'s semantics -------------

#: PyTorch adds this to the total norm in the clipping coefficient.
EPS = 1e-6


def _total(grads: Mapping[str, np.ndarray]) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))


def _raise_if_nonfinite(total: float, error_if_nonfinite: bool) -> None:
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"the total norm is {total}: the gradients cannot be clipped")


def reference_clip_grad_norm(grads, max_norm, error_if_nonfinite=False):
    """``(clipped, total_norm)``: one L2 norm over every array; every array multiplied by
    ``min(1, max_norm / (total_norm + 1e-6))``; ``total_norm`` is the norm BEFORE clipping;
    a non-finite total raises when ``error_if_nonfinite`` (``clip_grad_norm_``)."""
    total = _total(grads)
    _raise_if_nonfinite(total, error_if_nonfinite)
    coef = min(1.0, max_norm / (total + EPS))
    return {k: g * coef for k, g in grads.items()}, total


def _per_tensor(grads, max_norm, error_if_nonfinite=False):
    _raise_if_nonfinite(_total(grads), error_if_nonfinite)
    out = {}
    for k, g in grads.items():
        n = float(np.linalg.norm(g))
        out[k] = g * min(1.0, max_norm / (n + EPS))
    return out, _total(grads)


def _always_rescale(grads, max_norm, error_if_nonfinite=False):
    total = _total(grads)
    _raise_if_nonfinite(total, error_if_nonfinite)
    return {k: g * max_norm / (total + EPS) for k, g in grads.items()}, total


def _returns_clipped_norm(grads, max_norm, error_if_nonfinite=False):
    clipped, _ = reference_clip_grad_norm(grads, max_norm, error_if_nonfinite)
    return clipped, _total(clipped)


def _no_eps(grads, max_norm, error_if_nonfinite=False):
    total = _total(grads)
    _raise_if_nonfinite(total, error_if_nonfinite)
    return {k: g * min(1.0, max_norm / total) for k, g in grads.items()}, total


def _value_clipping(grads, max_norm, error_if_nonfinite=False):
    total = _total(grads)
    _raise_if_nonfinite(total, error_if_nonfinite)
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, total


def _norm_of_means(grads, max_norm, error_if_nonfinite=False):
    _raise_if_nonfinite(_total(grads), error_if_nonfinite)
    total = float(np.sqrt(sum(float(np.mean(np.square(g))) for g in grads.values())))
    return {k: g * min(1.0, max_norm / (total + EPS)) for k, g in grads.items()}, total


def _no_sqrt(grads, max_norm, error_if_nonfinite=False):
    _raise_if_nonfinite(_total(grads), error_if_nonfinite)
    total = _total(grads) ** 2
    return {k: g * min(1.0, max_norm / (total + EPS)) for k, g in grads.items()}, total


def _sum_of_norms(grads, max_norm, error_if_nonfinite=False):
    total = float(sum(float(np.linalg.norm(g)) for g in grads.values()))
    _raise_if_nonfinite(total, error_if_nonfinite)
    return {k: g * min(1.0, max_norm / (total + EPS)) for k, g in grads.items()}, total


def _in_place(grads, max_norm, error_if_nonfinite=False):
    total = _total(grads)
    _raise_if_nonfinite(total, error_if_nonfinite)
    for g in grads.values():
        g *= min(1.0, max_norm / (total + EPS))
    return grads, total


def _never_raises(grads, max_norm, error_if_nonfinite=False):
    with np.errstate(all="ignore"):
        return reference_clip_grad_norm(grads, max_norm, False)


def _observed(fn: Callable) -> Callable:
    """What the checker compares: ``{"clipped", "total_norm", "caller_untouched"}`` (the last
    1.0 when the caller's dict and arrays are unchanged after the call, else 0.0), or
    ``{"raised"}`` (1.0 if ``fn`` raised, else 0.0) on a case with
    ``error_if_nonfinite=True``. ``fn`` gets a deep copy of the gradients, so a function
    that works in place cannot change the case."""

    def run(grads, max_norm, error_if_nonfinite=False):
        mine = copy.deepcopy(grads)
        if error_if_nonfinite:
            try:
                with np.errstate(all="ignore"):
                    fn(mine, max_norm, error_if_nonfinite=True)
            except NotImplementedError:
                raise
            except Exception:
                return {"raised": 1.0}
            return {"raised": 0.0}
        out = fn(mine, max_norm, error_if_nonfinite=False)
        if isinstance(out, (tuple, list)) and len(out) == 2:
            untouched = mine.keys() == grads.keys() and all(
                np.array_equal(mine[k], grads[k]) for k in grads
            )
            return {"clipped": out[0], "total_norm": out[1], "caller_untouched": float(untouched)}
        return out

    return run


def _clip_cases() -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    rng = np.random.default_rng(5)

    def grads(scale: float) -> dict[str, np.ndarray]:  # H = 4, D = 3, O = 2: distinct sizes
        return {
            "Wx": rng.normal(size=(4, 3)) * scale,
            "Wh": rng.normal(size=(4, 4)) * scale * 3,
            "b": rng.normal(size=4) * scale * 0.5,
            "Wy": rng.normal(size=(2, 4)) * scale * 10,
        }

    nonfinite = {"Wx": rng.normal(size=(4, 3)), "Wh": np.array([[1.0, np.inf], [0.0, 1.0]])}
    return [
        ((grads(1.0), 2.0), {}),  # clipped: total ≈ 30
        ((grads(1.0), 1e3), {}),  # below the threshold: unchanged
        ((grads(1e-4), 1e-4), {}),  # tiny gradients, where PyTorch's 1e-6 shows
        ((nonfinite, 1.0), {"error_if_nonfinite": True}),
    ]


CLIP_MISTAKES = [
    (
        _per_tensor,
        "you clipped each array by its own norm. That turns the direction of the update; "
        "clip_grad_norm_ uses ONE norm over all arrays together.",
    ),
    (
        _always_rescale,
        "you rescaled a gradient that was already below max_norm: the coefficient "
        "max_norm / (total + 1e-6) is clamped at 1.",
    ),
    (
        _returns_clipped_norm,
        "you returned the norm AFTER clipping; clip_grad_norm_ returns the total norm "
        "before clipping (that is the number worth logging).",
    ),
    (
        _no_eps,
        "you divided by the total norm alone: PyTorch divides by total_norm + 1e-6 (it "
        "shows when the gradients are tiny).",
    ),
    (
        _value_clipping,
        "you clamped every entry into [−max_norm, max_norm]: that is clip_grad_value_, "
        "not norm clipping.",
    ),
    (
        _norm_of_means,
        "you averaged the squares inside each array: the norm is √(Σ over arrays of the "
        "SUM of squared entries).",
    ),
    (_no_sqrt, "the total norm is the square ROOT of the sum of squares."),
    (
        _sum_of_norms,
        "you added up the norms of the arrays. The total norm is the norm of all entries "
        "together: √(Σ over arrays of ‖g_k‖²), which is smaller than Σ ‖g_k‖.",
    ),
    (
        _in_place,
        "you rescaled the caller's arrays in place (as torch's clip_grad_norm_ does with "
        ".grad); the exercise asks for new arrays, leaving the caller's gradients unchanged.",
    ),
    (
        _never_raises,
        "with error_if_nonfinite=True, a NaN or infinite total norm must raise an error "
        "(clip_grad_norm_ raises a RuntimeError), not be passed on.",
    ),
]

_CLIP_AXES = {
    "Wx": ("unit", "input"),
    "Wh": ("unit", "unit before"),
    "b": ("unit",),
    "Wy": ("output", "unit"),
}


def check_clip_grad_norm(student: Callable) -> Callable:
    """Exercise 1: ``clip_grad_norm(grads, max_norm, error_if_nonfinite=False)`` returns
    ``(clipped, total_norm)`` as ``torch.nn.utils.clip_grad_norm_`` computes them."""
    hints = [
        Hint(
            lambda d: d.leaf == "output['raised']",
            "the last case has an infinite entry and error_if_nonfinite=True.",
        )
    ]
    observed = _observed(student)
    result = check(
        "Exercise 1 (clip_grad_norm)",
        observed,
        _observed(reference_clip_grad_norm),
        _clip_cases(),
        hints=hints,
        mistakes=[(_observed(fn), text) for fn, text in CLIP_MISTAKES],
        axis_names=_CLIP_AXES,
    )
    return student if result is observed else reference_clip_grad_norm


# -- Exercise 2: how far can value clipping turn a gradient? --------------------------------


def reference_largest_turn(D: int) -> float:
    """The supremum, in degrees, of the angle between a D-dimensional g and clip(g, −c, c):
    arccos(1/√D), approached by g = (L, c, …, c) as L → ∞ (clip(g) = (c, …, c))."""
    return float(np.degrees(np.arccos(1.0 / np.sqrt(D))))


def _radians(D):
    return float(np.arccos(1.0 / np.sqrt(D)))


def _always_45(D):
    return 45.0


def _no_root(D):
    return float(np.degrees(np.arccos(1.0 / D)))


def _one_entry_short(D):
    return float(np.degrees(np.arccos(1.0 / np.sqrt(D - 1))))


def _complement(D):
    return float(np.degrees(np.arcsin(1.0 / np.sqrt(D))))


TURN_MISTAKES = [
    (_radians, "that is the right angle in RADIANS: the question asks for degrees."),
    (
        _always_45,
        "45° is the answer in two dimensions. In D dimensions more entries can sit at the "
        "threshold: try g = (L, 1, …, 1) with L large.",
    ),
    (
        _no_root,
        "cos θ = g·c / (‖g‖ ‖c‖), and ‖(1, …, 1)‖ = √D, not D.",
    ),
    (
        _complement,
        "you have the complement: the angle between g ≈ (L, 0, …, 0) and c = (1, …, 1) has "
        "cosine 1/√D.",
    ),
    (
        _one_entry_short,
        "you counted D − 1 entries: the clamped entry stays in the clipped vector, so "
        "clip(g) = (c, …, c) has all D entries and norm c√D.",
    ),
]


def check_largest_turn(student: Callable) -> Callable:
    """Exercise 2: ``largest_turn(D)``, in degrees, for D = 10, 3, 2, 1000 (the first case
    not 3, where the answer with D − 1 entries coincides with the two-dimensional 45°)."""
    cases = [((D,), {}) for D in (10, 3, 2, 1000)]
    return check(
        "Exercise 2 (the largest turn of value clipping)",
        student,
        reference_largest_turn,
        cases,
        mistakes=TURN_MISTAKES,
    )


# -- Exercise 3: the threshold experiment, read as a verdict --------------------------------

#: Always predicting 1 scores MSE 1/6 on the adding problem; a run learns below half of it.
BASELINE = 1 / 6
NEEDED = 7


def reference_largest_factor(test_mse: Mapping[Any, np.ndarray]) -> float:
    """The largest factor f (a key other than None) at which at least 7 of the runs
    ``test_mse[f]`` learned (test MSE < 1/12); NaN when no factor qualifies."""
    ok = [f for f, v in test_mse.items() if f is not None and np.sum(v < BASELINE / 2) >= NEEDED]
    return float(max(ok)) if ok else float("nan")


def _counts_not_diverged(test_mse):
    ok = [f for f, v in test_mse.items() if f is not None and np.sum(np.isfinite(v)) >= NEEDED]
    return float(max(ok)) if ok else float("nan")


def _all_eight(test_mse):
    ok = [f for f, v in test_mse.items() if f is not None and np.all(v < BASELINE / 2)]
    return float(max(ok)) if ok else float("nan")


def _baseline_as_criterion(test_mse):
    ok = [f for f, v in test_mse.items() if f is not None and np.sum(v < BASELINE) >= NEEDED]
    return float(max(ok)) if ok else float("nan")


def _smallest(test_mse):
    ok = [f for f, v in test_mse.items() if f is not None and np.sum(v < BASELINE / 2) >= NEEDED]
    return float(min(ok)) if ok else float("nan")


def _median_criterion(test_mse):
    ok = [f for f, v in test_mse.items() if f is not None and np.median(v) < BASELINE / 2]
    return float(max(ok)) if ok else float("nan")


FACTOR_MISTAKES = [
    (
        _counts_not_diverged,
        "you counted the runs that did not diverge. Not diverging is not learning: a run "
        "learns when its test MSE is below 1/12, half the baseline 1/6.",
    ),
    (_all_eight, "the question asks for at least 7 of the 8 seeds, not all 8."),
    (
        _baseline_as_criterion,
        "MSE below the baseline 1/6 is not learning yet: success is below HALF of it, 1/12.",
    ),
    (_smallest, "that is the smallest factor that works; the question asks for the largest."),
    (
        _median_criterion,
        "you looked at an average (median or mean) of the test MSEs; the question asks for "
        "a count of seeds that learned (at least 7 of 8).",
    ),
]


def factor_cases(real: Mapping[Any, np.ndarray]) -> list:
    """The real experiment first, then two made-up ones where every mistake shows."""
    inf = np.inf
    made_up_1 = {
        None: np.full(8, inf),
        0.5: np.array([0.02, 0.03, 0.05, 0.04, 0.06, 0.03, 0.12, 0.04]),  # 7/8
        1.0: np.array([0.02, 0.03, 0.05, 0.04, 0.06, 0.03, 0.02, 0.04]),  # 8/8
        1.5: np.array([0.02, 0.03, 0.05, 0.30, 0.06, 0.03, 0.02, 0.04]),  # 7/8: the answer
        3.0: np.array([0.02, 0.09, 0.05, 0.04, 0.10, 0.03, 0.02, 0.04]),  # 6/8, median < 1/12
        4.0: np.array([0.12, 0.15, 0.13, 0.11, 0.14, 0.12, 0.16, 0.15]),  # < 1/6, not < 1/12
        8.0: np.array([3.0, 5.0, 0.9, 2.0, 7.0, 1.0, 4.0, 0.5]),  # finite, not learned
    }
    made_up_2 = {
        None: np.array([inf, inf, 0.04, inf, inf, inf, inf, inf]),
        0.25: np.array([0.20, 0.30, 0.25, 0.03, 0.04, 0.22, 0.21, 0.30]),  # 2/8
        2.0: np.array([0.03, 0.04, 0.05, 0.06, 0.07, 0.02, 0.03, 0.20]),  # 7/8
        6.0: np.array([0.03, 0.04, 0.05, 0.06, 0.07, 0.02, 0.03, 0.01]),  # 8/8
        12.0: np.array([0.03, 0.04, 0.05, 0.10, 0.12, 0.02, 0.14, 0.15]),  # 4/8, median ≥ 1/12
        20.0: np.array([0.03, inf, inf, inf, inf, inf, inf, 0.3]),  # 1/8, diverged
    }
    return [((dict(real),), {}), ((made_up_1,), {}), ((made_up_2,), {})]


def check_largest_factor(student: Callable, real: Mapping[Any, np.ndarray]) -> Callable:
    """Exercise 3: ``largest_factor(test_mse)`` on the experiment's runs ``real`` (factor or
    None → test MSE of each seed, (8,)) and on two made-up experiments."""
    return check(
        "Exercise 3 (the largest threshold that works)",
        student,
        reference_largest_factor,
        factor_cases(real),
        mistakes=FACTOR_MISTAKES,
    )
