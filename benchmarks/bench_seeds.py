"""Many seeds at once: one stacked fit of M models against a loop of M separate fits.

The course's evidence rests on >= 8 seeds per claim (AUTHORING.md), so its experiments train
M models. ``helpers.train.fit`` given a stack (``train.init_stack``, every array with a
leading model axis) trains them as one batch of stacked matrix products; the loop calls
``fit`` once per seed. Both do the same arithmetic (the test suite checks model m of the
stack against the separate run of seed m to 1e-12); this measures the time.

Case: the adding problem (T = 30, B = 32, values shared by all seeds), 10 Adam steps with
global-norm clipping at 1, full BPTT; cells rnn, gru, lstm; M = 8 and 16; H = 32 and 64.
One timing = init + fit of all M models. Interleaved (loop, stack, loop, stack, …), one
BLAS thread. Run alone: ``python benchmarks/bench_seeds.py [out.json]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import interleaved, machine, summary

from helpers import gru, lstm, optim, rnn, tasks, train

CELLS = {"rnn": rnn, "gru": gru, "lstm": lstm}
MODELS = (8, 16)
HIDDEN = (32, 64)
T, B, STEPS, CLIP, LR = 30, 32, 10, 1.0, 0.01
REPEAT = 3


def _data() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    return [tasks.adding_problem(B, T, rng=rng) for _ in range(STEPS)]


def case(cell_name: str, M: int, H: int, *, repeat: int = REPEAT) -> dict[str, Any]:
    """Timings of the loop and the stack for one (cell, M, H), and their agreement."""
    cell = CELLS[cell_name]
    batches = _data()
    seeds = list(range(M))
    fit_kw = {"steps": STEPS, "clip_norm": CLIP}

    def loop() -> list[dict[str, np.ndarray]]:
        out = []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            params = {**cell.init(2, H, rng=rng), **train.readout_init(H, 1, rng=rng)}
            final, _ = train.fit(
                cell, params, batches.__getitem__, optimizer=optim.Adam(LR), **fit_kw
            )
            out.append(final)
        return out

    def stack() -> dict[str, np.ndarray]:
        params = train.init_stack(cell, 2, H, 1, seeds=seeds)
        final, _ = train.fit(cell, params, batches.__getitem__, optimizer=optim.Adam(LR), **fit_kw)
        return final

    separate, together = loop(), stack()
    err = max(
        float(np.max(np.abs(together[k][m] - separate[m][k]) / (np.abs(separate[m][k]) + 1e-300)))
        for m in range(M)
        for k in separate[m]
    )
    times = interleaved({"loop": loop, "stack": stack}, repeat=repeat, warmup=1)
    loop_s, stack_s = summary(times["loop"]), summary(times["stack"])
    return {
        "cell": cell_name,
        "M": M,
        "H": H,
        "loop": loop_s,
        "stack": stack_s,
        "speedup_median": loop_s["median_ms"] / stack_s["median_ms"],
        "max_rel_diff_params": err,
    }


def run(out: Path | None = None, *, repeat: int = REPEAT) -> dict[str, Any]:
    """Every case; written to ``out`` as JSON when given."""
    res = {
        "machine": machine(),
        "setup": {
            "task": f"adding problem, T = {T}, B = {B}, D = 2, O = 1, data shared by all seeds",
            "fit": f"{STEPS} steps, Adam lr {LR}, global-norm clipping at {CLIP}, full BPTT",
            "timing": f"init + fit of all M models, interleaved, {repeat} repeats, 1 BLAS thread",
        },
        "cases": [
            case(name, M, H, repeat=repeat) for name in CELLS for H in HIDDEN for M in MODELS
        ],
    }
    if out is not None:
        out.write_text(json.dumps(res, indent=1))
    return res


def report(res: dict[str, Any]) -> str:
    """A plain-text table of the results."""
    lines = [f"{'cell':>5} {'M':>3} {'H':>3} {'loop ms':>9} {'stack ms':>9} {'speed-up':>9}"]
    for c in res["cases"]:
        lines.append(
            f"{c['cell']:>5} {c['M']:>3} {c['H']:>3} {c['loop']['median_ms']:>9.0f} "
            f"{c['stack']['median_ms']:>9.0f} {c['speedup_median']:>8.1f}x"
            f"   (max rel. diff {c['max_rel_diff_params']:.0e})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(report(run(target)))
