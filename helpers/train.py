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

**A stack of M models** (one per seed, see ``helpers.stacking``): ``init_stack`` gives every
array a leading model axis M; ``loss_and_grads`` and ``fit`` then train the M models as one
batch. ``xs`` is shared, (T, B, D), or one batch per model, (M, T, B, D), with ``ys`` to
match: (B,)/(B, O)/(T, B) shared, (M, B)/(M, B, O)/(M, T, B) per model. The loss is one
value per model, (M,), each model is clipped by its own global norm, and model m's
parameters, losses and norms are those of a separate run of model m (to rounding).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

import numpy as np

from helpers import _buffers, stacking
from helpers import clip as clip_mod
from helpers._validate import as_array, as_choice, as_float, as_int
from helpers.optim import NonFiniteStepError, Optimizer

Loss = Literal["mse_last", "xent_all"]


def readout_init(
    hidden_size: int, output_size: int, *, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Read-out ``{"Wy": (O, H), "by": (O,)}``, Glorot-uniform weights and zero bias."""
    H = as_int("hidden_size", hidden_size, min_value=1)
    O = as_int("output_size", output_size, min_value=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    lim = np.sqrt(6.0 / (H + O))
    return {"Wy": rng.uniform(-lim, lim, size=(O, H)), "by": np.zeros(O)}


def init_stack(
    cell: ModuleType,
    input_size: int,
    hidden_size: int,
    output_size: int,
    *,
    seeds: Sequence[int],
    **init_kwargs: Any,
) -> dict[str, np.ndarray]:
    """M models (cell + read-out) on a leading axis, model m from seed ``seeds[m]``.

    Model m is ``{**cell.init(D, H, rng=rng, **init_kwargs), **readout_init(H, O, rng=rng)}``
    with ``rng = np.random.default_rng(seeds[m])``: the cell first, then the read-out, from
    one generator, exactly as a separate run that starts that way.
    """
    if not hasattr(cell, "init") or not hasattr(cell, "PARAM_NAMES"):
        raise TypeError("cell must be a cell module such as helpers.rnn (it needs init)")
    models = []
    for rng in stacking.rngs(seeds):
        params = cell.init(input_size, hidden_size, rng=rng, **init_kwargs)
        models.append({**params, **readout_init(hidden_size, output_size, rng=rng)})
    return stacking.stack(models)


def _stack_size(params: Mapping[str, np.ndarray]) -> int | None:
    """M for a stack (``Wx`` with three axes), None for one model."""
    return int(np.shape(params["Wx"])[0]) if np.ndim(params["Wx"]) == 3 else None


def _readout(
    params: Mapping[str, np.ndarray], M: int | None, H: int, *, finite: bool = True
) -> tuple:
    lead = () if M is None else (M,)
    Wy = as_array("params['Wy']", params["Wy"], ndim=len(lead) + 2, finite=finite)
    if Wy.shape[:-2] != lead or Wy.shape[-1] != H:
        raise ValueError(f"params['Wy'] must have shape {(*lead, 'O', H)}, got {Wy.shape}")
    by = as_array("params['by']", params["by"], shape=(*lead, Wy.shape[-2]), finite=finite)
    return Wy, by


def _split(cell: ModuleType, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a dict of arrays (the cell's params plus Wy, by), "
            f"got {type(params).__name__}"
        )
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
    """Outputs W_y h_t + b_y at every step: (T, B, O); (M, T, B, O) for a stack."""
    cell_params = _split(cell, params)
    hs, _ = cell.forward(cell_params, xs, **cell_kwargs)
    if _stack_size(cell_params) is None:
        Wy, by = _readout(params, None, hs.shape[-1])
        return hs @ Wy.T + by
    Wy, by = _readout(params, hs.shape[0], hs.shape[-1])
    return hs @ Wy.mT[:, None] + by[:, None, None, :]


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
    ``helpers.clip.NonFiniteGradientError`` when the loss or its gradient at the outputs is
    NaN or infinite (diverged parameters, or targets so large that the error overflows),
    rather than passing it on.
    """
    kind = as_choice("loss", loss, ("mse_last", "xent_all"))
    cell_params = _split(cell, params)
    if _stack_size(cell_params) is not None:
        return _stack_loss_and_grads(cell, params, xs, ys, kind, truncate, cell_kwargs)
    hs, cache = cell.forward(cell_params, xs, **cell_kwargs)
    T, B, H = hs.shape
    Wy, by = _readout(params, None, H, finite=False)  # diverged: NonFiniteGradientError below
    dhs = _buffers.zeros(hs.shape, hs.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == "mse_last":
            y = as_array("ys", ys)
            y = y.reshape(-1, 1) if y.ndim == 1 else y
            if y.shape != (B, Wy.shape[0]):
                raise ValueError(
                    f"ys must have shape (B,) or (B, O) = {(B, Wy.shape[0])} (B from xs, O from "
                    f"params['Wy']), got {np.shape(ys)}"
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
                    f"ys must be integer class ids of shape (T, B) = {(T, B)} (T, B from xs), got "
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
    if not (np.all(np.isfinite(dhs)) and np.isfinite(value)):
        largest = float(np.max(np.abs(np.asarray(ys, dtype=float))))
        raise clip_mod.NonFiniteGradientError(
            f"the loss ({value}) or its gradient at the outputs is not finite: the parameters "
            "(params) have diverged (lower the learning rate or clip the gradient), or the "
            f"targets ys are too large (largest |ys| = {largest:.3g})"
        )
    grads, _ = cell.backward(dhs, cache, truncate=truncate)
    grads = dict(grads)
    grads["Wy"], grads["by"] = dWy, dby
    return value, grads


def _stack_loss_and_grads(
    cell: ModuleType,
    params: Mapping[str, np.ndarray],
    xs: np.ndarray,
    ys: np.ndarray,
    kind: str,
    truncate: int | None,
    cell_kwargs: dict[str, Any],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``loss_and_grads`` for a stack: losses (M,) and stacked gradients.

    A model whose outputs or loss gradient are not finite gets a NaN loss and NaN
    gradients (the others are unaffected: no array mixes models).
    """
    cell_params = _split(cell, params)
    hs, cache = cell.forward(cell_params, xs, **cell_kwargs)
    M, T, B, H = hs.shape
    Wy, by = _readout(params, M, H)
    shared = cache.xs.ndim == 3  # one batch for all models, or one per model
    dhs = _buffers.zeros(hs.shape, hs.dtype)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if kind == "mse_last":
            O = Wy.shape[-2]
            y = as_array("ys", ys)
            y = y[..., None] if y.ndim == (1 if shared else 2) else y
            want = (B, O) if shared else (M, B, O)
            if y.shape != want:
                what = "(B,) or (B, O)" if shared else "(M, B) or (M, B, O)"
                raise ValueError(
                    f"ys must have shape {what} = {want} (xs is "
                    f"{'shared' if shared else 'one batch per model'}), got {np.shape(ys)}"
                )
            pred = hs[:, -1] @ Wy.mT + by[:, None, :]
            err = pred - y
            value = np.mean(err**2, axis=(-2, -1))
            dpred = 2.0 * err / (B * O)
            dWy = dpred.mT @ hs[:, -1]
            dby = dpred.sum(axis=-2)
            dhs[:, -1] = dpred @ Wy
        else:
            target = np.asarray(ys)
            want = (T, B) if shared else (M, T, B)
            if target.shape != want or not np.issubdtype(target.dtype, np.integer):
                raise ValueError(
                    f"ys must be integer class ids of shape {want} (from xs), got "
                    f"{target.shape} {target.dtype}"
                )
            V = Wy.shape[-2]
            if target.max() >= V or target.min() < -1:
                raise ValueError(f"ys must hold class ids in [0, {V}) or -1 (ignored)")
            # Only the positions where some model takes a loss (e.g. the blank of a cloze
            # test: one in T): the others add nothing to the loss or the gradient.
            t_idx, b_idx = np.nonzero((target >= 0).reshape(-1, T, B).any(axis=0))
            target = np.broadcast_to(target, (M, T, B))[:, t_idx, b_idx]  # (M, K)
            h_sel = hs[:, t_idx, b_idx]  # (M, K, H)
            logits = h_sel @ Wy.mT + by[:, None, :]  # (M, K, V)
            logits -= logits.max(axis=-1, keepdims=True)
            logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
            mask = target >= 0
            count = np.maximum(mask.sum(axis=-1), 1)
            safe = np.where(mask, target, 0)[..., None]
            picked = np.take_along_axis(logp, safe, axis=-1)[..., 0]
            value = -(picked * mask).sum(axis=-1) / count
            dlogits = np.exp(logp)
            np.put_along_axis(dlogits, safe, np.take_along_axis(dlogits, safe, -1) - 1, -1)
            dlogits *= (mask / count[:, None])[..., None]
            dWy = dlogits.mT @ h_sel
            dby = dlogits.sum(axis=-2)
            dhs[:, t_idx, b_idx] = dlogits @ Wy
    bad = ~np.all(np.isfinite(dhs.reshape(M, -1)), axis=1)
    value = np.asarray(value, dtype=np.float64)
    if bad.any():
        value[bad] = np.nan
        dhs[bad] = 0.0
    grads, _ = cell.backward(dhs, cache, truncate=truncate)
    grads = dict(grads)
    grads["Wy"], grads["by"] = dWy, dby
    if bad.any():
        for g in grads.values():
            g[bad] = np.nan
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

    def __post_init__(self) -> None:
        if not isinstance(self.stopped, str):
            raise TypeError(f"stopped must be a str, got {type(self.stopped).__name__}")
        for name in ("loss", "grad_norm", "clipped"):
            value = getattr(self, name)
            if not isinstance(value, (list, tuple, np.ndarray)):
                raise TypeError(
                    f"{name} must be a list (one entry per step), got {type(value).__name__}"
                )
        if not len(self.loss) == len(self.grad_norm) == len(self.clipped):
            raise ValueError(
                f"loss, grad_norm and clipped must have one length (steps taken), got "
                f"{len(self.loss)}, {len(self.grad_norm)}, {len(self.clipped)}"
            )
        bad = [c for c in self.clipped if not isinstance(c, (bool, np.bool_))]
        if bad:
            raise TypeError(f"clipped must hold bools, got {bad[0]!r}")
        self.clipped = [bool(c) for c in self.clipped]
        for name in ("loss", "grad_norm"):
            arr = as_array(name, getattr(self, name), ndim=1, finite=False)
            if not self.stopped and not np.all(np.isfinite(arr)):
                raise ValueError(
                    f"{name} holds NaN or inf although stopped is empty (a run records a "
                    f"non-finite value only at the step where it stopped)"
                )
            setattr(self, name, [float(v) for v in arr])

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(loss, grad_norm, clipped)`` as arrays of length = steps taken."""
        return np.array(self.loss), np.array(self.grad_norm), np.array(self.clipped, dtype=bool)


@dataclass
class StackHistory:
    """The record of a stack of M models trained together (``fit`` with stacked params).

    ``loss``, ``grad_norm`` (norm of each model's own gradient, before clipping) and
    ``clipped`` are (steps, M); after model m has stopped (``stopped[m]`` says why, e.g.
    ``"non-finite loss at step 12"``, else ``""``) its entries are NaN / False. ``run(m)``
    is model m's ``History``, as a separate run of it records.
    """

    loss: np.ndarray
    grad_norm: np.ndarray
    clipped: np.ndarray
    stopped: list[str]

    def __post_init__(self) -> None:
        if not isinstance(self.stopped, (list, tuple)) or not all(
            isinstance(s, str) for s in self.stopped
        ):
            raise TypeError("stopped must be a list of str, one per model ('' if it ran on)")
        M = len(self.stopped)
        loss = as_array("loss", self.loss, ndim=2, finite=False)
        if loss.shape[1] != M:
            raise ValueError(
                f"loss must have shape (steps, M) with M = len(stopped) = {M}, got {loss.shape}"
            )
        grad_norm = as_array("grad_norm", self.grad_norm, ndim=2, finite=False)
        clipped = np.asarray(self.clipped)
        if clipped.dtype != np.bool_:
            raise TypeError(f"clipped must be a bool array, got dtype {clipped.dtype}")
        if not loss.shape == grad_norm.shape == clipped.shape:
            raise ValueError(
                f"loss, grad_norm and clipped must have one shape (steps, M), got "
                f"{loss.shape}, {grad_norm.shape}, {clipped.shape}"
            )
        ran_on = np.array([not s for s in self.stopped], dtype=bool)
        for name, arr in (("loss", loss), ("grad_norm", grad_norm)):
            if not np.all(np.isfinite(arr[:, ran_on])):
                raise ValueError(
                    f"{name} holds NaN or inf for a model whose stopped entry is empty "
                    f"(only a stopped model records non-finite values)"
                )
        self.loss, self.grad_norm, self.clipped = loss, grad_norm, clipped
        self.stopped = list(self.stopped)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(loss, grad_norm, clipped)``, each (steps, M)."""
        return self.loss, self.grad_norm, self.clipped

    def run(self, m: int) -> History:
        """Model m's history, ending at the step where it stopped (if it did)."""
        i = as_int("m", m, min_value=0, max_value=self.loss.shape[1] - 1)
        n = len(self.loss)
        if self.stopped[i]:  # "... at step k": the run took k + 1 steps
            n = int(self.stopped[i].rsplit(" ", 1)[1]) + 1
        return History(
            loss=[float(v) for v in self.loss[:n, i]],
            grad_norm=[float(v) for v in self.grad_norm[:n, i]],
            clipped=[bool(v) for v in self.clipped[:n, i]],
            stopped=self.stopped[i],
        )


def fit(
    cell: ModuleType,
    params: Mapping[str, np.ndarray],
    data: Callable[[int], tuple[np.ndarray, np.ndarray]],
    *,
    steps: int,
    optimizer: Optimizer,
    clip_norm: float | np.ndarray | None = None,
    loss: Loss = "mse_last",
    truncate: int | None = None,
    **cell_kwargs: Any,
) -> tuple[dict[str, np.ndarray], History | StackHistory]:
    """Train for ``steps`` updates; ``data(step) -> (xs, ys)`` gives each batch.

    Each step: gradient at ``optimizer.lookahead(params)`` by (optionally truncated) BPTT,
    global-norm clipping at ``clip_norm`` if given, one optimizer step. A non-finite loss or
    gradient norm stops the run and is recorded in ``History.stopped`` (never passed on);
    its last entry of ``loss``/``grad_norm`` is then that non-finite value (NaN when the
    outputs themselves had diverged). ``History.clipped[i]`` is True when step i's gradient
    was actually scaled down, i.e. PyTorch's coefficient ``clip_norm / (norm + 1e-6)`` < 1.
    Returns the final parameters and the history.

    **A stack** (params from ``init_stack``): the M models train together, each with its own
    loss, its own gradient norm and its own clipping coefficient, and a per-model optimizer
    state (element-wise, in the rows of the optimizer's arrays). A model whose loss or
    norm is not finite stops alone: its parameters stay where they were and
    ``StackHistory.stopped[m]`` says why; the run ends early only when all have stopped.
    ``clip_norm`` may then be one threshold per model, an array (M,) with ``np.inf`` for the
    models trained without clipping (an ablation in one stack). Returns the final stacked
    parameters and a ``StackHistory``.
    """
    n_steps = as_int("steps", steps, min_value=0)
    per_model = clip_norm is not None and np.ndim(clip_norm) > 0
    limit = (
        None if clip_norm is None or per_model else as_float("clip_norm", clip_norm, positive=True)
    )
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must be a helpers.optim optimizer, e.g. optim.SGD(lr=0.1)")
    if not isinstance(params, Mapping):
        raise TypeError("params must be a dict of arrays (the cell's params plus Wy, by)")
    if not callable(data):
        raise TypeError("data must be a function step -> (xs, ys)")
    current = {
        k: np.array(as_array(f"params[{k!r}]", v), dtype=np.float64) for k, v in params.items()
    }
    M = _stack_size(_split(cell, current))
    if M is not None:
        limits = None if clip_norm is None else clip_mod._stack_max_norms(clip_norm, M, "clip_norm")
        return _fit_stack(
            cell, current, data, n_steps, optimizer, limits, loss, truncate, cell_kwargs
        )
    if per_model:
        raise ValueError("clip_norm must be a number (one threshold per model needs a stack)")
    hist = History()
    for step in range(n_steps):
        xs, ys = _batch(data, step)
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
        try:
            current = optimizer.step(current, grads)
        except NonFiniteStepError as exc:
            hist.stopped = f"non-finite {exc.kind} after the update at step {step}"
            break
    return current, hist


def _batch(data: Callable[[int], Any], step: int) -> tuple[Any, Any]:
    """``data(step)``, checked to be a pair ``(xs, ys)``."""
    batch = data(step)
    if not (isinstance(batch, tuple | list) and len(batch) == 2):
        raise TypeError(
            f"data(step) must return a pair (xs, ys); data({step}) returned {type(batch).__name__}"
        )
    return batch[0], batch[1]


def _fit_stack(
    cell: ModuleType,
    current: dict[str, np.ndarray],
    data: Callable[[int], tuple[np.ndarray, np.ndarray]],
    n_steps: int,
    optimizer: Optimizer,
    limit: np.ndarray | None,
    loss: Loss,
    truncate: int | None,
    cell_kwargs: dict[str, Any],
) -> tuple[dict[str, np.ndarray], StackHistory]:
    """``fit`` for a stack of M models: the same loop, one batch of M models per step."""
    M = int(current["Wx"].shape[0])
    alive = np.ones(M, dtype=bool)
    stopped = [""] * M
    losses, norms, clipped = [], [], []
    for step in range(n_steps):
        xs, ys = _batch(data, step)
        value, grads = loss_and_grads(
            cell, optimizer.lookahead(current), xs, ys, loss=loss, truncate=truncate, **cell_kwargs
        )
        if limit is None:
            norm = clip_mod.stack_global_norms(grads)
        else:
            grads, norm = clip_mod.clip_stack_by_global_norm(grads, limit)
        ok = np.isfinite(value) & np.isfinite(norm)
        for m in np.flatnonzero(alive & ~ok):
            what = "loss" if not np.isfinite(value[m]) else "gradient norm"
            stopped[m] = f"non-finite {what} at step {step}"
        losses.append(np.where(alive, value, np.nan))
        norms.append(np.where(alive, norm, np.nan))
        alive &= ok
        was_clipped = np.zeros(M, dtype=bool)
        if limit is not None:  # PyTorch's coefficient below 1 (never for np.inf)
            was_clipped[alive] = limit[alive] / (norm[alive] + clip_mod.EPS) < 1.0
        clipped.append(was_clipped)
        if not alive.any():
            break
        keep = alive.reshape(M, 1)
        safe = {
            k: np.where(keep.reshape(M, *(1,) * (g.ndim - 1)), g, 0.0) for k, g in grads.items()
        }
        current = optimizer.step(current, safe, active=alive)
    shape = (len(losses), M)
    hist = StackHistory(
        loss=np.array(losses).reshape(shape),
        grad_norm=np.array(norms).reshape(shape),
        clipped=np.array(clipped, dtype=bool).reshape(shape),
        stopped=stopped,
    )
    return current, hist
