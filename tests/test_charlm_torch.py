"""Notebook 09's PyTorch table, checked where torch is installed (the benchmarks' torch
environment; skipped elsewhere): one chunk of ``charlm.loss_and_grads`` with a carried state
is ``nn.RNN`` + ``cross_entropy`` after ``h = h.detach()``, and ``clip_grad_norm_`` after
``backward()`` returns the norm that ``helpers.clip`` measures; without ``detach`` the next
``backward()`` fails, and ``retain_graph=True`` fails after ``opt.step()``.

Run: ``.local/bench-torch/bin/python -m pytest -q tests/test_charlm_torch.py`` (the venv that
``make bench`` creates); passed with torch 2.14.1 on CPU."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import charlm, clip, stacking

torch = pytest.importorskip("torch")


def _torch_model(params):
    V, H = params["Wy"].shape
    rnn, head = torch.nn.RNN(V, H, dtype=torch.float64), torch.nn.Linear(H, V, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["Wx"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["Wh"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        rnn.bias_hh_l0.zero_()
        head.weight.copy_(torch.from_numpy(params["Wy"]))
        head.bias.copy_(torch.from_numpy(params["by"]))
    return rnn, head


def test_detach_is_truncation_with_the_state_carried():
    V, H, T, B = 7, 5, 6, 3
    params = stacking.unstack(charlm.init_stack(V, H, seeds=[4]), 0)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, V, size=(2 * T + 1, B))
    rnn, head = _torch_model(params)
    h_np, h_t = None, torch.zeros(1, B, H, dtype=torch.float64)
    for s in (0, T):  # two chunks: the second starts from the first one's state
        x, y = ids[s : s + T], ids[s + 1 : s + T + 1]
        loss, g, h_np = charlm.loss_and_grads(params, x, y, h_np)
        h_t = h_t.detach()
        out, h_t = rnn(torch.nn.functional.one_hot(torch.from_numpy(x), V).double(), h_t)
        ref = torch.nn.functional.cross_entropy(
            head(out).reshape(T * B, V), torch.from_numpy(y).reshape(T * B)
        )
        for p in (*rnn.parameters(), *head.parameters()):
            p.grad = None
        ref.backward()
        norm = torch.nn.utils.clip_grad_norm_([*rnn.parameters(), *head.parameters()], 1e9)
        assert abs(loss - ref.item()) < 1e-12
        pairs = {
            "Wx": rnn.weight_ih_l0,
            "Wh": rnn.weight_hh_l0,
            "b": rnn.bias_ih_l0,
            "Wy": head.weight,
            "by": head.bias,
        }
        for k, p in pairs.items():
            np.testing.assert_allclose(g[k], p.grad.numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(h_np, h_t[0].detach().numpy(), rtol=1e-12)
        # torch's norm counts bias_hh's gradient too, equal to bias_ih's
        g_all = {**g, "b_hh": g["b"]}
        assert abs(clip.clip_by_global_norm(g_all, 1.0)[1] - norm.item()) < 1e-10


@pytest.mark.parametrize(("retain", "message"), [(False, "a second time"), (True, "inplace")])
def test_forgetting_detach_fails_in_torch(retain, message):
    rnn, head = _torch_model(stacking.unstack(charlm.init_stack(5, 4, seeds=[1]), 0))
    opt = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=0.01)
    h = torch.zeros(1, 2, 4, dtype=torch.float64)
    with pytest.raises(RuntimeError, match=message):
        for _ in range(3):
            out, h = rnn(torch.randn(4, 2, 5, dtype=torch.float64), h)  # no h.detach()
            loss = head(out).square().mean()
            opt.zero_grad()
            loss.backward(retain_graph=retain)
            opt.step()
