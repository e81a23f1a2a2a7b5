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
        delta = (1 - hs[t] ** 2) * (dhs[t] + carry)
        prev = hs[t - 1] if t else h0
        dWx += delta.T @ xs[t]
        dWh += delta.T @ prev
        db += delta.sum(0)
        carry = delta @ Wh
    return {"Wx": dWx, "Wh": dWh, "b": db, "h0": carry}


def _bptt_averaged(dhs, xs, hs, h0, Wx, Wh):
    g = _bptt_correct(dhs, xs, hs, h0, Wx, Wh)
    return {k: v / hs.shape[0] if k != "h0" else v for k, v in g.items()}


def _truncated_correct(dhs, xs, hs, h0, Wx, Wh, k):
    grads, dh0 = rnn.backward(dhs, rnn.Cache({"Wx": Wx, "Wh": Wh}, xs, hs, h0, "tanh"), truncate=k)
    return {**grads, "h0": dh0}


CORRECT = [
    (nb01.check_bptt, _bptt_correct),
    (nb01.check_bptt_truncated, _truncated_correct),
    (nb03.check_jacobian_product, nb03._reference_jacobian),
    (nb04.check_clip_grad_norm, nb04.reference_clip_grad_norm),
    (nb04.check_largest_turn, nb04.reference_largest_turn),
    (
        functools.partial(nb04.check_largest_factor, real=nb04.factor_cases({})[1][0][0]),
        nb04.reference_largest_factor,
    ),
    (nb05.check_lstm_step_backward, nb05.reference_lstm_step_backward),
    (nb05.check_gru_step, nb05.reference_gru_step),
    (nb06.check_rmsprop_step, nb06.reference_rmsprop),
    (nb06.check_nesterov_step, nb06.reference_nesterov),
    (nb06.check_adam_step, nb06.reference_adam),
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
        (nb01.check_bptt, _bptt_averaged, "AVERAGE over time"),
        (nb01.check_bptt_truncated, nb01._reset_every_k, "k1 = k2 = k windows"),
        (nb03.check_jacobian_product, nb03._transposed_factors, "column-gradient"),
        (nb03.check_jacobian_product, nb03._reversed_order, "wrong order"),
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

    _result, out = _run(nb03.check_jacobian_product, crashes, capsys)
    assert "raised ValueError" in out and "case 1" in out and "Traceback" not in out

    _result, out = _run(nb03.check_jacobian_product, lambda Wh, hs, k, t: np.ones(3), capsys)
    assert "has shape (3,), but shape" in out

    def mutates(Wh, hs, k, t):
        Wh *= 2
        return np.eye(Wh.shape[0])

    _result, out = _run(nb03.check_jacobian_product, mutates, capsys)
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


def test_a_square_result_transposed_is_named(capsys):
    """Same shape, wrong order: still diagnosed as a transpose, not "off by 0.63"."""
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    check("Sq", lambda a: (a @ M).T, lambda a: a @ M, [((np.eye(2),), {})])
    assert "transpose" in capsys.readouterr().out
