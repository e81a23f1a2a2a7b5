"""Gradient clipping on parameter dicts: by global norm (as PyTorch), per tensor, by value.

``clip_by_global_norm`` follows ``torch.nn.utils.clip_grad_norm_``: one L2 norm over every
array, ``coef = max_norm / (norm + 1e-6)`` clamped at 1, every array scaled by ``coef``;
it returns the norm before clipping. Unlike PyTorch it never modifies the caller's arrays.
Scaling every array by the same factor keeps the *direction* of the whole gradient.

For a stack of M models (every array with a leading model axis, see ``helpers.stacking``),
``stack_global_norms`` and ``clip_stack_by_global_norm`` give each model its own norm and
its own coefficient: model m is clipped exactly as a separate run of model m would be.

``clip_by_tensor_norm`` applies the same rule to each array on its own (what calling
``clip_grad_norm_`` once per parameter would do); ``clip_by_value`` clamps every entry
(``torch.nn.utils.clip_grad_value_``). Both can turn the gradient to a new direction.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from helpers._validate import as_array, as_float

Grads = Mapping[str, np.ndarray]

#: Added to the norm in the clipping coefficient, as in PyTorch.
EPS = 1e-6


class NonFiniteGradientError(FloatingPointError):
    """The gradient norm is NaN or infinite: clipping it would pass garbage on."""


def _checked(grads: object) -> dict[str, np.ndarray]:
    if not isinstance(grads, Mapping) or not grads:
        raise TypeError("grads must be a non-empty dict of arrays (name -> gradient)")
    return {k: as_array(f"grads[{k!r}]", v, finite=False) for k, v in grads.items()}


def _norm(arrays: list[np.ndarray]) -> float:
    """‖·‖₂ of all entries together, scaled by the largest entry so it cannot overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        biggest = max((float(np.max(np.abs(v))) if v.size else 0.0) for v in arrays)
    if not np.isfinite(biggest):
        return float("nan") if any(np.isnan(v).any() for v in arrays) else float("inf")
    if biggest == 0.0:
        return 0.0
    total = sum(float(np.sum(np.square(v / biggest))) for v in arrays)
    return biggest * float(np.sqrt(total))


def global_norm(grads: Grads) -> float:
    """‖g‖₂ over all arrays of the dict together (√ of the sum of every squared entry).

    Computed with scaling, so finite entries as large as 1e300 give their true (finite)
    norm; NaN anywhere gives NaN, an infinite entry gives inf.
    """
    return _norm(list(_checked(grads).values()))


def clip_coefficient(norm: float, max_norm: float) -> float:
    """PyTorch's factor ``min(1, max_norm / (norm + 1e-6))`` (1 means "not clipped")."""
    n = as_float("norm", norm, min_value=0.0)
    limit = as_float("max_norm", max_norm, positive=True)
    return min(1.0, limit / (n + EPS))


def _nonfinite(g: dict[str, np.ndarray], norm: float) -> NonFiniteGradientError:
    bad = [k for k, v in g.items() if not np.all(np.isfinite(v))]
    return NonFiniteGradientError(
        f"gradient norm is {norm}: non-finite values in {bad}; lower the learning rate "
        "or check the forward pass for overflow"
    )


def clip_by_global_norm(
    grads: Grads, max_norm: float, *, error_if_nonfinite: bool = True
) -> tuple[dict[str, np.ndarray], float]:
    """Rescale all gradients together when their global norm exceeds ``max_norm``.

    ``grads`` maps names to arrays of any shapes. Returns ``(clipped, norm_before)``;
    ``clipped`` holds new arrays with the same keys and shapes, all multiplied by
    ``min(1, max_norm / (norm_before + 1e-6))``. A NaN or infinite norm raises
    ``NonFiniteGradientError`` naming the offending arrays, unless
    ``error_if_nonfinite=False``, in which case the gradients are returned unscaled
    (copies) with the non-finite norm, for the caller to report.
    """
    limit = as_float("max_norm", max_norm, positive=True)
    g = _checked(grads)
    norm = _norm(list(g.values()))
    if not np.isfinite(norm):
        if error_if_nonfinite:
            raise _nonfinite(g, norm)
        return {k: v.copy() for k, v in g.items()}, norm
    coef = min(1.0, limit / (norm + EPS))
    return {k: v * coef for k, v in g.items()}, norm


def _stack_checked(grads: object) -> tuple[dict[str, np.ndarray], int]:
    g = _checked(grads)
    sizes = {v.shape[0] if v.ndim else 0 for v in g.values()}
    if len(sizes) != 1 or 0 in sizes:
        shapes = {k: v.shape for k, v in g.items()}
        raise ValueError(
            f"grads must be a stack: every array with the same leading axis M, got {shapes}"
        )
    return g, sizes.pop()


