"""Notebook 03's explorer against independent references: the initial-state control.

From h_0 = 0 with no input a tanh RNN (b = 0) stays at the fixed point 0, where tanh' = 1,
so its gradient is exactly the linear RNN's, ‖(ρ W_0)^t‖₂ (matrix powers by NumPy). From the
random h_0 the state leaves the fixed point and the curve differs (issue 13, item 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers.explorers import ALL
from helpers.explorers.nb03 import HIDDEN, INITIAL_STATES, network, random_h0


def _norm_curve(ex) -> np.ndarray:
    ax = ex.figure.axes[0]
    (line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith(r"$\|\partial h_t")]
    return np.asarray(line.get_ydata(), dtype=float)


@pytest.fixture(scope="module")
def explorer():
    return ALL["nb03.spectral"]()


def test_initial_states_offered(explorer):
    assert tuple(explorer.controls["h0"].options) == INITIAL_STATES == ("zero", "random")


def test_random_h0_is_fixed_and_in_tanh_range():
    h0 = random_h0()
    assert h0.shape == (1, HIDDEN)
    assert np.all(np.abs(h0) < 1.0) and np.array_equal(h0, random_h0())
    assert np.std(h0) > 0.3  # a spread-out state, not near 0


def test_zero_start_without_input_is_the_linear_rnn(explorer):
    W0, _, _ = network()
    explorer.update(radius=1.5, activation="tanh", scale=0.0, h0="zero", horizon=60)
    got = _norm_curve(explorer)
    ref = [0.0] + [
        np.log10(np.linalg.norm(np.linalg.matrix_power(1.5 * W0, t), 2)) for t in range(1, 61)
    ]
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)


def test_random_start_leaves_the_fixed_point(explorer):
    explorer.update(radius=1.5, activation="tanh", scale=0.0, h0="random", horizon=200)
    got = _norm_curve(explorer)
    assert got[-1] < 3.0  # the zero start reaches 10^35 here (1.5^200 ≈ 10^35.2)


def test_relu_zero_start_without_input_gives_exactly_zero(explorer):
    explorer.update(radius=1.0, activation="relu", scale=0.0, h0="zero", horizon=50)
    assert np.all(np.isnan(_norm_curve(explorer)[1:]))  # −inf (exactly 0) is not drawn
    explorer.update(h0="random")
    assert np.all(np.isfinite(_norm_curve(explorer)[1:11]))
