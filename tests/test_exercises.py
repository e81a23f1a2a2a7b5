"""The exercise checkers: a correct solution passes, each common mistake gets its specific
hint, an unfinished exercise says so and hands back the reference, a crash is explained."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from helpers import rnn
from helpers.exercises import check, check_value, nb01, nb02, nb03, nb04, nb05, nb06


def _todo(*args, **kwargs):
    raise NotImplementedError


def _run(checker, fn, capsys):
    result = checker(fn)
    return result, capsys.readouterr().out


def _bptt_correct(dhs, xs, hs, h0, Wx, Wh):
    T, B, H = hs.shape
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    carry = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        delta = (hs[t] > 0) * (dhs[t] + carry)
        prev = hs[t - 1] if t else h0
        dWx += delta.T @ xs[t]
        dWh += delta.T @ prev
        db += delta.sum(0)
        carry = delta @ Wh
    return {"Wx": dWx, "Wh": dWh, "b": db}


def _bptt_averaged(dhs, xs, hs, h0, Wx, Wh):
    return {k: v / hs.shape[0] for k, v in _bptt_correct(dhs, xs, hs, h0, Wx, Wh).items()}


def _chunked_correct(params, xs, n):
    parts = [rnn.forward(params, xs[s : s + n])[0] for s in range(0, xs.shape[0], n)]
    return np.concatenate(parts)


CORRECT = [
    (nb01.check_bptt_relu, _bptt_correct),
    (nb01.check_chunked_states, _chunked_correct),
    (nb02.check_central_difference, lambda f, w, dw: (f(w + dw) - f(w - dw)) / (2 * dw)),
    (nb03.check_jacobian_product, nb03._reference_jacobian),
    (nb03.check_spectral_radius, lambda W: max(abs(np.linalg.eigvals(W)))),
    (nb04.check_clip_grad_norm, nb04.reference_clip_grad_norm),
    (nb04.check_largest_turn, nb04.reference_largest_turn),
    (
        functools.partial(nb04.check_largest_factor, real=nb04.factor_cases({})[1][0][0]),
        nb04.reference_largest_factor,
    ),
    (nb05.check_lstm_step, nb05.reference_lstm_step),
    (nb06.check_rmsprop_step, nb06.reference_rmsprop),
    (nb06.check_nesterov_step, nb06.reference_nesterov),
]


@pytest.mark.parametrize(("checker", "solution"), CORRECT, ids=lambda x: getattr(x, "__name__", ""))
def test_correct_solution_passes_and_is_returned(checker, solution, capsys):
    result, out = _run(checker, solution, capsys)
    assert out.startswith("✔") and result is solution


@pytest.mark.parametrize(("checker", "solution"), CORRECT, ids=lambda x: getattr(x, "__name__", ""))
def test_unfinished_exercise_hands_back_the_reference(checker, solution, capsys):
    result, out = _run(checker, _todo, capsys)
    assert "not implemented yet" in out and result is not _todo


@pytest.mark.parametrize(
    ("checker", "wrong", "expected"),
    [
        (nb01.check_bptt_relu, _bptt_averaged, "did you average over time"),
        (nb01.check_bptt_relu, nb01._forgot_recurrence, "add W_hᵀ δ_{t+1}"),
        (nb01.check_bptt_relu, nb01._tanh_derivative, "tanh's derivative"),
        (nb01.check_chunked_states, nb01._never_reset, "reset"),
        (nb02.check_central_difference, nb02._forward_difference, "forward difference"),
        (nb02.check_central_difference, lambda f, w, dw: (f(w + dw) - f(w - dw)) / dw, "2·Δw"),
        (nb03.check_jacobian_product, nb03._transposed_factors, "column-gradient"),
        (nb03.check_jacobian_product, nb03._reversed_order, "wrong order"),
        (nb03.check_spectral_radius, nb03._largest_singular, "singular value"),
        (nb03.check_spectral_radius, nb03._largest_real_part, "absolute value"),
        (nb05.check_lstm_step, nb05._wrong_order, "(i, f, g, o)"),
        (nb05.check_lstm_step, nb05._no_tanh_on_cell, "tanh first"),
        (nb06.check_rmsprop_step, nb06._swapped_alpha, "OLD average"),
        (nb06.check_rmsprop_step, nb06._no_sqrt, "square root"),
        (nb06.check_nesterov_step, nb06._classical, "look-ahead"),
    ],
)
def test_common_mistakes_get_specific_feedback(checker, wrong, expected, capsys):
    result, out = _run(checker, wrong, capsys)
    assert out.startswith("✘") and expected in out, out
    assert result is not wrong
    assert "Traceback" not in out


def test_crash_and_shape_errors_are_explained(capsys):
    def crashes(*args):
        return args[0] @ np.ones((99, 99))

    _result, out = _run(nb03.check_spectral_radius, crashes, capsys)
    assert "raised ValueError" in out and "case 1" in out and "Traceback" not in out

    _result, out = _run(nb03.check_jacobian_product, lambda Wh, hs, k, t: np.ones(3), capsys)
    assert "has shape (3,), but shape" in out

    def mutates(W):
        W *= 2
        return 1.0

    _result, out = _run(nb03.check_spectral_radius, mutates, capsys)
    assert "changed one of its input arrays" in out


def test_transpose_and_factor_diagnoses(capsys):
    ref = lambda a: a @ np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # noqa: E731
    cases = [((np.eye(2),), {})]
    check("T", lambda a: ref(a).T, ref, cases)
    assert "transpose" in capsys.readouterr().out
    check("F", lambda a: 3 * ref(a), ref, cases)
    assert "factor close to 3" in capsys.readouterr().out
    check("S", lambda a: -ref(a), ref, cases)
    assert "opposite sign" in capsys.readouterr().out


def test_predictions(capsys):
    assert nb02.check_predict_099_1000(lambda: 4.3e-5)
    assert not nb02.check_predict_099_1000(lambda: 0.0)
    assert "too small" in capsys.readouterr().out
    assert not nb02.check_predict_099_1000(_todo)
    assert "no answer yet" in capsys.readouterr().out
    assert not check_value("x", lambda: "abc", 1.0)
    assert "should be a number" in capsys.readouterr().out
    assert nb05.check_forget_bias(lambda: 4.27)


def test_notebook_07_exercises(capsys):
    from helpers.exercises import nb08

    assert nb08.check_smallest_k(lambda: 20, 20) and not nb08.check_smallest_k(lambda: 21, 20)

    def naive(z, t):
        return np.exp(np.asarray(z) / t) / np.exp(np.asarray(z) / t).sum(-1, keepdims=True)

    for fn, expected in [
        (nb08.reference_softmax_temperature, "✔"),
        (nb08._times_temperature, "divide the logits"),
        (naive, "subtract the largest logit"),
    ]:
        capsys.readouterr()
        nb08.check_softmax_temperature(fn)
        assert expected in capsys.readouterr().out
    p = nb08.reference_softmax_temperature(np.array([np.log(3.0), 0.0]), 1.0)
    np.testing.assert_allclose(p, [0.75, 0.25])


def test_a_square_result_transposed_is_named(capsys):
    """Same shape, wrong order: still diagnosed as a transpose, not "off by 0.63"."""
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    check("Sq", lambda a: (a @ M).T, lambda a: a @ M, [((np.eye(2),), {})])
    assert "transpose" in capsys.readouterr().out
