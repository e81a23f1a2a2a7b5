"""Exercises of notebook 05: the LSTM step's backward pass, a GRU step from its equations,
and the forget-gate bias for a given half-life.

Exercise 1 (the central one): ``lstm_step_backward(dh, dc_next, cache)`` → the gradients
of one LSTM step, checked against the reference and against central differences of the
forward step. Exercise 2: ``gru_step(x, h, Wx, Wh, bx, bh)`` in ``torch.nn.GRU``'s
convention. Each checker carries a catalogue of the mistakes students make, each answered
with its own hint (tests/test_checkers_nb05.py writes each one as a buggy solution).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers import gradcheck
from helpers.exercises.core import check, check_value, near

GATES = ("i", "f", "g", "o")


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


# --------------------------------------------------------------------------------------
# Exercise 1: the LSTM step's backward pass
# --------------------------------------------------------------------------------------


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step, gate order (i, f, g, o) as torch.nn.LSTM.

    ``x`` (B, D), ``h_prev``, ``c_prev`` (B, H), ``Wx`` (4H, D), ``Wh`` (4H, H), ``b`` (4H,).
    Returns ``(h, c, cache)``; ``cache`` is a dict with the inputs (``x``, ``h_prev``,
    ``c_prev``, ``Wx``, ``Wh``) and the gates after their nonlinearity (``i``, ``f``,
    ``g``, ``o``, each (B, H)) and the new cell ``c``.
    """
    H = h_prev.shape[-1]
    a = x @ Wx.T + h_prev @ Wh.T + b
    i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H : 2 * H]), _sigmoid(a[:, 3 * H :])
    g = np.tanh(a[:, 2 * H : 3 * H])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "Wx": Wx, "Wh": Wh,
             "i": i, "f": f, "g": g, "o": o, "c": c}  # fmt: skip
    return h, c, cache


def _lstm_backward(dh, dc_next, cache, *, bug: str = "") -> dict[str, np.ndarray]:
    """The reference backward pass of one LSTM step, or one catalogued mistake (``bug``)."""
    x, h_prev, c_prev, Wx, Wh = (cache[k] for k in ("x", "h_prev", "c_prev", "Wx", "Wh"))
    i, f, g, o, c = (cache[k] for k in ("i", "f", "g", "o", "c"))
    H = h_prev.shape[-1]
    tc = np.tanh(c)
    dtanh = 1 - tc**2  # ∂tanh(c)/∂c
    if bug == "tanh_prime_of_c_prev":
        dtanh = 1 - np.tanh(c_prev) ** 2
    elif bug == "tanh_not_derivative":
        dtanh = tc
    elif bug == "tanh_prime_no_square":
        dtanh = 1 - tc
    dc = dc_next + dh * o * dtanh  # total ∂L/∂c: through c_{t+1} and through h_t
    if bug == "no_path_through_h":
        dc = dc_next
    elif bug == "no_dc_next":
        dc = dh * o * dtanh
    dsig = {k: v * (1 - v) for k, v in (("i", i), ("f", f), ("o", o))}  # σ′ = σ(1 − σ)
    if bug == "sigmoid_prime_is_sigma":
        dsig = {"i": i, "f": f, "o": o}
    dg = 1 - g**2
    if bug == "no_tanh_prime_on_g":
        dg = np.ones_like(g)
    da = {
        "i": dc * g * dsig["i"],
        "f": dc * (c if bug == "new_cell_in_forget" else c_prev) * dsig["f"],
        "g": dc * i * dg,
        "o": (dc if bug == "output_gate_from_dc" else dh) * tc * dsig["o"],
    }
    order = {"order_ifog": ("i", "f", "o", "g"), "order_figo": ("f", "i", "g", "o")}.get(bug, GATES)
    da_all = np.concatenate([da[k] for k in order], axis=-1)  # (B, 4H)
    dh_prev = da_all @ Wh
    if bug.startswith("dh_prev_only_"):  # one gate's block of W_h instead of all four
        k = GATES.index(bug[-1])
        dh_prev = da_all[:, k * H : (k + 1) * H] @ Wh[k * H : (k + 1) * H]
    out = {
        "dx": da_all @ Wx,
        "dh_prev": dh_prev,
        "dc_prev": dc if bug == "no_forget_on_dc_prev" else dc * f,
        "dWx": da_all.T @ x,
        "dWh": da_all.T @ h_prev,
        "db": da_all.sum(axis=0),
    }
    if bug == "dW_transposed":
        out["dWx"], out["dWh"] = x.T @ da_all, h_prev.T @ da_all
    if bug == "db_not_summed":
        out["db"] = da_all
    elif bug == "db_averaged":
        out["db"] = da_all.mean(axis=0)
    return out


