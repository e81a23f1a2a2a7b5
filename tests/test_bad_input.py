"""The bad-input sweep (tools/sweep.py): every public helper called with one argument at a
time made wrong. No call may hang anywhere; in the modules already brought up to the
standard (DONE), every refusal names the argument and nothing fails inside NumPy or
returns NaN/inf silently. Issue 18 extends DONE module by module."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import sweep

DONE = {
    "generative",
    "gradcheck",
    "landscape",
    "lm",
    "optim",
    "schedules",
    "stats",
    "sweeps",
    "tasks",
    "toys",
    "train",
    "unroll",
}
#: Non-finite results that are the honest answer, not a silent failure: the median of
#: values holding inf (a diverged run's loss) is inf.
HONEST_NONFINITE = {("stats.median_range", "values", "inf")}
#: Documented overflow to inf (the docstrings say so; notebook 02 shows it on purpose):
#: α^ℓ and w^n past 1.8e308, and the loss (w^n − ŷ)² of such a w or ŷ; a descent thrown
#: off the cliff, which stops and sets its flag ``"stopped"``; a grid run whose loss at a
#: finite point overflows.
HONEST_NONFINITE |= {
    ("toys.linear_gain", "alpha", "1e308"),
    ("toys.power", "w", "1e308"),
    ("landscape.power_loss", "w", "1e308"),
    ("landscape.power_loss", "target", "1e308"),
    ("landscape.descend", "w0", "negative"),
    ("landscape.descend", "w0", "1e308"),
    ("landscape.descend", "lr", "1e308"),
    ("sweeps.GridResult", "loss", "inf"),
}


@pytest.fixture(scope="module")
def outcomes() -> list[sweep.Outcome]:
    return sweep.sweep()


def test_every_public_function_is_swept(outcomes):
    swept = {o.function for o in outcomes}
    assert len(swept) >= 70, f"only {len(swept)} functions swept"


def test_no_call_hangs(outcomes):
    hangs = [o for o in outcomes if o.kind == "hang"]
    assert not hangs, [f"{o.function}({o.argument}={o.mutation})" for o in hangs]


@pytest.mark.parametrize("module", sorted(DONE))
def test_done_modules_refuse_by_name(outcomes, module):
    bad = [
        f"{o.kind}: {o.function}({o.argument}={o.mutation}): {o.detail}"
        for o in outcomes
        if o.function.startswith(module + ".")
        and o.kind in {"unnamed", "numpy", "nonfinite"}
        and not (o.kind == "nonfinite" and (o.function, o.argument, o.mutation) in HONEST_NONFINITE)
    ]
    assert not bad, "\n".join(bad)


def test_the_sweep_catches_what_it_hunts():
    """Each class of outcome is recognised (the classifier itself is checked)."""
    import numpy as np

    def inside_numpy(x):
        return np.ones(2) @ np.ones(3)

    def unnamed(x):
        raise ValueError("something is wrong")

    def named(x):
        raise ValueError("x must be positive")

    def silent(x):
        return np.array([np.nan])

    def slow(x):
        while True:
            pass

    assert sweep.classify(inside_numpy, {"x": 1}, "x")[0] == "numpy"
    assert sweep.classify(unnamed, {"x": 1}, "x")[0] == "numpy"  # not raised by helpers
    assert sweep.classify(named, {"x": 1}, "x")[0] == "numpy"
    assert sweep.classify(silent, {"x": 1}, "x")[0] == "nonfinite"
    assert sweep.classify(slow, {"x": 1}, "x")[0] == "hang"
    from helpers import gradcheck

    assert sweep.classify(gradcheck.rel_error, {"a": None, "b": 1.0}, "a")[0] == "clear"
