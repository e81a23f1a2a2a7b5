"""Sweep calls for toys, landscape, tasks and sweeps, and for the public functions of the
modules already done (schedules, stats, generative, train, optim) that ``sweep._calls``
does not cover. Tiny valid calls: the sweep runs each one once per mutation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sweep import _rng

from helpers import generative, optim, schedules, stats, sweeps, tasks, toys, train

Builder = Callable[[], tuple[Callable[..., Any], dict[str, Any]]]


def _c(fn: Callable[..., Any], **kw: Any) -> Builder:
    return lambda: (fn, kw)


def calls() -> dict[str, Builder]:
    """Name -> builder of (function, valid keyword arguments), as ``sweep._calls``."""
    gen_stack = generative.init_stack(3, seeds=[0, 1])
    story = tasks.stories(2, 1, rng=_rng())
    lrs = np.array([0.1, 1.0])
    starts = {"w": np.array([5.0, 3.0]), "b": np.array([-2.5, -1.0])}
    grid = sweeps.run_grid("SGD", lrs, starts, sweeps.pascanu_grad_fn, n_updates=2)
    return {
        # tasks: the story vocabulary and a batch's methods
        "tasks.Vocab.ids": _c(tasks.VOCAB.ids, words=["Jane", "said", "hi"]),
        "tasks.Vocab.words": _c(tasks.VOCAB.words, ids=np.array([1, 2, 3])),
        "tasks.Vocab.text": _c(tasks.VOCAB.text, ids=np.array([1, 2, 3])),
        "tasks.Stories.text": _c(story.text, i=1),
        "tasks.Stories": _c(tasks.Stories, **vars(story)),
        # sweeps: a 2 x 2 grid, two updates
        "sweeps.run_grid": _c(
            sweeps.run_grid,
            name="Momentum",
            lrs=lrs,
            starts=starts,
            grad_fn=sweeps.pascanu_grad_fn,
            n_updates=2,
            clip_norm=1.0,
        ),
        "sweeps.run_grids": _c(
            sweeps.run_grids,
            specs={"SGD": {"name": "SGD"}, "clipped": {"name": "SGD", "clip_norm": 1.0}},
            lrs=lrs,
            starts=starts,
            grad_fn=sweeps.pascanu_grad_fn,
            n_updates=2,
            record=True,
        ),
        "sweeps.pascanu_grad_fn": _c(
            sweeps.pascanu_grad_fn, params={"w": np.array([5.0, 3.0]), "b": np.array([-2.5, -1.0])}
        ),
        "sweeps.GridResult": _c(
            sweeps.GridResult,
            params=grid.params,
            loss=grid.loss,
            updates=grid.updates,
            n_updates=2,
        ),
        # modules already done: the functions not swept before
        "schedules.epsilon": _c(schedules.epsilon, kind="exponential", i=np.arange(4.0), k=0.9),
        "stats.rate_text": _c(stats.rate_text, k=7, n=8, confidence=0.95),
        "generative.decode": _c(generative.decode, ids=generative.encode("cat")),
        "generative.one_hot": _c(generative.one_hot, ids=np.array([[0, 2], [1, 3]])),
        "generative.init_stack": _c(generative.init_stack, hidden_size=3, seeds=[0, 1]),
        "generative.scheduled_inputs_stack": _c(
            generative.scheduled_inputs_stack,
            params=gen_stack,
            ids=np.stack([generative.windows(2, 4, rng=_rng())] * 2),
            eps=0.5,
            rng=_rng(),
        ),
        "generative.fit_stack": _c(
            generative.fit_stack,
            params=gen_stack,
            steps=2,
            optimizer=optim.Adam(lr=0.01),
            rng=_rng(),
            batch=2,
            length=4,
            clip_norm=5.0,
        ),
        "generative.generate_stack": _c(
            generative.generate_stack,
            params=gen_stack,
            prompt=generative.encode("at")[:, None],
            n=3,
        ),
        "train.History": _c(
            train.History, loss=[1.0, 0.5], grad_norm=[2.0, 1.0], clipped=[True, False]
        ),
        "train.StackHistory": _c(
            train.StackHistory,
            loss=np.array([[1.0, 2.0], [0.5, 1.5]]),
            grad_norm=np.array([[2.0, 3.0], [1.0, 2.0]]),
            clipped=np.array([[True, False], [False, False]]),
            stopped=["", ""],
        ),
        "train.StackHistory.run": _c(
            train.StackHistory(
                loss=np.array([[1.0, 2.0], [0.5, 1.5]]),
                grad_norm=np.array([[2.0, 3.0], [1.0, 2.0]]),
                clipped=np.array([[True, False], [False, False]]),
                stopped=["", ""],
            ).run,
            m=1,
        ),
        "optim.Optimizer": _c(optim.Optimizer, lr=0.1),
        "toys.linear_gain": _c(toys.linear_gain, alpha=0.9, horizon=20),
    }
