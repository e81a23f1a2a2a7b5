"""The unrolled view of a vanilla RNN: untied copies, per-step contributions, truncation.

Notebook 01 uses these to show that

- the unrolled RNN is a feed-forward network whose T layers share one set of weights:
  ``untie`` gives every layer its own copy, ``forward_untied``/``backward_untied`` run
  that network, and the tied gradient is the **sum** of the per-copy gradients;
- ``error_signals`` splits BPTT's error signal δ_s into the part each loss term ℓ_t sends
  back, so the contribution of each step to ∂L/∂W (``step_contributions``) can be shown
  with and without truncation;
- truncated BPTT comes in several forms: "cut after n steps, set h = 0"
  (``chunked_forward``/``chunked_backward``, the exact gradient of a *different* model
  that forgets every n steps) and Sutskever's k1/k2 scheme, Williams & Peng's
  BPTT(h; h′) (``tbptt_grads``, an approximate gradient of the true model).

Shapes follow ``helpers.rnn`` (time-major): ``xs`` (T, B, D), ``hs`` (T, B, H),
``Wx`` (H, D), ``Wh`` (H, H), ``b`` (H,). Code index t = 0..T-1 is the math's step t+1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from helpers import rnn
from helpers._validate import as_array, as_choice, as_int, check_params, check_size

UNTIED_NAMES = ("Wx", "Wh", "b")


def untie(params: Mapping[str, np.ndarray], steps: int) -> dict[str, np.ndarray]:
    """One copy of every RNN parameter per time step: ``{"Wx": (T, H, D), "Wh": (T, H, H),
    "b": (T, H)}``, each copy equal to the shared (tied) value in ``params``."""
    T = as_int("steps", steps, min_value=1)
    H, D = _shapes(params)
    p = check_params("params", params, {"Wx": (H, D), "Wh": (H, H), "b": (H,)})
    check_size("steps", (T, H * (D + H + 1)))
    return {k: np.repeat(p[k][None].astype(np.float64), T, axis=0) for k in UNTIED_NAMES}


def _shapes(params: object, name: str = "params") -> tuple[int, int]:
    if not isinstance(params, Mapping) or "Wx" not in params:
        hint = "helpers.rnn.init" if name == "params" else "helpers.unroll.untie"
        raise TypeError(f"{name} must be a dict with keys 'Wx', 'Wh', 'b' (see {hint})")
    Wx = np.asarray(params["Wx"])
    if Wx.ndim < 2:
        raise ValueError(f"{name}['Wx'] must have shape (H, D) or (T, H, D), got {Wx.shape}")
    return Wx.shape[-2], Wx.shape[-1]


@dataclass
class UntiedCache:
    """What ``backward_untied`` needs: the per-step parameters, inputs, states, activation."""

    params: dict[str, np.ndarray]
    xs: np.ndarray
    hs: np.ndarray
    h0: np.ndarray
    activation: str


def _one_model(hs: np.ndarray) -> tuple[int, int, int]:
    """``(T, B, H)`` of a cache's states; a stack's cache (M, T, B, H) is refused."""
    if hs.ndim != 3:
        raise TypeError(
            f"cache must come from helpers.rnn.forward on one model (hs (T, B, H)), "
            f"not a stack: got hs of shape {hs.shape}"
        )
    return hs.shape


def _h0(h0: object, B: int, H: int) -> np.ndarray:
    if h0 is None:
        return np.zeros((B, H))
    h = as_array("h0", h0)
    if h.shape == (H,):
        return np.broadcast_to(h, (B, H)).copy()
    if h.shape != (B, H):
        raise ValueError(f"h0 must have shape (B, H) = {(B, H)} or (H,), got {h.shape}")
    return h


def _phi(a: np.ndarray, activation: str) -> np.ndarray:
    if activation == "tanh":
        return np.tanh(a)
    if activation == "relu":
        return np.maximum(a, 0.0)
    return a


def forward_untied(
    untied: Mapping[str, np.ndarray],
    xs: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    activation: rnn.Activation = "tanh",
) -> tuple[np.ndarray, UntiedCache]:
    """Run the unrolled network whose layer t uses its own ``Wx[t]``, ``Wh[t]``, ``b[t]``.

    ``untied`` as returned by ``untie`` (T copies); ``xs`` (T, B, D) → ``hs`` (T, B, H).
    With all copies equal this is exactly ``helpers.rnn.forward``.
    """
    H, D = _shapes(untied, "untied")
    Wx = as_array("untied['Wx']", untied["Wx"], ndim=3, shape=(None, H, D))
    T = Wx.shape[0]
    p = check_params("untied", untied, {"Wx": (T, H, D), "Wh": (T, H, H), "b": (T, H)})
    act = as_choice("activation", activation, rnn.ACTIVATIONS)
    x = as_array("xs", xs, ndim=3, shape=(T, None, D))
    B = x.shape[1]
    if B == 0:
        raise ValueError("xs must hold at least one sequence (B >= 1)")
    h = _h0(h0, B, H)
    hs = np.empty((T, B, H))
    prev = h
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T):
            hs[t] = _phi(x[t] @ p["Wx"][t].T + prev @ p["Wh"][t].T + p["b"][t], act)
            prev = hs[t]
    return hs, UntiedCache(params=p, xs=x, hs=hs, h0=h, activation=act)


def backward_untied(
    dhs: np.ndarray, cache: UntiedCache
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Plain backprop through the untied network, layer by layer.

    ``dhs`` (T, B, H): ``dhs[t]`` = ∂ℓ_t/∂h_t, injected by the loss. Returns ``(grads, dh0)``:
    ``grads`` has the shapes of the untied params — ``grads["Wh"][t]`` (H, H) is the gradient of the
    copy used at step t, δ_t h_{t-1}ᵀ summed over the batch — and ``dh0`` (B, H).
    """
    if not isinstance(cache, UntiedCache):
        raise TypeError("cache must be the UntiedCache returned by forward_untied")
    hs, xs, h0 = cache.hs, cache.xs, cache.h0
    T, B, H = hs.shape
    g = as_array("dhs", dhs, shape=(T, B, H))
    dphi = rnn._activation_derivative(hs, cache.activation)
    grads = {k: np.zeros_like(v) for k, v in cache.params.items()}
    carry = np.zeros((B, H))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T - 1, -1, -1):
            delta = dphi[t] * (g[t] + carry)  # δ_t = φ'(a_t) ⊙ (∂ℓ/∂h_t + W_hᵀ δ_{t+1})
            prev = hs[t - 1] if t > 0 else h0
            grads["Wx"][t] = delta.T @ xs[t]
            grads["Wh"][t] = delta.T @ prev
            grads["b"][t] = delta.sum(axis=0)
            carry = delta @ cache.params["Wh"][t]
    return grads, carry


