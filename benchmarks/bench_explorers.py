"""Explorer latency without a browser: one ``update`` = compute + draw + PNG, per explorer.

Every explorer in ``helpers.explorers.ALL`` is built by its builder and driven through a
sweep of every control (``STEPS`` evenly spaced values from its minimum to its maximum,
or every option of a dropdown), one control moved per update, as a student moves them.
Each update is timed with the figure encoded exactly as the widget gets it.

That coarse sweep jumps across each control's range, so it mostly measures moves that
change the axes' limits. What a student does most, a key press or a drag, moves a slider
by one step of its grid: a second measurement, the *step moves*, moves each control from
its default one step up and back, one step down and back (the neighbouring option of a
dropdown), ``STEP_REPEATS`` times, timed the same way with its own interleaved naive
redraws. Both report which drawing path each update took (``Explorer.frames``).

The reference, timed interleaved with the updates (one after each), is the *naive
redraw*: a new 6 × 3.5 in figure with two 1000-point lines, saved to PNG (what a
``clear_output`` + ``plt.show()`` explorer does, without ``bbox_inches="tight"``, which
makes it slower still; that variant is measured too). The goal: every explorer's p95
at or below the naive redraw's median. The route the explorers used before
(``Figure.savefig``, layout solved at every update, RGBA) is timed alongside for comparison.
"""

from __future__ import annotations

import io
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import machine, summary

from helpers.explorers.base import on_grid

STEPS = 6
PASSES = 2
#: How many times each control is moved one step up and back, and one step down and back.
STEP_REPEATS = 3
_X = np.linspace(0.0, 10.0, 1000)


def naive_redraw(tight: bool = False) -> int:
    """New 6 × 3.5 in pyplot figure, two 1000-point lines, PNG; returns the PNG's size."""
    fig = plt.figure(figsize=(6, 3.5), dpi=100)
    ax = fig.add_subplot()
    ax.plot(_X, np.sin(_X))
    ax.plot(_X, np.cos(_X))
    ax.set_xlabel("x")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight" if tight else None)
    plt.close(fig)
    return buf.tell()


def savefig_route(explorer) -> int:
    """The route before the optimisation, for comparison: draw + ``savefig`` (which solves
    the constrained layout again and encodes RGBA); returns the PNG's size."""
    explorer._draw(**explorer.values)
    buf = io.BytesIO()
    explorer.figure.savefig(
        buf, format="png", pil_kwargs={"compress_level": 1}, metadata={"Software": None}
    )
    return buf.tell()


def sweep_values(control: widgets.ValueWidget, steps: int = STEPS) -> list[Any]:
    """The values a sweep visits: ``steps`` from min to max (on the slider's grid, as a
    browser would send them; of a selection slider's options when it has more), or every
    option."""
    if isinstance(control, (widgets.FloatLogSlider, widgets.IntSlider, widgets.FloatSlider)):
        if isinstance(control, widgets.FloatLogSlider):
            targets = 10.0 ** np.linspace(control.min, control.max, steps)
        else:
            targets = np.linspace(control.min, control.max, steps)
        values = sorted({on_grid(control, float(v)) for v in targets})
        return [int(v) for v in values] if isinstance(control, widgets.IntSlider) else values
    if isinstance(control, widgets.BoundedIntText):
        return sorted({round(float(v)) for v in np.linspace(control.min, control.max, steps)})
    if isinstance(control, widgets.BoundedFloatText):
        return [float(v) for v in np.linspace(control.min, control.max, steps)]
    if isinstance(control, widgets.Checkbox):
        return [not control.value, control.value]
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        if isinstance(control, widgets.SelectionSlider) and len(options) > steps:
            # ``steps`` spread from end to end, as along a numeric slider (nb07's k_exp: 181)
            return [
                options[i]
                for i in sorted({round(i) for i in np.linspace(0, len(options) - 1, steps)})
            ]
        return options
    raise TypeError(f"no sweep defined for {type(control).__name__}")


def step_values(control: widgets.ValueWidget) -> list[Any]:
    """The values one key press away from the control's value: one step of its slider's
    grid up and down (in the exponent for a log slider), the neighbouring options of a
    dropdown, the other state of a checkbox; only those within range."""
    value = control.value
    if isinstance(control, widgets.Checkbox):
        return [not value]
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        i = options.index(value)
        return [options[j] for j in (i + 1, i - 1) if 0 <= j < len(options)]
    step = control.step if control.step is not None else (control.max - control.min) / 100
    if isinstance(control, widgets.FloatLogSlider):
        exponent = np.log(value) / np.log(control.base)
        near = [exponent + step, exponent - step]
        return [
            on_grid(control, float(control.base**e))
            for e in near
            if control.min - 1e-9 <= e <= control.max + 1e-9
        ]
    near = [value + step, value - step]
    inside = [v for v in near if control.min - 1e-9 <= v <= control.max + 1e-9]
    if isinstance(control, (widgets.IntSlider, widgets.BoundedIntText)):
        return [round(v) for v in inside]
    if isinstance(control, widgets.FloatSlider):
        return [on_grid(control, float(v)) for v in inside]
    return [float(v) for v in inside]


def step_moves(explorer, repeats: int = STEP_REPEATS) -> list[tuple[str, Any]]:
    """Each control, from its current value, one step up and back, one step down and back,
    ``repeats`` times: what arrow keys or a short drag send."""
    moves = []
    for name, control in explorer.controls.items():
        for _ in range(repeats):
            for value in step_values(control):
                moves += [(name, value), (name, control.value)]
    return moves


