"""Notebook 05's explorer: how far back the gradient reaches in an RNN, an LSTM and a GRU.

``gradient_flow``: sliders for the LSTM's forget-gate bias and the sequence length T. A
loss is attached to the last step only, L = w · h_T; the figure shows, for every input
step s, the size of the gradient that reaches it, ‖∂L/∂x_s‖ (averaged over a few random
sequences), relative to the gradient at the last step. Everything is computed when the
explorer is built (every bias and every length: one batched LSTM run per length), so a
slider move only redraws.
"""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as widgets
import numpy as np
from matplotlib import ticker

from helpers import gru, lstm, rnn, style
from helpers._validate import as_int
from helpers.explorers.base import Explorer, new_figure

#: Forget-gate biases offered by the slider.
FORGET_BIASES = np.round(np.arange(-2.0, 5.0001, 0.5), 2)
#: Sequence lengths offered by the slider.
LENGTHS = (10, 20, 50, 100, 200, 400)
#: Relative gradients below this are drawn on the floor (and said to be).
FLOOR = 1e-20
INPUT_SIZE, HIDDEN_SIZE, SAMPLES = 4, 24, 3


def _relative(dxs: np.ndarray) -> np.ndarray:
    """‖∂L/∂x_s‖ averaged over the batch, divided by its value at the last step: (T,)."""
    norms = np.linalg.norm(dxs, axis=-1).mean(axis=-1)
    return norms / norms[-1]


def gradient_profiles(seed: int = 5) -> dict[int, dict[str, np.ndarray]]:
    """Relative gradient ‖∂L/∂x_s‖ / ‖∂L/∂x_T‖ for every length in ``LENGTHS``.

    Returns ``{T: {"rnn": (T,), "gru": (T,), "lstm": (len(FORGET_BIASES), T)}}``. All
    models start from their usual random initialisation (tanh RNN with Glorot weights,
    LSTM and GRU uniform ±1/√H); the LSTMs differ only by the forget-gate bias.

    The biases are batched into one LSTM run: an extra input channel, constant and equal
    to the bias of its sequence, feeds the forget-gate rows with weight 1 (and nothing
    else), which adds exactly that bias to a_f.
    """
    rng = np.random.default_rng(as_int("seed", seed, min_value=0, max_value=2**63 - 1))
    D, H, S = INPUT_SIZE, HIDDEN_SIZE, SAMPLES
    n_fb = len(FORGET_BIASES)
    p_rnn = rnn.init(D, H, rng=rng)
    p_gru = gru.init(D, H, rng=rng)
    p_lstm = lstm.init(D + 1, H, rng=rng)
    p_lstm["Wx"][:, D] = 0.0
    p_lstm["Wx"][H : 2 * H, D] = 1.0
    xs_all = rng.normal(size=(max(LENGTHS), S, D))
    w = rng.normal(size=(S, H))  # L = Σ_b w_b · h_T,b
    fb_channel = np.repeat(FORGET_BIASES, S)  # batch order: bias-major, then sample
    Tmax = max(LENGTHS)
    xl = np.concatenate(
        [
            np.tile(xs_all, (1, n_fb, 1)),
            np.broadcast_to(fb_channel[None, :, None], (Tmax, n_fb * S, 1)),
        ],
        axis=-1,
    )
    # One forward run of the longest length per model: a run of length T is its prefix.
    caches = {
        "rnn": (rnn, rnn.forward(p_rnn, xs_all)[1], ("xs", "hs")),
        "gru": (gru, gru.forward(p_gru, xs_all)[1], ("xs", "hs", "gates", "hn")),
        "lstm": (lstm, lstm.forward(p_lstm, xl)[1], ("xs", "hs", "cs", "gates", "tanh_c")),
    }
    out: dict[int, dict[str, np.ndarray]] = {}
    for T in LENGTHS:
        dhs = np.zeros((T, S, H))
        dhs[-1] = w
        dxs = {}
        for name, (module, full, fields) in caches.items():
            cache = replace(full, **{f: getattr(full, f)[:T] for f in fields})
            g = np.tile(dhs, (1, n_fb, 1)) if name == "lstm" else dhs
            dxs[name] = module.backward(g, cache, return_dxs=True)[2]
        dx_l = dxs["lstm"][..., :D].reshape(T, n_fb, S, D)
        norms = np.linalg.norm(dx_l, axis=-1).mean(axis=-1)  # (T, n_fb)
        out[T] = {
            "rnn": _relative(dxs["rnn"]),
            "gru": _relative(dxs["gru"]),
            "lstm": (norms / norms[-1]).T,
        }
    return out


def _fmt(value: float) -> str:
    return f"< {FLOOR:.0e}" if value < FLOOR else f"{value:.2g}"


