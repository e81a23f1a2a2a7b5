"""The explorers' frame cache and prefetch (``helpers/explorers/base.py``).

- A cached picture is the picture a fresh full draw gives: an explorer with its cache and
  one with no cache and no blitting receive the same moves (each control to its extremes,
  back, seeded random moves, then all of it in reverse, so that the way back is served from
  the cache); after every move their pixels must be equal.
- In an event loop (as in a Jupyter kernel): moves that arrive before the picture is made
  are folded into one; after a move the neighbouring pictures are drawn while the loop is
  idle, the direction of motion first, and are then served from the cache, equal to a fresh
  explorer's picture; a move cancels the rest of the prefetch; ``close`` leaves nothing
  scheduled.
- Moves that arrive in another thread (JupyterLab sends widget messages to a kernel
  subshell) are drawn on the explorer's home loop, never in the thread they arrived in, and
  the picture shown at the end is the one for the last values.
- The cache never holds more than its cap.
"""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from helpers.explorers import ALL
from tests.test_explorers import RANDOM_MOVES, _blitting_and_full, _pixels


@pytest.mark.parametrize("name", sorted(ALL))
def test_cached_pictures_equal_fresh_full_draws(name):
    cached, _, moves = _blitting_and_full(name)
    half = len(moves) // 2
    moves = moves[: half - RANDOM_MOVES] + moves[half + RANDOM_MOVES :]  # no random moves
    fresh = ALL[name]()
    fresh.blit = False
    fresh.cache_frames = 0
    for control, value in moves:
        cached.update(**{control: value})
        fresh.update(**{control: value})
        differ = np.any(_pixels(cached.image.value) != _pixels(fresh.image.value), axis=-1)
        assert not differ.any(), (
            f"after {control}={value!r}: {int(differ.sum())} pixels differ from a fresh full"
            f" draw (cache: {dict(cached.cache_stats)})"
        )
    assert cached.cache_stats["hit"] > 0, "the way back was never served from the cache"
    assert fresh.cache_stats["hit"] == 0


def _slider(explorer):
    """The first control with two grid steps free on one side of its value."""
    for name in explorer.controls:
        value = explorer.values[name]
        if all(explorer._neighbour(name, value, s) is not None for s in (1, 2)):
            return name
        if all(explorer._neighbour(name, value, s) is not None for s in (-1, -2)):
            return name
    return None


async def _idle(explorer):
    """Let the loop run until the explorer has nothing scheduled."""
    for _ in range(1000):
        await asyncio.sleep(explorer.settle_s)
        if explorer._pending is None and explorer._prefetching is None:
            return
    raise AssertionError("the explorer kept working")


def _recording(explorer):
    """Record every picture the explorer draws: ``[(values, png), ...]`` in drawing order."""
    drawn = []
    draw_png = explorer._draw_png

    def recording(values, key):
        png = draw_png(values, key)
        drawn.append((dict(values), png))
        return png

    explorer._draw_png = recording
    return drawn


@pytest.mark.parametrize(
    "name", ["nb00.repeated_multiplication", "nb02.alpha_horizon", "nb02.power_toy"]
)
def test_prefetch_in_an_event_loop(name):
    explorer = ALL[name]()
    drawn = _recording(explorer)
    control = _slider(explorer)
    assert control is not None
    start = explorer.values[control]
    way = 1 if explorer._neighbour(control, start, 2) is not None else -1
    one = explorer._neighbour(control, start, way)
    two = explorer._neighbour(control, start, 2 * way)
    shown = []

    async def scenario():
        c = explorer.controls[control]
        misses = explorer.cache_stats["miss"]
        c.value = one  # a move: picture on the next turn of the loop, then prefetch
        assert explorer._pending is not None
        await _idle(explorer)
        shown.append(explorer.image.value)
        assert explorer.cache_stats["miss"] == misses + 1
        assert explorer.cache_stats["prefetched"] >= 2
        # the direction of motion came first
        assert explorer._key({**explorer.values, control: two}) in explorer._cache
        hits = explorer.cache_stats["hit"]
        c.value = two
        await asyncio.sleep(4 * explorer.settle_s)
        assert explorer.cache_stats["hit"] == hits + 1
        # two quick moves before the loop turns: one picture, of the last value
        c.value = one
        c.value = start
        await _idle(explorer)
        assert explorer.cache_stats["dropped"] >= 1
        assert explorer._pending is None
        explorer.close()
        assert explorer._pending is None and explorer._prefetching is None
        assert not explorer._cache

    asyncio.run(scenario())
    assert len(drawn) >= 3
    # Every picture drawn (shown or drawn ahead) is what an explorer without a cache draws
    # for the same values after the same history of drawn values.
    twin = ALL[name]()
    twin.cache_frames = 0
    for values, png in drawn:
        twin.update(**values)
        assert np.array_equal(_pixels(png), _pixels(twin.image.value)), values
    # and what is shown after a cached move is the picture drawn for those values
    assert any(png == shown[0] for values, png in drawn if values[control] == one)


