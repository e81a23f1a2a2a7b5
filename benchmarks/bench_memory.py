"""Memory of BPTT as the sequence grows: full vs truncated.

For T = 100 … 1600 (B = 32, D = 2, H = 64, float64) three ways to get a gradient:

* **full**: ``forward`` over all T steps, ``backward`` (full BPTT);
* **truncate=k on the full cache**: the same forward, ``backward(truncate=k)``; the
  gradient is truncated but every state is still stored;
* **chunked (k1 = k2 = k)**: the sequence cut into chunks of k steps, each chunk run
  forward from the last state of the previous one and backpropagated on its own (the
  usual "truncated BPTT" of training loops): only one chunk's states are alive.

Reported per case: ``Cache.nbytes`` (stored activations: inputs, initial state, hidden
states; the largest cache alive at once) and the tracemalloc peak of forward + backward
(every NumPy allocation, temporaries included), above what existed before the call.
LSTM and GRU caches are listed for full BPTT when those modules exist.
"""

from __future__ import annotations

import importlib
import json
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import machine

from helpers import rnn

LENGTHS = (100, 200, 400, 800, 1600)
B, D, H, K = 32, 2, 64, 20


def _peak(fn: Callable[[], int]) -> tuple[int, int]:
    """(value returned by fn, peak bytes allocated above the start) under tracemalloc."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        value = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return value, peak


def _cases(
    module: Any, params: dict, xs: np.ndarray, dhs: np.ndarray
) -> dict[str, Callable[[], int]]:
    def full() -> int:
        _, cache = module.forward(params, xs)
        module.backward(dhs, cache)
        return cache.nbytes

    def truncated_on_full_cache() -> int:
        _, cache = module.forward(params, xs)
        module.backward(dhs, cache, truncate=K)
        return cache.nbytes

    def chunked() -> int:
        h, largest = None, 0
        for start in range(0, xs.shape[0], K):
            hs, cache = module.forward(params, xs[start : start + K], h)
            module.backward(dhs[start : start + K], cache)
            largest = max(largest, cache.nbytes)
            h = hs[-1].copy()  # carried forward, not backpropagated through (detached)
            del hs, cache
        return largest

    return {
        "full": full,
        f"truncate={K} (full cache)": truncated_on_full_cache,
        f"chunked k1=k2={K}": chunked,
    }


def run(out_path: Path | None = None) -> dict[str, Any]:
    """Stored-activation bytes and allocation peaks for each T and each way."""
    rng = np.random.default_rng(0)
    result: dict[str, Any] = {
        "machine": machine(),
        "case": {"B": B, "D": D, "H": H, "k": K},
        "rows": [],
    }
    cells = {"rnn": rnn}
    for name in ("lstm", "gru"):
        try:
            cells[name] = importlib.import_module(f"helpers.{name}")
        except ImportError:
            result.setdefault("skipped", []).append(f"helpers.{name} does not exist yet")
    for T in LENGTHS:
        xs = rng.normal(size=(T, B, D))
        dhs = rng.normal(size=(T, B, H))
        for cell, module in cells.items():
            params = module.init(D, H, rng=rng)
            cases = _cases(module, params, xs, dhs)
            if cell != "rnn":
                cases = {"full": cases["full"]}
            for how, fn in cases.items():
                stored, peak = _peak(fn)
                result["rows"].append(
                    {"cell": cell, "T": T, "how": how, "stored_bytes": stored, "peak_bytes": peak}
                )
    if out_path is not None:
        Path(out_path).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return result


def report(result: dict[str, Any]) -> str:
    """A table for the console (MiB)."""
    lines = [f"  {'cell':4s} {'T':>5s}  {'how':28s} {'stored MiB':>10s} {'peak MiB':>9s}"]
    for r in result["rows"]:
        lines.append(
            f"  {r['cell']:4s} {r['T']:5d}  {r['how']:28s} {r['stored_bytes'] / 2**20:10.2f}"
            f" {r['peak_bytes'] / 2**20:9.2f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    res = run(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(report(res))
