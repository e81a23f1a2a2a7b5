"""Scalar toys of vanishing and exploding gradients (notebooks 02 and 04).

``linear_gain``: the linear RNN h_t = α h_{t-1} + x_t (t = 1, 2, …, from h_0), where
∂h_t/∂x_k = α^(t−k) depends only on the lag t − k (and ∂h_t/∂h_0 = α^t).
``power``: the toy y = w^n of Hung-yi Lee's lecture, with n = 1000 by default.
``pascanu_loss``, ``pascanu_descent``: the single-unit RNN of Pascanu, Mikolov & Bengio (2013),
whose error surface has a cliff, and gradient descent on it with and without clipping.
"""

from __future__ import annotations

import math

import numpy as np

from helpers._validate import as_float, as_int, as_real_values

#: The most recurrence steps ``pascanu_loss`` runs (Pascanu et al. use 50): more would take
#: minutes on a grid. ``pascanu_descent`` also caps ``n_steps`` × ``steps`` (its pure-Python
#: loop does about 10⁷ unit steps in a few seconds).
PASCANU_STEPS_LIMIT = 10_000
PASCANU_WORK_LIMIT = 10_000_000


def linear_gain(alpha: float, horizon: int) -> np.ndarray:
    """α^ℓ for the lags ℓ = 0..horizon, shape (horizon + 1,): the gain ∂h_t/∂x_{t−ℓ} of
    h_t = α h_{t-1} + x_t over ℓ steps (also ∂h_ℓ/∂h_0).

    Overflow past float64's 1.8e308 gives ``inf`` (not a warning), underflow below
    about 5e-324 gives exactly 0: the figures show these honestly.
    """
    a = as_float("alpha", alpha)
    n = as_int("horizon", horizon, min_value=0)
    with np.errstate(over="ignore", under="ignore"):
        return np.power(a, np.arange(n + 1, dtype=np.float64))


def power(w: float | np.ndarray, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """y = w^n and its exact derivative dy/dw = n w^(n-1); broadcasts over arrays of w.

    Returns float64 arrays (0-d for a scalar ``w``); overflow past float64's 1.8e308 gives
    ``inf`` (documented, not a warning: the figures show it), so a large |w| or ``n`` returns
    ``inf`` honestly. ``w`` must be real numbers (not bools); float32 is computed in float64.
    """
    wa = as_real_values("w", w)
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

    ``steps`` is at most ``PASCANU_STEPS_LIMIT`` (10⁴); ``target`` must lie in [0, 1], the
    range of σ.
    """
    wa = as_real_values("w", w)
    ba = as_real_values("b", b)
    try:
        shape = np.broadcast_shapes(wa.shape, ba.shape)
    except ValueError:
        raise ValueError(
            f"w and b must broadcast together (same shape, or one a scalar), "
            f"got shapes {wa.shape} and {ba.shape}"
        ) from None
    n = as_int("steps", steps, min_value=1, max_value=PASCANU_STEPS_LIMIT)
    start = as_float("x0", x0)
    goal = as_float("target", target, min_value=0.0, max_value=1.0)
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


def _pascanu_scalar(w: float, b: float, steps: int, x0: float, target: float) -> tuple[float, ...]:
    """``pascanu_loss`` for one (w, b) in plain Python floats: ~20× faster than NumPy on 0-d."""
    x, dw, db = x0, 0.0, 0.0
    for _ in range(steps):
        s = 0.5 * (1.0 + math.tanh(0.5 * x))
        gain = w * s * (1.0 - s)
        dw = s + gain * dw
        db = 1.0 + gain * db
        x = w * s + b
    s = 0.5 * (1.0 + math.tanh(0.5 * x))
    err = s - target
    dE_dx = 2.0 * err * s * (1.0 - s)
    return err * err, dE_dx * dw, dE_dx * db


def pascanu_descent(
    w0: float,
    b0: float,
    *,
    lr: float,
    n_steps: int = 100,
    threshold: float | None = None,
    steps: int = 50,
    x0: float = 0.5,
    target: float = 0.7,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient descent on ``pascanu_loss`` from (w0, b0), optionally with norm clipping.

    Each step: g = (∂E/∂w, ∂E/∂b); if ``threshold`` is given, g ← g·min(1, threshold /
    (‖g‖ + 1e-6)) (``helpers.clip.clip_by_global_norm``'s rule); then (w, b) ← (w, b) − lr·g.
    Returns ``path`` (k + 1, 2) of the points (w, b) visited, ``grad_norm`` (k,) of ‖g‖
    before clipping and ``clipped`` (k,) bool, where k = ``n_steps`` unless a gradient
    overflowed to a non-finite value, which ends the run early (k < n_steps).
    ``n_steps`` × ``steps`` is at most ``PASCANU_WORK_LIMIT`` (10⁷ unit steps).
    """
    w, b = as_float("w0", w0), as_float("b0", b0)
    rate = as_float("lr", lr, positive=True)
    k = as_int("n_steps", n_steps, min_value=0)
    limit = None if threshold is None else as_float("threshold", threshold, positive=True)
    n = as_int("steps", steps, min_value=1, max_value=PASCANU_STEPS_LIMIT)
    if k * n > PASCANU_WORK_LIMIT:
        raise ValueError(
            f"n_steps × steps must be <= {PASCANU_WORK_LIMIT:,} (a longer run would take "
            f"minutes), got n_steps = {k:,} and steps = {n:,}"
        )
    start = as_float("x0", x0)
    goal = as_float("target", target, min_value=0.0, max_value=1.0)
    path, norms, clipped = [(w, b)], [], []
    for _ in range(k):
        _, gw, gb = _pascanu_scalar(w, b, n, start, goal)
        norm = math.hypot(gw, gb)
        if not math.isfinite(norm):
            break
        coef = 1.0 if limit is None else min(1.0, limit / (norm + 1e-6))
        w, b = w - rate * coef * gw, b - rate * coef * gb
        if not (math.isfinite(w) and math.isfinite(b)):
            break
        path.append((w, b))
        norms.append(norm)
        clipped.append(coef < 1.0)
    return np.array(path), np.array(norms), np.array(clipped, dtype=bool)
