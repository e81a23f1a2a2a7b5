"""Notebook 04's explorers: descent at Pascanu's cliff, and choosing a clipping threshold.

``cliff``: gradient descent on the single-unit RNN's error surface from a start point, with
and without norm clipping (threshold, learning rate, start point).
``threshold_runs``: a vanilla RNN trained on the adding problem with no clipping and with
thresholds from half to ten times the average gradient norm; a slider picks the run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from helpers import optim, rnn, style, tasks, train
from helpers.explorers.base import Explorer, new_figure
from helpers.toys import pascanu_descent, pascanu_loss

#: The window on (w, b) shown by the surface figures: the cliff b = x0 − w σ(x0) crosses it
#: from (4.26, −2.15) down to (8, −4.48), next to the smooth valley on its left.
W_RANGE = (2.0, 8.0)
B_RANGE = (-5.0, 0.0)
GRID = 300
#: Descent steps drawn by ``cliff``.
N_STEPS = 100
#: Lowest loss the colour scale resolves (log10 E below −5 is drawn as −5).
LOG_E_MIN = -5.0


#: The threshold and learning-rate choices of the ``cliff`` explorer (log-spaced, round).
THRESHOLDS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
LEARNING_RATES = (0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


@functools.cache
def surface(n: int = GRID) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(w, b, log10 E)``: axes (n,), (n,) and log10 of the loss on the grid, (n, n) [b, w]."""
    w = np.linspace(*W_RANGE, n)
    b = np.linspace(*B_RANGE, n)
    E, _, _ = pascanu_loss(w[None, :], b[:, None])
    return w, b, np.log10(np.maximum(E, 10.0**LOG_E_MIN))


def wall(w: np.ndarray, x0: float = 0.5) -> np.ndarray:
    """The cliff's line b = x0 − w σ(x0): where x0 is the unstable fixed point of the map."""
    return x0 - np.asarray(w) / (1.0 + np.exp(-x0))


def _fmt_point(p: np.ndarray) -> str:
    return f"({p[0]:.3g}, {p[1]:.3g})"


def _inside(p: np.ndarray) -> bool:
    return bool(W_RANGE[0] <= p[0] <= W_RANGE[1] and B_RANGE[0] <= p[1] <= B_RANGE[1])


def _describe(name: str, path: np.ndarray, norms: np.ndarray, n_steps: int) -> str:
    end = path[-1]
    loss = float(pascanu_loss(end[0], end[1])[0])
    if len(norms) < n_steps:
        return f"{name}: overflow (> 1.8e308) at step {len(norms)}; stopped there"
    where = "" if _inside(end) else "  (outside the view)"
    return f"{name}: ends at (w, b) = {_fmt_point(end)}, E = {loss:.3g}{where}"


def _frozen(explorer: Explorer) -> Explorer:
    """Keep the layout of the first render: no constrained-layout pass on every slider move."""
    explorer.figure.set_layout_engine("none")
    return explorer


