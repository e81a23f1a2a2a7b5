"""The explorers' picture in the page (``helpers/explorers/picture.py``) and the kernel's
drawing ahead for it (``helpers/explorers/base.py``), on the kernel's side.

- The key a picture is sent with is the controls' values as the page holds them: a
  selection's index, a number as a float.
- Drawing ahead goes along the control that moved, two steps ahead for one back, and on the
  other side only past an end; before any move, one step either way on every control first.
- Every picture drawn ahead is sent to a page once it has shown the picture, with its key
  and its text alternative, and the picture sent is the one a fresh explorer draws for that
  key; a layout solved again makes the page forget what it holds.
- For a page, pictures spread evenly along the slider that moved (before any move, the
  first) are drawn after the neighbours, so that a dragged handle has a nearest picture; not
  without a page (nbval, scripts). After a move, last, the rest of that slider (every value
  of a slider of up to 224), nearest first, never pushing out what the page holds along it
  (pictures for other values of the other controls give way, the least recently shown
  first).
- All explorers of one event loop draw ahead through one scheduler: one picture per turn,
  the explorer moved last first, and none while a move waits for its picture.
"""

from __future__ import annotations

import asyncio

import ipywidgets as widgets
import numpy as np
import pytest

from helpers.explorers import ALL, Explorer
from helpers.explorers import base as explorer_base
from helpers.explorers.base import new_figure
from helpers.explorers.picture import FramePicture, page_field, page_key
from tests.test_explorers import _pixels


def test_page_key_holds_values_as_the_page_does():
    controls = {
        "n": widgets.IntSlider(value=3, min=0, max=10),
        "x": widgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.1),
        "mode": widgets.Dropdown(options=[("first", "a"), ("second", "b")], value="b"),
        "pick": widgets.SelectionSlider(options=["lo", "mid", "hi"], value="hi"),
        "log": widgets.FloatLogSlider(value=1e-3, min=-4, max=0),
    }
    assert [page_field(c) for c in controls.values()] == [
        "value",
        "value",
        "index",
        "index",
        "value",
    ]
    key = page_key(controls, {n: c.value for n, c in controls.items()})
    assert key == [3.0, 0.3, 1, 2, 1e-3]
    assert all(type(k) is float for k in (key[0], key[1], key[4]))


def _long_slider_explorer() -> Explorer:
    """A small explorer with a slider longer than ``FILL_FRAMES``: ``n``, 1 … 1000 by 1 (no
    course explorer has one: ``test_explorers.py``)."""
    fig, ax = new_figure(3.0, 2.0)
    (line,) = ax.plot([0.0, 1.0], [0.0, 0.0])

    def draw(w: float, n: int) -> None:
        line.set_ydata([0.0, w * n])
        ax.set_title(f"w = {w:.2f}, n = {n}")

    controls = {
        "w": widgets.FloatSlider(value=1.01, min=0.0, max=1.1, step=0.01),
        "n": widgets.IntSlider(value=1000, min=1, max=1000, step=1),
    }
    return Explorer("a long slider", fig, controls, draw)


def _explorer_with_page(name):
    """An explorer whose page (a list) records what the kernel sends it."""
    explorer = ALL[name]()
    sent = {"push": [], "clear": 0}
    explorer.image.push = lambda png, key, alt: sent["push"].append((png, key, alt))

    def clear():
        sent["clear"] += 1

    explorer.image.clear = clear
    return explorer, sent


def _record_steps(explorers, entry):
    """Make each explorer (label -> explorer) note ``entry(label, explorer)`` in the list
    returned, before each picture it draws ahead."""
    order = []
    for label, ex in explorers.items():
        step = ex._prefetch_step

        def recording(step=step, label=label, ex=ex):
            order.append(entry(label, ex))
            step()

        ex._prefetch_step = recording
    return order


async def _idle(*explorers):
    for _ in range(20000):
        await asyncio.sleep(0.001)
        if all(e._pending is None and e._prefetching is None for e in explorers):
            return
    raise AssertionError("the explorers kept working")


