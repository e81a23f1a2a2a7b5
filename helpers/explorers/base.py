"""The explorer pattern: sliders that redraw one reused figure, shown as a PNG.

An explorer owns a matplotlib ``Figure`` (made without pyplot, so notebooks never show it
twice), a set of ipywidgets controls and a ``draw(**values)`` function that updates the
figure's artists in place (``set_data``, ``set_ydata``…, never a new figure). Each change
of a control calls ``update``: draw, render the figure to PNG, put the bytes into an
``ipywidgets.Image``. Displayed, it is the live widget where a kernel runs, and its PNG
(``image/png`` in the mime bundle) where none does: an untrusted notebook, nbconvert
HTML, GitHub.

Speed, in a kernel: each picture drawn is kept (PNG bytes) in a frame cache keyed by the
controls' values, at most ``CACHE_FRAMES`` pictures and ``CACHE_BYTES`` bytes per explorer
(least recently shown dropped first), emptied whenever the layout is solved again; a move
back to a value already seen sends the same bytes again. After a move, while the kernel is
idle, the neighbouring pictures are drawn ahead (the direction of motion first), one per
turn of the event loop, so a real move waits for at most one picture in progress; moves that
arrive while a picture is being made are folded into one. The work after a move is bounded
(at most ``DRAW_AHEAD`` pictures) and ``close()`` stops it.

In the page: the picture is a ``FramePicture`` (``helpers/explorers/picture.py``), to which
the kernel sends every picture it draws ahead; a move whose picture the page holds is shown
there at once, with no round trip through the kernel. For a page, the kernel also draws
pictures spread along the slider that moved (``overview``), so that a handle dragged past
what was drawn ahead shows at once the nearest of them, captioned, until its own picture
comes; and then, last, the rest of that slider (``along_slider``: every value of a slider of
up to ``FILL_FRAMES`` values), so that a drag along it is answered in the page. Before any
move, the first slider is drawn so once the page has shown the picture on screen (scrolled
into view): a first drag is answered in the page too.

Threads: JupyterLab 4.4+ sends widget messages to a kernel *subshell* (the setting "Kernel
Comms over subshells", on by default), so a slider's change arrives in another thread than
the cells run in. Matplotlib is not thread-safe (two pictures drawn at once in two threads
fail inside FreeType, or crash the kernel), so every picture is made on the event loop of the
thread that made the explorer (a cell's: the kernel's main thread): a move that arrives in
another thread is handed over with ``call_soon_threadsafe``. The main thread draws the cells'
own figures too, so an explorer never draws at the same time as a cell.
"""

from __future__ import annotations

import asyncio
import base64
import io
import math
import os
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from helpers import style
from helpers._validate import as_float
from helpers.explorers.picture import FramePicture, page_key

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

#: Kinds of value a control may hold, for checks in ``update``.
_NUMERIC = (
    widgets.IntSlider,
    widgets.FloatSlider,
    widgets.FloatLogSlider,
    widgets.BoundedIntText,
    widgets.BoundedFloatText,
)
_CHOICE = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.SelectionSlider)


#: Sliders that show only the values min + k·step (base ** (min + k·step) for a log slider).
_GRID = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)


#: The frame cache of every explorer holds at most this many rendered pictures and this many
#: bytes of PNG, whichever comes first; the least recently shown go first. The page holds
#: as many (``FramePicture``), so an explorer may cost this much in the kernel and again in
#: the browser. Room for a slider's every value (``FILL_FRAMES``) and the pictures around.
CACHE_FRAMES = 288
CACHE_BYTES = 32 * 2**20
#: After a move, while the kernel is idle, pre-render up to this many pictures along the
#: control that moved: two steps ahead (in the direction it moved) for each step back, in the
#: order +1, +2, -1, +3, +4, -2, +5, ... (on past an end of the slider, on the other side
#: only). Each is sent to the page as soon as it is made (``FramePicture``), so that a press
#: or a held key within that reach is answered in the page, with no round trip. One picture
#: per turn of the event loop: a real move waits for at most one picture in progress, and
#: cancels the rest. (Also one step either way on every other control cost up to 10 renders
#: per move for a four-control explorer and, in a kernel shared by several explorers,
#: delayed the next move: see benchmarks/RESULTS.md.)
PREFETCH_FRAMES = 24
#: Before any move (when a page has shown the explorer): this many pictures, one step either
#: way on every control, then along the first slider (then the first slider's overview,
#: ``OVERVIEW_STEPS``). Kept small: every explorer of a notebook draws them when the
#: notebook is opened and run.
PREFETCH_START = 8
#: When a page shows the explorer, after the neighbours: this many pictures spread evenly
#: along the slider that moved last (the first slider, before any move), its ends included
#: (every value of a shorter slider). A handle dragged past what was drawn ahead then shows
#: at once the nearest of them (captioned with its value, see ``FramePicture``) while the
#: kernel draws the handle's own. While one slider moves, its pictures stay valid (the other
#: controls hold still), so only the first move of a slider costs them. Not along the other
#: sliders: each move would make theirs stale, and drawing them again after every press of a
#: walk along one slider took CPU the walk needed (benchmarks/RESULTS.md, "Browser: run 5").
OVERVIEW_STEPS = 16
#: After a move, when a page shows the explorer, last of all (once every explorer of the
#: kernel has drawn its neighbours and overview: ``_DrawAhead``): the rest of the slider
#: that moved last, the values nearest the handle first, up to this many pictures: every
#: value of a slider of at most this many values, so that a handle dragged anywhere along
#: it is answered in the page with its own picture; a longer slider's this many spread
#: evenly. Never more pictures of the slider's line than the cache and the page hold with
#: room for 16 more: they push out only pictures left from other values of the other
#: controls (``_room_to_fill``; ``_touch`` first makes those held along it the most
#: recently shown). Like the overview, they stay valid while that slider
#: alone moves. Before any move, along the first slider, once the page has shown the
#: picture on screen (``FramePicture``'s "seen"): an explorer never scrolled to draws only
#: its ``PREFETCH_START`` neighbours and overview when the notebook is opened.
FILL_FRAMES = 224
#: The most values a slider of the course has (``tests/test_explorers.py``): the default
#: ``FILL_FRAMES``, so that every value of every slider is drawn for drags (unless
#: ``UNROLLED_DRAW_AHEAD`` lowers it).
LONGEST_SLIDER = FILL_FRAMES
#: Most pictures drawn ahead after a move, all kinds: ``UNROLLED_DRAW_AHEAD`` (below).
DRAW_AHEAD = PREFETCH_FRAMES + OVERVIEW_STEPS + FILL_FRAMES


