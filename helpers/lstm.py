"""LSTM with a forget gate, the layout of ``torch.nn.LSTM``, with full and truncated BPTT.

One step, gate order (i, f, g, o) stacked in the rows of ``Wx``, ``Wh`` and ``b``::

    a  = x @ Wx.T + h @ Wh.T + b            (B, 4H), split into a_i, a_f, a_g, a_o
    i  = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
    c' = f ⊙ c + i ⊙ g                      the cell state: an element-wise path
    h' = o ⊙ tanh(c')

Shapes (time-major)::

    xs (T, B, D)   hs, cs (T, B, H)   h0, c0 (B, H)
    Wx (4H, D)     Wh (4H, H)         b (4H,)   (torch's b_ih + b_hh)

Along the cell-state path ∂c_t/∂c_{t-1} = diag(f_t): the gradient is scaled
element-wise by the forget gate, with no weight matrix and no squashing derivative.

A stack of M models (``init_stack``; see ``helpers.stacking``): every parameter with a
leading axis M, ``xs`` (T, B, D) shared or (M, T, B, D), states and ``hs`` (M, T, B, H).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

from helpers import _buffers, stacking
from helpers._buffers import carve
from helpers._validate import (
    as_array,
    as_float,
    as_float_dtype,
    as_int,
    as_real_array,
    check_params,
    check_size,
)

PARAM_NAMES = ("Wx", "Wh", "b")
GATES = ("i", "f", "g", "o")


def init(
    input_size: int,
    hidden_size: int,
    *,
    rng: np.random.Generator,
    forget_bias: float = 0.0,
    dtype: type = np.float64,
) -> dict[str, np.ndarray]:
    """New parameters ``{"Wx": (4H, D), "Wh": (4H, H), "b": (4H,)}``.

    Every entry is drawn from U(−1/√H, 1/√H), as ``torch.nn.LSTM`` does (its two biases
    summed would be wider; here ``b`` is drawn once), then ``forget_bias`` is added to
    the forget-gate slice ``b[H:2H]`` (1.0 is the advice of Jozefowicz et al. 2015).
    """
    D = as_int("input_size", input_size, min_value=1)
    H = as_int("hidden_size", hidden_size, min_value=1)
    check_size("hidden_size", (4 * H, H))
    check_size("input_size", (4 * H, D))
    dt = as_float_dtype("dtype", dtype)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    fb = as_float("forget_bias", forget_bias)
    lim = 1.0 / np.sqrt(H)
    Wx = rng.uniform(-lim, lim, size=(4 * H, D))
    Wh = rng.uniform(-lim, lim, size=(4 * H, H))
    b = rng.uniform(-lim, lim, size=4 * H)
    b[H : 2 * H] += fb
    return {"Wx": Wx.astype(dt), "Wh": Wh.astype(dt), "b": b.astype(dt)}


def init_stack(
    input_size: int, hidden_size: int, *, seeds: Sequence[int], **init_kwargs: Any
) -> dict[str, np.ndarray]:
    """M models on a leading axis: ``Wx (M, 4H, D)``, ``Wh (M, 4H, H)``, ``b (M, 4H)``.

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

    ``gates`` (T, B, 4H) holds the activations i, f, g, o (after σ / tanh) side by side;
    the properties ``i``, ``f``, ``g``, ``o`` give each as (T, B, H). ``cs`` (T, B, H) are
    the cell states, ``tanh_c`` their tanh, ``hs`` the hidden states, ``h0``/``c0``
    (B, H) the initial state.
    """

    params: dict[str, np.ndarray]
    xs: np.ndarray
    hs: np.ndarray
    cs: np.ndarray
    gates: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    tanh_c: np.ndarray

    def _slice(self, k: int) -> np.ndarray:
        H = self.hs.shape[-1]
        return self.gates[..., k * H : (k + 1) * H]

    @property
    def i(self) -> np.ndarray:
        """Input gate i_t, (T, B, H)."""
        return self._slice(0)

    @property
    def f(self) -> np.ndarray:
        """Forget gate f_t, (T, B, H)."""
        return self._slice(1)

    @property
    def g(self) -> np.ndarray:
        """Candidate g_t = tanh(·), (T, B, H)."""
        return self._slice(2)

    @property
    def o(self) -> np.ndarray:
        """Output gate o_t, (T, B, H)."""
        return self._slice(3)

    @property
    def nbytes(self) -> int:
        """Bytes of stored activations (inputs, states, gates)."""
        arrays = (self.xs, self.hs, self.cs, self.gates, self.h0, self.c0, self.tanh_c)
        return int(sum(a.nbytes for a in arrays))


def _shapes(params: object) -> tuple[int, int, tuple[int, ...]]:
    """``(H, D, lead)``: lead is () for one model, (M,) for a stack."""
    if not isinstance(params, dict) or "Wx" not in params:
        raise TypeError("params must be a dict with keys 'Wx', 'Wh', 'b' (see helpers.lstm.init)")
    Wx = np.asarray(params["Wx"])
    if Wx.ndim not in (2, 3) or Wx.shape[-2] % 4 or 0 in Wx.shape[:-1]:
        raise ValueError(
            f"params['Wx'] must have shape (4H, D), or (M, 4H, D) for a stack, got {Wx.shape}"
        )
    return Wx.shape[-2] // 4, Wx.shape[-1], Wx.shape[:-2]


def forward(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, Cache]:
    """Run the LSTM over a batch: ``xs`` (T, B, D) → ``hs`` (T, B, H) and a ``Cache``.

    ``h0`` is ``None`` (zeros) or a tuple ``(h0, c0)``, each (B, H) or (H,).
    The cell states are ``cache.cs`` and the gates ``cache.i``, ``.f``, ``.g``, ``.o``.
    A stack (params with a leading axis M): ``xs`` (T, B, D) or (M, T, B, D), states
    (M, B, H) or (H,), ``hs`` (M, T, B, H).
    """
    H, D, lead = _shapes(params)
    p = check_params(
        "params", params, {"Wx": (*lead, 4 * H, D), "Wh": (*lead, 4 * H, H), "b": (*lead, 4 * H)}
    )
    dtype = np.result_type(p["Wx"].dtype, np.float32)
    x = stacking._inputs("xs", xs, lead, D, dtype)
    T, B = x.shape[-3:-1]
    if h0 is None:
        h, c = np.zeros((*lead, B, H), dtype=dtype), np.zeros((*lead, B, H), dtype=dtype)
    else:
        if not isinstance(h0, (tuple, list)) or len(h0) != 2:
            raise TypeError("h0 must be None or a tuple (h0, c0) of arrays of shape (B, H)")
        h = stacking._initial_state("h0", h0[0], lead, B, H, dtype)
        c = stacking._initial_state("c0", h0[1], lead, B, H, dtype)
    Wx, Wh, b = (p[k].astype(dtype, copy=False) for k in PARAM_NAMES)
    # σ(a) = (1 + tanh(a/2)) / 2: with the i, f, o rows of the weights pre-scaled by 1/2,
    # one tanh over all 4H pre-activations gives every gate, then one multiply-add.
    half = np.ones(4 * H, dtype=dtype)
    half[: 2 * H] = half[3 * H :] = 0.5
    shift = np.where(half == 0.5, 0.5, 0.0).astype(dtype)
    # Everything the cache stores, carved from one allocation (no other (T, B, ·) array
    # is made): large fresh arrays cost page faults on every call, and NumPy asks the
    # kernel for huge pages (far fewer faults) only for allocations of 4 MiB or more.
    # With a stack every array has the leading model axis; [..., t, :, :] is step t.
    L = lead
    gates, cs, tanh_c, hs = carve(
        dtype, (*L, T, B, 4 * H), (*L, T, B, H), (*L, T, B, H), (*L, T, B, H)
    )
    # The input projection of all steps at once: one matrix product instead of T.
    np.matmul(
        x.reshape(*x.shape[:-3], T * B, D),
        (Wx * half[:, None]).mT,
        out=gates.reshape(*L, T * B, 4 * H),
    )
    gates += (b * half)[..., None, None, :] if L else b * half
    WhT = np.ascontiguousarray((Wh * half[:, None]).mT)
    rec = np.empty((*L, B, 4 * H), dtype=dtype)  # h_{t-1} @ Wh.T, reused every step
    ig = np.empty((*L, B, H), dtype=dtype)  # i ⊙ g, reused every step
    act = gates.reshape(*L, T, B, 4, H)
    i, f, g, o = (act[..., j, :] for j in range(4))  # (*L, T, B, H) views, filled step by step
    h0_, c0_ = h, c
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T):
            a = gates[..., t, :, :]  # a view: the activations overwrite the pre-activations
            a += np.matmul(h, WhT, out=rec)
            np.tanh(a, out=a)
            a *= half
            a += shift  # now i, f, g, o side by side
            c = np.multiply(f[..., t, :, :], c, out=cs[..., t, :, :])
            c += np.multiply(i[..., t, :, :], g[..., t, :, :], out=ig)  # c_t = f ⊙ c + i ⊙ g
            np.tanh(c, out=tanh_c[..., t, :, :])
            h = np.multiply(o[..., t, :, :], tanh_c[..., t, :, :], out=hs[..., t, :, :])
    cache = Cache(params=p, xs=x, hs=hs, cs=cs, gates=gates, h0=h0_, c0=c0_, tanh_c=tanh_c)
    return hs, cache


def _local_factors(
    cache: Cache, das: np.ndarray, R: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-step factors of the backward pass, for all steps at once (vectorised over T).

    With gh = ∂L/∂h_s and dc = ∂L/∂c_s (total), step s's pre-activation gradients are
    ``da_i, da_f, da_g = dc ⊙ P[s]`` (three blocks) and ``da_o = gh ⊙ Q[s]``, and
    ``dc = gc + gh ⊙ R[s]`` where gc comes through c_{s+1}. Returns (P (T, B, 3, H),
    Q (T, B, H), R (T, B, H), F (T, B, H) = the forget gates, ∂c_s/∂c_{s-1}).

    P and Q are written into ``das`` (T, B, 4, H) itself, where the backward loop scales
    them into ∂L/∂a_s in place; F is a view of the cached gates. Every factor is built
    in place, without (T, B, H) temporaries.
    """
    act = cache.gates.reshape(das.shape)
    i, f, g, o = (act[..., j, :] for j in range(4))
    tc = cache.tanh_c
    P, Q = das[..., :3, :], das[..., 3, :]
    Pi, Pf, Pg = P[..., 0, :], P[..., 1, :], P[..., 2, :]
    # σ'(a) = σ(1 − σ) for the gates i, f, o: two passes over all four blocks at once
    # (block g is overwritten just below).
    np.subtract(1.0, act, out=das)
    das *= act
    Pi *= g  # ∂c/∂a_i = g ⊙ i(1 − i)
    Pf[..., 0, :, :] *= cache.c0  # ∂c/∂a_f = c_{s-1} ⊙ f(1 − f), with c_{s-1} = c0 at s = 0
    Pf[..., 1:, :, :] *= cache.cs[..., :-1, :, :]
    np.multiply(g, g, out=Pg)  # ∂c/∂a_g = i ⊙ (1 − g²)
    np.subtract(1.0, Pg, out=Pg)
    Pg *= i
    Q *= tc  # ∂h/∂a_o = tanh(c) ⊙ o(1 − o)
    R = np.multiply(
        tc, tc, out=_buffers.empty(tc.shape, tc.dtype) if R is None else R
    )  # ∂h/∂c = o ⊙ (1 − tanh²(c))
    np.subtract(1.0, R, out=R)
    R *= o
    return P, Q, R, f