def test_the_picture_is_a_frame_picture_with_the_kernels_key():
    explorer = ALL["nb03.spectral"]()
    assert isinstance(explorer.image, FramePicture)
    assert explorer.image.key == page_key(explorer.controls, explorer.values)
    assert explorer.image.alt == explorer.describe()
    assert explorer.image.controls == list(explorer.controls.values())


def test_neighbours_go_along_the_moved_control_two_ahead_one_back():
    explorer = ALL["nb00.repeated_multiplication"]()
    (name,) = explorer.controls
    c = explorer.controls[name]
    explorer.update(**{name: 1.0})
    explorer._moved, explorer._motion = True, (name, 1)
    got = [round((v[name] - 1.0) / c.step) for v in explorer.neighbours()]
    assert got[:9] == [1, 2, -1, 3, 4, -2, 5, 6, -3]
    assert len(got) == explorer_base.PREFETCH_FRAMES
    # near the top end: past it, the other side only
    top = c.max - 2 * c.step
    explorer.update(**{name: top})
    got = [round((v[name] - top) / c.step) for v in explorer.neighbours()]
    assert got[:5] == [1, 2, -1, -2, -3]
    assert len(set(got)) == len(got)


def test_before_any_move_every_control_gets_a_step_either_way():
    explorer = ALL["nb03.spectral"]()
    first = explorer.neighbours()
    start = explorer.values
    for name in explorer.controls:
        moved = [v for v in first[: 2 * len(explorer.controls)] if v[name] != start[name]]
        assert moved, f"no step of {name} first"


def test_overview_spreads_evenly_along_the_moved_slider():
    explorer = ALL["nb02.power_toy"]()
    w = explorer.controls["w"]
    assert list(explorer.controls) == ["w", "fine", "n"]
    start = explorer.values
    before = explorer.overview()  # before any move: along the first slider
    assert all(v["n"] == start["n"] and v["fine"] == start["fine"] for v in before)
    assert len(before) == 16
    last = round((w.max - w.min) / w.step)
    want = [w.min + round(i * last / 15) * w.step for i in range(16)]
    got = [v["w"] for v in before]
    assert np.allclose(got, [x for x in want if abs(x - start["w"]) > 1e-9][: len(got)])
    explorer.close()
    explorer = _long_slider_explorer()
    n = explorer.controls["n"]
    explorer.update(w=0.5, n=501)  # n on the overview's grid: left out
    explorer._moved, explorer._motion = True, ("n", 1)
    got = explorer.overview(steps=5)
    assert all(v["w"] == 0.5 for v in got), "the other slider holds still"
    # 5 values evenly on n's grid of 1000 values 1..1000 (indices 0, 250, 500, 749, 999:
    # ends included), the current one (501) left out
    assert n.min == 1 and n.max == 1000 and n.step == 1
    assert [v["n"] for v in got] == [1, 251, 750, 1000]
    explorer.close()


def test_overview_of_short_and_selection_sliders_is_all_their_values():
    explorer = ALL["nb08.distance_model"]()
    (name,) = [n for n, c in explorer.controls.items() if isinstance(c, widgets.SelectionSlider)]
    options = explorer.controls[name].options
    got = [v[name] for v in explorer.overview()]
    others = [o for o in options if o != explorer.values[name]]
    assert sorted(got, key=list(options).index) == others
    assert explorer.overview(steps=1) == [] and explorer.overview(steps=0) == []
    explorer.close()


def test_the_overview_is_drawn_for_a_page_only():
    explorer = ALL["nb00.repeated_multiplication"]()

    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer._start_prefetch()
        without_page = list(explorer._queue)
        explorer._stop_prefetch()
        explorer._page = True
        explorer._start_prefetch()
        with_page = list(explorer._queue)
        explorer._stop_prefetch()
        return without_page, with_page

    without_page, with_page = asyncio.run(scenario())
    assert without_page == explorer.neighbours(explorer_base.PREFETCH_START)
    assert with_page[: len(without_page)] == without_page
    assert len(with_page) > len(without_page)
    assert len(with_page) <= explorer.cache_frames - 16
    explorer.close()


