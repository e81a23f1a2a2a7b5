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

A stack of M models (``init_stack``; see ``helpers.stacking``): every parameter with a
leading axis M, ``xs`` (T, B, D) shared or (M, T, B, D), ``h0`` and ``hs`` (M, T, B, H).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

from helpers import stacking
from helpers._buffers import carve
from helpers._validate import (
    as_array,
    as_float_dtype,
    as_int,
    as_real_array,
    check_params,
    check_size,
)

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
    check_size("hidden_size", (3 * H, H))
    check_size("input_size", (3 * H, D))
    dt = as_float_dtype("dtype", dtype)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    lim = 1.0 / np.sqrt(H)
    shapes = {"Wx": (3 * H, D), "Wh": (3 * H, H), "bx": (3 * H,), "bh": (3 * H,)}
    return {k: rng.uniform(-lim, lim, size=s).astype(dt) for k, s in shapes.items()}


def init_stack(
    input_size: int, hidden_size: int, *, seeds: Sequence[int], **init_kwargs: Any
) -> dict[str, np.ndarray]:
    """M models on a leading axis: ``Wx (M, 3H, D)``, ``Wh (M, 3H, H)``, ``bx``, ``bh`` (M, 3H).

    Model m is ``init(input_size, hidden_size, rng=np.random.default_rng(seeds[m]), ...)``.
    """
    models = [init(input_size, hidden_size, rng=rng, **init_kwargs) for rng in stacking.rngs(seeds)]
    return stacking.stack(models)


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^(−a)), element-wise, without overflow for large |a|.

    ``a``: an array (or a number) of reals; ±inf give 0 and 1, NaN is refused.
    """
    x = as_real_array("a", a, allow_inf=True)
    return 0.5 * (1.0 + np.tanh(0.5 * x))


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


def _shapes(params: object) -> tuple[int, int, tuple[int, ...]]:
    """``(H, D, lead)``: lead is () for one model, (M,) for a stack."""
    if not isinstance(params, dict) or "Wx" not in params:
        raise TypeError(
            "params must be a dict with keys 'Wx', 'Wh', 'bx', 'bh' (see helpers.gru.init)"
        )
    Wx = np.asarray(params["Wx"])
    if Wx.ndim not in (2, 3) or Wx.shape[-2] % 3 or 0 in Wx.shape[:-1]:
        raise ValueError(
            f"params['Wx'] must have shape (3H, D), or (M, 3H, D) for a stack, got {Wx.shape}"
        )
    return Wx.shape[-2] // 3, Wx.shape[-1], Wx.shape[:-2]


def forward(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
) -> tuple[np.ndarray, Cache]:
    """Run the GRU over a batch: ``xs`` (T, B, D) → ``hs`` (T, B, H) and a ``Cache``.

    ``h0`` is (B, H) or (H,) (broadcast over the batch); default zeros. A stack (params
    with a leading axis M): ``xs`` (T, B, D) or (M, T, B, D), ``h0`` (M, B, H) or (H,),
    ``hs`` (M, T, B, H).
    """
    H, D, L = _shapes(params)
    shapes = {"Wx": (*L, 3 * H, D), "Wh": (*L, 3 * H, H), "bx": (*L, 3 * H), "bh": (*L, 3 * H)}
    p = check_params("params", params, shapes)
    dtype = np.result_type(p["Wx"].dtype, np.float32)
    x = stacking._inputs("xs", xs, L, D, dtype)
    T, B = x.shape[-3:-1]
    if h0 is None:
        h = np.zeros((*L, B, H), dtype=dtype)
    else:
        h = stacking._initial_state("h0", h0, L, B, H, dtype)
    Wx, Wh, bx, bh = (p[k].astype(dtype, copy=False) for k in PARAM_NAMES)
    # σ(a) = (1 + tanh(a/2)) / 2: the r and z rows are pre-scaled by 1/2 so that one tanh
    # and one multiply-add give both gates.
    half = np.ones(3 * H, dtype=dtype)
    half[: 2 * H] = 0.5
    # Everything the cache stores, carved from one allocation (no other (T, B, ·) array
    # is made): large fresh arrays cost page faults on every call, and NumPy asks the
    # kernel for huge pages (far fewer faults) only for allocations of 4 MiB or more.
    # With a stack every array has the leading model axis; [..., t, :, :] is step t.
    gates, hn, hs = carve(dtype, (*L, T, B, 3 * H), (*L, T, B, H), (*L, T, B, H))
    # The input projection of all steps at once: one matrix product instead of T.
    np.matmul(
        x.reshape(*x.shape[:-3], T * B, D),
        (Wx * half[:, None]).mT,
        out=gates.reshape(*L, T * B, 3 * H),
    )
    gates += (bx * half)[..., None, None, :] if L else bx * half
    WhT = np.ascontiguousarray((Wh * half[:, None]).mT)
    bhs = (bh * half)[..., None, :] if L else bh * half
    act = gates.reshape(*L, T, B, 3, H)
    r, z, n = (act[..., j, :] for j in range(3))  # (*L, T, B, H) views, filled step by step
    ah = np.empty((*L, B, 3 * H), dtype=dtype)  # W_h h_{t-1} + b_h, reused every step
    tmp = np.empty((*L, B, H), dtype=dtype)
    h_init = h
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T):
            a = gates[..., t, :, :]  # a view: the activations overwrite the input part
            rt, zt, nt, hnt = r[..., t, :, :], z[..., t, :, :], n[..., t, :, :], hn[..., t, :, :]
            np.matmul(h, WhT, out=ah)
            ah += bhs
            rz = a[..., : 2 * H]
            rz += ah[..., : 2 * H]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5  # r, z
            hnt[...] = ah[..., 2 * H :]  # W_hn h + b_hn
            nt += np.multiply(rt, hnt, out=tmp)
            np.tanh(nt, out=nt)  # n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
            h = np.multiply(zt, h, out=hs[..., t, :, :])
            np.subtract(1.0, zt, out=tmp)
            h += np.multiply(tmp, nt, out=tmp)  # h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
    return hs, Cache(params=p, xs=x, hs=hs, gates=gates, hn=hn, h0=h_init)


def _local_factors(cache: Cache, daxs: np.ndarray, dahs: np.ndarray) -> np.ndarray:
    """Per-step factors of the backward pass for all steps at once (vectorised over T).

    With gh = ∂L/∂h_s: da_n = gh ⊙ (1 − z)(1 − n²), da_r = da_n ⊙ hn ⊙ r(1 − r),
    da_z = gh ⊙ (h_{s-1} − n) z(1 − z); the recurrent side W_h h + b_h gets (da_r, da_z,
    r ⊙ da_n); and ∂L/∂h_{s-1} = gh ⊙ z + ∂L/∂(W_h h) W_h. So both blocks are gh times a
    fixed factor: writes ``Kx`` into ``daxs`` and ``Kh`` into ``dahs`` (both (T, B, 3, H)),
    with ∂L/∂(W_x x + b_x) = gh ⊙ Kx[s] and ∂L/∂(W_h h + b_h) = gh ⊙ Kh[s], where the
    backward loop scales them in place; returns ``z`` (T, B, H), a view of the gates.
    Every factor is built in place, without (T, B, H) temporaries.
    """
    act = cache.gates.reshape(daxs.shape)
    r, z, n = (act[..., j, :] for j in range(3))
    dr, dz, dn = (daxs[..., j, :] for j in range(3))
    scratch = dahs[..., 2, :]  # free until Kh's n block is written, last
    # σ'(a) = σ(1 − σ) for r and z: two passes over both blocks at once
    np.subtract(1.0, act[..., :2, :], out=daxs[..., :2, :])
    daxs[..., :2, :] *= act[..., :2, :]
    np.multiply(n, n, out=dn)  # dn = (1 − z)(1 − n²)
    np.subtract(1.0, dn, out=dn)
    np.subtract(1.0, z, out=scratch)
    dn *= scratch
    dr *= cache.hn  # dr = dn ⊙ hn ⊙ r(1 − r)
    dr *= dn
    # dz = (h_{s-1} − n) ⊙ z(1 − z)
    np.subtract(cache.h0, n[..., 0, :, :], out=scratch[..., 0, :, :])
    np.subtract(cache.hs[..., :-1, :, :], n[..., 1:, :, :], out=scratch[..., 1:, :, :])
    dz *= scratch
    dahs[..., :2, :] = daxs[..., :2, :]  # Kh = (dr, dz, r ⊙ dn)
    np.multiply(dn, r, out=dahs[..., 2, :])
    return z


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
    T, B, H = hs.shape[-3:]
    L = hs.shape[:-3]  # () for one model, (M,) for a stack
    gin = as_array("dhs", dhs, shape=hs.shape, dtype=hs.dtype, finite=True)
    k = None if truncate is None else as_int("truncate", truncate, min_value=0)
    if not isinstance(return_dxs, bool):
        raise TypeError(f"return_dxs must be True or False, got {return_dxs!r}")
    Wh = cache.params["Wh"].astype(hs.dtype, copy=False)
    # ∂L/∂(W_x x + b_x) and ∂L/∂(W_h h + b_h), blocks r, z, n: they hold the factors Kx, Kh
    # first (see _local_factors) and the loop scales them in place, step by step.
    daxs, dahs = carve(hs.dtype, (*L, T, B, 3, H), (*L, T, B, 3, H))
    with np.errstate(over="ignore", invalid="ignore"):
        if L:  # chunk by chunk of models: each chunk's factors fit in the CPU cache
            for m in stacking._chunks(L[0], 2 * daxs[0].nbytes):
                one = Cache(cache.params, cache.xs, hs[m], cache.gates[m], cache.hn[m], cache.h0[m])
                _local_factors(one, daxs[m], dahs[m])
            z = cache.gates.reshape(daxs.shape)[..., 1, :]
        else:
            z = _local_factors(cache, daxs, dahs)
        if k is None or k >= T:
            gh = np.zeros((*L, B, H), dtype=hs.dtype)  # ∂L/∂h_s from the future
            nxt = np.empty((*L, B, H), dtype=hs.dtype)  # ∂L/∂h_{s-1}, then swapped with gh
            gz = np.empty((*L, B, H), dtype=hs.dtype)
            for s in range(T - 1, -1, -1):
                gh += gin[..., s, :, :]
                g3 = gh[..., None, :]
                daxs[..., s, :, :, :] *= g3  # Kx[s] ⊙ gh
                dahs[..., s, :, :, :] *= g3  # Kh[s] ⊙ gh
                np.matmul(dahs[..., s, :, :, :].reshape(*L, B, 3 * H), Wh, out=nxt)
                nxt += np.multiply(gh, z[..., s, :, :], out=gz)  # ∂L/∂h_{s-1}
                gh, nxt = nxt, gh
            dh0 = gh
        else:
            n = k + 1
            # Slot t % n holds the error signal of the loss injected at step t while it
            # has crossed at most k recurrent factors; older signals are overwritten.
            # Every buffer is allocated once, outside the loop.
            inflight = np.zeros((*L, n, B, H), dtype=hs.dtype)
            carried = np.empty_like(inflight)
            dx = np.empty((*L, n, B, 3, H), dtype=hs.dtype)
            dh = np.empty_like(dx)
            Wh_n = Wh[..., None, :, :] if L else Wh  # broadcast over the n slots
            for s in range(T - 1, -1, -1):
                inflight[..., s % n, :, :] = gin[..., s, :, :]
                g3 = inflight[..., None, :]
                # daxs[s], dahs[s] still hold Kx[s], Kh[s]
                np.multiply(daxs[..., s : s + 1, :, :, :], g3, out=dx)
                np.multiply(dahs[..., s : s + 1, :, :, :], g3, out=dh)
                np.sum(dx, axis=-4, out=daxs[..., s, :, :, :])
                np.sum(dh, axis=-4, out=dahs[..., s, :, :, :])
                if k > 0:
                    np.multiply(inflight, z[..., s : s + 1, :, :], out=carried)
                    np.matmul(dh.reshape(*L, n, B, 3 * H), Wh_n, out=inflight)
                    inflight += carried
            # Signals injected at t < k have crossed t + 1 <= k factors: they reach h0.
            dh0 = (
                inflight[..., : min(k, T), :, :].sum(axis=-3)
                if k > 0
                else np.zeros((*L, B, H), hs.dtype)
            )
        fx = daxs.reshape(*L, T * B, 3 * H)
        fh = dahs.reshape(*L, T * B, 3 * H)
        # ∂L/∂Wh = Σ_s ∂L/∂(W_h h)_s h_{s-1}ᵀ: h0 for s = 0, hs[s-1] after (no concatenated copy).
        dWh = fh[..., B:, :].mT @ hs[..., :-1, :, :].reshape(*L, (T - 1) * B, H)
        dWh += fh[..., :B, :].mT @ cache.h0
        xs = cache.xs
        grads = {
            "Wx": fx.mT @ xs.reshape(*xs.shape[:-3], T * B, xs.shape[-1]),
            "Wh": dWh,
            "bx": fx.sum(axis=-2),
            "bh": fh.sum(axis=-2),
        }
        if return_dxs:
            Wx = cache.params["Wx"].astype(hs.dtype, copy=False)
            dxs = daxs.reshape(*L, T, B, 3 * H) @ (Wx[..., None, :, :] if L else Wx)
            return grads, dh0, dxs
    return grads, dh0