def _draw_ahead_setting(environ: Mapping[str, str]) -> tuple[int, int, int, int]:
    """``(PREFETCH_FRAMES, PREFETCH_START, OVERVIEW_STEPS, FILL_FRAMES)`` as set by the
    environment variable ``UNROLLED_DRAW_AHEAD``: the most pictures drawn ahead after a move,
    a whole number from 0 to ``DRAW_AHEAD`` (264; fewer on a shared JupyterHub short of
    CPU, 40 for no more than the neighbours and the overview; 0: nothing drawn ahead),
    shared in that order: neighbours (up to 24), overview (up to 16), the rest of the
    slider. Unset: the defaults above."""
    text = environ.get("UNROLLED_DRAW_AHEAD")
    if text is None:
        return PREFETCH_FRAMES, PREFETCH_START, OVERVIEW_STEPS, FILL_FRAMES
    try:
        total = int(text)
    except ValueError:
        total = -1
    if not 0 <= total <= DRAW_AHEAD:
        raise ValueError(
            f"UNROLLED_DRAW_AHEAD must be a whole number from 0 to {DRAW_AHEAD}, got {text!r}"
        )
    frames = min(PREFETCH_FRAMES, total)
    overview = min(OVERVIEW_STEPS, total - frames)
    return frames, min(PREFETCH_START, total), overview, total - frames - overview


PREFETCH_FRAMES, PREFETCH_START, OVERVIEW_STEPS, FILL_FRAMES = _draw_ahead_setting(os.environ)


#: The status line's bit of script, run by the browser each time the line's HTML is set (the
#: ``onload`` of a hidden 1-pixel GIF, which then removes itself). ipywidgets keeps the
#: line's container element across updates, so the script makes that element a polite live
#: region (a region made anew with each update is not announced); it copies the text into
#: the ``alt`` of a plain ``Image`` widget (which has no alt of its own; a ``FramePicture``
#: sets the alt of each picture it shows itself, with the picture) and names
#: each slider's handle by its label (noUiSlider's handle is a ``div`` with role "slider",
#: which the ``<label>`` beside it does not name).
_LIVE_JS = (
    "var c=this.parentNode;c.setAttribute('role','status');c.setAttribute('aria-live','polite');"
    "c.setAttribute('aria-atomic','true');var t=c.textContent;this.remove();"
    "(function f(n){var b=c.closest('.widget-vbox'),"
    "i=b&&b.querySelector('img.widget-image,.widget-image img');"
    "if(!i){if(n<100)requestAnimationFrame(function(){f(n+1)});return}"
    "if(!i.classList.contains('unrolled-frame'))i.alt=t;"
    "b.querySelectorAll('.widget-slider').forEach(function(s){"
    "var h=s.querySelector('.noUi-handle'),l=s.querySelector('.widget-label');"
    "if(h&&l)h.setAttribute('aria-label',l.textContent)})})(0)"
)
_PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
#: Visually hidden, still read by screen readers (the usual "sr-only" rules).
_SR_ONLY = (
    "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
    "clip:rect(0,0,0,0);white-space:nowrap;border:0"
)


#: A visible focus ring on an explorer's slider handles (ipywidgets only recolours a focused
#: handle), in the palette's blue (5:1 on white; WCAG 2.1 asks 3:1 of focus indicators).
_FOCUS_CSS = (
    "<style>.unrolled-explorer .noUi-handle:focus-visible"
    "{outline:2px solid #0072B2;outline-offset:2px}</style>"
)


def live_status_html(text: str) -> str:
    """The HTML of an explorer's status line for the text alternative ``text``: hidden on
    screen, announced politely by screen readers when it changes (see ``_LIVE_JS``)."""
    import html

    return (
        f'<span style="{_SR_ONLY}">{html.escape(text)}</span>'
        f'<img alt="" hidden src="{_PIXEL}" onload="{_LIVE_JS}">'
    )


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop this code runs in (a Jupyter kernel's), or None (a plain script)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _key_part(value: Any) -> Any:
    """A control's value as a cache key: floats to 12 significant digits, so that the value
    a browser sends back and the same grid value computed here are one key."""
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.12g}")
    if isinstance(value, np.integer):
        return int(value)
    return value


def on_grid(control: widgets.ValueWidget, value: float) -> float:
    """The value a grid slider shows for ``value``: the nearest min + k·step (in the exponent
    for a ``FloatLogSlider``). A browser snaps a slider to it and sends it back.

    ``value`` must lie within one step of the slider's range (beyond it a browser clamps)."""
    if not isinstance(control, _GRID):
        raise TypeError(
            "control must be an ipywidgets IntSlider, FloatSlider or FloatLogSlider, "
            f"got {type(control).__name__}"
        )
    log = isinstance(control, widgets.FloatLogSlider)
    value = as_float("value", value, positive=log)
    at = np.log(value) / np.log(control.base) if log else value
    if not control.min - control.step <= at <= control.max + control.step:
        lo, hi = (control.min, control.max)
        if log:
            lo, hi = control.base**lo, control.base**hi
        raise ValueError(f"value must be within the slider's range {lo:g} to {hi:g}, got {value:g}")
    if isinstance(control, widgets.FloatLogSlider):
        k = round((np.log(value) / np.log(control.base) - control.min) / control.step)
        return float(control.base ** (control.min + k * control.step))
    return float(control.min + round((value - control.min) / control.step) * control.step)


def new_figure(width: float = 9.0, height: float = 4.0, **subplots: Any) -> tuple[Figure, Any]:
    """A ``Figure`` outside pyplot (never auto-shown) with the course style, and its axes.

    ``subplots`` go to ``Figure.subplots`` (``ncols=2``, ``gridspec_kw=...``). The default
    9 × 4 in at 100 dpi is 900 × 400 px: sharp on a projector. ``width`` and ``height``
    (inches) must be in (0, 40].
    """
    width = as_float("width", width, positive=True, max_value=40.0)
    height = as_float("height", height, positive=True, max_value=40.0)
    style.use()
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(**subplots)
    return fig, axes


def _draw_list(parent: Any) -> list[Artist]:
    """The children an ``Axes`` or ``Figure`` draws, in the order its ``draw`` uses.

    As ``Axes.draw``/``Figure.draw`` do: the background patch left out (drawn first),
    spines and axes only when shown, animated artists skipped, a stable sort by zorder.
    """
    children = [a for a in parent.get_children() if a is not parent.patch]
    if hasattr(parent, "axison"):
        if not (parent.axison and parent.get_frame_on()):
            children = [a for a in children if a not in parent.spines.values()]
        if not parent.axison:
            children = [a for a in children if not isinstance(a, Axis)]
    return sorted((a for a in children if not a.get_animated()), key=lambda a: a.get_zorder())


def _is_changed(artist: Artist) -> bool:
    """Whether ``artist`` or a visible part of it was changed since it was last drawn."""
    if isinstance(artist, Axis):
        # Its ticks follow the limits, tick positions and tick labels, which the blit
        # signature compares; ``set_xlim`` marks it stale even when nothing moves.
        return artist.label.stale or artist.offsetText.stale
    if artist.stale:
        return True
    return any(c.get_visible() and _is_changed(c) for c in artist.get_children())


