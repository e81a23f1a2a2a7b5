"""Exercises of notebook 04: global-norm clipping, and the angle value clipping makes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers import clip
from helpers.exercises.core import Hint, check, check_value


def _reference_global(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}


def _per_tensor(grads, max_norm):
    out = {}
    for k, g in grads.items():
        n = float(np.linalg.norm(g))
        out[k] = g * min(1.0, max_norm / n) if n > 0 else g
    return out


def _always_rescale(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    return {k: g * max_norm / norm for k, g in grads.items()}


def check_clip_global_norm(student: Callable) -> Callable:
    """Exercise 1: ``clip_global_norm(grads, max_norm) -> dict`` (one norm over all arrays)."""
    rng = np.random.default_rng(5)
    cases = [
        (({"W": np.array([[3.0, 0.0], [0.0, 4.0]]), "b": np.array([0.0])}, 1.0), {}),
        (({"W": rng.normal(size=(3, 4)), "b": rng.normal(size=3)}, 100.0), {}),
        (
            (
                {
                    "Wx": rng.normal(size=(4, 2)) * 10,
                    "Wh": rng.normal(size=(4, 4)),
                    "b": np.ones(4),
                },
                2.5,
            ),
            {},
        ),
    ]
    mistakes = [
        (
            _per_tensor,
            "you clipped each array by its own norm. That changes the direction of the "
            "update; global-norm clipping uses ONE norm over all arrays together.",
        ),
        (
            _always_rescale,
            "you rescaled a gradient that was already below the threshold: clip "
            "only when ‖g‖ > max_norm (that is the min(1, ε/‖g‖)).",
        ),
    ]
    hints = [
        Hint(
            lambda d: d.kind == "other",
            "the norm is √(Σ over every array of Σ of its squared entries).",
        )
    ]
    # the reference agrees with helpers.clip to 1e-6 relative (torch adds 1e-6 to the norm)
    _ = clip.clip_by_global_norm
    return check(
        "Exercise 1 (global-norm clipping)",
        student,
        _reference_global,
        cases,
        hints=hints,
        mistakes=mistakes,
    )


def value_clipping_angle() -> float:
    """Degrees between g = (3, 0.5) and its value-clipped version at 1: (1, 0.5)."""
    g = np.array([3.0, 0.5])
    c = np.clip(g, -1, 1)
    return float(np.degrees(np.arccos(g @ c / np.linalg.norm(g) / np.linalg.norm(c))))


def check_value_clipping_angle(answer: Callable[[], float]) -> bool:
    """Exercise 2: predict the angle (degrees) that value clipping at 1 turns g = (3, 0.5)."""
    return check_value(
        "Exercise 2 (angle after value clipping)",
        answer,
        value_clipping_angle(),
        rtol=0.05,
        explanation="atan(0.5/1) − atan(0.5/3) = 26.57° − 9.46°.",
    )
