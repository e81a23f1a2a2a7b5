"""What drawing a slider whole costs: the pictures a kernel draws ahead after a move along a
slider, for a page (``Explorer.along_slider``: every value of a slider of up to
``FILL_FRAMES`` values, that many spread along a longer one).

For every explorer in ``helpers.explorers.ALL`` and every slider of it with more values than
the neighbours drawn ahead anyway (``PREFETCH_FRAMES``), a fresh explorer at its start
values is told that slider moved, and the pictures of ``along_slider()`` are drawn one by one
as the kernel draws them (``Explorer._draw_png``: blitted when the axes stay put).
Reported per slider: how many pictures, their PNG megabytes, the **CPU seconds** of this
process (``time.process_time``, one BLAS thread: the work, which other processes on the
shared machine inflate far less than wall time) and the wall seconds, and the CPU time as a
multiple of the median **naive redraw** timed in the same run (a new 6 × 3.5 in pyplot figure
with two 1000-point lines saved to PNG, ``bench_explorers.naive_redraw``), the baseline that
makes runs on different machines comparable.

Run alone: ``python benchmarks/bench_fill.py [out.json]``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib
import numpy as np

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import machine
from bench_explorers import naive_redraw

from helpers.explorers import ALL
from helpers.explorers import base as explorer_base

#: Naive redraws timed before and after, for the baseline.
BASELINE_REDRAWS = 15


def _slider_values(control: widgets.ValueWidget) -> int | None:
    """How many values a slider shows; None for a control that is no slider on a grid."""
    if isinstance(control, widgets.SelectionSlider):
        return len(control.options)
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)):
        return round((control.max - control.min) / control.step) + 1
    return None


def _baseline() -> list[float]:
    times = []
    for _ in range(BASELINE_REDRAWS):
        t0 = time.process_time()
        naive_redraw()
        times.append(time.process_time() - t0)
    return times


def fill_cost(name: str, slider: str) -> dict[str, Any]:
    """Draw ``along_slider()`` of a fresh ``name`` explorer moved along ``slider``."""
    explorer = ALL[name]()
    explorer.prefetch = False
    explorer._moved, explorer._motion = True, (slider, 1)
    values = explorer.along_slider()
    cpu0, wall0, size = time.process_time(), time.perf_counter(), 0
    for v in values:
        size += len(explorer._draw_png(v, explorer._key(v)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    count = _slider_values(explorer.controls[slider])
    explorer.close()
    return {
        "explorer": name,
        "slider": slider,
        "slider_values": count,
        "pictures": len(values),
        "whole": len(values) == count - 1,
        "megabytes": size / 1e6,
        "cpu_s": cpu,
        "wall_s": wall,
        "cpu_ms_per_picture": 1e3 * cpu / max(1, len(values)),
    }


def run(out: Path | str | None = None) -> dict[str, Any]:
    """Measure every long slider of every explorer; write ``out`` (JSON) when given."""
    before = _baseline()
    rows = []
    for name, build in ALL.items():
        explorer = build()
        sliders = [
            s
            for s, c in explorer.controls.items()
            if (_slider_values(c) or 0) > explorer_base.PREFETCH_FRAMES
        ]
        explorer.close()
        for slider in sliders:
            rows.append(fill_cost(name, slider))
            print(f"  {name}.{slider}: {rows[-1]['cpu_s']:.1f} s CPU", flush=True)
    baseline_ms = 1e3 * float(np.median(before + _baseline()))
    for row in rows:
        row["naive_redraws"] = 1e3 * row["cpu_s"] / baseline_ms
    result = {
        "what": "CPU to draw a slider whole after a move (Explorer.along_slider)",
        "fill_frames": explorer_base.FILL_FRAMES,
        "prefetch_frames": explorer_base.PREFETCH_FRAMES,
        "naive_redraw_median_cpu_ms": baseline_ms,
        "sliders": rows,
        "machine": machine(),
    }
    if out is not None:
        Path(out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def report(result: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    lines = [
        "| explorer | slider | values | pictures drawn | whole | PNG MB | CPU s | wall s"
        " | CPU ms / picture | naive redraws |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in result["sliders"]:
        lines.append(
            f"| {r['explorer']} | {r['slider']} | {r['slider_values']} | {r['pictures']}"
            f" | {'yes' if r['whole'] else 'spread'} | {r['megabytes']:.1f} | {r['cpu_s']:.1f}"
            f" | {r['wall_s']:.1f} | {r['cpu_ms_per_picture']:.0f} | {r['naive_redraws']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    res = run(sys.argv[1] if len(sys.argv) > 1 else None)
    print(report(res))
