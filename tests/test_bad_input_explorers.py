"""Issue 18, the explorers' public helpers: bad input is refused by name, quickly, before
anything is computed (the explorers' controls are checked in tests/test_explorers.py)."""

from __future__ import annotations

import inspect
import math
import sys
import time

import ipywidgets as widgets
import numpy as np
import pytest

from helpers.explorers import base, nb01, nb02, nb03, nb04, nb05, nb06, nb08
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import sweep


def _refused(exc: type[Exception], name: str, fn, *args, **kwargs) -> str:
    """``fn(*args, **kwargs)`` raises ``exc`` naming ``name``, within half a second."""
    start = time.perf_counter()
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert time.perf_counter() - start < 0.5, "refused, but only after computing"
    assert name in str(info.value), str(info.value)
    return str(info.value)


def test_contributions_refuses_a_bogus_mode_and_counts():
    pre = nb01.precompute()
    message = _refused(ValueError, "mode", nb01.contributions, 20, 5, "bogus", pre)
    assert nb01.MODES[0] in message  # the choices are listed
    _refused(ValueError, "T", nb01.contributions, 1e308, 5, nb01.MODES[0], pre)
    _refused(ValueError, "T", nb01.contributions, 0, 5, nb01.MODES[0], pre)
    _refused(TypeError, "k", nb01.contributions, 20, math.nan, nb01.MODES[0], pre)
    _refused(ValueError, "k", nb01.contributions, 20, 1e308, nb01.MODES[0], pre)
    _refused(TypeError, "pre", nb01.contributions, 20, 5, nb01.MODES[0], None)
    bad = {**pre, "P": pre["P"][:10]}
    _refused(ValueError, "pre['P']", nb01.contributions, 20, 5, nb01.MODES[0], bad)


def test_contributions_checked_equals_the_explorers_unchecked():
    pre = nb01.precompute()
    for mode in nb01.MODES:
        for got, want in zip(
            nb01.contributions(30, 4, mode, pre), nb01._contributions(30, 4, mode, pre), strict=True
        ):
            np.testing.assert_array_equal(got, want)


def test_wall_refuses_nan_and_bools():
    _refused(ValueError, "w", nb04.wall, np.array([5.0, np.nan]))
    _refused(ValueError, "w", nb04.wall, np.inf)
    _refused(TypeError, "w", nb04.wall, True)
    _refused(TypeError, "w", nb04.wall, "5")
    _refused(ValueError, "x0", nb04.wall, 5.0, x0=math.nan)
    _refused(ValueError, "x0", nb04.wall, 5.0, x0=-1e308)  # exp(1e308) would overflow
    # the line itself: b = x0 − w σ(x0), against the closed form at one point
    assert nb04.wall(5.0) == pytest.approx(0.5 - 5.0 / (1 + math.exp(-0.5)), rel=1e-15)


def test_fixed_points_refuses_nan_at_once_instead_of_hanging():
    _refused(ValueError, "w", nb04.fixed_points, math.nan, -2.5)
    _refused(ValueError, "b", nb04.fixed_points, 5.0, math.nan)
    _refused(TypeError, "b", nb04.fixed_points, 5.0, complex(-2.5, 1))


def test_loss_grid_refuses_nan_fractions_and_huge_counts():
    _refused(TypeError, "n_w", nb06.loss_grid, math.nan, 5)
    _refused(TypeError, "n_w", nb06.loss_grid, 5.5, 5)
    _refused(ValueError, "n_b", nb06.loss_grid, 5, 1e308)
    _refused(ValueError, "n_b", nb06.loss_grid, 5, 0)
    _refused(TypeError, "n_b", nb06.loss_grid, 5, True)
    _refused(ValueError, "n", nb04.surface, 1e308)


def test_draw_surface_refuses_nan_wrong_shapes_and_another_window():
    W, B, E = nb06.loss_grid(6, 5)
    fig, ax = base.new_figure(3.0, 2.0)
    bad = E.copy()
    bad[0, 0] = np.nan
    _refused(ValueError, "E", nb06.draw_surface, ax, W, B, bad)
    message = _refused(ValueError, "E", nb06.draw_surface, ax, W, B, E[:, :-1])
    assert "W (5, 6)" in message and "E (5, 5)" in message
    _refused(ValueError, "W", nb06.draw_surface, ax, W + 1.0, B, E)
    _refused(ValueError, "E", nb06.draw_surface, ax, W, B, -E)
    _refused(TypeError, "ax", nb06.draw_surface, fig, W, B, E)
    assert nb06.draw_surface(ax, W, B, E).get_array().shape == (5, 6)


def test_pascanu_path_and_internal_helpers_are_private():
    """Helpers only the explorers use are private, not half-validated public functions."""
    for module, name in (
        (nb06, "pascanu_path"),
        (nb02, "fixed_layout"),
        (nb08, "evaluation_set"),
        (nb04, "SeedRuns"),
        (nb04, "ThresholdExperiment"),
        (nb04, "OmegaRuns"),
    ):
        assert not hasattr(module, name), f"{module.__name__}.{name} is still public"
        assert hasattr(module, "_" + name)


