"""helpers.optim: each optimizer against one and two updates worked out by hand.

The expected numbers are written as arithmetic on literals (the formulas of seed 002,
Sutskever et al. 2013 and Kingma & Ba 2015 evaluated by hand), never the code's output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import optim


def two_steps(opt: optim.Optimizer, theta0: float, grad_fn) -> tuple[float, float]:
    """θ after one and after two updates, gradients from ``grad_fn`` at ``lookahead``."""
    p = {"w": np.array(theta0)}
    out = []
    for _ in range(2):
        at = opt.lookahead(p)
        p = opt.step(p, {"w": np.array(grad_fn(float(at["w"])))})
        out.append(float(p["w"]))
    return out[0], out[1]


def test_sgd_two_steps_arrays():
    opt = optim.SGD(lr=0.1)
    p = {"W": np.array([[1.0, -2.0]]), "b": np.array([0.0])}
    p1 = opt.step(p, {"W": np.array([[0.5, 4.0]]), "b": np.array([-3.0])})
    np.testing.assert_allclose(p1["W"], [[0.95, -2.4]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p1["b"], [0.3], rtol=0, atol=1e-15)
    p2 = opt.step(p1, {"W": np.array([[1.0, -1.0]]), "b": np.array([0.0])})
    np.testing.assert_allclose(p2["W"], [[0.85, -2.3]], rtol=0, atol=1e-15)


def test_momentum_two_steps():
    # gradients 2 then 1 (fixed): v1 = -0.1*2 = -0.2, θ1 = 0.8; v2 = 0.9*(-0.2) - 0.1*1 = -0.28
    grads = iter([2.0, 1.0])
    t1, t2 = two_steps(optim.Momentum(lr=0.1, momentum=0.9), 1.0, lambda _w: next(grads))
    assert t1 == pytest.approx(0.8, abs=1e-15)
    assert t2 == pytest.approx(0.52, abs=1e-15)


def test_nesterov_takes_the_gradient_at_the_lookahead_point():
    # f(θ) = θ², f'(θ) = 2θ, θ0 = 1, η = 0.1, μ = 0.9 (Sutskever et al. 2013, eq. 3–4):
    # look-ahead 1 → g = 2, v1 = -0.2, θ1 = 0.8;
    # look-ahead 0.8 + 0.9*(-0.2) = 0.62 → g = 1.24, v2 = -0.18 - 0.124 = -0.304, θ2 = 0.496.
    t1, t2 = two_steps(optim.Nesterov(lr=0.1, momentum=0.9), 1.0, lambda w: 2 * w)
    assert t1 == pytest.approx(0.8, abs=1e-15)
    assert t2 == pytest.approx(0.496, abs=1e-15)
    # classical momentum on the same function takes g at θ1 = 0.8: v2 = -0.18 - 0.16, θ2 = 0.46
    m1, m2 = two_steps(optim.Momentum(lr=0.1, momentum=0.9), 1.0, lambda w: 2 * w)
    assert (m1, m2) == (pytest.approx(0.8, abs=1e-15), pytest.approx(0.46, abs=1e-15))


def test_nesterov_lookahead_per_key_and_identity_elsewhere():
    opt = optim.Nesterov(lr=0.5, momentum=0.5)
    p = {"a": np.array([1.0, 2.0]), "b": np.array(3.0)}
    assert opt.lookahead(p)["a"].tolist() == [1.0, 2.0]  # v = 0 before the first step
    p = opt.step(p, {"a": np.array([2.0, -2.0]), "b": np.array(4.0)})  # v_a = [-1, 1], v_b = -2
    look = opt.lookahead(p)
    np.testing.assert_allclose(look["a"], [0.0 - 0.5, 3.0 + 0.5], atol=1e-15)
    np.testing.assert_allclose(look["b"], 1.0 - 1.0, atol=1e-15)
    for cls in (optim.SGD, optim.Momentum, optim.Adagrad, optim.RMSProp, optim.Adam):
        o = cls(lr=0.1)
        o.step(p, {"a": np.ones(2), "b": np.array(1.0)})
        assert {k: v.tolist() for k, v in o.lookahead(p).items()} == {
            k: v.tolist() for k, v in p.items()
        }


def test_adagrad_two_steps():
    # w ← w − η g / √(Σ g²): g = 3 → Δ = -3/3 = -1; g = 4 → Δ = -4/√(9 + 16) = -0.8
    grads = iter([3.0, 4.0])
    t1, t2 = two_steps(optim.Adagrad(lr=1.0, eps=1e-300), 0.0, lambda _w: next(grads))
    assert t1 == pytest.approx(-1.0, abs=1e-15)
    assert t2 == pytest.approx(-1.8, abs=1e-15)


def test_rmsprop_two_steps_seed_002_form():
    # σ⁰ = |g⁰| = 2 → Δ = -0.1; σ¹ = √(0.9·2² + 0.1·1²) = √3.7 → Δ = -0.1 / √3.7
    grads = iter([2.0, 1.0])
    t1, t2 = two_steps(optim.RMSProp(lr=0.1, alpha=0.9, eps=1e-300), 1.0, lambda _w: next(grads))
    assert t1 == pytest.approx(0.9, abs=1e-15)
    assert t2 == pytest.approx(0.9 - 0.1 / math.sqrt(3.7), abs=1e-15)
    assert t2 == pytest.approx(0.848012476, abs=1e-9)


def test_adam_two_steps():
    # β1 = 0.9, β2 = 0.999, η = 0.1, g = 2 then 1:
    # m1 = 0.2, v1 = 0.004, m̂ = 2, v̂ = 4 → Δ = -0.1·2/(2 + 1e-8)
    # m2 = 0.18 + 0.1 = 0.28, v2 = 0.003996 + 0.001 = 0.004996,
    # m̂ = 0.28 / 0.19, v̂ = 0.004996 / 0.001999 → Δ = -0.1 m̂ / (√v̂ + 1e-8)
    grads = iter([2.0, 1.0])
    t1, t2 = two_steps(optim.Adam(lr=0.1), 1.0, lambda _w: next(grads))
    step1 = 0.1 * 2 / (2 + 1e-8)
    assert t1 == pytest.approx(1.0 - step1, abs=1e-14)
    step2 = 0.1 * (0.28 / 0.19) / (math.sqrt(0.004996 / 0.001999) + 1e-8)
    assert t2 == pytest.approx(1.0 - step1 - step2, abs=1e-12)
    assert t2 == pytest.approx(0.80678, abs=1e-5)  # 1 - 0.1 - 0.093218…


@pytest.mark.parametrize("cls", [optim.Adagrad, optim.RMSProp, optim.Adam])
def test_adaptive_first_step_is_lr_times_sign(cls):
    """Seed 002's point: the first step has size η whatever the gradient's magnitude."""
    opt = cls(lr=0.25)
    p = opt.step({"w": np.zeros(3)}, {"w": np.array([1e-3, -3.0, 1e6])})
    np.testing.assert_allclose(p["w"], [-0.25, 0.25, -0.25], rtol=1e-4)


def test_state_is_kept_per_key():
    opt = optim.Adagrad(lr=1.0, eps=1e-300)
    p = {"a": np.array(0.0), "b": np.array(0.0)}
    p = opt.step(p, {"a": np.array(3.0), "b": np.array(1.0)})
    p = opt.step(p, {"a": np.array(4.0), "b": np.array(1.0)})
    assert float(p["a"]) == pytest.approx(-1.8, abs=1e-15)  # as in test_adagrad_two_steps
    assert float(p["b"]) == pytest.approx(-1.0 - 1.0 / math.sqrt(2.0), abs=1e-15)
    assert set(opt.state) == {"a", "b"}
    # Adam counts steps per key: a key that first appears later gets its own bias correction
    adam = optim.Adam(lr=0.1)
    q = adam.step({"a": np.array(0.0)}, {"a": np.array(5.0)})
    q = adam.step({"a": q["a"], "new": np.array(0.0)}, {"a": np.array(5.0), "new": np.array(-7.0)})
    assert float(q["new"]) == pytest.approx(0.1, rel=1e-6)  # first step of "new": η·sign


def test_inputs_are_not_modified_and_output_is_new():
    for cls in optim.OPTIMIZERS.values():
        w = np.array([1.0, 2.0])
        g = np.array([0.5, -0.5])
        out = cls(lr=0.1).step({"w": w}, {"w": g})
        assert w.tolist() == [1.0, 2.0] and g.tolist() == [0.5, -0.5]
        assert out["w"] is not w and out["w"].shape == (2,)


def test_registry_names():
    assert list(optim.OPTIMIZERS) == ["SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"]
    assert repr(optim.Momentum(lr=0.5, momentum=0.25)) == "Momentum(lr=0.5, momentum=0.25)"


@pytest.mark.parametrize(
    ("make", "exc", "word"),
    [
        (lambda: optim.SGD(lr=0.0), ValueError, "lr"),
        (lambda: optim.SGD(lr=-1.0), ValueError, "lr"),
        (lambda: optim.SGD(lr="0.1"), TypeError, "lr"),
        (lambda: optim.SGD(lr=float("nan")), ValueError, "lr"),
        (lambda: optim.Momentum(lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda: optim.Nesterov(lr=0.1, momentum=-0.1), ValueError, "momentum"),
        (lambda: optim.RMSProp(lr=0.1, alpha=1.5), ValueError, "alpha"),
        (lambda: optim.Adagrad(lr=0.1, eps=0.0), ValueError, "eps"),
        (lambda: optim.Adam(lr=0.1, beta1=1.0), ValueError, "beta1"),
        (lambda: optim.Adam(lr=0.1, beta2=-0.5), ValueError, "beta2"),
    ],
)
def test_bad_hyperparameters(make, exc, word):
    with pytest.raises(exc, match=word):
        make()


def test_bad_params_and_grads():
    opt = optim.Adam(lr=0.1)
    p = {"W": np.zeros((2, 3))}
    with pytest.raises(ValueError, match="keys"):
        opt.step(p, {"V": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"grads\['W'\].*shape"):
        opt.step(p, {"W": np.zeros((3, 2))})
    with pytest.raises(ValueError, match=r"grads\['W'\].*NaN"):
        opt.step(p, {"W": np.full((2, 3), np.nan)})
    with pytest.raises(TypeError, match="grads"):
        opt.step(p, [np.zeros((2, 3))])
    with pytest.raises(TypeError, match="params"):
        opt.step(np.zeros((2, 3)), {"W": np.zeros((2, 3))})
    with pytest.raises(TypeError, match="params"):
        optim.Nesterov(lr=0.1).lookahead([1.0])
    assert opt.state == {}  # nothing was half-applied


def test_descend_follows_the_closed_form_path():
    # SGD on E = θ², ∇E = 2θ: θ_k = θ_0 (1 − 2η)^k
    path, stopped = optim.descend(
        optim.SGD(lr=0.1), lambda p: {"w": 2 * p["w"]}, {"w": np.array([1.0, -3.0])}, steps=5
    )
    assert stopped == "" and path["w"].shape == (6, 2)
    np.testing.assert_allclose(path["w"], 0.8 ** np.arange(6)[:, None] * [1.0, -3.0], rtol=1e-14)


def test_descend_uses_the_lookahead_point():
    # NAG on θ² from 1 with η = 0.1, μ = 0.9: θ1 = 0.8, θ2 = 0.496 (see above)
    path, _ = optim.descend(
        optim.Nesterov(lr=0.1), lambda p: {"w": 2 * p["w"]}, {"w": np.array(1.0)}, steps=2
    )
    np.testing.assert_allclose(path["w"], [1.0, 0.8, 0.496], atol=1e-15)


def test_descend_stops_on_overflow_and_reports_it():
    def grad(p):
        return {"w": np.exp(p["w"] * 400.0) if p["w"] > 1 else np.array(-10.0)}

    with np.errstate(over="ignore"):
        path, stopped = optim.descend(optim.SGD(lr=1.0), grad, {"w": np.array(0.0)}, steps=10)
    assert "overflow" in stopped and "update 2" in stopped  # w: 0 → 10, then exp(4000)
    assert path["w"].tolist() == [0.0, 10.0]  # the non-finite step is not taken


def test_descend_bad_arguments():
    with pytest.raises(TypeError, match="optimizer"):
        optim.descend("sgd", lambda p: p, {"w": np.array(1.0)}, steps=1)
    with pytest.raises(TypeError, match="grad_fn"):
        optim.descend(optim.SGD(lr=0.1), None, {"w": np.array(1.0)}, steps=1)
    with pytest.raises(ValueError, match="steps"):
        optim.descend(optim.SGD(lr=0.1), lambda p: p, {"w": np.array(1.0)}, steps=-1)


def test_an_update_that_would_overflow_is_refused_and_changes_nothing():
    import pytest

    from helpers import optim

    for opt in (optim.Adagrad(0.1), optim.RMSProp(0.1), optim.Adam(0.1)):
        p = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}
        p1 = opt.step(p, {"a": np.array([0.5, -1.0]), "b": np.array([2.0])})
        before = {k: dict(v) for k, v in opt.state.items()}
        with pytest.raises(
            optim.NonFiniteStepError, match=r"grads\['b'\] holds entries up to 1e\+200"
        ):
            opt.step(p1, {"a": np.array([0.5, -1.0]), "b": np.array([1e200])})
        for k, s in before.items():  # the state of every array is as before, "a" included
            for name, v in s.items():
                assert np.array_equal(np.asarray(opt.state[k][name]), np.asarray(v))
    with pytest.raises(optim.NonFiniteStepError, match=r"params\['w'\] would overflow"):
        optim.SGD(lr=1e300).step({"w": np.array([1.0])}, {"w": np.array([1e10])})


def test_descend_stops_honestly_where_an_update_would_overflow():
    from helpers import optim

    path, stopped = optim.descend(
        optim.SGD(lr=1e300), lambda p: {"w": 1e10 * p["w"]}, {"w": np.array([1.0])}, steps=5
    )
    assert stopped == "parameters overflow (non-finite) at update 1"
    assert path["w"].shape == (1, 1)


def test_grads_of_another_shape_are_refused_naming_both():
    import pytest

    from helpers import optim

    with pytest.raises(
        ValueError, match=r"grads\['W'\] has shape \(5,\) but params\['W'\] has shape \(2, 2\)"
    ):
        optim.SGD(lr=0.1).step({"W": np.ones((2, 2))}, {"W": np.ones(5)})