def reference_lstm_step_backward(dh, dc_next, cache) -> dict[str, np.ndarray]:
    """Gradients of one LSTM step: ``dh`` = ∂L/∂h_t, ``dc_next`` = ∂L/∂c_t from step t+1
    (each (B, H)), ``cache`` from ``lstm_step_forward``. Returns a dict ``dx`` (B, D),
    ``dh_prev``, ``dc_prev`` (B, H), ``dWx`` (4H, D), ``dWh`` (4H, H), ``db`` (4H,)."""
    return _lstm_backward(dh, dc_next, cache)


def _bug(name: str) -> Callable[..., dict[str, np.ndarray]]:
    def wrong(dh, dc_next, cache):
        return _lstm_backward(dh, dc_next, cache, bug=name)

    wrong.__name__ = f"_{name}"
    return wrong


#: The catalogue of Exercise 1: (buggy implementation, hint), in the order they are tried.
LSTM_BACKWARD_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _bug("no_path_through_h"),
        "the cell also reaches the loss through h_t = o ⊙ tanh(c_t): the total gradient on "
        "the cell is dc = dc_next + dh ⊙ o ⊙ (1 − tanh²(c_t)).",
    ),
    (
        _bug("no_dc_next"),
        "dc_next, the gradient arriving along the cell from step t+1, is part of the total: "
        "dc = dc_next + dh ⊙ o ⊙ (1 − tanh²(c_t)). It is the cell path itself.",
    ),
    (
        _bug("no_forget_on_dc_prev"),
        "dc_prev = dc ⊙ f: c_t = f ⊙ c_{t−1} + …, so the gradient reaching c_{t−1} is "
        "multiplied by the forget gate (the diagonal c → c block).",
    ),
    (
        _bug("order_ifog"),
        "the gate blocks are in the wrong order: the rows of Wx, Wh, b are (i, f, g, o) "
        "as in torch.nn.LSTM — the candidate g third, the output gate last (cs231n uses "
        "i, f, o, g).",
    ),
    (
        _bug("order_figo"),
        "the gate blocks are in the wrong order: the rows of Wx, Wh, b are (i, f, g, o) "
        "as in torch.nn.LSTM — the input gate first, then the forget gate.",
    ),
    (
        _bug("tanh_prime_of_c_prev"),
        "tanh′ must be taken at the NEW cell c_t (h_t = o ⊙ tanh(c_t)), not at c_{t−1}.",
    ),
    (
        _bug("tanh_not_derivative"),
        "the derivative of tanh(c) is 1 − tanh²(c), not tanh(c) itself.",
    ),
    (
        _bug("tanh_prime_no_square"),
        "tanh′(c) = 1 − tanh²(c): the square is missing (you used 1 − tanh(c)).",
    ),
    (
        _bug("new_cell_in_forget"),
        "the forget gate multiplies the OLD cell: c_t = f ⊙ c_{t−1} + …, so "
        "da_f = dc ⊙ c_{t−1} ⊙ f(1 − f), with cache['c_prev'], not the new c_t.",
    ),
    (
        _bug("output_gate_from_dc"),
        "the output gate reaches L only through h_t = o ⊙ tanh(c_t): "
        "da_o = dh ⊙ tanh(c_t) ⊙ o(1 − o), with dh, not the cell's total dc.",
    ),
    (
        _bug("no_tanh_prime_on_g"),
        "g = tanh(a_g): its pre-activation gradient needs the factor 1 − g² "
        "(da_g = dc ⊙ i ⊙ (1 − g²)).",
    ),
    (
        _bug("sigmoid_prime_is_sigma"),
        "the derivative of σ is σ(1 − σ), not σ: da_i = dc ⊙ g ⊙ i(1 − i), and likewise "
        "for f and o.",
    ),
    (
        _bug("dW_transposed"),
        "dWx and dWh have the shape of Wx (4H, D) and Wh (4H, H): dWx = daᵀ x, "
        "dWh = daᵀ h_prev (you computed their transposes, xᵀ da).",
    ),
    (
        _bug("db_not_summed"),
        "db sums over the batch: db = da.sum(axis=0), shape (4H,).",
    ),
    (
        _bug("db_averaged"),
        "db sums over the batch, as dWx and dWh do (da.T @ x sums too): "
        "db = da.sum(axis=0), not the mean.",
    ),
]
_ONE_GATE = (
    "h_{t−1} feeds all four gates, so dh_prev sums over them: dh_prev = da @ Wh with da the "
    "(B, 4H) gradient of all four pre-activations, not one gate's block."
)
LSTM_BACKWARD_MISTAKES += [(_bug(f"dh_prev_only_{k}"), _ONE_GATE) for k in GATES]

