"""Sweep calls for the cells and what works on them: rnn, lstm, gru, clip, jacobians,
truncation, stacking, unroll (issue 18). Entries here replace ``sweep._calls`` entries of
the same name (a valid call with more arguments, or a corrected one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sweep import _cell_params, _grads, _rng, _xs

from helpers import clip, gru, jacobians, lstm, rnn, stacking, truncation, unroll

Builder = Callable[[], tuple[Callable[..., Any], dict[str, Any]]]


def _c(fn: Callable[..., Any], **kw: Any) -> Builder:
    return lambda: (fn, kw)


def _untied_cache() -> unroll.UntiedCache:
    return unroll.forward_untied(unroll.untie(_cell_params(rnn), steps=4), _xs())[1]


def calls() -> dict[str, Builder]:
    """Valid calls (all arguments by keyword) of every public function of these modules."""
    _, lcache = lstm.forward(_cell_params(lstm), _xs())
    _, gcache = gru.forward(_cell_params(gru), _xs())
    _, rcache = rnn.forward(_cell_params(rnn), _xs())
    ones = np.ones((4, 2, 3))
    J = np.stack([np.eye(3) * 0.9] * 4)[:, None]  # (T, B, H, H)
    coins = truncation.draw_coins(4, keep=0.9, draws=2, rng=_rng())
    caches = unroll.chunked_forward(_cell_params(rnn), _xs(), 2)[1]
    return {
        "rnn.init": _c(
            rnn.init, input_size=2, hidden_size=3, rng=_rng(), init="xavier", dtype=np.float64
        ),
        "rnn.forward": _c(
            rnn.forward,
            params=_cell_params(rnn),
            xs=_xs(),
            h0=np.zeros((2, 3)),
            activation="tanh",
        ),
        "rnn.backward": _c(rnn.backward, dhs=ones, cache=rcache, truncate=2, return_dxs=True),
        "lstm.init": _c(
            lstm.init, input_size=2, hidden_size=3, rng=_rng(), forget_bias=1.0, dtype=np.float64
        ),
        "lstm.forward": _c(
            lstm.forward,
            params=_cell_params(lstm),
            xs=_xs(),
            h0=(np.zeros((2, 3)), np.zeros((2, 3))),
        ),
        "lstm.backward": _c(lstm.backward, dhs=ones, cache=lcache, truncate=2, return_dxs=True),
        "lstm.backward(full)": _c(lstm.backward, dhs=ones, cache=lcache),
        "gru.init": _c(gru.init, input_size=2, hidden_size=3, rng=_rng(), dtype=np.float32),
        "gru.backward": _c(gru.backward, dhs=ones, cache=gcache, truncate=2, return_dxs=True),
        "gru.backward(full)": _c(gru.backward, dhs=ones, cache=gcache),
        "clip.clip_by_global_norm": _c(
            clip.clip_by_global_norm, grads=_grads(), max_norm=1.0, error_if_nonfinite=True
        ),
        "jacobians.forward(sigmoid)": _c(
            jacobians.forward,
            params=_cell_params(rnn),
            xs=_xs(),
            h0=np.zeros((2, 3)),
            activation="sigmoid",
        ),
        "jacobians.products": _c(jacobians.products, J=J, start=1),
        "jacobians.log10_norms": _c(jacobians.log10_norms, J=J, start=1, ord="fro"),
        "jacobians.input_gradient_norms": _c(
            jacobians.input_gradient_norms,
            params=_cell_params(rnn),
            xs=_xs(),
            h0=np.zeros((2, 3)),
            activation="tanh",
        ),
        "truncation.randomized_backward": _c(
            truncation.randomized_backward, dhs=ones, cache=rcache, keep=0.9, coins=coins
        ),
        "stacking.stack": _c(
            stacking.stack, models=[_cell_params(rnn), rnn.init(2, 3, rng=np.random.default_rng(1))]
        ),
        "unroll.forward_untied": _c(
            unroll.forward_untied,
            untied=unroll.untie(_cell_params(rnn), steps=4),
            xs=_xs(),
            h0=np.zeros((2, 3)),
            activation="tanh",
        ),
        "unroll.backward_untied": _c(unroll.backward_untied, dhs=ones, cache=_untied_cache()),
        "unroll.step_contributions": _c(
            unroll.step_contributions, dhs=ones, cache=rcache, truncate=2
        ),
        "unroll.chunked_forward": _c(
            unroll.chunked_forward,
            params=_cell_params(rnn),
            xs=_xs(),
            n=2,
            reset=False,
            activation="tanh",
        ),
        "unroll.chunked_backward": _c(unroll.chunked_backward, dhs=ones, caches=caches),
    }
