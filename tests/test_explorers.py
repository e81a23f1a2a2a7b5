"""Every registered explorer, driven without a browser: it builds, answers each control at
its minimum and maximum (every option of a dropdown, the ends of a selection slider) with no
exception and no warning (pytest turns warnings into errors), redraws a different PNG when a
control moves, rejects out-of-range values by name, and carries a PNG fallback in its mime
bundle; no slider is too long to be drawn whole."""

from __future__ import annotations

import base64

import ipywidgets as widgets
import pytest

from helpers.explorers import ALL, Explorer
from helpers.explorers import base as explorer_base
from helpers.explorers.base import on_grid

NUMERIC = (widgets.IntSlider, widgets.FloatSlider, widgets.BoundedIntText, widgets.BoundedFloatText)
CHOICE = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.SelectionSlider)


def _extremes(control):
    if isinstance(control, widgets.FloatLogSlider):
        return [10.0**control.min, 10.0**control.max]
    if isinstance(control, NUMERIC):
        return [control.min, control.max]
    if isinstance(control, widgets.SelectionSlider):  # its ends (up to 181 values)
        return [
            o[1] if isinstance(o, tuple) else o
            for o in control.options[:: len(control.options) - 1]
        ]
    if isinstance(control, CHOICE):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, widgets.Checkbox):
        return [False, True]
    raise AssertionError(f"no sweep defined for control type {type(control).__name__}")


def test_registry_is_not_empty_and_names_are_qualified():
    assert ALL, "no explorer registered"
    for name in ALL:
        module, _, short = name.partition(".")
        assert module.startswith("nb") and short, name


@pytest.fixture(scope="module", params=sorted(ALL))
def explorer(request) -> Explorer:
    return ALL[request.param]()


def test_structure(explorer):
    assert isinstance(explorer, Explorer)
    assert explorer.controls, "an explorer needs at least one control"
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    bundle, metadata = explorer._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    alt = metadata["image/png"]["alt"]  # the text alternative, written from the picture
    assert alt.startswith(explorer.title + ": ") and all(name in alt for name in explorer.controls)
    assert "Panel" in alt or "The plot" in alt
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("Explorer: ")
    assert explorer.image.layout.align_self == "flex-start"


def test_every_control_at_its_extremes_redraws(explorer):
    defaults = explorer.values
    for name, control in explorer.controls.items():
        pictures = {explorer.png(compress_level=1)}
        for value in _extremes(control):
            explorer.update(**{name: value})
            assert explorer.values[name] == value
            pictures.add(explorer.png(compress_level=1))
        assert len(pictures) > 1, f"moving {name!r} does not change the figure"
        explorer.update(**{name: defaults[name]})


def test_every_slider_is_short_enough_to_be_drawn_whole(explorer):
    """A drag along a slider shows each value's own picture only if the kernel drew the
    slider whole (``Explorer.along_slider``), which it does for at most ``FILL_FRAMES``
    values (224 unless ``UNROLLED_DRAW_AHEAD`` lowers it); a longer slider is drawn spread,
    and a drag shows the nearest picture. Every course slider stays within it: give a longer
    range a coarser step, a selection of values, or a coarse and a fine slider
    (AUTHORING.md)."""
    sliders = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)
    for name, control in explorer.controls.items():
        if isinstance(control, widgets.SelectionSlider):
            count = len(control.options)
        elif isinstance(control, sliders):
            count = round((control.max - control.min) / control.step) + 1
        else:
            continue
        assert 2 <= count <= explorer_base.LONGEST_SLIDER == 224, f"{name!r}: {count} values"


def test_figure_is_reused(explorer):
    fig = explorer.figure
    name, control = next(iter(explorer.controls.items()))
    explorer.update(**{name: _extremes(control)[-1]})
    assert explorer.figure is fig


def test_out_of_range_values_are_named(explorer):
    for name, control in explorer.controls.items():
        if isinstance(control, widgets.FloatLogSlider):
            bad = 10.0 ** (control.max + 1)
        elif isinstance(control, NUMERIC):
            bad = control.max + max(abs(control.max), 1)
        elif isinstance(control, CHOICE):
            bad = "no such option"
        else:
            continue
        with pytest.raises(ValueError, match=name):
            explorer.update(**{name: bad})
    with pytest.raises(ValueError, match="not a control"):
        explorer.update(no_such_control=1)


def _pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _random_value(control, rng):
    """A value a browser could send for ``control``: on a slider's grid, or an option."""
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)):
        k = int(rng.integers(0, round((control.max - control.min) / control.step) + 1))
        exponent_or_value = control.min + k * control.step
        if isinstance(control, widgets.FloatLogSlider):
            return on_grid(control, float(control.base**exponent_or_value))
        value = on_grid(control, exponent_or_value)
        return int(value) if isinstance(control, widgets.IntSlider) else value
    if isinstance(control, widgets.BoundedIntText):
        return int(rng.integers(control.min, control.max + 1))
    if isinstance(control, widgets.BoundedFloatText):
        return float(rng.uniform(control.min, control.max))
    options = _extremes(control)
    return options[int(rng.integers(len(options)))]


#: Random moves added to the sweep of the pixel test (values between the extremes move the
#: axes' limits one at a time, which the extremes alone may not).
RANDOM_MOVES = 10


def _blitting_and_full(name: str):
    """Two twins of explorer ``name`` with the same moves ahead: one that blits when it can,
    one that always draws everything; and the moves: each control to its extremes, back to
    its default, ``RANDOM_MOVES`` seeded random ones, then all of that in reverse."""
    import zlib

    import numpy as np

    blitting, full = ALL[name](), ALL[name]()
    full.blit = False
    defaults = blitting.values
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    names = list(blitting.controls)
    moves = [(n, v) for n, c in blitting.controls.items() for v in _extremes(c)]
    moves += [(n, defaults[n]) for n in blitting.controls]
    for _ in range(RANDOM_MOVES):
        n = names[int(rng.integers(len(names)))]
        moves.append((n, _random_value(blitting.controls[n], rng)))
    moves += moves[::-1]  # back again: the background must follow both ways
    return blitting, full, moves


@pytest.mark.parametrize("name", sorted(ALL))
def test_blitting_draws_exactly_what_a_full_draw_draws(name):
    """The explorer redraws only the artists that changed, over a saved background, when it
    can (``Explorer.frames`` counts how each render was drawn): after every move, its
    picture must equal, pixel for pixel, that of a twin explorer that draws everything every
    time and received the same moves."""
    import numpy as np

    blitting, full, moves = _blitting_and_full(name)
    for control, value in moves:
        blitting.update(**{control: value})
        full.update(**{control: value})
        differ = np.any(_pixels(blitting.image.value) != _pixels(full.image.value), axis=-1)
        assert not differ.any(), (
            f"after {control}={value!r}: {int(differ.sum())} pixels differ from a full draw"
            f" (paths so far: {dict(blitting.frames)})"
        )
    assert set(full.frames) <= {"layout", "full"}, full.frames
    assert blitting.frames["blit"] > 0 or name in NEVER_BLITS, (
        "blitting was never used: add the name to NEVER_BLITS"
    )


#: Explorers whose every move changes axis limits or ticks, so they always draw in full
#: (none now: nb02.alpha_horizon blits on some of the random moves).
NEVER_BLITS: set[str] = set()
