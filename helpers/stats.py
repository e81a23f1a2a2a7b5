"""Small statistics for the course's evidence: success rates over seeds with their interval.

The course's standard (AUTHORING.md, "Evidence"): a claim that a model learns or fails, that
a remedy helps, or that one method beats another rests on >= 8 seeds, reported as a success
rate with its count and a 95 % binomial interval, or as a median with the 10–90 % range.

``wilson_interval`` is the Wilson (1927) score interval: the proportions p for which
|k/n − p| ≤ z √(p(1 − p)/n), z the normal quantile. Unlike the textbook k/n ± z√(…), it
never leaves [0, 1] and does not collapse to a point at 0/n or n/n (0/8 gives 0–0.32);
Newcombe (1998) recommends it for small n.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from helpers._validate import as_array, as_float, as_int


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval ``(lo, hi)`` for ``k`` successes out of ``n`` trials."""
    trials = as_int("n", n, min_value=1)
    wins = as_int("k", k, min_value=0, max_value=trials)
    level = as_float("confidence", confidence, min_value=0.5)
    if level >= 1.0:
        raise ValueError(f"confidence must be < 1, got {level}")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    p = wins / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    if wins == 0:
        lo = 0.0
    if wins == trials:
        hi = 1.0
    return float(lo), float(hi)


def rate(successes: np.ndarray, confidence: float = 0.95) -> tuple[int, int, float, float]:
    """``(k, n, lo, hi)`` from a boolean array of outcomes (one per seed)."""
    arr = np.asarray(successes)
    if arr.dtype != bool or arr.ndim != 1 or arr.size == 0:
        raise TypeError(f"successes must be a non-empty 1-d bool array, got {arr!r}")
    k, n = int(arr.sum()), int(arr.size)
    return (k, n, *wilson_interval(k, n, confidence))


def rate_text(k: int, n: int, confidence: float = 0.95) -> str:
    """``"7/8 (0.53–0.98)"``: the count and its Wilson interval, for tables and prints."""
    lo, hi = wilson_interval(k, n, confidence)
    return f"{k}/{n} ({lo:.2f}–{hi:.2f})"


def median_range(values: np.ndarray, axis: int | None = None) -> tuple[np.ndarray, ...]:
    """``(median, 10th percentile, 90th percentile)`` of ``values`` (over ``axis``).

    Linear interpolation between order statistics (NumPy's default). ``±inf`` is allowed
    and kept (a diverged run's loss is ``inf``, and a median over runs that are half
    diverged is then ``inf``, not a finite value); NaN is refused, because dropping it
    would silently report the surviving runs only: record a diverged run as ``np.inf``.
    """
    arr = as_array("values", values, finite=False)
    if arr.size == 0:
        raise ValueError("values must not be empty")
    if np.isnan(arr).any():
        raise ValueError(
            f"values contains {int(np.isnan(arr).sum())} NaN: record a diverged run as np.inf "
            "(or leave it out and say so), so that the median does not silently skip it"
        )
    if axis is not None:
        axis = as_int("axis", axis, min_value=-arr.ndim, max_value=arr.ndim - 1)
    with np.errstate(invalid="ignore"):
        q = np.percentile(arr, [10, 50, 90], axis=axis)
    if np.isnan(q).any():  # inf − inf inside an interpolation: both neighbours are that inf
        q = np.where(np.isnan(q), np.percentile(arr, [10, 50, 90], axis=axis, method="higher"), q)
    lo, med, hi = q
    return med, lo, hi
