"""Vanilla RNN: h_t = φ(W_x x_t + W_h h_{t-1} + b), with full and truncated BPTT.

Shapes (time-major, as in the course's notation table)::

    xs  (T, B, D)    inputs            Wx (H, D)
    hs  (T, B, H)    hidden states     Wh (H, H)
    h0  (B, H)       initial state     b  (H,)

One step is ``h = φ(x @ Wx.T + h @ Wh.T + b)``, the layout of ``torch.nn.RNN``.

**A stack of M models** (one per seed, trained together): every parameter gets a leading
model axis — ``Wx (M, H, D)``, ``Wh (M, H, H)``, ``b (M, H)`` (``init_stack``) — and
``xs`` is either shared by all models, (T, B, D), or one batch per model, (M, T, B, D);
then ``hs`` is (M, T, B, H), ``h0`` (M, B, H) or (H,), and every gradient has the
parameters' stacked shape. The M recurrences run as one batch of matrix products
(``np.matmul`` broadcasts over the leading axis); model m gets what a separate call with
its own parameters gets (the same operations, to rounding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

from helpers import _buffers, stacking
from helpers._validate import (
    as_array,
    as_choice,
    as_float,
    as_float_dtype,
    as_int,
    as_real_array,
    check_params,
    check_size,
)

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
    ``dtype`` is ``np.float64`` or ``np.float32``.
    """
    D = as_int("input_size", input_size, min_value=1)
    H = as_int("hidden_size", hidden_size, min_value=1)
    check_size("hidden_size", (H, H))
    check_size("input_size", (H, D))
    dt = as_float_dtype("dtype", dtype)
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
    return {"Wx": Wx.astype(dt), "Wh": Wh.astype(dt), "b": np.zeros(H, dtype=dt)}


def init_stack(
    input_size: int, hidden_size: int, *, seeds: Sequence[int], **init_kwargs: Any
) -> dict[str, np.ndarray]:
    """M models stacked on a leading axis: ``Wx (M, H, D)``, ``Wh (M, H, H)``, ``b (M, H)``.

    Model m is ``init(input_size, hidden_size, rng=np.random.default_rng(seeds[m]), ...)``:
    exactly the parameters a separate run with that seed starts from.
    """
    models = [init(input_size, hidden_size, rng=rng, **init_kwargs) for rng in stacking.rngs(seeds)]
    return stacking.stack(models)


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


def _shapes(params: object) -> tuple[int, int, tuple[int, ...]]:
    """``(H, D, lead)``: lead is () for one model, (M,) for a stack."""
    if not isinstance(params, dict) or "Wx" not in params:
        raise TypeError("params must be a dict with keys 'Wx', 'Wh', 'b' (see helpers.rnn.init)")
    Wx = np.asarray(params["Wx"])
    if Wx.ndim not in (2, 3) or 0 in Wx.shape[:-2]:
        raise ValueError(
            f"params['Wx'] must have shape (H, D), or (M, H, D) for a stack, got {Wx.shape}"
        )
    return Wx.shape[-2], Wx.shape[-1], Wx.shape[:-2]


def forward(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    activation: Activation = "tanh",
) -> tuple[np.ndarray, Cache]:
    """Run the RNN over a batch: ``xs`` (T, B, D) → ``hs`` (T, B, H) and a cache.

    ``h0`` is (B, H) or (H,) (broadcast over the batch); default zeros. For a stack of M
    models (params with a leading axis M): ``xs`` (T, B, D) shared or (M, T, B, D),
    ``h0`` (M, B, H) or (H,), ``hs`` (M, T, B, H).
    Overflow (possible with ``"linear"``/``"relu"`` and a large ``Wh``) gives ``inf``
    in ``hs`` rather than a warning: check ``np.isfinite(hs)`` when that matters.
    """
    H, D, lead = _shapes(params)
    p = check_params("params", params, {"Wx": (*lead, H, D), "Wh": (*lead, H, H), "b": (*lead, H)})
    act = as_choice("activation", activation, ACTIVATIONS)
    dtype = np.result_type(p["Wx"].dtype, np.float32)
    x = stacking._inputs("xs", xs, lead, D, dtype)
    T, B = x.shape[-3:-1]
    if h0 is None:
        h = np.zeros((*lead, B, H), dtype=dtype)
    else:
        h = stacking._initial_state("h0", h0, lead, B, H, dtype)
    Wx, Wh, b = (p[k].astype(dtype, copy=False) for k in PARAM_NAMES)
    # hs doubles as the buffer of pre-activations: one (T, B, H) allocation in all, and
    # no temporaries inside the loop (large temporaries cost page faults on every call).
    # With a stack every array has the leading model axis; [..., t, :, :] is step t.
    hs = _buffers.empty((*lead, T, B, H), dtype)
    rec = np.empty((*lead, B, H), dtype=dtype)  # h_{t-1} @ Wh.T, reused every step
    with np.errstate(over="ignore", invalid="ignore"):
        # The input projection of all steps at once: one matrix product instead of T.
        np.matmul(x.reshape(*x.shape[:-3], T * B, D), Wx.mT, out=hs.reshape(*lead, T * B, H))
        hs += b[..., None, None, :] if lead else b
        WhT = np.ascontiguousarray(Wh.mT)
        prev = h
        for t in range(T):
            a = hs[..., t, :, :]
            a += np.matmul(prev, WhT, out=rec)
            if act == "tanh":
                np.tanh(a, out=a)
            elif act == "relu":
                np.maximum(a, 0.0, out=a)
            prev = a
    cache = Cache(params=p, xs=x, hs=hs, h0=h, activation=act)
    return hs, cache