@pytest.mark.parametrize("defer", [True, False])
def test_moves_from_another_thread_are_drawn_on_the_home_loop(defer):
    """As in JupyterLab with comms over subshells: the widget messages arrive in a thread
    of their own while the main thread's loop runs."""
    name = "nb00.repeated_multiplication"
    threads: list[int] = []
    shown: dict[str, bytes] = {}

    async def scenario():
        explorer = ALL[name]()  # made on this loop: its home
        explorer.defer = defer
        draw_png = explorer._draw_png

        def recording(values, key):
            threads.append(threading.get_ident())
            return draw_png(values, key)

        explorer._draw_png = recording
        control = _slider(explorer)
        c = explorer.controls[control]
        values = [explorer.values[control]]
        for step in (1, 2, 3, 4, 5):
            values.append(
                explorer._neighbour(control, values[0], step)
                or explorer._neighbour(control, values[0], -step)
            )

        def subshell():
            for value in values[1:]:
                c.value = value  # the observer runs in this thread

        worker = threading.Thread(target=subshell)
        worker.start()
        while worker.is_alive():
            await asyncio.sleep(0.001)
        worker.join()
        for _ in range(2000):
            await asyncio.sleep(0.002)
            if explorer._pending is None and explorer._prefetching is None:
                break
        assert explorer.cache_stats["handed over"] == len(values) - 1
        shown["control"], shown["value"] = control, values[-1]
        shown["png"] = explorer.image.value
        explorer.close()

    asyncio.run(scenario())
    assert threads and set(threads) == {threading.get_ident()}, "drawn outside the home loop"
    fresh = ALL[name]()
    fresh.blit = False
    fresh.cache_frames = 0
    fresh.update(**{shown["control"]: shown["value"]})
    assert np.array_equal(_pixels(shown["png"]), _pixels(fresh.image.value))


def test_cache_is_capped():
    explorer = ALL["nb00.repeated_multiplication"]()
    explorer.cache_frames = 4
    control = next(iter(explorer.controls))
    value = explorer.values[control]
    for _ in range(10):
        nxt = explorer._neighbour(control, value, 1) or explorer._neighbour(control, value, -1)
        explorer.update(**{control: nxt})
        value = nxt
        assert len(explorer._cache) <= 4
    explorer.cache_frames, explorer.cache_bytes = 96, 1000
    explorer.clear_cache()
    explorer.update(**{control: explorer._neighbour(control, value, -1)})
    assert explorer._cache_size <= 1000


def test_pictures_drawn_ahead_are_described_for_their_own_values():
    """The text alternative kept for a picture drawn ahead describes that picture (its
    values and its data), not the one shown when it was drawn."""
    explorer = ALL["nb00.repeated_multiplication"]()
    control = _slider(explorer)
    start = explorer.values[control]
    way = 1 if explorer._neighbour(control, start, 2) is not None else -1

    async def scenario():
        explorer.controls[control].value = explorer._neighbour(control, start, way)
        await _idle(explorer)

    asyncio.run(scenario())
    assert explorer.cache_stats["prefetched"] >= 2
    fresh = ALL["nb00.repeated_multiplication"]()
    assert len(explorer._alts) >= 3
    for key, alt in explorer._alts.items():
        fresh.update(**dict(zip(explorer.controls, key, strict=True)))
        assert alt == fresh.describe(), key