LSTM_BACKWARD_AXES = {
    "dx": ("batch", "input"),
    "dh_prev": ("batch", "unit"),
    "dc_prev": ("batch", "unit"),
    "dWx": ("gate row (i, f, g, o blocks)", "input"),
    "dWh": ("gate row (i, f, g, o blocks)", "unit"),
    "db": ("gate row (i, f, g, o blocks)",),
}


def lstm_backward_cases(seed: int = 11) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Test cases ``((dh, dc_next, cache), {})``: distinct B, D, H from the first case on."""
    rng = np.random.default_rng(seed)
    cases = []
    for B, D, H in [(3, 2, 4), (2, 5, 3), (4, 3, 2)]:
        x, h_prev, c_prev = (rng.normal(size=s) for s in [(B, D), (B, H), (B, H)])
        Wx, Wh = 0.7 * rng.normal(size=(4 * H, D)), 0.7 * rng.normal(size=(4 * H, H))
        b = 0.5 * rng.normal(size=4 * H)
        *_, cache = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
        cache["b"] = b  # not needed by the backward pass; kept for the finite differences
        cases.append(((rng.normal(size=(B, H)), rng.normal(size=(B, H)), cache), {}))
    return cases


def _finite_difference_error(student: Callable[..., Any], case) -> float:
    """Relative error between ``student``'s gradients and central differences of the
    forward step, for L = Σ dh ⊙ h_t + Σ dc_next ⊙ c_t, on one case."""
    (dh, dc_next, cache), _ = case
    names = {"x": "dx", "h_prev": "dh_prev", "c_prev": "dc_prev", "Wx": "dWx", "Wh": "dWh",
             "b": "db"}  # fmt: skip
    start = {k: cache[k] for k in names}

    def loss(p):
        h, c, _ = lstm_step_forward(p["x"], p["h_prev"], p["c_prev"], p["Wx"], p["Wh"], p["b"])
        return float(np.sum(dh * h) + np.sum(dc_next * c))

    numeric = gradcheck.numerical_gradient(loss, start)
    got = student(dh, dc_next, copy.deepcopy(cache))
    return gradcheck.rel_error({k: np.asarray(got[v], float) for k, v in names.items()},
                               numeric)  # fmt: skip


def check_lstm_step_backward(student: Callable) -> Callable:
    """Exercise 1: ``lstm_step_backward(dh, dc_next, cache) -> dict`` of gradients
    (``dx``, ``dh_prev``, ``dc_prev``, ``dWx``, ``dWh``, ``db``)."""
    cases = lstm_backward_cases()

    def on_a_copy(dh, dc_next, cache):  # the cache is a dict: protect it from in-place edits
        return student(dh, dc_next, copy.deepcopy(cache))

    title = "Exercise 1 (the LSTM step's backward pass)"
    result = check(
        title,
        on_a_copy,
        reference_lstm_step_backward,
        cases,
        mistakes=LSTM_BACKWARD_MISTAKES,
        axis_names=LSTM_BACKWARD_AXES,
    )
    if result is not on_a_copy:
        return result
    err = _finite_difference_error(student, cases[0])
    if err < 1e-7:
        print("  and it agrees with central differences of the forward step "
              "(relative error < 1e-7).")  # fmt: skip
    else:  # not reached by a solution that matches the reference (tested)
        print(f"  but it differs from central differences by {err:.2g}.")
    return student


# --------------------------------------------------------------------------------------
# Exercise 2: a GRU step, torch.nn.GRU's convention
# --------------------------------------------------------------------------------------


def _gru(x, h, Wx, Wh, bx, bh, *, bug: str = ""):
    H = h.shape[-1]
    order = ("z", "r", "n") if bug == "order_zrn" else ("r", "z", "n")
    ax = dict(zip(order, np.split(x @ Wx.T + bx, 3, axis=-1), strict=True))
    ah = dict(zip(order, np.split(h @ Wh.T + bh, 3, axis=-1), strict=True))
    r, z = _sigmoid(ax["r"] + ah["r"]), _sigmoid(ax["z"] + ah["z"])
    if bug == "reset_before_matmul":  # Cho et al. (2014): r ⊙ h inside the product
        k = order.index("n")
        Whn, bhn = Wh[k * H : (k + 1) * H], bh[k * H : (k + 1) * H]
        n = np.tanh(ax["n"] + (r * h) @ Whn.T + bhn)
    elif bug == "reset_outside_bias":
        k = order.index("n")
        n = np.tanh(ax["n"] + r * (h @ Wh[k * H : (k + 1) * H].T) + bh[k * H : (k + 1) * H])
    elif bug == "no_reset":
        n = np.tanh(ax["n"] + ah["n"])
    elif bug == "reset_on_everything":
        n = np.tanh(r * (ax["n"] + ah["n"]))
    elif bug == "no_hidden_bias":
        ah = dict(zip(order, np.split(h @ Wh.T, 3, axis=-1), strict=True))
        r, z = _sigmoid(ax["r"] + ah["r"]), _sigmoid(ax["z"] + ah["z"])
        n = np.tanh(ax["n"] + r * ah["n"])
    else:
        n = np.tanh(ax["n"] + r * ah["n"])
    if bug == "z_swapped":  # colah / Chung et al.'s form, with torch's z
        return (1 - z) * h + z * n
    return (1 - z) * n + z * h


def reference_gru_step(x, h, Wx, Wh, bx, bh):
    """One GRU step as torch.nn.GRU: rows (r, z, n); x (B, D), h (B, H) -> h_new (B, H)."""
    return _gru(x, h, Wx, Wh, bx, bh)


def _gru_bug(name: str) -> Callable[..., np.ndarray]:
    def wrong(x, h, Wx, Wh, bx, bh):
        return _gru(x, h, Wx, Wh, bx, bh, bug=name)

    wrong.__name__ = f"_{name}"
    return wrong


GRU_MISTAKES: list[tuple[Callable[..., Any], str]] = [
    (
        _gru_bug("z_swapped"),
        "z and 1 − z are swapped: in torch.nn.GRU's convention (the course's) "
        "h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}, so z = 1 KEEPS the state. colah's blog and "
        "Chung et al. (2014) write it the other way round.",
    ),
    (
        _gru_bug("reset_before_matmul"),
        "the reset gate is applied AFTER the matrix in torch.nn.GRU: "
        "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); r ⊙ h inside the product is "
        "Cho et al.'s (2014) original form.",
    ),
    (
        _gru_bug("reset_outside_bias"),
        "the bias b_hn is inside the reset: r ⊙ (W_hn h + b_hn), not r ⊙ (W_hn h) + b_hn.",
    ),
    (
        _gru_bug("no_reset"),
        "the reset gate r is computed but never used: "
        "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).",
    ),
    (
        _gru_bug("reset_on_everything"),
        "the reset gate scales only the hidden part of the candidate: "
        "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), not tanh(r ⊙ (all of it)).",
    ),
    (
        _gru_bug("no_hidden_bias"),
        "torch.nn.GRU adds two biases, bx and bh, to every gate: the hidden bias bh is "
        "missing (its n block sits inside the reset: r ⊙ (W_hn h + b_hn)).",
    ),
    (
        _gru_bug("order_zrn"),
        "the gate blocks are in the wrong order: torch.nn.GRU's rows are (r, z, n) — the "
        "reset gate first, then the update gate, then the candidate.",
    ),
]


def gru_cases(seed: int = 12) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Test cases ``((x, h, Wx, Wh, bx, bh), {})`` with distinct B, D, H."""
    rng = np.random.default_rng(seed)
    cases = []
    for B, D, H in [(3, 2, 4), (2, 5, 3), (4, 3, 2)]:
        cases.append(
            (
                (
                    rng.normal(size=(B, D)),
                    rng.normal(size=(B, H)),
                    0.8 * rng.normal(size=(3 * H, D)),
                    0.8 * rng.normal(size=(3 * H, H)),
                    0.5 * rng.normal(size=3 * H),
                    0.5 * rng.normal(size=3 * H),
                ),
                {},
            )
        )
    return cases


