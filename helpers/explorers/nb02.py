"""Notebook 02's explorers: the linear RNN's gain α^(t−k), and the toy y = w^n."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator
from matplotlib.transforms import blended_transform_factory

from helpers import style
from helpers.explorers.base import Explorer, new_figure
from helpers.toys import linear_gain, power

MAX_HORIZON = 1000
#: The horizon slider's step: 200 values from 5 to 1000, few enough to be drawn whole for
#: drags (``FILL_FRAMES``); a step of 1 gave 1000, of which a drag showed only some.
HORIZON_STEP = 5
#: The values of n: every n to 10, then 12 per decade (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, …, 9
#: times a power of 10), up to 1000: steps of roughly log n along the slider (0.05–0.12 in
#: log10 n above 10), so that n = 10, 100 and 1000 are equally far apart.
N_VALUES = (
    *range(1, 10),
    *(m * 10**e for e in (0, 1) for m in (10, 12, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90)),
    1000,
)
TINY = 5e-324  # the smallest positive float64 (a subnormal); results below TINY/2 round to 0
HUGE = 1.8e308  # about the largest float64: above it, inf
_LABEL = {"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1.5}
_BOX = {"facecolor": "white", "edgecolor": "0.6", "alpha": 0.95, "boxstyle": "round,pad=0.3"}


def _log_limits(values: np.ndarray, *, pad_decades: float = 0.6) -> tuple[float, float]:
    """y-limits on a log axis covering the finite positive ``values`` and 1e-3 … 1e3."""
    shown = values[np.isfinite(values) & (values > 0)]
    lo = min(float(shown.min()) if shown.size else 1.0, 1e-3)
    hi = max(float(shown.max()) if shown.size else 1.0, 1e3)
    lo_exp = max(np.log10(lo) - pad_decades, -323.0)
    hi_exp = min(np.log10(hi) + pad_decades, 308.0)
    # keep at least a fifth of the axis on each side of 1, so both regimes stay visible
    lo_exp = max(min(lo_exp, -hi_exp / 4), -323.0)
    hi_exp = min(max(hi_exp, -lo_exp / 4), 308.0)
    return 10.0**lo_exp, 10.0**hi_exp


def _fixed_layout(fig: Figure, **margins: float) -> None:
    """Fixed margins (figure fractions, as ``Figure.subplots_adjust``) instead of a layout pass.

    The axes then stay put while a slider moves (the figure does not jump when tick labels
    change width), and a redraw costs one rendering instead of a layout pass plus one.
    Margins are chosen wide enough for the widest tick labels (10$^{-300}$).
    """
    fig.set_layout_engine("none")
    fig.subplotpars.update(**margins)
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is not None:
            ax.set_position(spec.get_position(fig))


def _nice_log_ticks(ax: Axes, lo: float, hi: float) -> None:
    """Major ticks at 10^(k·step) with a round step (1, 2, 5, 10, 20, 50, 100 decades)."""
    lo_exp, hi_exp = np.log10(lo), np.log10(hi)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200) if (hi_exp - lo_exp) / s <= 8)
    exps = np.arange(np.ceil(lo_exp / step) * step, hi_exp + 1e-9, step)
    ax.yaxis.set_major_locator(FixedLocator(10.0**exps))


def _steps_per_decade(alpha: float) -> str:
    if alpha == 0.0:
        return "gain is exactly 0 after one step"
    if alpha == 1.0:
        return "gain stays exactly 1"
    k = 1.0 / abs(np.log10(alpha))
    verb = "grows" if alpha > 1 else "shrinks"
    return f"{verb} 10× every {k:.3g} steps"


def alpha_horizon() -> Explorer:
    """Sliders α (0–2.1) and horizon T (5–1000, step 5): |∂h_t/∂x_k| = |α^(t−k)| against the lag
    t − k = 0…T, log axis. α = 2.04 overflows float64 within T = 1000 (2.03 does not)."""
    fig, ax = new_figure(9.0, 4.4)
    _fixed_layout(fig, left=0.115, right=0.97, bottom=0.12, top=0.925)
    t_all = np.arange(MAX_HORIZON + 1)
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1e3)
    ax.set_autoscale_on(False)  # limits are set by draw; spans reach 1e308
    ax.yaxis.set_minor_locator(NullLocator())  # fewer artists: a faster redraw
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))  # steps are whole numbers
    ax.axhspan(1.0, 1e308, color=style.EXPLODE, alpha=0.07, lw=0)
    ax.axhspan(TINY, 1.0, color=style.VANISH, alpha=0.07, lw=0)
    ax.axhline(1.0, color=style.NEUTRAL, lw=1, ls=":")
    (line,) = ax.plot(t_all, np.ones(t_all.size), lw=2.2)
    mark = ax.axvline(0.0, color="0.35", lw=1.2, ls="--", visible=False)
    mixed = blended_transform_factory(ax.transAxes, ax.transData)
    up = ax.text(
        0.015,
        1.0,
        "exploding regime: α > 1",
        transform=mixed,
        color=style.EXPLODE,
        fontsize=12,
        fontweight="bold",
        va="center",
        bbox=_LABEL,
    )
    down = ax.text(
        0.015,
        1.0,
        "vanishing regime: α < 1",
        transform=mixed,
        color=style.VANISH,
        fontsize=12,
        fontweight="bold",
        va="center",
        bbox=_LABEL,
    )
    status = ax.text(
        0.985, 0.97, "", transform=ax.transAxes, ha="right", va="top", fontsize=11, bbox=_BOX
    )
    note = ax.text(
        0.985,
        0.03,
        "",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=10.5,
        color="0.15",
        bbox=_BOX,
    )
    ax.set_xlabel("lag t − k: steps from the input x$_k$ to the state h$_t$")
    ax.set_ylabel(r"$|\partial h_t / \partial x_k| = |\alpha^{t-k}|$ (log scale)")
    ax.set_title(r"Linear RNN $h_t = \alpha h_{t-1} + x_t$: how much of $x_k$ reaches $h_t$")

    def draw(alpha: float, horizon: int) -> None:
        gain = linear_gain(alpha, horizon)
        t = t_all[: horizon + 1]
        positive = gain > 0
        line.set_data(t, np.where(positive & np.isfinite(gain), gain, np.nan))
        line.set_color(style.EXPLODE if alpha > 1 else style.VANISH if alpha < 1 else style.NEUTRAL)
        line.set_linestyle("-" if alpha >= 1 else "--")
        line.set_marker("o" if horizon <= 60 or alpha == 0.0 else "")
        line.set_markersize(4)
        ax.set_xlim(-0.02 * max(horizon, 15), horizon + 0.02 * max(horizon, 15))
        lo, hi = _log_limits(gain)
        ax.set_ylim(lo, hi)
        _nice_log_ticks(ax, lo, hi)
        up.set_y(np.sqrt(hi))  # geometric middle of [1, hi]: inside the orange band
        down.set_y(np.sqrt(lo))
        last = f"{gain[-1]:.4g}" + (" (underflow)" if gain[-1] == 0 and alpha > 0 else "")
        status.set_text(
            f"α = {alpha:.2f},  lag T = {horizon}:  α$^T$ = {last}\n{_steps_per_decade(alpha)}"
        )
        messages = []
        mark.set_visible(False)
        if alpha == 0.0 and horizon >= 1:
            messages.append(
                "α = 0: ∂h$_t$/∂x$_k$ = 0 exactly for t − k ≥ 1.\n"
                "Zero cannot sit on a log axis: only t − k = 0 is drawn."
            )
        elif alpha > 0.0 and not np.all(positive):
            first = int(np.argmax(~positive))
            mark.set_xdata([first, first])
            mark.set_visible(True)
            messages.append(
                f"underflow: from lag {first}, α$^{{t-k}}$ < 2.5e-324 (half the smallest\n"
                "float64, 4.9e-324) rounds to exactly 0: not drawn."
            )
        if np.any(np.isinf(gain)):
            first = int(np.argmax(np.isinf(gain)))
            messages.append(f"overflow: from lag {first}, α$^{{t-k}}$ > 1.8e308 = inf: not drawn.")
        note.set_text("\n".join(messages))
        note.set_visible(bool(messages))

    controls = {
        "alpha": widgets.FloatSlider(
            value=0.95,
            min=0.0,
            max=2.1,
            step=0.01,
            description="α",
            readout_format=".2f",
            continuous_update=True,
        ),
        "horizon": widgets.IntSlider(
            value=100,
            min=HORIZON_STEP,
            max=MAX_HORIZON,
            step=HORIZON_STEP,
            description="horizon T",
        ),
    }
    return Explorer("α and horizon: the gain α^t of a linear RNN", fig, controls, draw)


#: The top row's w axis: 0 to 1.11, so that the largest w the two sliders make, 1.1 + 0.0099,
#: lies on it.
W_MAX = 1.11
W_GRID = np.round(np.linspace(0.0, W_MAX, 1111), 6)
#: The zoomed window of Lee's contrast (w = 0.99, 1, 1.01) and its grid.
ZOOM = (0.98, 1.02)
W_ZOOM = np.round(np.linspace(*ZOOM, 401), 6)
#: Fixed views, the same for every n, so that moving a slider never changes an axis (and
#: curves for different n can be compared by eye): the full range holds 1.11^1000 = 2.1e45
#: and 1000·1.11^999 = 1.9e48 down to the smallest float64; the zoom holds 0.98^1000 =
#: 1.7e-9 and 1000·1.02^999 = 3.9e11.
FULL_YLIM = (1e-323, 1e50)
ZOOM_YLIM = (1e-10, 1e12)
LEE_W = (0.99, 1.0, 1.01)
#: The smallest normal float64 (2.2e-308): below it, numbers keep fewer significant bits.
_TINY = float(np.finfo(np.float64).tiny)


def _number(v: float) -> str:
    """``v`` to 5 significant digits; a subnormal one (below ``_TINY``) to 2, as it holds
    few."""
    return f"{v:.2g}" if 0 < abs(v) < _TINY else f"{v:.5g}"


def power_toy() -> Explorer:
    """Sliders w (0–1.1, step 0.01), + fine (0–0.0099, step 0.0001) and n (1–1000, the 34
    ``N_VALUES``): y = w^n and dy/dw = n w^(n−1) at the weight w + fine (the two sliders'
    sum, rounded to 0.0001).

    Two sliders make w, a coarse one and a fine one (a vernier), so that every multiple of
    0.0001 up to 1.1099 is a value, and each slider has few enough values (111 and 100) to
    be drawn whole for drags (``FILL_FRAMES``). A single slider in steps of 0.0001 has
    11,001 values; a drag along its track (under 300 px in JupyterLab) skips dozens of
    them per pixel, and each drag from a new start reaches other ones.

    Top row: 0 ≤ w ≤ 1.11 (log axes down to float64's smallest number); bottom row: a zoom
    on 0.98 ≤ w ≤ 1.02 with the values at Lee's w = 0.99, 1 and 1.01 marked and printed.
    Every axis is fixed: the sliders move only the curves, markers and texts.
    """
    fig, axes = new_figure(10.5, 7.0, nrows=2, ncols=2)
    _fixed_layout(fig, left=0.085, right=0.975, bottom=0.13, top=0.955, wspace=0.28, hspace=0.42)
    (ax_y, ax_d), (az_y, az_d) = axes
    lines, dots, spans, zlines, zdots, lee = [], [], [], [], [], []
    for ax, az, label in ((ax_y, az_y, r"$y = w^n$"), (ax_d, az_d, r"$dy/dw = n\,w^{n-1}$")):
        ax.set_yscale("log")
        ax.set_ylim(*FULL_YLIM)
        ax.set_xlim(0.0, W_MAX)
        ax.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(-300, 1, 100)))
        spans.append(ax.axvspan(0.0, 0.0, color="0.8", alpha=0.6, lw=0))
        ax.axvspan(*ZOOM, color=style.COLORS["yellow"], alpha=0.35, lw=0)  # the zoomed window
        (ln,) = ax.plot(W_GRID, np.ones_like(W_GRID), color=style.COLORS["blue"])
        (dot,) = ax.plot(
            [1.0], [1.0], "o", color=style.EXPLODE, ms=10, mec="black", zorder=5, clip_on=False
        )
        az.set_yscale("log")
        az.set_ylim(*ZOOM_YLIM)
        az.set_xlim(*ZOOM)
        az.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(-8, 13, 4)))
        az.xaxis.set_major_locator(FixedLocator([0.98, 0.99, 1.0, 1.01, 1.02]))
        az.set_facecolor(to_rgba(style.COLORS["yellow"], 0.08))
        (zln,) = az.plot(W_ZOOM, np.ones_like(W_ZOOM), color=style.COLORS["blue"])
        (marks,) = az.plot(
            LEE_W, np.ones(3), "s", ms=7, mfc="white", mec=style.NEUTRAL, mew=1.5, zorder=4
        )
        (zdot,) = az.plot([1.0], [1.0], "o", color=style.EXPLODE, ms=10, mec="black", zorder=5)
        for a in (ax, az):
            a.set_autoscale_on(False)
            a.yaxis.set_minor_locator(NullLocator())
            a.axhline(1.0, color=style.NEUTRAL, lw=1, ls=":")
            a.set_xlabel("weight w")
            a.set_ylabel(f"{label} (log scale)")
        lines.append(ln)
        dots.append(dot)
        zlines.append(zln)
        zdots.append(zdot)
        lee.append(marks)
    boxes = [
        az.text(0.03, 0.96, "", transform=az.transAxes, va="top", fontsize=10.5, bbox=_BOX)
        for az in (az_y, az_d)
    ]
    off_window = [
        # drawn last (zorder 6): when it changes with w, nothing under it is drawn again
        az.text(
            0.97, 0.04, "", transform=az.transAxes, ha="right", va="bottom", fontsize=10.5, zorder=6
        )
        for az in (az_y, az_d)
    ]
    under_labels = [
        ax.text(
            0.01,
            0.5,
            "",
            transform=ax.transAxes,
            rotation=90,
            va="center",
            fontsize=10.5,
            color="0.25",
        )
        for ax in (ax_y, ax_d)
    ]
    status = fig.text(0.5, 0.012, "", ha="center", va="bottom", fontsize=11.5, bbox=_BOX)

    shown_n: list[int] = []  # the n the curves show: a move of w leaves them alone

    def draw_curves(n: int) -> None:
        """Everything that depends on n only: curves, Lee's marks, titles, underflow."""
        y, dy = power(W_GRID, n)
        zy, zdy = power(W_ZOOM, n)
        ly, ldy = power(np.array(LEE_W), n)
        panels = ((y, zy, ly, "w$^n$"), (dy, zdy, ldy, "n w$^{n-1}$"))
        for i, (vals, zvals, lvals, what) in enumerate(panels):
            ln, zln, span, marks, label = lines[i], zlines[i], spans[i], lee[i], under_labels[i]
            ln.set_ydata(np.where(vals > 0, vals, np.nan))
            zln.set_ydata(zvals)  # 0.98^1000 = 1.7e-9 > 0: never 0 in the zoom
            marks.set_ydata(lvals)
            zero = W_GRID[vals == 0.0]
            edge = float(zero.max()) if zero.size and zero.max() > 0 else 0.0
            span.set_width(edge)
            label.set_text(f"underflow: {what} = 0 in float64" if edge > 0.05 else "")
        ax_y.set_title(f"y = w$^{{{n}}}$ for 0 ≤ w ≤ {W_MAX}")
        ax_d.set_title(f"its derivative {n}·w$^{{{n - 1}}}$")
        az_y.set_title(f"zoom on {ZOOM[0]} ≤ w ≤ {ZOOM[1]}: y = w$^{{{n}}}$")
        az_d.set_title(f"zoom: {n}·w$^{{{n - 1}}}$")
        boxes[0].set_text(
            "\n".join(f"{lw:.2f}$^{{{n}}}$ = {v:.4g}" for lw, v in zip(LEE_W, ly, strict=True))
        )
        boxes[1].set_text(
            "\n".join(f"at w = {lw:.2f}: {v:.4g}" for lw, v in zip(LEE_W, ldy, strict=True))
        )
        shown_n[:] = [n]

    def draw(w: float, fine: float, n: int) -> None:
        if shown_n != [n]:
            draw_curves(n)
        w = round(w + fine, 4)  # the slider values' sum, on the grid of 0.0001
        y0, dy0 = (float(v) for v in power(w, n))
        inside = ZOOM[0] <= w <= ZOOM[1]
        for dot, zdot, v in ((dots[0], zdots[0], y0), (dots[1], zdots[1], dy0)):
            if v > 0:  # on the axis
                dot.set_data([w], [v])
                dot.set_marker("o")
            else:  # exactly 0: drawn as a triangle on the bottom edge
                dot.set_data([w], [FULL_YLIM[0] * 1.5])
                dot.set_marker("v")
            zdot.set_data([w], [v if v > 0 else 1.0])
            zdot.set_visible(inside)
        side = "" if inside else ("◀ " if w < ZOOM[0] else "▶ ")
        for text in off_window:
            text.set_text(f"{side}w = {w:.4f} is outside this window" if side else "")
        if y0 == 0.0 and w > 0:
            exp10 = n * np.log10(w)
            text = (
                f"w = {w:.4f}, n = {n}:  y = 10$^{{{exp10:.0f}}}$ is below 2.5e-324, so float64 "
                f"rounds it to exactly 0 (▼);  dy/dw = {_number(dy0)}"
            )
        elif w == 0.0:
            text = f"w = 0, n = {n}:  y = 0 exactly, dy/dw = {_number(dy0)}  (▼ marks a value of 0)"
        else:
            text = f"w = {w:.4f}, n = {n}:  y = {_number(y0)},  dy/dw = {_number(dy0)}"
            if any(0 < abs(v) < _TINY for v in (y0, dy0)):  # below float64's normal numbers
                text += "  (subnormal: few digits kept)"
        status.set_text(text)

    controls = {
        "w": widgets.FloatSlider(
            value=1.01, min=0.0, max=1.1, step=0.01, description="w", readout_format=".2f"
        ),
        "fine": widgets.FloatSlider(
            value=0.0, min=0.0, max=0.0099, step=0.0001, description="+ fine", readout_format=".4f"
        ),
        # Every n's picture is drawn for drags only if the slider has at most FILL_FRAMES
        # values: N_VALUES (a step of 1 gave 1000).
        "n": widgets.SelectionSlider(options=list(N_VALUES), value=1000, description="n"),
    }
    return Explorer("w and n: the toy y = w^n", fig, controls, draw)


EXPLORERS = {"alpha_horizon": alpha_horizon, "power_toy": power_toy}
