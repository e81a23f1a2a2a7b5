"""helpers.sweeps: a grid of runs at once must give what separate runs give.

The reference is ``optim.descend`` run once per (learning rate, start) with the optimizer
of ``helpers.optim`` (and ``helpers.clip`` for clipping), plus a quadratic whose gradient
descent iterates have a closed form.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import clip, optim, sweeps
from helpers.toys import pascanu_loss

LRS = np.array([0.05, 0.7, 6.0, 60.0])
STARTS = {"w": np.array([10.0, 6.0, 3.0]), "b": np.array([-2.0, -4.5, -0.3])}
N = 40


def _grad(at):
    _, gw, gb = pascanu_loss(at["w"], at["b"])
    return {"w": gw, "b": gb}


def _separate(name, lr, w0, b0, clip_norm=None):
    opt = optim.OPTIMIZERS[name](lr=lr)

    def grad_fn(at):
        g = _grad(at)
        if clip_norm is not None and all(np.isfinite(v) for v in g.values()):
            g, _ = clip.clip_by_global_norm(g, clip_norm)
        return g

    path, _stopped = optim.descend(opt, grad_fn, {"w": np.array(w0), "b": np.array(b0)}, steps=N)
    return path["w"][-1], path["b"][-1], len(path["w"]) - 1


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_grid_equals_separate_runs(name):
    res = sweeps.run_grid(name, LRS, STARTS, sweeps.pascanu_grad_fn, n_updates=N)
    assert res.loss.shape == (LRS.size, 3)
    for i, lr in enumerate(LRS):
        for j in range(3):
            w, b, n = _separate(name, lr, STARTS["w"][j], STARTS["b"][j])
            assert res.updates[i, j] == n
            np.testing.assert_allclose(res.params["w"][i, j], w, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(res.params["b"][i, j], b, rtol=1e-12, atol=1e-12)
            E = float(pascanu_loss(w, b)[0])
            np.testing.assert_allclose(res.loss[i, j], E, rtol=1e-12, atol=1e-300)


def test_clipped_sgd_equals_separate_runs():
    res = sweeps.run_grid("SGD", LRS, STARTS, sweeps.pascanu_grad_fn, n_updates=N, clip_norm=1.0)
    for i, lr in enumerate(LRS):
        for j in range(3):
            w, b, _ = _separate("SGD", lr, STARTS["w"][j], STARTS["b"][j], clip_norm=1.0)
            np.testing.assert_allclose(res.params["w"][i, j], w, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(res.params["b"][i, j], b, rtol=1e-12, atol=1e-12)
    # a clipped step is never longer than lr * clip_norm: from any start, after one update
    one = sweeps.run_grid("SGD", LRS, STARTS, sweeps.pascanu_grad_fn, n_updates=1, clip_norm=1.0)
    moved = np.hypot(one.params["w"] - STARTS["w"], one.params["b"] - STARTS["b"])
    assert np.all(moved <= LRS[:, None] * (1 + 1e-12))


def test_quadratic_closed_form():
    # E = ½ λ θ², SGD: θ_t = (1 − η λ)^t θ_0
    lam = 3.0

    def quad(p):
        return 0.5 * lam * p["x"] ** 2, {"x": lam * p["x"]}

    lrs = np.array([0.1, 0.5, 0.66])
    res = sweeps.run_grid("SGD", lrs, {"x": np.array([1.0, -2.0])}, quad, n_updates=7)
    expected = (1 - lrs[:, None] * lam) ** 7 * np.array([1.0, -2.0])
    np.testing.assert_allclose(res.params["x"], expected, rtol=1e-12)


def test_overflow_stops_that_run_only():
    def quartic(p):  # E = x⁴/4: SGD with a huge rate overshoots further each step
        return p["x"] ** 4 / 4, {"x": p["x"] ** 3}

    res = sweeps.run_grid(
        "SGD", np.array([1e-3, 1e3]), {"x": np.array([-1.0, 1.0])}, quartic, n_updates=8
    )
    assert res.updates[0].tolist() == [8, 8]
    assert res.stopped[1].all() and not res.stopped[0].any()
    assert np.all(np.isfinite(res.params["x"]))
    for j, x0 in enumerate([-1.0, 1.0]):
        path, why = optim.descend(
            optim.SGD(lr=1e3), lambda p: {"x": p["x"] ** 3}, {"x": np.array(x0)}, steps=8
        )
        assert why and res.updates[1, j] == len(path["x"]) - 1
        assert res.params["x"][1, j] == path["x"][-1]


def test_bad_input_named():
    with pytest.raises(ValueError, match="lrs"):
        sweeps.run_grid("SGD", np.array([0.1, -1.0]), STARTS, sweeps.pascanu_grad_fn, n_updates=1)
    with pytest.raises(ValueError, match="name"):
        sweeps.run_grid("sgd!", LRS, STARTS, sweeps.pascanu_grad_fn, n_updates=1)
    with pytest.raises(ValueError, match="starts"):
        sweeps.run_grid(
            "SGD", LRS, {"w": np.zeros(2), "b": np.zeros(3)}, sweeps.pascanu_grad_fn, n_updates=1
        )
    with pytest.raises(TypeError, match="grad_fn"):
        sweeps.run_grid("SGD", LRS, STARTS, None, n_updates=1)


def test_lockstep_equals_one_at_a_time():
    specs = {
        "SGD + clip": {"name": "SGD", "clip_norm": 0.5},
        "NAG": {"name": "Nesterov", "momentum": 0.8},
        "Adam": {"name": "Adam"},
    }
    together = sweeps.run_grids(specs, LRS, STARTS, sweeps.pascanu_grad_fn, n_updates=N)
    for label, spec in specs.items():
        kw = dict(spec)
        alone = sweeps.run_grid(
            kw.pop("name"), LRS, STARTS, sweeps.pascanu_grad_fn, n_updates=N, **kw
        )
        np.testing.assert_array_equal(together[label].params["w"], alone.params["w"])
        np.testing.assert_array_equal(together[label].loss, alone.loss)
        np.testing.assert_array_equal(together[label].updates, alone.updates)


def test_recorded_path_equals_descend_path():
    res = sweeps.run_grids(
        {"NAG": {"name": "Nesterov"}},
        LRS,
        STARTS,
        sweeps.pascanu_grad_fn,
        n_updates=N,
        record=True,
    )["NAG"]
    assert res.path["w"].shape == (N + 1, LRS.size, 3)
    for i, lr in enumerate(LRS):
        for j in range(3):
            path, _ = optim.descend(
                optim.Nesterov(lr=lr),
                _grad,
                {"w": np.array(STARTS["w"][j]), "b": np.array(STARTS["b"][j])},
                steps=N,
            )
            k = len(path["w"])
            np.testing.assert_allclose(res.path["w"][:k, i, j], path["w"], rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(res.path["b"][:k, i, j], path["b"], rtol=1e-12, atol=1e-12)
            assert np.all(res.path["w"][k:, i, j] == path["w"][-1])  # a stopped run stays put