def test_a_small_cache_still_draws_ahead():
    """The queue leaves 16 pictures of the cache to the moves' own, but never takes a small
    cache's drawing ahead away (``cache_frames`` 20: half of it, as before the overview)."""
    explorer = ALL["nb00.repeated_multiplication"]()
    explorer.cache_frames = 20

    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer._start_prefetch()
        queue = list(explorer._queue)
        explorer._stop_prefetch()
        return queue

    assert asyncio.run(scenario()) == explorer.neighbours(explorer_base.PREFETCH_START)[:10]
    explorer.close()


def test_along_slider_is_every_value_of_a_short_slider_nearest_first():
    explorer = ALL["nb00.repeated_multiplication"]()
    (name,) = explorer.controls
    c = explorer.controls[name]
    last = round((c.max - c.min) / c.step)  # 150: 151 values, at most 224 drawn
    assert last + 1 <= explorer_base.FILL_FRAMES
    explorer.update(**{name: c.min + 40 * c.step})
    explorer._moved, explorer._motion = True, (name, -1)  # it moved down
    got = [round((v[name] - c.min) / c.step) for v in explorer.along_slider()]
    assert sorted(got) == [k for k in range(last + 1) if k != 40], "every value but the handle's"
    # nearest first, and at equal distance the side it moved to first
    assert got[:6] == [39, 41, 38, 42, 37, 43]
    assert got[-1] == last  # the far end last
    explorer.close()


def test_along_a_long_slider_is_spread_evenly_nearest_first():
    explorer = _long_slider_explorer()
    n = explorer.controls["n"]
    last = round((n.max - n.min) / n.step)  # 999: 1000 values
    explorer.update(n=400)
    explorer._moved, explorer._motion = True, ("n", 1)
    here = round((explorer.values["n"] - n.min) / n.step)
    got = [round((v["n"] - n.min) / n.step) for v in explorer.along_slider()]
    # 224 positions i·999/223 rounded, ends included (the handle's own left out)
    want = {round(i * last / 223) for i in range(224)} - {here}
    assert set(got) == want and len(got) == len(want)
    others = {k: v for k, v in explorer.values.items() if k != "n"}
    assert all(v | others == v for v in explorer.along_slider()), "the others hold still"
    distances = [abs(k - here) for k in got]
    assert distances == sorted(distances)
    assert explorer.along_slider(count=0) == [] and explorer.along_slider(count=1) == []
    explorer.close()


def _queues(explorer, *, page: bool, moved: bool):
    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer._page = page
        explorer._moved = moved
        explorer._start_prefetch()
        got = list(explorer._queue), list(explorer._fill)
        explorer._stop_prefetch()
        return got

    return asyncio.run(scenario())


def test_the_rest_of_the_slider_is_drawn_after_a_move_for_a_page_only():
    explorer = ALL["nb02.alpha_horizon"]()
    assert _queues(explorer, page=False, moved=True)[1] == [], "no page: nothing to show it"
    assert _queues(explorer, page=True, moved=False)[1] == [], "not at opening, if not seen"
    queue, fill = _queues(explorer, page=True, moved=True)
    keys = [explorer._key(v) for v in queue + fill]
    assert len(set(keys)) == len(keys), "a picture queued twice"
    name = explorer._motion[0]
    c = explorer.controls[name]
    everything = {explorer._key(v) for v in explorer.along_slider()}
    assert everything <= set(keys), "the whole slider is queued"
    assert len(everything) == round((c.max - c.min) / c.step)  # 211 values, the handle's not
    assert len(queue) + len(fill) <= explorer.cache_frames - 16
    explorer.close()


