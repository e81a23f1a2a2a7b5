"""Gradient checkpointing for BPTT: keep every s-th state, recompute the rest backward.

Full BPTT stores all T states, T·B·H floats. Checkpointing (Chen et al. 2016, "Training
deep nets with sublinear memory cost"; Gruslys et al. 2016 for RNNs) stores only the state
at the start of every segment of ``stride`` steps during the forward pass. The backward
pass takes the segments from last to first: it reruns one segment forward from its
checkpoint (the same arithmetic, so the same states bit for bit), backpropagates through
it with ``helpers.rnn.backward``, and hands the error signal ∂L/∂h at the segment's start
to the segment before. The gradient is exactly full BPTT's; the price is a second forward
pass. With stride s = ⌈√T⌉ at most ⌈T/s⌉ checkpoints plus one segment of s states are
alive at once: about 2√T·B·H floats instead of T·B·H.

Shapes: ``xs`` (T, B, D), ``h0`` (B, H), ``dhs`` (T, B, H) = ∂ℓ_t/∂h_t, the loss's direct
gradient at every step (zeros where no loss is attached).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from helpers import rnn
from helpers._validate import as_array, as_int


def default_stride(T: int) -> int:
    """⌈√T⌉, the stride that minimises checkpoints + one segment (about 2√T states)."""
    return math.isqrt(as_int("T", T, min_value=1) - 1) + 1


@dataclass(frozen=True)
class Checkpoints:
    """What the forward pass keeps: the parameters, inputs, and the state before each segment.

    ``starts`` (n,) are the first steps of the segments (0, s, 2s, …); ``states`` (n, B, H)
    holds h_{start−1} for each (``h0`` for the first). The inputs are kept as in full BPTT.
    """

    params: dict[str, np.ndarray]
    xs: np.ndarray
    starts: np.ndarray
    states: np.ndarray
    stride: int
    activation: str

    @property
    def stored_floats(self) -> int:
        """Floats of hidden state kept between the passes (the checkpoints), n·B·H."""
        return int(self.states.size)

    @property
    def peak_state_floats(self) -> int:
        """Floats of hidden state alive at once in the backward pass: checkpoints + one
        recomputed segment (the longest, ``stride`` steps), (n + s)·B·H."""
        B, H = self.states.shape[1:]
        longest = int(min(self.stride, len(self.xs)))
        return int(self.states.size + longest * B * H)


def forward(
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    stride: int | None = None,
    activation: str = "tanh",
) -> tuple[np.ndarray, Checkpoints]:
    """Run the RNN over ``xs`` (T, B, D) keeping only every ``stride``-th state.

    Returns ``(h_T (B, H), checkpoints)``. ``stride`` defaults to ⌈√T⌉; ``stride = 1``
    keeps every state (full BPTT's memory), ``stride >= T`` keeps only ``h0``.
    """
    if not isinstance(params, Mapping) or "Wh" not in params:
        raise TypeError("params must be a dict with keys 'Wx', 'Wh', 'b' (see helpers.rnn.init)")
    Wh = as_array("params['Wh']", params["Wh"], ndim=2)  # one model; rnn.forward checks the rest
    xs = as_array("xs", xs, ndim=3)
    T, B, _ = xs.shape
    if T == 0 or B == 0:
        raise ValueError(f"xs must have at least one step and one sequence, got {xs.shape}")
    s = default_stride(T) if stride is None else as_int("stride", stride, min_value=1)
    H = Wh.shape[0]
    h = np.zeros((B, H)) if h0 is None else as_array("h0", h0, shape=(B, H))
    starts = np.arange(0, T, s)
    states = np.empty((len(starts), B, H))
    for i, start in enumerate(starts):
        states[i] = h
        hs, _ = rnn.forward(params, xs[start : start + s], h, activation=activation)
        h = hs[-1]  # only the segment's last state is kept (as the next checkpoint)
    return h, Checkpoints(dict(params), xs, starts, states, s, activation)


def backward(dhs: np.ndarray, ckpt: Checkpoints) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """BPTT from checkpoints: segments from last to first, each recomputed then backpropagated.

    ``dhs`` (T, B, H). Returns ``(grads, dh0, recomputed_steps)``: the gradients of
    ``Wx``, ``Wh``, ``b`` (equal to ``rnn.backward``'s full BPTT up to rounding), ∂L/∂h_0
    (B, H), and the number of forward steps rerun (T: every segment once).
    """
    if not isinstance(ckpt, Checkpoints):
        raise TypeError("ckpt must be the Checkpoints returned by helpers.checkpoint.forward")
    T, B, _ = ckpt.xs.shape
    H = ckpt.states.shape[-1]
    dhs = as_array("dhs", dhs)
    if dhs.shape != (T, B, H):
        raise ValueError(
            f"dhs must have shape (T, B, H) = ({T}, {B}, {H}), as the steps of ckpt, "
            f"got {dhs.shape}"
        )
    grads = {
        name: np.zeros_like(np.asarray(ckpt.params[name], dtype=float)) for name in rnn.PARAM_NAMES
    }
    carry = np.zeros((B, H))  # ∂L/∂h at the end of the segment being processed
    recomputed = 0
    for start, h_start in zip(ckpt.starts[::-1], ckpt.states[::-1], strict=True):
        seg = slice(int(start), int(start) + ckpt.stride)
        _, cache = rnn.forward(ckpt.params, ckpt.xs[seg], h_start, activation=ckpt.activation)
        recomputed += len(cache.hs)
        d_seg = dhs[seg].copy()
        d_seg[-1] += carry  # what the later segments send back to this segment's last state
        g_seg, carry = rnn.backward(d_seg, cache)
        for name in grads:
            grads[name] += g_seg[name]
    return grads, carry, recomputed


def stored_states(T: int, *, method: str, k2: int = 20) -> int:
    """Hidden states alive at once for one gradient over T steps (multiply by B·H for floats).

    ``"full"``: T. ``"truncated"`` (k1 = k2 windows): k2, whatever T. ``"checkpoint"``
    (stride ⌈√T⌉): ⌈T/s⌉ checkpoints + one segment of s states.
    """
    T = as_int("T", T, min_value=1)
    k2 = as_int("k2", k2, min_value=1)
    if method == "full":
        return T
    if method == "truncated":
        return min(k2, T)
    if method == "checkpoint":
        s = default_stride(T)
        return -(-T // s) + min(s, T)
    raise ValueError(f"method must be 'full', 'truncated' or 'checkpoint', got {method!r}")


def step_evaluations(T: int, *, method: str) -> int:
    """Forward + backward step evaluations for one gradient over T steps.

    Full BPTT and k1 = k2 truncation: T forward + T backward. Checkpointing: T forward,
    T forward again (each segment recomputed) + T backward.
    """
    T = as_int("T", T, min_value=1)
    if method in ("full", "truncated"):
        return 2 * T
    if method == "checkpoint":
        return 3 * T
    raise ValueError(f"method must be 'full', 'truncated' or 'checkpoint', got {method!r}")
