"""Optimizers on parameter dicts: SGD, momentum, Nesterov, Adagrad, RMSProp, Adam.

One interface, functional in the parameters::

    opt = optim.RMSProp(lr=0.01)
    at = opt.lookahead(params)        # where to evaluate the gradient (θ itself, but for NAG)
    grads = gradient_of_loss(at)
    params = opt.step(params, grads)  # new dict; inputs are not modified

The state (velocities, accumulators, step counts) lives in the optimizer, one entry per
parameter name, so it works for any model whose gradients share the parameters' keys.
Every update acts element by element: a parameter array of any shape works, and so does
a 0-d array (a scalar parameter, as in the toys of notebooks 02, 04 and 06).

**Stacks of models.** Because every update is element-wise, an optimizer given a stack
(every array with a leading model axis M, see ``helpers.stacking``) keeps a separate state
for each model in the rows of its state arrays: model m moves exactly as it would in a
separate run with its own optimizer (the step count ``t`` is shared, as all models step
together). ``step(..., active=mask)`` leaves the models with ``mask[m] == False`` where
they are (a model whose run has stopped); their state rows are then no longer meaningful.
``lr`` may be one learning rate per model, an array (M,): model m then steps with ``lr[m]``
(a learning-rate sweep trained as one stack).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from helpers._validate import as_array, as_float, as_int

Params = Mapping[str, np.ndarray]
State = dict[str, np.ndarray]


def _as_mapping(name: str, value: object) -> Mapping[str, np.ndarray]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a dict of arrays (name -> array), got {type(value).__name__}"
        )
    return value


class NonFiniteStepError(FloatingPointError):
    """An update of finite parameters with a finite gradient would leave a NaN or inf in the
    parameters or in the optimizer's state (a learning rate far too large, or a gradient
    whose square overflows float64). Raised before anything is changed; ``kind`` is
    ``"params"`` or ``"state"``."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class Optimizer:
    """Base class: ``lookahead`` (identity) and ``step`` (subclasses define ``_update``).

    ``_update(key, g, s)`` returns the change Δθ for one array, given its gradient ``g``
    and its state dict ``s`` (which it may update in place). With one learning rate per
    model, ``self.lr`` is, during that call, the rates shaped (M, 1, …) for that array.
    """

    def __init__(self, lr: float | np.ndarray) -> None:
        if np.ndim(lr) == 0:
            self.lr: float | np.ndarray = as_float("lr", lr, positive=True)
        else:
            rates = as_array("lr", lr, ndim=1)
            if rates.size == 0 or np.any(rates <= 0):
                raise ValueError("lr must be > 0 (one positive learning rate per model)")
            self.lr = rates
        self.state: dict[str, State] = {}
        self.t = 0

    def _lr_for(self, key: str, p: np.ndarray) -> float | np.ndarray:
        if isinstance(self.lr, float):
            return self.lr
        if p.ndim == 0 or p.shape[0] != self.lr.size:
            raise ValueError(
                f"lr has {self.lr.size} entries (one per model) but params[{key!r}] has shape "
                f"{p.shape}: per-model learning rates need a stack with that leading axis"
            )
        return self.lr.reshape(-1, *(1,) * (p.ndim - 1))

    def lookahead(self, params: Params) -> dict[str, np.ndarray]:
        """The point where the next gradient should be taken (θ for all but Nesterov)."""
        return dict(_as_mapping("params", params))

    def step(
        self, params: Params, grads: Params, *, active: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """One update: a new parameter dict from ``params`` and ``grads`` (same keys, shapes).

        ``active`` (M,) bool, for a stack of M models only: models where it is False keep
        their parameters (their update is discarded).
        """
        params = _as_mapping("params", params)
        grads = _as_mapping("grads", grads)
        if set(params) != set(grads):
            raise ValueError(f"grads keys {sorted(grads)} differ from params keys {sorted(params)}")
        checked = {}
        for k, p in params.items():
            p = as_array(f"params[{k!r}]", p)
            g = as_array(f"grads[{k!r}]", grads[k])
            if g.shape != p.shape:
                raise ValueError(
                    f"grads[{k!r}] has shape {g.shape} but params[{k!r}] has shape {p.shape}: "
                    "each gradient must have its parameter's shape"
                )
            checked[k] = p, g
        keep = None if active is None else ~_active_mask(active, checked)
        rates = {k: self._lr_for(k, p) for k, (p, _) in checked.items()}
        new = {}
        states = {}
        lr = self.lr
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                for k, (p, g) in checked.items():
                    self.lr = rates[k]  # the same float, or per-model rates for this array
                    # _update assigns new arrays into the state dict: a shallow copy keeps
                    # the old state intact until every array has been updated.
                    states[k] = dict(self.state.get(k, {}))
                    new[k] = p + self._update(k, g, states[k])
                    if keep is not None:
                        new[k][keep] = p[keep]
                    elif active is None:
                        self._check_finite(k, g, new[k], states[k])
        finally:
            self.lr = lr
        self.state.update(states)
        self.t += 1
        return new

    def _check_finite(
        self, key: str, g: np.ndarray, new: np.ndarray, state: dict[str, object]
    ) -> None:
        """Refuse (before any change) an update that would store a NaN or inf."""
        for name, value in state.items():
            if isinstance(value, np.ndarray | float) and not np.all(np.isfinite(value)):
                raise NonFiniteStepError(
                    f"grads[{key!r}] holds entries up to {np.max(np.abs(g)):.3g}: the "
                    f"optimizer's running {name!r} overflows float64; clip the gradient "
                    "first (clip.clip_by_global_norm). Nothing was changed.",
                    "state",
                )
        if not np.all(np.isfinite(new)):
            raise NonFiniteStepError(
                f"params[{key!r}] would overflow to inf or NaN with lr = {self.lr}: the "
                "learning rate is far too large for this gradient. Nothing was changed.",
                "params",
            )

    def _update(self, key: str, g: np.ndarray, s: State) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in vars(self).items() if isinstance(v, float))
        if not isinstance(self.lr, float):
            args = f"lr=<{self.lr.size} rates>" + (", " + args if args else "")
        return f"{type(self).__name__}({args})"


