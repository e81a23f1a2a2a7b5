"""Exercises of notebook 01: the BPTT backward loop, and ``truncate=k`` with an experiment.

Exercise 1: ``bptt(dhs, xs, hs, h0, Wx, Wh)`` for a tanh RNN, written from the forward pass
and the recursion alone; returns ``{"Wx", "Wh", "b", "h0"}`` (the gradients of the shared
weights and ∂L/∂h_0).
Exercise 2: ``bptt_truncated(..., k)`` (every loss term carried back through at most k
recurrent factors, ``rnn.backward(truncate=k)``), then the smallest k whose gradient is
within 1 % of full BPTT's on ``experiment_network()``.

Every checker carries a catalogue of the mistakes students make, each written as a buggy
implementation with its own hint (tests/test_checkers_nb01.py asserts each hint comes back).
Shapes: dhs, hs (T, B, H); xs (T, B, D); h0 (B, H); Wx (H, D); Wh (H, H).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers import rnn
from helpers.exercises.core import Hint, check

AXES = {
    "Wx": ("unit", "input"),
    "Wh": ("unit", "unit of h_{t-1}"),
    "b": ("unit",),
    "h0": ("batch", "unit"),
}


def _cache(xs: np.ndarray, hs: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray):
    return rnn.Cache({"Wx": Wx, "Wh": Wh, "b": np.zeros(Wh.shape[0])}, xs, hs, h0, "tanh")


def _as_dict(grads: dict[str, np.ndarray], dh0: np.ndarray) -> dict[str, np.ndarray]:
    return {"Wx": grads["Wx"], "Wh": grads["Wh"], "b": grads["b"], "h0": dh0}


def reference_bptt(dhs, xs, hs, h0, Wx, Wh) -> dict[str, np.ndarray]:
    """Full BPTT of a tanh RNN: ``{"Wx" (H, D), "Wh" (H, H), "b" (H,), "h0" (B, H)}``."""
    return _as_dict(*rnn.backward(dhs, _cache(xs, hs, h0, Wx, Wh)))


def _cases(sizes, seed: int):
    """Random tanh RNNs with a non-zero h0 and a bias, run forward; one case per size."""
    rng = np.random.default_rng(seed)
    out = []
    for T, B, D, H in sizes:
        params = rnn.init(D, H, rng=rng, scale=1.2)
        params["b"] = rng.normal(0, 0.3, H)
        xs = rng.normal(size=(T, B, D))
        h0 = np.tanh(rng.normal(size=(B, H)))
        hs, _ = rnn.forward(params, xs, h0)
        dhs = rng.normal(size=hs.shape)
        out.append((dhs, xs, hs, h0, params["Wx"], params["Wh"]))
    return out


# -- Exercise 1: the buggy loops students write ---------------------------------------------
def _loop(
    dhs,
    xs,
    hs,
    h0,
    Wx,
    Wh,
    *,
    carry_wh: str = "Wh",
    phi_on_carry: bool = True,
    h_prev: str = "before",
    steps: str = "all",
    dh0: str = "carry",
    scale_time: bool = False,
    accumulate: bool = True,
    carry_dh: bool = False,
) -> dict[str, np.ndarray]:
    """A BPTT loop with one switch per catalogued mistake (the defaults are correct)."""
    T = len(xs)
    g = {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "b": np.zeros(Wh.shape[0])}
    carry = np.zeros_like(h0)
    delta = np.zeros_like(h0)
    ts = {"all": range(T), "no_first": range(1, T), "no_last": range(T - 1)}[steps]
    for t in reversed(ts):
        dphi = 1 - hs[t] ** 2
        delta = dphi * (dhs[t] + carry) if phi_on_carry else dphi * dhs[t] + carry
        if h_prev == "before":
            prev = hs[t - 1] if t > 0 else h0
        elif h_prev == "current":
            prev = hs[t]
        elif h_prev == "zero_first":
            prev = hs[t - 1] if t > 0 else np.zeros_like(h0)
        else:  # "wrap": hs[t - 1] at t = 0 is hs[-1], the last state
            prev = hs[t - 1]
        terms = {"Wh": delta.T @ prev, "Wx": delta.T @ xs[t], "b": delta.sum(axis=0)}
        g = {name: g[name] + v if accumulate else v for name, v in terms.items()}
        back = dhs[t] + carry if carry_dh else delta  # carry_dh: φ′ skipped on the way back
        carry = back @ (Wh.T if carry_wh == "WhT" else Wh)
    if scale_time:
        g = {name: v / T for name, v in g.items()}
    d0 = {"carry": carry, "zero": np.zeros_like(h0), "delta": delta}[dh0]
    return {**g, "h0": d0}


def _mistake(**switch: Any) -> Callable[..., dict[str, np.ndarray]]:
    def buggy(dhs, xs, hs, h0, Wx, Wh):
        return _loop(dhs, xs, hs, h0, Wx, Wh, **switch)

    return buggy


BPTT_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _mistake(carry_wh="WhT"),
        "you carried `delta @ Wh.T`. In the math W_hᵀ δ_t goes back to h_{t−1}; with rows as "
        "sequences (delta of shape (B, H)) that is `delta @ Wh`, not `delta @ Wh.T` "
        "(a = h @ Wh.T forward, so the backward multiplies by Wh).",
    ),
    (
        _mistake(phi_on_carry=False),
        "φ′ is missing on the carried term: you wrote δ_t = φ′(a_t) ⊙ ∂ℓ_t/∂h_t + W_hᵀ δ_{t+1}. "
        "What arrives from step t + 1 is a gradient with respect to h_t too, so it must also "
        "go through tanh: δ_t = (1 − h_t²) ⊙ (∂ℓ_t/∂h_t + W_hᵀ δ_{t+1}).",
    ),
    (
        _mistake(h_prev="current"),
        "dW_h used h_t where h_{t−1} belongs: a_t = W_x x_t + W_h h_{t−1} + b, so step t "
        "adds δ_t h_{t−1}ᵀ (the state BEFORE step t: `hs[t - 1]`, and `h0` for t = 0).",
    ),
    (
        _mistake(h_prev="zero_first"),
        "at the first step you used zeros for h_{t−1}; the state before step 1 is `h0`, which "
        "is not zero here: step 1 adds δ_1 h_0ᵀ to dW_h.",
    ),
    (
        _mistake(h_prev="wrap"),
        "at t = 0, `hs[t - 1]` is `hs[-1]`, the LAST state (Python wraps negative indices): the "
        "state before the first step is `h0`.",
    ),
    (
        _mistake(scale_time=True),
        "your weight gradients are the AVERAGE over time, too small by a factor T: a shared "
        "weight receives the SUM of its copies' gradients, one term per step.",
    ),
    (
        _mistake(steps="no_first"),
        "the first step (t = 0) is missing from your loop: `reversed(range(T))` runs "
        "t = T − 1, …, 0; the sums over time need every step, and ∂L/∂h_0 = W_hᵀ δ_1 comes "
        "after the first step.",
    ),
    (
        _mistake(steps="no_last"),
        "the last step (t = T − 1) is missing from your loop: start at t = T − 1 with nothing "
        "carried (δ_{T+1} = 0); `reversed(range(T))` does it.",
    ),
    (
        _mistake(carry_dh=True),
        "you carried ∂L/∂h_t back, `(dhs[t] + carry) @ Wh`: what crosses W_h is the gradient "
        "with respect to the pre-activation, δ_t = (1 − h_t²) ⊙ (…), so the carry is "
        "`delta @ Wh` — tanh′ must be applied before the step back, not skipped.",
    ),
    (
        _mistake(accumulate=False),
        "your weight gradients hold ONE step's term (the last one the loop visited, t = 0): "
        "`=` where `+=` belongs. A shared weight gets the sum of its terms over all steps.",
    ),
    (
        _mistake(dh0="zero"),
        "∂L/∂h_0 is zero: the initial state's gradient is what the loop carries past the first "
        "step, W_hᵀ δ_1 (`delta @ Wh` after t = 0).",
    ),
    (
        _mistake(dh0="delta"),
        "your ∂L/∂h_0 is δ_1 = ∂L/∂a_1; one more step back is needed: ∂L/∂h_0 = W_hᵀ δ_1 "
        "(`delta @ Wh`).",
    ),
]

BPTT_SIZES = [(5, 3, 2, 4), (7, 2, 3, 5), (3, 4, 1, 2)]  # (T, B, D, H): all distinct first


def _factor_hint(sizes) -> list[Hint]:
    T_of = [T for T, *_ in sizes]
    return [
        Hint(
            lambda d: d.kind == "factor" and abs(d.factor * T_of[d.case] - 1) < 1e-6,
            "off by exactly 1/T: averaging over time where the gradient is a sum?",
        ),
        Hint(
            lambda d: d.kind == "factor" and abs(d.factor * T_of[d.case] - 1) >= 1e-6,
            "off by a constant factor: is a step counted twice, or a factor 2 from the "
            "squared error?",
        ),
    ]


def check_bptt(student: Callable[..., Any]) -> Callable[..., Any]:
    """Exercise 1: ``bptt(dhs, xs, hs, h0, Wx, Wh) -> {"Wx", "Wh", "b", "h0"}``, tanh RNN."""
    cases = [(args, {}) for args in _cases(BPTT_SIZES, seed=11)]
    return check(
        "Exercise 1 (the BPTT loop)",
        student,
        reference_bptt,
        cases,
        hints=_factor_hint(BPTT_SIZES),
        mistakes=BPTT_MISTAKES,
        axis_names=AXES,
    )


# -- Exercise 2: truncate=k ---------------------------------------------------------------
def reference_truncated(dhs, xs, hs, h0, Wx, Wh, k) -> dict[str, np.ndarray]:
    """``rnn.backward(truncate=k)`` of a tanh RNN, as ``{"Wx", "Wh", "b", "h0"}``."""
    return _as_dict(*rnn.backward(dhs, _cache(xs, hs, h0, Wx, Wh), truncate=int(k)))


def _shifted(delta_k: int) -> Callable[..., dict[str, np.ndarray]]:
    def buggy(dhs, xs, hs, h0, Wx, Wh, k):
        return reference_truncated(dhs, xs, hs, h0, Wx, Wh, max(int(k) + delta_k, 0))

    return buggy


def _reset_every_k(dhs, xs, hs, h0, Wx, Wh, k):
    """One carry for all losses, zeroed every k steps (k1 = k2 = k windows)."""
    T, k = len(xs), int(k)
    g = {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "b": np.zeros(Wh.shape[0])}
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        delta = (1 - hs[t] ** 2) * (dhs[t] + carry)
        g["Wh"] += delta.T @ (hs[t - 1] if t > 0 else h0)
        g["Wx"] += delta.T @ xs[t]
        g["b"] += delta.sum(axis=0)
        carry = delta @ Wh
        if k == 0 or t % k == 0:
            carry = np.zeros_like(h0)
    return {**g, "h0": carry}


def _last_steps_only(dhs, xs, hs, h0, Wx, Wh, k):
    """Full BPTT over the last k + 1 steps of the sequence only."""
    T, k = len(xs), int(k)
    g = {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "b": np.zeros(Wh.shape[0])}
    carry = np.zeros_like(h0)
    for t in reversed(range(max(T - 1 - k, 0), T)):
        delta = (1 - hs[t] ** 2) * (dhs[t] + carry)
        g["Wh"] += delta.T @ (hs[t - 1] if t > 0 else h0)
        g["Wx"] += delta.T @ xs[t]
        g["b"] += delta.sum(axis=0)
        carry = delta @ Wh
    return {**g, "h0": carry if k >= T - 1 else np.zeros_like(h0)}


def _per_loss(dhs, xs, hs, h0, Wx, Wh, k, *, wrap=False, h0_upto=0):
    """One loss term at a time, carried back k steps; ``wrap``: ``hs[s - 1]`` at s = 0 (the
    last state); ``h0_upto``: the losses at steps t < k + h0_upto add to ∂L/∂h_0."""
    T, k = len(xs), int(k)
    g = {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "b": np.zeros(Wh.shape[0])}
    dh0 = np.zeros_like(h0)
    for t in range(T):
        carry = dhs[t]
        for s in range(t, max(t - k, 0) - 1, -1):
            delta = (1 - hs[s] ** 2) * carry
            g["Wh"] += delta.T @ (hs[s - 1] if s > 0 or wrap else h0)
            g["Wx"] += delta.T @ xs[s]
            g["b"] += delta.sum(axis=0)
            carry = delta @ Wh
        if t < k + h0_upto:
            dh0 += carry
    return {**g, "h0": dh0}


def _wrap_first(dhs, xs, hs, h0, Wx, Wh, k):
    return _per_loss(dhs, xs, hs, h0, Wx, Wh, k, wrap=True)


def _h0_one_loss_too_many(dhs, xs, hs, h0, Wx, Wh, k):
    return _per_loss(dhs, xs, hs, h0, Wx, Wh, k, h0_upto=1)


def _no_h0(dhs, xs, hs, h0, Wx, Wh, k):
    return {**reference_truncated(dhs, xs, hs, h0, Wx, Wh, k), "h0": np.zeros_like(h0)}


TRUNCATE_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _shifted(-1),
        "you kept k − 1 recurrent factors: with truncate=k the loss at step t reaches "
        "h_t, h_{t−1}, …, h_{t−k} — k + 1 states, k multiplications by W_h (k = 0: only "
        "its own step).",
    ),
    (
        _shifted(+1),
        "you kept k + 1 recurrent factors, one too many: the loss at step t must stop at "
        "h_{t−k} (k multiplications by W_h; k = 0 means none).",
    ),
    (
        _reset_every_k,
        "you reset one carried signal every k steps (Sutskever's k1 = k2 = k windows): a loss "
        "just after a cut then gets no recurrent gradient at all. truncate=k carries EACH "
        "loss term back k steps, so the signals of different losses must be kept apart "
        "(a loop over the loss terms, or k + 1 signals in flight).",
    ),
    (
        _last_steps_only,
        "you ran full BPTT over the last k + 1 steps of the sequence only: truncation is per "
        "loss term — the loss at EVERY step t is carried back to step t − k.",
    ),
    (
        _no_h0,
        "∂L/∂h_0 is zero, but the losses at steps t ≤ k reach h_0: add W_hᵀ δ_1 of those "
        "loss terms.",
    ),
    (
        _wrap_first,
        "at s = 0, `hs[s - 1]` is `hs[-1]`, the LAST state (Python wraps negative indices): "
        "the state before the first step is `h0`.",
    ),
    (
        _h0_one_loss_too_many,
        "one loss term too many reaches h_0: from code index t, reaching h_0 takes t + 1 "
        "multiplications by W_h, so only the losses at code indices t < k get there (none "
        "for k = 0).",
    ),
]

TRUNCATE_CASES = [((9, 3, 2, 4), 3), ((8, 2, 3, 5), 1), ((6, 2, 2, 3), 0), ((5, 1, 2, 4), 9)]


def check_bptt_truncated(student: Callable[..., Any]) -> Callable[..., Any]:
    """Exercise 2a: ``bptt_truncated(dhs, xs, hs, h0, Wx, Wh, k)``, same outputs as Ex. 1."""
    sizes = [s for s, _ in TRUNCATE_CASES]
    cases = [
        ((*args, k), {})
        for args, (_, k) in zip(_cases(sizes, seed=12), TRUNCATE_CASES, strict=True)
    ]
    hints = [
        Hint(
            lambda d: d.kind == "shape" and d.leaf.endswith("['h0']"),
            "∂L/∂h_0 has the shape of h0, (B, H).",
        )
    ]
    return check(
        "Exercise 2a (truncate=k)",
        student,
        reference_truncated,
        cases,
        hints=hints,
        mistakes=TRUNCATE_MISTAKES,
        axis_names=AXES,
    )


# -- Exercise 2b: the experiment ----------------------------------------------------------
EXP_T, EXP_B, EXP_D, EXP_H, EXP_SEED, EXP_SCALE = 40, 4, 3, 8, 5, 1.3
PARAM_KEYS = ("Wx", "Wh", "b")


def experiment_network() -> tuple[np.ndarray, ...]:
    """The network of Exercise 2b: ``(dhs, xs, hs, h0, Wx, Wh)`` of a seeded tanh RNN.

    T = 40 steps, B = 4, D = 3, H = 8, W_h scaled by 1.3, a loss at every step
    (``dhs[t]`` random of size about 1), a random initial state.
    """
    rng = np.random.default_rng(EXP_SEED)
    params = rnn.init(EXP_D, EXP_H, rng=rng, scale=EXP_SCALE)
    params["b"] = rng.normal(0, 0.2, EXP_H)
    xs = rng.normal(size=(EXP_T, EXP_B, EXP_D))
    h0 = np.tanh(rng.normal(size=(EXP_B, EXP_H)))
    hs, _ = rnn.forward(params, xs, h0)
    dhs = rng.normal(size=hs.shape) / np.sqrt(EXP_H)
    return dhs, xs, hs, h0, params["Wx"], params["Wh"]


def gradient_error(g: dict[str, np.ndarray], g_full: dict[str, np.ndarray]) -> float:
    """‖g − g_full‖ / ‖g_full‖ over W_x, W_h and b stacked into one vector."""
    diff = np.concatenate([np.ravel(g[k] - g_full[k]) for k in PARAM_KEYS])
    ref = np.concatenate([np.ravel(g_full[k]) for k in PARAM_KEYS])
    return float(np.linalg.norm(diff) / np.linalg.norm(ref))


def _errors(absolute: bool = False) -> np.ndarray:
    """Relative (or absolute) error of truncate=k against full BPTT for k = 0 … T − 1."""
    args = experiment_network()
    full = reference_bptt(*args)
    scale = np.sqrt(sum(np.sum(full[key] ** 2) for key in PARAM_KEYS)) if absolute else 1.0
    return scale * np.array(
        [gradient_error(reference_truncated(*args, k), full) for k in range(EXP_T)]
    )


def smallest_k(errors: np.ndarray, tol: float = 0.01) -> int | None:
    """The first k whose error is below ``tol`` (errors[k] for k = 0, 1, …), else None."""
    below = np.flatnonzero(np.asarray(errors) < tol)
    return int(below[0]) if below.size else None


def check_smallest_k(answer: Callable[[], Any]) -> bool:
    """Exercise 2b: the smallest k with a relative gradient error below 1 %.

    ``answer()`` returns the student's k. Recognised: the last k at or above 1 % (one too
    small), the absolute instead of the relative error, no k found (the forward cut too).
    """
    title = "Exercise 2b (smallest k below 1 %)"
    try:
        value = answer()
    except NotImplementedError:
        print(f"… {title}: no answer yet.")
        return False
    except (Exception, SystemExit) as exc:
        print(f"✘ {title}: computing your answer raised {type(exc).__name__}: {exc}")
        return False
    if value is None:
        print(
            f"✘ {title}: no k found. At k = T − 1 truncated BPTT IS full BPTT (error 0), so "
            "some k is below 1 %. If your errors never get there, the truncated gradient is "
            "computed on other states: truncation keeps the true forward states (no reset to "
            "0) and cuts only the backward signal."
        )
        return False
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float)):
        print(f"✘ {title}: the answer should be a whole number k, got {value!r:.40}.")
        return False
    if float(value) != int(value):
        print(f"✘ {title}: the answer should be a whole number k, got {value}.")
        return False
    value = int(value)
    errs = _errors()
    k_star = int(smallest_k(errs))  # exists: errs[T - 1] = 0
    if value == k_star:
        print(
            f"✔ {title}: k = {value} (relative error {errs[value]:.2%}; "
            f"k = {value - 1} gives {errs[value - 1]:.2%})."
        )
        return True
    print(f"✘ {title}: k = {value} is not the smallest k below 1 %.")
    named = {
        k_star - 1: "that is the last k at or above 1 %, one too small: the question asks "
        "for the first k whose error is below 1 %.",
        smallest_k(_errors(absolute=True)): "that is where the ABSOLUTE error ‖g_k − g‖ falls "
        "below 0.01; the relative error divides by ‖g‖ (here about 37).",
    }
    hint = named.get(value)
    if hint:
        print("  Hint: " + hint)
    elif 0 <= value < EXP_T:
        side = (
            "still at or above 1 %"
            if errs[value] >= 0.01
            else "below 1 %, but a smaller k already is"
        )
        print(f"  At k = {value} the relative error is {errs[value]:.2%}: {side}.")
    else:
        print(f"  k must lie between 0 and T − 1 = {EXP_T - 1}.")
    return False
