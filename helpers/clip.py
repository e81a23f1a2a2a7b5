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


def _parts(arrays: list[np.ndarray]) -> tuple[float, float]:
    """``(biggest, root)`` with ‖·‖₂ of all entries together = ``biggest * root``.

    ``biggest`` is the largest |entry| and ``root`` = ‖·/biggest‖₂ (between 1 and √n), so
    neither overflows even when the norm itself exceeds float64's range (1.8e308).
    NaN anywhere gives ``(nan, 1)``, an infinite entry ``(inf, 1)``, all zeros ``(0, 1)``.
    """
    if any(np.isnan(v).any() for v in arrays):
        return float("nan"), 1.0
    biggest = max((float(np.max(np.abs(v))) if v.size else 0.0) for v in arrays)
    if np.isinf(biggest) or biggest == 0.0:
        return biggest, 1.0
    with np.errstate(under="ignore"):  # tiny entries / biggest may be subnormal: harmless
        return biggest, float(np.sqrt(sum(float(np.sum(np.square(v / biggest))) for v in arrays)))


def _times(biggest: float, root: float) -> float:
    """``biggest * root``: inf when the product exceeds float64's range (no warning)."""
    with np.errstate(over="ignore"):
        return float(np.float64(biggest) * root)


def _norm(arrays: list[np.ndarray]) -> float:
    """‖·‖₂ of all entries together, scaled by the largest entry so it cannot overflow
    unless the norm itself exceeds float64's range (then inf)."""
    return _times(*_parts(arrays))


def global_norm(grads: Grads) -> float:
    """‖g‖₂ over all arrays of the dict together (√ of the sum of every squared entry).

    Computed with scaling, so finite entries as large as 1e300 give their true (finite)
    norm. NaN anywhere gives NaN and an infinite entry inf: the honest answer, which
    ``helpers.train.fit`` reads as "diverged"; a norm beyond float64's range (1.8e308,
    possible only with entries near 1e308) is inf too.
    """
    return _norm(list(_checked(grads).values()))


def clip_coefficient(norm: float, max_norm: float) -> float:
    """PyTorch's factor ``min(1, max_norm / (norm + 1e-6))`` (1 means "not clipped")."""
    n = as_float("norm", norm, min_value=0.0)
    limit = as_float("max_norm", max_norm, positive=True)
    return min(1.0, limit / (n + EPS))


def _nonfinite(g: dict[str, np.ndarray], norm: float) -> NonFiniteGradientError:
    bad = ", ".join(f"grads[{k!r}]" for k, v in g.items() if not np.all(np.isfinite(v)))
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
    ``min(1, max_norm / (norm_before + 1e-6))``. A NaN or infinite entry raises
    ``NonFiniteGradientError`` naming the offending arrays, unless
    ``error_if_nonfinite=False``, in which case the gradients are returned unscaled
    (copies) with the non-finite norm, for the caller to report.

    Finite gradients whose norm exceeds float64's range (1.8e308) are still clipped
    exactly: the norm is kept as (largest entry) × (norm of the entries divided by it).
    ``norm_before`` is then ``inf``, the only float that large.
    """
    limit = as_float("max_norm", max_norm, positive=True)
    if not isinstance(error_if_nonfinite, bool):
        raise TypeError(f"error_if_nonfinite must be True or False, got {error_if_nonfinite!r}")
    g = _checked(grads)
    biggest, root = _parts(list(g.values()))  # norm = biggest * root
    norm = _times(biggest, root)
    if not np.isfinite(biggest):  # a NaN or infinite entry
        if error_if_nonfinite:
            raise _nonfinite(g, norm)
        return {k: v.copy() for k, v in g.items()}, norm
    if np.isinf(norm):  # finite entries, norm > 1.8e308: scale by the largest entry first
        with np.errstate(under="ignore"):
            return {k: (v / biggest) * (limit / root) for k, v in g.items()}, norm
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
    biggest, root = _stack_parts(*_stack_checked(grads))
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return biggest * root


def _stack_parts(g: dict[str, np.ndarray], M: int) -> tuple[np.ndarray, np.ndarray]:
    """``_parts`` for each model of a stack: ``(biggest (M,), root (M,))``."""
    rows = [v.reshape(M, -1) for v in g.values()]
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        biggest = np.max([np.max(np.abs(r), axis=1, initial=0.0) for r in rows], axis=0)
        finite = np.isfinite(biggest)
        scale = np.where(finite & (biggest > 0), biggest, 1.0)[:, None]
        root = np.sqrt(sum(np.sum(np.square(r / scale), axis=1) for r in rows))
    root[~finite | (biggest == 0.0)] = 1.0
    has_nan = np.any([np.isnan(r).any(axis=1) for r in rows], axis=0)
    biggest[has_nan] = np.nan
    return biggest, root


def _stack_max_norms(max_norm: float | np.ndarray, M: int, name: str = "max_norm") -> np.ndarray:
    """Thresholds (M,) from one float or one per model; ``np.inf`` means "not clipped".

    ``name`` is the argument as the caller of the public function wrote it.
    """
    if np.ndim(max_norm) == 0:
        return np.full(M, as_float(name, max_norm, positive=True))
    limits = as_array(name, max_norm, shape=(M,), finite=False)
    if np.any(np.isnan(limits)) or np.any(limits <= 0):
        raise ValueError(f"{name} must hold one threshold > 0 per model (np.inf: no clipping)")
    return limits


def clip_stack_by_global_norm(
    grads: Grads, max_norm: float | np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Clip each model of a stack by its *own* global norm: ``(clipped, norms (M,))``.

    Model m's arrays are multiplied by ``min(1, max_norm / (norms[m] + 1e-6))``, what
    ``clip_by_global_norm`` does in a separate run of model m. ``max_norm`` is one
    threshold for all or an array (M,) of thresholds, ``np.inf`` for a model that is not
    clipped (its arrays multiplied by exactly 1). A model whose norm is not finite is
    returned unscaled (as with ``error_if_nonfinite=False``); its norm says so. A model
    with finite entries whose norm exceeds float64's range is clipped exactly (its norm
    is reported as inf), as ``clip_by_global_norm`` does.
    """
    g, M = _stack_checked(grads)
    limit = _stack_max_norms(max_norm, M)
    biggest, root = _stack_parts(g, M)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        norms = biggest * root
        coef = np.where(np.isfinite(norms), np.minimum(1.0, limit / (norms + EPS)), 1.0)
        clipped = {k: v * coef.reshape(M, *(1,) * (v.ndim - 1)) for k, v in g.items()}
        for m in np.flatnonzero(np.isfinite(biggest) & np.isinf(norms)):
            for k, v in g.items():  # norm > 1.8e308: scale by the largest entry first
                clipped[k][m] = (v[m] / biggest[m]) * (limit[m] / root[m])
    return clipped, norms


