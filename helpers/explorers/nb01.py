"""Notebook 01: the unrolled graph (a static drawing) and the horizon/truncation explorer.

``unrolled_graph`` draws the RNN folded (one cell with a loop) and unrolled over a few
steps: boxes for h_0 … h_T, arrows W_x, W_h, W_y, the outputs and the loss terms.

``horizon_truncation`` (sliders T, k and the loss placement): for a fixed, seeded tanh RNN
it shows what each time step s contributes to ∂L/∂W_h, for full BPTT and for BPTT
truncated after k steps, and the relative error of the truncated gradient against k.
Everything is precomputed for the longest horizon (error signals of every loss term at
every step, ``helpers.unroll.error_signals``); a slider move only sums and draws.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

from helpers import rnn, style, unroll
from helpers._validate import as_array, as_choice, as_int, check_params
from helpers.explorers.base import Explorer, new_figure

T_MAX = 200
HIDDEN = 8
SEED = 1
WH_SCALE = 1.5
MODES = ("loss at the last step only", "loss at every step")


# -- the unrolled graph -------------------------------------------------------------------
_SUB = str.maketrans("0123456789t", "₀₁₂₃₄₅₆₇₈₉ₜ")


def _var(name: str, t: int | str) -> str:
    """A symbol with a subscript in plain Unicode ("h₁", "ŷ₂", "ℓₜ"): these labels repeat
    on every step, and plain text draws many times faster than mathtext."""
    return name + str(t).translate(_SUB)


def _box(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    color: str,
    *,
    w: float = 0.7,
    h: float = 0.5,
    filled: bool = True,
    alpha: float = 1.0,
) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.04",
            fc=color if filled else "white",
            ec=color,
            lw=2,
            alpha=alpha,
        )
    )
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=14,
        fontstyle="italic",
        alpha=alpha,
        color="white" if filled else "black",
    )


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    label: str = "",
    *,
    color: str = "0.25",
    alpha: float = 1.0,
    offset: tuple[float, float] = (0.0, 0.12),
    rad: float = 0.0,
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=14,
            lw=1.6,
            color=color,
            alpha=alpha,
            shrinkA=0,
            shrinkB=0,
            connectionstyle=f"arc3,rad={rad}",
        )
    )
    if label:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="bottom", fontsize=11, color=color, alpha=alpha)


def _loss_steps(losses: Sequence[int] | None, T: int) -> list[int]:
    """The steps named by ``losses`` (default all of 1 … T), checked."""
    if losses is None:
        return list(range(1, T + 1))
    if isinstance(losses, (str, bytes)) or not isinstance(losses, (Sequence, np.ndarray)):
        raise TypeError(
            f"losses must be a list of steps (ints from 1 to {T}), got {type(losses).__name__}"
        )
    chosen = [as_int("losses", t, min_value=1, max_value=T) for t in losses]
    if not chosen:
        raise ValueError("losses must name at least one step")
    return chosen


def unrolled_graph(steps: int = 4, losses: Sequence[int] | None = None) -> Figure:
    """The RNN folded (left) and unrolled over ``steps`` steps (right), as a figure.

    ``losses``: the steps t (1-based, as in the math) whose prediction ŷ_t enters the loss;
    default all. Outputs without a loss are drawn faded. Returns a 10 × 3.8 in figure.
    """
    T = as_int("steps", steps, min_value=1, max_value=6)
    chosen = _loss_steps(losses, T)
    fig, (left, right) = new_figure(10.0, 3.8, ncols=2, gridspec_kw={"width_ratios": [1, 3.4]})
    blue, orange, green, grey = (
        style.COLORS["blue"],
        style.COLORS["orange"],
        style.COLORS["green"],
        "0.45",
    )
    for ax in (left, right):
        ax.set_axis_off()
        ax.set_aspect("equal")
    # folded
    left.set_xlim(-1.0, 1.1)
    left.set_ylim(-1.45, 2.75)
    _box(left, 0, -1.0, _var("x", "t"), green, filled=False)
    _box(left, 0, 0.5, _var("h", "t"), blue)
    _box(left, 0, 2.0, _var("ŷ", "t"), orange, filled=False)
    _arrow(left, (0, -0.75), (0, 0.25), "$W_x$", offset=(0.3, -0.15))
    _arrow(left, (0, 0.75), (0, 1.75), "$W_y$", offset=(0.3, -0.15))
    _arrow(left, (0.35, 0.62), (0.35, 0.38), color=style.COLORS["vermillion"], rad=-2.6)
    left.text(0.95, 0.5, "$W_h$", color=style.COLORS["vermillion"], fontsize=12, va="center")
    left.set_title("folded: a loop", fontsize=13)
    # unrolled
    dx = 1.55
    right.set_xlim(-0.6, dx * T + 0.8)
    right.set_ylim(-1.45, 3.95)
    _box(right, 0, 0.5, _var("h", 0), blue, filled=False)
    for t in range(1, T + 1):
        x = dx * t
        on = t in chosen
        fade = 1.0 if on else 0.3
        _box(right, x, -1.0, _var("x", t), green, filled=False)
        _box(right, x, 0.5, _var("h", t), blue)
        _box(right, x, 2.0, _var("ŷ", t), orange, filled=False, alpha=fade)
        _arrow(right, (x, -0.75), (x, 0.25), "$W_x$", offset=(0.28, -0.15))
        _arrow(
            right, (x - dx + 0.35, 0.5), (x - 0.35, 0.5), "$W_h$", color=style.COLORS["vermillion"]
        )
        _arrow(right, (x, 0.75), (x, 1.75), "$W_y$", offset=(0.28, -0.15), alpha=fade)
        if on:
            _box(right, x, 3.2, _var("ℓ", t), style.COLORS["purple"], w=0.6, h=0.42)
            _arrow(right, (x, 2.25), (x, 2.99), color=grey)
    names = ", ".join(rf"\hat y_{t}" for t in chosen)
    total = "L" if losses is None else f"J({names})"
    right.text(
        dx * T + 0.45,
        3.2,
        rf"$\rightarrow\ {total}$" if losses is not None else r"$\rightarrow\ L = \sum_t \ell_t$",
        va="center",
        ha="left",
        fontsize=13,
    )
    right.set_title(
        f"unrolled over T = {T} steps: a {T}-layer network, the same $W_x, W_h, b$ in every layer",
        fontsize=13,
    )
    return fig


def backward_graph(
    deltas: Sequence[float] | np.ndarray,
    losses: Sequence[int] | None = None,
    *,
    title: str = "",
) -> Figure:
    """The unrolled RNN with BPTT's backward flow drawn on it, from a real network's numbers.

    ``deltas``: ‖δ_t‖ for t = 1 … T (1 ≤ T ≤ 6), the size of the error signal
    δ_t = ∂L/∂a_t at each step (any norm, ≥ 0). The arrow leaving step t backward, to step
    t − 1, carries δ_t (as W_hᵀ δ_t); it is shaded and thickened by ‖δ_t‖ / max ‖δ‖ and
    labelled with the value; an exact zero is drawn dashed and grey. ``losses``: the steps
    (1-based) whose output enters the loss, default all; each sends its error
    ∂ℓ_t/∂h_t down into h_t (purple arrows). Returns a figure of width 1.75 T + 3.5 in.
    """
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    d = as_array("deltas", deltas, ndim=1)
    if not 1 <= d.size <= 6:
        raise ValueError(f"deltas must hold between 1 and 6 values (one per step), got {d.size}")
    if np.any(d < 0):
        raise ValueError("deltas must be norms, >= 0")
    T = d.size
    chosen = _loss_steps(losses, T)
    dx = 1.75
    # data units, about 0.82 in each; at least wide enough for the two-line caption
    left, right = -0.75, dx * T + 0.85
    pad = max(0.0, 12.2 - (right - left)) / 2
    fig, ax = new_figure(0.82 * (right - left + 2 * pad) + 0.4, 5.3)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(left - pad, right + pad)
    ax.set_ylim(-2.3, 3.55)
    blue, orange, green = style.COLORS["blue"], style.COLORS["orange"], style.COLORS["green"]
    purple, vermillion = style.COLORS["purple"], style.COLORS["vermillion"]
    shades = mpl.colormaps["Purples"]
    top = float(d.max())
    _box(ax, 0, 0.5, _var("h", 0), blue, filled=False)
    for t in range(1, T + 1):
        x = dx * t
        on = t in chosen
        _box(ax, x, -1.0, _var("x", t), green, filled=False)
        _box(ax, x, 0.5, _var("h", t), blue)
        _box(ax, x, 2.0, _var("ŷ", t), orange, filled=False, alpha=1.0 if on else 0.3)
        _arrow(ax, (x, -0.75), (x, 0.25))
        _arrow(ax, (x, 0.75), (x, 1.75), alpha=1.0 if on else 0.3)
        # forward: h_{t-1} -> h_t through W_h, in the upper half of the boxes
        _arrow(ax, (x - dx + 0.35, 0.64), (x - 0.35, 0.64), color=vermillion, alpha=0.8)
        if on:
            _box(ax, x, 3.2, _var("ℓ", t), purple, w=0.6, h=0.42)
            _arrow(ax, (x, 2.25), (x, 2.99), color="0.45")
            # the loss's error ∂ℓ_t/∂h_t, injected into h_t
            ax.add_patch(
                FancyArrowPatch(
                    (x - 0.3, 3.2),
                    (x - 0.52, 0.78),
                    arrowstyle="-|>",
                    mutation_scale=14,
                    lw=1.6,
                    color=purple,
                    shrinkA=0,
                    shrinkB=0,
                    connectionstyle="angle,angleA=180,angleB=90,rad=0",
                )
            )
        # backward: what step t sends to step t - 1, in the lower half of the boxes
        size = float(d[t - 1]) / top if top > 0 else 0.0
        start, end = (x - 0.35, 0.36), (x - dx + 0.35, 0.36)
        if d[t - 1] == 0:
            style_kw = {"lw": 1.5, "ls": "--", "color": "0.5"}
            label = f"{_var('δ', t)} = 0"
        else:
            style_kw = {"lw": 1.5 + 3.5 * size, "color": shades(0.35 + 0.65 * size)}
            label = f"{_var('δ', t)}: {d[t - 1]:.2f}"
        ax.add_patch(
            FancyArrowPatch(
                start, end, arrowstyle="-|>", mutation_scale=16, shrinkA=0, shrinkB=0, **style_kw
            )
        ).set_gid(f"delta_{t}")  # tests find the backward arrows by this id
        ax.text(x - dx / 2, 0.22, label, ha="center", va="top", fontsize=12)
    total = "L" if losses is None else "J(" + ", ".join(rf"\hat y_{t}" for t in chosen) + ")"
    ax.text(dx * T + 0.4, 3.2, rf"$\rightarrow\ {total}$", va="center", ha="left", fontsize=13)
    ax.text(
        left - pad + 0.05,
        -1.55,
        "Upper arrows: forward, $h_{t-1} \\to h_t$ through $W_h$.   "
        "Lower arrows: backward, step t sends $W_h^\\top \\delta_t$ to step t − 1.\n"
        "Arrows from $\\ell_t$: the loss injects $\\partial \\ell_t / \\partial h_t$ into $h_t$.   "
        "Darker, thicker = larger $\\|\\delta_t\\|$; dashed = exactly 0.",
        va="top",
        ha="left",
        fontsize=11,
        linespacing=1.6,
    )
    ax.set_title(
        title or "backward through time: the error signal $\\delta_t = \\partial L/\\partial a_t$",
        fontsize=13,
    )
    return fig


# -- the explorer -------------------------------------------------------------------------
def explorer_rnn() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """The explorer's fixed RNN: ``(params, xs (200, 1, 2), h0 (1, 8), dhs (200, 1, 8))``.

    A seeded tanh RNN with H = 8 and ``Wh`` scaled by 1.5, so that its gradient fades by
    about a decade every 8 to 11 steps (one per 8.2 over the last 60 steps, one per 10.7
    over 200; checked in notebook 01); h0 is a random state (a window cut from a longer stream),
    so that step 1 contributes too; ``dhs[t]`` is the error ∂ℓ_t/∂h_t injected at step t,
    random of size about 1.
    """
    rng = np.random.default_rng(SEED)
    params = rnn.init(2, HIDDEN, rng=rng, scale=WH_SCALE)
    xs = rng.normal(size=(T_MAX, 1, 2))
    dhs = rng.normal(size=(T_MAX, 1, HIDDEN)) / np.sqrt(HIDDEN)
    h0 = np.tanh(rng.normal(size=(1, HIDDEN)))
    return params, xs, h0, dhs


def precompute() -> dict[str, np.ndarray]:
    """Error signals of every loss term at every step for one long seeded sequence.

    Computed once per process (the notebook's check cell reuses the explorer's); the
    arrays are read-only.
    """
    return dict(_precompute())


@functools.cache
def _precompute() -> dict[str, np.ndarray]:
    params, xs, h0, dhs = explorer_rnn()
    hs, cache = rnn.forward(params, xs, h0)
    sig = unroll.error_signals(dhs, cache)[:, :, 0]  # (t, s, H)
    hprev = np.concatenate([h0, hs[:-1, 0]], axis=0)  # h_{s-1}, (T, H)
    # offsets: P[s, j] = Σ_{t=s}^{s+j} δ_{t→s}, the error at step s from the j+1 nearest losses
    s_idx, j_idx = np.indices((T_MAX, T_MAX))
    t_idx = s_idx + j_idx
    valid = t_idx < T_MAX
    off = np.where(valid[..., None], sig[np.minimum(t_idx, T_MAX - 1), s_idx], 0.0)
    out = {
        "sig": sig,
        "hprev": hprev,
        "hnorm": np.linalg.norm(hprev, axis=1),
        "P": np.cumsum(off, axis=1),
    }
    for value in out.values():
        value.setflags(write=False)
    return out


def contributions(T: int, k: int, mode: str, pre: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """For horizon T and truncation k: (per-step ‖contribution‖ full, truncated; relative
    error ‖g_k − g‖/‖g‖ of the truncated ∂L/∂W_h for every k' = 0..T). Shapes (T,), (T,), (T+1,).

    ``T`` in 1 … 200, ``k`` in 0 … 200 (k ≥ T − 1 is full BPTT), ``mode`` one of ``MODES``,
    ``pre`` the arrays of ``precompute()``.
    """
    T = as_int("T", T, min_value=1, max_value=T_MAX)
    k = as_int("k", k, min_value=0, max_value=T_MAX)
    mode = as_choice("mode", mode, MODES)
    pre = check_params("pre", pre, _PRE_SHAPES)
    return _contributions(T, k, mode, pre)


#: The arrays of ``precompute()`` and their shapes.
_PRE_SHAPES = {
    "sig": (T_MAX, T_MAX, HIDDEN),
    "hprev": (T_MAX, HIDDEN),
    "hnorm": (T_MAX,),
    "P": (T_MAX, T_MAX, HIDDEN),
}


def _contributions(T: int, k: int, mode: str, pre: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """``contributions`` without the checks (the explorer's controls are range-checked)."""
    hprev, hnorm = pre["hprev"][:T], pre["hnorm"][:T]
    s = np.arange(T)
    if mode == MODES[0]:
        u = pre["sig"][T - 1, :T]  # (T, H): the last loss's error at each step
        full = np.linalg.norm(u, axis=1) * hnorm
        trunc = np.where(T - 1 - s <= k, full, 0.0)
        G = u[:, :, None] * hprev[:, None, :]  # contribution matrices (T, H, H)
        dropped = np.cumsum(G, axis=0)  # dropped[j] = Σ_{s<=j} G_s, summed from the faint end
        gnorm = np.linalg.norm(dropped[-1])
        ks = np.arange(T + 1)
        j = T - 2 - ks  # with k' kept factors, steps s <= T-2-k' are dropped
        err = np.zeros(T + 1)
        keep = j >= 0
        err[keep] = np.linalg.norm(dropped[j[keep]], axis=(1, 2)) / gnorm
        return full, trunc, err
    P = pre["P"]
    last = T - 1 - s  # the largest offset that still names a loss inside the horizon
    u_full = P[s, last]
    full = np.linalg.norm(u_full, axis=1) * hnorm
    u_k = P[s, np.minimum(k, last)]
    trunc = np.linalg.norm(u_k, axis=1) * hnorm
    ks = np.arange(T + 1)
    J = np.minimum(ks[:, None], last[None, :])  # (T+1, T)
    diff = P[s[None, :], J] - u_full[None]  # (T+1, T, H)
    err_mats = np.einsum("ksh,sj->khj", diff, hprev)
    g = np.einsum("sh,sj->hj", u_full, hprev)
    err = np.linalg.norm(err_mats, axis=(1, 2)) / np.linalg.norm(g)
    return full, trunc, err


#: ``horizon_truncation``'s time axes end at the first of these that is ≥ T: a step of T
#: inside one view keeps the axes still, so the move only redraws what changed (blitting).
T_VIEWS = (10, 20, 50, 100, 200)


def _decades(low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` widened to whole decades: log limits that move only across a decade."""
    return 10.0 ** np.floor(np.log10(low)), 10.0 ** np.ceil(np.log10(high))


def horizon_truncation() -> Explorer:
    """Sliders T (1–200) and k (0–200, k ≥ T − 1 is full BPTT) and the loss placement:
    per-step contributions to ∂L/∂W_h (log scale), full vs truncated, and the relative
    error of the truncated gradient against k, the current k marked."""
    pre = precompute()
    fig, (ax, ax_err) = new_figure(11.0, 4.4, ncols=2, gridspec_kw={"width_ratios": [1.5, 1]})
    full_c, trunc_c = style.NEUTRAL, style.COLORS["orange"]
    (l_full,) = ax.semilogy([1], [1], color=full_c, lw=2.2, marker="o", ms=3, label="full BPTT")
    (l_trunc,) = ax.semilogy(
        [1],
        [1],
        color=trunc_c,
        lw=0,
        marker="s",
        ms=5,
        mfc="none",
        mew=1.5,
        label="truncated after k steps",
    )
    # The shaded spans are drawn above the grid (the axis, zorder 1.5) and below the data:
    # when they move, a blit then redraws the data over them, not every tick label.
    cut = ax.axvspan(0.5, 1.5, color="0.6", alpha=0.35, zorder=1.6, lw=0)
    beyond = [  # the part of the view past the last step T: hatched, on both panels
        a.axvspan(0.5, 1.5, facecolor="none", edgecolor="0.75", hatch="///", lw=0, zorder=1.6)
        for a in (ax, ax_err)
    ]
    spans_at = {"T": -1, "view": -1}  # where the hatched spans are now (moved on change only)
    beyond_text = [
        a.text(
            1.0,
            0.5,
            label,
            transform=a.get_xaxis_transform(),
            color="0.35",
            fontsize=10,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
        )
        for a, label in ((ax, "s > T"), (ax_err, "k > T"))
    ]
    cut_text = ax.text(
        0.98,
        0.04,
        "",
        transform=ax.transAxes,
        fontsize=11,
        color="0.25",
        ha="right",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
    )
    ax.set_xlabel("time step s")
    ax.set_ylabel(r"$\|$contribution of step s to $\partial L/\partial W_h\|$" + "\n(log scale)")
    ax.legend(loc="upper left")
    (l_err,) = ax_err.semilogy([0], [1], color=style.COLORS["blue"], lw=2, marker=".", ms=4)
    vline = ax_err.axvline(0, color=style.COLORS["orange"], lw=1.5, ls="--")
    (dot,) = ax_err.semilogy([0], [1], "o", color=style.COLORS["orange"], ms=9)
    readout = ax_err.text(
        0.97,
        0.95,
        "",
        transform=ax_err.transAxes,
        ha="right",
        va="top",
        fontsize=11,
        bbox={"facecolor": "white", "edgecolor": "0.7"},
    )
    ax_err.set_xlabel("truncation k (recurrent factors kept)")
    ax_err.set_ylabel(r"relative error $\|g_k - g\| / \|g\|$" + "\n(log scale)")
    ax_err.set_title("error of the truncated gradient", fontsize=13)
    floor = 1e-18
    for a in (ax, ax_err):  # few ticks on the log axes: cheaper to draw, easier to read
        a.yaxis.set_major_locator(LogLocator(numticks=8))
        a.yaxis.set_minor_locator(NullLocator())
        a.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10], min_n_ticks=1))

    def draw(T: int, k: int, loss: str) -> None:
        full, trunc, err = _contributions(T, k, loss, pre)
        steps = np.arange(1, T + 1)
        l_full.set_data(steps, np.where(full > 0, full, np.nan))
        l_trunc.set_data(steps, np.where(trunc > 0, trunc, np.nan))
        both = np.concatenate([full, trunc])
        positive = both[both > 0]
        top = positive.max() * 4
        bottom = max(min(positive.min() / 4, top * 1e-2), 1e-30)
        ax.set_ylim(*_decades(bottom, top))
        view = next(v for v in T_VIEWS if v >= T)
        ax.set_xlim(0.5, view + 0.5)
        if (spans_at["T"], spans_at["view"]) != (T, view):
            spans_at.update(T=T, view=view)
            for span, label in zip(beyond, beyond_text, strict=True):
                span.set_visible(view > T)
                span.set_x(T + 0.5)
                span.set_width(view - T)
                label.set_visible(view - T >= 0.15 * view)  # only where the label fits
                label.set_x(T + 0.5 + 0.02 * view)
        kk = min(k, T)
        if loss == MODES[0] and k < T - 1:
            cut.set_visible(True)
            cut.set_x(0.5)
            cut.set_width(T - 1 - k)
            cut_text.set_text(f"grey: steps 1–{T - 1 - k} are cut off (contribute 0)")
        else:
            cut.set_visible(False)
            cut_text.set_text("" if k < T - 1 else "k ≥ T − 1: truncated = full")
        ax.set_title(
            f"what each step adds to $\\partial L/\\partial W_h$: T = {T}, k = {k}", fontsize=13
        )
        ks = np.arange(T + 1)
        shown = np.where(err > floor, err, np.nan)
        l_err.set_data(ks, shown)
        ax_err.set_xlim(-0.5, view + 0.5)
        finite = err[err > floor]
        ax_err.set_ylim(
            *_decades(
                max(finite.min() / 4, floor) if finite.size else 1e-17,
                max(finite.max() * 4, 2.0) if finite.size else 2.0,
            )
        )
        e = float(err[kk])
        vline.set_xdata([kk, kk])
        dot.set_data([kk], [e if e > floor else np.nan])
        if e == 0.0:
            readout.set_text(f"k = {k} ≥ T − 1 = {T - 1}:\nexact, error 0")
        elif e <= floor:
            readout.set_text(f"k = {k}: error < {floor:.0e}\n(below rounding)")
        else:
            readout.set_text(f"k = {k}: error {e:.3g}")

    controls = {
        "T": widgets.IntSlider(value=60, min=1, max=T_MAX, step=1, description="horizon T"),
        "k": widgets.IntSlider(value=10, min=0, max=T_MAX, step=1, description="truncation k"),
        "loss": widgets.Dropdown(
            options=list(MODES),
            value=MODES[0],
            description="loss",
            layout=widgets.Layout(width="330px"),
        ),
    }
    # Lay the figure out once, for the widest tick labels (T = 200, k = 0: many decades),
    # then freeze it: a slider move only redraws, it does not re-run the layout.
    draw(T=T_MAX, k=0, loss=MODES[0])
    fig.canvas.draw()
    fig.set_layout_engine("none")
    return Explorer("horizon T and truncation k", fig, controls, draw)


EXPLORERS = {"horizon_truncation": horizon_truncation}
