"""From NumPy to PyTorch: every row of notebook 07's mapping table, checked against torch.

Notebook 07 (``## Going further``, "From NumPy to PyTorch") maps what the course wrote by
hand to what students will call in PyTorch, with the differences. Each row is a check here:

- ``detach``: a sequence cut into chunks, each run with ``rnn.forward(params, chunk, h0=h)``
  from the carried state with full BPTT inside the chunk, gives torch's gradient with
  ``h = h.detach()`` between chunks (k1 = k2);
- ``clip_grad_norm_`` / ``clip_grad_value_``: ``clip.clip_by_global_norm`` /
  ``clip.clip_by_value`` on the same gradients (torch adds 1e-6 to the norm);
- the optimizers, run side by side on the same quadratic for 20 steps: ``Momentum`` =
  ``SGD(momentum)``; ``Nesterov``'s θ + μv = ``SGD(momentum, nesterov=True)``'s
  parameters; ``Adagrad`` and ``Adam`` = torch's (ε negligible here); ``RMSProp`` differs
  as stated — torch's first step is 1/√(1 − α) times the course's, and from the same
  σ⁰ = |g⁰| start (torch's state seeded) they agree.

The gate order and biases of ``nn.RNN``/``nn.LSTM``/``nn.GRU`` are checked by
``bench_bptt.py``. Run in the benchmark venv that has torch (``make bench BENCH="--only
torchmap"``); ``python benchmarks/bench_torch_mapping.py OUT.json`` writes the results.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from helpers import clip, optim, rnn

#: Relative error accepted as "the same" in float64.
AGREE = 1e-10


def _torch() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch
    torch.set_default_dtype(torch.float64)
    return torch


def _rel(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = float(np.max(np.abs(b))) or 1.0
    return float(np.max(np.abs(a - b)) / scale)


def check_detach() -> float:
    """Chunked truncated BPTT with a carried state (k1 = k2) against torch's ``detach``."""
    torch = _torch()
    rng = np.random.default_rng(0)
    T, B, D, H, K = 12, 3, 2, 5, 4
    params = rnn.init(D, H, rng=rng)
    params["b"] = rng.normal(size=H) * 0.1
    xs = rng.normal(size=(T, B, D))
    G = rng.normal(size=(T, B, H))  # the loss Σ_t Σ G_t ⊙ h_t
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    h = np.zeros((B, H))
    for start in range(0, T, K):
        hs, cache = rnn.forward(params, xs[start : start + K], h0=h)
        g, _ = rnn.backward(G[start : start + K], cache)
        grads = {k: grads[k] + g[k] for k in grads}
        h = hs[-1]
    cell = torch.nn.RNN(D, H, nonlinearity="tanh")
    with torch.no_grad():
        cell.weight_ih_l0.copy_(torch.tensor(params["Wx"]))
        cell.weight_hh_l0.copy_(torch.tensor(params["Wh"]))
        cell.bias_ih_l0.copy_(torch.tensor(params["b"]))
        cell.bias_hh_l0.zero_()
    ht = torch.zeros(1, B, H)
    loss = 0.0
    for start in range(0, T, K):
        out, ht = cell(torch.tensor(xs[start : start + K]), ht)
        loss = loss + (out * torch.tensor(G[start : start + K])).sum()
        ht = ht.detach()
    loss.backward()
    return max(
        _rel(grads["Wx"], cell.weight_ih_l0.grad),
        _rel(grads["Wh"], cell.weight_hh_l0.grad),
        _rel(grads["b"], cell.bias_ih_l0.grad),
    )


def _grads(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "Wx": rng.normal(size=(4, 3)) * 3,
        "Wh": rng.normal(size=(4, 4)),
        "b": rng.normal(size=4),
    }


def check_clip_norm() -> float:
    """``clip_grad_norm_`` is ``g · min(1, c / (‖g‖ + 1e-6))`` with ‖g‖ the course's
    ``global_norm``, and returns that norm; the course's ``clip_by_global_norm`` (no 1e-6)
    then differs from it by about 1e-6 / ‖g‖ relative, and is checked to that bound."""
    torch = _torch()
    worst = 0.0
    for seed, max_norm in [(1, 1.0), (2, 100.0), (3, 2.5)]:
        g = _grads(np.random.default_rng(seed))
        ours, norm = clip.clip_by_global_norm(g, max_norm)
        tensors = [torch.zeros(v.shape, requires_grad=True) for v in g.values()]
        for t, v in zip(tensors, g.values(), strict=True):
            t.grad = torch.tensor(v)
        total = float(torch.nn.utils.clip_grad_norm_(tensors, max_norm))
        worst = max(worst, _rel(norm, total))
        coef = min(1.0, max_norm / (norm + 1e-6))
        for t, k in zip(tensors, g, strict=True):
            worst = max(worst, _rel(t.grad, g[k] * coef))
            if _rel(ours[k], t.grad) > 2e-6 / norm:
                return float("inf")
    return worst


