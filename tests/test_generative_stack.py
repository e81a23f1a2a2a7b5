"""helpers.generative's stacks: M character models trained and run together.

Each model of a stack is compared with the single-model path (``generate``, and a
teacher-forced training loop written out here with ``helpers.train`` and ``helpers.clip``).
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import clip, generative, optim, rnn, stacking, train

SEEDS = [3, 7, 11]


def test_init_stack_is_separate_inits():
    stack = generative.init_stack(8, seeds=SEEDS)
    for m, seed in enumerate(SEEDS):
        alone = generative.init_model(8, rng=np.random.default_rng(seed))
        for k, v in alone.items():
            np.testing.assert_array_equal(stack[k][m], v)


def test_generate_stack_equals_generate():
    stack = generative.init_stack(8, seeds=SEEDS)
    prompt = generative.windows(5, 6, rng=np.random.default_rng(1))
    out = generative.generate_stack(stack, prompt, 9)
    assert out.shape == (3, 9, 5)
    for m in range(3):
        alone = generative.generate(stacking.unstack(stack, m), prompt, 9)
        np.testing.assert_array_equal(out[m], alone)


def test_free_running_inputs_are_each_models_own_argmax():
    stack = generative.init_stack(8, seeds=SEEDS)
    stack["Wy"] = stack["Wy"] * 1e4  # softmax ≈ one-hot: every sample is the argmax
    ids = np.stack([generative.windows(6, 10, rng=np.random.default_rng(s)) for s in SEEDS])
    xs, truth = generative.scheduled_inputs_stack(stack, ids, 0.0, rng=np.random.default_rng(2))
    assert xs.shape == (3, 9, 6, generative.V) and not truth[:, 1:].any()
    for m in range(3):
        p = stacking.unstack(stack, m)
        hs, _ = rnn.forward({k: p[k] for k in rnn.PARAM_NAMES}, xs[m])
        best = (hs @ p["Wy"].T + p["by"]).argmax(axis=-1)
        np.testing.assert_array_equal(xs[m, 1:].argmax(axis=-1), best[:-1])
        np.testing.assert_array_equal(xs[m, 0].argmax(axis=-1), ids[m, 0])


def test_teacher_forced_fit_stack_equals_separate_runs():
    stack = generative.init_stack(6, seeds=SEEDS)
    steps, batch, length = 4, 5, 7
    trained, losses = generative.fit_stack(
        stack,
        steps=steps,
        optimizer=optim.Adam(lr=0.01),
        rng=np.random.default_rng(9),
        batch=batch,
        length=length,
        clip_norm=0.5,
    )
    assert losses.shape == (steps, 3)
    rng = np.random.default_rng(9)  # the same windows, drawn the same way
    batches = [
        generative.windows(3 * batch, length + 1, rng=rng).reshape(length + 1, 3, batch)
        for _ in range(steps)
    ]
    for m in range(3):
        p, opt = stacking.unstack(stack, m), optim.Adam(lr=0.01)
        for i, ids in enumerate(batches):
            ids = ids[:, m]
            value, grads = train.loss_and_grads(
                rnn, p, generative.one_hot(ids[:-1]), ids[1:], loss="xent_all"
            )
            assert value == pytest.approx(losses[i, m], rel=1e-10)
            grads, _ = clip.clip_by_global_norm(grads, 0.5)
            p = opt.step(p, grads)
        for k in p:
            np.testing.assert_allclose(trained[k][m], p[k], rtol=1e-9, atol=1e-12)


def test_per_model_eps_and_bad_input():
    stack = generative.init_stack(4, seeds=SEEDS)
    ids = np.stack([generative.windows(400, 5, rng=np.random.default_rng(s)) for s in SEEDS])
    _, truth = generative.scheduled_inputs_stack(
        stack, ids, np.array([1.0, 0.0, 0.5]), rng=np.random.default_rng(0)
    )
    assert truth[0].all() and not truth[1, 1:].any()
    assert 0.45 < truth[2, 1:].mean() < 0.55
    with pytest.raises(ValueError, match="eps"):
        generative.scheduled_inputs_stack(
            stack, ids, np.array([1.0, 2.0, 0.5]), rng=np.random.default_rng(0)
        )
    with pytest.raises(ValueError, match="ids"):
        generative.scheduled_inputs_stack(stack, ids[:2], 0.5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="stack"):
        generative.generate_stack(stacking.unstack(stack, 0), ids[0, :3], 2)