_UNTIED_SHAPES = {"Wx": "(T, H, D)", "Wh": "(T, H, H)", "b": "(T, H)"}


def tie(untied_grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The gradient of the shared parameters: the sum of the per-copy gradients over steps.

    ``untied_grads`` holds ``Wx`` (T, H, D), ``Wh`` (T, H, H) and ``b`` (T, H), one copy per
    step, as ``backward_untied`` returns them; the result has the tied shapes.
    """
    if not isinstance(untied_grads, Mapping):
        raise TypeError(f"untied_grads must be a dict of arrays, got {type(untied_grads).__name__}")
    missing = [k for k in UNTIED_NAMES if k not in untied_grads]
    if missing:
        raise ValueError(f"untied_grads is missing key(s) {missing}; expected {list(UNTIED_NAMES)}")
    arrays = {k: as_array(f"untied_grads[{k!r}]", untied_grads[k]) for k in UNTIED_NAMES}
    for k, arr in arrays.items():
        if arr.ndim != _UNTIED_SHAPES[k].count(",") + 1:
            raise ValueError(
                f"untied_grads[{k!r}] must have shape {_UNTIED_SHAPES[k]}, one copy per step; "
                f"got {arr.shape} (already tied?)"
            )
    T, H = arrays["Wh"].shape[:2]
    if (
        arrays["Wh"].shape[2] != H
        or arrays["Wx"].shape[:2] != (T, H)
        or arrays["b"].shape != (T, H)
    ):
        shapes = ", ".join(f"{k} {a.shape}" for k, a in arrays.items())
        raise ValueError(
            f"untied_grads shapes do not fit one network unrolled T steps: {shapes}; "
            "expected Wx (T, H, D), Wh (T, H, H), b (T, H)"
        )
    return {k: arrays[k].sum(axis=0) for k in UNTIED_NAMES}


def error_signals(dhs: np.ndarray, cache: rnn.Cache) -> np.ndarray:
    """δ split by loss term: ``out[t, s]`` (B, H) = ∂ℓ_t/∂a_s, the error that the loss
    injected at step t carries back to the pre-activation a_s of step s; zero for s > t.

    Returns (T, T, B, H), so memory is T²·B·H floats: meant for the small RNNs of the
    figures. Summing over t gives full BPTT's δ_s; keeping only t − s ≤ k gives the
    ``truncate=k`` error signal of ``helpers.rnn.backward``.
    """
    if not isinstance(cache, rnn.Cache):
        raise TypeError("cache must be the Cache returned by helpers.rnn.forward")
    hs = cache.hs
    T, B, H = _one_model(hs)
    g = as_array("dhs", dhs, shape=(T, B, H))
    check_size("cache", (T, T, B, H))
    Wh = cache.params["Wh"]
    dphi = rnn._activation_derivative(hs, cache.activation)
    out = np.zeros((T, T, B, H))
    carry = np.zeros((T, B, H))  # carry[t] = ∂ℓ_t/∂h_s coming from step s+1
    with np.errstate(over="ignore", invalid="ignore"):
        for s in range(T - 1, -1, -1):
            carry[s] += g[s]
            live = carry[s:] * dphi[s]  # losses t >= s
            out[s:, s] = live
            carry[s:] = live @ Wh
    return out


def step_contributions(
    dhs: np.ndarray, cache: rnn.Cache, *, truncate: int | None = None
) -> dict[str, np.ndarray]:
    """What each time step contributes to the gradient of each shared parameter.

    Returns ``{"Wx": (T, H, D), "Wh": (T, H, H), "b": (T, H)}``; entry s is
    Σ_t δ_{t→s} [x_s; h_{s-1}; 1]ᵀ over the loss terms t that reach step s (all t ≥ s for
    full BPTT, t − s ≤ k for ``truncate=k``). Summed over s this is the gradient of
    ``helpers.rnn.backward(dhs, cache, truncate=truncate)``; for full BPTT it equals the
    per-copy gradients of the untied network.
    """
    sig = error_signals(dhs, cache)
    T = sig.shape[0]
    k = None if truncate is None else as_int("truncate", truncate, min_value=0)
    if k is not None and k < T:
        t_idx, s_idx = np.indices((T, T))
        sig = sig * ((t_idx - s_idx) <= k)[:, :, None, None]
    delta = sig.sum(axis=0)  # (T, B, H): δ_s
    hprev = np.concatenate([cache.h0[None], cache.hs[:-1]], axis=0)
    return {
        "Wx": np.einsum("sbh,sbd->shd", delta, cache.xs),
        "Wh": np.einsum("sbh,sbj->shj", delta, hprev),
        "b": delta.sum(axis=1),
    }


def tbptt_grads(dhs: np.ndarray, cache: rnn.Cache, *, k1: int, k2: int) -> dict[str, np.ndarray]:
    """Truncated BPTT in Sutskever's (2013) form, Williams & Peng's (1990) BPTT(h; h′).

    Walk forward through the sequence; every ``k1`` steps (and at the end), backpropagate
    the losses of the last ``k1`` steps through the last ``k2`` steps only (h = k2,
    h′ = k1). Here the windows' gradients are summed rather than applied one by one, so
    the result is comparable with the full gradient. ``k1 = 1, k2 = k + 1`` is
    ``helpers.rnn.backward(truncate=k)``; ``k1 = k2 = n`` carries the state forward but
    cuts the gradient every n steps (``chunked_backward`` with ``reset=False``, when n
    divides T; a last, shorter window still reaches back k2 steps here). Needs
    1 ≤ k1 ≤ k2 (else some losses are never backpropagated). Returns grads keyed
    ``Wx, Wh, b`` like the params.
    """
    if not isinstance(cache, rnn.Cache):
        raise TypeError("cache must be the Cache returned by helpers.rnn.forward")
    hs, xs, h0 = cache.hs, cache.xs, cache.h0
    T, B, H = hs.shape
    g = as_array("dhs", dhs, shape=(T, B, H))
    n1 = as_int("k1", k1, min_value=1)
    n2 = as_int("k2", k2, min_value=1)
    if n2 < n1:
        raise ValueError(f"k2 must be >= k1 (= {n1}), got {n2}: each window's losses need k1 steps")
    Wh = cache.params["Wh"]
    dphi = rnn.activation_derivative(hs, cache.activation)
    hprev = np.concatenate([h0[None], hs[:-1]], axis=0)
    grads = {k: np.zeros_like(cache.params[k], dtype=np.float64) for k in UNTIED_NAMES}
    # Windows (first loss, last step): the losses first..end are backpropagated from
    # step `end` down to step end - k2 + 1.
    windows = [(end - n1 + 1, end) for end in range(n1 - 1, T, n1)]
    done = windows[-1][1] + 1 if windows else 0
    if done < T:
        windows.append((done, T - 1))
    with np.errstate(over="ignore", invalid="ignore"):
        for first_loss, end in windows:
            carry = np.zeros((B, H))
            for s in range(end, max(end - n2 + 1, 0) - 1, -1):
                if s >= first_loss:
                    carry = carry + g[s]
                delta = dphi[s] * carry
                grads["Wx"] += delta.T @ xs[s]
                grads["Wh"] += delta.T @ hprev[s]
                grads["b"] += delta.sum(axis=0)
                carry = delta @ Wh
    return grads


def chunked_forward(
    params: Mapping[str, np.ndarray],
    xs: np.ndarray,
    n: int,
    *,
    reset: bool = True,
    activation: rnn.Activation = "tanh",
) -> tuple[np.ndarray, list[rnn.Cache]]:
    """Cut the sequence into chunks of ``n`` steps and run the RNN on each in turn.

    ``reset=True`` ("cut the RNN after n steps, set h = 0"): each chunk starts from h = 0,
    so the outputs are those of a model that forgets every n steps. ``reset=False``: each
    chunk starts from the last state of the previous one (the same ``hs`` as
    ``helpers.rnn.forward``), but the chunks are kept apart for the backward pass.
    Returns ``hs`` (T, B, H) and one ``helpers.rnn.Cache`` per chunk.
    """
    x = as_array("xs", xs, ndim=3)
    if x.shape[0] == 0:
        raise ValueError(f"xs must have at least one time step, got shape {x.shape}")
    size = as_int("n", n, min_value=1)
    if not isinstance(reset, bool):
        raise TypeError(f"reset must be True or False, got {type(reset).__name__}")
    caches: list[rnn.Cache] = []
    parts = []
    h = None
    for start in range(0, x.shape[0], size):
        hs, cache = rnn.forward(params, x[start : start + size], h, activation=activation)
        parts.append(hs)
        caches.append(cache)
        h = None if reset else hs[-1]
    return np.concatenate(parts, axis=0), caches


def chunked_backward(dhs: np.ndarray, caches: list[rnn.Cache]) -> dict[str, np.ndarray]:
    """Full BPTT inside each chunk of ``chunked_forward``, nothing across chunk borders;
    the chunks' gradients are summed. ``dhs`` (T, B, H). With ``reset=True`` this is the
    exact gradient of the chunked model; with ``reset=False`` it is truncated BPTT with
    k1 = k2 = n (when n divides T)."""
    if (
        not isinstance(caches, list)
        or not caches
        or not all(isinstance(c, rnn.Cache) for c in caches)
    ):
        raise TypeError("caches must be the list of caches returned by chunked_forward")
    T = sum(c.hs.shape[0] for c in caches)
    B, H = _one_model(caches[0].hs)[1:]
    g = as_array("dhs", dhs, shape=(T, B, H))
    total = {k: np.zeros_like(caches[0].params[k], dtype=np.float64) for k in UNTIED_NAMES}
    start = 0
    for cache in caches:
        steps = cache.hs.shape[0]
        grads, _ = rnn.backward(g[start : start + steps], cache)
        for k in UNTIED_NAMES:
            total[k] += grads[k]
        start += steps
    return total