def cliff() -> Explorer:
    """Sliders threshold, lr, w0, b0: plain and norm-clipped descent on Pascanu's surface."""
    _, _, logE = surface()
    fig, (ax, axn) = new_figure(12.0, 5.2, ncols=2, gridspec_kw={"width_ratios": [1.25, 1]})
    mesh = ax.imshow(
        logE,
        origin="lower",
        extent=(*W_RANGE, *B_RANGE),
        aspect="auto",
        cmap="Greys_r",
        vmin=LOG_E_MIN,
        vmax=0.0,
        interpolation="nearest",
    )
    fig.colorbar(mesh, ax=ax, label="log$_{10}$ E (loss, log scale)", shrink=0.9)
    ww = np.linspace(4.26, W_RANGE[1], 50)
    ax.plot(ww, wall(ww), color=style.COLORS["orange"], lw=1.2, ls=":", label="cliff")
    (plain,) = ax.plot(
        [],
        [],
        color=style.EXPLODE,
        marker="o",
        ms=3.5,
        lw=1.6,
        label="plain gradient descent",
        zorder=3,
    )
    (clipped,) = ax.plot(
        [],
        [],
        color=style.COLORS["sky"],
        marker="s",
        ms=3,
        lw=1.6,
        ls="--",
        label="with norm clipping",
    )
    (start,) = ax.plot(
        [],
        [],
        marker="*",
        ms=15,
        color=style.COLORS["yellow"],
        mec="black",
        ls="none",
        label="start",
    )
    ax.set_xlim(*W_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel("recurrent weight w")
    ax.set_ylabel("bias b")
    ax.set_title("Error surface of one recurrent unit, 50 steps")
    ax.legend(loc="lower left", fontsize=9.5, framealpha=0.9)
    info = ax.text(
        0.02,
        0.98,
        "",
        transform=ax.transAxes,
        va="top",
        fontsize=9.5,
        bbox={"facecolor": "white", "edgecolor": "0.6", "alpha": 0.92},
    )
    t = np.arange(N_STEPS)
    (n_plain,) = axn.semilogy(t, np.ones(N_STEPS), color=style.EXPLODE, lw=1.8, label="plain")
    (n_clip,) = axn.semilogy(
        t,
        np.ones(N_STEPS),
        color=style.COLORS["blue"],
        lw=1.8,
        ls="--",
        label="clipped run (before clipping)",
    )
    thr_line = axn.axhline(1.0, color=style.NEUTRAL, lw=1.2, ls=":", label="threshold")
    axn.set_xlim(0, N_STEPS)
    axn.set_ylim(1e-6, 1e9)
    axn.set_xlabel("descent step")
    axn.set_ylabel("gradient norm ‖g‖ (log scale)")
    axn.set_title("Gradient norm at each step")
    axn.legend(loc="center right", fontsize=9.5)
    note = axn.text(
        0.02,
        0.97,
        "",
        transform=axn.transAxes,
        fontsize=9.5,
        va="top",
        bbox={"facecolor": "white", "edgecolor": "0.6", "alpha": 0.92},
    )

    def shown(norms: np.ndarray) -> np.ndarray:
        out = np.full(N_STEPS, np.nan)  # NaN on purpose: steps not taken, or a zero norm
        out[: len(norms)] = np.where(norms > 0, norms, np.nan)
        return out

    def draw(threshold: float, lr: float, w0: float, b0: float) -> None:
        p_path, p_norm, _ = pascanu_descent(w0, b0, lr=lr, n_steps=N_STEPS)
        c_path, c_norm, c_flag = pascanu_descent(
            w0, b0, lr=lr, n_steps=N_STEPS, threshold=threshold
        )
        plain.set_data(p_path[:, 0], p_path[:, 1])
        clipped.set_data(c_path[:, 0], c_path[:, 1])
        start.set_data([w0], [b0])
        info.set_text(
            _describe("plain", p_path, p_norm, N_STEPS)
            + "\n"
            + _describe("clipped", c_path, c_norm, N_STEPS)
        )
        n_plain.set_ydata(shown(p_norm))
        n_clip.set_ydata(shown(c_norm))
        thr_line.set_ydata([threshold, threshold])
        biggest = max(float(p_norm.max(initial=0.0)), float(c_norm.max(initial=0.0)))
        above = " (above the plot)" if biggest > 1e9 else ""
        note.set_text(
            f"largest ‖g‖ = {biggest:.3g}{above}\n"
            f"clipped: {int(c_flag.sum())} of {len(c_flag)} steps\n"
            f"longest clipped step: η·threshold = {lr * threshold:.3g}"
        )

    controls = {
        # Selection sliders over round, log-spaced values: a FloatLogSlider shows only
        # base ** (min + k·step), so 0.5 would be snapped to 0.501 in the browser.
        "threshold": widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in THRESHOLDS],
            value=0.5,
            description="threshold",
        ),
        "lr": widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in LEARNING_RATES],
            value=0.3,
            description="learning rate",
        ),
        "w0": widgets.FloatSlider(
            value=5.5,
            min=W_RANGE[0],
            max=W_RANGE[1],
            step=0.05,
            description="start w",
            readout_format=".2f",
        ),
        "b0": widgets.FloatSlider(
            value=-2.2,
            min=B_RANGE[0],
            max=B_RANGE[1],
            step=0.05,
            description="start b",
            readout_format=".2f",
        ),
    }
    return _frozen(Explorer("descent at the cliff, with and without clipping", fig, controls, draw))


