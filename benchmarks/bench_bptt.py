"""BPTT speed: ``helpers.rnn/lstm/gru`` forward + backward against ``torch.nn.RNN/LSTM/GRU``.

Case: T = 100 steps, batch B = 32, input D = 2, hidden H = 64, float64 and float32, the
loss L = Σ_t Σ (G_t ⊙ h_t) with a fixed random G (so ∂L/∂h_t = G_t at every step). One
timed call = forward + backward (all parameter gradients). The two implementations are
timed interleaved (numpy, torch, numpy, torch, …) in one process; the result is the
median of each and their ratio. Before timing, the weights are copied across (helpers'
layout is torch's: ``Wx`` = ``weight_ih_l0``, ``Wh`` = ``weight_hh_l0``; ``b`` =
``bias_ih_l0 + bias_hh_l0`` for RNN/LSTM, ``bx``/``bh`` = ``bias_ih_l0``/``bias_hh_l0``
for the GRU) and the states and gradients compared.

Run it with the benchmark venv that has torch (``make bench`` sets it up); without torch
only the numpy timings are reported. ``python benchmarks/bench_bptt.py OUT.json`` writes
the JSON there and prints a summary.
"""

from __future__ import annotations

import cProfile
import importlib
import io
import json
import pstats
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import interleaved, machine, summary

T, B, D, H = 100, 32, 2, 64
CELLS = ("rnn", "lstm", "gru")
TORCH_CLASS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
#: Relative error (max |a − b| / max |b|) accepted as "the same result".
AGREE = {"float64": 1e-12, "float32": 1e-4}


def _import_torch() -> Any | None:
    """torch, or None when it is not installed (its import warnings are silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import torch
        except Exception:
            return None
    return torch


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    scale = float(np.max(np.abs(b)))
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - b)) / (scale if scale else 1.0))


def _case(cell: str, dtype: type, seed: int = 0) -> tuple[Any, dict, np.ndarray, np.ndarray]:
    """(module, params, xs, dhs) for one cell, with non-zero biases."""
    module = importlib.import_module(f"helpers.{cell}")
    rng = np.random.default_rng(seed)
    params = module.init(D, H, rng=rng)
    for name in params:
        if name.startswith("b"):
            params[name] = params[name] + rng.uniform(-0.2, 0.2, size=params[name].shape)
    params = {k: v.astype(dtype) for k, v in params.items()}
    xs = rng.normal(size=(T, B, D)).astype(dtype)
    dhs = rng.normal(size=(T, B, H)).astype(dtype)
    return module, params, xs, dhs


def _torch_model(torch: Any, cell: str, params: dict, dtype: type, rng: np.random.Generator):
    """The torch module with the helpers' weights (biases split at random between ih/hh)."""
    tdtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    model = getattr(torch.nn, TORCH_CLASS[cell])(D, H, dtype=tdtype)
    with torch.no_grad():
        model.weight_ih_l0.copy_(torch.from_numpy(params["Wx"]))
        model.weight_hh_l0.copy_(torch.from_numpy(params["Wh"]))
        if cell == "gru":
            model.bias_ih_l0.copy_(torch.from_numpy(params["bx"]))
            model.bias_hh_l0.copy_(torch.from_numpy(params["bh"]))
        else:
            share = rng.uniform(0, 1, size=params["b"].shape).astype(dtype)
            model.bias_ih_l0.copy_(torch.from_numpy(params["b"] * share))
            model.bias_hh_l0.copy_(torch.from_numpy(params["b"] - params["b"] * share))
    return model


def _torch_grads(model: Any, cell: str) -> dict[str, np.ndarray]:
    g = {"Wx": model.weight_ih_l0.grad.numpy(), "Wh": model.weight_hh_l0.grad.numpy()}
    if cell == "gru":
        g["bx"], g["bh"] = model.bias_ih_l0.grad.numpy(), model.bias_hh_l0.grad.numpy()
    else:
        g["b"] = model.bias_ih_l0.grad.numpy()  # = bias_hh's: both enter as a plain sum
    return g


