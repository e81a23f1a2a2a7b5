"""Sweep calls for charlm, checkpoint, regulariser, describe, diagrams and style.

Everything is tiny: the character model reads a corpus of a few dozen characters (V = 6,
H = 3), the RNNs run 4 steps, the figures are small and made outside pyplot (nothing to
close: no "too many figures" warning however many the sweep makes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from sweep import _cell_params, _rng, _xs

from helpers import charlm, checkpoint, describe, diagrams, regulariser, rnn, stacking, style

#: The corpus of the sweep's character model: every character seen >= 2 times.
TEXT = "def f(a):\n    return a\n" * 2


def _vocab() -> charlm.Vocab:
    return charlm.build_vocab(TEXT, min_count=2)


def _stack() -> dict[str, np.ndarray]:
    return charlm.init_stack(_vocab().size, 3, seeds=[0, 1])


def _one() -> dict[str, np.ndarray]:
    return stacking.unstack(_stack(), 0)


def _ids(T: int = 4, B: int = 2) -> np.ndarray:
    return charlm.streams(charlm.encode(TEXT, _vocab()), B)[:T]


def _figure() -> Figure:
    """A small figure with a labelled line, an image, bars and markers."""
    fig = Figure(figsize=(3, 2))
    ax, ax2 = fig.subplots(1, 2)
    ax.plot([0, 1, 2], [1.0, 0.5, 0.25], label="loss")
    ax.scatter([0, 1], [1, 2])
    ax.set(xlabel="step", ylabel="loss", title="a")
    ax2.imshow(np.arange(6.0).reshape(2, 3))
    ax2.bar([0, 1], [2.0, 3.0])
    return fig


def _bad_figures(fig: Figure) -> Iterator[tuple[str, Any]]:
    yield "no axes", Figure()
    for name, value in (("NaN", np.nan), ("inf", np.inf)):
        bad = Figure(figsize=(3, 2))
        ax = bad.subplots()
        with np.errstate(invalid="ignore"):  # matplotlib's own arithmetic on a bar of inf
            ax.plot([0, 1, 2], [value, value, value], label="all " + name)
            ax.plot([0, 1, 2], [1.0, value, 2.0], label="one " + name)
            ax.scatter([0, value], [value, 1])
            ax.imshow(np.full((2, 2), value))
            ax.bar([0, 1], [value, 1.0])
        yield f"{name} data", bad
    own = Figure()
    own.alt_text = 3  # type: ignore[attr-defined]
    yield "alt_text not a string", own


def _bad_vocabs(vocab: charlm.Vocab) -> Iterator[tuple[str, Any]]:
    yield "smaller vocab", charlm.Vocab(vocab.chars[:2])
    yield "larger vocab", charlm.Vocab(vocab.chars + "XYZ")


def _bad_checkpoints(ckpt: checkpoint.Checkpoints) -> Iterator[tuple[str, Any]]:
    _, other = checkpoint.forward(_cell_params(rnn), _xs(T=6, B=3), stride=2)
    yield "other T and B", other


def mutations() -> dict[type, Callable[[Any], Iterator[tuple[str, Any]]]]:
    """Extra mutations by argument type. They apply to every swept call with an argument of
    that type, so only types of these modules are listed (a Cache of another shape would
    also reach rnn, unroll and truncation: tests/test_bad_input_charlm.py checks that
    regulariser.error_signals names it)."""
    return {
        Figure: _bad_figures,
        charlm.Vocab: _bad_vocabs,
        checkpoint.Checkpoints: _bad_checkpoints,
    }


def calls() -> dict[str, Callable[[], tuple[Callable[..., Any], dict[str, Any]]]]:
    def c(fn: Callable[..., Any], **kw: Any):
        return lambda: (fn, kw)

    cell = _cell_params(rnn)
    hs, cache = rnn.forward(cell, _xs())
    dhs = np.ones_like(hs)
    vs = regulariser.error_signals(dhs, cache)
    ids = _ids()
    return {
        # charlm
        "charlm.load_corpus": c(charlm.load_corpus, modules=("textwrap", "queue"), n_chars=200),
        "charlm.Vocab": c(charlm.Vocab, chars="ab" + charlm.RARE),
        "charlm.build_vocab": c(charlm.build_vocab, text=TEXT, min_count=2),
        "charlm.encode": c(charlm.encode, text="def g", vocab=_vocab()),
        "charlm.decode": c(charlm.decode, ids=ids, vocab=_vocab()),
        "charlm.streams": c(charlm.streams, ids=charlm.encode(TEXT, _vocab()), batch=2),
        "charlm.unigram_entropy": c(charlm.unigram_entropy, ids=ids, V=_vocab().size),
        "charlm.init_stack": c(charlm.init_stack, V=5, H=3, seeds=[0, 1], dtype=np.float64),
        "charlm.loss_and_grads": c(
            charlm.loss_and_grads,
            params=_stack(),
            ids=ids[:-1],
            targets=ids[1:],
            h0=np.zeros((2, 2, 3)),
            grads=True,
        ),
        "charlm.held_out_loss": c(charlm.held_out_loss, params=_stack(), ids=ids, k=2, carry=True),
        "charlm.log_probs": c(charlm.log_probs, params=_one(), ids=ids, h0=np.zeros((2, 3))),
        "charlm.next_probs": c(
            charlm.next_probs, params=_one(), h=np.zeros((2, 3)), c=ids[0], temperature=1.0
        ),
        "charlm.sample": c(
            charlm.sample,
            params=_one(),
            vocab=_vocab(),
            prompt="def",
            n=3,
            temperature=1.0,
            rng=_rng(),
        ),
        "charlm.sample_stack": c(
            charlm.sample_stack,
            params=_stack(),
            vocab=_vocab(),
            prompt="def",
            n=3,
            streams=2,
            temperature=1.0,
            rng=_rng(),
        ),
        # checkpoint
        "checkpoint.default_stride": c(checkpoint.default_stride, T=9),
        "checkpoint.forward": c(
            checkpoint.forward,
            params=cell,
            xs=_xs(),
            h0=np.zeros((2, 3)),
            stride=2,
            activation="tanh",
        ),
        "checkpoint.backward": c(
            checkpoint.backward, dhs=dhs, ckpt=checkpoint.forward(cell, _xs(), stride=2)[1]
        ),
        "checkpoint.stored_states": c(checkpoint.stored_states, T=100, method="truncated", k2=20),
        "checkpoint.step_evaluations": c(checkpoint.step_evaluations, T=100, method="checkpoint"),
        # regulariser
        "regulariser.error_signals": c(regulariser.error_signals, dhs=dhs, cache=cache),
        "regulariser.omega": c(regulariser.omega, vs=vs, hs=hs, Wh=cell["Wh"], activation="tanh"),
        "regulariser.omega_grad": c(
            regulariser.omega_grad, vs=vs, hs=hs, Wh=cell["Wh"], activation="tanh"
        ),
        # describe, diagrams, style
        "describe.describe_figure": c(describe.describe_figure, fig=_figure()),
        "describe.png_with_alt": c(describe.png_with_alt, fig=_figure()),
        "diagrams.lstm_figure": c(diagrams.lstm_figure, stages=(1, 2), ncols=2),
        "diagrams.gru_figure": c(diagrams.gru_figure),
        "diagrams.labels": c(diagrams.labels, fig=diagrams.lstm_figure((1,))),
        "style.use": c(style.use),
    }
