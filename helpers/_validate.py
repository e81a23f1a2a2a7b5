"""Argument checks shared by every helper: clear errors that name the argument."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping

import numpy as np


def as_array(
    name: str,
    value: object,
    *,
    ndim: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    dtype: np.dtype | type | None = None,
    finite: bool = True,
) -> np.ndarray:
    """Return ``value`` as a float ndarray, or raise naming ``name``.

    ``shape`` may hold ``None`` for "any size" in that axis; ``finite`` rejects NaN and inf.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers ({exc})") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        want = f"shape {_fmt(shape)}" if shape is not None else f"{ndim} dimensions"
        raise ValueError(f"{name} must have {want}, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(
            w is not None and w != g for w, g in zip(shape, arr.shape, strict=False)
        ):
            raise ValueError(f"{name} must have shape {_fmt(shape)}, got {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")
    return arr


def _fmt(shape: tuple[int | None, ...]) -> str:
    return (
        "("
        + ", ".join("any" if s is None else str(s) for s in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


#: The largest count (steps, sizes, samples) any helper accepts unless it says otherwise:
#: beyond it a loop would run for hours or an allocation exhaust memory, so refuse at once.
COUNT_LIMIT = 10_000_000


def as_int(
    name: str, value: object, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    """Return ``value`` as an int (rejecting bools, floats with a fraction, NaN).

    Without ``max_value`` the count must be at most ``COUNT_LIMIT`` (10⁷).
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, numbers.Real)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        if not np.isfinite(value) or float(value) != int(value):
            raise TypeError(f"{name} must be an integer, got {value!r}")
    out = int(value)
    if min_value is not None and out < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {out}")
    if max_value is not None and out > max_value:
        raise ValueError(f"{name} must be <= {max_value}, got {out}")
    if max_value is None and out > COUNT_LIMIT:
        shown = f"{value:.3g}" if isinstance(value, float) else str(out)
        raise ValueError(
            f"{name} must be <= {COUNT_LIMIT:,} (a larger count would run for hours or "
            f"exhaust memory), got {shown}"
        )
    return out


def as_float(
    name: str,
    value: object,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    positive: bool = False,
) -> float:
    """Return ``value`` as a finite float, checking an optional range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    if positive and out <= 0:
        raise ValueError(f"{name} must be > 0, got {out}")
    if min_value is not None and out < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {out}")
    if max_value is not None and out > max_value:
        raise ValueError(f"{name} must be <= {max_value}, got {out}")
    return out


def as_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    options = tuple(choices)
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return str(value)


def check_params(
    name: str, params: object, expected: Mapping[str, tuple[int, ...]]
) -> dict[str, np.ndarray]:
    """Check a parameter dict has exactly the expected keys and shapes (finite values)."""
    if not isinstance(params, Mapping):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in expected if k not in params]
    if missing:
        raise ValueError(f"{name} is missing key(s) {missing}; expected keys {list(expected)}")
    return {k: as_array(f"{name}[{k!r}]", params[k], shape=shape) for k, shape in expected.items()}


def as_real_array(name: str, value: object, *, allow_inf: bool = False) -> np.ndarray:
    """``value`` as a float ndarray of real numbers (any shape, a scalar gives shape ()).

    Unlike ``as_array`` it refuses booleans (``True`` is not a number here); NaN is always
    refused, ±inf only unless ``allow_inf`` (for functions defined at ±inf, e.g. σ).
    """
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, np.ndarray) and value.dtype == np.bool_
    ):
        raise TypeError(f"{name} must be an array of real numbers, got booleans")
    arr = as_array(name, value, finite=False)
    if np.isnan(arr).any() or (not allow_inf and np.isinf(arr).any()):
        what = "NaN" if allow_inf else "NaN or infinite"
        bad = int(np.count_nonzero(np.isnan(arr) if allow_inf else ~np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} {what} value(s)")
    return arr


def as_float_dtype(name: str, value: object) -> np.dtype:
    """``value`` as ``np.dtype('float32')`` or ``np.dtype('float64')``, the only dtypes the
    helpers compute in (integer weights would be all zeros, complex ones meaningless)."""
    if value is None or isinstance(value, (bool, numbers.Number)):
        raise TypeError(f"{name} must be np.float32 or np.float64, got {value!r}")
    try:
        dt = np.dtype(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be np.float32 or np.float64, got {value!r}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dt}")
    return dt


#: The most entries one array a helper allocates may hold (5·10⁷: 400 MB of float64):
#: a larger request would exhaust memory or take minutes, so it is refused at once.
ARRAY_LIMIT = 50_000_000


def check_size(name: str, shape: tuple[int, ...], *, limit: int = ARRAY_LIMIT) -> None:
    """Refuse, naming ``name``, an array of ``shape`` with more than ``limit`` entries."""
    n = math.prod(int(s) for s in shape)
    if n > limit:
        raise ValueError(
            f"{name} is too large: it needs an array of shape {tuple(shape)} ({n:.3g} entries, "
            f"{8 * n / 1e9:.3g} GB as float64); at most {limit:,} entries"
        )


def as_real_values(name: str, value: object, **kwargs: object) -> np.ndarray:
    """``as_array`` (same keywords) that also refuses booleans: ``True`` is not a number.

    Returns float64 unless ``dtype`` says otherwise (float32 input is promoted, so the
    computation never silently runs in single precision).
    """
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, np.ndarray) and value.dtype == np.bool_
    ):
        raise TypeError(f"{name} must be a real number or array of them, got a bool")
    kwargs.setdefault("dtype", np.float64)
    arr = as_array(name, value, **kwargs)  # type: ignore[arg-type]
    if not isinstance(value, np.ndarray) and np.asarray(value).dtype == np.bool_:
        raise TypeError(f"{name} must be real numbers, got booleans")
    return arr


def as_str_list(name: str, value: object, *, allow_empty: bool = True) -> list[str]:
    """``value`` as a list of strings (a list or tuple of str; a bare str is refused, since
    iterating it would give its letters)."""
    if isinstance(value, str):
        raise TypeError(f"{name} must be a list of words, got the str {value!r} (use .split())")
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of str, got {type(value).__name__}")
    bad = [w for w in value if not isinstance(w, str)]
    if bad:
        raise TypeError(f"{name} must hold only str, got {bad[:3]!r}")
    if not allow_empty and not value:
        raise ValueError(f"{name} must not be empty")
    return list(value)


def as_int_list(
    name: str, value: object, *, min_value: int | None = None, max_value: int | None = None
) -> list[int]:
    """``value`` as a list of ints (a list, tuple or 1-d integer array), each in range."""
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(f"{name} must be 1-d, got shape {value.shape}")
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of integers, got {type(value).__name__}")
    return [
        as_int(f"{name}[{i}]", v, min_value=min_value, max_value=max_value)
        for i, v in enumerate(value)
    ]


#: The most numbers one array of a helper may hold unless it says otherwise (10⁸ float64 is
#: 800 MB): counts each within ``COUNT_LIMIT`` can still multiply to petabytes.
SIZE_LIMIT = 100_000_000


def check_product(names: str, *dims: int, limit: int = SIZE_LIMIT) -> None:
    """Refuse, naming ``names`` (e.g. ``"n × length"``), sizes whose product exceeds
    ``limit``: the array they would allocate could not fit in memory."""
    total = 1
    for d in dims:
        total *= int(d)
    if total > limit:
        raise ValueError(
            f"{names} must give at most {limit:,} numbers in one array (a larger one "
            f"would exhaust memory), got {total:.3g}"
        )
