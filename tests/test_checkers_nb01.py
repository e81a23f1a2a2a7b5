"""Notebook 01's checkers diagnose: the reference solutions pass, every catalogued mistake,
written as a student would write it, gets its own hint back, and an error no hint names is
located (output, axis and entry). The solutions are independent loops, checked against
finite differences here too."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import rnn
from helpers.exercises import nb01
from helpers.gradcheck import numerical_gradient, rel_error


def _zeros(Wx, Wh, h0):
    return {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "b": np.zeros(len(Wh))}


def bptt(dhs, xs, hs, h0, Wx, Wh):
    """The solution of Exercise 1, as in the notebook."""
    grads = _zeros(Wx, Wh, h0)
    carry = np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        delta = (1 - hs[t] ** 2) * (dhs[t] + carry)
        h_prev = hs[t - 1] if t > 0 else h0
        grads["Wh"] += delta.T @ h_prev
        grads["Wx"] += delta.T @ xs[t]
        grads["b"] += delta.sum(axis=0)
        carry = delta @ Wh
    return {**grads, "h0": carry}


def bptt_truncated(dhs, xs, hs, h0, Wx, Wh, k):
    """The solution of Exercise 2a: one loss term at a time, carried back k steps."""
    grads = _zeros(Wx, Wh, h0)
    dh0 = np.zeros_like(h0)
    for t in range(len(xs)):
        carry = dhs[t]
        for s in range(t, max(t - k, 0) - 1, -1):
            delta = (1 - hs[s] ** 2) * carry
            grads["Wh"] += delta.T @ (hs[s - 1] if s > 0 else h0)
            grads["Wx"] += delta.T @ xs[s]
            grads["b"] += delta.sum(axis=0)
            carry = delta @ Wh
        if t < k:  # crossed t + 1 <= k factors: it reaches h_0
            dh0 += carry
    return {**grads, "h0": dh0}


# -- the buggy solutions, one per catalogued mistake ----------------------------------------
def _variant(**bug):
    def student(dhs, xs, hs, h0, Wx, Wh):
        grads = _zeros(Wx, Wh, h0)
        carry = np.zeros_like(h0)
        T = len(xs)
        steps = bug.get("steps", range(T))
        delta = None
        for t in reversed(steps):
            if bug.get("no_phi_on_carry"):
                delta = (1 - hs[t] ** 2) * dhs[t] + carry
            else:
                delta = (1 - hs[t] ** 2) * (dhs[t] + carry)
            if bug.get("h_t"):
                h_prev = hs[t]
            elif bug.get("wrap"):
                h_prev = hs[t - 1]
            elif bug.get("zeros_first"):
                h_prev = hs[t - 1] if t > 0 else np.zeros_like(h0)
            else:
                h_prev = hs[t - 1] if t > 0 else h0
            if bug.get("overwrite"):  # `=` where `+=` belongs
                grads = {"Wh": delta.T @ h_prev, "Wx": delta.T @ xs[t], "b": delta.sum(axis=0)}
            else:
                grads["Wh"] += delta.T @ h_prev
                grads["Wx"] += delta.T @ xs[t]
                grads["b"] += delta.sum(axis=0)
            if bug.get("carry_dh"):  # ∂L/∂h_t carried back instead of δ_t
                carry = (dhs[t] + carry) @ Wh
            else:
                carry = delta @ (Wh.T if bug.get("transpose") else Wh)
        if bug.get("mean"):
            grads = {name: g / T for name, g in grads.items()}
        dh0 = carry
        if bug.get("no_dh0"):
            dh0 = np.zeros_like(h0)
        if bug.get("dh0_delta"):
            dh0 = delta
        return {**grads, "h0": dh0}

    return student


BPTT_BUGS = [
    (_variant(transpose=True), "`delta @ Wh`, not `delta @ Wh.T`"),
    (_variant(no_phi_on_carry=True), "φ′ is missing on the carried term"),
    (_variant(h_t=True), "dW_h used h_t where h_{t−1} belongs"),
    (_variant(zeros_first=True), "you used zeros for h_{t−1}"),
    (_variant(wrap=True), "Python wraps negative indices"),
    (_variant(mean=True), "AVERAGE over time"),
    (lambda *a: _variant(steps=range(1, len(a[1])))(*a), "first step (t = 0) is missing"),
    (lambda *a: _variant(steps=range(len(a[1]) - 1))(*a), "last step (t = T − 1) is missing"),
    (_variant(carry_dh=True), "you carried ∂L/∂h_t back"),
    (_variant(overwrite=True), "`=` where `+=` belongs"),
    (_variant(no_dh0=True), "∂L/∂h_0 is zero"),
    (_variant(dh0_delta=True), "your ∂L/∂h_0 is δ_1"),
]


def _truncated_by(shift):
    def student(dhs, xs, hs, h0, Wx, Wh, k):
        return bptt_truncated(dhs, xs, hs, h0, Wx, Wh, max(k + shift, 0))

    return student


def _one_carry_reset(dhs, xs, hs, h0, Wx, Wh, k):
    grads = _zeros(Wx, Wh, h0)
    carry = np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        delta = (1 - hs[t] ** 2) * (dhs[t] + carry)
        grads["Wh"] += delta.T @ (hs[t - 1] if t > 0 else h0)
        grads["Wx"] += delta.T @ xs[t]
        grads["b"] += delta.sum(axis=0)
        carry = delta @ Wh
        if k == 0 or t % k == 0:
            carry = np.zeros_like(h0)
    return {**grads, "h0": carry}


def _last_k_plus_one(dhs, xs, hs, h0, Wx, Wh, k):
    T = len(xs)
    g = bptt(dhs[T - 1 - k :], xs[T - 1 - k :], hs[T - 1 - k :], hs[T - 2 - k], Wx, Wh)
    return {**g, "h0": np.zeros_like(h0)}


def _truncated_no_dh0(dhs, xs, hs, h0, Wx, Wh, k):
    return {**bptt_truncated(dhs, xs, hs, h0, Wx, Wh, k), "h0": np.zeros_like(h0)}


def _truncated_wrap(dhs, xs, hs, h0, Wx, Wh, k):
    grads = _zeros(Wx, Wh, h0)
    dh0 = np.zeros_like(h0)
    for t in range(len(xs)):
        carry = dhs[t]
        for s in range(t, max(t - k, 0) - 1, -1):
            delta = (1 - hs[s] ** 2) * carry
            grads["Wh"] += delta.T @ hs[s - 1]  # at s = 0 this is the last state
            grads["Wx"] += delta.T @ xs[s]
            grads["b"] += delta.sum(axis=0)
            carry = delta @ Wh
        if t < k:
            dh0 += carry
    return {**grads, "h0": dh0}


def _truncated_h0_off_by_one(dhs, xs, hs, h0, Wx, Wh, k):
    """Every loss carried back k steps, but the losses at t <= k (not t < k) added to dh0."""
    grads = _zeros(Wx, Wh, h0)
    dh0 = np.zeros_like(h0)
    for t in range(len(xs)):
        carry = dhs[t]
        for s in range(t, t - k - 1, -1):
            if s < 0:
                break
            delta = (1 - hs[s] ** 2) * carry
            grads["Wh"] += delta.T @ (hs[s - 1] if s > 0 else h0)
            grads["Wx"] += delta.T @ xs[s]
            grads["b"] += delta.sum(axis=0)
            carry = delta @ Wh
        if t <= k:
            dh0 += carry
    return {**grads, "h0": dh0}


TRUNCATE_BUGS = [
    (_truncated_by(-1), "you kept k − 1 recurrent factors"),
    (_truncated_by(+1), "you kept k + 1 recurrent factors"),
    (_one_carry_reset, "k1 = k2 = k windows"),
    (_last_k_plus_one, "last k + 1 steps of the sequence only"),
    (_truncated_no_dh0, "the losses at steps t ≤ k reach h_0"),
    (_truncated_wrap, "at s = 0, `hs[s - 1]` is `hs[-1]`"),
    (_truncated_h0_off_by_one, "one loss term too many reaches h_0"),
]


# -- tests --------------------------------------------------------------------------------
def test_the_solutions_match_finite_differences():
    rng = np.random.default_rng(0)
    T, B, D, H = 5, 3, 2, 4
    params = rnn.init(D, H, rng=rng, scale=1.2)
    xs, h0 = rng.normal(size=(T, B, D)), np.tanh(rng.normal(size=(B, H)))
    dhs = rng.normal(size=(T, B, H))

    def loss(p):  # L = Σ_t <dhs_t, h_t>: its injected errors are dhs
        return float(np.sum(dhs * rnn.forward(p, xs, p["h0"])[0]))

    with_h0 = {**params, "h0": h0}
    numeric = numerical_gradient(lambda p: loss(p), with_h0)
    hs, _ = rnn.forward(params, xs, h0)
    got = bptt(dhs, xs, hs, h0, params["Wx"], params["Wh"])
    assert rel_error(got, numeric) < 1e-8
    # truncate=k for k >= T is full BPTT (k = T - 1 for the weights); k = 0: direct terms only
    full = bptt_truncated(dhs, xs, hs, h0, params["Wx"], params["Wh"], T)
    assert rel_error(full, numeric) < 1e-8
    direct = bptt_truncated(dhs, xs, hs, h0, params["Wx"], params["Wh"], 0)
    delta = (1 - hs**2) * dhs
    assert rel_error(direct["b"], delta.sum(axis=(0, 1))) < 1e-14


def test_reference_solutions_pass(capsys):
    assert nb01.check_bptt(bptt) is bptt
    assert nb01.check_bptt_truncated(bptt_truncated) is bptt_truncated
    out = capsys.readouterr().out
    assert out.count("✔") == 2 and "✘" not in out


@pytest.mark.parametrize(("buggy", "hint"), BPTT_BUGS, ids=[h[:30] for _, h in BPTT_BUGS])
def test_each_bptt_mistake_gets_its_own_hint(buggy, hint, capsys):
    result = nb01.check_bptt(buggy)
    out = capsys.readouterr().out
    assert result is not buggy and out.startswith("✘"), out
    assert hint in out, out
    assert out.count("Hint: ") >= 1
    # no other catalogued hint is shown
    others = [h for _, h in BPTT_BUGS if h != hint]
    assert not any(h in out for h in others), out


@pytest.mark.parametrize(("buggy", "hint"), TRUNCATE_BUGS, ids=[h[:30] for _, h in TRUNCATE_BUGS])
def test_each_truncation_mistake_gets_its_own_hint(buggy, hint, capsys):
    result = nb01.check_bptt_truncated(buggy)
    out = capsys.readouterr().out
    assert result is not buggy and out.startswith("✘"), out
    assert hint in out, out
    others = [h for _, h in TRUNCATE_BUGS if h != hint]
    assert not any(h in out for h in others), out


def test_an_unnamed_error_is_located(capsys):
    def off_by_one_entry(dhs, xs, hs, h0, Wx, Wh):
        g = bptt(dhs, xs, hs, h0, Wx, Wh)
        g["Wh"][1, 2] += 1.0
        return g

    nb01.check_bptt(off_by_one_entry)
    out = capsys.readouterr().out
    assert "Hint:" not in out
    assert "output['Wh'] (case 1)" in out and "unit = 1, unit of h_{t-1} = 2" in out, out

    def wrong_dh0_row(dhs, xs, hs, h0, Wx, Wh, k):
        g = bptt_truncated(dhs, xs, hs, h0, Wx, Wh, k)
        g["h0"][2] *= 3.0
        return g

    nb01.check_bptt_truncated(wrong_dh0_row)
    out = capsys.readouterr().out
    assert "output['h0'] (case 1)" in out and "batch = 2" in out, out


def _k_star():
    args = nb01.experiment_network()
    full = bptt(*args)
    errs = [nb01.gradient_error(bptt_truncated(*args, k), full) for k in range(nb01.EXP_T)]
    return next(k for k, e in enumerate(errs) if e < 0.01), errs


def test_the_experiment_answer_is_right_and_its_mistakes_named(capsys):
    k_star, errs = _k_star()  # from the independent loops above
    assert errs[k_star - 1] >= 0.01 > errs[k_star]
    assert nb01.check_smallest_k(lambda: k_star)
    assert "✔" in capsys.readouterr().out
    assert not nb01.check_smallest_k(lambda: k_star - 1)
    assert "the last k at or above 1 %" in capsys.readouterr().out
    # the absolute error ‖g_k − g‖ < 0.01 instead of the relative error
    args = nb01.experiment_network()
    full = bptt(*args)
    norm = np.sqrt(sum(np.sum(full[p] ** 2) for p in ("Wx", "Wh", "b")))
    k_abs = next(k for k, e in enumerate(errs) if e * norm < 0.01)
    assert k_abs != k_star
    assert not nb01.check_smallest_k(lambda: k_abs)
    assert "ABSOLUTE error" in capsys.readouterr().out
    assert not nb01.check_smallest_k(lambda: None)
    assert "keeps the true forward states" in capsys.readouterr().out
    assert not nb01.check_smallest_k(lambda: 3)
    assert "At k = 3 the relative error is" in capsys.readouterr().out
    assert not nb01.check_smallest_k(lambda: k_star + 1)  # below 1 %, but not the first
    assert "a smaller k already is" in capsys.readouterr().out
    assert not nb01.check_smallest_k(lambda: 2.5)
    assert "whole number" in capsys.readouterr().out
