"""Gradient checkpointing against full BPTT: the time ratio, measured in the same run.

For T = 100, 400, 1600 (B = 32, D = 2, H = 64, float64, tanh) one gradient (forward +
backward) by ``rnn.forward`` + ``rnn.backward`` (full BPTT, all T states kept) and by
``checkpoint.forward`` + ``checkpoint.backward`` (stride ⌈√T⌉: every segment rerun
forward in the backward pass). The two are timed interleaved in one process and reported
as the ratio of their medians, next to the states each keeps alive (counted, not timed).
The gradients are compared first. Counting step evaluations predicts a ratio of 3/2
(T forward + T recomputed + T backward against T + T) if a forward step costs what a
backward step costs; the measured ratio says how far that holds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import interleaved, machine, summary

from helpers import checkpoint, rnn

LENGTHS = (100, 400, 1600)
B, D, H = 32, 2, 64
REPEAT = 15


def run(out_path: Path | None = None) -> dict[str, Any]:
    """Median times of both methods and their ratio, for each T."""
    rng = np.random.default_rng(0)
    params = rnn.init(D, H, rng=rng)
    result: dict[str, Any] = {"machine": machine(), "case": {"B": B, "D": D, "H": H}, "rows": []}
    for T in LENGTHS:
        xs = rng.normal(size=(T, B, D))
        dhs = rng.normal(size=(T, B, H))

        def full(xs: np.ndarray = xs, dhs: np.ndarray = dhs) -> Any:
            _, cache = rnn.forward(params, xs)
            return rnn.backward(dhs, cache)[0]

        def ckpt(xs: np.ndarray = xs, dhs: np.ndarray = dhs) -> Any:
            _, c = checkpoint.forward(params, xs)
            return checkpoint.backward(dhs, c)[0]

        g_full, g_ckpt = full(), ckpt()
        err = max(
            float(np.max(np.abs(g_ckpt[k] - g_full[k])) / np.max(np.abs(g_full[k]))) for k in g_full
        )
        times = interleaved({"full": full, "checkpoint": ckpt}, repeat=REPEAT)
        s_full, s_ckpt = summary(times["full"]), summary(times["checkpoint"])
        result["rows"].append(
            {
                "T": T,
                "max_rel_difference": err,
                "full": s_full,
                "checkpoint": s_ckpt,
                "time_ratio": s_ckpt["median_ms"] / s_full["median_ms"],
                "states_full": checkpoint.stored_states(T, method="full"),
                "states_checkpoint": checkpoint.stored_states(T, method="checkpoint"),
            }
        )
    if out_path is not None:
        Path(out_path).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return result


def report(result: dict[str, Any]) -> str:
    """A table for the console."""
    lines = [
        f"  {'T':>5s} {'full ms':>8s} {'ckpt ms':>8s} {'ratio':>6s} {'states full':>11s}"
        f" {'states ckpt':>11s} {'max rel diff':>12s}"
    ]
    for r in result["rows"]:
        lines.append(
            f"  {r['T']:5d} {r['full']['median_ms']:8.2f} {r['checkpoint']['median_ms']:8.2f}"
            f" {r['time_ratio']:6.2f} {r['states_full']:11d} {r['states_checkpoint']:11d}"
            f" {r['max_rel_difference']:12.1e}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    res = run(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(report(res))
