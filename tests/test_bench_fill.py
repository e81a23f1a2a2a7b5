"""``benchmarks/bench_fill.py``: it draws what the kernel draws after a move along a slider
(every value but the handle's: no course slider is longer than ``FILL_FRAMES``; the spread
along a longer one is tested in ``test_picture.py``), and reports it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_fill

from helpers.explorers import ALL


def test_a_slider_is_drawn_whole_and_counted():
    explorer = ALL["nb03.spectral"]()
    scale = explorer.controls["scale"]
    values = round((scale.max - scale.min) / scale.step) + 1  # 0.0 … 5.0 by 0.1: 51
    explorer.close()
    row = bench_fill.fill_cost("nb03.spectral", "scale")
    assert (row["slider_values"], row["pictures"], row["whole"]) == (values, values - 1, True)
    assert row["megabytes"] > 0 and row["cpu_s"] > 0
    explorer = ALL["nb02.power_toy"]()
    n = explorer.controls["n"]  # a selection slider: its options
    assert bench_fill._slider_values(n) == len(n.options) == 34
    explorer.close()


def test_the_report_has_a_row_per_slider():
    row = {
        "explorer": "nbXX.e",
        "slider": "s",
        "slider_values": 300,
        "pictures": 224,
        "whole": False,
        "megabytes": 12.34,
        "cpu_s": 20.0,
        "wall_s": 21.0,
        "cpu_ms_per_picture": 89.3,
        "naive_redraws": 160.0,
    }
    table = bench_fill.report({"sliders": [row]}).splitlines()
    assert len(table) == 3
    assert table[2] == "| nbXX.e | s | 300 | 224 | spread | 12.3 | 20.0 | 21.0 | 89 | 160 |"
