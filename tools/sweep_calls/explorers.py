"""Sweep calls for ``helpers.explorers``: the public functions beside the explorers, and the
explorer builders' arguments that are not controls (their controls are swept by
tests/test_explorers.py). Named ``explorers.<module>.<function>``, so that
``python tools/sweep.py explorers.nb01`` sweeps one module and ``explorers`` all of them.

Calls that make a figure or an explorer go through ``_closed``: it closes what was made
and returns only its size, so that nothing accumulates and the sweep's finiteness check
never walks a matplotlib object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from helpers import rnn, train
from helpers.explorers import Explorer, base, nb01, nb03, nb04, nb05, nb06, nb08

Builder = Callable[[], tuple[Callable[..., Any], dict[str, Any]]]


def _close(made: Any) -> tuple[float, ...]:
    """Close a figure / an explorer / the figure of an artist; return the figure's size."""
    if isinstance(made, Explorer):
        size = tuple(made.figure.get_size_inches())
        made.close()
        return size
    fig = made if isinstance(made, Figure) else getattr(made, "figure", None)
    if isinstance(made, tuple) and made and isinstance(made[0], Figure):
        fig = made[0]
    if fig is None:
        return ()
    size = tuple(fig.get_size_inches())
    fig.clear()
    return size


def _closed(fn: Callable[..., Any]) -> Callable[..., tuple[float, ...]]:
    def run(**kwargs: Any) -> tuple[float, ...]:
        return _close(fn(**kwargs))

    return run


def _defined(smooth: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``smooth`` without its first ``window − 1`` rows, NaN by definition (no full window)."""

    def run(values: Any, window: Any) -> np.ndarray:
        return smooth(values=values, window=window)[window - 1 :]

    return run


def _axes() -> Any:
    return base.new_figure(3.0, 2.0)[1]


def _omega_stack() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Two tiny stacked models (H = 3), a batch of 4 sequences of length 5, and alpha (2,)."""
    params = train.init_stack(rnn, 2, 3, 1, seeds=[0, 1])
    rng = np.random.default_rng(0)
    xs = rng.uniform(size=(2, 5, 4, 2))
    ys = rng.uniform(size=(2, 4))
    return params, xs, ys, np.array([0.0, 1.0])


def calls() -> dict[str, Builder]:
    def c(fn: Callable[..., Any], **kw: Any) -> Builder:
        return lambda: (fn, kw)

    pre = nb01.precompute()
    params, xs, ys, alpha = _omega_stack()
    small_grid = nb06.loss_grid(5, 4)
    loss = np.exp(-np.arange(30.0) / 10)[:, None] * np.array([1.0, 2.0])  # (30, 2), reaches 0.5
    return {
        "explorers.base.on_grid": lambda: (
            base.on_grid,
            {"control": widgets.FloatSlider(min=0.0, max=1.0, step=0.1), "value": 0.33},
        ),
        "explorers.base.new_figure": c(_closed(base.new_figure), width=3.0, height=2.0),
        "explorers.base.widget_view_bundle": lambda: (
            base.widget_view_bundle,
            {"widget": widgets.IntSlider()},
        ),
        "explorers.nb01.unrolled_graph": c(_closed(nb01.unrolled_graph), steps=3, losses=[1, 3]),
        "explorers.nb01.backward_graph": c(
            _closed(nb01.backward_graph), deltas=np.array([0.5, 1.0]), losses=[2], title="t"
        ),
        "explorers.nb01.explorer_rnn": c(nb01.explorer_rnn),
        "explorers.nb01.precompute": c(nb01.precompute),
        "explorers.nb01.contributions": c(
            nb01.contributions, T=20, k=5, mode=nb01.MODES[1], pre=pre
        ),
        "explorers.nb03.network": c(nb03.network, seed=3),
        "explorers.nb03.random_h0": c(nb03.random_h0, seed=3),
        "explorers.nb04.surface": c(nb04.surface, n=7),
        "explorers.nb04.wall": c(nb04.wall, w=np.linspace(2.0, 8.0, 5), x0=0.5),
        "explorers.nb04.fixed_points": c(nb04.fixed_points, w=5.0, b=-2.5),
        "explorers.nb04.adding_batches": c(nb04.adding_batches, step=0),
        "explorers.nb04.initial_model": c(nb04.initial_model),
        "explorers.nb04.seed_models": c(nb04.seed_models),
        "explorers.nb04.test_set": c(nb04.test_set),
        "explorers.nb04.threshold_experiment": c(nb04.threshold_experiment),
        "explorers.nb04.continue_runs": lambda: (
            nb04.continue_runs,
            {"factor": nb04.threshold_experiment().factors[0], "steps": 2},
        ),
        "explorers.nb04.steps_to": c(nb04.steps_to, loss=loss, level=0.5, window=4),
        "explorers.nb04.smooth": c(_defined(nb04.smooth), values=loss, window=4),
        "explorers.nb04.omega_step": c(nb04.omega_step, params=params, xs=xs, ys=ys, alpha=alpha),
        "explorers.nb04.omega_experiment": c(nb04.omega_experiment),
        "explorers.nb05.gradient_profiles": c(nb05.gradient_profiles, seed=5),
        "explorers.nb06.loss_grid": c(nb06.loss_grid, n_w=5, n_b=4),
        "explorers.nb06.draw_surface": lambda: (
            _closed(nb06.draw_surface),
            {"ax": _axes(), "W": small_grid[0], "B": small_grid[1], "E": small_grid[2]},
        ),
        "explorers.nb08.distance_model": c(_closed(nb08.distance_model), n_filler=(0, 2)),
    }
