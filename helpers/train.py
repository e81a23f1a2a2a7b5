"""A small fit loop for any recurrent cell module (``helpers.rnn``, ``.lstm``, ``.gru``).

A *cell module* provides ``PARAM_NAMES``, ``forward(params, xs, h0=None, **kw) -> (hs, cache)``
and ``backward(dhs, cache, *, truncate=None) -> (grads, dstate)``. A *model* is a flat
parameter dict: the cell's arrays plus a linear read-out ``Wy`` (O, H), ``by`` (O,), so
clipping and optimizers see every array.

Losses:
- ``"mse_last"``: regression on the last step, ŷ = W_y h_T + b_y, loss = mean (ŷ − y)²;
  ``ys`` is (B,) or (B, O).
- ``"xent_all"``: softmax cross-entropy at every step (a language model), logits
  W_y h_t + b_y, ``ys`` int (T, B) of class ids, −1 where no loss is taken; mean over the
  counted positions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

import numpy as np

from helpers import clip as clip_mod
from helpers._validate import as_array, as_choice, as_float, as_int
from helpers.optim import Optimizer

Loss = Literal["mse_last", "xent_all"]


def readout_init(
    hidden_size: int, output_size: int, *, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Read-out ``{"Wy": (O, H), "by": (O,)}``, Glorot-uniform weights and zero bias."""
    H = as_int("hidden_size", hidden_size, min_value=1)
    O = as_int("output_size", output_size, min_value=1)
    lim = np.sqrt(6.0 / (H + O))
    return {"Wy": rng.uniform(-lim, lim, size=(O, H)), "by": np.zeros(O)}


