"""helpers.clip against hand-computed cases and the documented formulas of PyTorch's
``clip_grad_norm_`` / ``clip_grad_value_`` and TensorFlow's ``clip_by_global_norm``."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import clip


def _grads(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return {
        "W": scale * rng.normal(size=(3, 4)),
        "b": scale * rng.normal(size=4),
        "s": np.array(2.0),
    }


def test_hand_computed_3_4_5():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}  # global norm 5
    clipped, norm = clip.clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    coef = 1.0 / (5.0 + 1e-6)
    assert clipped["a"].item() == pytest.approx(3.0 * coef, rel=1e-15)
    assert clipped["b"].item() == pytest.approx(4.0 * coef, rel=1e-15)
    assert clipped["b"].shape == (1, 1)
    assert np.hypot(clipped["a"].item(), clipped["b"].item()) == pytest.approx(1.0, abs=1e-6)


def test_below_threshold_is_unchanged_and_new_arrays():
    grads = {"a": np.array([0.3, -0.4])}  # norm 0.5
    clipped, norm = clip.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(0.5, rel=1e-15)
    np.testing.assert_array_equal(clipped["a"], grads["a"])
    assert clipped["a"] is not grads["a"]


@pytest.mark.parametrize("max_norm", [0.01, 0.5, 3.0, 1e3])
@pytest.mark.parametrize("scale", [1e-3, 1.0, 50.0])
def test_pytorch_formula(max_norm, scale):
    grads = _grads(scale=scale)
    before = {k: v.copy() for k, v in grads.items()}
    flat = np.concatenate([np.ravel(v) for v in grads.values()])
    total = float(np.sqrt(np.sum(flat**2)))  # torch: norm of the norms = norm of everything
    coef = min(max_norm / (total + 1e-6), 1.0)  # torch.clamp(clip_coef, max=1.0)
    clipped, norm = clip.clip_by_global_norm(grads, max_norm)
    assert norm == pytest.approx(total, rel=1e-13)
    for k in grads:
        np.testing.assert_allclose(clipped[k], before[k] * coef, rtol=1e-13, atol=0)
        np.testing.assert_array_equal(grads[k], before[k])  # caller's arrays untouched


def test_tensorflow_formula_agrees_up_to_the_epsilon():
    grads = _grads(scale=10.0)
    g = np.sqrt(sum(np.sum(v**2) for v in grads.values()))
    clip_norm = 2.0
    tf = {k: v * clip_norm / max(g, clip_norm) for k, v in grads.items()}
    ours, _ = clip.clip_by_global_norm(grads, clip_norm)
    for k in grads:
        np.testing.assert_allclose(ours[k], tf[k], rtol=1e-6)


def test_direction_kept_by_global_norm_and_changed_by_the_others():
    grads = {"big": np.array([30.0, 40.0]), "small": np.array([0.3])}
    glob, _ = clip.clip_by_global_norm(grads, 1.0)
    assert clip.angle_degrees(grads, glob) == pytest.approx(0.0, abs=1e-5)
    per, norms = clip.clip_by_tensor_norm(grads, 1.0)
    assert norms["big"] == pytest.approx(50.0) and norms["small"] == pytest.approx(0.3)
    np.testing.assert_allclose(per["big"], [30 / (50 + 1e-6), 40 / (50 + 1e-6)], rtol=1e-14)
    np.testing.assert_array_equal(per["small"], [0.3])  # below its own threshold
    # hand-computed angle between (30, 40, 0.3) and (0.6, 0.8, 0.3)
    cos = (30 * 0.6 + 40 * 0.8 + 0.09) / (np.sqrt(2500.09) * np.sqrt(1.09))
    assert clip.angle_degrees(grads, per) == pytest.approx(np.degrees(np.arccos(cos)), rel=1e-5)
    val = clip.clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(val["big"], [1.0, 1.0])
    np.testing.assert_array_equal(val["small"], [0.3])


def test_clip_by_value_matches_clamp_and_copies():
    grads = {"a": np.array([-5.0, -0.5, 0.0, 0.7, 9.0]), "inf": np.array([np.inf, -np.inf])}
    out = clip.clip_by_value(grads, 0.6)
    np.testing.assert_array_equal(out["a"], [-0.6, -0.5, 0.0, 0.6, 0.6])
    np.testing.assert_array_equal(out["inf"], [0.6, -0.6])
    assert grads["a"][0] == -5.0


def test_norm_does_not_overflow_for_large_finite_entries():
    grads = {"a": np.array([3e200]), "b": np.array([4e200])}
    clipped, norm = clip.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5e200, rel=1e-14)
    assert clipped["a"].item() == pytest.approx(0.6, rel=1e-12)
    assert clip.global_norm({"z": np.zeros(3)}) == 0.0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_norm_is_reported(bad):
    grads = {"ok": np.ones(2), "bad": np.array([1.0, bad])}
    with pytest.raises(clip.NonFiniteGradientError, match="bad"):
        clip.clip_by_global_norm(grads, 1.0)
    with pytest.raises(clip.NonFiniteGradientError, match="bad"):
        clip.clip_by_tensor_norm(grads, 1.0)
    out, norm = clip.clip_by_global_norm(grads, 1.0, error_if_nonfinite=False)
    assert not np.isfinite(norm)
    np.testing.assert_array_equal(out["ok"], grads["ok"])
    assert out["bad"] is not grads["bad"]


def test_nan_in_value_clipping_is_reported():
    with pytest.raises(clip.NonFiniteGradientError, match="x"):
        clip.clip_by_value({"x": np.array([np.nan])}, 1.0)


def test_clip_coefficient():
    assert clip.clip_coefficient(0.5, 1.0) == 1.0
    assert clip.clip_coefficient(10.0, 1.0) == pytest.approx(0.1, rel=1e-6)
    with pytest.raises(ValueError, match="norm"):
        clip.clip_coefficient(-1.0, 1.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_bad_threshold_is_named(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip.clip_by_global_norm({"a": np.ones(2)}, bad)
    with pytest.raises(ValueError, match="clip_value"):
        clip.clip_by_value({"a": np.ones(2)}, bad)


def test_bad_grads_are_named():
    with pytest.raises(TypeError, match="grads"):
        clip.clip_by_global_norm([np.ones(2)], 1.0)
    with pytest.raises(TypeError, match="grads"):
        clip.clip_by_global_norm({}, 1.0)
    with pytest.raises(TypeError, match="grads\\['a'\\]"):
        clip.clip_by_global_norm({"a": "text"}, 1.0)
    with pytest.raises(TypeError, match="max_norm"):
        clip.clip_by_global_norm({"a": np.ones(2)}, "1")
    with pytest.raises(ValueError, match="same keys"):
        clip.angle_degrees({"a": np.ones(2)}, {"b": np.ones(2)})
    with pytest.raises(ValueError, match="non-zero"):
        clip.angle_degrees({"a": np.ones(2)}, {"a": np.zeros(2)})