def timed_moves(explorer, moves: list[tuple[str, Any]], passes: int = 1) -> dict[str, Any]:
    """Play ``moves`` ``passes`` times: each update timed, then a naive redraw timed after
    it (interleaved: both see the same machine load); which drawing path each took."""
    updates: list[float] = []
    naive: list[float] = []
    before = Counter(explorer.frames)
    for _ in range(passes):
        for name, value in moves:
            start = time.perf_counter()
            explorer.update(**{name: value})
            updates.append(time.perf_counter() - start)
            start = time.perf_counter()
            naive_redraw()
            naive.append(time.perf_counter() - start)
    paths = Counter(explorer.frames)
    paths.subtract(before)
    return {
        "update": summary(updates),
        "naive": summary(naive),
        "paths": {k: v for k, v in sorted(paths.items()) if v},
    }


def bench_one(builder, *, steps: int = STEPS, passes: int = PASSES) -> dict[str, Any]:
    """Build one explorer, sweep it ``passes`` times, time each update and a naive redraw
    after each; then the step moves (``step_moves``) the same way; then split one more
    sweep into compute, render and PNG encoding."""
    start = time.perf_counter()
    explorer = builder()
    build_s = time.perf_counter() - start
    moves = [
        (name, value)
        for name, control in explorer.controls.items()
        for value in [*sweep_values(control, steps), control.value]
    ]
    savefig: list[float] = []
    old_bytes = 0
    coarse = timed_moves(explorer, moves, passes)
    step = timed_moves(explorer, step_moves(explorer))
    parts: dict[str, list[float]] = {"compute": [], "render": [], "encode": []}
    for name, value in moves:
        explorer.update(**{name: value})
        t0 = time.perf_counter()
        explorer._draw(**explorer.values)  # the builder's draw(): compute + set_data
        t1 = time.perf_counter()
        rgba = explorer._render_rgba()  # Agg rendering (blitted when possible)
        t2 = time.perf_counter()
        explorer._encode_png(rgba, 1)  # what the widget gets
        t3 = time.perf_counter()
        parts["compute"].append(t1 - t0)
        parts["render"].append(t2 - t1)
        parts["encode"].append(t3 - t2)
        start = time.perf_counter()
        old_bytes = savefig_route(explorer)
        savefig.append(time.perf_counter() - start)
    width, height = explorer.figure.canvas.get_width_height()
    return {
        "build_ms": 1e3 * build_s,
        "update": coarse["update"],
        "naive": coarse["naive"],
        "paths": coarse["paths"],
        "step": step,
        "breakdown_median_ms": {k: float(np.median(v)) * 1e3 for k, v in parts.items()},
        "savefig_route": summary(savefig),
        "png_bytes": len(explorer.image.value),
        "savefig_png_bytes": old_bytes,
        "figure_px": [width, height],
        "controls": list(explorer.controls),
    }


def run(out_path: Path | None = None, *, steps: int = STEPS) -> dict[str, Any]:
    """Sweep every explorer of the course; ratios are p95(update) / median(naive redraw)."""
    import json

    from helpers.explorers import ALL

    result: dict[str, Any] = {
        "machine": machine(),
        "steps_per_control": steps,
        "step_repeats": STEP_REPEATS,
        "explorers": {},
    }
    tight: list[float] = []
    for _ in range(3):
        naive_redraw(), naive_redraw(tight=True)  # warm up fonts and caches
    for key in sorted(ALL):
        row = bench_one(ALL[key], steps=steps)
        row["ratio_p95_over_naive_median"] = row["update"]["p95_ms"] / row["naive"]["median_ms"]
        row["meets_goal"] = row["ratio_p95_over_naive_median"] <= 1.0
        step, step_naive = row["step"]["update"], row["step"]["naive"]["median_ms"]
        row["step"]["ratio_median_over_naive_median"] = step["median_ms"] / step_naive
        row["step"]["ratio_p95_over_naive_median"] = step["p95_ms"] / step_naive
        row["step"]["meets_goal"] = row["step"]["ratio_p95_over_naive_median"] <= 1.0
        result["explorers"][key] = row
        start = time.perf_counter()
        naive_redraw(tight=True)
        tight.append(time.perf_counter() - start)
    naive_all = [r["naive"]["median_ms"] for r in result["explorers"].values()]
    result["naive_median_ms_overall"] = float(np.median(naive_all)) if naive_all else None
    result["naive_tight"] = summary(tight) if tight else None
    if out_path is not None:
        Path(out_path).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return result


def report(result: dict[str, Any]) -> str:
    """One line per explorer for the console."""
    lines = []
    for key, row in result["explorers"].items():
        u, n = row["update"], row["naive"]
        lines.append(
            f"  {key:32s} update median {u['median_ms']:6.1f} ms, p95 {u['p95_ms']:6.1f} ms;"
            f" naive median {n['median_ms']:6.1f} ms;"
            f" p95/naive {row['ratio_p95_over_naive_median']:.2f}"
            f" {'ok' if row['meets_goal'] else 'SLOW'}; PNG {row['png_bytes'] / 1024:.0f} KiB"
        )
        s = row["step"]
        lines.append(
            f"  {'':32s}   step median {s['update']['median_ms']:6.1f} ms,"
            f" p95 {s['update']['p95_ms']:6.1f} ms;"
            f" naive median {s['naive']['median_ms']:6.1f} ms;"
            f" p95/naive {s['ratio_p95_over_naive_median']:.2f}"
            f" {'ok' if s['meets_goal'] else 'SLOW'};"
            f" paths coarse {row['paths']}, step {s['paths']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    res = run(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(report(res))
