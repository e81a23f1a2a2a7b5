"""Exercises of notebook 08: the smallest truncation that reaches the name, and sampling
with a temperature."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.exercises.core import Hint, check, check_value


def check_smallest_k(answer: Callable[[], int], measured: int) -> bool:
    """Exercise 1: the smallest truncation k whose gradient reaches the decisive word.

    ``measured`` is found in the notebook by running truncated BPTT for k = 0, 1, 2, …
    """
    return check_value(
        "Exercise 1 (the smallest truncation)",
        answer,
        float(measured),
        rtol=0.0,
        explanation="The blank's step is d − 1 steps after the decisive word, so k = d − 1.",
    )


def reference_softmax_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) along the last axis, stable for large logits."""
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _times_temperature(logits, temperature):
    return reference_softmax_temperature(np.asarray(logits) * temperature**2, temperature)


def check_softmax_temperature(student: Callable) -> Callable:
    """Exercise 2: ``softmax_temperature(logits, temperature) -> probabilities``."""
    cases = [
        ((np.array([2.0, 1.0, 0.0]), 1.0), {}),
        ((np.array([2.0, 1.0, 0.0]), 0.5), {}),
        ((np.array([[1.0, 3.0, -1.0, 0.5], [0.0, 0.0, 0.0, 0.0]]), 2.0), {}),
        ((np.array([1000.0, 999.0, 990.0]), 1.0), {}),
    ]
    mistakes = [
        (
            _times_temperature,
            "divide the logits by the temperature: a low T sharpens the distribution, a high T "
            "flattens it.",
        )
    ]
    hints = [
        Hint(
            lambda d: d.kind == "nan",
            "exp(1000) overflows: subtract the largest logit before exponentiating "
            "(softmax does not change when every logit moves by the same amount).",
        ),
        Hint(
            lambda d: d.kind == "factor",
            "the probabilities must sum to 1 along the last axis: divide by the sum over it.",
        ),
    ]
    return check(
        "Exercise 2 (softmax with temperature)",
        student,
        reference_softmax_temperature,
        cases,
        hints=hints,
        mistakes=mistakes,
    )
