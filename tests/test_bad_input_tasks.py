"""Issue 18's named cases in toys, landscape, tasks and sweeps, as regression tests.

Each was a hang, a silent wrong result or an error from inside NumPy; now each is refused
by name (quickly), or computed honestly.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from helpers import generative, landscape, sweeps, tasks, toys, train


@pytest.mark.parametrize(
    "call",
    [
        lambda v: toys.pascanu_loss(5.0, -2.5, steps=v),
        lambda v: toys.pascanu_descent(5.0, -2.5, lr=0.1, n_steps=v),
        lambda v: toys.pascanu_descent(5.0, -2.5, lr=0.1, steps=v),
        lambda v: landscape.descend(0.9, lr=0.01, steps=v, n=100),
    ],
    ids=["pascanu_loss steps", "pascanu_descent n_steps", "pascanu_descent steps", "descend"],
)
@pytest.mark.parametrize("value", [1e308, 10**7, 10**12])
def test_huge_counts_are_refused_by_name_at_once(call, value):
    """1e308 steps used to be taken as an integer and hang; a count that would run for
    minutes (10⁷ Pascanu steps on a grid, 10⁷ descent steps) is refused too."""
    start = time.process_time()
    with pytest.raises(ValueError, match="steps must be <="):
        call(value)
    assert time.process_time() - start < 0.5


def test_pascanu_descent_caps_the_total_work():
    """Each count alone may be fine; their product (unit steps of the pure-Python loop) is
    capped, and the message names both."""
    with pytest.raises(ValueError, match=r"n_steps × steps must be <= 10,000,000"):
        toys.pascanu_descent(5.0, -2.5, lr=0.1, n_steps=100_000, steps=1_000)
    path, _, _ = toys.pascanu_descent(5.0, -2.5, lr=0.1, n_steps=2, steps=10_000)
    assert path.shape == (3, 2)


def test_difference_errors_computes_in_float64_whatever_the_steps_dtype():
    """float32 steps used to run the whole computation in float32 (errors near 1e-3 instead
    of 1e-7): the steps are now promoted. Reference: the same steps given as float64."""
    steps32 = np.logspace(-7, -3, 5).astype(np.float32)
    got = landscape.difference_errors(1.001, steps32, n=100)
    ref = landscape.difference_errors(1.001, steps32.astype(np.float64), n=100)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, ref)
    # and the forward-difference truncation model ½Δ(n − 1)/w holds at Δ = 1e-5 (1 %)
    d = np.float32(1e-5)
    err = landscape.difference_errors(1.001, np.array([d]), n=100)[0]
    assert abs(err / (0.5 * float(d) * 99 / 1.001) - 1) < 0.01


def test_difference_errors_refuses_steps_that_overflow():
    with pytest.raises(ValueError, match=r"^steps: the difference quotient overflows"):
        landscape.difference_errors(0.999, np.array([1e-3, 1e308]), n=100)
    with pytest.raises(TypeError, match="steps"):
        landscape.difference_errors(0.999, np.array([True, True]), n=100)


@pytest.mark.parametrize("bad", [3, None, "12", 2.5, {1: 2}])
def test_story_words_names_fillers(bad):
    """``fillers=3`` used to say "'int' object is not iterable"."""
    with pytest.raises(TypeError, match="fillers"):
        tasks.story_words("Jane", "John", fillers=bad)


def test_story_words_names_the_bad_filler():
    with pytest.raises(ValueError, match=r"fillers\[1\] must be <= 7"):
        tasks.story_words("Jane", "John", fillers=[0, 8])
    words = tasks.story_words("Jane", "John", fillers=np.array([0, 1]))
    assert words == tasks.story_words("Jane", "John", fillers=(0, 1))
    assert len(words) == 9 + 2 * tasks.FILLER_LEN + 6


def test_vocab_ids_refuses_a_bare_string():
    """A string would be read letter by letter: refused, with the hint to split it."""
    with pytest.raises(TypeError, match=r"words must be a list of words.*split"):
        tasks.VOCAB.ids("Jane said hi")


@pytest.mark.parametrize(
    "call",
    [
        lambda: toys.linear_gain(0.9, 10**9),
        lambda: tasks.adding_problem(10**9, 10, rng=np.random.default_rng(0)),
        lambda: tasks.adding_problem(2, 10**9, rng=np.random.default_rng(0)),
        lambda: tasks.stories(10**9, 1, rng=np.random.default_rng(0)),
        lambda: tasks.stories(2, 10**9, rng=np.random.default_rng(0)),
        lambda: generative.init_stack(10**9, seeds=[0]),
        lambda: generative.windows(10**9, 5, rng=np.random.default_rng(0)),
        lambda: sweeps.run_grid(
            "SGD",
            np.ones(2),
            {"w": np.ones(2), "b": np.ones(2)},
            sweeps.pascanu_grad_fn,
            n_updates=10**9,
        ),
    ],
)
def test_sizes_beyond_the_limit_are_refused_by_name_not_by_numpy(call):
    """Size arguments used to reach NumPy ("Maximum allowed dimension exceeded", or an
    allocation of petabytes): refused by name before any allocation."""
    start = time.process_time()
    with pytest.raises(ValueError, match=r"must be <= 10,000,000"):
        call()
    assert time.process_time() - start < 0.5


def test_pascanu_target_outside_the_range_of_sigma_is_refused():
    with pytest.raises(ValueError, match=r"target must be <= 1\.0"):
        toys.pascanu_loss(5.0, -2.5, target=1e308)
    with pytest.raises(TypeError, match="w must be a real number"):
        toys.pascanu_loss(True, -2.5)


def test_pascanu_grad_fn_names_the_key():
    with pytest.raises(ValueError, match=r"params is missing key\(s\) \['b'\]"):
        sweeps.pascanu_grad_fn({"w": np.ones(2)})
    with pytest.raises(ValueError, match=r"params\['w'\] and params\['b'\] must have one shape"):
        sweeps.pascanu_grad_fn({"w": np.ones(3), "b": np.ones(2)})
    with pytest.raises(ValueError, match=r"params\['b'\] contains 1 NaN"):
        sweeps.pascanu_grad_fn({"w": np.ones(2), "b": np.array([0.0, np.nan])})


def test_run_grid_names_starts_when_grad_fn_cannot_read_them():
    with pytest.raises(ValueError, match=r"grad_fn failed on the parameters of starts"):
        sweeps.run_grid("SGD", np.ones(2), {"w": np.ones(2)}, sweeps.pascanu_grad_fn, n_updates=1)
    with pytest.raises(TypeError, match=r"grad_fn must return \(loss, grads\)"):
        sweeps.run_grid("SGD", np.ones(2), {"w": np.ones(2)}, lambda p: np.nan, n_updates=1)


def test_history_keeps_non_finite_values_only_with_a_reason():
    """A run records NaN only at the step where it stopped, with ``stopped`` saying why."""
    with pytest.raises(ValueError, match="loss holds NaN or inf although stopped is empty"):
        train.History(loss=[1.0, np.nan], grad_norm=[1.0, 1.0], clipped=[False, False])
    h = train.History(loss=[1.0, np.nan], grad_norm=[1.0, np.nan], clipped=[False, False],
                      stopped="non-finite loss at step 1")  # fmt: skip
    assert np.isnan(h.arrays()[0][1])
    with pytest.raises(ValueError, match="one length"):
        train.History(loss=[1.0], grad_norm=[], clipped=[])


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: tasks.adding_problem(10**7, 10**7, rng=np.random.default_rng(0)), "n × length"),
        (lambda: tasks.stories(10**7, 10**6, rng=np.random.default_rng(0)), "n × "),
        (lambda: generative.windows(10**7, 10**7, rng=np.random.default_rng(0)), "n × length"),
        (lambda: generative.init_model(10**7, rng=np.random.default_rng(0)), "hidden_size"),
        (lambda: generative.init_stack(10**6, seeds=[0]), "hidden_size"),
    ],
)
def test_sizes_that_multiply_beyond_memory_are_refused_by_name(call, names):
    """Each count within its limit, their product petabytes: this used to be a MemoryError
    from inside NumPy."""
    start = time.process_time()
    with pytest.raises(ValueError, match=f"^{names}.*must give at most 100,000,000 numbers"):
        call()
    assert time.process_time() - start < 0.5
