"""helpers.train: loss_and_grads against central differences for both losses, and the fit
loop against a hand-written SGD loop with PyTorch-style clipping."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import clip, optim, rnn, train
from helpers.gradcheck import numerical_gradient, rel_error


def _model(D=2, H=4, O=1, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    params = rnn.init(D, H, rng=rng, scale=scale)
    params["b"] = rng.normal(0, 0.2, size=H)
    params.update(train.readout_init(H, O, rng=rng))
    params["by"] = rng.normal(0, 0.2, size=O)
    return params


@pytest.mark.parametrize("O", [1, 3])
@pytest.mark.parametrize("truncate", [None, 2])
def test_mse_last_gradient_matches_finite_differences(O, truncate):
    params = _model(O=O)
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(5, 3, 2))
    ys = rng.normal(size=(3,)) if O == 1 else rng.normal(size=(3, O))
    value, grads = train.loss_and_grads(rnn, params, xs, ys)
    pred = train.predict(rnn, params, xs)[-1]
    assert value == pytest.approx(np.mean((pred - ys.reshape(3, -1)) ** 2), rel=1e-14)
    num = numerical_gradient(lambda p: train.loss_and_grads(rnn, p, xs, ys)[0], params)
    assert set(grads) == set(params)
    if truncate is None:
        assert rel_error(grads, num) < 1e-7
    else:  # truncation changes only the recurrent part; the read-out is exact
        _, tg = train.loss_and_grads(rnn, params, xs, ys, truncate=truncate)
        assert rel_error(tg["Wy"], num["Wy"]) < 1e-7 and rel_error(tg["by"], num["by"]) < 1e-7


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_xent_all_gradient_matches_finite_differences(activation):
    params = _model(O=5)
    rng = np.random.default_rng(2)
    T, B = 4, 3
    xs = rng.normal(size=(T, B, 2))
    ys = rng.integers(0, 5, size=(T, B))
    ys[0, 1] = -1  # ignored position
    value, grads = train.loss_and_grads(rnn, params, xs, ys, loss="xent_all", activation=activation)
    # independent value: log-softmax written out, mean over the counted positions
    logits = train.predict(rnn, params, xs, activation=activation)
    logp = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    mask = ys >= 0
    want = -np.sum(
        np.where(mask, np.take_along_axis(logp, np.maximum(ys, 0)[..., None], -1)[..., 0], 0)
    )
    assert value == pytest.approx(want / mask.sum(), rel=1e-12)
    num = numerical_gradient(
        lambda p: train.loss_and_grads(rnn, p, xs, ys, loss="xent_all", activation=activation)[0],
        params,
    )
    assert rel_error(grads, num) < 1e-7


def test_bad_targets_and_models_are_named():
    params = _model()
    xs = np.zeros((3, 2, 2))
    with pytest.raises(ValueError, match="ys"):
        train.loss_and_grads(rnn, params, xs, np.zeros(5))
    with pytest.raises(ValueError, match="ys"):
        train.loss_and_grads(rnn, params, xs, np.zeros((3, 2)), loss="xent_all")  # floats
    with pytest.raises(ValueError, match="loss"):
        train.loss_and_grads(rnn, params, xs, np.zeros(2), loss="hinge")
    with pytest.raises(ValueError, match="Wy"):
        train.loss_and_grads(rnn, {k: params[k] for k in ("Wx", "Wh", "b")}, xs, np.zeros(2))
    with pytest.raises(TypeError, match="PARAM_NAMES"):
        train.loss_and_grads(np, params, xs, np.zeros(2))


def _data(step):
    rng = np.random.default_rng(100 + step)
    return rng.normal(size=(6, 4, 2)), rng.normal(size=4)


@pytest.mark.parametrize("clip_norm", [None, 0.05, 1e6])
def test_fit_is_sgd_with_torch_clipping(clip_norm):
    start = _model(seed=3)
    lr, steps = 0.1, 8
    final, hist = train.fit(
        rnn, start, _data, steps=steps, optimizer=optim.SGD(lr=lr), clip_norm=clip_norm
    )
    p = {k: v.copy() for k, v in start.items()}
    for step in range(steps):
        xs, ys = _data(step)
        value, g = train.loss_and_grads(rnn, p, xs, ys)
        norm = np.sqrt(sum(np.sum(v**2) for v in g.values()))
        assert hist.loss[step] == pytest.approx(value, rel=1e-12)
        assert hist.grad_norm[step] == pytest.approx(norm, rel=1e-12)
        coef = 1.0 if clip_norm is None else min(1.0, clip_norm / (norm + 1e-6))
        assert hist.clipped[step] == (coef < 1.0)
        p = {k: p[k] - lr * coef * g[k] for k in p}
    for k in p:
        np.testing.assert_allclose(final[k], p[k], rtol=1e-10, atol=1e-12)
    if clip_norm == 0.05:
        assert all(hist.clipped)
    if clip_norm in (None, 1e6):
        assert not any(hist.clipped)
    loss, norms, flags = hist.arrays()
    assert loss.shape == norms.shape == flags.shape == (steps,) and hist.stopped == ""
    np.testing.assert_array_equal(start["Wh"], _model(seed=3)["Wh"])  # input not modified


def test_fit_stops_and_reports_divergence():
    start = _model(seed=4, scale=3.0)
    start["Wy"] = start["Wy"] * 50
    _, hist = train.fit(rnn, start, _data, steps=200, optimizer=optim.SGD(lr=5.0))
    assert hist.stopped.startswith("non-finite") and "at step" in hist.stopped
    assert len(hist.loss) < 200
    assert not np.isfinite(hist.loss[-1]) or not np.isfinite(hist.grad_norm[-1])
    # the same run with clipping stays finite
    _, ok = train.fit(rnn, start, _data, steps=200, optimizer=optim.SGD(lr=5.0), clip_norm=0.01)
    assert ok.stopped == "" and np.all(np.isfinite(ok.loss))


def test_loss_and_grads_refuses_nonfinite_outputs():
    params = _model()
    params["Wy"] = np.full_like(params["Wy"], np.inf)
    with pytest.raises(clip.NonFiniteGradientError, match="not finite"):
        train.loss_and_grads(rnn, params, np.ones((3, 2, 2)), np.zeros(2))


def test_fit_validates():
    start = _model()
    with pytest.raises(TypeError, match="optimizer"):
        train.fit(rnn, start, _data, steps=2, optimizer="sgd")
    with pytest.raises(ValueError, match="steps"):
        train.fit(rnn, start, _data, steps=-1, optimizer=optim.SGD(lr=0.1))
    with pytest.raises(ValueError, match="clip_norm"):
        train.fit(rnn, start, _data, steps=2, optimizer=optim.SGD(lr=0.1), clip_norm=0.0)
    with pytest.raises(ValueError, match="output_size"):
        train.readout_init(3, 0, rng=np.random.default_rng(0))
