"""Exercises of notebook 01: the BPTT loop of a ReLU RNN, and "cut after n steps, set h = 0"."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers import rnn
from helpers.exercises.core import Hint, check


def _cases(seed: int, count: int = 4):
    rng = np.random.default_rng(seed)
    for T, B, D, H in [(1, 1, 1, 1), (4, 2, 3, 5), (7, 3, 2, 4), (12, 1, 2, 3)][:count]:
        params = rnn.init(D, H, rng=rng)
        params["b"] = rng.normal(0, 0.2, H)
        xs = rng.normal(size=(T, B, D))
        h0 = rng.normal(0, 0.5, size=(B, H))
        yield T, params, xs, h0, rng


def _cache(xs, hs, h0, Wx, Wh, activation="relu"):
    return rnn.Cache({"Wx": Wx, "Wh": Wh, "b": np.zeros(Wh.shape[0])}, xs, hs, h0, activation)


def _reference_bptt(dhs, xs, hs, h0, Wx, Wh):
    return rnn.backward(dhs, _cache(xs, hs, h0, Wx, Wh))[0]


def _forgot_recurrence(dhs, xs, hs, h0, Wx, Wh):
    return rnn.backward(dhs, _cache(xs, hs, h0, Wx, Wh), truncate=0)[0]


def _tanh_derivative(dhs, xs, hs, h0, Wx, Wh):
    return rnn.backward(dhs, _cache(xs, hs, h0, Wx, Wh, "tanh"))[0]


def check_bptt_relu(student: Callable) -> Callable:
    """Exercise 1: ``bptt_relu(dhs, xs, hs, h0, Wx, Wh) -> {"Wx", "Wh", "b"}`` for a ReLU RNN."""
    cases = []
    for _T, params, xs, h0, rng in _cases(1):
        hs, _ = rnn.forward(params, xs, h0, activation="relu")
        dhs = rng.normal(size=hs.shape)
        cases.append(((dhs, xs, hs, h0, params["Wx"], params["Wh"]), {}))
    hints = [
        Hint(
            lambda d: d.kind == "factor" and d.factor < 1,
            "the gradient is too small by a constant factor: did you average over time or "
            "over the batch? Tied weights receive the SUM of every step's gradient.",
        ),
        Hint(
            lambda d: d.kind == "factor" and d.factor > 1,
            "the gradient is too large by a constant factor: is a step counted twice?",
        ),
        Hint(
            lambda d: d.kind == "other" and "Wh" in d.leaf,
            "dWh sums δ_t h_{t-1}ᵀ: the state BEFORE step t (h0 for the first step).",
        ),
    ]
    mistakes = [
        (
            _tanh_derivative,
            "you used tanh's derivative 1 − h². For ReLU, φ'(a) is 1 where h > 0 and 0 elsewhere.",
        ),
        (
            _forgot_recurrence,
            "your gradient equals the one with no error signal carried "
            "back: add W_hᵀ δ_{t+1} to ∂L/∂h_t before multiplying by φ'(a_t).",
        ),
    ]
    return check(
        "Exercise 1 (BPTT for a ReLU RNN)",
        student,
        _reference_bptt,
        cases,
        hints=hints,
        mistakes=mistakes,
    )


def _reference_chunked(params, xs, n):
    T, B, _ = xs.shape
    H = params["Wh"].shape[0]
    out = np.empty((T, B, H))
    for start in range(0, T, n):
        out[start : start + n], _ = rnn.forward(params, xs[start : start + n], np.zeros((B, H)))
    return out


def _never_reset(params, xs, n):
    return rnn.forward(params, xs)[0]


def check_chunked_states(student: Callable) -> Callable:
    """Exercise 2: ``chunked_states(params, xs, n) -> hs`` resetting h to 0 every n steps."""
    cases = []
    for (_T, params, xs, _h0, _rng), n in zip(_cases(2), (1, 2, 3, 5), strict=True):
        cases.append(((params, xs, n), {}))
    mistakes = [
        (
            _never_reset,
            "the states equal an ordinary run: the state must be reset to "
            "zero at the start of every chunk of n steps (steps 0, n, 2n, …).",
        )
    ]
    hints = [
        Hint(
            lambda d: d.kind == "shape",
            "return all T states, one chunk after another: shape (T, B, H).",
        )
    ]
    return check(
        "Exercise 2 (cut after n steps, set h = 0)",
        student,
        _reference_chunked,
        cases,
        hints=hints,
        mistakes=mistakes,
    )