def _active_mask(active: object, checked: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    mask = np.asarray(active)
    if mask.dtype != bool or mask.ndim != 1:
        raise TypeError(f"active must be a 1-d bool array (one entry per model), got {mask!r}")
    for k, (p, _) in checked.items():
        if p.ndim == 0 or p.shape[0] != mask.size:
            raise ValueError(
                f"active has {mask.size} entries but params[{k!r}] has shape {p.shape}: "
                "active needs a stack, every array with a leading axis of that size"
            )
    return mask


class SGD(Optimizer):
    """Plain gradient descent: θ ← θ − η g."""

    def _update(self, key: str, g: np.ndarray, s: State) -> np.ndarray:
        return -self.lr * g


class Momentum(Optimizer):
    """Classical momentum: v ← μ v − η g;  θ ← θ + v  (v starts at 0)."""

    def __init__(self, lr: float | np.ndarray, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = as_float("momentum", momentum, min_value=0.0)
        if self.momentum >= 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")

    def _update(self, key: str, g: np.ndarray, s: State) -> np.ndarray:
        s["v"] = self.momentum * s.get("v", 0.0) - self.lr * g
        return s["v"]


class Nesterov(Momentum):
    """Nesterov's accelerated gradient in the form of Sutskever et al. (2013):

    v ← μ v − η ∇f(θ + μ v);  θ ← θ + v. The update is momentum's; only the point where
    the gradient is taken differs: ``lookahead`` returns θ + μ v, and the gradient passed
    to ``step`` must be evaluated there.
    """

    def lookahead(self, params: Params) -> dict[str, np.ndarray]:
        params = _as_mapping("params", params)
        return {
            k: as_array(f"params[{k!r}]", p) + self.momentum * self.state.get(k, {}).get("v", 0.0)
            for k, p in params.items()
        }


class Adagrad(Optimizer):
    """θ ← θ − η g / √(Σ_i g_i² + ε): seed 002's formula (ε only guards a zero gradient)."""

    def __init__(self, lr: float | np.ndarray, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.eps = as_float("eps", eps, positive=True)

    def _update(self, key: str, g: np.ndarray, s: State) -> np.ndarray:
        s["sum_sq"] = s.get("sum_sq", 0.0) + g * g
        return -self.lr * g / np.sqrt(s["sum_sq"] + self.eps)


class RMSProp(Optimizer):
    """Seed 002's RMSProp: σ⁰ = |g⁰|, σᵗ = √(α (σᵗ⁻¹)² + (1 − α)(gᵗ)²), θ ← θ − η gᵗ / σᵗ.

    (PyTorch's ``RMSprop`` starts its average at 0 instead of g⁰², so its first steps
    are larger by up to 1/√(1 − α); both agree once the average has warmed up.)
    """

    def __init__(self, lr: float | np.ndarray, alpha: float = 0.9, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.alpha = as_float("alpha", alpha, min_value=0.0, max_value=1.0)
        self.eps = as_float("eps", eps, positive=True)

    def _update(self, key: str, g: np.ndarray, s: State) -> np.ndarray:
        if "sq" not in s:  # σ⁰² = (g⁰)²
            s["sq"] = g * g
        else:  # σᵗ² = α σᵗ⁻¹² + (1 − α) gᵗ²
            s["sq"] = self.alpha * s["sq"] + (1 - self.alpha) * g * g
        return -self.lr * g / np.sqrt(s["sq"] + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): momentum on g and RMSProp on g², both bias-corrected.

    m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  θ ← θ − η m̂ / (√v̂ + ε) with
    m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), t counting this array's updates.
    """

    def __init__(
        self,
        lr: float | np.ndarray,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(lr)
        self.beta1 = as_float("beta1", beta1, min_value=0.0)
        self.beta2 = as_float("beta2", beta2, min_value=0.0)
        for name, beta in (("beta1", self.beta1), ("beta2", self.beta2)):
            if beta >= 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta}")
        self.eps = as_float("eps", eps, positive=True)

    def _update(self, key: str, g: np.ndarray, s: State) -> np.ndarray:
        s["t"] = t = s.get("t", 0) + 1
        s["m"] = self.beta1 * s.get("m", 0.0) + (1 - self.beta1) * g
        s["v"] = self.beta2 * s.get("v", 0.0) + (1 - self.beta2) * g * g
        m_hat = s["m"] / (1 - self.beta1**t)
        v_hat = s["v"] / (1 - self.beta2**t)
        return -self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


#: name → class, for dropdowns.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "SGD": SGD,
    "Momentum": Momentum,
    "Nesterov": Nesterov,
    "Adagrad": Adagrad,
    "RMSProp": RMSProp,
    "Adam": Adam,
}


def descend(
    optimizer: Optimizer,
    grad_fn: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]],
    params: Params,
    *,
    steps: int,
) -> tuple[dict[str, np.ndarray], str]:
    """Run ``steps`` updates of ``optimizer`` from ``params``; the path it takes.

    Each update takes ``grads = grad_fn(optimizer.lookahead(θ))`` and then
    ``θ = optimizer.step(θ, grads)``. Returns ``(path, stopped)``: ``path[k]`` has shape
    (n + 1, *params[k].shape), the starting point and the n points visited, and ``stopped``
    is ``""`` or says why the run ended early (n < ``steps``): a non-finite gradient or
    parameter, which is never passed on.
    """
    n = as_int("steps", steps, min_value=0)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a helpers.optim optimizer, got {type(optimizer).__name__}"
        )
    if not callable(grad_fn):
        raise TypeError("grad_fn must be a function params -> grads (a dict with the same keys)")
    current = {k: as_array(f"params[{k!r}]", v) for k, v in _as_mapping("params", params).items()}
    visited = [current]
    stopped = ""
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n):
            at = optimizer.lookahead(current)
            try:
                grads = grad_fn(at)
            except Exception as exc:  # the caller's function: say which call failed
                raise ValueError(
                    f"grad_fn failed on params with keys {sorted(at)} at update {i + 1}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            grads = _as_mapping("grad_fn(...)", grads)
            if not all(np.all(np.isfinite(g)) for g in grads.values()):
                stopped = f"gradient overflow (non-finite) at update {i + 1}"
                break
            try:
                new = optimizer.step(current, grads)
            except NonFiniteStepError as exc:
                what = "parameters" if exc.kind == "params" else "optimizer state (g²)"
                stopped = f"{what} overflow (non-finite) at update {i + 1}"
                break
            if not all(np.all(np.isfinite(p)) for p in new.values()):
                stopped = f"parameters overflow (non-finite) at update {i + 1}"
                break
            current = new
            visited.append(current)
    path = {k: np.stack([v[k] for v in visited]) for k in current}
    return path, stopped
