"""The browser benchmark's measures of a held key or a drag (``benchmarks/browser_latency``),
on recorded states worked out by hand: the lag to the handle's own picture, and how far the
picture shown a frame after each value is from it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def latency():
    spec = importlib.util.spec_from_file_location(
        "browser_latency", ROOT / "benchmarks" / "browser_latency.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("browser_latency", module)
    spec.loader.exec_module(module)
    return module


def test_lag_to_the_handles_own_picture_and_gap_a_frame_later(latency):
    # [t ms, controls' values, gap of the picture shown]
    states = [
        [0.0, "[0]", 0.0, "[0]"],  # before the gesture: not counted
        [10.0, "[1]", 0.0, "[1]"],  # answered in the page at once
        [20.0, "[2]", 0.3, "[5]"],  # a nearest picture (for 5, not taken yet) ...
        [25.0, "[2]", 0.1, "[3]"],  # ... a nearer one 5 ms later (within the frame)
        [100.0, "[3]", 0.1, "[2]"],  # the kernel's picture for 2, once at 3: 2 is answered
        [200.0, "[3]", 0.0, "[3.0000000000001]"],  # 3's, 100 ms later (equal within 1e-9)
        [210.0, "[4]", 0.5, "[3.0000000000001]"],  # left within a frame: judged as it is left
        [215.0, "[5]", 0.4, "[3.0000000000001]"],
        [300.0, "[5]", 0.0, "[5]"],
    ]
    exact, gaps = latency._handle_stats(states)
    # 1: 0 ms; 2: the kernel's picture for 2 at 100 ms (not the nearest for 5 at 20, taken
    # only at 215): 80; 3: 100; 4: 5's picture: 90; 5: 85
    assert exact == pytest.approx([0.0, 80.0, 100.0, 90.0, 85.0])
    assert gaps == pytest.approx([0.0, 0.1, 0.1, 0.5, 0.4])
    stats = latency._gesture_stats(
        [{"inputs": [9.0], "frames": [10.0, 20.0], "sources": ["page", "near"], "states": states}]
    )
    assert stats["exact_lag"]["n"] == 5 and stats["exact_lag"]["median_ms"] == 85.0
    assert stats["gap_after_a_frame"]["exact_share"] == 0.2
    assert stats["lag"]["median_ms"] == 1.0


def test_unanswered_values_and_unordered_pictures_are_counted_not_hidden(latency):
    assert latency._handle_stats([]) == ([], [])
    assert latency._handle_stats([[0.0, "[0]", 0.0, "[0]"], [5.0, "[0]", 0.0, "[0]"]]) == ([], [])
    states = [
        [0.0, "[0, 0]", 0.0, "[0, 0]"],
        [10.0, "[1, 0]", 0.01, "[0, 0]"],  # answered at 50 ms
        [20.0, "[1, 1]", float("inf"), "[0, 0]"],  # another control moved: no distance
        [50.0, "[1, 1]", 0.0, "[1, 1]"],
        [60.0, "[2, 1]", 0.01, "[1, 1]"],  # the recording stops before 2's picture
    ]
    stats = latency._gesture_stats([{"inputs": [], "frames": [], "states": states}])
    assert stats["exact_lag"]["n"] == 2 and stats["exact_unanswered"] == 1
    gap = stats["gap_after_a_frame"]
    assert gap["n"] == 3 and gap["unordered"] == 1
    assert gap["median"] == 0.01 and gap["p95"] == 0.01 and gap["max"] == 0.01


class _Page:
    """A page whose explorer holds ``counts`` pictures, one more reading at a time."""

    def __init__(self, counts):
        self.counts = list(counts)

    def evaluate(self, _script, _root):
        return self.counts.pop(0) if len(self.counts) > 1 else self.counts[0]


def test_the_first_drag_waits_for_the_slider_whole(latency, monkeypatch):
    monkeypatch.setattr(latency, "HELD_QUIET_S", 0.3)
    monkeypatch.setattr(latency.time, "sleep", lambda s: None)
    # nb04.threshold_runs: a first slider of 4 values; the page holds 1, 2, then 5 pictures
    target = {"root": None, "page": _Page([1, 2, 2, 5]), "explorer": "nb04.threshold_runs"}
    assert latency.first_slider_values("nb04.threshold_runs") == 4
    assert latency._held_whole(target) is not None
    assert (target["first_drag_held"], target["first_drag_whole"]) == (5, True)
    # a route with no FramePicture (the comparison routes, the round trip): nothing to wait
    # for, and no explorer of that name
    assert (
        latency._held_whole({"root": None, "page": _Page([None]), "explorer": "round trip"}) is None
    )


def test_the_first_drag_wait_runs_out(latency, monkeypatch):
    clock = iter(range(0, 10_000, 10))  # every reading of the clock 10 s later
    monkeypatch.setattr(latency.time, "perf_counter", lambda: float(next(clock)))
    monkeypatch.setattr(latency.time, "sleep", lambda s: None)
    target = {"root": None, "page": _Page([3]), "explorer": "nb04.threshold_runs"}
    latency._held_whole(target)
    assert (target["first_drag_held"], target["first_drag_whole"]) == (3, False)