# -- choosing the threshold ----------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdExperiment:
    """Runs of one vanilla RNN on the adding problem, all from the same initial parameters.

    ``probe``: the unclipped run at ``probe_lr`` whose gradient norms are averaged.
    ``average_norm``: the mean of ``probe.grad_norm`` (Pascanu et al.'s reference).
    ``runs``: threshold factor (or ``None`` for no clipping) → ``train.History``, all at
    the larger learning rate ``lr``.
    """

    probe: train.History
    probe_lr: float
    average_norm: float
    lr: float
    runs: dict[float | None, train.History]

    @property
    def factors(self) -> list[float]:
        """The threshold factors tried, ascending (thresholds = factor × average norm)."""
        return sorted(f for f in self.runs if f is not None)


#: The experiment's settings (notebook 04 prints them).
SETTINGS = {
    "length": 6,
    "hidden": 16,
    "batch": 32,
    "scale": 2.0,
    "steps": 400,
    "probe_lr": 0.1,
    "lr": 0.15,
    "factors": (0.5, 1.0, 2.0, 5.0, 10.0),
}


def adding_batches(step: int) -> tuple[np.ndarray, np.ndarray]:
    """Batch number ``step`` of the adding problem (its own seed: every run sees the same data)."""
    s = SETTINGS
    return tasks.adding_problem(s["batch"], s["length"], rng=np.random.default_rng(1000 + step))


def initial_model() -> dict[str, np.ndarray]:
    """A vanilla tanh RNN with a large recurrent init (``Wh`` scaled by 2) plus a read-out."""
    rng = np.random.default_rng(0)
    params = rnn.init(2, SETTINGS["hidden"], rng=rng, scale=SETTINGS["scale"])
    params.update(train.readout_init(SETTINGS["hidden"], 1, rng=rng))
    return params


@functools.cache
def threshold_experiment() -> ThresholdExperiment:
    """Measure the average gradient norm in a run that trains, then clip at multiples of it.

    1. Probe: SGD at ``probe_lr`` without clipping; average its gradient norms.
    2. From the same start, on the same batches, SGD at the larger ``lr``: once without
       clipping, and once per threshold = factor × average norm.
    Cached: the notebook and the tests share one computation.
    """
    s = SETTINGS
    start = initial_model()

    def run(lr: float, limit: float | None) -> train.History:
        return train.fit(
            rnn,
            start,
            adding_batches,
            steps=s["steps"],
            optimizer=optim.SGD(lr=lr),
            clip_norm=limit,
        )[1]

    probe = run(s["probe_lr"], None)
    average = float(np.mean(probe.grad_norm))
    runs = {None: run(s["lr"], None)}
    for factor in s["factors"]:
        runs[factor] = run(s["lr"], factor * average)
    return ThresholdExperiment(
        probe=probe,
        probe_lr=float(s["probe_lr"]),
        average_norm=average,
        lr=float(s["lr"]),
        runs=runs,
    )


#: ``threshold_runs``: the legends above the fixed lines, the lines that move above both.
_LEGEND_Z, _MOVING_Z = 2.2, 2.3


