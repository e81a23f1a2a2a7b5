"""Vanilla RNN: h_t = φ(W_x x_t + W_h h_{t-1} + b), with full and truncated BPTT.

Shapes (time-major, as in the course's notation table)::

    xs  (T, B, D)    inputs            Wx (H, D)
    hs  (T, B, H)    hidden states     Wh (H, H)
    h0  (B, H)       initial state     b  (H,)

One step is ``h = φ(x @ Wx.T + h @ Wh.T + b)``, the layout of ``torch.nn.RNN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np

from helpers._validate import as_array, as_choice, as_float, as_int, check_params

PARAM_NAMES = ("Wx", "Wh", "b")
ACTIVATIONS = ("tanh", "relu", "linear")
Activation = Literal["tanh", "relu", "linear"]


def init(
    input_size: int,
    hidden_size: int,
    *,
    rng: np.random.Generator,
    init: Literal["xavier", "identity"] = "xavier",
    scale: float = 1.0,
    dtype: type = np.float64,
) -> dict[str, np.ndarray]:
    """New parameters ``{"Wx": (H, D), "Wh": (H, H), "b": (H,)}``.

    ``init="xavier"``: Glorot-uniform ``Wx`` and ``Wh`` (limit sqrt(6 / (fan_in + fan_out))),
    then ``Wh`` multiplied by ``scale``; its spectral radius is then about ``scale``.
    ``init="identity"``: ``Wh = scale * I``, ``Wx ~ N(0, 0.001²)``, ``b = 0`` — the
    IRNN of Le, Jaitly & Hinton (2015), meant for ``activation="relu"``.
    """
    D = as_int("input_size", input_size, min_value=1)
    H = as_int("hidden_size", hidden_size, min_value=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    kind = as_choice("init", init, ("xavier", "identity"))
    gain = as_float("scale", scale, min_value=0.0)
    if kind == "xavier":
        lim_x = np.sqrt(6.0 / (D + H))
        lim_h = np.sqrt(6.0 / (H + H))
        Wx = rng.uniform(-lim_x, lim_x, size=(H, D))
        Wh = gain * rng.uniform(-lim_h, lim_h, size=(H, H))
    else:
        Wx = rng.normal(0.0, 1e-3, size=(H, D))
        Wh = gain * np.eye(H)
    return {"Wx": Wx.astype(dtype), "Wh": Wh.astype(dtype), "b": np.zeros(H, dtype=dtype)}


@dataclass
class Cache:
    """What ``backward`` needs from ``forward``: inputs, states and the activation.

    Only the states are stored (φ' is recomputed from them), so the memory of the
    stored activations is ``hs.nbytes + xs.nbytes``: it grows linearly with T.
    """

    params: dict[str, np.ndarray]
    xs: np.ndarray
    hs: np.ndarray
    h0: np.ndarray
    activation: str

    @property
    def nbytes(self) -> int:
        """Bytes of stored activations (inputs, initial state and hidden states)."""
        return int(self.xs.nbytes + self.hs.nbytes + self.h0.nbytes)


def _shapes(params: object) -> tuple[int, int]:
    if not isinstance(params, dict) or "Wx" not in params:
        raise TypeError("params must be a dict with keys 'Wx', 'Wh', 'b' (see helpers.rnn.init)")
    Wx = np.asarray(params["Wx"])
    if Wx.ndim != 2:
        raise ValueError(f"params['Wx'] must have shape (H, D), got {Wx.shape}")
    return Wx.shape  # (H, D)


def forward(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    activation: Activation = "tanh",
) -> tuple[np.ndarray, Cache]:
    """Run the RNN over a batch: ``xs`` (T, B, D) → ``hs`` (T, B, H) and a cache.

    ``h0`` is (B, H) or (H,) (broadcast over the batch); default zeros.
    Overflow (possible with ``"linear"``/``"relu"`` and a large ``Wh``) gives ``inf``
    in ``hs`` rather than a warning: check ``np.isfinite(hs)`` when that matters.
    """
    H, D = _shapes(params)
    p = check_params("params", params, {"Wx": (H, D), "Wh": (H, H), "b": (H,)})
    act = as_choice("activation", activation, ACTIVATIONS)
    dtype = np.result_type(p["Wx"].dtype, np.float32)
    x = as_array("xs", xs, ndim=3, shape=(None, None, D), dtype=dtype)
    T, B, _ = x.shape
    if T == 0 or B == 0:
        raise ValueError(
            f"xs must have at least one time step and one sequence, got shape {x.shape}"
        )
    if h0 is None:
        h = np.zeros((B, H), dtype=dtype)
    else:
        h = as_array("h0", h0, dtype=dtype)
        if h.shape == (H,):
            h = np.broadcast_to(h, (B, H)).copy()
        elif h.shape != (B, H):
            raise ValueError(f"h0 must have shape (B, H) = {(B, H)} or (H,), got {h.shape}")
    Wx, Wh, b = (p[k].astype(dtype, copy=False) for k in PARAM_NAMES)
    # hs doubles as the buffer of pre-activations: one (T, B, H) allocation in all, and
    # no temporaries inside the loop (large temporaries cost page faults on every call).
    hs = np.empty((T, B, H), dtype=dtype)
    rec = np.empty((B, H), dtype=dtype)  # h_{t-1} @ Wh.T, reused every step
    with np.errstate(over="ignore", invalid="ignore"):
        # The input projection of all steps at once: one matrix product instead of T.
        np.matmul(x.reshape(T * B, D), Wx.T, out=hs.reshape(T * B, H))
        hs += b
        WhT = np.ascontiguousarray(Wh.T)
        prev = h
        for t in range(T):
            a = hs[t]
            a += np.matmul(prev, WhT, out=rec)
            if act == "tanh":
                np.tanh(a, out=a)
            elif act == "relu":
                np.maximum(a, 0.0, out=a)
            prev = a
    cache = Cache(params=p, xs=x, hs=hs, h0=h, activation=act)
    return hs, cache


def activation_derivative(hs: np.ndarray, activation: str) -> np.ndarray:
    """φ'(a_t) written in terms of h_t = φ(a_t): tanh → 1 − h², relu → [h > 0], linear → 1."""
    act = as_choice("activation", activation, ACTIVATIONS)
    if act == "tanh":
        return 1.0 - hs * hs
    if act == "relu":
        return (hs > 0).astype(hs.dtype)
    return np.ones_like(hs)


def _activation_derivative_into(hs: np.ndarray, activation: str, out: np.ndarray) -> np.ndarray:
    """``activation_derivative(hs, activation)`` written into ``out`` (no temporaries)."""
    if activation == "tanh":
        np.multiply(hs, hs, out=out)
        np.subtract(1.0, out, out=out)
    elif activation == "relu":
        np.greater(hs, 0, out=out)
    else:
        out.fill(1.0)
    return out


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
    """Backpropagation through time.

    ``dhs`` (T, B, H) is ∂L/∂h_t injected at every step (the loss's direct gradient,
    zeros where no loss is attached). Returns ``(grads, dh0)`` with ``grads`` keyed like
    the params and ``dh0`` (B, H) = ∂L/∂h0; with ``return_dxs=True`` also ``dxs``
    (T, B, D) = ∂L/∂x_t.

    ``truncate=k``: for the loss injected at step t, keep only the k most recent
    recurrent factors ∂h_s/∂h_{s-1} (so it reaches h_t, …, h_{t-k}); ``k=0`` means no
    gradient through the recurrence, ``None`` or ``k >= T`` is full BPTT.
    Full BPTT costs O(T); truncation keeps up to k+1 error signals in flight, O(T·k).
    """
    if not isinstance(cache, Cache):
        raise TypeError("cache must be the Cache returned by helpers.rnn.forward")
    hs, xs, h0 = cache.hs, cache.xs, cache.h0
    T, B, H = hs.shape
    g = as_array("dhs", dhs, shape=(T, B, H), dtype=hs.dtype, finite=True)
    k = None if truncate is None else as_int("truncate", truncate, min_value=0)
    Wh = cache.params["Wh"].astype(hs.dtype, copy=False)
    # das holds φ'(a_s) first and becomes ∂L/∂a_s in place, one step at a time: the only
    # (T, B, H) allocation of the backward pass (large temporaries cost page faults).
    das = _activation_derivative_into(hs, cache.activation, np.empty_like(hs))
    with np.errstate(over="ignore", invalid="ignore"):
        if k is None or k >= T:
            carry = np.zeros((B, H), dtype=hs.dtype)  # ∂L/∂h_s from the future
            for s in range(T - 1, -1, -1):
                carry += g[s]
                das[s] *= carry
                np.matmul(das[s], Wh, out=carry)
            dh0 = carry
        else:
            n = k + 1
            # Slot t % n holds the error signal of the loss injected at step t, while it
            # has crossed at most k recurrent factors; older signals are overwritten.
            inflight = np.zeros((n, B, H), dtype=hs.dtype)
            scaled = np.empty_like(inflight)
            total = np.empty((B, H), dtype=hs.dtype)
            for s in range(T - 1, -1, -1):
                inflight[s % n] = g[s]
                np.sum(inflight, axis=0, out=total)
                if k > 0:
                    np.multiply(inflight, das[s], out=scaled)  # das[s] still holds φ'(a_s)
                    np.matmul(scaled, Wh, out=inflight)
                das[s] *= total
            # Signals injected at t < k have crossed t + 1 <= k factors: they reach h0.
            dh0 = inflight[: min(k, T)].sum(axis=0) if k > 0 else np.zeros((B, H), hs.dtype)
        flat = das.reshape(T * B, H)
        # ∂L/∂Wh = Σ_s ∂L/∂a_s h_{s-1}ᵀ: h0 for s = 0, hs[s-1] after (no concatenated copy).
        dWh = flat[B:].T @ hs[:-1].reshape((T - 1) * B, H)
        dWh += das[0].T @ h0
        grads = {
            "Wx": flat.T @ xs.reshape(T * B, -1),
            "Wh": dWh,
            "b": flat.sum(axis=0),
        }
        if return_dxs:
            dxs = das @ cache.params["Wx"].astype(hs.dtype, copy=False)
            return grads, dh0, dxs
    return grads, dh0
