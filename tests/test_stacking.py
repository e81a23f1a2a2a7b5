"""Stacks of models (helpers.stacking): each model of a stack must give what a separate run
with the same seed gives — forward, backward (full and truncated), per-model clipping, every
optimizer's step, and whole fits — for helpers.rnn, .lstm and .gru.

The reference is always the single-model code path run on model m alone (``unstack``), the
path the rest of the test suite checks against finite differences and hand-written loops.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from helpers import clip, gru, lstm, optim, rnn, stacking, tasks, train
from helpers.gradcheck import rel_error

CELLS = [rnn, lstm, gru]
IDS = {"ids": lambda m: m.__name__.split(".")[-1]}
SEEDS = [3, 5, 8]
#: "exactly what a separate run gives": the same operations, so equal up to rounding
TOL = 1e-12


def _d0(d_state):
    return d_state[0] if isinstance(d_state, tuple) else d_state


def _state(cell: ModuleType, h0: np.ndarray, c0: np.ndarray):
    return (h0, c0) if cell is lstm else h0


@pytest.mark.parametrize("cell", CELLS, **IDS)
def test_init_stack_is_separate_inits(cell):
    stack = cell.init_stack(3, 4, seeds=SEEDS)
    for m, seed in enumerate(SEEDS):
        alone = cell.init(3, 4, rng=np.random.default_rng(seed))
        assert all(np.array_equal(stack[k][m], alone[k]) for k in alone)
    model = train.init_stack(cell, 3, 4, 2, seeds=SEEDS)
    for m, seed in enumerate(SEEDS):
        rng = np.random.default_rng(seed)
        alone = {**cell.init(3, 4, rng=rng), **train.readout_init(4, 2, rng=rng)}
        assert all(np.array_equal(model[k][m], alone[k]) for k in alone)
        assert all(np.array_equal(stacking.unstack(model, m)[k], alone[k]) for k in alone)


@pytest.mark.parametrize("truncate", [None, 0, 2, 50])
@pytest.mark.parametrize("shared", [True, False], ids=["shared xs", "xs per model"])
@pytest.mark.parametrize("cell", CELLS, **IDS)
def test_forward_backward_match_separate_runs(cell, shared, truncate):
    M, T, B, D, H = len(SEEDS), 7, 4, 3, 5
    stack = {k: 2.0 * v for k, v in cell.init_stack(D, H, seeds=SEEDS).items()}
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(T, B, D) if shared else (M, T, B, D))
    h0, c0 = rng.normal(scale=0.5, size=(2, M, B, H))
    dhs = rng.normal(size=(M, T, B, H))
    hs, cache = cell.forward(stack, xs, _state(cell, h0, c0))
    grads, d_state, dxs = cell.backward(dhs, cache, truncate=truncate, return_dxs=True)
    assert hs.shape == (M, T, B, H) and dxs.shape == (M, T, B, D)
    assert all(grads[k].shape == stack[k].shape for k in stack)
    for m in range(M):
        alone = stacking.unstack(stack, m)
        x_m = xs if shared else xs[m]
        hs_m, cache_m = cell.forward(alone, x_m, _state(cell, h0[m], c0[m]))
        g_m, d_m, dxs_m = cell.backward(dhs[m], cache_m, truncate=truncate, return_dxs=True)
        assert rel_error(hs[m], hs_m) < TOL
        assert rel_error({k: v[m] for k, v in grads.items()}, g_m) < TOL
        assert rel_error(dxs[m], dxs_m) < TOL
        assert rel_error(_d0(d_state)[m], _d0(d_m)) < TOL
        if cell is lstm:
            assert rel_error(d_state[1][m], d_m[1]) < TOL
            assert rel_error(cache.cs[m], cache_m.cs) < TOL


@pytest.mark.parametrize("cell", CELLS, **IDS)
def test_state_broadcast_and_shape_errors(cell):
    stack = cell.init_stack(2, 3, seeds=[0, 1])
    xs = np.ones((4, 5, 2))
    h = np.full(3, 0.3)
    hs, _ = cell.forward(stack, xs, _state(cell, h, h))
    full = np.broadcast_to(h, (2, 5, 3))
    hs2, _ = cell.forward(stack, xs, _state(cell, full, full))
    assert np.array_equal(hs, hs2)
    with pytest.raises(ValueError, match="xs"):
        cell.forward(stack, np.ones((3, 4, 5, 2)))  # 3 models of data for a stack of 2
    with pytest.raises(ValueError, match="h0"):
        cell.forward(stack, xs, _state(cell, np.ones((5, 3)), np.ones((5, 3))))


def test_stack_and_seed_errors():
    with pytest.raises(ValueError, match="distinct"):
        rnn.init_stack(2, 3, seeds=[1, 1])
    with pytest.raises(TypeError, match="seeds"):
        rnn.init_stack(2, 3, seeds=3)
    with pytest.raises(ValueError, match="seeds"):
        rnn.init_stack(2, 3, seeds=[])
    with pytest.raises(ValueError, match="models"):
        stacking.stack([{"a": np.ones(2)}, {"b": np.ones(2)}])
    with pytest.raises(ValueError, match="m must be <= 1"):
        stacking.unstack(rnn.init_stack(2, 3, seeds=[0, 1]), 2)


def _stacked_grads(rng, M=4):
    g = {"W": rng.normal(size=(M, 3, 2)), "b": rng.normal(size=(M, 3))}
    g["W"][1] *= 100.0  # model 1 far above the threshold, model 2 far below
    g["b"][1] *= 100.0
    g["W"][2] *= 1e-3
    g["b"][2] *= 1e-3
    return g


def test_stack_norms_and_clipping_are_per_model():
    g = _stacked_grads(np.random.default_rng(1))
    norms = clip.stack_global_norms(g)
    clipped, before = clip.clip_stack_by_global_norm(g, 1.0)
    assert np.array_equal(norms, before)
    for m in range(4):
        alone = {k: v[m] for k, v in g.items()}
        # independent reference: the square root of the sum of every squared entry
        direct = np.sqrt(sum(np.sum(v**2) for v in alone.values()))
        assert norms[m] == pytest.approx(direct, rel=1e-14)
        want, norm_m = clip.clip_by_global_norm(alone, 1.0)
        assert norms[m] == pytest.approx(norm_m, rel=TOL)
        assert rel_error({k: v[m] for k, v in clipped.items()}, want) < TOL
    assert clip.global_norm({k: v[1] for k, v in clipped.items()}) == pytest.approx(1.0, rel=1e-5)
    assert np.array_equal(clipped["W"][2], g["W"][2])  # below the threshold: untouched


def test_stack_norms_non_finite_and_zero_stay_in_their_model():
    g = _stacked_grads(np.random.default_rng(2))
    g["W"][0, 0, 0] = np.nan
    g["b"][3] = 0.0
    g["W"][3] = 0.0
    g["b"][2, 1] = np.inf
    norms = clip.stack_global_norms(g)
    assert np.isnan(norms[0]) and norms[2] == np.inf and norms[3] == 0.0
    assert np.isfinite(norms[1])
    clipped, _ = clip.clip_stack_by_global_norm(g, 1.0)
    assert np.array_equal(clipped["b"][2], g["b"][2])  # unscaled, not NaN
    assert clip.global_norm({k: v[1] for k, v in clipped.items()}) == pytest.approx(1.0, rel=1e-5)
    with pytest.raises(ValueError, match="stack"):
        clip.stack_global_norms({"a": np.ones((2, 3)), "b": np.ones((3, 3))})


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_every_optimizer_steps_each_model_as_a_separate_run(name):
    make = optim.OPTIMIZERS[name]
    rng = np.random.default_rng(3)
    M = 3
    stack = {"W": rng.normal(size=(M, 3, 2)), "b": rng.normal(size=(M, 3))}
    opt = make(lr=0.05)
    alone = [stacking.unstack(stack, m) for m in range(M)]
    opts = [make(lr=0.05) for _ in range(M)]

    def grad(p, k):  # a gradient that depends on where it is taken (NAG looks ahead)
        return {"W": np.sin(p["W"]) + k, "b": p["b"] ** 3 - k}

    for k in range(6):
        stack = opt.step(stack, grad(opt.lookahead(stack), k))
        for m in range(M):
            alone[m] = opts[m].step(alone[m], grad(opts[m].lookahead(alone[m]), k))
    for m in range(M):
        assert rel_error({k: v[m] for k, v in stack.items()}, alone[m]) < TOL


def test_optimizer_active_mask_keeps_stopped_models():
    stack = {"W": np.ones((3, 2)), "b": np.zeros(3)}
    out = optim.Adam(lr=0.1).step(
        stack, {"W": np.ones((3, 2)), "b": np.ones(3)}, active=np.array([True, False, True])
    )
    assert np.array_equal(out["W"][1], stack["W"][1]) and out["b"][1] == 0.0
    assert not np.array_equal(out["W"][0], stack["W"][0])
    with pytest.raises(ValueError, match="active"):
        optim.SGD(lr=0.1).step(stack, stack, active=np.array([True, False]))
    with pytest.raises(TypeError, match="active"):
        optim.SGD(lr=0.1).step(stack, stack, active=[1, 0, 1])


@pytest.mark.parametrize("clip_norm", [None, 0.3])
@pytest.mark.parametrize("cell", CELLS, **IDS)
def test_fit_adding_problem_matches_separate_fits(cell, clip_norm):
    """8 seeds of each cell on the adding problem, data shared, Adam + truncation."""
    seeds = list(range(10, 18))
    data_rng = np.random.default_rng(0)
    batches = [tasks.adding_problem(8, 12, rng=data_rng) for _ in range(12)]
    stack = train.init_stack(cell, 2, 6, 1, seeds=seeds)
    kwargs = {"steps": 12, "clip_norm": clip_norm, "truncate": 4}
    final, hist = train.fit(cell, stack, batches.__getitem__, optimizer=optim.Adam(0.03), **kwargs)
    assert isinstance(hist, train.StackHistory) and hist.loss.shape == (12, 8)
    if clip_norm is not None:
        assert hist.clipped.any() and not hist.clipped.all()  # the test reaches both cases
    for m, seed in enumerate(seeds):
        alone = train.init_stack(cell, 2, 6, 1, seeds=[seed])
        alone = stacking.unstack(alone, 0)
        want, h = train.fit(cell, alone, batches.__getitem__, optimizer=optim.Adam(0.03), **kwargs)
        assert rel_error({k: v[m] for k, v in final.items()}, want) < TOL
        mine = hist.run(m)
        assert rel_error(np.array(mine.loss), np.array(h.loss)) < TOL
        assert rel_error(np.array(mine.grad_norm), np.array(h.grad_norm)) < TOL
        assert mine.clipped == h.clipped and mine.stopped == h.stopped == ""


@pytest.mark.parametrize("cell", CELLS, **IDS)
def test_fit_language_model_with_data_per_model(cell):
    """xent_all with one batch per model (M, T, B, D) and -1 targets, Nesterov's look-ahead."""
    M, T, B, V = 3, 6, 4, 5

    def batch(step, m):
        r = np.random.default_rng(100 * step + m)
        ids = r.integers(0, V, size=(T + 1, B))
        ys = ids[1:].copy()
        ys[r.random(size=ys.shape) < 0.3] = -1
        return np.eye(V)[ids[:-1]], ys

    def data(step):
        pairs = [batch(step, m) for m in range(M)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

    stack = train.init_stack(cell, V, 4, V, seeds=[1, 2, 3])
    kw = {"steps": 8, "loss": "xent_all", "clip_norm": 0.5}
    final, hist = train.fit(cell, stack, data, optimizer=optim.Nesterov(0.2), **kw)
    for m in range(M):
        alone = stacking.unstack(stack, m)
        want, h = train.fit(
            cell, alone, lambda s, m=m: batch(s, m), optimizer=optim.Nesterov(0.2), **kw
        )
        assert rel_error({k: v[m] for k, v in final.items()}, want) < TOL
        assert rel_error(np.array(hist.run(m).loss), np.array(h.loss)) < TOL
        assert (
            rel_error(
                train.predict(cell, final, data(0)[0])[m], train.predict(cell, want, data(0)[0][m])
            )
            < TOL
        )


def test_a_diverging_model_stops_alone():
    """Linear RNNs under SGD: models 0 and 1 overflow at different steps and stop; model 2
    goes on; each as in its own run."""
    seeds = [0, 1, 2]
    stack = train.init_stack(rnn, 2, 4, 1, seeds=seeds)
    stack["Wh"][1] *= 30.0  # model 1 explodes (linear activation, no clipping)
    xs, ys = tasks.adding_problem(4, 12, rng=np.random.default_rng(0))
    kw = {"steps": 10, "activation": "linear"}
    final, hist = train.fit(rnn, stack, lambda s: (xs, ys), optimizer=optim.SGD(0.02), **kw)
    assert hist.stopped == ["non-finite loss at step 2", "non-finite loss at step 1", ""]
    for m in range(3):
        alone = stacking.unstack(stack, m)
        want, h = train.fit(rnn, alone, lambda s: (xs, ys), optimizer=optim.SGD(0.02), **kw)
        assert h.stopped == hist.stopped[m]
        mine = hist.run(m)
        assert len(mine.loss) == len(h.loss)
        assert np.allclose(mine.loss, h.loss, rtol=TOL, equal_nan=True)
        assert rel_error({k: v[m] for k, v in final.items()}, want) < TOL
    stopped_at = len(hist.run(1).loss)
    assert np.all(np.isnan(hist.loss[stopped_at:, 1]))


def test_loss_and_grads_stack_validation():
    stack = train.init_stack(rnn, 2, 3, 1, seeds=[0, 1])
    xs = np.ones((4, 5, 2))
    with pytest.raises(ValueError, match="ys"):
        train.loss_and_grads(rnn, stack, xs, np.ones((2, 5)))  # per-model ys, shared xs
    with pytest.raises(ValueError, match="Wy"):
        train.loss_and_grads(rnn, {**stack, "Wy": np.ones((1, 3))}, xs, np.ones(5))
    values, grads = train.loss_and_grads(rnn, stack, xs, np.ones(5))
    assert values.shape == (2,) and grads["Wy"].shape == (2, 1, 3)


def test_per_model_learning_rates_and_thresholds_match_separate_runs():
    """One stack as an ablation grid: lr and clip threshold (np.inf = off) per model."""
    lrs = np.array([0.003, 0.01, 0.03, 0.1])
    limits = np.array([0.1, np.inf, 0.1, np.inf])
    seeds = [7, 7 + 1, 7 + 2, 7 + 3]
    batches = [tasks.adding_problem(6, 10, rng=np.random.default_rng(i)) for i in range(8)]
    stack = train.init_stack(gru, 2, 5, 1, seeds=seeds)
    final, hist = train.fit(
        gru, stack, batches.__getitem__, steps=8, optimizer=optim.RMSProp(lrs), clip_norm=limits
    )
    assert not hist.clipped[:, 1].any() and hist.clipped[:, 0].any()
    for m in range(4):
        alone = stacking.unstack(stack, m)
        clip_m = None if np.isinf(limits[m]) else float(limits[m])
        want, h = train.fit(
            gru, alone, batches.__getitem__, steps=8, optimizer=optim.RMSProp(float(lrs[m])),
            clip_norm=clip_m,
        )  # fmt: skip
        assert rel_error({k: v[m] for k, v in final.items()}, want) < TOL
        assert hist.run(m).clipped == h.clipped
    with pytest.raises(ValueError, match="lr"):
        optim.SGD(lr=np.array([0.1, -1.0]))
    with pytest.raises(ValueError, match="per-model learning rates"):
        optim.SGD(lr=np.array([0.1, 0.2])).step({"w": np.ones(3)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="clip_norm"):
        train.fit(gru, stack, batches.__getitem__, steps=1, optimizer=optim.SGD(0.1),
                  clip_norm=np.array([1.0, 0.0, 1.0, 1.0]))  # fmt: skip
    with pytest.raises(ValueError, match="clip_norm"):
        train.fit(gru, alone, batches.__getitem__, steps=1, optimizer=optim.SGD(0.1),
                  clip_norm=np.array([1.0]))  # fmt: skip
