"""Notebook 05's checkers diagnose: the reference passes (and matches finite differences),
each catalogued mistake — written here as a student would write it — gets its own hint
back, and a wrong answer that matches no named mistake is located."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import gradcheck, gru
from helpers.exercises import nb05


def _sig(v):
    return 1 / (1 + np.exp(-v))


# ---- Exercise 1: the LSTM step's backward pass, as a student writes it ----------------


def student_backward(dh, dc_next, cache, *, bug=""):
    """An independent, straightforward solution, with one bug switched on by name."""
    x, h_prev, c_prev = cache["x"], cache["h_prev"], cache["c_prev"]
    i, f, g, o, c = cache["i"], cache["f"], cache["g"], cache["o"], cache["c"]
    Wx, Wh = cache["Wx"], cache["Wh"]
    tanh_c = np.tanh(c)
    if bug == "tanh at c_prev":
        dc = dc_next + dh * o * (1 - np.tanh(c_prev) ** 2)
    elif bug == "tanh for tanh'":
        dc = dc_next + dh * o * tanh_c
    elif bug == "no h path":
        dc = dc_next.copy()
    elif bug == "no dc_next":
        dc = dh * o * (1 - tanh_c**2)
    elif bug == "1 - tanh":
        dc = dc_next + dh * o * (1 - tanh_c)
    else:
        dc = dc_next + dh * o * (1 - tanh_c**2)
    if bug == "sigma for sigma'":
        di, df, do = dc * g * i, dc * c_prev * f, dh * tanh_c * o
    else:
        di, df, do = dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dh * tanh_c * o * (1 - o)
    if bug == "c in forget":
        df = dc * c * f * (1 - f)
    if bug == "o from dc":
        do = dc * tanh_c * o * (1 - o)
    dg = dc * i if bug == "no 1-g^2" else dc * i * (1 - g * g)
    if bug == "i f o g":
        da = np.hstack([di, df, do, dg])
    elif bug == "f i g o":
        da = np.hstack([df, di, dg, do])
    else:
        da = np.hstack([di, df, dg, do])
    H = h_prev.shape[1]
    if bug.startswith("only "):
        k = "ifgo".index(bug[-1])
        dh_prev = da[:, k * H : (k + 1) * H] @ Wh[k * H : (k + 1) * H, :]
    else:
        dh_prev = da @ Wh
    return {
        "dx": da @ Wx,
        "dh_prev": dh_prev,
        "dc_prev": dc if bug == "no f" else f * dc,
        "dWx": x.T @ da if bug == "W.T" else da.T @ x,
        "dWh": h_prev.T @ da if bug == "W.T" else da.T @ h_prev,
        "db": da if bug == "db per row" else np.mean(da, 0) if bug == "db mean" else np.sum(da, 0),
    }


def test_the_reference_matches_finite_differences():
    for case in nb05.lstm_backward_cases():
        (dh, dc_next, cache), _ = case
        names = ("x", "h_prev", "c_prev", "Wx", "Wh", "b")

        def loss(p, names=names, dh=dh, dc_next=dc_next):
            h, c, _ = nb05.lstm_step_forward(*(p[k] for k in names))
            return float(np.sum(dh * h) + np.sum(dc_next * c))

        numeric = gradcheck.numerical_gradient(loss, {k: cache[k] for k in names})
        ref = nb05.reference_lstm_step_backward(dh, dc_next, cache)
        assert gradcheck.rel_error({k: ref["d" + k] for k in names}, numeric) < 1e-8


def test_the_forward_step_matches_helpers_lstm():
    from helpers import lstm

    rng = np.random.default_rng(0)
    p = lstm.init(3, 4, rng=rng)
    x, h0, c0 = rng.normal(size=(1, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    hs, cache = lstm.forward(p, x, (h0, c0))
    h, c, _ = nb05.lstm_step_forward(x[0], h0, c0, p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(h, hs[0], atol=1e-13)
    np.testing.assert_allclose(c, cache.cs[0], atol=1e-13)


def test_the_first_case_is_not_degenerate():
    (dh, _dc, cache), _ = nb05.lstm_backward_cases()[0]
    B, D = cache["x"].shape
    H = dh.shape[1]
    assert len({B, D, H}) == 3 and min(B, D, H) > 1
    x, h, *_ = nb05.gru_cases()[0][0]
    assert len({x.shape[0], x.shape[1], h.shape[1]}) == 3


def test_a_correct_backward_passes_with_finite_differences(capsys):
    result = nb05.check_lstm_step_backward(student_backward)
    out = capsys.readouterr().out
    assert out.startswith("✔") and result is student_backward
    assert "central differences" in out and "< 1e-7" in out


BACKWARD_MISTAKES = [
    ("no h path", "dc = dc_next + dh ⊙ o ⊙ (1 − tanh²(c_t))"),
    ("no f", "multiplied by the forget gate"),
    ("i f o g", "cs231n uses i, f, o, g"),
    ("f i g o", "the input gate first, then the forget gate"),
    ("tanh at c_prev", "at the NEW cell c_t"),
    ("tanh for tanh'", "is 1 − tanh²(c), not tanh(c) itself"),
    ("no 1-g^2", "needs the factor 1 − g²"),
    ("sigma for sigma'", "the derivative of σ is σ(1 − σ)"),
    ("W.T", "you computed their transposes"),
    ("db per row", "db sums over the batch"),
    ("no dc_next", "dc_next, the gradient arriving along the cell"),
    ("1 - tanh", "the square is missing"),
    ("c in forget", "the forget gate multiplies the OLD cell"),
    ("o from dc", "the output gate reaches L only through h_t"),
    ("db mean", "not the mean"),
    ("only i", "dh_prev sums over them"),
    ("only f", "dh_prev sums over them"),
    ("only g", "dh_prev sums over them"),
    ("only o", "dh_prev sums over them"),
]


@pytest.mark.parametrize(("bug", "hint"), BACKWARD_MISTAKES, ids=[b for b, _ in BACKWARD_MISTAKES])
def test_each_backward_mistake_gets_its_own_hint(bug, hint, capsys):
    def buggy(dh, dc_next, cache):
        return student_backward(dh, dc_next, cache, bug=bug)

    result = nb05.check_lstm_step_backward(buggy)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out, out
    assert result is nb05.reference_lstm_step_backward
    assert out.count("Hint:") == 1, out  # its hint alone, not a list of guesses
    assert "Traceback" not in out


def test_an_unnamed_backward_error_is_located(capsys):
    def off_in_one_entry(dh, dc_next, cache):
        out = student_backward(dh, dc_next, cache)
        out["dc_prev"] = out["dc_prev"].copy()
        out["dc_prev"][1, 2] += 0.5
        return out

    nb05.check_lstm_step_backward(off_in_one_entry)
    out = capsys.readouterr().out
    assert "Hint:" not in out
    assert "output['dc_prev'] (case 1)" in out and "batch = 1, unit = 2" in out, out


def test_a_backward_that_edits_the_cache_does_not_break_the_check(capsys):
    def edits(dh, dc_next, cache):
        out = student_backward(dh, dc_next, cache)
        cache["f"] *= 0.0  # a student's in-place slip; the checker works on a copy
        return out

    for _ in range(2):  # the cases are intact the second time too
        assert nb05.check_lstm_step_backward(edits) is edits
        assert capsys.readouterr().out.startswith("✔")


def test_unfinished_backward_hands_back_the_reference(capsys):
    def todo(*args):
        raise NotImplementedError

    result = nb05.check_lstm_step_backward(todo)
    assert "not implemented yet" in capsys.readouterr().out
    assert result is nb05.reference_lstm_step_backward


# ---- Exercise 2: a GRU step ------------------------------------------------------------


def student_gru(x, h, Wx, Wh, bx, bh, *, bug=""):
    H = h.shape[1]
    names = "zrn" if bug == "z r n" else "rzn"
    sl = {k: slice(j * H, (j + 1) * H) for j, k in enumerate(names)}
    r = _sig(x @ Wx[sl["r"]].T + bx[sl["r"]] + h @ Wh[sl["r"]].T + bh[sl["r"]])
    z = _sig(x @ Wx[sl["z"]].T + bx[sl["z"]] + h @ Wh[sl["z"]].T + bh[sl["z"]])
    if bug == "reset before":
        n = np.tanh(x @ Wx[sl["n"]].T + bx[sl["n"]] + (r * h) @ Wh[sl["n"]].T + bh[sl["n"]])
    elif bug == "bias outside":
        n = np.tanh(x @ Wx[sl["n"]].T + bx[sl["n"]] + r * (h @ Wh[sl["n"]].T) + bh[sl["n"]])
    elif bug == "no r":
        n = np.tanh(x @ Wx[sl["n"]].T + bx[sl["n"]] + h @ Wh[sl["n"]].T + bh[sl["n"]])
    elif bug == "r on all":
        n = np.tanh(r * (x @ Wx[sl["n"]].T + bx[sl["n"]] + h @ Wh[sl["n"]].T + bh[sl["n"]]))
    else:
        n = np.tanh(x @ Wx[sl["n"]].T + bx[sl["n"]] + r * (h @ Wh[sl["n"]].T + bh[sl["n"]]))
    if bug == "colah":
        return (1 - z) * h + z * n
    return z * h + (1 - z) * n


def test_the_gru_reference_is_helpers_gru(capsys):
    for (x, h, Wx, Wh, bx, bh), _ in nb05.gru_cases():
        params = {"Wx": Wx, "Wh": Wh, "bx": bx, "bh": bh}
        hs, _ = gru.forward(params, x[None], h)
        np.testing.assert_allclose(nb05.reference_gru_step(x, h, Wx, Wh, bx, bh), hs[0],
                                   atol=1e-13)  # fmt: skip
    assert nb05.check_gru_step(student_gru) is student_gru
    assert capsys.readouterr().out.startswith("✔")


GRU_MISTAKES = [
    ("colah", "z and 1 − z are swapped"),
    ("reset before", "the reset gate is applied AFTER the matrix"),
    ("bias outside", "the bias b_hn is inside the reset"),
    ("z r n", "torch.nn.GRU's rows are (r, z, n)"),
    ("no r", "computed but never used"),
    ("r on all", "scales only the hidden part"),
    ("no bh", "the hidden bias bh is missing"),
]


@pytest.mark.parametrize(("bug", "hint"), GRU_MISTAKES, ids=[b for b, _ in GRU_MISTAKES])
def test_each_gru_mistake_gets_its_own_hint(bug, hint, capsys):
    def buggy(x, h, Wx, Wh, bx, bh):
        if bug == "no bh":  # a student who adds one bias only
            return student_gru(x, h, Wx, Wh, bx, 0 * bh)
        return student_gru(x, h, Wx, Wh, bx, bh, bug=bug)

    result = nb05.check_gru_step(buggy)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out, out
    assert out.count("Hint:") == 1, out
    assert result is nb05.reference_gru_step


def test_an_unnamed_gru_error_is_located(capsys):
    def adds_h(x, h, Wx, Wh, bx, bh):  # h_t = (1 − z) ⊙ n + h: not a catalogued mistake
        out = student_gru(x, h, Wx, Wh, bx, bh)
        zs = slice(h.shape[1], 2 * h.shape[1])
        z = _sig(x @ Wx[zs].T + bx[zs] + h @ Wh[zs].T + bh[zs])
        return out - z * h + h

    nb05.check_gru_step(adds_h)
    out = capsys.readouterr().out
    assert "Hint:" not in out and "the largest difference is at batch = " in out, out


# ---- Exercise 3 --------------------------------------------------------------------------


def test_forget_bias(capsys):
    assert nb05.check_forget_bias(lambda: 4.27)
    out = capsys.readouterr().out
    assert out.startswith("✔") and "4.272" in out
    assert not nb05.check_forget_bias(lambda: 6.0)  # matches no mistake: no answer given away
    out = capsys.readouterr().out
    assert "too large" in out and "4.27" not in out and "Hint:" not in out, out


def _solution(half_life_factor=0.5, log=np.log, exact=True, inverse=True):
    f = half_life_factor ** (1 / 50) if exact else 1 - half_life_factor / 50
    return log(f / (1 - f)) if inverse else f


FORGET_BIAS_MISTAKES = [
    (lambda: _solution(inverse=False), "that is the gate's value f"),
    (lambda: _solution(half_life_factor=np.exp(-1)), "a time constant τ = 50 steps"),
    (lambda: _solution(exact=False), "only to first order"),
    (lambda: np.log((1 - 0.5 ** (1 / 50)) / 0.5 ** (1 / 50)), "the sign"),
    (lambda: _solution(log=np.log10), "not log10"),
]


@pytest.mark.parametrize(("answer", "hint"), FORGET_BIAS_MISTAKES,
                         ids=["f", "1/e", "linear", "sign", "log10"])  # fmt: skip
def test_each_forget_bias_mistake_gets_its_own_hint(answer, hint, capsys):
    assert not nb05.check_forget_bias(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘") and hint in out and out.count("Hint:") == 1, out
    assert "(exact:" not in out, out  # the answer is not given away


def test_forget_bias_unfinished(capsys):
    def todo():
        raise NotImplementedError

    assert not nb05.check_forget_bias(todo)
    assert "no answer yet" in capsys.readouterr().out
