"""Make ``torch_reference.npz``: forward and backward of ``torch.nn.LSTM``/``torch.nn.GRU``.

The reference the tests compare ``helpers.lstm`` and ``helpers.gru`` to. torch is NOT a
dependency of the course; run this once in a scratch environment outside the repository::

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/data/make_torch_reference.py

Case: T = 5 steps, batch B = 3, input D = 2, hidden H = 4, float64, random weights and a
non-zero initial state; the loss is L = Σ_t Σ (W_t ⊙ h_t) with a random weighting W
(so ∂L/∂h_t = W_t at every step). Saved per cell ("lstm_…", "gru_…"): inputs, weights in
the helpers' layout, outputs, final states and the gradients of every weight, the inputs
and the initial state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

T, B, D, H = 5, 3, 2, 4
OUT = Path(__file__).with_name("torch_reference.npz")


def main() -> None:
    """Run both cells in torch (float64) and save everything to ``torch_reference.npz``."""
    torch.manual_seed(0)
    rng = np.random.default_rng(20260522)
    out: dict[str, np.ndarray] = {"torch_version": np.array(torch.__version__)}

    xs = rng.normal(size=(T, B, D))
    weight = rng.normal(size=(T, B, H))
    out["xs"], out["dhs"] = xs, weight

    # --- LSTM: gate order (i, f, g, o); helpers' b = b_ih + b_hh -------------------------
    lstm = torch.nn.LSTM(D, H, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(lstm, name).copy_(
                torch.from_numpy(rng.normal(scale=0.6, size=getattr(lstm, name).shape))
            )
    x = torch.from_numpy(xs).requires_grad_(True)
    h0 = torch.from_numpy(rng.normal(scale=0.5, size=(1, B, H))).requires_grad_(True)
    c0 = torch.from_numpy(rng.normal(scale=0.5, size=(1, B, H))).requires_grad_(True)
    hs, (hT, cT) = lstm(x, (h0, c0))
    (hs * torch.from_numpy(weight)).sum().backward()
    out |= {
        "lstm_Wx": lstm.weight_ih_l0.detach().numpy(),
        "lstm_Wh": lstm.weight_hh_l0.detach().numpy(),
        "lstm_b": (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy(),
        "lstm_h0": h0.detach().numpy()[0],
        "lstm_c0": c0.detach().numpy()[0],
        "lstm_hs": hs.detach().numpy(),
        "lstm_hT": hT.detach().numpy()[0],
        "lstm_cT": cT.detach().numpy()[0],
        "lstm_dWx": lstm.weight_ih_l0.grad.numpy(),
        "lstm_dWh": lstm.weight_hh_l0.grad.numpy(),
        "lstm_db": lstm.bias_ih_l0.grad.numpy(),  # = bias_hh_l0.grad: both enter as a sum
        "lstm_db_hh": lstm.bias_hh_l0.grad.numpy(),
        "lstm_dxs": x.grad.numpy().copy(),
        "lstm_dh0": h0.grad.numpy()[0],
        "lstm_dc0": c0.grad.numpy()[0],
    }

    # --- GRU: gate order (r, z, n); two separate biases --------------------------------
    gru = torch.nn.GRU(D, H, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(gru, name).copy_(
                torch.from_numpy(rng.normal(scale=0.6, size=getattr(gru, name).shape))
            )
    x = torch.from_numpy(xs).requires_grad_(True)
    h0 = torch.from_numpy(rng.normal(scale=0.5, size=(1, B, H))).requires_grad_(True)
    hs, hT = gru(x, h0)
    (hs * torch.from_numpy(weight)).sum().backward()
    out |= {
        "gru_Wx": gru.weight_ih_l0.detach().numpy(),
        "gru_Wh": gru.weight_hh_l0.detach().numpy(),
        "gru_bx": gru.bias_ih_l0.detach().numpy(),
        "gru_bh": gru.bias_hh_l0.detach().numpy(),
        "gru_h0": h0.detach().numpy()[0],
        "gru_hs": hs.detach().numpy(),
        "gru_hT": hT.detach().numpy()[0],
        "gru_dWx": gru.weight_ih_l0.grad.numpy(),
        "gru_dWh": gru.weight_hh_l0.grad.numpy(),
        "gru_dbx": gru.bias_ih_l0.grad.numpy(),
        "gru_dbh": gru.bias_hh_l0.grad.numpy(),
        "gru_dxs": x.grad.numpy().copy(),
        "gru_dh0": h0.grad.numpy()[0],
    }
    np.savez(OUT, **out)
    print(f"wrote {OUT} ({len(out)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
