"""Notebook 00's demo explorer: one slider, one figure, to learn how explorers feel."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from helpers import style
from helpers.explorers.base import Explorer, new_figure
from helpers.toys import linear_gain

STEPS = 60


def repeated_multiplication() -> Explorer:
    """Slider ``factor`` (0–1.5): the running product factor^t for t = 0..60 (1 multiplied by
    the factor t times), on a log axis."""
    fig, ax = new_figure(8.0, 3.6)
    t = np.arange(STEPS + 1)
    ax.axhline(1.0, color=style.NEUTRAL, lw=1, ls=":")
    (line,) = ax.semilogy(
        t, np.ones_like(t, dtype=float), color=style.COLORS["blue"], marker="o", ms=3
    )
    ax.set_xlim(0, STEPS)
    ax.set_ylim(1e-12, 1e12)
    ax.set_xlabel("number of multiplications t")
    ax.set_ylabel("factor$^t$ (log scale)")
    label = ax.text(
        0.02,
        0.93,
        "",
        transform=ax.transAxes,
        va="top",
        fontsize=12,
        bbox={"facecolor": "white", "edgecolor": "0.7"},
    )

    def draw(factor: float) -> None:
        gain = linear_gain(factor, STEPS)
        shown = np.where(gain > 0, gain, np.nan)  # exact zeros (factor 0) cannot sit on a log axis
        line.set_ydata(shown)
        line.set_color(
            style.EXPLODE if factor > 1 else style.VANISH if factor < 1 else style.NEUTRAL
        )
        final = gain[-1]
        label.set_text(f"factor = {factor:.2f}:  factor$^{{{STEPS}}}$ = {final:.3g}")
        ax.set_title("Start at 1 and multiply by the same factor, again and again")

    controls = {
        "factor": widgets.FloatSlider(
            value=1.0, min=0.0, max=1.5, step=0.01, description="factor", readout_format=".2f"
        )
    }
    return Explorer("repeated multiplication", fig, controls, draw)


EXPLORERS = {"repeated_multiplication": repeated_multiplication}