def _ticking(axis: Axis) -> tuple[Any, ...]:
    """What an axis draws besides its limits: tick positions and tick labels."""
    major, minor = axis.get_majorticklocs(), axis.get_minorticklocs()
    return (
        tuple(np.asarray(major).tolist()),
        tuple(axis.get_major_formatter().format_ticks(major)),
        tuple(np.asarray(minor).tolist()),
        tuple(axis.get_minor_formatter().format_ticks(minor)),
    )


def _changed_children(parent: Any) -> set[Artist]:
    """The direct children of an ``Axes`` or ``Figure`` that changed (patch included)."""
    return {a for a in parent.get_children() if _is_changed(a)}


def _unstale(artist: Artist) -> None:
    """Mark ``artist`` and everything in it as drawn (empty texts and hidden artists are
    never drawn, so they would otherwise look changed forever)."""
    artist.stale = False
    for child in artist.get_children():
        _unstale(child)


def widget_view_bundle(widget: widgets.Widget, **kwargs: Any) -> dict[str, Any]:
    """The display bundle of a widget's live view, with ipywidgets 8 and with 7.7.

    ipywidgets 8 builds it in ``_repr_mimebundle_``; 7.x (still what Google Colab ships)
    has no such method and displays through ``_ipython_display_``, so the same bundle is
    built here from the model id (view protocol version 2.0, as ipywidgets 7 sends it).
    """
    make_bundle = getattr(widget, "_repr_mimebundle_", None)
    if not callable(make_bundle) and not isinstance(getattr(widget, "model_id", None), str):
        raise TypeError(f"widget must be an ipywidgets widget, got {type(widget).__name__}")
    if make_bundle is None:
        return {
            "text/plain": repr(widget),
            WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 0, "model_id": widget.model_id},
        }
    bundle = make_bundle(**kwargs)
    if isinstance(bundle, tuple):  # (data, metadata)
        bundle = bundle[0]
    return dict(bundle)


class _DrawAhead:
    """The drawing ahead of every explorer on one event loop (a kernel's), one picture per
    turn of the loop, for the explorer moved last first (one just scrolled into view, before
    any move, after those waiting already), and none while a move waits for its picture: a
    move in any explorer waits for at most one picture in progress. The rest of a slider
    (``Explorer.along_slider``) comes after every explorer's neighbours and overview."""

    def __init__(self) -> None:
        # No reference to the loop itself: the scheduler lives in a WeakKeyDictionary keyed
        # by it, and every method runs on it (``asyncio.get_running_loop``).
        self.explorers: list[Explorer] = []  # with pictures queued, the one moved last first
        self.waiting: set[Explorer] = set()  # a move waits for its picture
        self.handle: asyncio.Handle | None = None

    def add(self, explorer: Explorer, first: bool = True) -> None:
        """``explorer`` has pictures queued: it goes first (it moved last), or, with
        ``first=False``, last (where it is, if it is waiting already)."""
        if first or explorer not in self.explorers:
            if explorer in self.explorers:
                self.explorers.remove(explorer)
            self.explorers.insert(0 if first else len(self.explorers), explorer)
        self._schedule()

    def _schedule(self, delay: float = 0.0) -> None:
        if self.handle is not None:
            return
        loop = asyncio.get_running_loop()
        if delay:
            self.handle = loop.call_later(delay, self._step)
        else:
            self.handle = loop.call_soon(self._step)

    def _step(self) -> None:
        self.handle = None
        self.explorers = [e for e in self.explorers if (e._queue or e._fill) and not e._closed]
        self.waiting = {e for e in self.waiting if e._pending is not None}
        if not self.explorers:
            return
        if self.waiting:  # a move's picture comes first: look again once it is made
            self._schedule(delay=self.explorers[0].settle_s)
            return
        near = [e for e in self.explorers if e._queue]  # neighbours and overview first
        (near or self.explorers)[0]._prefetch_step()
        self.explorers = [e for e in self.explorers if (e._queue or e._fill) and not e._closed]
        if self.explorers:
            self._schedule()


_DRAW_AHEAD: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _DrawAhead] = (
    weakref.WeakKeyDictionary()
)


def _draw_ahead(loop: asyncio.AbstractEventLoop) -> _DrawAhead:
    """The draw-ahead scheduler of ``loop``."""
    for old in [k for k in _DRAW_AHEAD if k.is_closed()]:  # its pending work died with it
        del _DRAW_AHEAD[old]
    scheduler = _DRAW_AHEAD.get(loop)
    if scheduler is None:
        scheduler = _DRAW_AHEAD[loop] = _DrawAhead()
    return scheduler


def _choices(options: list[Any], value: Any) -> str:
    """A choice control's options for an error message: all of up to 12; of more (nb07's
    181 values of k), the first and last three, how many, and the one nearest ``value``."""
    if len(options) <= 12:
        return str(options)
    text = (
        f"the {len(options)} values {', '.join(map(repr, options[:3]))}, …, "
        f"{', '.join(map(repr, options[-3:]))}"
    )

    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    if number(value) and all(number(o) for o in options):
        text += f" (nearest: {min(options, key=lambda o: abs(o - value))!r})"
    return text


