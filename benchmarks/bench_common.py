"""Shared pieces of the benchmarks: interleaved timing, robust summaries, machine details.

Machines are shared and noisy, so every comparison is measured *interleaved* (A, B, A, B…
in one process, in the same minutes) and summarised by medians and the 95th percentile;
ratios are taken between numbers measured side by side, never against a stored baseline.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def summary(seconds: list[float] | np.ndarray) -> dict[str, float]:
    """``{"n", "median_ms", "p95_ms", "min_ms", "max_ms"}`` of a list of durations in seconds."""
    ts = np.asarray(seconds, dtype=float) * 1e3
    if ts.size == 0:
        raise ValueError("summary of an empty list of timings")
    return {
        "n": int(ts.size),
        "median_ms": float(np.median(ts)),
        "p95_ms": float(np.percentile(ts, 95)),
        "min_ms": float(ts.min()),
        "max_ms": float(ts.max()),
    }


def interleaved(
    funcs: Mapping[str, Callable[[], Any]], *, repeat: int, warmup: int = 3
) -> dict[str, list[float]]:
    """Time each function ``repeat`` times, round-robin (A B C A B C …), after ``warmup`` rounds.

    The garbage collector is paused during each call (and run between rounds) so that a
    collection triggered by one function is not billed to the next.
    """
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for round_ in range(warmup + repeat):
        for name, fn in funcs.items():
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                fn()
                took = time.perf_counter() - start
            finally:
                gc.enable()
            if round_ >= warmup:
                times[name].append(took)
    return times


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or platform.processor())."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info() -> list[dict[str, Any]]:
    """BLAS/OpenMP libraries in use (threadpoolctl when installed, else numpy's build config)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        keep = ("internal_api", "version", "num_threads", "threading_layer", "architecture")
        return [{k: lib.get(k) for k in keep} for lib in threadpool_info()]
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return [
            {
                "internal_api": blas.get("name"),
                "version": blas.get("version"),
                "configuration": blas.get("openblas configuration"),
            }
        ]
    except Exception as exc:  # show_config's layout is not a stable API
        return [{"error": f"could not read numpy's BLAS configuration: {exc}"}]


def machine() -> dict[str, Any]:
    """What the numbers depend on: CPU, cores, load, Python and library versions, BLAS."""
    import matplotlib

    try:
        import PIL

        pillow = PIL.__version__
    except ImportError:
        pillow = None
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in load] if load else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "pillow": pillow,
        "blas": blas_info(),
    }


def write_json(name: str, data: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` (pretty, sorted keys) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def fmt_ms(ms: float) -> str:
    """A duration in ms with about 3 significant digits."""
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"
