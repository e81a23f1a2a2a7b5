"""GRU, the equations and layout of ``torch.nn.GRU``, with full and truncated BPTT.

One step, gate order (r, z, n) stacked in the rows of the weights::

    r  = σ(W_ir x + b_ir + W_hr h + b_hr)          reset gate
    z  = σ(W_iz x + b_iz + W_hz h + b_hz)          update gate
    n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))  candidate
    h' = (1 − z) ⊙ n + z ⊙ h

Shapes (time-major)::

    xs (T, B, D)   hs (T, B, H)   h0 (B, H)
    Wx (3H, D)     Wh (3H, H)     bx (3H,)   bh (3H,)

The path h → h' through ``z ⊙ h`` is element-wise: where z ≈ 1 the state (and its
gradient) is carried over unchanged, as along the LSTM's cell state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np

from helpers._validate import as_array, as_int, check_params

PARAM_NAMES = ("Wx", "Wh", "bx", "bh")
GATES = ("r", "z", "n")


def init(
    input_size: int,
    hidden_size: int,
    *,
    rng: np.random.Generator,
    dtype: type = np.float64,
) -> dict[str, np.ndarray]:
    """New parameters ``{"Wx": (3H, D), "Wh": (3H, H), "bx": (3H,), "bh": (3H,)}``.

    Every entry from U(−1/√H, 1/√H), as ``torch.nn.GRU`` does.
    """
    D = as_int("input_size", input_size, min_value=1)
    H = as_int("hidden_size", hidden_size, min_value=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    lim = 1.0 / np.sqrt(H)
    shapes = {"Wx": (3 * H, D), "Wh": (3 * H, H), "bx": (3 * H,), "bh": (3 * H,)}
    return {k: rng.uniform(-lim, lim, size=s).astype(dtype) for k, s in shapes.items()}


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^(−a)), without overflow warnings for large |a|."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


@dataclass
class Cache:
    """What ``backward`` needs, and what the notebook looks at.

    ``gates`` (T, B, 3H) holds r, z, n side by side (properties ``r``, ``z``, ``n`` give
    each as (T, B, H)); ``hn`` (T, B, H) is W_hn h_{t-1} + b_hn, the part the reset gate scales.
    """

    params: dict[str, np.ndarray]
    xs: np.ndarray
    hs: np.ndarray
    gates: np.ndarray
    hn: np.ndarray
    h0: np.ndarray

    def _slice(self, k: int) -> np.ndarray:
        H = self.hs.shape[-1]
        return self.gates[..., k * H : (k + 1) * H]

    @property
    def r(self) -> np.ndarray:
        """Reset gate r_t, (T, B, H)."""
        return self._slice(0)

    @property
    def z(self) -> np.ndarray:
        """Update gate z_t, (T, B, H)."""
        return self._slice(1)

    @property
    def n(self) -> np.ndarray:
        """Candidate n_t, (T, B, H)."""
        return self._slice(2)

    @property
    def nbytes(self) -> int:
        """Bytes of stored activations (inputs, states, gates)."""
        return int(sum(a.nbytes for a in (self.xs, self.hs, self.gates, self.hn, self.h0)))


def _shapes(params: object) -> tuple[int, int]:
    if not isinstance(params, dict) or "Wx" not in params:
        raise TypeError(
            "params must be a dict with keys 'Wx', 'Wh', 'bx', 'bh' (see helpers.gru.init)"
        )
    Wx = np.asarray(params["Wx"])
    if Wx.ndim != 2 or Wx.shape[0] % 3 or Wx.shape[0] == 0:
        raise ValueError(f"params['Wx'] must have shape (3H, D), got {Wx.shape}")
    return Wx.shape[0] // 3, Wx.shape[1]


def forward(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
) -> tuple[np.ndarray, Cache]:
    """Run the GRU over a batch: ``xs`` (T, B, D) → ``hs`` (T, B, H) and a ``Cache``.

    ``h0`` is (B, H) or (H,) (broadcast over the batch); default zeros.
    """
    H, D = _shapes(params)
    shapes = {"Wx": (3 * H, D), "Wh": (3 * H, H), "bx": (3 * H,), "bh": (3 * H,)}
    p = check_params("params", params, shapes)
    dtype = np.result_type(p["Wx"].dtype, np.float32)
    x = as_array("xs", xs, ndim=3, shape=(None, None, D), dtype=dtype)
    T, B, _ = x.shape
    if T == 0 or B == 0:
        raise ValueError(f"xs must have at least one time step and one sequence, got {x.shape}")
    if h0 is None:
        h = np.zeros((B, H), dtype=dtype)
    else:
        h = as_array("h0", h0, dtype=dtype)
        if h.shape == (H,):
            h = np.broadcast_to(h, (B, H)).copy()
        elif h.shape != (B, H):
            raise ValueError(f"h0 must have shape (B, H) = {(B, H)} or (H,), got {h.shape}")
    Wx, Wh, bx, bh = (p[k].astype(dtype, copy=False) for k in PARAM_NAMES)
    # σ(a) = (1 + tanh(a/2)) / 2: the r and z rows are pre-scaled by 1/2 so that one tanh
    # and one multiply-add give both gates.
    half = np.ones(3 * H, dtype=dtype)
    half[: 2 * H] = 0.5
    # The input projection of all steps at once: one matrix product instead of T.
    gates = (x.reshape(T * B, D) @ (Wx * half[:, None]).T).reshape(T, B, 3 * H)
    gates += bx * half
    WhT = np.ascontiguousarray((Wh * half[:, None]).T)
    bhs = bh * half
    hs = np.empty((T, B, H), dtype=dtype)
    hn = np.empty((T, B, H), dtype=dtype)
    h_init = h
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T):
            a = gates[t]  # a view: the activations overwrite the input pre-activations
            ah = h @ WhT
            ah += bhs
            rz = a[:, : 2 * H]
            rz += ah[:, : 2 * H]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5  # r, z
            hn[t] = ah[:, 2 * H :]  # W_hn h + b_hn
            nn = a[:, 2 * H :]
            nn += a[:, :H] * hn[t]
            np.tanh(nn, out=nn)  # n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
            z = a[:, H : 2 * H]
            h = np.multiply(z, h, out=hs[t])
            h += (1.0 - z) * nn  # h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
    return hs, Cache(params=p, xs=x, hs=hs, gates=gates, hn=hn, h0=h_init)


def _local_factors(cache: Cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-step factors of the backward pass for all steps at once (vectorised over T).

    With gh = ∂L/∂h_s: da_n = gh ⊙ (1 − z)(1 − n²), da_r = da_n ⊙ hn ⊙ r(1 − r),
    da_z = gh ⊙ (h_{s-1} − n) z(1 − z); the recurrent side W_h h + b_h gets (da_r, da_z,
    r ⊙ da_n); and ∂L/∂h_{s-1} = gh ⊙ z + ∂L/∂(W_h h) W_h. So both blocks are gh times a
    fixed factor: returns ``Kx``, ``Kh`` (T, B, 3, H) with ∂L/∂(W_x x + b_x) = gh ⊙ Kx[s]
    and ∂L/∂(W_h h + b_h) = gh ⊙ Kh[s], and ``z`` (T, B, H).
    """
    T, B, H = cache.hs.shape
    act = cache.gates.reshape(T, B, 3, H)
    r, z, n = act[:, :, 0], act[:, :, 1], act[:, :, 2]
    hprev = np.concatenate([cache.h0[None], cache.hs[:-1]], axis=0)
    dn = (1.0 - z) * (1.0 - n * n)
    dr = dn * cache.hn * r * (1.0 - r)
    dz = (hprev - n) * z * (1.0 - z)
    Kx = np.stack([dr, dz, dn], axis=2)
    Kh = np.stack([dr, dz, dn * r], axis=2)
    return Kx, Kh, np.ascontiguousarray(z)