def activation_derivative(hs: np.ndarray, activation: str) -> np.ndarray:
    """φ'(a_t) written in terms of h_t = φ(a_t): tanh → 1 − h², relu → [h > 0], linear → 1.

    ``hs`` is any array of states (finite; in [−1, 1] for tanh, >= 0 for relu: the values
    φ can take); the result has its shape.
    """
    act = as_choice("activation", activation, ACTIVATIONS)
    hs = as_real_array("hs", hs)
    if act == "tanh" and hs.size and np.max(np.abs(hs)) > 1.0:
        raise ValueError(
            f"hs must hold tanh outputs, in [-1, 1], got max |h| = {np.max(np.abs(hs)):.3g}"
        )
    if act == "relu" and hs.size and np.min(hs) < 0.0:
        raise ValueError(f"hs must hold relu outputs, >= 0, got min h = {np.min(hs):.3g}")
    return _activation_derivative(hs, act)


def _activation_derivative(hs: np.ndarray, activation: str) -> np.ndarray:
    """``activation_derivative`` without the checks, for states a forward pass produced."""
    act = activation
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

    ``dhs`` (T, B, H): ``dhs[t]`` = ∂ℓ_t/∂h_t, the error the loss term ℓ_t injects at step t (its
    direct gradient, later states held fixed; zeros where no loss is attached). Returns ``(grads,
    dh0)`` with ``grads`` keyed like the params and ``dh0`` (B, H) = ∂L/∂h0; with
    ``return_dxs=True`` also ``dxs`` (T, B, D) = ∂L/∂x_t. For a stack every array has the leading
    model axis M (``dhs`` (M, T, B, H), ``dxs`` (M, T, B, D)); with shared ``xs``, ``grads["Wx"]``
    is still (M, H, D), one gradient per model.

    ``truncate=k``: for the loss injected at step t, keep only the k most recent
    recurrent factors ∂h_s/∂h_{s-1} (so it reaches h_t, …, h_{t-k}); ``k=0`` means no
    gradient through the recurrence, ``None`` or ``k >= T`` is full BPTT.
    Full BPTT costs O(T); truncation keeps up to k+1 error signals in flight, O(T·k).
    """
    if not isinstance(cache, Cache):
        raise TypeError("cache must be the Cache returned by helpers.rnn.forward")
    hs, xs, h0 = cache.hs, cache.xs, cache.h0
    T, B, H = hs.shape[-3:]
    lead = hs.shape[:-3]  # () for one model, (M,) for a stack
    g = as_array("dhs", dhs, shape=hs.shape, dtype=hs.dtype, finite=True)
    k = None if truncate is None else as_int("truncate", truncate, min_value=0)
    if not isinstance(return_dxs, bool):
        raise TypeError(f"return_dxs must be True or False, got {return_dxs!r}")
    Wh = cache.params["Wh"].astype(hs.dtype, copy=False)
    # das holds φ'(a_s) first and becomes ∂L/∂a_s in place, one step at a time: the only
    # (T, B, H) allocation of the backward pass (large temporaries cost page faults).
    das = _buffers.empty(hs.shape, hs.dtype)
    parts = stacking._chunks(lead[0], hs[0].nbytes) if lead else [Ellipsis]
    for m in parts:  # chunk by chunk of models: each chunk fits in the CPU cache
        _activation_derivative_into(hs[m], cache.activation, das[m])
    with np.errstate(over="ignore", invalid="ignore"):
        if k is None or k >= T:
            carry = np.zeros((*lead, B, H), dtype=hs.dtype)  # ∂L/∂h_s from the future
            for s in range(T - 1, -1, -1):
                carry += g[..., s, :, :]
                das[..., s, :, :] *= carry
                np.matmul(das[..., s, :, :], Wh, out=carry)
            dh0 = carry
        else:
            n = k + 1
            # Slot t % n holds the error signal of the loss injected at step t, while it
            # has crossed at most k recurrent factors; older signals are overwritten.
            inflight = np.zeros((*lead, n, B, H), dtype=hs.dtype)
            scaled = np.empty_like(inflight)
            total = np.empty((*lead, B, H), dtype=hs.dtype)
            Wh_n = Wh[..., None, :, :] if lead else Wh  # broadcast over the n slots
            for s in range(T - 1, -1, -1):
                inflight[..., s % n, :, :] = g[..., s, :, :]
                np.sum(inflight, axis=-3, out=total)
                if k > 0:
                    # das[s] still holds φ'(a_s)
                    np.multiply(inflight, das[..., s : s + 1, :, :], out=scaled)
                    np.matmul(scaled, Wh_n, out=inflight)
                das[..., s, :, :] *= total
            # Signals injected at t < k have crossed t + 1 <= k factors: they reach h0.
            dh0 = (
                inflight[..., : min(k, T), :, :].sum(axis=-3)
                if k > 0
                else np.zeros((*lead, B, H), hs.dtype)
            )
        flat = das.reshape(*lead, T * B, H)
        # ∂L/∂Wh = Σ_s ∂L/∂a_s h_{s-1}ᵀ: h0 for s = 0, hs[s-1] after (no concatenated copy).
        dWh = flat[..., B:, :].mT @ hs[..., :-1, :, :].reshape(*lead, (T - 1) * B, H)
        dWh += das[..., 0, :, :].mT @ h0
        grads = {
            "Wx": flat.mT @ xs.reshape(*xs.shape[:-3], T * B, xs.shape[-1]),
            "Wh": dWh,
            "b": flat.sum(axis=-2),
        }
        if return_dxs:
            Wx = cache.params["Wx"].astype(hs.dtype, copy=False)
            dxs = das @ (Wx[..., None, :, :] if lead else Wx)
            return grads, dh0, dxs
    return grads, dh0
