"""Notebook 04's explorers: descent at Pascanu's cliff, and choosing a clipping threshold.

``cliff``: gradient descent on the single-unit RNN's error surface from a start point, with
and without norm clipping (threshold, learning rate, start point).
``threshold_runs``: vanilla RNNs (8 seeds) trained on the adding problem with no clipping and
with thresholds from half to ten times the average gradient norm; a slider picks the threshold.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from helpers import clip, optim, regulariser, rnn, style, tasks, train
from helpers._validate import as_array, as_float, as_int, check_params
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


def surface(n: int = GRID) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(w, b, log10 E)``: axes (n,), (n,) and log10 of the loss on the grid, (n, n) [b, w].

    ``n``: points per axis, 2 … 1000. Cached: the arrays are shared, do not modify them.
    """
    return _surface(as_int("n", n, min_value=2, max_value=1000))


@functools.cache
def _surface(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = np.linspace(*W_RANGE, n)
    b = np.linspace(*B_RANGE, n)
    E, _, _ = pascanu_loss(w[None, :], b[:, None])
    return w, b, np.log10(np.maximum(E, 10.0**LOG_E_MIN))


def _is_bool(value: object) -> bool:
    """Whether ``value`` is a bool or an array (list) of bools."""
    try:
        return np.asarray(value).dtype == np.bool_
    except (ValueError, TypeError):  # ragged: as_array names it
        return False


def wall(w: np.ndarray, x0: float = 0.5) -> np.ndarray:
    """The cliff's line b = x0 − w σ(x0): where x0 is the unstable fixed point of the map.

    ``w``: any shape (finite); ``x0`` in [−100, 100]. Returns b, the shape of ``w``.
    """
    if _is_bool(w):
        raise TypeError("w must be a number or an array of numbers, got booleans")
    w = as_array("w", w)
    x0 = as_float("x0", x0, min_value=-100.0, max_value=100.0)
    return x0 - w / (1.0 + np.exp(-x0))


def fixed_points(w: float, b: float) -> np.ndarray:
    """Every x with x = w σ(x) + b in [−20, 20], ascending (sign changes of x ↦ wσ(x) + b − x
    on a grid of step 1e-4, each refined by 60 bisections). ``w``, ``b``: finite, |·| ≤ 1e6."""
    w = as_float("w", w, min_value=-1e6, max_value=1e6)
    b = as_float("b", b, min_value=-1e6, max_value=1e6)
    grid = np.linspace(-20.0, 20.0, 400_001)
    gap = w / (1.0 + np.exp(-grid)) + b - grid
    roots = []
    for i in np.flatnonzero(np.sign(gap[:-1]) != np.sign(gap[1:])):
        lo, hi = grid[i], grid[i + 1]
        for _ in range(60):
            mid = (lo + hi) / 2
            same = np.sign(w / (1.0 + np.exp(-mid)) + b - mid) == np.sign(gap[i])
            lo, hi = (mid, hi) if same else (lo, mid)
        roots.append((lo + hi) / 2)
    return np.array(roots)


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

#: §5's example gradient: one vanilla RNN with a large recurrent init, on one batch.
EXAMPLE = {"length": 6, "hidden": 16, "batch": 32, "scale": 2.0}


def adding_batches(step: int) -> tuple[np.ndarray, np.ndarray]:
    """Batch number ``step`` (an int >= 0) of §5's adding problem (its own seed: (T, B, 2) and
    (B,))."""
    step = as_int("step", step, min_value=0)
    s = EXAMPLE
    return tasks.adding_problem(s["batch"], s["length"], rng=np.random.default_rng(1000 + step))


def initial_model() -> dict[str, np.ndarray]:
    """§5's vanilla tanh RNN with a large recurrent init (``Wh`` scaled by 2) plus a read-out."""
    rng = np.random.default_rng(0)
    params = rnn.init(2, EXAMPLE["hidden"], rng=rng, scale=EXAMPLE["scale"])
    params.update(train.readout_init(EXAMPLE["hidden"], 1, rng=rng))
    return params


#: §6's experiment (notebook 04 prints them). Every seed is one network (its own Glorot
#: init) with its own stream of batches; ``success``: a test MSE below half the baseline 1/6.
SETTINGS = {
    "length": 6,
    "hidden": 16,
    "batch": 32,
    "steps": 400,
    "probe_lr": 0.1,
    "lr": 0.3,
    "factors": (0.5, 1.0, 5.0, 10.0),
    "seeds": tuple(range(8)),
    "test_size": 1000,
    "success": 1 / 12,
}


@functools.cache
def _seed_batches() -> tuple[np.ndarray, np.ndarray]:
    """Every training batch of every seed, drawn once: xs (steps, S, T, B, 2), ys (steps, S, B)."""
    s = SETTINGS
    n_steps, S, B, T = s["steps"], len(s["seeds"]), s["batch"], s["length"]
    xs, ys = tasks.adding_problem(n_steps * S * B, T, rng=np.random.default_rng(2024))
    xs = xs.reshape(T, n_steps, S, B, 2).transpose(1, 2, 0, 3, 4)
    return np.ascontiguousarray(xs), ys.reshape(n_steps, S, B)


@functools.cache
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """Fresh sequences for the final test MSE: xs (T, N, 2), ys (N,)."""
    s = SETTINGS
    return tasks.adding_problem(s["test_size"], s["length"], rng=np.random.default_rng(7))


def seed_models() -> dict[str, np.ndarray]:
    """The S starting networks as one stack (model m from ``SETTINGS["seeds"][m]``)."""
    s = SETTINGS
    return train.init_stack(rnn, 2, s["hidden"], 1, seeds=list(s["seeds"]))


@dataclass(frozen=True)
class _SeedRuns:
    """One configuration trained from every seed: arrays (steps, S); ``test_mse`` (S,).

    A run that stopped (``stopped[m]`` says why) has NaN entries after that step, and its
    test MSE is ``inf``: it diverged. ``final``: the stacked parameters at the end (leading
    axis S), from which ``continue_runs`` goes on.
    """

    loss: np.ndarray
    grad_norm: np.ndarray
    clipped: np.ndarray
    stopped: list[str]
    test_mse: np.ndarray
    final: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def learned(self) -> np.ndarray:
        """(S,) bool: the runs whose test MSE is below ``SETTINGS["success"]``."""
        return self.test_mse < SETTINGS["success"]


@dataclass(frozen=True)
class _ThresholdExperiment:
    """The seeds' unclipped probe runs at ``probe_lr``, then the runs at ``lr``.

    ``average_norm`` / ``median_norm``: mean and median of every probe gradient norm (all
    seeds, all steps): Pascanu et al.'s reference is the average. ``runs``: threshold
    factor (``None``: no clipping) → ``_SeedRuns``, thresholds = factor × ``average_norm``.
    """

    probe: _SeedRuns
    probe_lr: float
    average_norm: float
    median_norm: float
    lr: float
    runs: dict[float | None, _SeedRuns]

    @property
    def factors(self) -> list[float]:
        """The threshold factors tried, ascending (thresholds = factor × average norm)."""
        return sorted(f for f in self.runs if f is not None)


def _train(
    lrs: np.ndarray,
    limits: np.ndarray | None,
    copies: int,
    start: dict[str, np.ndarray] | None = None,
    batches: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[_SeedRuns]:
    """Train ``copies`` × S models as one stack: copy k starts from the S seed networks and
    sees their batches, with learning rate ``lrs[k]`` and clipping threshold ``limits[k]``
    (``inf``: none). ``start`` / ``batches`` replace the seed networks / ``_seed_batches()``
    (xs (steps, S, T, B, 2), ys (steps, S, B)). Returns one ``_SeedRuns`` per copy."""
    s = SETTINGS
    S = len(s["seeds"])
    start = seed_models() if start is None else start
    params = {k: np.concatenate([v] * copies) for k, v in start.items()}
    xs_all, ys_all = _seed_batches() if batches is None else batches

    def batch(step: int) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = xs_all[step], ys_all[step]
        return np.concatenate([xs] * copies), np.concatenate([ys] * copies)

    clip_norm = None if limits is None else np.repeat(limits, S)
    # Unclipped runs at the large learning rate overflow on purpose: fit records where each
    # one stopped (``stopped``) and goes on with the others, so the overflow is not news.
    with np.errstate(over="ignore", invalid="ignore"):
        final, hist = train.fit(
            rnn,
            params,
            batch,
            steps=len(xs_all),
            optimizer=optim.SGD(lr=np.repeat(lrs, S)),
            clip_norm=clip_norm,
        )
    x_test, y_test = test_set()
    with np.errstate(over="ignore", invalid="ignore"):
        pred = train.predict(rnn, final, x_test)[:, -1, :, 0]  # (M, N): ŷ at the last step
        mse = np.mean((pred - y_test) ** 2, axis=1)
    out = []
    for k in range(copies):
        cols = slice(k * S, (k + 1) * S)
        stopped = hist.stopped[cols]
        test = np.where([bool(x) for x in stopped], np.inf, mse[cols])
        out.append(
            _SeedRuns(
                loss=hist.loss[:, cols],
                grad_norm=hist.grad_norm[:, cols],
                clipped=hist.clipped[:, cols],
                stopped=list(stopped),
                test_mse=np.nan_to_num(test, nan=np.inf, posinf=np.inf),
                final={name: v[cols] for name, v in final.items()},
            )
        )
    return out


@functools.cache
def threshold_experiment() -> _ThresholdExperiment:
    """Measure the average gradient norm in runs that learn, then clip at multiples of it.

    1. Probe: every seed trained by SGD at ``probe_lr`` without clipping; the average of
       all their gradient norms is the reference.
    2. From the same starts, on the same batches, SGD at the larger ``lr``: once without
       clipping, and once per threshold = factor × average. All of it as one stack.
    Cached: the notebook and the tests share one computation.
    """
    s = SETTINGS
    (probe,) = _train(np.array([s["probe_lr"]]), None, 1)
    norms = probe.grad_norm[np.isfinite(probe.grad_norm)]
    average, median = float(norms.mean()), float(np.median(norms))
    keys: list[float | None] = [None, *s["factors"]]
    limits = np.array([np.inf if f is None else f * average for f in keys])
    runs = _train(np.full(len(keys), s["lr"]), limits, len(keys))
    return _ThresholdExperiment(
        probe=probe,
        probe_lr=float(s["probe_lr"]),
        average_norm=average,
        median_norm=median,
        lr=float(s["lr"]),
        runs=dict(zip(keys, runs, strict=True)),
    )


def continue_runs(factor: float, steps: int) -> _SeedRuns:
    """The runs of ``threshold_experiment()`` clipped at ``factor`` × average, trained on for
    ``steps`` (1 … 2000) more SGD steps (same lr and threshold) on fresh batches (their own
    seed).

    Only the continuation is returned: ``loss`` etc. are (steps, S) and ``test_mse`` is the
    test MSE at the end. Cached (``_continue_runs``).
    """
    factor = as_float("factor", factor)
    n = as_int("steps", steps, min_value=1, max_value=2000)
    factors = threshold_experiment().factors
    if factor not in factors:
        raise ValueError(f"factor must be one of {factors}, got {factor!r}")
    return _continue_runs(factor, n)


@functools.cache
def _continue_runs(factor: float, n: int) -> _SeedRuns:
    ex = threshold_experiment()
    s = SETTINGS
    S, B, T = len(s["seeds"]), s["batch"], s["length"]
    xs, ys = tasks.adding_problem(n * S * B, T, rng=np.random.default_rng(2025))
    xs = np.ascontiguousarray(xs.reshape(T, n, S, B, 2).transpose(1, 2, 0, 3, 4))
    (runs,) = _train(
        np.array([ex.lr]),
        np.array([factor * ex.average_norm]),
        1,
        start=ex.runs[factor].final,
        batches=(xs, ys.reshape(n, S, B)),
    )
    return runs


def steps_to(loss: np.ndarray, level: float, window: int = 25) -> np.ndarray:
    """(S,) the first step at which the running mean of ``loss`` (steps, S) over ``window``
    steps is below ``level`` (> 0); ``inf`` for a run that never gets there (NaN entries:
    a run that stopped, see ``smooth``)."""
    level = as_float("level", level, positive=True)
    below = _running_mean(_series("loss", loss), _window(window, loss)) < level
    return np.where(below.any(axis=0), np.argmax(below, axis=0).astype(float), np.inf)


def smooth(values: np.ndarray, window: int = 25) -> np.ndarray:
    """Running mean over ``window`` steps along axis 0 of ``values`` (steps, S).

    The first ``window − 1`` rows are NaN (no full window yet), and so is every mean from a
    NaN or infinite entry on (a run that stopped or overflowed). ``window``: 1 … steps.
    """
    return _running_mean(_series("values", values), _window(window, values))


def _series(name: str, values: object) -> np.ndarray:
    """``values`` (steps, S) as floats, NaN for the non-finite entries; refused when a sum
    of its finite entries could overflow."""
    v = as_array(name, values, ndim=2, finite=False)
    if v.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one step, got shape {v.shape}")
    v = np.where(np.isfinite(v), v, np.nan).astype(float)
    finite = np.abs(v[np.isfinite(v)])
    if finite.size and float(finite.max()) > 1e300 / v.shape[0]:
        raise ValueError(
            f"{name} holds values up to {finite.max():.3g}: their running sums would "
            f"overflow float64 (at most {1e300 / v.shape[0]:.3g} for {v.shape[0]} steps)"
        )
    return v


def _window(window: object, values: object) -> int:
    return as_int("window", window, min_value=1, max_value=max(int(np.shape(values)[0]), 1))


def _smoothed(values: np.ndarray, window: int = 25) -> np.ndarray:
    """``smooth`` without the checks, for the explorer's own (steps, S) runs."""
    return _running_mean(np.asarray(values, dtype=float), window)


def _running_mean(v: np.ndarray, window: int) -> np.ndarray:
    """The running mean of ``v`` (steps, S) over ``window`` steps (NaN before a full one)."""
    c = np.cumsum(np.vstack([np.zeros((1, *v.shape[1:])), v]), axis=0)
    out = np.full(v.shape, np.nan)
    out[window - 1 :] = (c[window:] - c[:-window]) / window
    return out


# -- Pascanu's regulariser Ω on a long-lag task --------------------------------------------

#: The Ω experiment (Going further): the adding problem at length 20, 8 seeds, SGD with
#: global-norm clipping at 1 for every run, and the loss + ``alpha`` × Ω or the loss alone.
OMEGA = {
    "length": 20,
    "hidden": 16,
    "batch": 16,
    "steps": 50,
    "lr": 0.3,
    "alpha": 1.0,
    "clip": 1.0,
    "seeds": tuple(range(8)),
    "test_size": 250,
}


@dataclass(frozen=True)
class _OmegaRuns:
    """The 8 seeds trained with (``"omega"``) and without (``"plain"``) Ω, same batches.

    ``test_mse[k]`` (S,); ``reach[k]`` (S,): per seed, the median over test sequences of
    ‖∂E/∂hs[0]‖ / ‖∂E/∂hs[T−1]‖ (first and last state) for a loss on the last output (how
    much of the error signal reaches the first step); ``reach_start`` the same at
    initialisation (shared by both).
    """

    test_mse: dict[str, np.ndarray]
    reach: dict[str, np.ndarray]
    reach_start: np.ndarray


def omega_step(
    params: dict[str, np.ndarray], xs: np.ndarray, ys: np.ndarray, alpha: np.ndarray
) -> dict[str, np.ndarray]:
    """The gradient of one batch for a stack of M models: MSE on the last output by BPTT,
    plus ``alpha[m]`` × Pascanu's ∂⁺Ω/∂W_h; then each model clipped at ``OMEGA["clip"]``."""
    cell = {k: params[k] for k in rnn.PARAM_NAMES}
    hs, cache = rnn.forward(cell, xs)  # (M, T, B, H)
    err = (hs[:, -1] @ params["Wy"].mT + params["by"][:, None, :])[..., 0] - ys  # (M, B)
    dpred = 2.0 * err[..., None] / err.shape[-1]
    dhs = np.zeros_like(hs)
    dhs[:, -1] = dpred @ params["Wy"]
    grads, _ = rnn.backward(dhs, cache)
    vs = regulariser.error_signals(dhs, cache)  # ∂E/∂h_t at every step
    grads = {**grads, "Wy": dpred.mT @ hs[:, -1], "by": dpred.sum(axis=1)}
    grads["Wh"] = grads["Wh"] + alpha[:, None, None] * regulariser.omega_grad(vs, hs, params["Wh"])
    return clip.clip_stack_by_global_norm(grads, OMEGA["clip"])[0]


def _check_omega_step(
    params: object, xs: object, ys: object, alpha: object
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """``omega_step``'s arguments: a stack of M models (H units, D inputs, one output),
    ``xs`` (M, T, B, D), ``ys`` (M, B), ``alpha`` (M,) >= 0; every value finite."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of stacked arrays, got {type(params).__name__}")
    names = (*rnn.PARAM_NAMES, "Wy", "by")
    missing = [k for k in names if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}: a stack of models has keys {list(names)}")
    M, H, D = as_array("params['Wx']", params["Wx"], ndim=3).shape
    checked = check_params(
        "params",
        params,
        {"Wx": (M, H, D), "Wh": (M, H, H), "b": (M, H), "Wy": (M, 1, H), "by": (M, 1)},
    )
    x = as_array("xs", xs, ndim=4)
    if x.shape[0] != M or x.shape[3] != D or 0 in x.shape:
        raise ValueError(f"xs must have shape (M={M}, T, B, D={D}) with T, B >= 1, got {x.shape}")
    y = as_array("ys", ys, shape=(M, x.shape[2]))
    a = as_array("alpha", alpha, shape=(M,))
    if np.any(a < 0):
        raise ValueError("alpha must be >= 0 (the weight of Ω for each model)")
    return {**params, **checked}, x, y, a


def _checked(step: Callable[..., dict[str, np.ndarray]]) -> Callable[..., dict[str, np.ndarray]]:
    """``step`` with its arguments checked first, and an overflow reported as a ValueError.
    (A wrapper, so that the source notebook 04 prints is the training step alone.)"""

    @functools.wraps(step)
    def checked(
        params: dict[str, np.ndarray], xs: np.ndarray, ys: np.ndarray, alpha: np.ndarray
    ) -> dict[str, np.ndarray]:
        params, xs, ys, alpha = _check_omega_step(params, xs, ys, alpha)
        try:
            with np.errstate(over="raise", invalid="raise"):
                return step(params, xs, ys, alpha)
        except FloatingPointError as exc:
            raise ValueError(
                f"the gradient overflowed float64 ({exc}): params, xs, ys or alpha hold values "
                "too large to train on"
            ) from None

    return checked


omega_step = _checked(omega_step)


def _reach(params: dict[str, np.ndarray], xs: np.ndarray) -> np.ndarray:
    """(M,) median over the sequences of ‖∂E/∂hs[0]‖ / ‖∂E/∂hs[T−1]‖, loss on the last output."""
    hs, cache = rnn.forward({k: params[k] for k in rnn.PARAM_NAMES}, xs)
    dhs = np.zeros_like(hs)
    dhs[:, -1] = params["Wy"][:, 0][:, None, :]  # ∂ŷ/∂h_{T−1} for every sequence
    vs = regulariser.error_signals(dhs, cache)
    ratio = np.linalg.norm(vs[:, 0], axis=-1) / np.linalg.norm(vs[:, -1], axis=-1)
    return np.median(ratio, axis=1)


@functools.cache
def omega_experiment() -> _OmegaRuns:
    """Train the seeds with and without Ω as one stack of 2S models (cached)."""
    s = OMEGA
    S, T, B, n = len(s["seeds"]), s["length"], s["batch"], s["steps"]
    start = train.init_stack(rnn, 2, s["hidden"], 1, seeds=list(s["seeds"]))
    params = {k: np.concatenate([v, v]) for k, v in start.items()}  # plain, then with Ω
    alpha = np.repeat([0.0, s["alpha"]], S)
    xs, ys = tasks.adding_problem(n * S * B, T, rng=np.random.default_rng(11))
    xs = xs.reshape(T, n, S, B, 2).transpose(1, 2, 0, 3, 4)
    ys = ys.reshape(n, S, B)
    x_test, y_test = tasks.adding_problem(s["test_size"], T, rng=np.random.default_rng(7))
    reach_start = _reach(start, x_test)
    sgd = optim.SGD(lr=s["lr"])
    for step in range(n):
        batch_x, batch_y = np.concatenate([xs[step]] * 2), np.concatenate([ys[step]] * 2)
        params = sgd.step(params, omega_step(params, batch_x, batch_y, alpha))
    pred = train.predict(rnn, params, x_test)[:, -1, :, 0]
    mse = np.mean((pred - y_test) ** 2, axis=1)
    reach = _reach(params, x_test)
    return _OmegaRuns(
        test_mse={"plain": mse[:S], "omega": mse[S:]},
        reach={"plain": reach[:S], "omega": reach[S:]},
        reach_start=reach_start,
    )


#: ``threshold_runs``: the legends above the fixed lines, the lines that move above both.
_LEGEND_Z, _MOVING_Z = 2.2, 2.3


def threshold_runs(experiment: _ThresholdExperiment | None = None) -> Explorer:
    """Slider ``factor``: the 8 seeds clipped at factor × average norm, against no clipping.

    ``experiment`` defaults to ``threshold_experiment()`` (computed once, then cached).
    """
    ex = experiment if experiment is not None else threshold_experiment()
    if not isinstance(ex, _ThresholdExperiment) or None not in ex.runs or not ex.factors:
        raise TypeError(
            "experiment must be what threshold_experiment() returns: runs with an unclipped run "
            "(key None) and at least one clipped run"
        )
    base = ex.runs[None]
    steps, S = base.loss.shape
    t = np.arange(steps)
    fig, (axl, axn) = new_figure(12.0, 4.6, ncols=2)

    def shown(values: np.ndarray) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        return np.where(np.isfinite(v) & (v > 0), v, np.nan)  # NaN on purpose: not taken

    clipped_runs = [ex.runs[f] for f in ex.factors]
    losses = np.concatenate([_smoothed(r.loss) for r in clipped_runs], axis=1)
    finite = losses[np.isfinite(losses) & (losses > 0)]
    top = 30.0
    axl.set_yscale("log")
    axl.set_ylim(float(finite.min()) / 2, top)
    axl.set_autoscale_on(False)
    norms = np.concatenate([r.grad_norm for r in clipped_runs], axis=1)
    finite_n = norms[np.isfinite(norms) & (norms > 0)]
    axn.set_yscale("log")
    axn.set_ylim(float(finite_n.min()) / 2, min(float(finite_n.max()), 1e6) * 300)
    axn.set_autoscale_on(False)

    base_loss = _smoothed(base.loss)
    gone = [int(x.rsplit(" ", 1)[1]) for x in base.stopped if x]
    where = f", steps {min(gone)}–{max(gone)}" if gone else ""
    for m in range(S):
        axl.plot(  # off the scale: drawn along the top edge, so the runs stay visible
            t,
            np.minimum(shown(base_loss[:, m]), top * 0.97),
            color=style.EXPLODE,
            lw=1.0,
            ls="--",
            alpha=0.7,
            label=(
                f"no clipping: {len(gone)}/{S} overflow{where}\n(above {top:g}: drawn at the top)"
                if m == 0
                else None
            ),
        )
        axn.plot(t, shown(base.grad_norm[:, m]), color=style.EXPLODE, lw=0.8, ls="--", alpha=0.6)
    loss_lines = [
        axl.plot(
            t,
            np.full(steps, np.nan),
            color=style.COLORS["blue"],
            lw=1.2,
            label="clipped: one line per seed" if m == 0 else None,
        )[0]
        for m in range(S)
    ]
    axl.axhline(1 / 6, color=style.NEUTRAL, ls=":", lw=1.2, label="predict 1 always (1/6)")
    axl.set_xlim(0, steps)
    axl.set_xlabel("training step")
    axl.set_ylabel("batch MSE, mean of 25 steps (log scale)")
    axl.set_title(f"Adding problem, SGD lr = {ex.lr:g}, {S} seeds: loss")
    axl.legend(loc="upper right", fontsize=9.5).set_zorder(_LEGEND_Z)
    status = axl.text(
        0.02,
        0.03,
        "",
        transform=axl.transAxes,
        ha="left",
        va="bottom",
        fontsize=9.5,
        bbox={"facecolor": "white", "edgecolor": "0.6"},
    )
    norm_lines = [
        axn.plot(
            t,
            np.full(steps, np.nan),
            color=style.COLORS["blue"],
            lw=0.6,
            alpha=0.35,
            label="clipped runs, ‖g‖ before clipping" if m == 0 else None,
        )[0]
        for m in range(S)
    ]
    axn.axhline(
        ex.average_norm,
        color=style.COLORS["green"],
        lw=2.0,
        ls="-.",
        label=f"average norm of the probe runs = {ex.average_norm:.3g}",
    )
    thr_line = axn.axhline(ex.average_norm, color=style.NEUTRAL, lw=2.0, ls=":", label="threshold")
    axn.set_xlim(0, steps)
    axn.set_xlabel("training step")
    axn.set_ylabel("gradient norm ‖g‖ (log scale)")
    axn.set_title("Gradient norm before clipping")
    axn.legend(loc="upper right", fontsize=9.5).set_zorder(_LEGEND_Z)
    for artist in (*loss_lines, *norm_lines, thr_line):
        artist.set_zorder(_MOVING_Z)

    def draw(factor: float) -> None:
        runs = ex.runs[factor]
        sm = _smoothed(runs.loss)
        for m in range(S):
            loss_lines[m].set_ydata(shown(sm[:, m]))
            norm_lines[m].set_ydata(shown(runs.grad_norm[:, m]))
        limit = factor * ex.average_norm
        thr_line.set_ydata([limit, limit])
        done = np.isfinite(runs.test_mse)
        med = np.median(runs.test_mse[done]) if done.any() else float("nan")
        status.set_text(
            f"threshold = {factor:g} × average = {limit:.3g}; "
            f"steps clipped: {np.mean(runs.clipped):.0%}\n"
            f"learned (test MSE < 1/12): {int(runs.learned.sum())}/{S}; "
            f"diverged: {int((~done).sum())}/{S}; median test MSE {med:.3g}"
        )

    controls = {
        "factor": widgets.SelectionSlider(
            options=ex.factors, value=ex.factors[0], description="threshold ×"
        )
    }
    return _frozen(
        Explorer("threshold as a multiple of the average gradient norm", fig, controls, draw)
    )


EXPLORERS = {"cliff": cliff, "threshold_runs": threshold_runs}