def check_gru_step(student: Callable) -> Callable:
    """Exercise 2: ``gru_step(x, h, Wx, Wh, bx, bh) -> h_new`` as torch.nn.GRU."""
    return check(
        "Exercise 2 (a GRU step, torch.nn.GRU's convention)",
        student,
        reference_gru_step,
        gru_cases(),
        mistakes=GRU_MISTAKES,
        axis_names={"output": ("batch", "unit")},
    )


# --------------------------------------------------------------------------------------
# Exercise 3: the forget-gate bias for a 50-step half-life
# --------------------------------------------------------------------------------------


def _forget_bias(f: float) -> float:
    return float(np.log(f / (1 - f)))


#: The catalogue of Exercise 3: (the number a mistake gives, hint).
FORGET_BIAS_MISTAKES: list[tuple[float, str]] = [
    (
        0.5 ** (1 / 50),
        "that is the gate's value f, with f^50 = 1/2; the question asks for the bias: "
        "invert the sigmoid, b_f = σ⁻¹(f) = ln(f / (1 − f)).",
    ),
    (
        _forget_bias(np.exp(-1 / 50)),
        "that bias gives f^50 = 1/e (a time constant τ = 50 steps), not 1/2: "
        "a half-life asks for f^50 = 1/2.",
    ),
    (
        _forget_bias(1 - 0.5 / 50),
        "f = 1 − 1/(2·50) solves f^50 = 1/2 only to first order; solve it exactly, f = 0.5^(1/50).",
    ),
    (
        -_forget_bias(0.5 ** (1 / 50)),
        "the sign: σ⁻¹(f) = ln(f / (1 − f)), not ln((1 − f) / f). A gate that stays near 1 "
        "needs a positive bias.",
    ),
    (
        _forget_bias(0.5 ** (1 / 50)) / np.log(10),
        "σ⁻¹ uses the natural logarithm: b_f = ln(f / (1 − f)), not log10.",
    ),
    (
        _forget_bias(0.5**50),
        "that bias gives f = 0.5^50, a gate that forgets almost everything in ONE step: "
        "f^50 = 1/2 asks for the 50th ROOT, f = 0.5^(1/50).",
    ),
    (
        float(_sigmoid(0.5 ** (1 / 50))),
        "that is σ(f), the sigmoid applied to the gate value: the bias is the number whose "
        "sigmoid is f, b_f = σ⁻¹(f) = ln(f / (1 − f)).",
    ),
]


def check_forget_bias(answer: Callable[[], float], *, reveal: bool = False) -> bool:
    """Exercise 3: the forget-gate bias b_f with σ(b_f)^50 = 1/2 (inputs and h at zero).

    A number that matches a catalogued mistake gets its hint; any other wrong number is
    told whether it is too large or too small and roughly by how much, never the answer
    (``reveal=True``, a deliberate request, shows it)."""
    return check_value(
        "Exercise 3 (forget-gate bias for a 50-step half-life)",
        answer,
        _forget_bias(0.5 ** (1 / 50)),
        rtol=0.02,
        explanation="f = 0.5^(1/50) ≈ 0.9862, b_f = ln(f / (1 − f)).",
        mistakes=[(near(value, 0.01), hint) for value, hint in FORGET_BIAS_MISTAKES],
        guidance="Solve f^50 = 1/2 for f, then σ(b_f) = f for b_f.",
        reveal=reveal,
    )
