"""The checking engine locates an unrecognised error: which output, where, by how much."""

from __future__ import annotations

import numpy as np

from helpers.exercises.core import check


def _reference(x):
    return {"h": np.cumsum(x, axis=0)}


def _one_entry_wrong(x):
    out = np.cumsum(x, axis=0)
    out[2, 1] += 0.5
    return {"h": out}


def test_an_unnamed_error_is_located_with_the_axis_names(capsys):
    x = np.arange(12.0).reshape(4, 3)
    used = check("t", _one_entry_wrong, _reference, [((x,), {})], axis_names={"h": ("t", "unit")})
    out = capsys.readouterr().out
    assert used is _reference
    want = float(np.cumsum(x, axis=0)[2, 1])
    assert f"at t = 2, unit = 1: got {want + 0.5:.4g}, expected {want:.4g}" in out


def test_without_axis_names_the_index_is_given(capsys):
    x = np.arange(12.0).reshape(4, 3)
    check("t", _one_entry_wrong, _reference, [((x,), {})])
    assert "at index (2, 1)" in capsys.readouterr().out
