"""Figure style for the course: colour-blind-safe colours, projector-sized text.

Colours are the Okabe–Ito palette (Okabe & Ito 2008), safe for the common forms of
colour blindness; pair colour with line style or markers where lines must be told apart.
"""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

#: Okabe–Ito colours by name.
COLORS = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: The order lines take: strong contrasts first (yellow last: weak on white).
CYCLE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
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
    """Apply the course style to matplotlib (the notebooks call this once at the top)."""
    mpl.rcParams.update(RC)
