"""Many seeds at once: one stacked fit of M models against a loop of M separate fits.

The course's evidence rests on >= 8 seeds per claim (AUTHORING.md), so its experiments train
M models. ``helpers.train.fit`` given a stack (``train.init_stack``, every array with a
leading model axis) trains them as one batch of stacked matrix products; the loop calls
``fit`` once per seed. Both do the same arithmetic (the test suite checks model m of the
stack against the separate run of seed m to 1e-12); this measures the time.

Cases: (1) ``adding``: the adding problem (T = 30, B = 32, values shared by all seeds), 10
Adam steps with global-norm clipping at 1, full BPTT; cells rnn, gru (lstm at H = 32);
M = 8 and 16; H = 32 and 64. (2) ``cloze``: notebook 08's size, the "Jane said hi to __"
cloze test at distance 33 (one-hot words, V = 32, T = 37, B = 8 stories per seed, one
batch per seed), H = 16, M = 16.

One timing = init + fit of all M models, in **CPU seconds of this process**
(``time.process_time``: one BLAS thread, so it is the work done, and other processes on the
shared machine do not inflate it); interleaved (loop, stack, loop, stack, …).
Run alone: ``python benchmarks/bench_seeds.py [out.json]``.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import machine, summary

from helpers import gru, lm, lstm, optim, rnn, tasks, train

CELLS = {"rnn": rnn, "gru": gru, "lstm": lstm}
MODELS = (8, 16)
HIDDEN = (32, 64)
T, B, STEPS, CLIP, LR = 30, 32, 10, 1.0, 0.01
REPEAT = 3

Data = Callable[[int], tuple[np.ndarray, np.ndarray]]


def cpu_interleaved(funcs: dict[str, Callable[[], Any]], *, repeat: int) -> dict[str, list]:
    """CPU seconds of each function, round-robin, after one warm-up round (GC paused)."""
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for round_ in range(repeat + 1):
        for name, fn in funcs.items():
            gc.collect()
            gc.disable()
            try:
                start = time.process_time()
                fn()
                took = time.process_time() - start
            finally:
                gc.enable()
            if round_:
                times[name].append(took)
    return times


def _adding(M: int) -> tuple[Data, Callable[[int], Data], int, int, dict[str, Any]]:
    rng = np.random.default_rng(0)
    batches = [tasks.adding_problem(B, T, rng=rng) for _ in range(STEPS)]
    return batches.__getitem__, lambda m: batches.__getitem__, 2, 1, {}


def _cloze(M: int) -> tuple[Data, Callable[[int], Data], int, int, dict[str, Any]]:
    """Notebook 08's stories at distance 33, cut at the blank: one batch of 8 per seed."""
    V, b = len(tasks.VOCAB), 8
    rng = np.random.default_rng(0)
    per_step = []
    for _ in range(STEPS):
        st = tasks.stories(M * b, 6, rng=rng)
        t_blank = int(st.answer_pos[0])
        xs = lm.one_hot(st.tokens[:t_blank], V).reshape(t_blank, M, b, V).transpose(1, 0, 2, 3)
        ys = np.full((M, t_blank, b), -1)
        ys[:, -1] = st.answer.reshape(M, b)
        per_step.append((np.ascontiguousarray(xs), ys))

    def one(m: int) -> Data:
        return lambda step: (per_step[step][0][m], per_step[step][1][m])

    return per_step.__getitem__, one, V, V, {"loss": "xent_all"}


def case(
    cell_name: str, M: int, H: int, *, task: str = "adding", repeat: int = REPEAT
) -> dict[str, Any]:
    """Timings of the loop and the stack for one (cell, M, H, task), and their agreement."""
    cell = CELLS[cell_name]
    stacked, single, D, O, extra = (_adding if task == "adding" else _cloze)(M)
    seeds = list(range(M))
    fit_kw = {"steps": STEPS, "clip_norm": CLIP, **extra}

    def loop() -> list[dict[str, np.ndarray]]:
        out = []
        for m, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            params = {**cell.init(D, H, rng=rng), **train.readout_init(H, O, rng=rng)}
            final, _ = train.fit(cell, params, single(m), optimizer=optim.Adam(LR), **fit_kw)
            out.append(final)
        return out

    def stack() -> dict[str, np.ndarray]:
        params = train.init_stack(cell, D, H, O, seeds=seeds)
        final, _ = train.fit(cell, params, stacked, optimizer=optim.Adam(LR), **fit_kw)
        return final

    separate, together = loop(), stack()
    err = max(
        float(np.max(np.abs(together[k][m] - separate[m][k]) / (np.abs(separate[m][k]) + 1e-300)))
        for m in range(M)
        for k in separate[m]
    )
    times = cpu_interleaved({"loop": loop, "stack": stack}, repeat=repeat)
    loop_s, stack_s = summary(times["loop"]), summary(times["stack"])
    return {
        "cell": cell_name,
        "task": task,
        "M": M,
        "H": H,
        "loop": loop_s,
        "stack": stack_s,
        "speedup_median": loop_s["median_ms"] / stack_s["median_ms"],
        "max_rel_diff_params": err,
    }


def run(out: Path | None = None, *, repeat: int = REPEAT) -> dict[str, Any]:
    """Every case; written to ``out`` as JSON when given."""
    cases = [
        (name, M, H, "adding")
        for name in CELLS
        for H in HIDDEN
        for M in MODELS
        if name != "lstm" or H == 32
    ] + [("rnn", 16, 16, "cloze"), ("gru", 16, 16, "cloze")]
    res = {
        "machine": machine(),
        "setup": {
            "task": f"adding: adding problem, T = {T}, B = {B}, D = 2, O = 1, data shared by all"
            " seeds; cloze: notebook 08's stories at d = 33 (T = 37, B = 8 per seed, V = 32)",
            "fit": f"{STEPS} steps, Adam lr {LR}, global-norm clipping at {CLIP}, full BPTT",
            "timing": "CPU seconds (process_time) of init + fit of all M models, interleaved,"
            f" {repeat} repeats, 1 BLAS thread",
        },
        "cases": [case(c, M, H, task=t, repeat=repeat) for c, M, H, t in cases],
    }
    if out is not None:
        out.write_text(json.dumps(res, indent=1))
    return res


def report(res: dict[str, Any]) -> str:
    """A plain-text table of the results."""
    head = (
        f"{'task':>6} {'cell':>5} {'M':>3} {'H':>3} {'loop ms':>9} {'stack ms':>9} {'speed-up':>9}"
    )
    lines = [head]
    for c in res["cases"]:
        lines.append(
            f"{c.get('task', 'adding'):>6} {c['cell']:>5} {c['M']:>3} {c['H']:>3} "
            f"{c['loop']['median_ms']:>9.0f} {c['stack']['median_ms']:>9.0f} "
            f"{c['speedup_median']:>8.1f}x   (max rel. diff {c['max_rel_diff_params']:.0e})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(report(run(target)))
