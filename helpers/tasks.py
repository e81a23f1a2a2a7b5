"""Data for the course's training experiments.

``adding_problem``: the long-lag benchmark in the form of Le, Jaitly & Hinton (2015) and most
code since (values U[0, 1], two marked positions, target = their sum).
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_int


def adding_problem(n: int, length: int, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem, time-major.

    Returns ``xs`` (length, n, 2) — channel 0 values drawn from U[0, 1], channel 1 a marker
    with exactly two ones, the first in the first half of the sequence and the second in
    the second half — and ``ys`` (n,), the sum of the two marked values. Always predicting
    1 (the mean of the target) scores MSE 1/6 ≈ 0.1667, the baseline to beat; the answer
    needs the first marked value carried over at least ``length // 2`` steps (on average 3/4).
    """
    count = as_int("n", n, min_value=1)
    T = as_int("length", length, min_value=2)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(T, count))
    first = rng.integers(0, half, size=count)
    second = rng.integers(half, T, size=count)
    marks = np.zeros((T, count))
    cols = np.arange(count)
    marks[first, cols] = 1.0
    marks[second, cols] = 1.0
    xs = np.stack([values, marks], axis=-1)
    ys = values[first, cols] + values[second, cols]
    return xs, ys
