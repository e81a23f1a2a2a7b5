"""Exercises of notebook 02: predict α^t; the central difference and its step size."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.exercises.core import Hint, check, check_value


def check_predict_099_1000(answer: Callable[[], float]) -> bool:
    """Exercise 1: predict 0.99^1000 (within 10 %) before computing it."""
    return check_value(
        "Exercise 1 (0.99^1000)",
        answer,
        0.99**1000,
        rtol=0.1,
        explanation="Use 0.99^1000 = exp(1000 ln 0.99) ≈ exp(−10.05).",
    )


def _reference_central(f, w, dw):
    return (f(w + dw) - f(w - dw)) / (2 * dw)


def _forward_difference(f, w, dw):
    return (f(w + dw) - f(w)) / dw


def check_central_difference(student: Callable) -> Callable:
    """Exercise 2: ``central_difference(f, w, dw)`` ≈ f'(w) with error O(dw²)."""
    cases = [
        ((lambda w: w**3, 1.5, 1e-3), {}),
        ((np.sin, 0.3, 1e-2), {}),
        ((lambda w: w**1000, 1.0, 1e-4), {}),
        ((np.exp, -2.0, 0.5), {}),
    ]
    hints = [
        Hint(
            lambda d: d.kind == "factor" and abs(d.factor - 2) < 0.01,
            "twice too large: divide by 2·Δw, the distance between w − Δw and w + Δw.",
        ),
        Hint(
            lambda d: d.kind == "factor" and abs(d.factor - 0.5) < 0.01,
            "half the right value: divide by 2·Δw, not by 4·Δw.",
        ),
    ]
    mistakes = [
        (
            _forward_difference,
            "this is the forward difference (f(w+Δw) − f(w))/Δw; the "
            "central one evaluates at w − Δw and w + Δw and has error O(Δw²).",
        )
    ]
    return check(
        "Exercise 2 (central difference)",
        student,
        _reference_central,
        cases,
        hints=hints,
        mistakes=mistakes,
    )
