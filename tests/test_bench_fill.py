"""``benchmarks/bench_fill.py``: it draws what the kernel draws after a move along a slider
(every value of a short slider but the handle's; a spread along a long one), and reports it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_fill

from helpers.explorers import ALL
from helpers.explorers import base as explorer_base


def test_a_short_slider_is_drawn_whole_a_long_one_spread():
    scale = ALL["nb03.spectral"]().controls["scale"]
    values = round((scale.max - scale.min) / scale.step) + 1  # 0.0 … 5.0 by 0.1: 51
    row = bench_fill.fill_cost("nb03.spectral", "scale")
    assert (row["slider_values"], row["pictures"], row["whole"]) == (values, values - 1, True)
    assert row["megabytes"] > 0 and row["cpu_s"] > 0
    assert bench_fill._slider_values(ALL["nb02.power_toy"]().controls["n"]) == 1000
    assert explorer_base.FILL_FRAMES < 1000  # so n is spread: checked by test_picture.py


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