def check_clip_value() -> float:
    """``clip.clip_by_value`` against ``clip_grad_value_``."""
    torch = _torch()
    g = _grads(np.random.default_rng(4))
    ours = clip.clip_by_value(g, 0.7)
    tensors = [torch.zeros(v.shape, requires_grad=True) for v in g.values()]
    for t, v in zip(tensors, g.values(), strict=True):
        t.grad = torch.tensor(v)
    torch.nn.utils.clip_grad_value_(tensors, 0.7)
    return max(_rel(ours[k], t.grad) for t, k in zip(tensors, g, strict=True))


_A = np.diag([1.0, 10.0])  # the quadratic E = ½ θᵀAθ, gradient Aθ
_THETA0 = np.array([1.0, -0.5])


def _course_path(opt: optim.Optimizer, steps: int = 20) -> list[np.ndarray]:
    theta = {"w": _THETA0.copy()}
    path = []
    for _ in range(steps):
        at = opt.lookahead(theta)
        theta = opt.step(theta, {"w": _A @ at["w"]})
        path.append(theta["w"].copy())
    return path


def _torch_path(make: Any, steps: int = 20, seed_state: Any = None) -> list[np.ndarray]:
    torch = _torch()
    w = torch.tensor(_THETA0, requires_grad=True)
    opt = make([w])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * w @ torch.tensor(_A) @ w).backward()
        if seed_state is not None and not opt.state:
            seed_state(opt, w)
        opt.step()
        path.append(w.detach().numpy().copy())
    return path


def check_optimizers() -> dict[str, float]:
    """Each course optimizer against torch.optim on the same quadratic (20 steps)."""
    torch = _torch()
    out: dict[str, float] = {}
    lr, mu = 0.05, 0.9
    ours = _course_path(optim.Momentum(lr, momentum=mu))
    theirs = _torch_path(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu))
    out["Momentum ↔ SGD(momentum)"] = max(_rel(a, b) for a, b in zip(ours, theirs, strict=True))
    nag = optim.Nesterov(lr, momentum=mu)
    theta = {"w": _THETA0.copy()}
    look = []
    for _ in range(20):
        at = nag.lookahead(theta)
        theta = nag.step(theta, {"w": _A @ at["w"]})
        look.append(nag.lookahead(theta)["w"].copy())  # θ + μv
    theirs = _torch_path(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu, nesterov=True))
    out["Nesterov θ + μv ↔ SGD(nesterov=True)"] = max(
        _rel(a, b) for a, b in zip(look, theirs, strict=True)
    )
    ours = _course_path(optim.Adagrad(0.1, eps=1e-30))
    theirs = _torch_path(lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-30))
    out["Adagrad ↔ Adagrad"] = max(_rel(a, b) for a, b in zip(ours, theirs, strict=True))
    ours = _course_path(optim.Adam(0.05, eps=1e-30))
    theirs = _torch_path(lambda p: torch.optim.Adam(p, lr=0.05, eps=1e-30))
    out["Adam ↔ Adam"] = max(_rel(a, b) for a, b in zip(ours, theirs, strict=True))
    alpha = 0.9
    first_ours = _course_path(optim.RMSProp(0.01, alpha=alpha, eps=1e-30), steps=1)[0] - _THETA0
    first_torch = (
        _torch_path(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=alpha, eps=1e-30), steps=1)[0]
        - _THETA0
    )
    out["RMSprop first step = 1/√(1 − α) × course's"] = _rel(
        first_torch, first_ours / np.sqrt(1 - alpha)
    )

    def seed_sigma(opt: Any, w: Any) -> None:  # σ⁰ = |g⁰|: torch's average starts at g⁰²
        opt.state[w] = {
            "step": torch.tensor(0.0),
            "square_avg": (w.grad.detach() ** 2 - (1 - alpha) * w.grad.detach() ** 2) / alpha,
        }

    ours = _course_path(optim.RMSProp(0.01, alpha=alpha, eps=1e-30))
    theirs = _torch_path(
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=alpha, eps=1e-30), seed_state=seed_sigma
    )
    out["RMSProp ↔ RMSprop from σ⁰ = |g⁰|"] = max(
        _rel(a, b) for a, b in zip(ours, theirs, strict=True)
    )
    return out


def run(out_path: Path | None = None) -> dict[str, Any]:
    """Every check; ``ok`` when its relative error is below AGREE."""
    torch = _torch()
    errors = {
        "detach between chunks ↔ chunks from the carried state": check_detach(),
        "clip_grad_norm_ ↔ clip_by_global_norm": check_clip_norm(),
        "clip_grad_value_ ↔ clip_by_value": check_clip_value(),
        **check_optimizers(),
    }
    res = {
        "torch": torch.__version__,
        "agree": AGREE,
        "rows": [{"row": k, "rel_error": v, "ok": v < AGREE} for k, v in errors.items()],
    }
    if out_path is not None:
        out_path.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    return res


def report(res: dict[str, Any]) -> str:
    lines = [
        f"== torch mapping (torch {res.get('torch')}; "
        f"same when relative error < {res.get('agree')})"
    ]
    for row in res.get("rows", []):
        mark = "✓" if row["ok"] else "✘"
        lines.append(f"  {mark} {row['row']}: relative error {row['rel_error']:.1e}")
    return "\n".join(lines)


if __name__ == "__main__":
    result = run(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(report(result))
    sys.exit(0 if all(r["ok"] for r in result["rows"]) else 1)
