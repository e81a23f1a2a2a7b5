"""Exercises of notebook 05: one LSTM step in PyTorch's layout, and the forget-gate bias."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.exercises.core import Hint, check, check_value


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _step(x, h, c, Wx, Wh, b, order=("i", "f", "g", "o")):
    a = x @ Wx.T + h @ Wh.T + b
    parts = dict(zip(order, np.split(a, 4, axis=-1), strict=True))
    i, f, o = _sigmoid(parts["i"]), _sigmoid(parts["f"]), _sigmoid(parts["o"])
    g = np.tanh(parts["g"])
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def reference_lstm_step(x, h, c, Wx, Wh, b):
    """One LSTM step, gate order (i, f, g, o) as torch.nn.LSTM: returns (h_new, c_new)."""
    return _step(x, h, c, Wx, Wh, b)


def _wrong_order(x, h, c, Wx, Wh, b):
    return _step(x, h, c, Wx, Wh, b, order=("i", "f", "o", "g"))


def _no_tanh_on_cell(x, h, c, Wx, Wh, b):
    a = x @ Wx.T + h @ Wh.T + b
    i, f, g, o = np.split(a, 4, axis=-1)
    c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * c_new, c_new


def check_lstm_step(student: Callable) -> Callable:
    """Exercise 1: ``lstm_step(x, h, c, Wx, Wh, b) -> (h_new, c_new)``; x (B, D), h, c (B, H)."""
    rng = np.random.default_rng(6)
    cases = []
    for B, D, H in [(1, 1, 1), (2, 3, 4), (3, 2, 5)]:
        cases.append(
            (
                (
                    rng.normal(size=(B, D)),
                    rng.normal(size=(B, H)),
                    rng.normal(size=(B, H)),
                    rng.normal(size=(4 * H, D)),
                    rng.normal(size=(4 * H, H)),
                    rng.normal(size=4 * H),
                ),
                {},
            )
        )
    mistakes = [
        (
            _wrong_order,
            "the gates are in the wrong order: PyTorch's rows are (i, f, g, o) — the "
            "candidate g comes third, the output gate last.",
        ),
        (_no_tanh_on_cell, "h_t = o_t ⊙ tanh(c_t): the cell state passes through tanh first."),
    ]
    hints = [
        Hint(
            lambda d: d.leaf == "output[1]" and d.kind == "other",
            "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t with g_t = tanh(…) and i, f sigmoids.",
        )
    ]
    return check(
        "Exercise 1 (one LSTM step)",
        student,
        reference_lstm_step,
        cases,
        hints=hints,
        mistakes=mistakes,
    )


def check_forget_bias(answer: Callable[[], float]) -> bool:
    """Exercise 2: the forget-gate bias b_f with σ(b_f)^50 = 1/2 (inputs and h at zero)."""
    f = 0.5 ** (1 / 50)
    return check_value(
        "Exercise 2 (forget-gate bias for a 50-step half-life)",
        answer,
        float(np.log(f / (1 - f))),
        rtol=0.02,
        explanation="f = 0.5^(1/50) ≈ 0.9862, b_f = ln(f / (1 − f)).",
    )
