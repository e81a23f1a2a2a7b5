"""helpers.toys.pascanu_loss and pascanu_descent against a plain scalar loop, central
differences and the fixed-point analysis of the map x ↦ w σ(x) + b."""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import clip
from helpers.toys import pascanu_descent, pascanu_loss


def scalar_loss(w, b, steps=50, x0=0.5, target=0.7):
    """E = (σ(x_steps) − target)², one Python float at a time (no derivative)."""
    x = x0
    for _ in range(steps):
        x = w / (1.0 + math.exp(-x)) + b
    return (1.0 / (1.0 + math.exp(-x)) - target) ** 2


POINTS = [
    (0.5, 0.3),
    (-2.0, 1.0),
    (3.0, -1.5),
    (4.0, -2.0),
    (5.0, -2.0),
    (6.0, -3.0),
    (7.5, -4.0),
    (2.0, -4.5),
    (-1.0, -0.5),
    (4.3, -2.17),
]


@pytest.mark.parametrize(("w", "b"), POINTS)
def test_loss_matches_a_scalar_loop(w, b):
    E, _, _ = pascanu_loss(w, b)
    assert E.shape == ()
    assert float(E) == pytest.approx(scalar_loss(w, b), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("w", "b"), POINTS)
def test_gradient_matches_central_differences(w, b):
    _, dw, db = pascanu_loss(w, b)
    h = 1e-6
    fd_w = (scalar_loss(w + h, b) - scalar_loss(w - h, b)) / (2 * h)
    fd_b = (scalar_loss(w, b + h) - scalar_loss(w, b - h)) / (2 * h)
    scale = max(abs(fd_w), abs(fd_b), 1e-8)
    assert abs(float(dw) - fd_w) <= 1e-5 * scale
    assert abs(float(db) - fd_b) <= 1e-5 * scale


def test_gradient_near_the_cliff_against_finite_differences():
    # On the steep face of the wall the derivative is in the thousands; a smaller step.
    w = 5.0
    line = 0.5 - w / (1 + math.exp(-0.5))
    grid = np.linspace(line - 5e-4, line + 5e-4, 100001)
    slope = np.abs(pascanu_loss(w, grid)[2])
    b = float(grid[np.flatnonzero(slope > 1000)[0]])  # on the face, not at the very top
    _, dw, db = pascanu_loss(w, b)
    h = 1e-9
    fd_b = (scalar_loss(w, b + h) - scalar_loss(w, b - h)) / (2 * h)
    fd_w = (scalar_loss(w + h, b) - scalar_loss(w - h, b)) / (2 * h)
    assert abs(float(db)) > 100
    assert float(db) == pytest.approx(fd_b, rel=1e-4)
    assert float(dw) == pytest.approx(fd_w, rel=1e-4)


def test_whole_grid_in_one_call_broadcasts_and_agrees_pointwise():
    w = np.linspace(-2, 8, 7)
    b = np.linspace(-5, 1, 5)
    E, dw, db = pascanu_loss(w[None, :], b[:, None])
    assert E.shape == dw.shape == db.shape == (5, 7)
    for i in (0, 2, 4):
        for j in (0, 3, 6):
            e, gw, gb = pascanu_loss(w[j], b[i])
            assert E[i, j] == pytest.approx(float(e), rel=1e-14, abs=1e-300)
            assert dw[i, j] == pytest.approx(float(gw), rel=1e-14, abs=1e-300)
            assert db[i, j] == pytest.approx(float(gb), rel=1e-14, abs=1e-300)


def test_other_steps_x0_and_target():
    w, b = 2.0, -0.7
    for steps, x0, target in [(1, 0.0, 0.5), (7, -1.0, 0.2), (120, 2.0, 0.9)]:
        E, _, db = pascanu_loss(w, b, steps=steps, x0=x0, target=target)
        assert float(E) == pytest.approx(scalar_loss(w, b, steps, x0, target), rel=1e-12)
        h = 1e-6
        fd = scalar_loss(w, b + h, steps, x0, target) - scalar_loss(w, b - h, steps, x0, target)
        assert float(db) == pytest.approx(fd / (2 * h), rel=1e-5, abs=1e-10)
    # one step by hand: x1 = w σ(x0) + b
    E, dw, db = pascanu_loss(1.0, 0.0, steps=1, x0=0.0, target=0.5)
    s1 = 1 / (1 + math.exp(-0.5))
    assert float(E) == pytest.approx((s1 - 0.5) ** 2, rel=1e-14)
    assert float(dw) == pytest.approx(2 * (s1 - 0.5) * s1 * (1 - s1) * 0.5, rel=1e-14)


