"""Gradient clipping on parameter dicts: by global norm (as PyTorch) and by value.

``clip_by_global_norm`` follows ``torch.nn.utils.clip_grad_norm_``: one L2 norm over every
array, ``coef = max_norm / (norm + 1e-6)`` clamped at 1, every array scaled by ``coef``;
it returns the norm before clipping. Unlike PyTorch it never modifies the caller's arrays.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from helpers._validate import as_array, as_float

Grads = Mapping[str, np.ndarray]


class NonFiniteGradientError(FloatingPointError):
    """The gradient norm is NaN or infinite: clipping it would pass garbage on."""


def _checked(grads: object) -> dict[str, np.ndarray]:
    if not isinstance(grads, Mapping) or not grads:
        raise TypeError("grads must be a non-empty dict of arrays (name -> gradient)")
    return {k: as_array(f"grads[{k!r}]", v, finite=False) for k, v in grads.items()}


def global_norm(grads: Grads) -> float:
    """‖g‖₂ over all arrays of the dict together (√ of the sum of every squared entry)."""
    g = _checked(grads)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(sum(float(np.sum(np.square(v))) for v in g.values())))


def clip_by_global_norm(
    grads: Grads, max_norm: float, *, error_if_nonfinite: bool = True
) -> tuple[dict[str, np.ndarray], float]:
    """Rescale all gradients together when their global norm exceeds ``max_norm``.

    Returns ``(clipped, norm_before)``; ``clipped`` holds new arrays, same keys and shapes.
    A NaN or infinite norm raises ``NonFiniteGradientError`` naming the offending arrays,
    unless ``error_if_nonfinite=False``, in which case the gradients are returned unscaled
    with the non-finite norm, for the caller to report.
    """
    limit = as_float("max_norm", max_norm, positive=True)
    g = _checked(grads)
    norm = global_norm(g)
    if not np.isfinite(norm):
        if error_if_nonfinite:
            bad = [k for k, v in g.items() if not np.all(np.isfinite(v))] or ["(overflow in the sum)"]
            raise NonFiniteGradientError(
                f"gradient norm is {norm}: non-finite values in {bad}; lower the learning rate "
                "or check the forward pass for overflow"
            )
        return {k: v.copy() for k, v in g.items()}, norm
    coef = min(1.0, limit / (norm + 1e-6))
    return {k: v * coef for k, v in g.items()}, norm


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
