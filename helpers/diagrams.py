"""Cell diagrams drawn from code: the LSTM built up piece by piece, and the GRU.

Boxes are layers with weights (σ or tanh of an affine map of ``[h_{t−1}, x_t]``), circles
are element-wise operations (⊙, +, tanh, 1 − ·); the path of the state that is *added to*
rather than rewritten (the LSTM's cell state, the GRU's h) is drawn thick, in the course's
``VANISH`` blue: it is the path along which the gradient travels with only element-wise
factors. Colours follow ``helpers.style`` (Okabe–Ito); every piece also carries a text label,
so nothing relies on colour alone. In the spirit of Olah (2015), *Understanding LSTM
Networks*, with the gate conventions of ``torch.nn.LSTM``/``torch.nn.GRU`` (the course's).

``lstm_figure(stages)`` draws one panel per stage (1: the cell-state conveyor; 2: + the
forget gate; 3: + the input gate and the candidate; 4: + the output gate, the full LSTM);
``gru_figure()`` draws the GRU. Both return a matplotlib ``Figure`` made outside pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.patches as mpatches
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase

from helpers import style
from helpers._validate import as_int

#: The stages of ``lstm_figure`` and what each adds (panel titles).
LSTM_STAGES = {
    1: "1 · the cell state: a conveyor",
    2: "2 · + forget gate f: keep f ⊙ c",
    3: "3 · + input gate i, candidate g",
    4: "4 · + output gate o: the LSTM",
}
#: The equation written under each stage.
LSTM_EQUATIONS = {
    1: r"$c_t = c_{t-1}$  (the 1997 carousel: $f = 1$)",
    2: r"$c_t = f_t \odot c_{t-1}$",
    3: r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
    4: r"$h_t = o_t \odot \tanh(c_t)$",
}
STATE_COLOR = style.VANISH
GATE_COLORS = {
    "f": style.COLORS["orange"],
    "i": style.COLORS["green"],
    "g": style.COLORS["purple"],
    "o": style.COLORS["sky"],
    "r": style.COLORS["purple"],
    "z": style.COLORS["orange"],
    "n": style.COLORS["green"],
}
WIRE = "#555555"
FONT = 15


def _wire(
    ax: Axes,
    points: Sequence[tuple[float, float]],
    *,
    color: str = WIRE,
    lw: float = 2.0,
    arrow: bool = True,
    z: float = 1.0,
) -> None:
    """A polyline through ``points``, with an arrow head at the end."""
    xs, ys = zip(*points, strict=True)
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, zorder=z, solid_capstyle="round")
    ax.add_patch(
        mpatches.FancyArrowPatch(
            points[-2], points[-1], arrowstyle="-|>" if arrow else "-", color=color, lw=lw,
            shrinkA=0, shrinkB=0, mutation_scale=10 + 4 * lw, zorder=z,
        )
    )  # fmt: skip


def _box(ax: Axes, xy: tuple[float, float], text: str, color: str, label: str) -> None:
    """A layer with weights: a rounded box holding σ or tanh, its name beside it."""
    x, y = xy
    w = 0.5 if len(text) == 1 else 0.62
    ax.add_patch(
        mpatches.FancyBboxPatch(
            (x - w, y - 0.32), 2 * w, 0.64, boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=color, edgecolor="black", lw=1.5, zorder=3, alpha=0.9,
        )
    )  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=FONT, zorder=4, fontweight="bold")
    ax.text(x - w - 0.08, y + 0.45, label, ha="right", va="bottom", fontsize=FONT, zorder=4,
            color="black")  # fmt: skip


def _op(ax: Axes, xy: tuple[float, float], text: str, *, size: float = 0.27) -> None:
    """An element-wise operation: a white circle holding ⊙, + or a function name."""
    ax.add_patch(mpatches.Circle(xy, size, facecolor="white", edgecolor="black", lw=1.8,
                                 zorder=5))  # fmt: skip
    shrink = 4 if len(text) > 2 else 2 if len(text) > 1 else 0
    ax.text(*xy, text, ha="center", va="center", fontsize=FONT - shrink, zorder=6)


def _frame(ax: Axes, title: str, equation: str) -> None:
    ax.add_patch(
        mpatches.FancyBboxPatch(
            (0.9, 0.55), 8.2, 5.05, boxstyle="round,pad=0.05,rounding_size=0.3",
            facecolor="#F4F4F4", edgecolor="#999999", lw=1.2, zorder=0,
        )
    )  # fmt: skip
    ax.set_xlim(-0.2, 10.4)
    ax.set_ylim(-0.9, 6.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=FONT + 1, loc="left")
    ax.text(5.0, -0.6, equation, ha="center", va="center", fontsize=FONT)


def _draw_lstm(ax: Axes, stage: int = 4) -> None:
    """Draw the LSTM cell on ``ax`` up to ``stage`` (1–4, see ``LSTM_STAGES``)."""
    stage = as_int("stage", stage, min_value=1, max_value=4)
    _frame(ax, LSTM_STAGES[stage], LSTM_EQUATIONS[stage])
    yc, yb = 5.0, 1.2  # the cell-state line and the bus carrying [h_{t−1}, x_t]
    ax.text(0.0, yc + 0.35, r"$c_{t-1}$", fontsize=FONT + 1, ha="left")
    ax.text(10.35, yc + 0.35, r"$c_t$", fontsize=FONT + 1, ha="right")
    ax.text(0.0, yb + 0.3, r"$h_{t-1}$", fontsize=FONT + 1, ha="left")
    ax.text(1.55, -0.1, r"$x_t$", fontsize=FONT + 1, ha="left")
    # the conveyor: drawn first, thick, the ops sit on it
    _wire(ax, [(0.0, yc), (10.2, yc)], color=STATE_COLOR, lw=6, z=2)
    ax.text(5.0, yc + 0.45, "cell state (element-wise only)", ha="center", fontsize=FONT - 3,
            color=STATE_COLOR)  # fmt: skip
    bus_end = {1: 1.6, 2: 2.2, 3: 5.2, 4: 6.8}[stage]
    _wire(ax, [(0.0, yb), (bus_end, yb)], arrow=False)
    _wire(ax, [(1.4, -0.15), (1.4, yb)], arrow=False)
    if stage == 1:
        ax.text(5.0, 3.0, "no gate yet: $c$ is carried unchanged,\nits gradient too",
                ha="center", va="center", fontsize=FONT - 1)  # fmt: skip
        return
    # forget gate
    _wire(ax, [(2.2, yb), (2.2, 2.5)])
    _box(ax, (2.2, 2.8), "σ", GATE_COLORS["f"], "f")
    _wire(ax, [(2.2, 3.12), (2.2, yc - 0.28)], color=GATE_COLORS["f"], lw=2.5)
    _op(ax, (2.2, yc), "×")
    if stage >= 3:  # input gate and candidate
        _wire(ax, [(3.6, yb), (3.6, 2.5)])
        _box(ax, (3.6, 2.8), "σ", GATE_COLORS["i"], "i")
        _wire(ax, [(5.2, yb), (5.2, 2.5)])
        _box(ax, (5.2, 2.8), "tanh", GATE_COLORS["g"], "g")
        _wire(ax, [(3.6, 3.12), (3.6, 3.95), (4.13, 3.95)], color=GATE_COLORS["i"], lw=2.5)
        _wire(ax, [(5.2, 3.12), (5.2, 3.95), (4.67, 3.95)], color=GATE_COLORS["g"], lw=2.5)
        _op(ax, (4.4, 3.95), "×")
        _wire(ax, [(4.4, 4.22), (4.4, yc - 0.28)], lw=2.5)
        _op(ax, (4.4, yc), "+")
    if stage >= 4:  # output gate
        _wire(ax, [(6.8, yb), (6.8, 2.5)])
        _box(ax, (6.8, 2.8), "σ", GATE_COLORS["o"], "o")
        _wire(ax, [(8.0, yc), (8.0, 4.37)], lw=2.5)
        _op(ax, (8.0, 4.0), "tanh", size=0.37)
        _wire(ax, [(8.0, 3.63), (8.0, 3.07)], lw=2.5)
        _wire(ax, [(7.3, 2.8), (7.73, 2.8)], color=GATE_COLORS["o"], lw=2.5)
        _op(ax, (8.0, 2.8), "×")
        _wire(ax, [(8.0, 2.53), (8.0, yb), (10.2, yb)], lw=3)
        ax.text(10.35, yb + 0.3, r"$h_t$", fontsize=FONT + 1, ha="right")


def _draw_gru(ax: Axes) -> None:
    """Draw the GRU cell on ``ax``, in ``torch.nn.GRU``'s convention:
    ``h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}``, ``n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))``."""
    _frame(
        ax,
        "GRU (torch.nn.GRU): z = 1 keeps the state",
        r"$h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$",
    )
    yh, yb = 5.0, 1.2
    ax.text(0.0, yh + 0.35, r"$h_{t-1}$", fontsize=FONT + 1, ha="left")
    ax.text(10.35, yh + 0.35, r"$h_t$", fontsize=FONT + 1, ha="right")
    ax.text(1.55, -0.1, r"$x_t$", fontsize=FONT + 1, ha="left")
    _wire(ax, [(0.0, yh), (10.2, yh)], color=STATE_COLOR, lw=6, z=2)
    ax.text(5.4, yh + 0.45, "state (element-wise only)", ha="center", fontsize=FONT - 3,
            color=STATE_COLOR)  # fmt: skip
    _wire(ax, [(0.6, yh), (0.6, yb), (7.6, yb)], arrow=False)  # h_{t−1} feeds the gates
    _wire(ax, [(1.4, -0.15), (1.4, yb)], arrow=False)
    # update gate z: z ⊙ h_{t−1} on the state line, 1 − z onto the candidate
    _wire(ax, [(2.4, yb), (2.4, 2.5)])
    _box(ax, (2.4, 2.8), "σ", GATE_COLORS["z"], "z")
    _wire(ax, [(2.4, 3.12), (2.4, yh - 0.28)], color=GATE_COLORS["z"], lw=2.5)
    _op(ax, (2.4, yh), "×")
    _wire(ax, [(2.4, 3.95), (4.33, 3.95)], color=GATE_COLORS["z"], lw=2.5)
    _op(ax, (4.6, 3.95), "1−")
    _wire(ax, [(4.87, 3.95), (7.33, 3.95)], color=GATE_COLORS["z"], lw=2.5)
    ax.text(6.0, 4.1, "1 − z", fontsize=FONT - 2, ha="center", va="bottom")
    # reset gate r, applied AFTER the matrix: r ⊙ (W_hn h_{t−1} + b_hn)
    _wire(ax, [(4.0, yb), (4.0, 2.0)])
    _box(ax, (4.0, 2.3), "σ", GATE_COLORS["r"], "r")
    _wire(ax, [(4.5, 2.3), (5.53, 2.3)], color=GATE_COLORS["r"], lw=2.5)
    _wire(ax, [(5.8, yb), (5.8, 2.03)])
    ax.text(5.9, 1.45, r"$W_{hn}h_{t-1}$", fontsize=FONT - 4, ha="left", va="center")
    _op(ax, (5.8, 2.3), "×")
    _wire(ax, [(6.07, 2.3), (6.5, 2.3), (6.5, 2.78), (6.98, 2.78)], lw=2.0)
    # candidate n = tanh(W_in x + b_in + r ⊙ (·))
    _wire(ax, [(7.6, yb), (7.6, 2.46)])
    ax.text(7.7, 1.55, r"$W_{in}x_t$", fontsize=FONT - 4, ha="left", va="center")
    _box(ax, (7.6, 2.78), "tanh", GATE_COLORS["n"], "")
    ax.text(8.1, 2.2, "n", fontsize=FONT, ha="left", va="center")
    _wire(ax, [(7.6, 3.1), (7.6, 3.68)], color=GATE_COLORS["n"], lw=2.5)
    _op(ax, (7.6, 3.95), "×")
    _wire(ax, [(7.6, 4.22), (7.6, yh - 0.28)], lw=2.5)
    _op(ax, (7.6, yh), "+")


def lstm_figure(stages: Sequence[int] = (1, 2, 3, 4), *, ncols: int = 2) -> Figure:
    """One panel per stage of the LSTM, ``ncols`` panels a row (size for a projector)."""
    if isinstance(stages, (str, bytes)) or not isinstance(stages, Sequence) or not stages:
        raise TypeError("stages must be a non-empty sequence of stages 1–4, e.g. (1, 2, 3, 4)")
    checked = [as_int(f"stages[{k}]", s, min_value=1, max_value=4) for k, s in enumerate(stages)]
    cols = as_int("ncols", ncols, min_value=1, max_value=4)
    cols = min(cols, len(checked))
    rows = -(-len(checked) // cols)
    fig = Figure(figsize=(6.2 * cols, 4.6 * rows), layout="none")  # fixed: fast to draw
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.94, wspace=0.04, hspace=0.12)
    for ax, s in zip(axes, checked, strict=False):
        _draw_lstm(ax, s)
    for ax in axes[len(checked) :]:
        ax.axis("off")
    return fig


def gru_figure() -> Figure:
    """The GRU cell, one panel (size for a projector)."""
    fig = Figure(figsize=(7.4, 5.4), layout="none")
    _draw_gru(fig.subplots())
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93)
    return fig


def labels(fig: Figure) -> list[str]:
    """Every text drawn in ``fig`` (titles and labels): what a test or a description reads."""
    if not isinstance(fig, FigureBase):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    out = []
    for ax in fig.axes:
        out.append(ax.get_title(loc="left"))
        out.extend(t.get_text() for t in ax.texts)
    return [t for t in out if t]