def test_once_seen_on_screen_the_first_slider_is_drawn_whole_before_any_move():
    """The page's "seen" message (its picture first on screen) queues, before any move,
    the neighbours and overview and then every value of the first slider; once only."""
    explorer, sent = _explorer_with_page("nb00.repeated_multiplication")
    (name,) = explorer.controls
    c = explorer.controls[name]

    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer.image._message(None, {"type": "ready"}, [])  # a page loaded it
        assert explorer._fill == [], "not seen yet: the fill waits"
        await _idle(explorer)
        before = len(sent["push"])
        assert 0 < before <= explorer_base.PREFETCH_START + explorer_base.OVERVIEW_STEPS
        explorer.image._message(None, {"type": "seen"}, [])  # scrolled into view
        assert not explorer._moved and explorer._fill, "the first slider's rest is queued"
        await _idle(explorer)
        pushed = {tuple(key) for _, key, _ in sent["push"]}
        every = {(float(v[name]),) for v in explorer.along_slider()}
        assert every <= pushed, "every value of the first slider reached the page"
        assert len(sent["push"]) == len(pushed), "nothing sent twice"
        n = len(sent["push"])
        explorer.image._message(None, {"type": "seen"}, [])  # told again: nothing more
        assert explorer._prefetching is None
        await _idle(explorer)
        assert len(sent["push"]) == n

    assert round((c.max - c.min) / c.step) + 1 <= explorer_base.FILL_FRAMES  # 151: whole
    asyncio.run(scenario())
    explorer.close()


def test_a_sliders_echo_of_its_value_in_the_last_bit_is_no_move():
    """JupyterLab's slider sends 1.0 back as 0.9999999999999999 (min + k·step in floats,
    seen in the browser): that is not a move, so opening a notebook draws no slider whole."""
    explorer = ALL["nb00.repeated_multiplication"]()
    (slider,) = explorer.controls.values()
    slider.value = 1.0
    explorer._moved = False
    stats = explorer.cache_stats
    shown = stats["hit"] + stats["miss"]  # pictures shown (from the cache or drawn)
    slider.value = 0.9999999999999999  # as the page sends it
    assert not explorer._moved and stats["echoes"] == 1
    assert stats["hit"] + stats["miss"] == shown, "no picture shown for it"
    slider.value = round(1.0 + slider.step, 10)  # one step: a move
    assert explorer._moved and stats["echoes"] == 1
    assert stats["hit"] + stats["miss"] == shown + 1
    explorer.close()


def _one_slider(control):
    fig, ax = explorer_base.new_figure(1.0, 1.0)
    (line,) = ax.plot([0, 1], [0, 1])
    return explorer_base.Explorer("one", fig, {"x": control}, lambda x: line.set_ydata([x, x]))


def test_an_echo_of_0_as_a_tiny_number_is_shown_under_the_pages_value():
    """On a slider from -0.01, the page sends 0.0 back as -1.7e-18: no move, but the page
    compares numbers relatively, so the picture is shown again under its value."""
    explorer = _one_slider(widgets.FloatSlider(value=0.0, min=-0.01, max=0.05, step=0.01))
    explorer._render()  # the first picture (drawn with the layout) is not kept: now it is
    explorer._moved = False
    stats = explorer.cache_stats
    misses = stats["miss"]
    explorer.controls["x"].value = -1.734723475976807e-18
    assert not explorer._moved and stats["echoes"] == 1
    assert explorer.image.key == [-1.734723475976807e-18], "the page's key"
    assert stats["miss"] == misses, "from the cache: no new drawing"
    explorer.close()


def test_a_real_move_on_a_log_slider_of_small_values_is_no_echo():
    """A log slider's step is in its exponent: 1e-10 -> 10^-9.5 is one step, a move."""
    explorer = _one_slider(widgets.FloatLogSlider(value=1e-10, min=-12, max=-6, step=0.5))
    explorer._moved = False
    explorer.controls["x"].value = 10**-9.5
    assert explorer._moved and explorer.cache_stats["echoes"] == 0
    explorer.controls["x"].value = 10**-9.5 * (1 + 1e-15)  # its last bits: an echo
    assert explorer.cache_stats["echoes"] == 1
    explorer.close()


def test_an_explorer_scrolled_into_view_waits_behind_one_being_filled():
    """Scrolling past an explorer does not hold up the slider a student just moved: the one
    seen queues behind it. A page loaded again tells anew when it is on screen."""
    moved, seen = ALL["nb00.repeated_multiplication"](), ALL["nb03.spectral"]()

    async def scenario():
        loop = asyncio.get_running_loop()
        for e in (moved, seen):
            e._home = loop
            e._on_page_ready()
        await _idle(moved, seen)
        moved.controls["factor"].value = round(moved.controls["factor"].value + 0.01, 2)
        await asyncio.sleep(0.2)  # its picture, then its draw-ahead is queued
        assert moved._queue or moved._fill
        seen._on_page_seen()
        order = explorer_base._draw_ahead(loop).explorers
        assert order.index(moved) < order.index(seen), "the moved one goes first"
        for e in (moved, seen):
            e._stop_prefetch()
        seen._on_page_ready()  # the page loaded again
        assert not seen._seen

    asyncio.run(scenario())
    moved.close()
    seen.close()


