"""Nothing relies on colour alone (WCAG 2.1, 1.4.1): ``helpers.style.colour_only`` finds
lines of different colours that share line style and marker, and every explorer passes it
at its start and at each control's extremes. Static figures are checked when
``make notebooks`` builds them (``UNROLLED_CHECK_FIGURES``, tools/nbbuild.py)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import style
from helpers.explorers import ALL

X = np.linspace(0, 1, 20)


def _axes() -> tuple[Figure, object]:
    fig = Figure()
    return fig, fig.subplots()


def test_two_solid_lines_told_apart_by_colour_alone_are_found():
    fig, ax = _axes()
    ax.plot(X, X, color=style.VANISH, label="a")
    ax.plot(X, X**2, color=style.EXPLODE, label="b")
    assert len(style.colour_only(fig)) == 1


@pytest.mark.parametrize(
    ("second", "clash"),
    [
        ({"ls": "--"}, False),
        ({"marker": "o"}, False),
        ({"ls": (0, (1, 1.5))}, False),  # dotted vs solid
        ({"color": style.VANISH}, False),  # one series of one look
    ],
)
def test_a_second_style_or_marker_or_the_same_colour_is_enough(second, clash):
    fig, ax = _axes()
    ax.plot(X, X, color=style.VANISH)
    ax.plot(X, X**2, **{"color": style.EXPLODE, **second})
    assert bool(style.colour_only(fig)) == clash


def test_dash_patterns_that_look_alike_count_as_one_style():
    fig, ax = _axes()
    ax.plot(X, X, color=style.VANISH, ls=":")  # (1, 1.65)
    ax.plot(X, X**2, color=style.EXPLODE, ls=(0, (1, 1.5)))
    assert style.colour_only(fig)


def test_unlabelled_reference_lines_are_not_series():
    fig, ax = _axes()
    ax.plot(X, X, color=style.VANISH, ls=":", label="bound")
    ax.axhline(0.5, color=style.NEUTRAL, ls=":")  # a threshold, named by the text
    assert not style.colour_only(fig)
    ax.plot([0, 1], [0.2, 0.2], color=style.EXPLODE, ls=":", label="floor")  # in the legend
    assert style.colour_only(fig)


def _extremes(control: widgets.ValueWidget) -> list:
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base**control.min, control.base**control.max]
    if hasattr(control, "min"):
        return [control.min, control.max]
    return []


@pytest.mark.parametrize("name", sorted(ALL))
def test_no_explorer_relies_on_colour_alone(name):
    ex = ALL[name]()
    found = set(style.colour_only(ex.figure))
    start = ex.values
    for control_name, control in ex.controls.items():
        for value in _extremes(control):
            ex._draw(**{**start, control_name: value})  # the artists only: no picture needed
            found |= set(style.colour_only(ex.figure))
    ex.close()
    assert not found, f"{name}: {sorted(found)}"
