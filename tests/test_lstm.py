"""helpers.lstm against torch.nn.LSTM (saved fixture), finite differences and closed forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import gradcheck, lstm, optim, tasks, train

REF = Path(__file__).parent / "data" / "torch_reference.npz"


@pytest.fixture(scope="module")
def ref() -> dict[str, np.ndarray]:
    with np.load(REF) as data:
        return {k: data[k] for k in data.files}


def _case(T: int, B: int, D: int, H: int, seed: int, forget_bias: float = 0.0):
    rng = np.random.default_rng(seed)
    params = lstm.init(D, H, rng=rng, forget_bias=forget_bias)
    for k in params:  # larger weights than the init, so every gate matters
        params[k] = params[k] * 2.0
    xs = rng.normal(size=(T, B, D))
    state = (rng.normal(scale=0.7, size=(B, H)), rng.normal(scale=0.7, size=(B, H)))
    weight = rng.normal(size=(T, B, H))
    return params, xs, state, weight


# --- exactness to torch.nn.LSTM ------------------------------------------------------------


def test_forward_matches_torch(ref):
    params = {"Wx": ref["lstm_Wx"], "Wh": ref["lstm_Wh"], "b": ref["lstm_b"]}
    hs, cache = lstm.forward(params, ref["xs"], (ref["lstm_h0"], ref["lstm_c0"]))
    assert gradcheck.rel_error(hs, ref["lstm_hs"]) < 1e-10
    assert gradcheck.rel_error(hs[-1], ref["lstm_hT"]) < 1e-10
    assert gradcheck.rel_error(cache.cs[-1], ref["lstm_cT"]) < 1e-10


def test_backward_matches_torch(ref):
    params = {"Wx": ref["lstm_Wx"], "Wh": ref["lstm_Wh"], "b": ref["lstm_b"]}
    _, cache = lstm.forward(params, ref["xs"], (ref["lstm_h0"], ref["lstm_c0"]))
    grads, (dh0, dc0), dxs = lstm.backward(ref["dhs"], cache, return_dxs=True)
    assert gradcheck.rel_error(grads["Wx"], ref["lstm_dWx"]) < 1e-10
    assert gradcheck.rel_error(grads["Wh"], ref["lstm_dWh"]) < 1e-10
    assert gradcheck.rel_error(grads["b"], ref["lstm_db"]) < 1e-10
    assert gradcheck.rel_error(grads["b"], ref["lstm_db_hh"]) < 1e-10
    assert gradcheck.rel_error(dxs, ref["lstm_dxs"]) < 1e-10
    assert gradcheck.rel_error(dh0, ref["lstm_dh0"]) < 1e-10
    assert gradcheck.rel_error(dc0, ref["lstm_dc0"]) < 1e-10


# --- finite differences ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("T", "B", "D", "H", "seed"), [(1, 1, 1, 1, 0), (4, 3, 2, 5, 1), (7, 2, 3, 3, 2)]
)
def test_full_bptt_matches_finite_differences(T, B, D, H, seed):
    params, xs, (h0, c0), weight = _case(T, B, D, H, seed)
    point = {**params, "h0": h0, "c0": c0, "xs": xs}

    def loss(p):
        hs, _ = lstm.forward({k: p[k] for k in lstm.PARAM_NAMES}, p["xs"], (p["h0"], p["c0"]))
        return float(np.sum(hs * weight))

    _, cache = lstm.forward(params, xs, (h0, c0))
    grads, (dh0, dc0), dxs = lstm.backward(weight, cache, return_dxs=True)
    num = gradcheck.numerical_gradient(loss, point)
    assert gradcheck.rel_error({**grads, "h0": dh0, "c0": dc0, "xs": dxs}, num) < 1e-8


def _truncated_reference(params, xs, state, weight, k):
    """An independent truncated loss: L_k = Σ_t <W_t, h_t> where h_t is recomputed over the
    last k + 1 steps only, from the state of the full run frozen at step t − k − 1.

    The frozen states come from the *base* parameters, so their derivative is zero: the
    gradient of L_k is exactly "k recurrent factors per loss". The initial state is live
    only in windows whose loss is within k factors of it (t < k).
    """
    base_hs, base = lstm.forward(params, xs, state)
    T = xs.shape[0]

    def loss(p):
        cell = {n: p[n] for n in lstm.PARAM_NAMES}
        total = 0.0
        for t in range(T):
            start = t - k  # first step computed live
            if start <= 0:
                st = (p["h0"], p["c0"]) if t < k else state
                start = 0
            else:
                st = (base_hs[start - 1], base.cs[start - 1])
            hs, _ = lstm.forward(cell, xs[start : t + 1], st)
            total += float(np.sum(hs[-1] * weight[t]))
        return total

    return loss


@pytest.mark.parametrize("k", [0, 1, 3, 6, 9])
def test_truncated_bptt_matches_windowed_finite_differences(k):
    T, B, D, H = 6, 2, 2, 3
    params, xs, state, weight = _case(T, B, D, H, seed=10 + k)
    _, cache = lstm.forward(params, xs, state)
    grads, (dh0, dc0) = lstm.backward(weight, cache, truncate=k)
    loss = _truncated_reference(params, xs, state, weight, k)
    num = gradcheck.numerical_gradient(loss, {**params, "h0": state[0], "c0": state[1]})
    assert gradcheck.rel_error({**grads, "h0": dh0, "c0": dc0}, num) < 1e-8


def test_truncation_at_or_beyond_T_is_full_bptt():
    params, xs, state, weight = _case(5, 2, 2, 3, seed=3)
    _, cache = lstm.forward(params, xs, state)
    full, (fh, fc) = lstm.backward(weight, cache)
    for k in (5, 50):
        g, (h, c) = lstm.backward(weight, cache, truncate=k)
        assert gradcheck.rel_error(g, full) < 1e-14
        assert gradcheck.rel_error(h, fh) < 1e-14 and gradcheck.rel_error(c, fc) < 1e-14


def test_cell_state_jacobian_is_the_forget_gate():
    """Holding h_{t-1} fixed, ∂c_t/∂c_{t-1} = diag(f_t): check by finite differences."""
    params, xs, (h0, c0), _ = _case(1, 1, 2, 4, seed=4)
    _, cache = lstm.forward(params, xs, (h0, c0))
    eps = 1e-6
    jac = np.empty((4, 4))
    for j in range(4):
        step = np.zeros_like(c0)
        step[0, j] = eps
        _, up = lstm.forward(params, xs, (h0, c0 + step))
        _, down = lstm.forward(params, xs, (h0, c0 - step))
        jac[:, j] = (up.cs[0, 0] - down.cs[0, 0]) / (2 * eps)
    assert np.allclose(jac, np.diag(cache.f[0, 0]), atol=1e-9)


def test_gates_and_states_follow_the_equations():
    params, xs, (h0, c0), _ = _case(3, 2, 2, 3, seed=5)
    hs, cache = lstm.forward(params, xs, (h0, c0))
    H = 3
    h, c = h0, c0
    for t in range(3):
        a = xs[t] @ params["Wx"].T + h @ params["Wh"].T + params["b"]
        i, f = 1 / (1 + np.exp(-a[:, :H])), 1 / (1 + np.exp(-a[:, H : 2 * H]))
        g, o = np.tanh(a[:, 2 * H : 3 * H]), 1 / (1 + np.exp(-a[:, 3 * H :]))
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, want in zip("ifgo", (i, f, g, o), strict=True):
            assert np.allclose(getattr(cache, name)[t], want, rtol=1e-13, atol=1e-15)
        assert np.allclose(cache.cs[t], c, rtol=1e-13) and np.allclose(hs[t], h, rtol=1e-13)


# --- init ----------------------------------------------------------------------------------


def test_init_shapes_range_and_forget_bias():
    a = lstm.init(3, 5, rng=np.random.default_rng(7))
    b = lstm.init(3, 5, rng=np.random.default_rng(7), forget_bias=1.0)
    assert a["Wx"].shape == (20, 3) and a["Wh"].shape == (20, 5) and a["b"].shape == (20,)
    assert all(v.dtype == np.float64 for v in a.values())
    lim = 1 / np.sqrt(5)
    assert all(np.all(np.abs(v) <= lim) for v in a.values())
    assert np.array_equal(a["Wx"], b["Wx"]) and np.array_equal(a["Wh"], b["Wh"])
    shift = b["b"] - a["b"]
    assert np.allclose(shift[5:10], 1.0) and np.all(shift[:5] == 0) and np.all(shift[10:] == 0)
    assert lstm.init(2, 2, rng=np.random.default_rng(0), dtype=np.float32)["Wx"].dtype == np.float32


def test_forget_bias_one_starts_with_forget_gates_near_sigmoid_one():
    params = lstm.init(1, 8, rng=np.random.default_rng(0), forget_bias=1.0)
    params = {k: v * (0 if k != "b" else 1) for k, v in params.items()}
    params["b"][8:16] = 1.0
    _, cache = lstm.forward(params, np.zeros((2, 1, 1)))
    assert np.allclose(cache.f, 1 / (1 + np.exp(-1.0)), rtol=1e-14)


# --- training loop and bad input -------------------------------------------------------------


def test_fit_trains_an_lstm_on_the_adding_problem():
    rng = np.random.default_rng(0)
    H = 8
    model = {**lstm.init(2, H, rng=rng, forget_bias=1.0), **train.readout_init(H, 1, rng=rng)}
    xs, ys = tasks.adding_problem(64, 10, rng=rng)
    before, _ = train.loss_and_grads(lstm, model, xs, ys)
    out, hist = train.fit(
        lstm, model, lambda step: (xs, ys), steps=60, optimizer=optim.Adam(lr=0.02)
    )
    assert hist.stopped == "" and len(hist.loss) == 60
    after, _ = train.loss_and_grads(lstm, out, xs, ys)
    assert after < 0.5 * before


def test_bad_inputs_raise_clear_errors():
    params, xs, state, weight = _case(3, 2, 2, 3, seed=6)
    with pytest.raises(ValueError, match="xs"):
        lstm.forward(params, xs[:, :, :1], state)
    with pytest.raises(ValueError, match="xs"):
        lstm.forward(params, np.where(xs > 0, np.nan, xs), state)
    with pytest.raises(TypeError, match="h0"):
        lstm.forward(params, xs, state[0])
    with pytest.raises(ValueError, match="c0"):
        lstm.forward(params, xs, (state[0], state[1][:, :2]))
    with pytest.raises(ValueError, match="Wh"):
        lstm.forward({**params, "Wh": params["Wh"][:, :2]}, xs)
    with pytest.raises(ValueError, match="Wx"):
        lstm.forward({**params, "Wx": params["Wx"][:5]}, xs)
    with pytest.raises(ValueError, match="missing"):
        lstm.forward({"Wx": params["Wx"], "Wh": params["Wh"]}, xs)
    _, cache = lstm.forward(params, xs, state)
    with pytest.raises(ValueError, match="truncate"):
        lstm.backward(weight, cache, truncate=-1)
    with pytest.raises(TypeError, match="truncate"):
        lstm.backward(weight, cache, truncate=1.5)
    with pytest.raises(TypeError, match="truncate"):
        lstm.backward(weight, cache, truncate="all")
    with pytest.raises(ValueError, match="dhs"):
        lstm.backward(weight[:, :1], cache)
    with pytest.raises(ValueError, match="dhs"):
        lstm.backward(weight * np.nan, cache)
    with pytest.raises(TypeError, match="cache"):
        lstm.backward(weight, {"hs": weight})
    with pytest.raises(TypeError):
        lstm.backward(weight, cache, truncation=2)  # unknown keyword: Python's own TypeError
    with pytest.raises(TypeError):
        lstm.forward(params, xs, state, activation="tanh")
    with pytest.raises(ValueError, match="forget_bias"):
        lstm.init(2, 3, rng=np.random.default_rng(0), forget_bias=np.inf)
    with pytest.raises(TypeError, match="rng"):
        lstm.init(2, 3, rng=0)
    with pytest.raises(ValueError, match="hidden_size"):
        lstm.init(2, 0, rng=np.random.default_rng(0))


def test_explorer_bias_channel_adds_exactly_the_forget_bias():
    """nb05.gradient_profiles batches the forget biases through an extra input channel;
    recompute one bias the plain way (bias added to b[H:2H]) and compare."""
    from helpers import gru as gru_mod
    from helpers import rnn
    from helpers.explorers import nb05

    D, H, S = nb05.INPUT_SIZE, nb05.HIDDEN_SIZE, nb05.SAMPLES
    rng = np.random.default_rng(5)  # the builder's default seed, same draw order
    rnn.init(D, H, rng=rng)
    gru_mod.init(D, H, rng=rng)
    base = lstm.init(D + 1, H, rng=rng)
    xs = rng.normal(size=(max(nb05.LENGTHS), S, D))
    w = rng.normal(size=(S, H))
    profiles = nb05.gradient_profiles()
    T = nb05.LENGTHS[1]
    for k in (0, 6, len(nb05.FORGET_BIASES) - 1):
        params = {"Wx": base["Wx"][:, :D], "Wh": base["Wh"], "b": base["b"].copy()}
        params["b"][H : 2 * H] += nb05.FORGET_BIASES[k]
        _, cache = lstm.forward(params, xs[:T])
        dhs = np.zeros((T, S, H))
        dhs[-1] = w
        *_, dxs = lstm.backward(dhs, cache, return_dxs=True)
        norms = np.linalg.norm(dxs, axis=-1).mean(axis=-1)
        assert np.allclose(profiles[T]["lstm"][k], norms / norms[-1], rtol=1e-9, atol=0)