def test_the_rest_of_the_slider_never_pushes_pictures_out():
    """With room for few pictures, the rest of the slider stops short: what the page and
    the cache hold (the neighbours nearest the handle) stays."""
    explorer, sent = _explorer_with_page("nb00.repeated_multiplication")
    explorer.cache_frames = 60  # room: 44 queued, 44 drawn, 16 to spare

    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer.image._on_ready()
        await _idle(explorer)
        sent["push"].clear()
        (name,) = explorer.controls
        explorer.controls[name].value = explorer._neighbour(name, explorer.values[name], 1)
        await _idle(explorer)

    asyncio.run(scenario())
    assert len(explorer._cache) <= explorer.cache_frames - 16
    assert len(explorer._pushed) <= explorer.cache_frames - 16
    assert explorer.cache_stats["prefetched"] <= explorer.cache_frames
    for values in explorer.neighbours(8):  # the nearest are still held
        assert explorer._key(values) in explorer._pushed
    explorer.close()


def test_pictures_left_from_other_values_give_way_to_the_rest_of_the_slider():
    """Pictures for other values of the other controls (left from before a move of them) do
    not stop the rest of the slider: they are pushed out, the least recently shown first."""
    explorer, sent = _explorer_with_page("nb02.alpha_horizon")
    explorer.cache_frames = 80  # 64 of the slider's line, 16 to spare
    horizon = explorer.values["horizon"]
    step = explorer.controls["horizon"].step
    stale = [  # 40 other horizons, on the slider's grid
        explorer._key({**explorer.values, "horizon": horizon + step * i}) for i in range(1, 41)
    ]
    for key in stale:  # 40 pictures of other horizons, held by the kernel and the page
        explorer._cache_put(key, b"x" * 50_000)
        explorer._mark_pushed(key, 50_000)

    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer._page = True
        explorer.update(alpha=explorer._neighbour("alpha", explorer.values["alpha"], 1))
        explorer._moved, explorer._motion = True, ("alpha", 1)
        explorer._start_prefetch()
        await _idle(explorer)

    asyncio.run(scenario())
    line = [k for k in explorer._cache if k[1] == explorer._key(explorer.values)[1]]
    # 40 of the neighbours and overview, then the rest up to 64 (with the handle's own)
    assert len(line) == explorer.cache_frames - 16, (len(line), len(explorer._cache))
    assert len(sent["push"]) == explorer.cache_frames - 16 - 1
    left = [k for k in stale if k in explorer._cache]
    assert left == stale[-16:], "not the least recently shown of the others pushed out"
    assert [k for k in stale if k in explorer._pushed] == stale[-16:]
    explorer.close()


def _two_sliders():
    """A small, fast explorer with two sliders of 30 values, whose page (a list of keys,
    least recently shown first, dropped from the front as ``FramePicture``'s page drops
    them) records what the kernel sends it."""
    fig, ax = explorer_base.new_figure(1.0, 1.0)
    (line,) = ax.plot([0, 1], [0, 1])

    def draw(a: int, b: int) -> None:
        line.set_ydata([a / 30, b / 30])

    controls = {
        "a": widgets.IntSlider(value=15, min=0, max=29),
        "b": widgets.IntSlider(value=15, min=0, max=29),
    }
    explorer = explorer_base.Explorer("two sliders", fig, controls, draw)
    page: list[tuple[float, ...]] = []

    def keep(key):
        key = tuple(key)
        if key in page:
            page.remove(key)
        page.append(key)
        while len(page) > explorer.cache_frames:
            page.pop(0)

    def touch(keys):
        for key in map(tuple, keys):
            if key in page:
                page.remove(key)
                page.append(key)

    explorer.image.push = lambda png, key, alt: keep(key)
    explorer.image.clear = page.clear
    explorer.image.touch = touch
    show = explorer.image.show
    explorer.image.show = lambda png, key, alt: (show(png, key, alt), keep(key))
    return explorer, page


