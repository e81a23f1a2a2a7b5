"""Scheduled sampling (Bengio, Vinyals, Jaitly & Shazeer 2015): how often to feed the truth.

While training a generative RNN, the input at step t is the ground-truth previous token
with probability ε_i and the model's own sample with probability 1 − ε_i, where i counts
training iterations. ε_i starts near 1 (teacher forcing) and decays towards the
free-running regime the model meets when it generates. The paper's three decays:

- linear:           ε_i = max(ε, k − c·i)      (0 ≤ ε < 1 a floor, k the offset, c the slope)
- exponential:      ε_i = k^i                  (k < 1)
- inverse sigmoid:  ε_i = k / (k + exp(i / k)) (k ≥ 1)

Every function takes ``i`` as a number or an array of iteration counts (≥ 0) and returns
float64 values in [0, 1] of the same shape.
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, as_choice, as_float, as_int, as_real_values

KINDS = ("linear", "exponential", "inverse sigmoid")


def _iterations(i: object) -> np.ndarray:
    arr = as_real_values("i", i)  # a bool is not an iteration count
    if np.any(arr < 0):
        raise ValueError(f"i (the training iteration) must be >= 0, got min {arr.min():g}")
    return arr


def linear(i: float | np.ndarray, *, c: float, k: float = 1.0, eps: float = 0.0) -> np.ndarray:
    """ε_i = max(ε, k − c·i): a straight decay from k with slope c, floored at ε."""
    it = _iterations(i)
    slope = as_float("c", c, min_value=0.0)
    offset = as_float("k", k, min_value=0.0, max_value=1.0)
    floor = as_float("eps", eps, min_value=0.0)
    if floor >= 1.0:
        raise ValueError(f"eps (the floor) must be in [0, 1), got {floor}")
    with np.errstate(over="ignore"):  # a huge slope: k − c·i → −inf, so ε_i is the floor
        return np.maximum(floor, offset - slope * it)


def exponential(i: float | np.ndarray, *, k: float) -> np.ndarray:
    """ε_i = k^i with 0 < k < 1: a geometric decay (underflows to exactly 0, no warning)."""
    it = _iterations(i)
    base = as_float("k", k, positive=True)
    if base >= 1.0:
        raise ValueError(f"k must be in (0, 1) for the exponential schedule, got {base}")
    with np.errstate(under="ignore"):
        return np.power(base, it)


def inverse_sigmoid(i: float | np.ndarray, *, k: float) -> np.ndarray:
    """ε_i = k / (k + exp(i/k)) with k ≥ 1: flat near k/(k + 1), then an S-shaped fall.

    Computed as σ(ln k − i/k) = ½(1 + tanh((ln k − i/k)/2)), equal to the formula but
    free of overflow in exp(i/k). ε_i = ½ at i = k ln k.
    """
    it = _iterations(i)
    kk = as_float("k", k, min_value=1.0)
    return 0.5 * (1.0 + np.tanh(0.5 * (np.log(kk) - it / kk)))


def epsilon(kind: str, i: float | np.ndarray, **params: float) -> np.ndarray:
    """ε_i of the schedule ``kind`` (one of ``KINDS``) with its parameters ``k``, ``c``, ``eps``."""
    name = as_choice("kind", kind, KINDS)
    fn = {"linear": linear, "exponential": exponential, "inverse sigmoid": inverse_sigmoid}[name]
    return fn(i, **params)


def sample_mask(eps_i: float | np.ndarray, length: int, *, rng: np.random.Generator) -> np.ndarray:
    """Which inputs are ground truth: bool array of shape (*eps_i.shape, length).

    Each entry is True (feed the true previous token) with probability ε_i of its row,
    independently (a coin per position, as in the paper).
    """
    eps = as_array("eps_i", eps_i, dtype=np.float64)
    if np.any(eps < 0) or np.any(eps > 1):
        raise ValueError("eps_i must hold probabilities in [0, 1]")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    n = as_int("length", length, min_value=1)
    return rng.random((*eps.shape, n)) < eps[..., None]


def crossing(kind: str, level: float = 0.5, **params: float) -> float:
    """The iteration i at which ε_i first falls to ``level`` (closed form; ``inf`` if never).

    linear: (k − level)/c (never if the floor ε > level); exponential: ln(level)/ln(k);
    inverse sigmoid: k·ln(k(1 − level)/level), i.e. k ln k for level ½. 0 if ε_0 ≤ level.
    """
    name = as_choice("kind", kind, KINDS)
    lv = as_float("level", level, min_value=0.0, max_value=1.0)
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {lv}")
    epsilon(name, 0.0, **params)  # checks the parameters
    if name == "linear":
        k, c, floor = params.get("k", 1.0), params["c"], params.get("eps", 0.0)
        if floor > lv or (c == 0 and k > lv):
            return float("inf")
        return max(0.0, (k - lv) / c) if k > lv else 0.0
    if name == "exponential":
        return float(np.log(lv) / np.log(params["k"]))
    k = params["k"]
    return max(0.0, float(k * np.log(k * (1.0 - lv) / lv)))
