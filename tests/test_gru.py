"""helpers.gru against torch.nn.GRU (saved fixture), finite differences and its equations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import gradcheck, gru, optim, tasks, train

REF = Path(__file__).parent / "data" / "torch_reference.npz"


@pytest.fixture(scope="module")
def ref() -> dict[str, np.ndarray]:
    with np.load(REF) as data:
        return {k: data[k] for k in data.files}


def _case(T: int, B: int, D: int, H: int, seed: int):
    rng = np.random.default_rng(seed)
    params = {k: 2.0 * v for k, v in gru.init(D, H, rng=rng).items()}  # every gate matters
    xs = rng.normal(size=(T, B, D))
    h0 = rng.normal(scale=0.7, size=(B, H))
    weight = rng.normal(size=(T, B, H))
    return params, xs, h0, weight


def _ref_params(ref):
    return {k: ref[f"gru_{k}"] for k in gru.PARAM_NAMES}


# --- exactness to torch.nn.GRU ---------------------------------------------------------------


def test_forward_matches_torch(ref):
    hs, _ = gru.forward(_ref_params(ref), ref["xs"], ref["gru_h0"])
    assert gradcheck.rel_error(hs, ref["gru_hs"]) < 1e-10
    assert gradcheck.rel_error(hs[-1], ref["gru_hT"]) < 1e-10


def test_backward_matches_torch(ref):
    _, cache = gru.forward(_ref_params(ref), ref["xs"], ref["gru_h0"])
    grads, dh0, dxs = gru.backward(ref["dhs"], cache, return_dxs=True)
    for k in gru.PARAM_NAMES:
        assert gradcheck.rel_error(grads[k], ref[f"gru_d{k}"]) < 1e-10, k
    assert gradcheck.rel_error(dxs, ref["gru_dxs"]) < 1e-10
    assert gradcheck.rel_error(dh0, ref["gru_dh0"]) < 1e-10


# --- finite differences ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("T", "B", "D", "H", "seed"), [(1, 1, 1, 1, 0), (4, 3, 2, 5, 1), (7, 2, 3, 3, 2)]
)
def test_full_bptt_matches_finite_differences(T, B, D, H, seed):
    params, xs, h0, weight = _case(T, B, D, H, seed)

    def loss(p):
        hs, _ = gru.forward({k: p[k] for k in gru.PARAM_NAMES}, p["xs"], p["h0"])
        return float(np.sum(hs * weight))

    _, cache = gru.forward(params, xs, h0)
    grads, dh0, dxs = gru.backward(weight, cache, return_dxs=True)
    num = gradcheck.numerical_gradient(loss, {**params, "h0": h0, "xs": xs})
    assert gradcheck.rel_error({**grads, "h0": dh0, "xs": dxs}, num) < 1e-8


def _truncated_reference(params, xs, h0, weight, k):
    """Independent truncated loss: each h_t recomputed over its last k + 1 steps only, from
    the full run's state frozen at step t − k − 1 (the live h0 only when t < k)."""
    base_hs, _ = gru.forward(params, xs, h0)
    T = xs.shape[0]

    def loss(p):
        cell = {n: p[n] for n in gru.PARAM_NAMES}
        total = 0.0
        for t in range(T):
            start = t - k
            if start <= 0:
                state, start = (p["h0"] if t < k else h0), 0
            else:
                state = base_hs[start - 1]
            hs, _ = gru.forward(cell, xs[start : t + 1], state)
            total += float(np.sum(hs[-1] * weight[t]))
        return total

    return loss


@pytest.mark.parametrize("k", [0, 1, 3, 6, 9])
def test_truncated_bptt_matches_windowed_finite_differences(k):
    params, xs, h0, weight = _case(6, 2, 2, 3, seed=10 + k)
    _, cache = gru.forward(params, xs, h0)
    grads, dh0 = gru.backward(weight, cache, truncate=k)
    loss = _truncated_reference(params, xs, h0, weight, k)
    num = gradcheck.numerical_gradient(loss, {**params, "h0": h0})
    assert gradcheck.rel_error({**grads, "h0": dh0}, num) < 1e-8


def test_update_gate_one_carries_the_state_unchanged():
    """z = 1 (large update-gate bias): h_t = h_{t-1}, and ∂h_T/∂h_0 = I exactly."""
    params, xs, h0, _ = _case(4, 2, 2, 3, seed=3)
    params["bx"][3:6] = 800.0  # σ(≥ 790) is 1.0 in float64
    hs, cache = gru.forward(params, xs, h0)
    assert np.array_equal(hs[-1], h0)
    weight = np.zeros_like(hs)
    weight[-1] = 1.0
    _, dh0 = gru.backward(weight, cache)
    assert np.array_equal(dh0, np.ones_like(h0))


