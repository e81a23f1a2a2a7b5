"""Stacks of models: M independently initialised models (one per seed) as one batch.

A *stack* is a parameter dict whose every array has a leading model axis M: model m is
``{k: v[m] for k, v in params.items()}``. The cells (``helpers.rnn``, ``.lstm``, ``.gru``),
``helpers.train``, ``helpers.clip`` and ``helpers.optim`` accept stacks and run the M models
as one batch of stacked matrix products (``np.matmul`` broadcasts over the leading axis),
each model computing what a separate run with its own parameters computes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from helpers._validate import as_array, as_int


def rngs(seeds: Sequence[int]) -> list[np.random.Generator]:
    """``[np.random.default_rng(s) for s in seeds]``, checking ``seeds`` (distinct ints >= 0)."""
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence | np.ndarray):
        raise TypeError(f"seeds must be a list of ints, got {type(seeds).__name__}")
    values = [as_int(f"seeds[{i}]", s, min_value=0) for i, s in enumerate(seeds)]
    if not values:
        raise ValueError("seeds must hold at least one seed")
    if len(set(values)) != len(values):
        raise ValueError(f"seeds must be distinct, got {values}")
    return [np.random.default_rng(s) for s in values]


def stack(models: Sequence[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Parameter dicts with the same keys and shapes → one dict with a leading model axis."""
    if isinstance(models, Mapping) or not isinstance(models, Sequence) or not models:
        raise TypeError("models must be a non-empty list of parameter dicts")
    for i, m in enumerate(models):
        if not isinstance(m, Mapping):
            raise TypeError(f"models[{i}] must be a parameter dict, got {type(m).__name__}")
    keys = list(models[0])
    for i, m in enumerate(models):
        if list(m) != keys:
            raise ValueError(f"models[{i}] must have the keys {keys} of models[0]")
    out = {}
    for k in keys:
        arrays = [as_array(f"models[{i}][{k!r}]", m[k]) for i, m in enumerate(models)]
        if any(a.shape != arrays[0].shape for a in arrays):
            raise ValueError(f"every models[i][{k!r}] must have the same shape")
        out[k] = np.stack(arrays)
    return out


def unstack(params: Mapping[str, np.ndarray], m: int) -> dict[str, np.ndarray]:
    """Model ``m`` of a stack: every array's slice ``[m]`` (copies)."""
    if not isinstance(params, Mapping) or not params:
        raise TypeError("params must be a non-empty dict of stacked arrays")
    sizes = {np.shape(v)[0] if np.ndim(v) else 0 for v in params.values()}
    if len(sizes) != 1 or 0 in sizes:
        raise ValueError("params must be a stack: every array with the same leading axis M")
    i = as_int("m", m, min_value=0, max_value=sizes.pop() - 1)
    return {k: np.array(v[i]) for k, v in params.items()}


def _inputs(name: str, xs: object, lead: tuple[int, ...], D: int, dtype: np.dtype) -> np.ndarray:
    """``xs`` as (T, B, D), or (M, T, B, D) when ``lead == (M,)``; T, B >= 1. Used by the cells."""
    arr = as_array(name, xs, dtype=dtype)
    if arr.ndim == 4 and lead:
        want: tuple[int | None, ...] = (*lead, None, None, D)
    else:
        want = (None, None, D)
    what = "(T, B, D) or (M, T, B, D)" if lead else "(T, B, D)"
    if arr.ndim != len(want) or any(
        w is not None and w != g for w, g in zip(want, arr.shape, strict=True)
    ):
        raise ValueError(
            f"{name} must have shape {what} with D = {D}"
            + (f", M = {lead[0]}" if lead else "")
            + f", got {arr.shape} (D is the input size of params['Wx']; if {name} is"
            + " right, params['Wx'] has the wrong number of columns)"
        )
    if arr.shape[-3] == 0 or arr.shape[-2] == 0:
        raise ValueError(
            f"{name} must have at least one time step and one sequence, got shape {arr.shape}"
        )
    return arr


def _initial_state(
    name: str, value: object, lead: tuple[int, ...], B: int, H: int, dtype: np.dtype
) -> np.ndarray:
    """A start state (*lead, B, H) from ``value`` of that shape or (H,). Used by the cells."""
    arr = as_array(name, value, dtype=dtype)
    if arr.shape == (H,):
        return np.broadcast_to(arr, (*lead, B, H)).copy()
    if arr.shape != (*lead, B, H):
        raise ValueError(f"{name} must have shape {(*lead, B, H)} or (H,), got {arr.shape}")
    return arr


#: Bytes of per-model work arrays that one vectorised pass may touch (about the CPU's L2).
CHUNK_BYTES = 512 * 1024


def _chunks(M: int, bytes_per_model: int) -> list[slice]:
    """Slices of the model axis whose work arrays fit in ``CHUNK_BYTES`` (at least 1 model).

    The cells compute their per-step factors vectorised over time; over a whole stack those
    arrays outgrow the CPU's cache and the passes become memory-bound, so they go chunk by
    chunk (the arithmetic, element by element, is the same).
    """
    per = max(1, CHUNK_BYTES // max(1, int(bytes_per_model)))
    return [slice(i, min(i + per, M)) for i in range(0, M, per)]
