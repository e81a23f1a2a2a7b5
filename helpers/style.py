"""Figure style for the course: colour-blind-safe colours, projector-sized text.

Colours start from the Okabe–Ito palette (Okabe & Ito 2008), safe for the common forms of
colour blindness. Three of its colours (orange #E69F00, sky blue #56B4E9, yellow #F0E442)
have less than the 3:1 contrast against a white background that WCAG 2.1 (1.4.11,
non-text contrast) asks of lines needed to read a figure; they are replaced by the
nearest colours (in CIELAB) that reach 3:1 while every pair of the eight stays at least
12 ΔE apart under simulated protanopia, deuteranopia and tritanopia (Machado, Oliveira &
Fernandes 2009) as well as normal vision. ``tests/test_style.py`` checks both. "yellow"
is therefore a dark khaki: no yellow reaches 3:1 on white. Pair colour with line style or
markers where lines must be told apart.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import matplotlib as mpl
from cycler import cycler

#: Okabe–Ito colours by name.
COLORS = {
    "black": "#000000",
    "orange": "#D08040",
    "sky": "#5098D8",
    "green": "#009E73",
    "yellow": "#989860",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: The order lines take: the strongest contrasts first.
CYCLE = [
    COLORS[name]
    for name in ("blue", "vermillion", "green", "purple", "orange", "sky", "black", "yellow")
]
#: Meaning-bearing colours used across notebooks.
VANISH = COLORS["blue"]
EXPLODE = COLORS["vermillion"]
NEUTRAL = COLORS["black"]
#: A sequential colour map that is colour-blind safe and prints in grey.
CMAP = "viridis"
#: A diverging one (for signed quantities).
CMAP_DIVERGING = "cividis"

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "legend.fontsize": 10.5,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "axes.prop_cycle": cycler(color=CYCLE),
    "figure.constrained_layout.use": True,
    "image.cmap": CMAP,
    "svg.hashsalt": "unrolled",
}


#: Set by ``make notebooks`` (tools/nbbuild.py): every figure a notebook shows is checked by
#: ``colour_only`` and a ``ColourOnlyWarning`` lands in its output (which the notebook tests
#: refuse). Not set, a student's own figures are not checked.
CHECK_ENV = "UNROLLED_CHECK_FIGURES"


class ColourOnlyWarning(UserWarning):
    """A figure tells some of its lines apart by colour alone (WCAG 2.1, 1.4.1)."""


def _dash(line: Any) -> tuple[float, ...] | None:
    """The line's dash pattern (on, off, …), unscaled by its width; () solid; None: no line."""
    if line.get_linestyle() in ("None", "none", " ", ""):
        return None
    pattern = getattr(line, "_unscaled_dash_pattern", (0, None))[1]
    return tuple(float(x) for x in pattern) if pattern else ()


def _alike(a: tuple[float, ...] | None, b: tuple[float, ...] | None) -> bool:
    """Whether two dash patterns look the same: equal, or the same number of dashes each
    within 30 % (``:`` and ``(0, (1, 1.5))`` look alike)."""
    if a is None or b is None or len(a) != len(b):
        return a == b
    return all(abs(x - y) <= 0.3 * max(x, y) for x, y in zip(a, b, strict=True))


def _mark(line: Any) -> str:
    marker = line.get_marker()
    return "" if marker in (None, "None", "none", " ", "") else str(marker)


def _is_reference(line: Any) -> bool:
    """An unlabelled straight horizontal or vertical line (or no finite point at all)."""
    import numpy as np

    x = np.asarray(line.get_xdata(), dtype=float)
    y = np.asarray(line.get_ydata(), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return True
    straight = np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0
    return straight and str(line.get_label()).startswith("_")


def colour_only(fig: Any) -> list[str]:
    """Where ``fig`` relies on colour alone: in each axes, visible lines of different colours
    that share both line style and marker (a series of several lines of one colour and
    style, e.g. eight seeds, counts as one). What this checks: ``Line2D`` artists, except
    unlabelled straight horizontal or vertical lines (references such as a threshold or a
    zero line, named by the text or a note beside them). Not checked: scatter plots, bars,
    filled bands and images (colour maps are read against a colour bar, not as
    categories)."""
    from matplotlib.colors import to_hex

    found = []
    for k, ax in enumerate(fig.get_axes()):
        if not ax.get_visible():
            continue
        looks = []  # (colour, dash pattern, marker) of each line that counts
        for line in ax.get_lines():
            dash, mark = _dash(line), _mark(line)
            if not line.get_visible() or (dash is None and not mark) or _is_reference(line):
                continue
            looks.append((to_hex(line.get_color()), dash, mark))
        clashes = {
            (a, b)
            for i, a in enumerate(looks)
            for b in looks[i + 1 :]
            if a[0] != b[0] and a[2] == b[2] and _alike(a[1], b[1])
        }
        title = ax.get_title() or f"axes {k}"
        for a, b in sorted(clashes, key=str):
            found.append(
                f"{title!r}: {a[0]} and {b[0]} lines share line style {a[1] or 'solid'} / "
                f"{b[1] or 'solid'} and marker {a[2] or 'none'!r}"
            )
    return found


def use() -> None:
    """Apply the course style to matplotlib (the notebooks call this once at the top), and
    in a notebook give every figure shown a text alternative (``helpers.describe``)."""
    mpl.rcParams.update(RC)
    _attach_alt_text()


def _attach_alt_text() -> None:
    """Give every figure IPython shows a text alternative (nothing outside IPython).

    Two formatters for ``Figure``: ``image/png`` carries ``{"alt": describe_figure(fig)}``
    in its metadata, and ``text/html`` is the same PNG in an ``<img alt=…>``
    (``describe.img_html``), which is what JupyterLab 4 shows (it ignores the metadata).
    IPython calls the HTML formatter first: the PNG is rendered once, for both.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebooks
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from helpers.describe import describe_figure, img_html, png_with_alt

    # pyplot loads its backend at the first figure, and the inline backend then registers
    # its own PNG formatter, which would replace ours: load it now. (This also lets figures
    # made outside pyplot, with ``new_figure``, show inline.)
    plt.close(plt.figure())

    formatters = shell.display_formatter.formatters
    formatter = formatters["image/png"]
    try:
        current = formatter.lookup_by_type(Figure)
    except KeyError:
        current = None
    if getattr(current, "_with_alt", False):
        return
    #: The PNG the HTML formatter just rendered, for the PNG formatter IPython calls next in
    #: the same ``format`` (taken once; the next HTML call drops an unused one).
    last: dict[str, Any] = {}

    def render(fig: Figure) -> Any:
        if current is None:
            return png_with_alt(fig)
        data = current(fig)
        return None if data is None else (data, {"alt": describe_figure(fig)})

    def with_alt(fig: Figure) -> Any:
        if last.get("fig") is fig:
            out = last.pop("out")
            last.clear()
            return out
        last.clear()
        return render(fig)

    def as_html(fig: Figure) -> str | None:
        last.clear()
        if os.environ.get(CHECK_ENV):
            for problem in colour_only(fig):
                warnings.warn(
                    f"colour alone tells lines apart: {problem}", ColourOnlyWarning, stacklevel=2
                )
        out = render(fig)
        if out is None:
            return None
        last.update(fig=fig, out=out)
        return img_html(out[0], out[1]["alt"])

    with_alt._with_alt = True  # type: ignore[attr-defined]
    formatter.for_type(Figure, with_alt)
    formatters["text/html"].for_type(Figure, as_html)
