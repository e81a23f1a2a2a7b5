"""The loss surface of the toy y = w^n (notebook 02): plateaus, a cliff, and descent on it.

``power_loss``: C(w) = (w^n − ŷ)² and its exact derivative 2 (w^n − ŷ) n w^(n−1).
``descend``: plain gradient descent with a fixed learning rate, stopped honestly when a
step leaves float64's range. ``difference_errors``: the error of forward and central
finite differences of w^n against the exact derivative, for a sweep of step sizes.
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_choice, as_float, as_int, as_real_values
from helpers.toys import power

#: The most steps ``descend`` takes (about 10 µs each: 10⁶ steps is ten seconds).
DESCEND_STEPS_LIMIT = 1_000_000


def power_loss(
    w: float | np.ndarray, n: int = 1000, target: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """``(C, dC/dw)`` for C(w) = (w^n − target)², broadcasting over an array ``w``.

    The minimum C = 0 sits at w* = target^(1/n) (for target > 0). Overflow past float64's
    1.8e308 (a large |w|, or a huge ``target``) gives ``inf``, documented, not a warning.
    """
    y, dy = power(w, n)
    yhat = as_float("target", target)
    with np.errstate(over="ignore", invalid="ignore"):
        r = y - yhat
        return r * r, 2.0 * r * dy


def descend(
    w0: float, *, lr: float, steps: int, n: int = 1000, target: float = 0.5
) -> dict[str, np.ndarray]:
    """Gradient descent w ← w − lr · dC/dw on ``power_loss`` from ``w0``.

    Returns arrays ``"w"``, ``"loss"``, ``"grad"`` of shape (k + 1,), where k ≤ ``steps`` is
    the number of steps taken: it stops early when w, the loss or the gradient stops being
    finite (a jump off the cliff overflows float64); ``"stopped"`` is then the 0-d array
    ``True``. ``"w"[i]`` is the point before step i + 1. ``"stopped"`` is the flag for the
    non-finite values such a run ends on (the last loss or gradient is ``inf``, or NaN after
    a step to ``w = ±inf``). ``steps`` is at most ``DESCEND_STEPS_LIMIT`` (10⁶).
    """
    w = as_float("w0", w0)
    eta = as_float("lr", lr, positive=True)
    k = as_int("steps", steps, min_value=0, max_value=DESCEND_STEPS_LIMIT)
    as_int("n", n, min_value=1)
    ws, losses, grads = [], [], []
    stopped = False
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(k + 1):
            c, g = power_loss(w, n, target)
            ws.append(w)
            losses.append(float(c))
            grads.append(float(g))
            if not (np.isfinite(c) and np.isfinite(g)):
                stopped = True
                break
            if i == k:
                break
            w = float(w - eta * g)
            if not np.isfinite(w):
                stopped = True
                ws.append(w)
                losses.append(float("nan"))
                grads.append(float("nan"))
                break
    return {
        "w": np.array(ws),
        "loss": np.array(losses),
        "grad": np.array(grads),
        "stopped": np.array(stopped),
    }


def difference_errors(
    w: float, steps: np.ndarray, n: int = 1000, *, kind: str = "forward"
) -> np.ndarray:
    """|Δy/Δw − dy/dw| / |dy/dw| for y = w^n, one per step size in ``steps`` (any shape).

    ``kind="forward"``: ((w + Δ)^n − w^n)/Δ, truncation error ≈ ½ Δ |y''|;
    ``kind="central"``: ((w + Δ)^n − (w − Δ)^n)/(2Δ), truncation error ≈ Δ² |y'''| / 6.
    Both suffer round-off when Δ is small: w ± Δ is rounded to float64, an error of about ε w
    (ε = 2.2e-16) that changes y by about |y'| ε w, so the quotient is off by about
    ε |y'| w / Δ (absolute), a relative error of about ε w / Δ (rounding y itself adds only
    ε |y| / Δ, n times less for y = w^n).

    ``steps`` are computed in float64 whatever their dtype (float32 steps are promoted); a
    step so large that (w + Δ)^n overflows float64 is refused by name.
    """
    x = as_float("w", w)
    d = as_real_values("steps", steps)
    if np.any(d <= 0):
        raise ValueError(f"steps must all be > 0, got min {d.min():g}")
    how = as_choice("kind", kind, ("forward", "central"))
    k = as_int("n", n, min_value=1)
    _, exact = power(x, k)
    if exact == 0 or not np.isfinite(exact):
        raise ValueError(f"dy/dw at w = {x} is {float(exact)}: no relative error can be formed")
    with np.errstate(over="ignore", invalid="ignore"):
        if how == "forward":
            approx = (power(x + d, k)[0] - power(x, k)[0]) / d
        else:
            approx = (power(x + d, k)[0] - power(x - d, k)[0]) / (2 * d)
        err = np.abs(approx - exact) / abs(exact)
    if not np.all(np.isfinite(err)):
        worst = float(d.reshape(-1)[np.flatnonzero(~np.isfinite(err.reshape(-1)))[0]])
        raise ValueError(
            f"steps: the difference quotient overflows float64 for the step {worst:g} "
            f"((w ± step)^n beyond 1.8e308 at w = {x}, n = {k}); use smaller steps"
        )
    return err
