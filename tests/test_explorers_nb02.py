"""Notebook 02's explorers can answer the questions the notebook asks of them.

The generic sweep (tests/test_explorers.py) checks that every control draws at its
extremes; this file checks the ranges and steps against the questions' answers, computed
here from closed forms with Python floats (not with ``helpers.toys``).
"""

from __future__ import annotations

import math

import pytest

from helpers.explorers import ALL

FLOAT64_MAX_LOG10 = math.log10(1.7976931348623157e308)


@pytest.fixture(scope="module")
def power_toy():
    return ALL["nb02.power_toy"]()


@pytest.fixture(scope="module")
def alpha_horizon():
    return ALL["nb02.alpha_horizon"]()


def _status(explorer) -> str:
    return explorer.figure.texts[-1].get_text()


def _set_w(explorer, w: float, n: int) -> None:
    """Set w = coarse + fine, as a student does: w to the 0.01 below, + fine the rest
    (refused if either is not on its slider's grid)."""
    k = round(w * 1e4)  # w in units of 0.0001
    explorer.update(w=(k // 100) / 100, fine=(k % 100) / 1e4, n=n)


@pytest.mark.parametrize(("w", "y"), [(1.0023, 1.0023**1000), (1.0024, 1.0024**1000)])
def test_w_sliders_reach_the_crossings_of_question_1(power_toy, w, y):
    """y = 10 at w = 10^(1/1000) = 1.002305: the sliders show 1.0023 (y < 10) and 1.0024."""
    _set_w(power_toy, w, 1000)
    assert f"w = {w:.4f}, n = 1000:  y = {y:.5g}" in _status(power_toy)
    assert (y < 10) == (w < 10 ** (1 / 1000))


def test_w_sliders_bracket_y_1000_and_the_underflow_of_question_2(power_toy):
    w_1000 = 10 ** (3 / 1000)  # 1.006932
    below, above = math.floor(w_1000 * 1e4) / 1e4, math.ceil(w_1000 * 1e4) / 1e4
    for w in (below, above):
        _set_w(power_toy, w, 1000)
        assert f"w = {w:.4f}, n = 1000:  y = {w**1000:.5g}" in _status(power_toy)
    assert below**1000 < 1000 < above**1000
    # 0.4746^1000 = 10^-323.6 rounds to 0 in float64, 0.4747^1000 = 10^-323.5 does not
    _set_w(power_toy, 0.4746, 1000)
    assert "w = 0.4746, n = 1000:  y = 10$^{-324}$ is below" in _status(power_toy)
    _set_w(power_toy, 0.4747, 1000)  # float64 stores 4.94e-324, its smallest subnormal
    status = _status(power_toy)
    assert "w = 0.4747, n = 1000:  y = 4.9e-324," in status and "(subnormal" in status
    _set_w(power_toy, 1.1099, 1)  # five digits: y = w shows as w
    assert "w = 1.1099, n = 1:  y = 1.1099,  dy/dw = 1" in _status(power_toy)
    assert "subnormal" not in _status(power_toy)


def test_every_multiple_of_0_0001_up_to_1_1099_is_one_pair_of_slider_values(power_toy):
    coarse, fine = power_toy.controls["w"], power_toy.controls["fine"]
    coarse_values = [round(coarse.min + i * coarse.step, 2) for i in range(111)]
    fine_values = [round(fine.min + i * fine.step, 4) for i in range(100)]
    assert coarse_values[-1] == coarse.max == 1.1 and fine_values[-1] == fine.max == 0.0099
    sums = sorted(round((c + f) * 1e4) for c in coarse_values for f in fine_values)
    assert sums == list(range(11_100))
    # the top row's axis holds the largest sum
    assert power_toy.figure.axes[0].get_xlim()[1] >= coarse.max + fine.max


def test_zoom_panels_show_lees_values_on_fixed_axes(power_toy):
    _, _, az_y, az_d = power_toy.figure.axes
    views = [ax.viewLim.bounds for ax in power_toy.figure.axes]
    for n in (1000, 100, 10, 1):
        for w in (0.0, 0.99, 1.015, 1.1, 1.1099):
            _set_w(power_toy, w, n)
            assert [ax.viewLim.bounds for ax in power_toy.figure.axes] == views
            assert az_y.get_xlim() == pytest.approx((0.98, 1.02))
        box = az_y.texts[0].get_text()
        for lw in (0.99, 1.0, 1.01):
            assert f"{lw:.2f}$^{{{n}}}$ = {lw**n:.4g}" in box
        for lw in (0.99, 1.0, 1.01):
            assert f"at w = {lw:.2f}: {n * lw ** (n - 1):.4g}" in az_d.texts[0].get_text()
    # Lee's contrast at n = 1000: ≈ 0 / 1 / ≈ 20 000, all inside the zoom's y range
    lo, hi = az_y.get_ylim()
    assert lo < 0.99**1000 < 1 < 1.01**1000 < hi
    assert lo < 1000 * 0.98**999 and 1000 * 1.02**999 < az_d.get_ylim()[1]


def test_alpha_slider_reaches_overflow_at_t_1000(alpha_horizon):
    """Question 2: α^1000 overflows float64 for α > 10^(308.25/1000) = 2.0335."""
    threshold = 10 ** (FLOAT64_MAX_LOG10 / 1000)
    assert 2.03 < threshold < 2.04
    alpha_horizon.update(alpha=2.03, horizon=1000)
    assert "overflow" not in alpha_horizon.figure.axes[0].texts[-1].get_text()
    alpha_horizon.update(alpha=2.04, horizon=1000)
    first = math.ceil(FLOAT64_MAX_LOG10 / math.log10(2.04))
    assert 2.04 ** (first - 1) < 1.8e308 and first <= 1000
    note = alpha_horizon.figure.axes[0].texts[-1].get_text()
    assert f"overflow: from lag {first}," in note
