"""Notebook 06's explorer: optimizers on Pascanu's rough surface."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.image import AxesImage

from helpers import optim, style
from helpers._validate import as_array, as_int
from helpers.explorers.base import Explorer, new_figure
from helpers.explorers.nb04 import B_RANGE, LOG_E_MIN, W_RANGE
from helpers.toys import pascanu_loss

#: The window of (w, b) and the colour scale are notebook 04's (the same surface, drawn the
#: same way); the default start is on the lower plateau, below the cliff.
START = (6.5, -4.5)
#: Notebook 04's colour map for log10 E (dark = low loss).
SURFACE_CMAP = "Greys_r"
#: Updates per run: enough to cross the window at a step of about 0.1.
N_UPDATES = 100
#: Losses below this are drawn at the floor of the log axis.
E_FLOOR = 1e-12


@lru_cache(maxsize=2)
def _grid(n_w: int, n_b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W, B = np.meshgrid(np.linspace(*W_RANGE, n_w), np.linspace(*B_RANGE, n_b))
    E, _, _ = pascanu_loss(W, B)
    for arr in (W, B, E):
        arr.flags.writeable = False  # shared by every caller: read-only
    return W, B, E


def loss_grid(n_w: int = 241, n_b: int = 201) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(W, B, E)`` on a (n_b, n_w) grid over the window, E from ``pascanu_loss``
    (computed once, then shared read-only). ``n_w``, ``n_b``: points per axis, 2 … 2000."""
    return _grid(
        as_int("n_w", n_w, min_value=2, max_value=2000),
        as_int("n_b", n_b, min_value=2, max_value=2000),
    )


