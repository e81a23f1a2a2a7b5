"""Slider values that the browser would silently change are refused.

Seen in Chromium (JupyterLab 4.6, ipywidgets 8.1): a slider shows only values on its grid,
``min + k·step`` (for a ``FloatLogSlider``, ``base ** (min + k·step)``). A value off that
grid is snapped on display and the snapped value is sent back to the kernel, which redraws:
the live figure then differs from the saved one and from the numbers the text quotes (a
threshold of 0.5 on a log slider became 0.501, a learning rate of 0.3 became 0.316, and the
"plain run jumps off the cliff" picture no longer jumped). ``Explorer`` refuses such values,
at construction and in ``update``; this needs no browser.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from helpers.explorers import ALL
from helpers.explorers.base import Explorer, new_figure, on_grid


def _explorer(control):
    fig, ax = new_figure(3, 2)
    (line,) = ax.plot([0, 1], [0, 1])
    return Explorer("grid", fig, {"x": control}, lambda x: line.set_ydata([0, x]))


def test_on_grid_is_what_the_browser_shows():
    log = widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.05)
    assert on_grid(log, 0.5) == pytest.approx(10**-0.3)
    assert on_grid(log, 10**-0.3) == pytest.approx(10**-0.3)
    lin = widgets.FloatSlider(value=0.0, min=-1.0, max=1.0, step=0.25)
    assert on_grid(lin, 0.3) == 0.25 and on_grid(lin, -1.0) == -1.0


def test_off_grid_start_and_update_are_refused():
    with pytest.raises(ValueError, match=r"x = 0\.5 is not a value its slider can show"):
        _explorer(widgets.FloatLogSlider(value=0.5, base=10, min=-2, max=2, step=0.05))
    ex = _explorer(widgets.FloatSlider(value=0.25, min=0.0, max=1.0, step=0.25))
    ex.update(x=0.75)
    with pytest.raises(ValueError, match=r"the browser would show 0\.25"):
        ex.update(x=0.3)


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_course_slider_starts_on_its_grid(name):
    explorer = ALL[name]()  # construction checks every start value
    for control in explorer.controls.values():
        if isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)):
            assert on_grid(control, control.value) == pytest.approx(control.value)