@overload
def backward(
    dhs: np.ndarray,
    cache: Cache,
    *,
    truncate: int | None = None,
    return_dxs: Literal[False] = False,
) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, np.ndarray]]: ...
@overload
def backward(
    dhs: np.ndarray, cache: Cache, *, truncate: int | None = None, return_dxs: Literal[True]
) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, np.ndarray], np.ndarray]: ...


def backward(dhs, cache, *, truncate=None, return_dxs=False):
    """Backpropagation through time for the LSTM.

    ``dhs`` (T, B, H) is ∂L/∂h_t injected at every step (zeros where no loss is attached).
    Returns ``(grads, (dh0, dc0))``: ``grads`` keyed like the params, ``dh0``/``dc0`` (B, H)
    the gradient reaching the initial state; with ``return_dxs=True`` also ``dxs``
    (T, B, D) = ∂L/∂x_t.

    ``truncate=k``: for the loss injected at step t keep only the k most recent recurrent
    factors ∂(h_s, c_s)/∂(h_{s-1}, c_{s-1}) (through both h and c); ``k=0`` means no gradient
    through the recurrence, ``None`` or ``k >= T`` is full BPTT. Full BPTT costs O(T),
    truncation O(T·k).
    """
    if not isinstance(cache, Cache):
        raise TypeError("cache must be the Cache returned by helpers.lstm.forward")
    hs = cache.hs
    T, B, H = hs.shape[-3:]
    L = hs.shape[:-3]  # () for one model, (M,) for a stack
    gin = as_array("dhs", dhs, shape=hs.shape, dtype=hs.dtype, finite=True)
    k = None if truncate is None else as_int("truncate", truncate, min_value=0)
    if not isinstance(return_dxs, bool):
        raise TypeError(f"return_dxs must be True or False, got {return_dxs!r}")
    Wh = cache.params["Wh"].astype(hs.dtype, copy=False)
    # ∂L/∂a_s, the gate pre-activations: it holds the factors P, Q first (see
    # _local_factors) and the loop scales them into ∂L/∂a_s in place, step by step.
    buf = _buffers.empty((*L, T, B, 4, H), hs.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        if L:  # chunk by chunk of models: each chunk's factors fit in the CPU cache
            R = _buffers.empty(hs.shape, hs.dtype)
            for m in stacking._chunks(L[0], 2 * buf[0].nbytes):
                one = Cache(
                    cache.params, cache.xs, hs[m], cache.cs[m], cache.gates[m],
                    cache.h0[m], cache.c0[m], cache.tanh_c[m],
                )  # fmt: skip
                _local_factors(one, buf[m], R[m])
            P, Q, F = buf[..., :3, :], buf[..., 3, :], cache.gates.reshape(buf.shape)[..., 1, :]
            # Step-major views: [s] is step s, for one model as for a stack (then (M, B, ·)).
            gin, R, P, Q, F, das = (np.moveaxis(a, 1, 0) for a in (gin, R, P, Q, F, buf))
        else:
            P, Q, R, F = _local_factors(cache, buf)
            das = buf
        if k is None or k >= T:
            gh = np.zeros((*L, B, H), dtype=hs.dtype)  # ∂L/∂h_s from the future
            gc = np.zeros((*L, B, H), dtype=hs.dtype)  # ∂L/∂c_s through c_{s+1}
            for s in range(T - 1, -1, -1):
                gh += gin[s]
                dc = gc + gh * R[s]  # total ∂L/∂c_s
                np.multiply(P[s], dc[..., None, :], out=das[s, ..., :3, :])
                np.multiply(Q[s], gh, out=das[s, ..., 3, :])
                gh = das[s].reshape(*L, B, 4 * H) @ Wh  # ∂L/∂h_{s-1}
                gc = np.multiply(dc, F[s], out=gc)  # ∂L/∂c_{s-1} = f_s ⊙ ∂L/∂c_s
            dh0, dc0 = gh, gc
        else:
            n = k + 1
            # Slot t % n holds the error signal (through h and through c) of the loss
            # injected at step t while it has crossed at most k recurrent factors; every
            # buffer is allocated once, outside the loop.
            fh = np.zeros((*L, n, B, H), dtype=hs.dtype)
            fc = np.zeros((*L, n, B, H), dtype=hs.dtype)
            dc = np.empty((*L, n, B, H), dtype=hs.dtype)
            da = np.empty((*L, n, B, 4, H), dtype=hs.dtype)
            Wh_n = Wh[..., None, :, :] if L else Wh  # broadcast over the n slots
            for s in range(T - 1, -1, -1):
                fh[..., s % n, :, :] = gin[s]
                fc[..., s % n, :, :] = 0.0
                np.multiply(fh, R[s][..., None, :, :], out=dc)  # [..., None, :, :]: the slots
                dc += fc  # total ∂L/∂c_s of each signal
                np.multiply(P[s][..., None, :, :, :], dc[..., None, :], out=da[..., :3, :])
                np.multiply(Q[s][..., None, :, :], fh, out=da[..., 3, :])
                np.sum(da, axis=-4, out=das[s])  # das[s] (P[s], Q[s]) is read above
                if k > 0:
                    np.matmul(da.reshape(*L, n, B, 4 * H), Wh_n, out=fh)
                    np.multiply(dc, F[s][..., None, :, :], out=fc)
            # Signals injected at t < k have crossed t + 1 <= k factors: they reach the start.
            zero = np.zeros((*L, B, H), dtype=hs.dtype)
            dh0 = fh[..., : min(k, T), :, :].sum(axis=-3) if k > 0 else zero
            dc0 = fc[..., : min(k, T), :, :].sum(axis=-3) if k > 0 else zero.copy()
        flat = buf.reshape(*L, T * B, 4 * H)
        # ∂L/∂Wh = Σ_s ∂L/∂a_s h_{s-1}ᵀ: h0 for s = 0, hs[s-1] after (no concatenated copy).
        dWh = flat[..., B:, :].mT @ hs[..., :-1, :, :].reshape(*L, (T - 1) * B, H)
        dWh += flat[..., :B, :].mT @ cache.h0
        xs = cache.xs
        grads = {
            "Wx": flat.mT @ xs.reshape(*xs.shape[:-3], T * B, xs.shape[-1]),
            "Wh": dWh,
            "b": flat.sum(axis=-2),
        }
        if return_dxs:
            Wx = cache.params["Wx"].astype(hs.dtype, copy=False)
            dxs = buf.reshape(*L, T, B, 4 * H) @ (Wx[..., None, :, :] if L else Wx)
            return grads, (dh0, dc0), dxs
    return grads, (dh0, dc0)