def agreement(torch: Any, cell: str, dtype: type) -> dict[str, float]:
    """Max relative error of states and of each gradient, helpers vs torch, same weights."""
    module, params, xs, dhs = _case(cell, dtype, seed=1)
    model = _torch_model(torch, cell, params, dtype, np.random.default_rng(2))
    hs, cache = module.forward(params, xs)
    grads, _ = module.backward(dhs, cache)
    out, _ = model(torch.from_numpy(xs))
    out.backward(torch.from_numpy(dhs))
    errors = {"hs": _rel(hs, out.detach().numpy())}
    for name, ref in _torch_grads(model, cell).items():
        errors[f"d{name}"] = _rel(grads[name], ref)
    return errors


def profile_numpy(cell: str, dtype: type = np.float64, calls: int = 20) -> list[dict[str, Any]]:
    """cProfile of ``calls`` forward + backward calls: the 8 entries with most own time."""
    module, params, xs, dhs = _case(cell, dtype)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        _, cache = module.forward(params, xs)
        module.backward(dhs, cache)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (file, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        where = func if file == "~" else f"{Path(file).name}:{line}({func})"
        rows.append(
            {
                "function": where,
                "calls_per_run": ncalls / calls,
                "own_ms_per_run": 1e3 * tottime / calls,
                "cum_ms_per_run": 1e3 * cumtime / calls,
            }
        )
    rows.sort(key=lambda r: -r["own_ms_per_run"])
    return rows[:8]


def run(out_path: Path | None = None, *, repeat: int = 40) -> dict[str, Any]:
    """Time every available cell in both dtypes, against torch when it is importable."""
    torch = _import_torch()
    result: dict[str, Any] = {
        "case": {"T": T, "B": B, "D": D, "H": H, "timed": "forward + backward"},
        "machine": machine(),
        "torch": None if torch is None else torch.__version__,
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "cells": {},
    }
    if torch is None:
        result["skipped"] = "torch is not importable here: numpy timings only"
    for cell in CELLS:
        try:
            importlib.import_module(f"helpers.{cell}")
        except ImportError:
            result["cells"][cell] = {"skipped": f"helpers.{cell} does not exist yet"}
            continue
        entry: dict[str, Any] = {}
        for dtype in (np.float64, np.float32):
            dname = np.dtype(dtype).name
            module, params, xs, dhs = _case(cell, dtype)

            def numpy_call(module=module, params=params, xs=xs, dhs=dhs) -> None:
                _, cache = module.forward(params, xs)
                module.backward(dhs, cache)

            funcs = {"numpy": numpy_call}
            if torch is not None:
                model = _torch_model(torch, cell, params, dtype, np.random.default_rng(3))
                tx, tg = torch.from_numpy(xs), torch.from_numpy(dhs)

                def torch_call(model=model, tx=tx, tg=tg) -> None:
                    model.zero_grad(set_to_none=True)
                    out, _ = model(tx)
                    out.backward(tg)

                funcs["torch"] = torch_call
            times = interleaved(funcs, repeat=repeat, warmup=5)
            row: dict[str, Any] = {name: summary(ts) for name, ts in times.items()}
            if torch is not None:
                row["ratio_numpy_over_torch"] = (
                    row["numpy"]["median_ms"] / row["torch"]["median_ms"]
                )
                errs = agreement(torch, cell, dtype)
                row["max_rel_error"] = errs
                row["agree"] = max(errs.values()) < AGREE[dname]
            entry[dname] = row
        entry["profile_float64"] = profile_numpy(cell)
        result["cells"][cell] = entry
    if out_path is not None:
        Path(out_path).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return result


def report(result: dict[str, Any]) -> str:
    """A few lines for the console."""
    lines = []
    if result.get("skipped"):
        lines.append(f"  ({result['skipped']})")
    for cell in [c for c in CELLS if c in result["cells"]]:
        entry = result["cells"][cell]
        if "skipped" in entry:
            lines.append(f"  {cell}: skipped, {entry['skipped']}")
            continue
        for dname in ("float64", "float32"):
            row = entry[dname]
            text = f"  {cell:4s} {dname}: numpy {row['numpy']['median_ms']:.2f} ms"
            if "torch" in row:
                worst = max(row["max_rel_error"].values())
                text += (
                    f", torch {row['torch']['median_ms']:.2f} ms, ratio "
                    f"{row['ratio_numpy_over_torch']:.2f}, max rel. error {worst:.1e}"
                    f" ({'agree' if row['agree'] else 'DISAGREE'})"
                )
            lines.append(text)
    return "\n".join(lines)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    res = run(out)
    print(report(res))