def clip_by_tensor_norm(
    grads: Grads, max_norm: float
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Clip each array by its *own* norm (``clip_grad_norm_`` called once per parameter).

    Returns ``(clipped, norms_before)`` with one norm per key. Arrays with large norms
    shrink more than the others, so the direction of the whole gradient changes.
    A NaN or infinite entry raises ``NonFiniteGradientError``.
    A norm beyond float64's range (finite entries) is clipped exactly and reported as inf.
    """
    limit = as_float("max_norm", max_norm, positive=True)
    g = _checked(grads)
    parts = {k: _parts([v]) for k, v in g.items()}
    norms = {k: _times(*p) for k, p in parts.items()}
    if not all(np.isfinite(p[0]) for p in parts.values()):
        raise _nonfinite(g, next(n for n in norms.values() if not np.isfinite(n)))
    with np.errstate(under="ignore"):
        return {
            k: (v / parts[k][0]) * (limit / parts[k][1])
            if np.isinf(norms[k])
            else v * min(1.0, limit / (norms[k] + EPS))
            for k, v in g.items()
        }, norms


def clip_by_value(grads: Grads, clip_value: float) -> dict[str, np.ndarray]:
    """Clamp every entry into [−clip_value, clip_value] (``torch.nn.utils.clip_grad_value_``).

    Changes the direction of the gradient whenever some entries are clamped and others not.
    NaN entries raise ``NonFiniteGradientError`` (±inf are clamped like any large value).
    """
    limit = as_float("clip_value", clip_value, positive=True)
    g = _checked(grads)
    nan = ", ".join(f"grads[{k!r}]" for k, v in g.items() if np.isnan(v).any())
    if nan:
        raise NonFiniteGradientError(f"NaN in {nan}: clipping cannot repair them")
    return {k: np.clip(v, -limit, limit) for k, v in g.items()}


def angle_degrees(a: Grads, b: Grads) -> float:
    """The angle (degrees, 0–180) between two gradients given as dicts with the same keys."""
    if not isinstance(a, Mapping) or not a:
        raise TypeError("a must be a non-empty dict of arrays (name -> gradient)")
    if not isinstance(b, Mapping) or not b:
        raise TypeError("b must be a non-empty dict of arrays (name -> gradient)")
    if set(a) != set(b):
        raise ValueError(f"a and b must have the same keys, got {sorted(a)} and {sorted(b)}")
    keys = sorted(a)
    ga = {k: as_array(f"a[{k!r}]", a[k]) for k in keys}
    gb = {k: as_array(f"b[{k!r}]", b[k], shape=ga[k].shape) for k in keys}
    va = np.concatenate([np.ravel(ga[k]) for k in keys])
    vb = np.concatenate([np.ravel(gb[k]) for k in keys])
    for name, v in (("a", va), ("b", vb)):
        if not np.any(v):
            raise ValueError(f"{name} is zero (or empty): the angle needs two non-zero gradients")
    na, nb = _norm([va]), _norm([vb])
    if not (np.isfinite(na) and np.isfinite(nb)):  # norms beyond 1.8e308: scale first
        va, vb = va / np.max(np.abs(va)), vb / np.max(np.abs(vb))
        na, nb = _norm([va]), _norm([vb])
    cos = float(np.dot(va / na, vb / nb))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