def test_the_cliff_is_where_x0_is_the_unstable_fixed_point():
    # For w σ'(x0) > 1 the fixed point x0 = w σ(x0) + b repels: just above that line the
    # state climbs to the high fixed point, just below it falls to the low one.
    for w in (5.0, 6.0, 7.5):
        line = 0.5 - w / (1 + math.exp(-0.5))
        above, _, _ = pascanu_loss(w, line + 0.01)
        below, _, _ = pascanu_loss(w, line - 0.01)
        assert float(below) > 0.3  # σ(x_50) at the low fixed point, far below 0.7
        assert float(above) < 0.1  # σ(x_50) at the high fixed point
    # The gradient at the wall grows like (w σ'(x0))^50: 1e3-1e4 at w = 5, far more at w = 6.
    b5 = np.linspace(-2.62, -2.60, 200001)
    g5 = np.hypot(*pascanu_loss(5.0, b5)[1:])
    b6 = np.linspace(-3.236, -3.234, 200001)
    g6 = np.hypot(*pascanu_loss(6.0, b6)[1:])
    assert 1e3 < g5.max() < 1e5
    assert g6.max() > 1e5


def test_overflow_is_inf_without_warning():
    _, dw, db = pascanu_loss(1e7, -0.5e7 * 1.245, steps=50)
    assert np.all(np.isfinite([dw, db]) | np.isinf([dw, db]))


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"w": "a", "b": 0.0}, TypeError, "w"),
        ({"w": 1.0, "b": np.nan}, ValueError, "b"),
        ({"w": np.ones(3), "b": np.ones(4)}, ValueError, "broadcast"),
        ({"w": 1.0, "b": 0.0, "steps": 0}, ValueError, "steps"),
        ({"w": 1.0, "b": 0.0, "steps": 2.5}, TypeError, "steps"),
        ({"w": 1.0, "b": 0.0, "x0": np.inf}, ValueError, "x0"),
        ({"w": 1.0, "b": 0.0, "target": "x"}, TypeError, "target"),
    ],
)
def test_bad_input_is_named(kwargs, error, name):
    with pytest.raises(error, match=name):
        pascanu_loss(**kwargs)


def reference_descent(w, b, lr, n, threshold=None):
    """Descent with pascanu_loss's NumPy gradient and helpers.clip (independent path)."""
    path = [(w, b)]
    for _ in range(n):
        _, gw, gb = pascanu_loss(w, b)
        g = {"w": np.array(float(gw)), "b": np.array(float(gb))}
        if threshold is not None:
            g, _ = clip.clip_by_global_norm(g, threshold)
        w, b = w - lr * float(g["w"]), b - lr * float(g["b"])
        path.append((w, b))
    return np.array(path)


@pytest.mark.parametrize("threshold", [None, 0.5, 2.0])
@pytest.mark.parametrize(("w0", "b0", "lr"), [(5.5, -2.2, 0.3), (6.5, -2.6, 1.0), (3.0, 0.0, 0.5)])
def test_descent_matches_the_reference(w0, b0, lr, threshold):
    path, norms, clipped = pascanu_descent(w0, b0, lr=lr, n_steps=40, threshold=threshold)
    ref = reference_descent(w0, b0, lr, 40, threshold)
    assert path.shape == (41, 2) and norms.shape == (40,) and clipped.dtype == bool
    np.testing.assert_allclose(path, ref, rtol=1e-9, atol=1e-9)
    if threshold is None:
        assert not clipped.any()
    else:
        np.testing.assert_array_equal(clipped, norms > threshold)
        steps = np.hypot(*np.diff(path, axis=0).T)
        assert np.all(steps <= lr * threshold * (1 + 1e-12))


def test_descent_hits_the_wall_and_clipping_bounds_the_jump():
    path, norms, _ = pascanu_descent(5.5, -2.2, lr=0.3, n_steps=100)
    cpath, _, cflags = pascanu_descent(5.5, -2.2, lr=0.3, n_steps=100, threshold=0.5)
    assert norms.max() > 100  # the plain run lands on the wall's steep face
    assert np.hypot(*np.diff(path, axis=0).T).max() > 10  # and is thrown far away
    assert cflags.any() and np.hypot(*np.diff(cpath, axis=0).T).max() <= 0.15 + 1e-12


def test_descent_validates():
    with pytest.raises(ValueError, match="lr"):
        pascanu_descent(1.0, 0.0, lr=0.0)
    with pytest.raises(ValueError, match="threshold"):
        pascanu_descent(1.0, 0.0, lr=0.1, threshold=-1.0)
    with pytest.raises(ValueError, match="n_steps"):
        pascanu_descent(1.0, 0.0, lr=0.1, n_steps=-1)
