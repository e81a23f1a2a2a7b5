"""Optimizers on parameter dicts: SGD, momentum, Nesterov, Adagrad, RMSProp, Adam.

One interface, functional in the parameters::

    opt = optim.RMSProp(lr=0.01)
    at = opt.lookahead(params)        # where to evaluate the gradient (θ itself, but for NAG)
    grads = gradient_of_loss(at)
    params = opt.step(params, grads)  # new dict; inputs are not modified

The state (velocities, accumulators) lives in the optimizer, keyed by parameter name,
so it works for any model whose gradients share the parameters' keys.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from helpers._validate import as_array, as_float

Params = Mapping[str, np.ndarray]


class Optimizer:
    """Base class: ``lookahead`` (identity) and ``step`` (subclasses define ``_update``)."""

    def __init__(self, lr: float) -> None:
        self.lr = as_float("lr", lr, positive=True)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0

    def lookahead(self, params: Params) -> dict[str, np.ndarray]:
        """The point where the next gradient should be taken (θ for all but Nesterov)."""
        return dict(params)

    def step(self, params: Params, grads: Params) -> dict[str, np.ndarray]:
        """One update: a new parameter dict from ``params`` and ``grads`` (same keys)."""
        if set(params) != set(grads):
            raise ValueError(f"grads keys {sorted(grads)} differ from params keys {sorted(params)}")
        self.t += 1
        new = {}
        for k, p in params.items():
            g = as_array(f"grads[{k!r}]", grads[k], shape=np.shape(p))
            new[k] = np.asarray(p) + self._update(k, g, self.state.setdefault(k, {}))
        return new

    def _update(self, key: str, g: np.ndarray, s: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in vars(self).items() if isinstance(v, float))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """θ ← θ − η g."""

    def _update(self, key, g, s):
        return -self.lr * g


class Momentum(Optimizer):
    """Classical momentum: v ← μ v − η g;  θ ← θ + v."""

    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = as_float("momentum", momentum, min_value=0.0, max_value=1.0)

    def _update(self, key, g, s):
        v = self.momentum * s.get("v", 0.0) - self.lr * g
        s["v"] = v
        return v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient in the form of Sutskever et al. (2013):

    v ← μ v − η ∇f(θ + μ v);  θ ← θ + v. ``lookahead`` returns θ + μ v, where the
    gradient passed to ``step`` must be evaluated.
    """

    def lookahead(self, params):
        return {k: np.asarray(p) + self.momentum * self.state.get(k, {}).get("v", 0.0)
                for k, p in params.items()}


class Adagrad(Optimizer):
    """θ ← θ − η g / √(Σ_i g_i² + ε) (seed 002's formula, with ε for a zero gradient)."""

    def __init__(self, lr: float, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.eps = as_float("eps", eps, positive=True)

    def _update(self, key, g, s):
        s["sum_sq"] = s.get("sum_sq", 0.0) + g * g
        return -self.lr * g / np.sqrt(s["sum_sq"] + self.eps)


class RMSProp(Optimizer):
    """Seed 002's RMSProp: σ⁰ = |g⁰|, σᵗ = √(α (σᵗ⁻¹)² + (1 − α)(gᵗ)²), θ ← θ − η gᵗ / σᵗ.

    (PyTorch's ``RMSprop`` starts its average at 0 instead of g⁰², so its first steps
    are larger by 1/√(1 − α); both agree once the average has warmed up.)
    """

    def __init__(self, lr: float, alpha: float = 0.9, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.alpha = as_float("alpha", alpha, min_value=0.0, max_value=1.0)
        self.eps = as_float("eps", eps, positive=True)

    def _update(self, key, g, s):
        if "sq" not in s:
            s["sq"] = g * g
        else:
            s["sq"] = self.alpha * s["sq"] + (1 - self.alpha) * g * g
        return -self.lr * g / np.sqrt(s["sq"] + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1 = as_float("beta1", beta1, min_value=0.0, max_value=1.0)
        self.beta2 = as_float("beta2", beta2, min_value=0.0, max_value=1.0)
        self.eps = as_float("eps", eps, positive=True)

    def _update(self, key, g, s):
        s["m"] = self.beta1 * s.get("m", 0.0) + (1 - self.beta1) * g
        s["v"] = self.beta2 * s.get("v", 0.0) + (1 - self.beta2) * g * g
        m_hat = s["m"] / (1 - self.beta1**self.t)
        v_hat = s["v"] / (1 - self.beta2**self.t)
        return -self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


#: name → class, for dropdowns.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov,
    "Adagrad": Adagrad, "RMSProp": RMSProp, "Adam": Adam,
}
