"""Numerical gradients by central differences, and the relative error used to compare them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from helpers._validate import as_float


def numerical_gradient(
    f: Callable[[dict[str, np.ndarray]], float],
    params: Mapping[str, np.ndarray],
    *,
    eps: float = 1e-6,
    keys: tuple[str, ...] | None = None,
) -> dict[str, np.ndarray]:
    """∂f/∂p for every entry of every array in ``params`` by central differences.

    ``f`` takes a parameter dict and returns a scalar. Each entry is nudged by ±``eps``
    in a copy of the dict (the caller's arrays are not modified). Cost: 2 calls of ``f``
    per entry, so keep the model small. ``keys`` restricts the check to some arrays.
    """
    step = as_float("eps", eps, positive=True)
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    work = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    out: dict[str, np.ndarray] = {}
    for key in keys or tuple(work):
        if key not in work:
            raise ValueError(f"keys names {key!r}, which is not in params ({list(work)})")
        arr = work[key]
        grad = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + step
            f_plus = float(f(work))
            arr[idx] = old - step
            f_minus = float(f(work))
            arr[idx] = old
            grad[idx] = (f_plus - f_minus) / (2 * step)
        out[key] = grad
    return out


def rel_error(a: np.ndarray | Mapping, b: np.ndarray | Mapping) -> float:
    """Relative error ‖a − b‖ / max(‖a‖ + ‖b‖, 1e-300), over all arrays when given dicts.

    0 for identical inputs; about 1e-8 or less for a correct float64 gradient checked
    with central differences; 1 when one side is zero and the other is not.
    """
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)):
            raise TypeError("rel_error compares two arrays or two dicts of arrays, not a mix")
        if set(a) != set(b):
            raise ValueError(
                f"rel_error: the dicts have different keys {sorted(a)} and {sorted(b)}"
            )
        va = np.concatenate([np.ravel(a[k]) for k in sorted(a)])
        vb = np.concatenate([np.ravel(b[k]) for k in sorted(a)])
    else:
        va, vb = np.ravel(np.asarray(a, dtype=float)), np.ravel(np.asarray(b, dtype=float))
        if va.shape != vb.shape:
            raise ValueError(f"rel_error: shapes differ, {np.shape(a)} vs {np.shape(b)}")
    num = float(np.linalg.norm(va - vb))
    den = float(np.linalg.norm(va) + np.linalg.norm(vb))
    return num / max(den, 1e-300)
