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
    "clip",
    "charlm",
    "checkpoint",
    "describe",
    "diagrams",
    "explorers.base",
    "explorers.nb01",
    "explorers.nb03",
    "explorers.nb04",
    "explorers.nb05",
    "explorers.nb06",
    "explorers.nb08",
    "generative",
    "gradcheck",
    "gru",
    "jacobians",
    "landscape",
    "lm",
    "lstm",
    "optim",
    "rnn",
    "regulariser",
    "schedules",
    "stacking",
    "stats",
    "style",
    "sweeps",
    "tasks",
    "toys",
    "train",
    "truncation",
    "unroll",
}
#: Non-finite results that are the honest answer, not a silent failure: the median of
#: values holding inf (a diverged run's loss) is inf.
HONEST_NONFINITE = {
    ("stats.median_range", "values", "inf"),
    # A gradient's norm is NaN when it holds a NaN (documented): helpers.train.fit reads
    # that as "diverged" and stops; for a stack, the NaN norm marks the one diverged
    # model while the others go on (refusing would stop every seed of the stack).
    ("clip.global_norm", "grads", "NaN entry"),
    ("clip.stack_global_norms", "grads", "NaN entry"),
    ("clip.clip_stack_by_global_norm", "grads", "NaN entry"),
    # A NaN/inf loss entry is a run that stopped (train.fit): its running mean is NaN from
    # there on, and a run that never got below the level has steps_to inf (both documented).
    ("explorers.nb04.smooth", "values", "NaN"),
    ("explorers.nb04.smooth", "values", "inf"),
    ("explorers.nb04.steps_to", "loss", "NaN"),
    ("explorers.nb04.steps_to", "loss", "inf"),
}
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
