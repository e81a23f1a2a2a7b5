"""Randomized truncation of BPTT, unbiased by reweighting (Tallec & Ollivier 2017).

Fixed truncation drops every term that links a loss to a step more than k steps back,
so its gradient is biased. Randomized truncation cuts the backward sweep at random
places instead and scales up what it keeps, so that the *expected* gradient is exactly
full BPTT's. In the form Zhang et al. give (*Dive into Deep Learning*, §9.7, "Randomized
Truncation"): at each step s going back, a coin ξ_s decides whether the error signal
passes on to step s − 1; it passes with probability π (``keep``) and is then multiplied
by 1/π, so E[ξ_s] = 1. The term linking the loss at step t to step s survives all
t − s coins with probability π^(t−s) and then carries the weight π^−(t−s): its expected
value is the term itself. The price is variance: rare long survivals carry large weights.

Shapes follow ``helpers.rnn`` (time-major): ``dhs`` (T, B, H) is ∂ℓ_t/∂h_t for every t,
the error injected at step t (the direct part, with h_{t+1} held fixed).
"""

from __future__ import annotations

import numpy as np

from helpers import rnn
from helpers._validate import as_array, as_float, as_int, check_size


def draw_coins(steps: int, *, keep: float, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Random coins ``(draws, steps)`` of 0 and 1: ``coins[n, s] = 1`` (probability
    ``keep``) lets draw n's error signal pass from code step s back to step s − 1."""
    T = as_int("steps", steps, min_value=1, max_value=1_000_000)
    p = as_float("keep", keep, positive=True, max_value=1.0)
    n = as_int("draws", draws, min_value=1, max_value=1_000_000)
    check_size("draws", (n, T))
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    return (rng.random((n, T)) < p).astype(np.float64)


def randomized_backward(
    dhs: np.ndarray, cache: rnn.Cache, *, keep: float, coins: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One randomized-truncation gradient per row of ``coins``, all in one backward sweep.

    ``coins`` (N, T) of 0/1 (``draw_coins``): where ``coins[n, s]`` is 1 the error signal
    of draw n passes from step s to step s − 1, multiplied by 1/``keep``; where it is 0
    the signal is cut there (losses at earlier steps start afresh). All ones with
    ``keep = 1`` is full BPTT; all zeros is ``rnn.backward(..., truncate=0)``.
    Returns ``({"Wx": (N, H, D), "Wh": (N, H, H), "b": (N, H)}, dh0 (N, B, H))``.
    """
    if not isinstance(cache, rnn.Cache):
        raise TypeError("cache must be the Cache returned by helpers.rnn.forward")
    hs, xs, h0 = cache.hs, cache.xs, cache.h0
    T, B, H = hs.shape
    g = as_array("dhs", dhs, shape=(T, B, H))
    p = as_float("keep", keep, positive=True, max_value=1.0)
    c = as_array("coins", coins, ndim=2)
    if c.shape[1] != T or c.shape[0] < 1:
        raise ValueError(f"coins must have shape (draws, {T}), got {c.shape}")
    if not np.all((c == 0) | (c == 1)):
        raise ValueError("coins must hold only 0 and 1")
    Wh = cache.params["Wh"]
    dphi = rnn.activation_derivative(hs, cache.activation)
    hprev = np.concatenate([h0[None], hs[:-1]], axis=0)
    N = c.shape[0]
    grads = {
        "Wx": np.zeros((N, H, xs.shape[2])),
        "Wh": np.zeros((N, H, H)),
        "b": np.zeros((N, H)),
    }
    weight = c / p  # ξ: 0 or 1/π
    carry = np.zeros((N, B, H))  # what step s + 1 sends back to h_s, per draw
    for s in range(T - 1, -1, -1):
        delta = dphi[s] * (g[s] + carry)  # (N, B, H)
        grads["Wx"] += np.einsum("nbh,bd->nhd", delta, xs[s])
        grads["Wh"] += np.einsum("nbh,bj->nhj", delta, hprev[s])
        grads["b"] += delta.sum(axis=1)
        carry = weight[:, s, None, None] * (delta @ Wh)
    return grads, carry