def test_gates_follow_the_torch_equations():
    params, xs, h0, _ = _case(3, 2, 2, 3, seed=5)
    hs, cache = gru.forward(params, xs, h0)
    H = 3
    Wx, Wh, bx, bh = (params[k] for k in gru.PARAM_NAMES)
    h = h0
    for t in range(3):
        ax, ah = xs[t] @ Wx.T + bx, h @ Wh.T + bh
        r = 1 / (1 + np.exp(-(ax[:, :H] + ah[:, :H])))
        z = 1 / (1 + np.exp(-(ax[:, H : 2 * H] + ah[:, H : 2 * H])))
        n = np.tanh(ax[:, 2 * H :] + r * ah[:, 2 * H :])
        h = (1 - z) * n + z * h
        for name, want in zip("rzn", (r, z, n), strict=True):
            assert np.allclose(getattr(cache, name)[t], want, rtol=1e-13, atol=1e-15)
        assert np.allclose(hs[t], h, rtol=1e-13)


def test_truncation_at_or_beyond_T_is_full_bptt():
    params, xs, h0, weight = _case(5, 2, 2, 3, seed=3)
    _, cache = gru.forward(params, xs, h0)
    full, dfull = gru.backward(weight, cache)
    for k in (5, 50):
        g, d = gru.backward(weight, cache, truncate=k)
        assert gradcheck.rel_error(g, full) < 1e-14 and gradcheck.rel_error(d, dfull) < 1e-14


def test_init_shapes_and_range():
    p = gru.init(3, 5, rng=np.random.default_rng(7))
    assert {k: v.shape for k, v in p.items()} == {
        "Wx": (15, 3),
        "Wh": (15, 5),
        "bx": (15,),
        "bh": (15,),
    }
    assert all(np.all(np.abs(v) <= 1 / np.sqrt(5)) and v.dtype == np.float64 for v in p.values())


def test_fit_trains_a_gru_on_the_adding_problem():
    rng = np.random.default_rng(0)
    H = 8
    model = {**gru.init(2, H, rng=rng), **train.readout_init(H, 1, rng=rng)}
    xs, ys = tasks.adding_problem(64, 10, rng=rng)
    before, _ = train.loss_and_grads(gru, model, xs, ys)
    out, hist = train.fit(
        gru, model, lambda step: (xs, ys), steps=60, optimizer=optim.Adam(lr=0.02)
    )
    assert hist.stopped == "" and len(hist.loss) == 60
    after, _ = train.loss_and_grads(gru, out, xs, ys)
    assert after < 0.5 * before


def test_bad_inputs_raise_clear_errors():
    params, xs, h0, weight = _case(3, 2, 2, 3, seed=6)
    with pytest.raises(ValueError, match="xs"):
        gru.forward(params, xs[:, :, :1], h0)
    with pytest.raises(ValueError, match="xs"):
        gru.forward(params, np.where(xs > 0, np.inf, xs), h0)
    with pytest.raises(ValueError, match="h0"):
        gru.forward(params, xs, h0[:, :2])
    with pytest.raises(ValueError, match="h0"):
        gru.forward(params, xs, h0 * np.nan)
    with pytest.raises(ValueError, match="bh"):
        gru.forward({**params, "bh": params["bh"][:4]}, xs)
    with pytest.raises(ValueError, match="missing"):
        gru.forward({k: params[k] for k in ("Wx", "Wh", "bx")}, xs)
    with pytest.raises(ValueError, match="Wx"):
        gru.forward({**params, "Wx": params["Wx"][:4]}, xs)
    _, cache = gru.forward(params, xs, h0)
    with pytest.raises(ValueError, match="truncate"):
        gru.backward(weight, cache, truncate=-2)
    with pytest.raises(TypeError, match="truncate"):
        gru.backward(weight, cache, truncate=2.5)
    with pytest.raises(ValueError, match="dhs"):
        gru.backward(weight[:2], cache)
    with pytest.raises(TypeError, match="cache"):
        gru.backward(weight, None)
    with pytest.raises(TypeError):
        gru.backward(weight, cache, k=2)  # unknown keyword: Python's own TypeError
    with pytest.raises(TypeError):
        gru.init(2, 3, rng=np.random.default_rng(0), forget_bias=1.0)
    with pytest.raises(TypeError, match="rng"):
        gru.init(2, 3, rng=None)
