"""Notebook 07's NumPy-to-PyTorch table holds row by row, where torch is installed.

The course never depends on torch; this test runs in the benchmarks' torch environment
(``.local/bench-torch/bin/python -m pytest tests/test_torch_mapping.py``, set up by
``make bench``) and is skipped elsewhere.
"""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip("torch")
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_torch_mapping


def test_every_row_of_the_mapping_table_agrees_with_torch():
    res = bench_torch_mapping.run()
    bad = [row for row in res["rows"] if not row["ok"]]
    assert not bad, bad