def gradient_flow() -> Explorer:
    """Sliders ``forget_bias`` (−2 … 5) and ``length`` (10 … 400): the gradient reaching
    each input step, as lines (log scale) and as an LSTM heat map over (step, bias)."""
    profiles = gradient_profiles()
    fig, (ax, hm) = new_figure(11.0, 4.3, ncols=2, gridspec_kw={"width_ratios": [1.15, 1]})
    ax.set_yscale("log")
    colors = {
        "rnn": style.COLORS["vermillion"],
        "lstm": style.COLORS["blue"],
        "gru": style.COLORS["green"],
    }
    (l_rnn,) = ax.plot([], [], color=colors["rnn"], ls="--", label="vanilla RNN (tanh)")
    (l_lstm,) = ax.plot([], [], color=colors["lstm"], ls="-", label="LSTM")
    (l_gru,) = ax.plot([], [], color=colors["gru"], ls="-.", label="GRU")
    ax.axhline(FLOOR, color=style.NEUTRAL, lw=1, ls=":", label=f"floor: below {FLOOR:.0e}")
    # The curves end at 1 (s = T) and the flattest (LSTM, large b_f) run just above it: a
    # decade of head-room, no more. The legend, which also reads out the value at s = 1,
    # sits under the axes, where no curve can reach it.
    ax.set_ylim(FLOOR / 5, 10.0)
    ax.set_yticks([10.0**e for e in range(-20, 1, 4)])
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"1e{np.log10(v):.0f}"))
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.set_xlabel("input step s (the loss is at the last step, T)")
    ax.set_ylabel("‖∂L/∂$x_s$‖ relative to $s = T$ (log scale)")
    first = profiles[LENGTHS[0]]["lstm"]
    img = hm.imshow(
        np.log10(np.maximum(first, FLOOR)),
        aspect="auto",
        origin="lower",
        cmap=style.CMAP,
        vmin=-16,
        vmax=0,
        interpolation="nearest",
    )
    bar = fig.colorbar(img, ax=hm, pad=0.01, ticks=[-16, -12, -8, -4, 0])
    bar.set_label("log$_{10}$ relative ‖∂L/∂$x_s$‖\n(≤ −16 shown as −16)")
    step_b = FORGET_BIASES[1] - FORGET_BIASES[0]
    marker = hm.axhline(0.0, color="white", lw=2, ls="--")
    hm.grid(False)  # grid lines over an image only add clutter (and drawing time)
    for axis in (ax.xaxis, hm.xaxis):
        axis.set_major_locator(ticker.MaxNLocator(nbins=6, integer=True, steps=[1, 2, 5, 10]))
    hm.set_xlabel("input step s")
    hm.set_ylabel("LSTM forget-gate bias $b_f$")
    hm.set_title("LSTM: gradient reaching step s, every bias")
    draw_at = {"forget_bias": 1.0, "length": 100}
    # One legend, made once, under the axes: a slider move changes only its texts (a new
    # legend per move would change the figure's artists and defeat blitting).
    legend = ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncol=2,
        fontsize=9.5,
        title="gradient reaching s = 1, relative to s = T",
        title_fontsize=9.5,
    )
    entries = dict(zip(("rnn", "lstm", "gru"), legend.get_texts()[:3], strict=True))
    shown_length = [0]  # the T whose heat map the image holds

    def draw(forget_bias: float, length: int) -> None:
        T = int(length)
        prof = profiles[T]
        k = int(np.argmin(np.abs(FORGET_BIASES - forget_bias)))
        s = np.arange(1, T + 1)
        curves = {"rnn": prof["rnn"], "lstm": prof["lstm"][k], "gru": prof["gru"]}
        for line, name in ((l_rnn, "rnn"), (l_lstm, "lstm"), (l_gru, "gru")):
            line.set_data(s, np.maximum(curves[name], FLOOR))
        names = {"rnn": "vanilla RNN", "lstm": f"LSTM, $b_f$ = {FORGET_BIASES[k]:g}", "gru": "GRU"}
        for key, line in (("rnn", l_rnn), ("lstm", l_lstm), ("gru", l_gru)):
            line.set_label(f"{names[key]}: {_fmt(curves[key][0])}")
            entries[key].set_text(line.get_label())
        ax.set_xlim(1, max(T, 2))
        ax.set_title(f"Gradient reaching each step, T = {T}")
        if shown_length[0] != T:  # the heat map depends on T only: redraw it only then
            shown_length[0] = T
            img.set_data(np.log10(np.maximum(prof["lstm"], FLOOR)))
            img.set_extent(
                (0.5, T + 0.5, FORGET_BIASES[0] - step_b / 2, FORGET_BIASES[-1] + step_b / 2)
            )
        marker.set_ydata([FORGET_BIASES[k]] * 2)

    controls = {
        "forget_bias": widgets.FloatSlider(
            value=1.0,
            min=float(FORGET_BIASES[0]),
            max=float(FORGET_BIASES[-1]),
            step=float(step_b),
            description="forget bias",
            readout_format=".1f",
        ),
        "length": widgets.SelectionSlider(options=list(LENGTHS), value=100, description="length T"),
    }
    # Lay the figure out once, then freeze it: no constrained-layout pass on every move.
    draw(**draw_at)
    fig.canvas.draw()
    fig.set_layout_engine("none")
    explorer = Explorer("gradient flow: RNN vs LSTM vs GRU", fig, controls, draw)
    explorer.profiles = profiles  # the precomputed curves, for checks in the notebook
    return explorer


EXPLORERS = {"gradient_flow": gradient_flow}
