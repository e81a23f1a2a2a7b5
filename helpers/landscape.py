"""The loss surface of the toy y = w^n (notebook 02): plateaus, a cliff, and descent on it.

``power_loss``: C(w) = (w^n − ŷ)² and its exact derivative 2 (w^n − ŷ) n w^(n−1).
``descend``: plain gradient descent with a fixed learning rate, stopped honestly when a
step leaves float64's range. ``difference_errors``: the error of forward and central
finite differences of w^n against the exact derivative, for a sweep of step sizes.
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, as_choice, as_float, as_int
from helpers.toys import power


def power_loss(
    w: float | np.ndarray, n: int = 1000, target: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """``(C, dC/dw)`` for C(w) = (w^n − target)², broadcasting over an array ``w``.

    The minimum C = 0 sits at w* = target^(1/n) (for target > 0). Overflow gives ``inf``.
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
    ``True``. ``"w"[i]`` is the point before step i + 1.
    """
    w = as_float("w0", w0)
    eta = as_float("lr", lr, positive=True)
    k = as_int("steps", steps, min_value=0)
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
    """
    x = as_float("w", w)
    d = as_array("steps", steps)
    if np.any(d <= 0):
        raise ValueError("steps must all be > 0")
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
        return np.abs(approx - exact) / abs(exact)
