"""Scalar toys of vanishing and exploding gradients (notebooks 02 and 04).

``linear_gain``: the linear RNN h_t = α h_{t-1} + x_t, where ∂h_t/∂x_0 = α^t.
``power``: the toy y = w^n of Hung-yi Lee's lecture, with n = 1000 by default.
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, as_float, as_int


def linear_gain(alpha: float, horizon: int) -> np.ndarray:
    """α^t for t = 0..horizon, shape (horizon + 1,): ∂h_t/∂x_0 of h_t = α h_{t-1} + x_t.

    Overflow past float64's 1.8e308 gives ``inf`` (not a warning), underflow below
    about 5e-324 gives exactly 0: the figures show these honestly.
    """
    a = as_float("alpha", alpha)
    n = as_int("horizon", horizon, min_value=0)
    with np.errstate(over="ignore", under="ignore"):
        return np.power(a, np.arange(n + 1, dtype=np.float64))


def power(w: float | np.ndarray, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """y = w^n and its exact derivative dy/dw = n w^(n-1); broadcasts over arrays of w.

    Returns float64 arrays (0-d for a scalar ``w``); overflow gives ``inf``.
    """
    wa = as_array("w", w, dtype=np.float64)
    k = as_int("n", n, min_value=1)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        y = np.power(wa, k)
        dy = k * np.power(wa, k - 1)
    return y, dy
