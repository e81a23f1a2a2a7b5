"""Many optimizer runs at once on a toy loss: a whole grid of learning rates × starts.

The toys of notebooks 04 and 06 have two parameters, so one run is a handful of scalar
operations and a Python loop of runs is mostly overhead. ``run_grid`` runs every
(learning rate, start) pair together as array code: the parameters are arrays of shape
(n_lr, n_start), and the update rules are the ones of ``helpers.optim`` themselves, given
one learning rate per row (``lr`` an array (n_lr,)), so each run follows exactly the
arithmetic of ``optim.descend``.

A run stops, as in ``optim.descend``, at the first non-finite gradient or parameter: its
parameters stay at the last finite point and it takes no further step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from helpers import optim
from helpers._validate import as_array, as_choice, as_float, as_int, as_real_values

#: grad_fn(params) -> (loss, grads): params and grads map names to arrays of one shape.
GradFn = Callable[[dict[str, np.ndarray]], tuple[np.ndarray, Mapping[str, np.ndarray]]]


@dataclass(frozen=True)
class GridResult:
    """The outcome of ``run_grid``, every array of shape (n_lr, n_start).

    ``params``: final parameters (name -> array); ``loss``: the loss there; ``updates``:
    how many updates each run took (``n_updates`` unless it stopped on a non-finite value).
    ``path`` (only with ``record=True``): name -> (n_updates + 1, n_lr, n_start), the start
    and the point after every update (a stopped run stays at its last finite point).
    """

    params: dict[str, np.ndarray]
    loss: np.ndarray
    updates: np.ndarray
    n_updates: int
    path: dict[str, np.ndarray] | None = None

    def __post_init__(self) -> None:
        n = as_int("n_updates", self.n_updates, min_value=0)
        loss = as_real_values("loss", self.loss, ndim=2, finite=False)
        if np.isnan(loss).any():  # inf is honest (a loss may overflow at a finite point)
            raise ValueError("loss must not hold NaN (one finite or inf loss per run)")
        if not isinstance(self.params, Mapping) or not self.params:
            raise TypeError("params must be a non-empty dict: parameter name -> array")
        params = {k: as_real_values(f"params[{k!r}]", v) for k, v in self.params.items()}
        for k, v in params.items():
            if v.shape != loss.shape:
                raise ValueError(
                    f"params[{k!r}] and loss must have one shape (n_lr, n_start), "
                    f"got {v.shape} and {loss.shape}"
                )
        updates = np.asarray(self.updates) if not isinstance(self.updates, str) else None
        if (
            updates is None
            or updates.dtype == np.bool_
            or not np.issubdtype(updates.dtype, np.integer)
        ):
            raise TypeError("updates must be an integer array (updates taken by each run)")
        if updates.shape != loss.shape:
            raise ValueError(f"updates must have shape {loss.shape} (as loss), got {updates.shape}")
        if updates.size and (updates.min() < 0 or updates.max() > n):
            raise ValueError(f"updates must lie in [0, n_updates = {n}]")
        if self.path is not None and not isinstance(self.path, Mapping):
            raise TypeError("path must be None or a dict: parameter name -> array")
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "updates", updates)
        object.__setattr__(self, "n_updates", n)

    @property
    def stopped(self) -> np.ndarray:
        """True where the run ended early on a non-finite gradient or parameter."""
        return self.updates < self.n_updates


def run_grid(
    name: str,
    lrs: np.ndarray,
    starts: Mapping[str, np.ndarray],
    grad_fn: GradFn,
    *,
    n_updates: int,
    clip_norm: float | None = None,
    **hyper: float,
) -> GridResult:
    """Run optimizer ``name`` for every learning rate in ``lrs`` (n_lr,) from every start.

    ``starts`` maps each parameter name to an array (n_start,) of starting values (all of
    the same length). ``grad_fn`` takes a dict of arrays of shape (n_lr, n_start) and
    returns ``(loss, grads)`` of that shape, element by element (one run per element).
    ``clip_norm``: rescale each run's gradient to at most this global norm (the norm over
    its parameters) before the update, with the factor ``min(1, c / (‖g‖ + 1e-6))`` of
    ``helpers.clip``. ``hyper`` goes to the optimizer (e.g. ``momentum=0.9``).
    """
    spec = {"name": name, "clip_norm": clip_norm, **hyper}
    return run_grids({"run": spec}, lrs, starts, grad_fn, n_updates=n_updates)["run"]


def run_grids(
    specs: Mapping[str, Mapping[str, object]],
    lrs: np.ndarray,
    starts: Mapping[str, np.ndarray],
    grad_fn: GradFn,
    *,
    n_updates: int,
    record: bool = False,
) -> dict[str, GridResult]:
    """``run_grid`` for several optimizers in lock-step, one ``grad_fn`` call per update.

    ``specs`` maps a label to the keyword arguments of ``run_grid`` (``name``, optional
    ``clip_norm`` and hyper-parameters), e.g. ``{"SGD + clipping": {"name": "SGD",
    "clip_norm": 1.0}}``. The gradients of all runs of all optimizers are evaluated
    together (arrays of shape (n_opt · n_lr, n_start)), which is what makes a big grid
    cheap. ``record=True`` keeps every point visited (``GridResult.path``). Returns
    label -> ``GridResult``.
    """
    eta = as_array("lrs", lrs, ndim=1)
    if eta.size == 0 or np.any(eta <= 0):
        raise ValueError("lrs must be a non-empty 1-d array of learning rates > 0")
    if not isinstance(starts, Mapping) or not starts:
        raise TypeError("starts must be a non-empty dict: parameter name -> array (n_start,)")
    first = {k: as_array(f"starts[{k!r}]", v, ndim=1) for k, v in starts.items()}
    sizes = {v.size for v in first.values()}
    if len(sizes) != 1 or 0 in sizes:
        raise ValueError("starts must hold non-empty 1-d arrays of one common length")
    if not callable(grad_fn):
        raise TypeError("grad_fn must be a function params -> (loss, grads)")
    if not isinstance(specs, Mapping) or not specs:
        raise TypeError("specs must be a non-empty dict: label -> {'name': ..., ...}")
    if not isinstance(record, (bool, np.bool_)):
        raise TypeError(f"record must be True or False, got {type(record).__name__}")
    n = as_int("n_updates", n_updates, min_value=0)
    shape = (eta.size, sizes.pop())
    runners = [_Runner(label, spec, eta, first, shape) for label, spec in specs.items()]
    keys = list(first)
    history = [[r.theta] for r in runners] if record else None
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n):
            live = [r for r in runners if r.alive.any()]
            if not live:
                if history is not None:  # every run has stopped: it stays where it is
                    for h, r in zip(history, runners, strict=True):
                        h.append(r.theta)
                continue
            ahead = [r.opt.lookahead(r.theta) for r in live]
            _, grads = _call(grad_fn, {k: np.concatenate([a[k] for a in ahead]) for k in keys})
            for i, r in enumerate(live):
                rows = slice(i * shape[0], (i + 1) * shape[0])
                r.advance({k: np.asarray(grads[k])[rows] for k in keys})
            if history is not None:
                for h, r in zip(history, runners, strict=True):
                    h.append(r.theta)
        every = {k: np.concatenate([r.theta[k] for r in runners]) for k in keys}
        loss = np.asarray(_call(grad_fn, every)[0], dtype=np.float64)
    return {
        r.label: GridResult(
            r.theta,
            loss[i * shape[0] : (i + 1) * shape[0]].copy(),
            r.updates,
            n,
            None if history is None else {k: np.stack([p[k] for p in history[i]]) for k in keys},
        )
        for i, r in enumerate(runners)
    }


def _call(
    grad_fn: GradFn, at: dict[str, np.ndarray]
) -> tuple[np.ndarray, Mapping[str, np.ndarray]]:
    """``grad_fn(at)``, checked to return ``(loss, grads)`` with a gradient of the shape of
    ``at`` for every parameter of ``starts``; a failure inside it is reported by name."""
    shape = next(iter(at.values())).shape
    try:
        out = grad_fn(at)
    except Exception as exc:  # a grad_fn that cannot read the parameters of starts
        raise ValueError(
            f"grad_fn failed on the parameters of starts (keys {sorted(at)}, arrays {shape}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], Mapping)):
        raise TypeError(
            f"grad_fn must return (loss, grads) with grads a dict, got {type(out).__name__}"
        )
    loss, grads = out
    if sorted(grads) != sorted(at):
        raise ValueError(
            f"grad_fn returned gradients for {sorted(grads)} but starts has keys {sorted(at)}"
        )
    for k, g in grads.items():
        as_array(f"grad_fn's grads[{k!r}]", g, shape=shape, finite=False)
    as_array("grad_fn's loss", loss, shape=shape, finite=False)
    return loss, grads


class _Runner:
    """One optimizer's grid of runs: its state, parameters and which runs are alive."""

    def __init__(self, label, spec, eta, first, shape) -> None:
        if not isinstance(spec, Mapping) or "name" not in spec:
            raise TypeError(f"specs[{label!r}] must be a dict with a 'name' (an optimizer)")
        hyper = dict(spec)
        name = as_choice(f"specs[{label!r}]['name']", hyper.pop("name"), tuple(optim.OPTIMIZERS))
        clip_norm = hyper.pop("clip_norm", None)
        self.limit = None if clip_norm is None else as_float("clip_norm", clip_norm, positive=True)
        self.label = label
        # one learning rate per row: optim's per-model rates (an lr sweep as one stack)
        self.opt = optim.OPTIMIZERS[name](lr=eta, **hyper)
        self.theta = {k: np.broadcast_to(v, shape).copy() for k, v in first.items()}
        self.alive = np.ones(shape, dtype=bool)
        self.updates = np.zeros(shape, dtype=np.int64)

    def advance(self, grads: Mapping[str, np.ndarray]) -> None:
        """One update of every live run, given the gradients at its look-ahead point."""
        ok = self.alive.copy()
        for g in grads.values():
            ok &= np.isfinite(g)
        g = {k: np.where(ok, grads[k], 0.0) for k in self.theta}
        if self.limit is not None:
            # ‖g‖ per run, scaled by its largest entry so that it cannot overflow
            big = np.max([np.abs(v) for v in g.values()], axis=0)
            safe = np.where(big > 0, big, 1.0)
            norm = big * np.sqrt(sum((v / safe) ** 2 for v in g.values()))
            coef = np.minimum(1.0, self.limit / (norm + 1e-6))
            g = {k: v * coef for k, v in g.items()}
        new = self.opt.step(self.theta, g)
        for v in new.values():
            ok &= np.isfinite(v)
        self.theta = {k: np.where(ok, new[k], self.theta[k]) for k in self.theta}
        self.updates += ok
        self.alive = ok


def pascanu_grad_fn(params: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``grad_fn`` for Pascanu's single unit (``helpers.toys.pascanu_loss``), keys w, b."""
    from helpers.toys import pascanu_loss

    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict with keys 'w', 'b', got {type(params).__name__}")
    extra = sorted(set(params) - {"w", "b"})
    if extra:
        raise ValueError(f"params has unexpected key(s) {extra}; expected keys ['w', 'b']")
    if "w" not in params or "b" not in params:
        raise ValueError(f"params is missing key(s) {sorted({'w', 'b'} - set(params))}")
    w = as_real_values("params['w']", params["w"])
    b = as_real_values("params['b']", params["b"])
    try:
        np.broadcast_shapes(w.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"params['w'] and params['b'] must have one shape (or one a scalar), "
            f"got {w.shape} and {b.shape}"
        ) from None
    E, dw, db = pascanu_loss(w, b)
    return E, {"w": dw, "b": db}