class Explorer:
    """Controls + a reused figure + a ``draw`` function; see the module docstring.

    Args:
        title: one line shown above the controls (also the plain-text repr).
        figure: the figure that ``draw`` updates.
        controls: name → ipywidgets control; the names are ``draw``'s keyword arguments.
        draw: ``draw(**values)`` updates the figure's artists for the given values.
    """

    def __init__(
        self,
        title: str,
        figure: Figure,
        controls: Mapping[str, widgets.ValueWidget],
        draw: Callable[..., None],
    ) -> None:
        self.title = title
        self.figure = figure
        self.controls: dict[str, widgets.ValueWidget] = dict(controls)
        self._draw = draw
        self._holding = False
        # Frame cache (see ``_render``): key of the controls' values -> PNG bytes.
        self._cache: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._cache_size = 0
        #: How renders were served: "hit" (from the cache), "miss" (drawn), "prefetched"
        #: (drawn ahead while the kernel was idle), "dropped" (moves overtaken by newer ones),
        #: "handed over" (moves that arrived in another thread), "echoes" (a slider's value
        #: sent back by its page, no move: ``_is_echo``).
        self.cache_stats: Counter[str] = Counter()
        self._drawn_key: tuple[Any, ...] | None = None  # what the figure shows now
        self._motion: tuple[str, int] = (next(iter(controls), ""), 1)
        self._moved = False  # no control has moved yet (see ``neighbours``)
        self._pending: asyncio.Handle | None = None
        self._ahead_timer: asyncio.TimerHandle | None = None
        self._queue: list[dict[str, Any]] = []  # neighbours and overview, to draw ahead
        self._fill: list[dict[str, Any]] = []  # then the rest of the slider (``along_slider``)
        self._closed = False
        # The loop every picture is made on (see the module docstring: threads).
        self._home: asyncio.AbstractEventLoop | None = _running_loop()
        layout = widgets.Layout(align_self="flex-start")
        #: The picture: a ``FramePicture`` (pictures drawn ahead are swapped in by the page),
        #: or a plain ``Image`` without the anywidget package. ``.value``: the PNG shown.
        self.image: Any = (
            widgets.Image(format="png", layout=layout)
            if FramePicture is None
            else FramePicture(
                self.controls,
                on_ready=self._page_ready,
                on_seen=self._page_seen,
                layout=layout,
                max_frames=CACHE_FRAMES,
                max_bytes=CACHE_BYTES,
            )
        )
        self._page = False  # a page has loaded the picture and takes pictures drawn ahead
        self._seen = False  # a page has shown the picture on screen (scrolled into view)
        # What the page holds, as far as the kernel knows: key -> PNG size, least recently
        # shown first, capped as the page caps its pictures (``_mark_pushed``).
        self._pushed: OrderedDict[tuple[Any, ...], int] = OrderedDict()
        #: The current picture's text alternative, as a live region (``live_status_html``).
        self.status = widgets.HTML()
        self._alts: dict[tuple[Any, ...], str] = {}
        for name, control in self.controls.items():
            self._check(name, control.value)  # a start value the browser would change fails
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{title}</b>{_FOCUS_CSS}"),
                widgets.HBox(
                    list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.image,
                self.status,
            ]
        )
        self.widget.add_class("unrolled-explorer")
        # The layout (constrained layout, say) is solved at the first render only, then
        # frozen: solving it again costs more than drawing (see benchmarks/RESULTS.md).
        self._layout_engine = figure.get_layout_engine()
        self._layout_done = False
        self._edge_check = True
        # Blitting: the picture without the artists that change (``_redraw``), kept while
        # the figure's structure and axis limits stay as they were (``_signature``).
        self._background: Any = None
        self._signature: Any = None
        self._redraw: list[Artist] = []
        self._overlap = False
        #: How each render was drawn: "layout" (layout solved, full draw), "blit" (changed
        #: artists over the saved background), "full" (everything, on the frozen layout).
        self.frames: Counter[str] = Counter()
        self.update()

    # -- state -----------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self, **values: Any) -> None:
        """Set some controls (checked against their ranges) and redraw once."""
        for name, value in values.items():
            self._check(name, value)
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self._render()

    def render(self, **values: Any) -> np.ndarray:
        """The picture for the controls' values with ``values`` changed (checked), as an
        (height, width, 4) uint8 array, without touching the controls or the shown image
        (used to pre-render frames, e.g. for the course website)."""
        for name, value in values.items():
            self._check(name, value)
        merged = {**self.values, **values}
        self._draw(**merged)
        self._drawn_key = self._key(merged)
        return self._render_rgba().copy()

    def _on_change(self, change: dict) -> None:
        """A control moved (in the browser, or from code): show its picture.

        In a kernel the move is handled on the explorer's home loop (the thread that made
        it), whatever thread the widget message arrived in; see ``_on_move``. Without an
        event loop (a script, a test) the picture is made at once.
        """
        if self._holding or self._closed:
            return
        if self._is_echo(change):  # the page's own arithmetic, not a move
            self.cache_stats["echoes"] += 1
            old, new = change["old"], change["new"]
            if abs(new - old) > 1e-9 * max(abs(old), abs(new)):
                # near 0 (-1.7e-18 for 0.0), the page's relative comparison tells the two
                # apart: show the same picture again, under the page's value
                name = next(n for n, c in self.controls.items() if c is change["owner"])
                self._on_home_loop(self._show_again, self._key({**self.values, name: old}))
            return
        loop = self._loop()
        if loop is None:
            self._note_motion(change)
            self._render()
        elif _running_loop() is loop:
            self._on_move(change)
        else:  # a subshell's thread: never draw here (matplotlib is not thread-safe)
            self.cache_stats["handed over"] += 1
            loop.call_soon_threadsafe(self._on_move, change)

    def _loop(self) -> asyncio.AbstractEventLoop | None:
        """The running loop pictures are made on: the home loop, or this thread's."""
        home = self._home
        if home is not None and home.is_running() and not home.is_closed():
            return home
        return _running_loop()

    def _on_move(self, change: dict) -> None:
        """A move, on the home loop. With ``defer``, the picture is made ``settle_s``
        later, from the values the controls hold *then*: moves that queued up while a
        picture was being made are folded into one (stale moves are dropped; the picture
        catches up with the handle), and the neighbouring pictures are then drawn ahead
        while the kernel is idle."""
        if self._closed:
            return
        self._note_motion(change)
        loop = self._loop()
        if loop is None or not self.defer:
            self._render()
            return
        self._stop_prefetch()
        if self._pending is None:
            self._pending = loop.call_later(self.settle_s, self._flush)
            _draw_ahead(loop).waiting.add(self)
        else:
            self.cache_stats["dropped"] += 1

    def _flush(self) -> None:
        self._pending = None
        loop = self._loop()
        if loop is not None:
            _draw_ahead(loop).waiting.discard(self)
        if self._closed:
            return
        self._render()
        if loop is not None and self.ahead_after_s > 0:
            self._ahead_timer = loop.call_later(self.ahead_after_s, self._start_prefetch)
        else:
            self._start_prefetch()

    def _render(self) -> None:
        """Show the picture for the controls' values: from the frame cache when it was
        drawn before (the same PNG bytes), else drawn now and kept."""
        values = self.values
        key = self._key(values)
        png = self._cache_get(key)
        if png is None:
            png = self._draw_png(values, key)
            self.cache_stats["miss"] += 1
        else:
            self.cache_stats["hit"] += 1
        alt = self._frame_alt(key)
        if FramePicture is None:
            self.image.value = png
        else:
            self.image.show(png, page_key(self.controls, values), alt)
            self._mark_pushed(key, len(png))
        self.status.value = live_status_html(alt)

    def _show_again(self, key: tuple[Any, ...]) -> None:
        """Show the cached picture of ``key`` under the controls' current values (which the
        page tells apart from ``key``'s, though they are the same grid values); drawn anew
        if it is not cached."""
        png = self._cache.get(key)
        if png is None or FramePicture is None:
            self._render()
            return
        alt = self._frame_alt(key)
        self.image.show(png, page_key(self.controls, self.values), alt)
        self._mark_pushed(self._key(self.values), len(png))  # the page holds it as new

    def _frame_alt(self, key: tuple[Any, ...]) -> str:
        """``describe()`` for the controls' values (whose key is ``key``), kept per frame;
        when the figure holds another picture (one drawn ahead), its artists are set first."""
        alt = self._alts.get(key)
        if alt is None:
            if self._drawn_key != key:
                self._draw(**self.values)
                self._drawn_key = key
            if len(self._alts) >= 4 * CACHE_FRAMES:
                self._alts.clear()
            alt = self._alts[key] = self.describe()
        return alt

    # -- frame cache and prefetch --------------------------------------------------------
    def _key(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(_key_part(values[name]) for name in self.controls)

    def _draw_png(self, values: Mapping[str, Any], key: tuple[Any, ...]) -> bytes:
        """Draw ``values`` and keep the PNG in the cache (emptied first when the layout was
        solved again: earlier pictures were drawn on the old layout)."""
        layouts = self.frames["layout"]
        self._draw(**values)
        self._drawn_key = key
        png = self._png(compress_level=1)
        if self.frames["layout"] != layouts:
            # The layout was solved in this render: pictures drawn before it sit on the old
            # layout, and this one may differ from a later draw on the frozen layout (a
            # render that solves the layout is not always pixel-equal to the next one).
            self.clear_cache()
            if self._page and FramePicture is not None:
                self.image.clear()
            self._pushed.clear()
        else:
            self._cache_put(key, png)
        return png

    def _cache_get(self, key: tuple[Any, ...]) -> bytes | None:
        if self.cache_frames <= 0:
            return None
        png = self._cache.get(key)
        if png is not None:
            self._cache.move_to_end(key)
        return png

    def _cache_put(self, key: tuple[Any, ...], png: bytes) -> None:
        if self.cache_frames <= 0 or len(png) > self.cache_bytes:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._cache_size -= len(old)
        self._cache[key] = png
        self._cache_size += len(png)
        while len(self._cache) > self.cache_frames or self._cache_size > self.cache_bytes:
            _, dropped = self._cache.popitem(last=False)
            self._cache_size -= len(dropped)

    def clear_cache(self) -> None:
        """Forget every cached picture."""
        self._cache.clear()
        self._cache_size = 0

    #: Most pictures in the frame cache, and most bytes (see ``CACHE_FRAMES``); 0 frames:
    #: no cache.
    cache_frames: int = CACHE_FRAMES
    cache_bytes: int = CACHE_BYTES
    #: In a kernel, make the picture ``settle_s`` after a move (folding queued moves into
    #: one) and draw the neighbouring pictures ahead while the kernel is idle. (It was off
    #: for a while: pictures that never caught up with their slider in JupyterLab were two
    #: threads drawing at once, main and subshell; every picture is now made on the home
    #: loop.) ``False``: each move is drawn at once, on the home loop.
    defer: bool = True
    #: Draw the neighbouring pictures ahead while the kernel is idle (with ``defer`` only).
    prefetch: bool = True
    #: Seconds between a move and its picture, in a kernel: moves already waiting in the
    #: kernel's queue are read within it and folded into the same picture.
    settle_s: float = 0.004
    #: Seconds after a move's picture before drawing ahead starts (a new move cancels it):
    #: while a handle is dragged or a key held past what was drawn ahead, moves come faster
    #: than that, and each move's own picture is drawn without waiting for a picture drawn
    #: ahead around a value already left.
    ahead_after_s: float = 0.05

    def _note_motion(self, change: dict) -> None:
        """Remember which control moved last and which way (+1 or -1 on its grid)."""
        self._moved = True
        owner = change.get("owner")
        for name, control in self.controls.items():
            if control is owner:
                old, new = change.get("old"), change.get("new")
                grid = self._grid_index(name, old), self._grid_index(name, new)
                if None not in grid and grid[0] != grid[1]:
                    self._motion = (name, 1 if grid[1] > grid[0] else -1)
                else:
                    self._motion = (name, self._motion[1])
                return

    @staticmethod
    def _is_echo(change: dict) -> bool:
        """Whether a float slider's change is its page's arithmetic, not a move: a slider
        shown in JupyterLab sends its value back after a round trip through a percentage of
        its range (noUiSlider), which can differ from the kernel's in the last bits (1.0
        comes back as 0.9999999999999999, 0.0 on a slider from -0.01 as -1.7e-18). Two
        values less than a millionth of a step apart on the slider's grid (a log slider's
        in its exponent). An IntSlider's page rounds: it sends no echo."""
        owner, old, new = change.get("owner"), change.get("old"), change.get("new")
        if not isinstance(owner, (widgets.FloatSlider, widgets.FloatLogSlider)):
            return False
        numbers = [v for v in (old, new) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(numbers) < 2:
            return False
        if isinstance(owner, widgets.FloatLogSlider):
            if old <= 0 or new <= 0:
                return False
            old, new = math.log(old, owner.base), math.log(new, owner.base)
        return abs(new - old) <= 1e-6 * abs(owner.step)

    def _grid_index(self, name: str, value: Any) -> int | None:
        """The position of ``value`` on the control's grid, or None (off grid, text box)."""
        c = self.controls[name]
        try:
            if isinstance(c, widgets.FloatLogSlider):
                return round((np.log(value) / np.log(c.base) - c.min) / c.step)
            if isinstance(c, _GRID):
                return round((value - c.min) / c.step)
            if isinstance(c, _CHOICE):
                labels = [o[1] if isinstance(o, tuple) else o for o in c.options]
                return labels.index(value)
        except (TypeError, ValueError):
            return None
        return None

    def _neighbour(self, name: str, value: Any, steps: int) -> Any:
        """The value ``steps`` grid steps from ``value`` on control ``name``; None when off
        the end or when the control has no grid."""
        c = self.controls[name]
        k = self._grid_index(name, value)
        if k is None:
            return None
        k += steps
        if isinstance(c, _CHOICE):
            labels = [o[1] if isinstance(o, tuple) else o for o in c.options]
            return labels[k] if 0 <= k < len(labels) else None
        n = round((c.max - c.min) / c.step)
        if not 0 <= k <= n:
            return None
        if isinstance(c, widgets.FloatLogSlider):
            return float(c.base ** (c.min + k * c.step))
        shown = on_grid(c, c.min + k * c.step)
        return int(shown) if isinstance(c, widgets.IntSlider) else shown

    def neighbours(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The values to draw ahead from the current ones, most likely next first: along
        the control that moved last, two steps in its direction for each step back (+1, +2,
        -1, +3, +4, -2, ...), at most ``PREFETCH_FRAMES``; past an end, the other side only.
        Before any move: one step either way on every control, then along the first slider.
        ``limit``: at most this many (default ``PREFETCH_FRAMES``)."""
        limit = PREFETCH_FRAMES if limit is None else limit
        values = self.values
        name, direction = self._motion
        if name not in self.controls:
            return []
        out: list[dict[str, Any]] = []
        if not self._moved:  # nothing moved yet: one step either way on every control first
            for control in self.controls:
                for steps in (1, -1):
                    value = self._neighbour(control, values[control], steps)
                    if value is not None:
                        out.append({**values, control: value})
            grid = [c for c in self.controls if isinstance(self.controls[c], _GRID)]
            name, direction = (grid[0] if grid else name), 1
        ahead, back, ends = 1, 1, [False, False]
        while len(out) < limit and not all(ends):
            for side in (0, 0, 1):
                if ends[side]:
                    continue
                steps = direction * ahead if side == 0 else -direction * back
                value = self._neighbour(name, values[name], steps)
                if value is None:
                    ends[side] = True
                    continue
                if {**values, name: value} not in out:
                    out.append({**values, name: value})
                if side == 0:
                    ahead += 1
                else:
                    back += 1
        return out[:limit]

    def _overview_slider(self, values: Mapping[str, Any]) -> str | None:
        """The slider of ``overview`` and ``along_slider``: the one that moved last (before
        any move, or when the control that moved last is no slider, e.g. a dropdown: the
        first slider); None when the explorer has no slider on its grid."""
        sliders = [
            n
            for n, c in self.controls.items()
            if isinstance(c, (*_GRID, widgets.SelectionSlider))
            and self._grid_index(n, values[n]) is not None
        ]
        if not sliders:
            return None
        return self._motion[0] if self._moved and self._motion[0] in sliders else sliders[0]

    def _last_index(self, name: str) -> int:
        """The grid position of slider ``name``'s last value (its first is 0)."""
        c = self.controls[name]
        if isinstance(c, widgets.SelectionSlider):
            return len(c.options) - 1
        return round((c.max - c.min) / c.step)

    def overview(self, steps: int | None = None) -> list[dict[str, Any]]:
        """Values spread evenly along the slider that moved last (``_overview_slider``),
        both ends included (all of a shorter slider's), ``steps`` of them
        (default ``OVERVIEW_STEPS``), the other controls held at their current values. The
        current values are left out."""
        steps = OVERVIEW_STEPS if steps is None else steps
        values = self.values
        name = self._overview_slider(values)
        if name is None or steps < 2:
            return []
        here = self._grid_index(name, values[name])
        last = self._last_index(name)
        out: list[dict[str, Any]] = []
        for k in sorted({round(i * last / (steps - 1)) for i in range(steps)}):
            value = self._neighbour(name, values[name], k - here)
            if k != here and value is not None:
                out.append({**values, name: value})
        return out

    def along_slider(self, count: int | None = None) -> list[dict[str, Any]]:
        """The slider of ``overview`` whole, for drags: every value of it when it has at most
        ``count`` (default ``FILL_FRAMES``), else ``count`` values spread evenly, ends
        included; nearest to the handle first (at equal distance, on the side it moved to
        first); the other controls held at their current values, the current value left
        out."""
        count = FILL_FRAMES if count is None else count
        values = self.values
        name = self._overview_slider(values)
        if name is None:
            return []
        out = self.overview(steps=min(count, self._last_index(name) + 1))
        here = self._grid_index(name, values[name])
        ahead = self._motion[1] if self._motion[0] == name else 1

        def order(v: dict[str, Any]) -> tuple[int, int]:
            k = self._grid_index(name, v[name]) - here
            return abs(k), 0 if k * ahead > 0 else 1

        return sorted(out, key=order)

    @property
    def _prefetching(self) -> asyncio.Handle | None:
        """The timer that starts drawing ahead after a move, or the scheduled turn of the
        kernel's draw-ahead work while this explorer has pictures queued (``_DrawAhead``);
        else None."""
        if self._ahead_timer is not None and not self._ahead_timer.cancelled():
            return self._ahead_timer
        loop = self._loop()
        if not (self._queue or self._fill) or loop is None:
            return None
        return _draw_ahead(loop).handle

    def _start_prefetch(self, first: bool = True) -> None:
        """Queue the pictures to draw ahead for the current values (see ``_DrawAhead``);
        ``first``: this explorer's go before the others' (it moved last)."""
        self._ahead_timer = None
        loop = self._loop()
        if loop is None or not self.prefetch or self.cache_frames <= 0:
            return
        limit = PREFETCH_FRAMES if self._moved else PREFETCH_START
        queue = self.neighbours(limit)
        if self._page:  # only a page can show a nearest picture while a handle is dragged
            queue += [v for v in self.overview() if v not in queue]
        # room left in the cache for the moves' own pictures (16 of a large cache; half of
        # a small one, as before the overview: not none when ``cache_frames`` <= 16)
        room = max(self.cache_frames // 2, self.cache_frames - 16)
        self._queue = queue[:room]
        # last: the rest of the slider (before any move, once the picture was on screen)
        if self._page and (self._moved or self._seen) and FILL_FRAMES:
            near = {self._key(v) for v in self._queue}
            fill = [v for v in self.along_slider() if self._key(v) not in near]
            self._fill = fill[: max(0, room - len(self._queue))]
        self._touch([*self._queue, *self._fill])
        if self._queue or self._fill:
            _draw_ahead(loop).add(self, first=first)

    def _touch(self, queued: list[dict[str, Any]]) -> None:
        """Make the pictures held for ``queued`` (in the cache and in the page) and the
        current one the most recently shown, the first queued the more recent, the current
        one most: the pictures drawn ahead then push out pictures off that line first, not
        the line's own (back on a line left earlier, they are the least recently shown)."""
        order = {self._key(v): v for v in [*reversed(queued), self.values]}
        if all(k in self._cache and (not self._page or k in self._pushed) for k in order):
            return  # nothing to draw or send: nothing pushed out
        for key in order:
            if key in self._cache:
                self._cache.move_to_end(key)
        pushed = [key for key in order if key in self._pushed]
        if not pushed or list(self._pushed)[-len(pushed) :] == pushed:
            return  # already in that order
        for key in pushed:
            self._pushed.move_to_end(key)
        if self._page and FramePicture is not None:
            self.image.touch([page_key(self.controls, order[key]) for key in pushed])

    def _stop_prefetch(self) -> None:
        if self._ahead_timer is not None:
            self._ahead_timer.cancel()
            self._ahead_timer = None
        self._queue = []
        self._fill = []

    def _room_to_fill(self) -> bool:
        """Room in the cache and in the page for one more picture of ``along_slider`` with
        16 to spare (the size of an average picture each), counting only the pictures of the
        slider's line (the other controls at their current values). The least recently
        shown go first, and ``_touch`` made the line's pictures that are queued the most
        recently shown: the rest of a slider pushes out pictures left from other values of
        the other controls, never those of its own line that it would draw (along a slider
        longer than ``FILL_FRAMES``, a picture of the line not among them may go)."""
        if not self._cache:
            return True
        values = self.values
        here = self._key(values)
        name = self._overview_slider(values)
        slider = -1 if name is None else list(self.controls).index(name)

        def on_line(key: tuple[Any, ...]) -> bool:
            pairs = enumerate(zip(key, here, strict=True))
            return all(a == b for i, (a, b) in pairs if i != slider)

        size = self._cache_size / len(self._cache)
        frames, held = self.cache_frames - 16, self.cache_bytes - 16 * size
        cached = [len(png) for key, png in self._cache.items() if on_line(key)]
        pushed = [n for key, n in self._pushed.items() if on_line(key)]
        return (
            len(cached) < frames
            and sum(cached) + size <= held
            and len(pushed) < frames
            and sum(pushed) + size <= held
        )

    def _prefetch_step(self) -> None:
        """Draw one queued picture into the cache (or send one already drawn to the page):
        a neighbour or the overview's, else the rest of the slider's while there is room
        (``_room_to_fill``); called by the kernel's ``_DrawAhead``, one picture per turn of
        the event loop."""
        if self._closed or self._pending is not None:
            return
        while self._queue or self._fill:
            queue = self._queue or self._fill
            values = queue[0]
            key = self._key(values)
            png = self._cache.get(key)
            if png is not None and (not self._page or key in self._pushed):
                queue.pop(0)
                continue
            if queue is self._fill and not self._room_to_fill():
                self._fill = []
                return
            queue.pop(0)
            if png is None:
                png = self._draw_png(values, key)
                self.cache_stats["prefetched"] += 1
            if key not in self._alts:  # its description too, while the figure holds it
                if self._drawn_key != key:
                    self._draw(**values)
                    self._drawn_key = key
                self._alts[key] = self.describe(values)
            if self._page and key in self._cache:  # not when the layout was solved again
                self.image.push(png, page_key(self.controls, values), self._alts[key])
                self._mark_pushed(key, len(png))
            break

    def _mark_pushed(self, key: tuple[Any, ...], size: int) -> None:
        """The page now holds the picture for ``key`` (most recently shown); forget what it
        drops, as it drops it: beyond ``cache_frames`` pictures or ``cache_bytes`` bytes, the
        least recently shown first (``FramePicture.max_frames`` and ``max_bytes``)."""
        self._pushed.pop(key, None)
        self._pushed[key] = size
        while len(self._pushed) > 2 and (
            len(self._pushed) > self.cache_frames or sum(self._pushed.values()) > self.cache_bytes
        ):
            self._pushed.popitem(last=False)

    def _on_home_loop(self, call: Callable[..., None], *args: Any) -> None:
        """``call(*args)`` now when on the home loop (or with none), else handed over to it:
        a widget message may arrive in a subshell's thread."""
        loop = self._loop()
        if loop is not None and _running_loop() is not loop:
            loop.call_soon_threadsafe(call, *args)
        else:
            call(*args)

    def _page_ready(self) -> None:
        """A page loaded the picture (in whatever thread): from now on pictures drawn ahead
        are sent to it; start with the current values' neighbours."""
        self._on_home_loop(self._on_page_ready)

    def _on_page_ready(self) -> None:
        if self._closed:
            return
        if self._page:  # a page loaded again: it tells when it shows the picture on screen
            self._seen = False
        self._page = True
        self._pushed = OrderedDict()  # a new page (or one loaded again): only the current picture
        if self._pending is None and not (self._queue or self._fill):
            self._start_prefetch()

    def _page_seen(self) -> None:
        """A page showed the picture on screen for the first time (in whatever thread):
        before any move, draw the first slider whole too."""
        self._on_home_loop(self._on_page_seen)

    def _on_page_seen(self) -> None:
        if self._closed or self._seen:
            return
        self._seen = True
        # after a move the slider that moved is being drawn whole already; before any move,
        # queue again: the neighbours and overview drawn so far are skipped, then the fill
        if self._page and not self._moved and self._pending is None:
            self._stop_prefetch()
            # behind the explorers with work queued (one moved, or seen, earlier): scrolling
            # past an explorer does not hold up the slider a student is dragging
            self._start_prefetch(first=False)

    def close(self) -> None:
        """Stop any pending work, drop the cache and close the widgets."""
        self._closed = True
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        loop = self._loop()
        if loop is not None:
            _draw_ahead(loop).waiting.discard(self)
        self._stop_prefetch()
        self.clear_cache()
        for w in [self.widget, self.image, *self.controls.values()]:
            w.close()

    def relayout(self) -> None:
        """Solve the figure's layout again at the next render (it is frozen after the first).

        Called automatically when a render puts ink on the figure's outer edge (a tick
        label or title that grew past the frozen margins).
        """
        self._layout_done = False

    #: Redraw only the artists that ``draw`` changed, over a cached background of the
    #: rest (pixel for pixel the full drawing; see ``_render_rgba``). False: draw all.
    blit: bool = True

    def _render_rgba(self) -> np.ndarray:
        """Draw the figure on its Agg canvas; the pixels as an (height, width, 4) uint8 view.

        The first render solves the layout; later ones keep it (``relayout`` asks for a
        new one). When only some artists changed since the last render, and the axes'
        positions, limits and scales and the figure's list of artists did not, the
        background (everything drawn before the first changed artist of each axes, in
        drawing order) is restored and only the changed artists and those drawn after
        them are drawn again: the same sequence of paint operations as a full draw.
        """
        fig, engine = self.figure, self._layout_engine
        if engine is not None and not self._layout_done:
            fig.canvas.draw()  # solves the layout
            self._layout_done = True
            self._background = None
            kind = "layout"
        else:
            plan = self._blit_plan() if self.blit else None
            if plan is not None and self._background is not None:
                fig.canvas.restore_region(self._background)
                renderer = fig.canvas.get_renderer()
                for artist in plan:
                    artist.draw(renderer)
                kind = "blit"
            else:
                self._draw_frozen(plan)
                kind = "full"
            if self._edge_check and self._ink_on_edge():
                self._background = None
                fig.canvas.draw()  # with the layout solved again
                kind = "layout"
                # Still touching: the art is meant to reach the edge; stop checking.
                self._edge_check = not self._ink_on_edge()
        self.frames[kind] += 1
        _unstale(fig)
        return np.asarray(fig.canvas.buffer_rgba())

    def _draw_frozen(self, redraw: list[Artist] | None) -> None:
        """Full draw on the frozen layout; with ``redraw``, save the background first."""
        fig, engine = self.figure, self._layout_engine
        if engine is not None:
            fig.set_layout_engine("none")  # keeps the axes where the last layout put them
        try:
            if redraw is None:
                self._background = None
                fig.canvas.draw()
                return
            hidden = [a for a in redraw if not a.get_animated()]
            for artist in hidden:  # Figure.draw and Axes.draw skip animated artists
                artist.set_animated(True)
            try:
                fig.canvas.draw()
            finally:
                for artist in hidden:
                    artist.set_animated(False)
            self._background = fig.canvas.copy_from_bbox(fig.bbox)
            renderer = fig.canvas.get_renderer()
            for artist in redraw:
                artist.draw(renderer)
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)

    def _blit_plan(self) -> list[Artist] | None:
        """The artists to draw over the background, in drawing order; None: draw all.

        Sets ``self._background = None`` when the saved background no longer fits.
        """
        fig = self.figure
        if fig.subfigs or not fig.axes or fig.patch in _changed_children(fig):
            return None
        signature: list[Any] = [fig.bbox.bounds, fig.dpi, [id(a) for a in _draw_list(fig)]]
        for ax in fig.axes:
            if ax.get_rasterization_zorder() is not None or ax.patch in _changed_children(ax):
                return None
            signature.append(
                (
                    ax.get_visible(),
                    ax.get_position().bounds,
                    tuple(ax.viewLim.bounds),
                    ax.get_xscale(),
                    ax.get_yscale(),
                    [_ticking(axis) for axis in (ax.xaxis, ax.yaxis)],
                    [id(a) for a in _draw_list(ax)],
                )
            )
        if signature != self._signature:
            self._signature, self._background, self._redraw = signature, None, []
            boxes = [ax.get_position() for ax in fig.axes if ax.get_visible()]
            self._overlap = any(
                a.intersection(a, b) is not None
                and a.intersection(a, b).width > 0
                and a.intersection(a, b).height > 0
                for i, a in enumerate(boxes)
                for b in boxes[i + 1 :]
            )
        if self._overlap:  # twin or inset axes: the drawing order across axes matters
            return None
        changed = {id(a) for a in self._redraw}
        redraw: list[Artist] = []
        for parent in [*fig.axes, fig]:
            order = _draw_list(parent)
            dirty = _changed_children(parent) | {a for a in order if id(a) in changed}
            if parent is fig:
                dirty = {a for a in dirty if a not in fig.axes}
            first = next((i for i, a in enumerate(order) if a in dirty), None)
            if first is None:
                continue
            tail = order[first:]
            if parent is fig and any(a in fig.axes for a in tail):
                return None  # a figure-level artist under an axes changed: draw all
            redraw += tail
        if any(id(a) not in changed for a in redraw):
            self._background = None  # more artists change than the background leaves out
        self._redraw = redraw
        return redraw

    def _ink_on_edge(self, width: int = 2) -> bool:
        """Whether anything but the figure's background lies within ``width`` px of its edge."""
        rgba = np.asarray(self.figure.canvas.buffer_rgba())
        face = np.round(np.asarray(mpl.colors.to_rgba(self.figure.get_facecolor())) * 255)
        face = face.astype(np.uint8)
        strips = (rgba[:width], rgba[-width:], rgba[:, :width], rgba[:, -width:])
        return any(bool(np.any(s != face)) for s in strips)

    def _check(self, name: str, value: Any) -> None:
        if name not in self.controls:
            raise ValueError(
                f"{name!r} is not a control of this explorer; controls: {list(self.controls)}"
            )
        c = self.controls[name]
        if isinstance(c, _NUMERIC):
            if isinstance(value, bool) or not isinstance(
                value, (int, float, np.integer, np.floating)
            ):
                raise TypeError(f"{name} must be a number, got {type(value).__name__}")
            if not np.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value}")
            lo, hi = (
                (10.0**c.min, 10.0**c.max)
                if isinstance(c, widgets.FloatLogSlider)
                else (c.min, c.max)
            )
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be between {lo:g} and {hi:g}, got {value:g}")
            if isinstance(c, (widgets.IntSlider, widgets.BoundedIntText)) and int(value) != value:
                raise ValueError(f"{name} must be an integer, got {value}")
            if isinstance(c, _GRID):
                shown = on_grid(c, value)
                if not np.isclose(shown, value, rtol=1e-9, atol=1e-12):
                    raise ValueError(
                        f"{name} = {value:g} is not a value its slider can show (min {c.min:g}, "
                        f"step {c.step:g}): the browser would show {shown:.6g} and send it back"
                    )
        elif isinstance(c, _CHOICE):
            labels = [o[1] if isinstance(o, tuple) else o for o in c.options]
            if value not in labels:
                raise ValueError(f"{name} must be one of {_choices(labels, value)}, got {value!r}")

    # -- output ----------------------------------------------------------------------
    def png(self, *, compress_level: int = 6) -> bytes:
        """The picture for the controls' current values as PNG bytes (see ``_png``); the
        figure is drawn again first if it holds another picture (one drawn ahead)."""
        key = self._key(self.values)
        if self._drawn_key is not None and self._drawn_key != key:
            self._draw(**self.values)
            self._drawn_key = key
        return self._png(compress_level=compress_level)

    def _png(self, *, compress_level: int = 6) -> bytes:
        """The figure as PNG bytes (no ``bbox_inches='tight'``: the layout is fixed).

        The pixels are those ``figure.savefig(format="png")`` gives; they are rendered once
        on the figure's canvas and encoded by Pillow directly, as RGB when the figure is
        opaque (a quarter fewer bytes to compress and to send than RGBA, same picture).
        """
        fig = self.figure
        if (
            mpl.rcParams["savefig.dpi"] not in ("figure", fig.dpi)
            or mpl.rcParams["savefig.transparent"]
            or mpl.rcParams["savefig.facecolor"] != "auto"
        ):
            buf = io.BytesIO()  # settings that savefig would honour: let it
            fig.savefig(
                buf,
                format="png",
                pil_kwargs={"compress_level": compress_level},
                metadata={"Software": None},
            )
            return buf.getvalue()
        return self._encode_png(self._render_rgba(), compress_level)

    def _encode_png(self, rgba: np.ndarray, compress_level: int) -> bytes:
        """PNG bytes of an (height, width, 4) uint8 picture; RGB when it is opaque."""
        height, width = rgba.shape[:2]
        image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        if rgba[..., 3].min() == 255:
            image = image.convert("RGB")
        buf = io.BytesIO()
        dpi = self.figure.dpi
        image.save(buf, format="png", compress_level=compress_level, dpi=(dpi, dpi))
        return buf.getvalue()

    def describe(self, values: Mapping[str, Any] | None = None) -> str:
        """A text alternative for the picture the figure holds: the controls' values (or
        ``values``, those it was drawn for, when it holds a picture drawn ahead), then what
        the figure draws (``helpers.describe.describe_figure``)."""
        from helpers.describe import describe_figure

        def fmt(name: str, value: Any) -> str:
            """As the control shows it: an option's label, a slider's readout format."""
            control = self.controls.get(name)
            for option in getattr(control, "options", ()):
                if isinstance(option, tuple) and option[1] == value:
                    return str(option[0])
            if isinstance(value, float):
                spec = getattr(control, "readout_format", "")
                try:  # d3's formats of numbers (".2f", ".3g") are Python's too
                    return format(value, spec) if spec.startswith(".") else f"{value:.4g}"
                except ValueError:
                    return f"{value:.4g}"
            return str(value)

        shown = self.values if values is None else values
        values = ", ".join(f"{name} = {fmt(name, v)}" for name, v in shown.items())
        return f"{self.title}: {values}. {describe_figure(self.figure)}"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The live widget; for where no kernel runs, the PNG with its text alternative in
        the metadata and as ``text/html`` ``<img alt>`` (which JupyterLab shows)."""
        from helpers.describe import img_html

        bundle = widget_view_bundle(self.widget, **kwargs)
        bundle["text/plain"] = f"Explorer: {self.title} (controls: {', '.join(self.controls)})"
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        alt = self.describe()
        bundle["text/html"] = img_html(bundle["image/png"], alt)
        return bundle, {"image/png": {"alt": alt}}

    def __repr__(self) -> str:
        return f"<Explorer {self.title!r} controls={list(self.controls)}>"
