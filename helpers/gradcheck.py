"""Numerical gradients by central differences, and the relative error used to compare them."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping

import numpy as np

from helpers._validate import as_array, as_float


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
    Raises ``ValueError`` if ``f`` returns NaN or inf at a nudged point (naming the entry).
    """
    if not callable(f):
        raise TypeError(f"f must be a function of the parameter dict, got {type(f).__name__}")
    # a finite-difference step above 1 is never what a gradient check means
    step = as_float("eps", eps, positive=True, max_value=1.0)
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    work = {k: np.array(as_array(f"params[{k!r}]", v), dtype=np.float64) for k, v in params.items()}
    if keys is not None and (isinstance(keys, str) or not isinstance(keys, (tuple, list))):
        raise TypeError(f"keys must be a tuple of parameter names, got {type(keys).__name__}")
    out: dict[str, np.ndarray] = {}
    for key in keys or tuple(work):
        if key not in work:
            raise ValueError(f"keys names {key!r}, which is not in params ({list(work)})")
        arr = work[key]
        grad = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + step
            f_plus = _scalar(f(work), key, idx)
            arr[idx] = old - step
            f_minus = _scalar(f(work), key, idx)
            arr[idx] = old
            grad[idx] = (f_plus - f_minus) / (2 * step)
        out[key] = grad
    return out


def _scalar(value: object, key: str, idx: tuple[int, ...]) -> float:
    """``f``'s value as a finite float, or an error naming the nudged entry."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(
            f"f must return one real number (the loss); it returned {type(value).__name__}"
            + (f" of shape {value.shape}" if isinstance(value, np.ndarray) else "")
        )
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(
            f"f returned {number} with params[{key!r}]{list(idx)} nudged: a central difference "
            "needs finite values (is eps too large, or does the loss overflow?)"
        )
    return number


def rel_error(a: np.ndarray | Mapping, b: np.ndarray | Mapping) -> float:
    """Relative error ‖a − b‖ / max(‖a‖ + ‖b‖, 1e-300), over all arrays when given dicts.

    0 for identical inputs; about 1e-8 or less for a correct float64 gradient checked
    with central differences; 1 when one side is zero and the other is not. The two sides
    must have the same shape (key by key for dicts) and finite entries.
    """
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)):
            raise TypeError("rel_error compares two arrays or two dicts of arrays, not a mix")
        if set(a) != set(b):
            raise ValueError(
                f"rel_error: the dicts have different keys {sorted(a)} and {sorted(b)}"
            )
        pairs = [_same_shape(f"a[{k!r}]", a[k], f"b[{k!r}]", b[k]) for k in sorted(a, key=repr)]
        va = np.concatenate([np.ravel(x) for x, _ in pairs]) if pairs else np.zeros(0)
        vb = np.concatenate([np.ravel(y) for _, y in pairs]) if pairs else np.zeros(0)
    else:
        x, y = _same_shape("a", a, "b", b)
        va, vb = np.ravel(x), np.ravel(y)
    with np.errstate(over="ignore"):
        num = float(np.linalg.norm(va - vb))
        den = float(np.linalg.norm(va) + np.linalg.norm(vb))
    if not np.isfinite(num) or not np.isfinite(den):  # entries near 1e308: rescale first
        scale = max(float(np.max(np.abs(va), initial=0.0)), float(np.max(np.abs(vb), initial=0.0)))
        return rel_error(va / scale, vb / scale)
    return num / max(den, 1e-300)


def _same_shape(name_a: str, a: object, name_b: str, b: object) -> tuple[np.ndarray, np.ndarray]:
    x, y = as_array(name_a, a), as_array(name_b, b)
    if x.shape != y.shape:
        raise ValueError(
            f"rel_error: shapes differ, {name_a} is {x.shape} and {name_b} is {y.shape}"
        )
    return x, y
