"""Notebook 07's explorer: the three scheduled-sampling schedules (Bengio et al. 2015)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from helpers import schedules, style
from helpers.explorers.base import Explorer, new_figure

#: Training iterations shown by the schedule explorer, and the sampled sequences drawn.
SS_ITERATIONS = 10_000
SS_COLUMNS = 100
SS_LENGTH = 20
#: The exponential schedule's k, from 0.99 to 0.9999: every k whose 1 − k has two
#: significant digits (1 − k = 0.01, 0.0099, …, 0.0010, 0.00099, …, 0.00010). The iteration
#: where ε_i = k^i crosses 1/2, ln(1/2) / ln k ≈ 0.69 / (1 − k), then moves by 1–10 % per
#: step of the slider, from 69 to 6931: steps of 0.0001 up to k = 0.999, then of 0.00001.
K_EXP_VALUES = tuple(
    sorted([0.99, *(round(1.0 - m / 10 * 10.0**e, 7) for e in (-3, -4) for m in range(10, 100))])
)


def sampling_schedule() -> Explorer:
    """Schedule kind (dropdown) and the parameters of the three schedules → ε_i over training
    (all three drawn, the chosen one bold) and a sampled mask of which inputs are the truth."""
    fig, (ax, ax_mask) = new_figure(
        10.0, 6.0, nrows=2, sharex=True, gridspec_kw={"height_ratios": [1.3, 1]}
    )
    i = np.linspace(0, SS_ITERATIONS, 1001)
    styles = {"linear": "-", "exponential": "--", "inverse sigmoid": "-."}
    colors = {
        "linear": style.CYCLE[0],
        "exponential": style.CYCLE[1],
        "inverse sigmoid": style.CYCLE[2],
    }
    lines = {}
    for kind in schedules.KINDS:
        (lines[kind],) = ax.plot(i, np.zeros_like(i), styles[kind], color=colors[kind], label=kind)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(0, SS_ITERATIONS)
    ax.set_ylabel("$\\epsilon_i$ = P(feed the truth)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="schedule")
    half = ax.axvline(0, color=style.NEUTRAL, ls=":", lw=1.2)
    half_text = ax.text(
        0,
        0.5,
        "",
        fontsize=10.5,
        va="bottom",
        bbox={"facecolor": "white", "edgecolor": "0.6", "alpha": 0.9},
    )
    # One fixed table of uniform numbers: moving a slider re-thresholds the same coins.
    coins = np.random.default_rng(2015).random((SS_LENGTH, SS_COLUMNS))
    cols = (np.arange(SS_COLUMNS) + 0.5) * SS_ITERATIONS / SS_COLUMNS
    # Neither colour is used by the schedules above; they differ strongly in lightness, and
    # the model's own samples carry a cross as well.
    own_color, truth_color = "0.3", style.COLORS["sky"]
    cmap = ListedColormap([own_color, truth_color])
    image = ax_mask.imshow(
        np.zeros((SS_LENGTH, SS_COLUMNS)),
        cmap=cmap,
        vmin=0,
        vmax=1,
        aspect="auto",
        origin="lower",
        interpolation="nearest",
        extent=(0, SS_ITERATIONS, 0.5, SS_LENGTH + 0.5),
    )
    col_at, row_at = np.meshgrid(cols, np.arange(1, SS_LENGTH + 1))
    cells = np.column_stack([col_at.ravel(), row_at.ravel()])  # (SS_LENGTH * SS_COLUMNS, 2)
    crosses = ax_mask.scatter(
        cells[:, 0], cells[:, 1], marker="x", s=9, linewidths=0.7, color="white", zorder=3
    )
    ax_mask.set_ylim(0.5, SS_LENGTH + 0.5)
    ax_mask.grid(False)
    ax_mask.set_xlabel("training iteration $i$")
    ax_mask.set_ylabel("input position $t$")
    ax_mask.legend(
        handles=[
            Patch(color=truth_color, label="ground truth"),
            Patch(facecolor=own_color, edgecolor="white", hatch="xx", label="model's own sample"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    ax_mask.set_title(
        f"one sampled sequence of {SS_LENGTH} inputs every "
        f"{SS_ITERATIONS // SS_COLUMNS} iterations",
        fontsize=12,
    )

    def params_of(kind: str, c: float, eps_min: float, k_exp: float, k_sig: float) -> dict:
        return {
            "linear": {"c": c, "eps": eps_min},
            "exponential": {"k": k_exp},
            "inverse sigmoid": {"k": k_sig},
        }[kind]

    def draw(kind: str, c: float, eps_min: float, k_exp: float, k_sig: float) -> None:
        for name, line in lines.items():
            line.set_ydata(schedules.epsilon(name, i, **params_of(name, c, eps_min, k_exp, k_sig)))
            chosen = name == kind
            line.set_linewidth(3.2 if chosen else 1.4)
            line.set_alpha(1.0 if chosen else 0.45)
            line.set_zorder(3 if chosen else 2)
        p = params_of(kind, c, eps_min, k_exp, k_sig)
        eps_cols = schedules.epsilon(kind, cols, **p)
        mask = coins < eps_cols[None, :]
        mask[0] = True  # position 1 is always the truth (scheduled_inputs feeds it at t = 0)
        image.set_data(mask.astype(float))
        crosses.set_offsets(cells[~mask.ravel()])
        at = schedules.crossing(kind, 0.5, **p)
        if at <= SS_ITERATIONS:
            half.set_xdata([at, at])
            half.set_visible(True)
            half_text.set_position((min(at, 0.72 * SS_ITERATIONS) + 80, 0.52))
            half_text.set_text(f"$\\epsilon_i$ = 0.5 at i = {at:,.0f}")
        else:
            half.set_visible(False)
            half_text.set_position((0.55 * SS_ITERATIONS, 0.52))
            msg = "never falls to 0.5" if at == np.inf else f"falls to 0.5 only at i = {at:,.0f}"
            half_text.set_text(f"$\\epsilon_i$ {msg}")
        pretty = ", ".join(f"{'ε' if k == 'eps' else k} = {v:g}" for k, v in p.items())
        truth = float(mask.mean())
        ax.set_title(
            f"{kind} schedule ({pretty}): {truth:.0%} of the sampled inputs are ground truth"
        )

    controls = {
        "kind": widgets.Dropdown(
            options=list(schedules.KINDS), value="inverse sigmoid", description="schedule"
        ),
        # The inverse sigmoid's k first: it is the default schedule, and the first slider is
        # the one drawn whole for drags once the explorer is on screen. Every value's picture
        # is drawn for drags only if a slider has at most FILL_FRAMES values: k_sig in steps
        # of 10 (120 values) and K_EXP_VALUES (181); steps of 1 and of 1e-5 gave 1200 and 991.
        "k_sig": widgets.FloatSlider(
            value=500.0,
            min=10.0,
            max=1200.0,
            step=10.0,
            description="inv. sig. k",
            readout_format=".0f",
        ),
        "k_exp": widgets.SelectionSlider(
            options=[(f"{k:g}", k) for k in K_EXP_VALUES], value=0.9995, description="exp. k"
        ),
        "c": widgets.FloatLogSlider(
            value=1e-4,
            base=10,
            min=-5,
            max=-2,
            step=0.25,
            description="linear c",
            readout_format=".2g",
        ),
        "eps_min": widgets.FloatSlider(
            value=0.1, min=0.0, max=0.5, step=0.05, description="linear ε", readout_format=".2f"
        ),
    }
    return Explorer("scheduled-sampling schedules", fig, controls, draw)


EXPLORERS = {"sampling_schedule": sampling_schedule}