def _split(cell: ModuleType, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    names = getattr(cell, "PARAM_NAMES", None)
    if names is None:
        raise TypeError("cell must be a cell module such as helpers.rnn (it needs PARAM_NAMES)")
    missing = [k for k in (*names, "Wy", "by") if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}: a model is the cell's params plus Wy, by")
    return {k: params[k] for k in names}


def predict(
    cell: ModuleType, params: Mapping[str, np.ndarray], xs: np.ndarray, **cell_kwargs: Any
) -> np.ndarray:
    """Outputs W_y h_t + b_y at every step: (T, B, O)."""
    cell_params = _split(cell, params)
    hs, _ = cell.forward(cell_params, xs, **cell_kwargs)
    return hs @ params["Wy"].T + params["by"]


def loss_and_grads(
    cell: ModuleType,
    params: Mapping[str, np.ndarray],
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    loss: Loss = "mse_last",
    truncate: int | None = None,
    **cell_kwargs: Any,
) -> tuple[float, dict[str, np.ndarray]]:
    """The loss on one batch and its gradient for every array of ``params`` (BPTT).

    ``xs`` is (T, B, D); ``ys`` as described in the module docstring. Returns
    ``(loss, grads)`` with ``grads`` keyed like ``params``. Raises
    ``helpers.clip.NonFiniteGradientError`` when the loss's gradient at the outputs is
    NaN or infinite (diverged parameters), rather than passing it on.
    """
    kind = as_choice("loss", loss, ("mse_last", "xent_all"))
    cell_params = _split(cell, params)
    hs, cache = cell.forward(cell_params, xs, **cell_kwargs)
    T, B, H = hs.shape
    Wy, by = params["Wy"], params["by"]
    dhs = np.zeros_like(hs)
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == "mse_last":
            y = as_array("ys", ys)
            y = y.reshape(-1, 1) if y.ndim == 1 else y
            if y.shape != (B, Wy.shape[0]):
                raise ValueError(
                    f"ys must have shape (B,) or (B, O) = {(B, Wy.shape[0])}, got {np.shape(ys)}"
                )
            pred = hs[-1] @ Wy.T + by
            err = pred - y
            value = float(np.mean(err**2))
            dpred = 2.0 * err / err.size
            dWy = dpred.T @ hs[-1]
            dby = dpred.sum(axis=0)
            dhs[-1] = dpred @ Wy
        else:
            target = np.asarray(ys)
            if target.shape != (T, B) or not np.issubdtype(target.dtype, np.integer):
                raise ValueError(
                    f"ys must be integer class ids of shape (T, B) = {(T, B)}, got "
                    f"{target.shape} {target.dtype}"
                )
            V = Wy.shape[0]
            if target.max() >= V or target.min() < -1:
                raise ValueError(f"ys must hold class ids in [0, {V}) or -1 (ignored)")
            logits = hs @ Wy.T + by
            logits -= logits.max(axis=-1, keepdims=True)
            logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
            mask = target >= 0
            count = max(int(mask.sum()), 1)
            safe = np.where(mask, target, 0)
            picked = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
            value = float(-(picked * mask).sum() / count)
            dlogits = np.exp(logp)
            np.put_along_axis(
                dlogits, safe[..., None], np.take_along_axis(dlogits, safe[..., None], -1) - 1, -1
            )
            dlogits *= (mask / count)[..., None]
            flat = dlogits.reshape(T * B, V)
            dWy = flat.T @ hs.reshape(T * B, H)
            dby = flat.sum(axis=0)
            dhs = dlogits @ Wy
    if not np.all(np.isfinite(dhs)):
        raise clip_mod.NonFiniteGradientError(
            f"the loss ({value}) or its gradient at the outputs is not finite: the parameters "
            "have diverged (lower the learning rate or clip the gradient)"
        )
    grads, _ = cell.backward(dhs, cache, truncate=truncate)
    grads = dict(grads)
    grads["Wy"], grads["by"] = dWy, dby
    return value, grads


@dataclass
class History:
    """Per-step record of a run: loss, gradient norm before clipping, whether it was clipped.

    ``stopped`` says why the run ended early (a non-finite loss or gradient), else ``""``.
    """

    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    clipped: list[bool] = field(default_factory=list)
    stopped: str = ""

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(loss, grad_norm, clipped)`` as arrays of length = steps taken."""
        return np.array(self.loss), np.array(self.grad_norm), np.array(self.clipped, dtype=bool)


def fit(
    cell: ModuleType,
    params: Mapping[str, np.ndarray],
    data: Callable[[int], tuple[np.ndarray, np.ndarray]],
    *,
    steps: int,
    optimizer: Optimizer,
    clip_norm: float | None = None,
    loss: Loss = "mse_last",
    truncate: int | None = None,
    **cell_kwargs: Any,
) -> tuple[dict[str, np.ndarray], History]:
    """Train for ``steps`` updates; ``data(step) -> (xs, ys)`` gives each batch.

    Each step: gradient at ``optimizer.lookahead(params)`` by (optionally truncated) BPTT,
    global-norm clipping at ``clip_norm`` if given, one optimizer step. A non-finite loss or
    gradient norm stops the run and is recorded in ``History.stopped`` (never passed on);
    its last entry of ``loss``/``grad_norm`` is then that non-finite value (NaN when the
    outputs themselves had diverged). ``History.clipped[i]`` is True when step i's gradient
    was actually scaled down, i.e. PyTorch's coefficient ``clip_norm / (norm + 1e-6)`` < 1.
    Returns the final parameters and the history.
    """
    n_steps = as_int("steps", steps, min_value=0)
    limit = None if clip_norm is None else as_float("clip_norm", clip_norm, positive=True)
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must be a helpers.optim optimizer, e.g. optim.SGD(lr=0.1)")
    current = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    _split(cell, current)
    hist = History()
    for step in range(n_steps):
        xs, ys = data(step)
        try:
            value, grads = loss_and_grads(
                cell,
                optimizer.lookahead(current),
                xs,
                ys,
                loss=loss,
                truncate=truncate,
                **cell_kwargs,
            )
            if limit is None:
                norm = clip_mod.global_norm(grads)
            else:  # one pass: the clipped arrays and the norm before clipping
                grads, norm = clip_mod.clip_by_global_norm(grads, limit, error_if_nonfinite=False)
        except clip_mod.NonFiniteGradientError:
            value, norm = float("nan"), float("nan")
        hist.loss.append(value)
        hist.grad_norm.append(norm)
        if not (np.isfinite(value) and np.isfinite(norm)):
            hist.clipped.append(False)
            what = "loss" if not np.isfinite(value) else "gradient norm"
            hist.stopped = f"non-finite {what} at step {step}"
            break
        hist.clipped.append(bool(limit is not None and clip_mod.clip_coefficient(norm, limit) < 1))
        current = optimizer.step(current, grads)
    return current, hist