def stack_global_norms(grads: Grads) -> np.ndarray:
    """The global norm of each model of a stack, (M,): axis 0 of every array is the model.

    Entry m equals ``global_norm({k: v[m] for k, v in grads.items()})`` (the same scaling by
    the model's largest entry, so no overflow): NaN where model m has a NaN, inf where it
    has an infinite entry and no NaN.
    """
    g, M = _stack_checked(grads)
    rows = [v.reshape(M, -1) for v in g.values()]
    with np.errstate(over="ignore", invalid="ignore"):
        biggest = np.max([np.max(np.abs(r), axis=1, initial=0.0) for r in rows], axis=0)
        finite = np.isfinite(biggest)
        scale = np.where(finite & (biggest > 0), biggest, 1.0)[:, None]
        total = sum(np.sum(np.square(r / scale), axis=1) for r in rows)
        norms = biggest * np.sqrt(total)
    norms[biggest == 0.0] = 0.0
    has_nan = np.any([np.isnan(r).any(axis=1) for r in rows], axis=0)
    norms[~finite] = np.where(has_nan[~finite], np.nan, np.inf)
    return norms


def stack_max_norms(max_norm: float | np.ndarray, M: int) -> np.ndarray:
    """Thresholds (M,) from one float or one per model; ``np.inf`` means "not clipped"."""
    if np.ndim(max_norm) == 0:
        return np.full(M, as_float("max_norm", max_norm, positive=True))
    limits = as_array("max_norm", max_norm, shape=(M,), finite=False)
    if np.any(np.isnan(limits)) or np.any(limits <= 0):
        raise ValueError("max_norm must hold one threshold > 0 per model (np.inf: no clipping)")
    return limits


def clip_stack_by_global_norm(
    grads: Grads, max_norm: float | np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Clip each model of a stack by its *own* global norm: ``(clipped, norms (M,))``.

    Model m's arrays are multiplied by ``min(1, max_norm / (norms[m] + 1e-6))``, what
    ``clip_by_global_norm`` does in a separate run of model m. ``max_norm`` is one
    threshold for all or an array (M,) of thresholds, ``np.inf`` for a model that is not
    clipped (its arrays multiplied by exactly 1). A model whose norm is not finite is
    returned unscaled (as with ``error_if_nonfinite=False``); its norm says so.
    """
    g, M = _stack_checked(grads)
    limit = stack_max_norms(max_norm, M)
    norms = stack_global_norms(g)
    with np.errstate(invalid="ignore"):
        coef = np.where(np.isfinite(norms), np.minimum(1.0, limit / (norms + EPS)), 1.0)
    clipped = {k: v * coef.reshape(M, *(1,) * (v.ndim - 1)) for k, v in g.items()}
    return clipped, norms


def clip_by_tensor_norm(
    grads: Grads, max_norm: float
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Clip each array by its *own* norm (``clip_grad_norm_`` called once per parameter).

    Returns ``(clipped, norms_before)`` with one norm per key. Arrays with large norms
    shrink more than the others, so the direction of the whole gradient changes.
    A non-finite norm raises ``NonFiniteGradientError``.
    """
    limit = as_float("max_norm", max_norm, positive=True)
    g = _checked(grads)
    norms = {k: _norm([v]) for k, v in g.items()}
    if not all(np.isfinite(n) for n in norms.values()):
        raise _nonfinite(g, next(n for n in norms.values() if not np.isfinite(n)))
    return {k: v * min(1.0, limit / (norms[k] + EPS)) for k, v in g.items()}, norms


def clip_by_value(grads: Grads, clip_value: float) -> dict[str, np.ndarray]:
    """Clamp every entry into [−clip_value, clip_value] (``torch.nn.utils.clip_grad_value_``).

    Changes the direction of the gradient whenever some entries are clamped and others not.
    NaN entries raise ``NonFiniteGradientError`` (±inf are clamped like any large value).
    """
    limit = as_float("clip_value", clip_value, positive=True)
    g = _checked(grads)
    nan = [k for k, v in g.items() if np.isnan(v).any()]
    if nan:
        raise NonFiniteGradientError(f"NaN in gradients {nan}: clipping cannot repair them")
    return {k: np.clip(v, -limit, limit) for k, v in g.items()}


def angle_degrees(a: Grads, b: Grads) -> float:
    """The angle (degrees, 0–180) between two gradients given as dicts with the same keys."""
    ga, gb = _checked(a), _checked(b)
    if set(ga) != set(gb):
        raise ValueError(f"a and b must have the same keys, got {sorted(ga)} and {sorted(gb)}")
    va = np.concatenate([np.ravel(ga[k]) for k in sorted(ga)])
    vb = np.concatenate([np.ravel(gb[k]) for k in sorted(ga)])
    na, nb = _norm([va]), _norm([vb])
    if not (np.isfinite(na) and np.isfinite(nb)) or na == 0 or nb == 0:
        raise ValueError("angle_degrees needs two finite, non-zero gradients")
    cos = float(np.dot(va / na, vb / nb))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