def test_back_on_a_line_left_earlier_its_pictures_are_not_pushed_out():
    """Back on a slider's line after another control moved and came back, the pictures held
    along it are the least recently shown: drawing ahead must not push them out (they are
    made the most recently shown first, in the kernel and in the page)."""
    explorer, page = _two_sliders()
    explorer.cache_frames = 50  # room for a whole slider (30 values) and its neighbours

    def line(held):
        here = explorer._key(explorer.values)
        return {k[0] for k in held if k[1] == here[1]}

    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer.image._on_ready()
        await _idle(explorer)
        for name, step in (("a", 1), ("b", 1), ("b", -1), ("a", 1)):
            explorer.controls[name].value += step
            await _idle(explorer)

    asyncio.run(scenario())
    assert line(explorer._cache) == set(range(30)), sorted(set(range(30)) - line(explorer._cache))
    assert line(page) == set(range(30)), sorted(set(range(30)) - line(page))
    assert list(explorer._pushed) == page, "the kernel's mirror of the page is not the page"
    explorer.close()


def test_every_explorers_neighbours_come_before_the_rest_of_a_slider(monkeypatch):
    monkeypatch.setattr(explorer_base, "FILL_FRAMES", 12)  # the order only: a short rest
    a, _ = _explorer_with_page("nb00.repeated_multiplication")
    b, _ = _explorer_with_page("nb02.alpha_horizon")
    order = _record_steps(
        {"a": a, "b": b}, lambda label, ex: (label, "near" if ex._queue else "fill")
    )

    async def scenario():
        loop = asyncio.get_running_loop()
        for ex in (a, b):
            ex._home = loop
            ex._page = ex._moved = True
        a._start_prefetch()
        b._start_prefetch()  # b moved last: its neighbours first, then a's, then b's rest
        await _idle(a, b)

    asyncio.run(scenario())
    kinds = [kind for _, kind in order]
    first_fill = kinds.index("fill")
    assert set(kinds[:first_fill]) == {"near"} and set(kinds[first_fill:]) == {"fill"}
    assert {label for label, _ in order[:first_fill]} == {"a", "b"}
    assert order[0][0] == "b" and order[first_fill][0] == "b"
    a.close()
    b.close()


@pytest.mark.parametrize("name", ["nb00.repeated_multiplication", "nb02.power_toy"])
def test_pictures_drawn_ahead_reach_the_page_and_are_right(name):
    explorer, sent = _explorer_with_page(name)

    async def scenario():
        explorer._home = asyncio.get_running_loop()
        explorer.image._on_ready()  # a page showed the picture
        await _idle(explorer)

    asyncio.run(scenario())
    assert len(sent["push"]) >= 5
    keys = [tuple(k) for _, k, _ in sent["push"]]
    assert len(set(keys)) == len(keys), "a picture was sent twice"
    fresh = ALL[name]()
    fresh.blit = False
    fresh.cache_frames = 0
    for png, key, alt in sent["push"][:6] + sent["push"][-3:]:  # neighbours and overview
        values = dict(zip(explorer.controls, key, strict=True))
        for n, c in explorer.controls.items():
            if page_field(c) == "index":
                values[n] = c.options[key[list(explorer.controls).index(n)]]
            elif isinstance(c, widgets.IntSlider):
                values[n] = int(values[n])
        fresh.update(**values)
        assert np.array_equal(_pixels(png), _pixels(fresh.image.value)), values
        assert alt == fresh.describe(), values
    explorer.close()


def test_a_layout_solved_again_clears_the_page():
    explorer, sent = _explorer_with_page("nb00.repeated_multiplication")
    explorer._page = True  # a page shows it
    explorer._mark_pushed(("something",), 10)
    explorer.relayout()
    (name,) = explorer.controls
    explorer.update(**{name: explorer._neighbour(name, explorer.values[name], 1)})
    # the page forgot everything; it holds only the picture just shown
    assert sent["clear"] == 1
    assert list(explorer._pushed) == [explorer._key(explorer.values)]


