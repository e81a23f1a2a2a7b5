"""helpers.tasks.adding_problem: shapes, markers, targets, the 1/6 baseline, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.tasks import adding_problem


@pytest.mark.parametrize(("n", "length"), [(1, 2), (7, 3), (50, 10), (20, 101)])
def test_shapes_markers_and_targets(n, length):
    xs, ys = adding_problem(n, length, rng=np.random.default_rng(0))
    assert xs.shape == (length, n, 2) and ys.shape == (n,)
    values, marks = xs[..., 0], xs[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(marks)) <= {0.0, 1.0}
    np.testing.assert_array_equal(marks.sum(axis=0), 2)  # exactly two markers per sequence
    half = length // 2
    np.testing.assert_array_equal(marks[:half].sum(axis=0), 1)  # one in the first half
    np.testing.assert_array_equal(marks[half:].sum(axis=0), 1)  # one in the second half
    for j in range(n):
        where = np.flatnonzero(marks[:, j])
        assert ys[j] == pytest.approx(values[where, j].sum(), rel=1e-15)


def test_predicting_one_scores_one_sixth():
    # target = U1 + U2 with U ~ U[0, 1]: mean 1, variance 2/12 = 1/6.
    _, ys = adding_problem(200_000, 4, rng=np.random.default_rng(1))
    mse = np.mean((ys - 1.0) ** 2)
    assert mse == pytest.approx(1 / 6, abs=3e-3)  # std. error of the mean ≈ 4e-4
    assert np.mean(ys) == pytest.approx(1.0, abs=5e-3)


def test_both_markers_spread_over_their_halves():
    xs, _ = adding_problem(5000, 10, rng=np.random.default_rng(2))
    first = np.argmax(xs[:, :, 1], axis=0)
    second = 9 - np.argmax(xs[::-1, :, 1], axis=0)
    assert set(first) == set(range(5)) and set(second) == set(range(5, 10))


def test_deterministic_under_a_seed():
    a = adding_problem(9, 12, rng=np.random.default_rng(42))
    b = adding_problem(9, 12, rng=np.random.default_rng(42))
    c = adding_problem(9, 12, rng=np.random.default_rng(43))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        ((0, 5), {}, ValueError, "n"),
        ((3, 1), {}, ValueError, "length"),
        ((2.5, 5), {}, TypeError, "n"),
        ((3, "5"), {}, TypeError, "length"),
    ],
)
def test_bad_input_is_named(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        adding_problem(*args, rng=np.random.default_rng(0), **kwargs)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="rng"):
        adding_problem(3, 5, rng=0)