def threshold_runs(experiment: ThresholdExperiment | None = None) -> Explorer:
    """Slider ``factor``: the run clipped at factor × average norm, against the unclipped run.

    ``experiment`` defaults to ``threshold_experiment()`` (computed once, then cached).
    """
    ex = experiment if experiment is not None else threshold_experiment()
    if not isinstance(ex, ThresholdExperiment) or None not in ex.runs or not ex.factors:
        raise TypeError(
            "experiment must be a ThresholdExperiment with an unclipped run "
            "(key None) and at least one clipped run"
        )
    steps = max(len(h.loss) for h in ex.runs.values())
    t = np.arange(steps)
    fig, (axl, axn) = new_figure(12.0, 4.6, ncols=2)

    def padded(values: list[float]) -> np.ndarray:
        out = np.full(steps, np.nan)  # NaN on purpose: the steps a stopped run never took
        arr = np.asarray(values, dtype=float)
        out[: len(arr)] = np.where(np.isfinite(arr) & (arr > 0), arr, np.nan)
        return out

    base = ex.runs[None]

    # Fixed limits from the clipped runs (room above for the legends); an unclipped run
    # that diverges leaves through the top, and its legend entry says where it stopped.
    def span(key: str) -> tuple[float, float]:
        runs = [ex.runs[f] for f in ex.factors]
        vals = np.concatenate([np.asarray(getattr(h, key), dtype=float) for h in runs])
        vals = vals[np.isfinite(vals) & (vals > 0)]
        lo = float(vals.min()) if vals.size else 1e-3
        hi = min(float(vals.max()), 1e12) if vals.size else 1.0
        return lo / 3, hi * 1000

    loss_lim, norm_lim = span("loss"), span("grad_norm")
    axl.set_yscale("log")
    axl.set_ylim(*loss_lim)
    axl.set_autoscale_on(False)
    axn.set_yscale("log")
    axn.set_ylim(*norm_lim)
    axn.set_autoscale_on(False)
    gone = f", {base.stopped}" if base.stopped else ""
    axl.semilogy(
        t, padded(base.loss), color=style.EXPLODE, lw=1.2, alpha=0.8, label=f"no clipping{gone}"
    )
    (loss_line,) = axl.semilogy(
        t, padded(base.loss), color=style.COLORS["blue"], lw=1.8, label="clipped"
    )
    axl.axhline(1 / 6, color=style.NEUTRAL, ls=":", lw=1.2, label="predict 1 always (1/6)")
    axl.set_xlim(0, steps)
    axl.set_xlabel("training step")
    axl.set_ylabel("batch loss, MSE (log scale)")
    # The legends sit in the head-room above the clipped runs (see ``span``), which no
    # line that moves ever reaches: drawn under the moving lines (zorder), they stay in the
    # blitted background instead of being drawn again on every move (≈ 10 ms each).
    axl.legend(loc="upper right", fontsize=9.5).set_zorder(_LEGEND_Z)
    status = axl.text(
        0.98,
        0.72,
        "",
        transform=axl.transAxes,
        ha="right",
        va="top",
        fontsize=9.5,
        bbox={"facecolor": "white", "edgecolor": "0.6"},
    )

    axn.semilogy(
        t, padded(base.grad_norm), color=style.EXPLODE, lw=1.0, alpha=0.6, label="no clipping"
    )
    (norm_line,) = axn.semilogy(
        t,
        padded(base.grad_norm),
        color=style.COLORS["blue"],
        lw=1.4,
        label="clipped run (before clipping)",
    )
    (marks,) = axn.plot(
        [], [], ls="none", marker="|", ms=7, color=style.COLORS["blue"], label="step was clipped"
    )
    axn.axhline(
        ex.average_norm,
        color=style.COLORS["green"],
        lw=1.5,
        ls="-.",
        label=f"average norm (probe run) = {ex.average_norm:.3g}",
    )
    thr_line = axn.axhline(ex.average_norm, color=style.NEUTRAL, lw=1.5, ls=":", label="threshold")
    axn.set_xlim(0, steps)
    axn.set_xlabel("training step")
    axn.set_ylabel("gradient norm ‖g‖ (log scale)")
    axn.legend(loc="upper right", fontsize=9.5).set_zorder(_LEGEND_Z)
    for artist in (loss_line, norm_line, marks, thr_line):
        artist.set_zorder(_MOVING_Z)
    mark_y = norm_lim[0] * 1.6

    def draw(factor: float) -> None:
        hist = ex.runs[factor]
        loss_line.set_ydata(padded(hist.loss))
        norm_line.set_ydata(padded(hist.grad_norm))
        flags = np.flatnonzero(hist.clipped)
        marks.set_data(flags, np.full(len(flags), mark_y))
        limit = factor * ex.average_norm
        thr_line.set_ydata([limit, limit])
        loss = np.asarray(hist.loss, dtype=float)
        if hist.stopped:
            end = f"stopped: {hist.stopped}"
        else:
            end = f"median loss, last 50 steps: {np.median(loss[-50:]):.3g}"
        status.set_text(
            f"threshold = {factor:g} × average = {limit:.3g}\n"
            f"clipped in {len(flags)} of {len(hist.clipped)} steps\n{end}"
        )
        axl.set_title(f"Adding problem, SGD lr = {ex.lr:g}: loss")
        axn.set_title("Gradient norm before clipping")

    controls = {
        "factor": widgets.SelectionSlider(
            options=ex.factors, value=ex.factors[0], description="threshold ×"
        )
    }
    return _frozen(
        Explorer("threshold as a multiple of the average gradient norm", fig, controls, draw)
    )


EXPLORERS = {"cliff": cliff, "threshold_runs": threshold_runs}
