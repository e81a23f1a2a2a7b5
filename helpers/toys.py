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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic σ(x) = 1 / (1 + e^(−x)), written with tanh so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def pascanu_loss(
    w: float | np.ndarray,
    b: float | np.ndarray,
    *,
    steps: int = 50,
    x0: float = 0.5,
    target: float = 0.7,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pascanu, Mikolov & Bengio (2013)'s single-unit RNN and its exact gradient.

    The recurrence x_t = w·σ(x_{t−1}) + b runs for ``steps`` steps from x_0 = ``x0``, with
    no input; the loss is E = (σ(x_steps) − target)². ``w`` and ``b`` broadcast against
    each other (e.g. two (400, 400) grids from ``np.meshgrid``, or scalars), so a whole
    grid is evaluated in one call. Returns ``(E, dE_dw, dE_db)``, float64 arrays of the
    broadcast shape (0-d for scalars).

    The gradient is exact, by forward-mode differentiation through every step:
    ∂x_t/∂w = σ(x_{t−1}) + w σ'(x_{t−1}) ∂x_{t−1}/∂w and
    ∂x_t/∂b = 1 + w σ'(x_{t−1}) ∂x_{t−1}/∂b, with ∂x_0/∂w = ∂x_0/∂b = 0. Near the cliffs
    these sums reach very large values; past float64's 1.8e308 they become ``inf``
    (no warning), which callers should report as overflow.
    """
    wa = as_array("w", w, dtype=np.float64)
    ba = as_array("b", b, dtype=np.float64)
    try:
        shape = np.broadcast_shapes(wa.shape, ba.shape)
    except ValueError:
        raise ValueError(
            f"w and b must broadcast together (same shape, or one a scalar), "
            f"got shapes {wa.shape} and {ba.shape}"
        ) from None
    n = as_int("steps", steps, min_value=1)
    start = as_float("x0", x0)
    goal = as_float("target", target)
    x = np.full(shape, start)
    dx_dw = np.zeros(shape)
    dx_db = np.zeros(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n):
            s = _sigmoid(x)
            gain = wa * (s * (1.0 - s))  # ∂x_t/∂x_{t−1} = w σ'(x_{t−1})
            dx_dw = s + gain * dx_dw
            dx_db = 1.0 + gain * dx_db
            x = wa * s + ba
        s = _sigmoid(x)
        err = s - goal
        dE_dx = 2.0 * err * s * (1.0 - s)
        return err * err, dE_dx * dx_dw, dE_dx * dx_db