def _grad(at: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    _, gw, gb = pascanu_loss(at["w"], at["b"])
    return {"w": gw, "b": gb}


def _pascanu_path(
    name: str, lr: float, start: tuple[float, float] = START, n_updates: int = N_UPDATES
) -> tuple[np.ndarray, np.ndarray, str]:
    """Optimizer ``name`` (a key of ``optim.OPTIMIZERS``, default hyper-parameters) on
    ``pascanu_loss`` from ``start``.

    Returns ``path`` (n + 1, 2) of the points (w, b) visited, ``E`` (n + 1,) the loss at
    each of them, and ``stopped`` ("" or why the run ended early).
    """
    opt = optim.OPTIMIZERS[name](lr=lr)
    w0, b0 = start
    path, stopped = optim.descend(
        opt, _grad, {"w": np.array(float(w0)), "b": np.array(float(b0))}, steps=n_updates
    )
    E, _, _ = pascanu_loss(path["w"], path["b"])  # one call for the whole path
    return np.column_stack([path["w"], path["b"]]), E, stopped


_cached_path = lru_cache(maxsize=256)(_pascanu_path)


def draw_surface(ax: Axes, W: np.ndarray, B: np.ndarray, E: np.ndarray) -> AxesImage:
    """The loss surface as an image of log10 E (a raster: fast to redraw); returns it.

    Notebook 04's window, colour map and scale: log10 E from ``LOG_E_MIN`` (−5) to 0.
    ``W``, ``B``, ``E``: the (n_b, n_w) arrays of ``loss_grid`` (E finite, >= 0).
    """
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    W, B, E = (as_array(name, v, ndim=2) for name, v in (("W", W), ("B", B), ("E", E)))
    if not W.shape == B.shape == E.shape or min(E.shape) < 2:
        raise ValueError(
            "W, B and E must be one (n_b, n_w) grid, at least 2 × 2, got shapes "
            f"W {W.shape}, B {B.shape}, E {E.shape}"
        )
    if not (
        np.allclose(W[0, [0, -1]], W_RANGE, rtol=0, atol=1e-9)
        and np.allclose(B[[0, -1], 0], B_RANGE, rtol=0, atol=1e-9)
    ):
        raise ValueError(
            f"W and B must span the window w in {W_RANGE}, b in {B_RANGE} (as loss_grid's do): "
            "the image is drawn there"
        )
    if np.any(E < 0):
        raise ValueError("E must hold losses, >= 0")
    logE = np.log10(np.maximum(E, 10.0**LOG_E_MIN))
    cs = ax.imshow(
        logE,
        origin="lower",
        extent=(*W_RANGE, *B_RANGE),
        aspect="auto",
        cmap=SURFACE_CMAP,
        vmin=LOG_E_MIN,
        vmax=0,
        interpolation="nearest",
    )
    ax.set_xlim(*W_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel("recurrent weight $w$")
    ax.set_ylabel("bias $b$")
    ax.grid(False)
    return cs


def optimizers() -> Explorer:
    """Optimizer (dropdown), learning rate (log slider) and start point (w0, b0) → the path
    on the contour plot of log10 E, and the loss along it (log scale)."""
    fig, (ax, ax_loss) = new_figure(11.0, 4.6, ncols=2, gridspec_kw={"width_ratios": [1.25, 1]})
    W, B, E = loss_grid()
    cs = draw_surface(ax, W, B, E)
    fig.colorbar(cs, ax=ax, label="$\\log_{10} E$", pad=0.01, extend="min")
    line_color = style.COLORS["vermillion"]
    (path_line,) = ax.plot(
        [], [], "-", color=line_color, lw=2, marker="o", ms=3.5, mec="white", mew=0.6
    )
    (start_pt,) = ax.plot([], [], "o", ms=11, mfc="white", mec="black", mew=1.5, label="start")
    (end_pt,) = ax.plot(
        [], [], "*", ms=17, mfc=style.COLORS["sky"], mec="black", mew=1.2, label="end"
    )
    ax.legend(handles=[start_pt, end_pt], loc="upper right", fontsize=10.5, framealpha=0.9)
    note = ax.text(
        0.02,
        0.02,
        "",
        transform=ax.transAxes,
        fontsize=10.5,
        va="bottom",
        bbox={"facecolor": "white", "edgecolor": "0.6", "alpha": 0.9},
    )
    (loss_line,) = ax_loss.semilogy([], [], color=line_color, marker="o", ms=3)
    ax_loss.set_xlim(0, N_UPDATES)
    ax_loss.set_ylim(E_FLOOR, 10.0)
    ax_loss.set_xlabel("update number")
    ax_loss.set_ylabel("loss $E$ (log scale)")
    ax_loss.axhline(0.09, color=style.NEUTRAL, ls=":", lw=1)
    ax_loss.axhline(0.49, color=style.NEUTRAL, ls=":", lw=1)
    ax_loss.text(N_UPDATES, 0.085, "upper plateau E = 0.09 ", ha="right", va="top", fontsize=10)
    ax_loss.text(N_UPDATES, 0.52, "lower plateau E = 0.49 ", ha="right", va="bottom", fontsize=10)
    summary = ax_loss.text(
        0.03,
        0.04,
        "",
        transform=ax_loss.transAxes,
        fontsize=11,
        bbox={"facecolor": "white", "edgecolor": "0.6"},
    )

    def draw(optimizer: str, lr: float, w0: float, b0: float) -> None:
        path, loss, stopped = _cached_path(optimizer, float(lr), (float(w0), float(b0)))
        path_line.set_data(path[:, 0], path[:, 1])
        start_pt.set_data([path[0, 0]], [path[0, 1]])
        end_pt.set_data([path[-1, 0]], [path[-1, 1]])
        inside = (W_RANGE[0] <= path[-1, 0] <= W_RANGE[1]) and (
            B_RANGE[0] <= path[-1, 1] <= B_RANGE[1]
        )
        end_pt.set_visible(bool(inside))
        notes = []
        if not inside:
            notes.append(
                f"ends outside the window, at w = {path[-1, 0]:.5g}, b = {path[-1, 1]:.5g}"
            )
        if stopped:
            notes.append(stopped)
        note.set_text("\n".join(notes))
        note.set_visible(bool(notes))
        shown = np.where(loss > 0, loss, np.nan)
        loss_line.set_data(np.arange(len(loss)), np.maximum(shown, E_FLOOR))
        final = loss[-1]
        floor = f"< {E_FLOOR:.0e}" if final < E_FLOOR else f"= {final:.3g}"
        summary.set_text(f"{optimizer}, η = {lr:.3g}: final E {floor}")
        ax.set_title(f"{optimizer} on Pascanu's surface, {len(loss) - 1} updates")
        ax_loss.set_title("loss along the path")

    controls = {
        "optimizer": widgets.Dropdown(
            options=list(optim.OPTIMIZERS), value="SGD", description="optimizer"
        ),
        "lr": widgets.FloatLogSlider(
            value=1.0, base=10, min=-3, max=2, step=0.25, description="η", readout_format=".3g"
        ),
        "w0": widgets.FloatSlider(
            value=START[0],
            min=W_RANGE[0],
            max=W_RANGE[1],
            step=0.5,
            description="start w",
            readout_format=".1f",
        ),
        "b0": widgets.FloatSlider(
            value=START[1],
            min=B_RANGE[0],
            max=B_RANGE[1],
            step=0.5,
            description="start b",
            readout_format=".1f",
        ),
    }
    return Explorer("optimizers on a rough surface", fig, controls, draw)


EXPLORERS = {"optimizers": optimizers}
