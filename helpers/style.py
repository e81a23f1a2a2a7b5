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


def use() -> None:
    """Apply the course style to matplotlib (the notebooks call this once at the top), and
    in a notebook give every figure shown a text alternative (``helpers.describe``)."""
    mpl.rcParams.update(RC)
    _attach_alt_text()


def _attach_alt_text() -> None:
    """Wrap IPython's PNG formatter for figures so that each PNG output carries
    ``{"alt": describe_figure(fig)}`` in its metadata (nothing outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebooks
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from helpers.describe import describe_figure, png_with_alt

    # pyplot loads its backend at the first figure, and the inline backend then registers
    # its own PNG formatter, which would replace ours: load it now. (This also lets figures
    # made outside pyplot, with ``new_figure``, show inline.)
    plt.close(plt.figure())

    formatter = shell.display_formatter.formatters["image/png"]
    try:
        current = formatter.lookup_by_type(Figure)
    except KeyError:
        current = None
    if getattr(current, "_with_alt", False):
        return

    def with_alt(fig: Figure) -> Any:
        if current is None:
            return png_with_alt(fig)
        data = current(fig)
        return None if data is None else (data, {"alt": describe_figure(fig)})

    with_alt._with_alt = True  # type: ignore[attr-defined]
    formatter.for_type(Figure, with_alt)