def test_one_scheduler_for_all_explorers_the_last_moved_first(monkeypatch):
    monkeypatch.setattr(explorer_base, "FILL_FRAMES", 12)  # a's move: a short rest of its slider
    a, sent_a = _explorer_with_page("nb00.repeated_multiplication")
    b, sent_b = _explorer_with_page("nb02.alpha_horizon")

    def entry(label, ex):
        assert not ex._pending, "drawing ahead while a move waits for its picture"
        return label

    order = _record_steps({"a": a, "b": b}, entry)

    async def scenario():
        loop = asyncio.get_running_loop()
        for ex in (a, b):
            ex._home = loop
            ex._page = True
        a._start_prefetch()
        b._start_prefetch()  # b moved last: b first
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert order and order[0] == "b"
        assert explorer_base._draw_ahead(loop).handle is not None
        # a move in a: its picture comes before any more drawing ahead
        (name,) = [n for n in a.controls if isinstance(a.controls[n], widgets.FloatSlider)][:1]
        a.controls[name].value = a._neighbour(name, a.values[name], 1)
        assert a._pending is not None
        await _idle(a, b)

    asyncio.run(scenario())
    assert order[0] == "b" and "a" in order
    assert sent_a["push"] and sent_b["push"]
    a.close()
    b.close()


def test_draw_ahead_setting_from_the_environment():
    """``UNROLLED_DRAW_AHEAD=N``: at most N pictures after a move, shared in order between
    neighbours (24), overview (16) and the rest of the slider (224); 8 at opening."""
    setting = explorer_base._draw_ahead_setting
    assert setting({}) == (24, 8, 16, 224)
    assert setting({"UNROLLED_DRAW_AHEAD": "264"}) == (24, 8, 16, 224)
    assert setting({"UNROLLED_DRAW_AHEAD": "40"}) == (24, 8, 16, 0)
    assert setting({"UNROLLED_DRAW_AHEAD": "30"}) == (24, 8, 6, 0)
    assert setting({"UNROLLED_DRAW_AHEAD": "100"}) == (24, 8, 16, 60)
    assert setting({"UNROLLED_DRAW_AHEAD": "4"}) == (4, 4, 0, 0)
    assert setting({"UNROLLED_DRAW_AHEAD": "0"}) == (0, 0, 0, 0)
    assert explorer_base.DRAW_AHEAD <= explorer_base.CACHE_FRAMES - 16
    for bad in ("-1", "265", "many", "2.5", ""):
        with pytest.raises(ValueError, match="UNROLLED_DRAW_AHEAD"):
            explorer_base._draw_ahead_setting({"UNROLLED_DRAW_AHEAD": bad})


def test_what_the_page_holds_is_forgotten_as_the_page_drops_it():
    explorer = ALL["nb00.repeated_multiplication"]()
    explorer.cache_frames, explorer.cache_bytes = 4, 10**9
    for k in range(10):
        explorer._mark_pushed((k,), 100)
    assert list(explorer._pushed) == [(6,), (7,), (8,), (9,)]
    explorer._mark_pushed((7,), 100)  # shown again: most recent
    explorer._mark_pushed((10,), 100)
    assert list(explorer._pushed) == [(8,), (9,), (7,), (10,)]


def test_the_scheduler_forgets_closed_event_loops():
    """One scheduler per loop, in a WeakKeyDictionary: it must not hold its loop (else the
    entry never goes), and loops closed with work queued are dropped."""

    async def scenario():
        explorer, _ = _explorer_with_page("nb00.repeated_multiplication")
        explorer._home = asyncio.get_running_loop()
        explorer._page = True
        explorer._start_prefetch()  # work queued when the loop closes

    for _ in range(3):
        asyncio.run(scenario())
    loop = asyncio.new_event_loop()
    try:
        scheduler = explorer_base._draw_ahead(loop)
        assert not any(vars(scheduler).get(k) is loop for k in vars(scheduler))
        assert list(explorer_base._DRAW_AHEAD) == [loop]
    finally:
        loop.close()