def test_counts_of_1e308_are_refused_at_once():
    _refused(ValueError, "step", nb04.adding_batches, 1e308)
    _refused(ValueError, "steps", nb04.continue_runs, 1.0, 1e308)
    _refused(ValueError, "window", nb04.smooth, np.ones((30, 2)), 1e308)
    _refused(ValueError, "window", nb04.steps_to, np.ones((30, 2)), 0.5, window=1e308)
    _refused(ValueError, "seed", nb03.network, 1e308)
    _refused(ValueError, "seed", nb05.gradient_profiles, -1)
    _refused(TypeError, "seed", nb03.random_h0, 1.5)
    _refused(ValueError, "n_filler[1]", nb08.distance_model, n_filler=(0, 1e308))


def test_smooth_and_steps_to():
    v = np.arange(10.0)[:, None]
    _refused(ValueError, "values", nb04.smooth, v[:, 0])  # (steps,) is not (steps, S)
    _refused(ValueError, "values", nb04.smooth, np.full((10, 1), 1e308))  # sums overflow
    _refused(ValueError, "level", nb04.steps_to, v, 0.0)
    # a run that stopped (NaN) is NaN from there on; inf is a run that overflowed
    v[5, 0] = np.inf
    out = nb04.smooth(v, window=2)
    np.testing.assert_allclose(out[1:5, 0], [0.5, 1.5, 2.5, 3.5])
    assert np.isnan(out[5:]).all() and np.isnan(out[0])


def test_omega_step_refuses_bad_stacks_and_reports_overflow():
    from helpers import rnn, train

    params = train.init_stack(rnn, 2, 3, 1, seeds=[0, 1])
    rng = np.random.default_rng(0)
    xs, ys, alpha = rng.uniform(size=(2, 5, 4, 2)), rng.uniform(size=(2, 4)), np.array([0.0, 1.0])
    good = nb04.omega_step(params, xs, ys, alpha)
    np.testing.assert_array_equal(nb04.omega_step(params, xs, ys, list(alpha))["Wh"], good["Wh"])
    nan = {**params, "Wh": params["Wh"].copy()}
    nan["Wh"][0, 0, 0] = np.nan
    _refused(ValueError, "params['Wh']", nb04.omega_step, nan, xs, ys, alpha)
    _refused(ValueError, "params", nb04.omega_step, {"Wx": params["Wx"]}, xs, ys, alpha)
    _refused(ValueError, "xs", nb04.omega_step, params, xs[..., :1], ys, alpha)
    _refused(ValueError, "ys", nb04.omega_step, params, xs, ys[:, :3], alpha)
    _refused(ValueError, "alpha", nb04.omega_step, params, xs, ys, -alpha)
    with np.errstate(all="raise"):
        _refused(ValueError, "overflowed", nb04.omega_step, params, xs, ys * 1e308, alpha)
    # notebook 04 prints the step's source: the algorithm alone, the checks in a wrapper
    source = inspect.getsource(nb04.omega_step)
    assert source.startswith("def omega_step(") and "_check" not in source


def test_base_functions_name_their_arguments():
    slider = widgets.FloatSlider(min=0.0, max=1.0, step=0.25)
    _refused(TypeError, "control", base.on_grid, None, 0.5)
    _refused(TypeError, "control", base.on_grid, widgets.Dropdown(options=["a"]), 0.5)
    _refused(ValueError, "value", base.on_grid, slider, math.nan)
    _refused(ValueError, "value", base.on_grid, slider, 1e308)
    log = widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.05)
    _refused(ValueError, "value", base.on_grid, log, -1.0)
    assert base.on_grid(slider, 0.3) == 0.25
    _refused(ValueError, "width", base.new_figure, math.nan, 2.0)
    _refused(ValueError, "height", base.new_figure, 3.0, 1e308)
    _refused(TypeError, "widget", base.widget_view_bundle, None)


def test_graphs_and_explorer_arguments_name_their_arguments():
    _refused(TypeError, "losses", nb01.unrolled_graph, 3, losses=2)
    _refused(TypeError, "losses", nb01.backward_graph, [1.0, 0.5], losses=2)
    _refused(TypeError, "title", nb01.backward_graph, [1.0, 0.5], title=3)
    _refused(TypeError, "experiment", nb04.threshold_runs, "experiment")
    _refused(TypeError, "n_filler", nb08.distance_model, n_filler=3)
    _refused(ValueError, "n_filler", nb08.distance_model, n_filler=(0, 0))


def test_the_sweep_groups_explorer_calls_by_module():
    assert sweep.module_of("explorers.nb01.contributions") == "explorers.nb01"
    assert sweep.module_of("optim.Adam.step") == "optim"
    names = {o.function for o in sweep.sweep({"explorers.nb06"})}
    assert names == {"explorers.nb06.loss_grid", "explorers.nb06.draw_surface"}


def test_a_long_choice_is_named_briefly_with_the_nearest_value():
    """A selection slider of many values (nb07's k: 181) is refused in one short line that
    names the nearest value, not a list of all of them; a short one lists its options."""
    from helpers.explorers import ALL

    explorer = ALL["nb07.sampling_schedule"]()
    message = _refused(ValueError, "k_exp", explorer.update, k_exp=0.9997701)
    assert "181 values" in message and "nearest: 0.99977" in message and len(message) < 160
    assert "nearest" not in _refused(ValueError, "k_exp", explorer.update, k_exp=math.nan)
    assert "inverse sigmoid" in _refused(ValueError, "kind", explorer.update, kind="bogus")
    explorer.close()
    explorer = nb02.power_toy()
    assert "nearest: 40" in _refused(ValueError, "n", explorer.update, n=37)
    explorer.close()