@overload
def backward(
    dhs: np.ndarray,
    cache: Cache,
    *,
    truncate: int | None = None,
    return_dxs: Literal[False] = False,
) -> tuple[dict[str, np.ndarray], np.ndarray]: ...
@overload
def backward(
    dhs: np.ndarray, cache: Cache, *, truncate: int | None = None, return_dxs: Literal[True]
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]: ...


def backward(dhs, cache, *, truncate=None, return_dxs=False):
    """Backpropagation through time for the GRU.

    ``dhs`` (T, B, H) is ∂L/∂h_t injected at every step (zeros where no loss is attached).
    Returns ``(grads, dh0)`` with ``grads`` keyed like the params and ``dh0`` (B, H); with
    ``return_dxs=True`` also ``dxs`` (T, B, D) = ∂L/∂x_t.

    ``truncate=k``: for the loss injected at step t keep only the k most recent recurrent
    factors ∂h_s/∂h_{s-1}; ``k=0`` means no gradient through the recurrence, ``None`` or
    ``k >= T`` is full BPTT. Full BPTT costs O(T), truncation O(T·k).
    """
    if not isinstance(cache, Cache):
        raise TypeError("cache must be the Cache returned by helpers.gru.forward")
    hs = cache.hs
    T, B, H = hs.shape
    gin = as_array("dhs", dhs, shape=(T, B, H), dtype=hs.dtype, finite=True)
    k = None if truncate is None else as_int("truncate", truncate, min_value=0)
    Wh = cache.params["Wh"].astype(hs.dtype, copy=False)
    hprev = np.concatenate([cache.h0[None], hs[:-1]], axis=0)
    daxs = np.empty((T, B, 3, H), dtype=hs.dtype)  # ∂L/∂(W_x x + b_x), blocks r, z, n
    dahs = np.empty((T, B, 3, H), dtype=hs.dtype)  # ∂L/∂(W_h h + b_h), blocks r, z, n
    with np.errstate(over="ignore", invalid="ignore"):
        Kx, Kh, z = _local_factors(cache)
        if k is None or k >= T:
            gh = np.zeros((B, H), dtype=hs.dtype)  # ∂L/∂h_s from the future
            for s in range(T - 1, -1, -1):
                gh += gin[s]
                g3 = gh[:, None, :]
                np.multiply(Kx[s], g3, out=daxs[s])
                np.multiply(Kh[s], g3, out=dahs[s])
                nxt = dahs[s].reshape(B, 3 * H) @ Wh
                nxt += gh * z[s]  # ∂L/∂h_{s-1}
                gh = nxt
            dh0 = gh
        else:
            n = k + 1
            # Slot t % n holds the error signal of the loss injected at step t while it
            # has crossed at most k recurrent factors; older signals are overwritten.
            inflight = np.zeros((n, B, H), dtype=hs.dtype)
            for s in range(T - 1, -1, -1):
                inflight[s % n] = gin[s]
                g3 = inflight[:, :, None, :]
                dh = Kh[s] * g3
                daxs[s], dahs[s] = (Kx[s] * g3).sum(axis=0), dh.sum(axis=0)
                if k > 0:
                    inflight = inflight * z[s] + dh.reshape(n, B, 3 * H) @ Wh
            # Signals injected at t < k have crossed t + 1 <= k factors: they reach h0.
            dh0 = inflight[: min(k, T)].sum(axis=0) if k > 0 else np.zeros((B, H), hs.dtype)
        daxs = daxs.reshape(T, B, 3 * H)
        dahs = dahs.reshape(T, B, 3 * H)
        fx = daxs.reshape(T * B, 3 * H)
        fh = dahs.reshape(T * B, 3 * H)
        grads = {
            "Wx": fx.T @ cache.xs.reshape(T * B, -1),
            "Wh": fh.T @ hprev.reshape(T * B, H),
            "bx": fx.sum(axis=0),
            "bh": fh.sum(axis=0),
        }
        if return_dxs:
            dxs = daxs @ cache.params["Wx"].astype(hs.dtype, copy=False)
            return grads, dh0, dxs
    return grads, dh0
