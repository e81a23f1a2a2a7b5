"""nb04's threshold experiment: the stacked runs are the separate runs they stand for."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import optim, rnn, stacking, train
from helpers.explorers import nb04


@pytest.fixture
def short(monkeypatch):
    """A 30-step version of the experiment, with the caches cleared before and after."""
    monkeypatch.setitem(nb04.SETTINGS, "steps", 30)
    monkeypatch.setitem(nb04.SETTINGS, "test_size", 50)
    for f in (nb04._seed_batches, nb04.test_set, nb04.threshold_experiment):
        f.cache_clear()
    yield
    for f in (nb04._seed_batches, nb04.test_set, nb04.threshold_experiment):
        f.cache_clear()


def test_stacked_runs_match_separate_runs(short):
    """Copy k, seed m of ``_train`` == train.fit of seed m's network on seed m's batches."""
    lrs, limits = np.array([0.1, 0.3]), np.array([np.inf, 0.5])
    runs = nb04._train(lrs, limits, 2)
    xs_all, ys_all = nb04._seed_batches()
    start = nb04.seed_models()
    x_test, y_test = nb04.test_set()
    for k in range(2):
        for m in (0, 5):
            final, hist = train.fit(
                rnn,
                stacking.unstack(start, m),
                lambda step, m=m: (xs_all[step, m], ys_all[step, m]),
                steps=30,
                optimizer=optim.SGD(lr=lrs[k]),
                clip_norm=None if np.isinf(limits[k]) else limits[k],
            )
            loss, norm, clipped = hist.arrays()
            np.testing.assert_allclose(runs[k].loss[:, m], loss, rtol=1e-10)
            np.testing.assert_allclose(runs[k].grad_norm[:, m], norm, rtol=1e-10)
            assert np.array_equal(runs[k].clipped[:, m], clipped)
            pred = train.predict(rnn, final, x_test)[-1, :, 0]
            np.testing.assert_allclose(
                runs[k].test_mse[m], np.mean((pred - y_test) ** 2), rtol=1e-9
            )


def test_thresholds_are_multiples_of_the_probe_average(short):
    ex = nb04.threshold_experiment()
    assert ex.average_norm == pytest.approx(float(np.mean(ex.probe.grad_norm)), rel=1e-12)
    assert ex.median_norm == pytest.approx(float(np.median(ex.probe.grad_norm)), rel=1e-12)
    for f in ex.factors:
        runs = ex.runs[f]
        expect = f * ex.average_norm / (runs.grad_norm + 1e-6) < 1
        assert np.array_equal(runs.clipped, expect)
    assert not ex.runs[None].clipped.any()


def test_smooth_is_a_running_mean():
    v = np.arange(10.0)[:, None]
    out = nb04.smooth(v, window=4)
    assert np.isnan(out[:3]).all()
    np.testing.assert_allclose(out[3:, 0], [np.mean(v[i - 3 : i + 1]) for i in range(3, 10)])


def test_continue_runs_is_a_separate_run_from_the_final_networks(short):
    """Seed m of ``continue_runs`` == train.fit from seed m's final network on the same batches."""
    nb04._continue_runs.cache_clear()
    ex = nb04.threshold_experiment()
    more = nb04.continue_runs(10.0, 12)
    xs, ys = nb04.tasks.adding_problem(
        12 * 8 * 32, 6, rng=np.random.default_rng(2025)
    )  # the continuation's own batches, drawn as documented
    xs = xs.reshape(6, 12, 8, 32, 2).transpose(1, 2, 0, 3, 4)
    ys = ys.reshape(12, 8, 32)
    for m in (0, 3):
        _, hist = train.fit(
            rnn,
            stacking.unstack(ex.runs[10.0].final, m),
            lambda step, m=m: (xs[step, m], ys[step, m]),
            steps=12,
            optimizer=optim.SGD(lr=ex.lr),
            clip_norm=10.0 * ex.average_norm,
        )
        np.testing.assert_allclose(more.loss[:, m], hist.arrays()[0], rtol=1e-10)
    nb04._continue_runs.cache_clear()
    with pytest.raises(ValueError, match="factor"):
        nb04.continue_runs(3.0, 5)


def test_steps_to_matches_a_loop():
    rng = np.random.default_rng(0)
    loss = np.abs(rng.normal(1.0, 0.5, size=(200, 3))) * np.linspace(1, 0.05, 200)[:, None]
    loss[:, 2] = 1.0  # never gets there
    got = nb04.steps_to(loss, 0.3, window=10)
    for m in range(3):
        expect = np.inf
        for i in range(9, 200):
            if loss[i - 9 : i + 1, m].mean() < 0.3:
                expect = i
                break
        assert got[m] == expect
