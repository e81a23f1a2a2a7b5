"""Notebook 08's explorer: move along the distance and between trained models.

``distance_model(runs)`` takes the models trained in the notebook — label → run, where a
run is ``(cell_module, params, cell_kwargs)``, or a dict ``{n_filler: run}`` of models each
trained at one distance — and precomputes, on one fixed evaluation set, each model's
accuracy at every distance and its predicted distribution of the answer for one example
story per distance. The sliders then only select among these numbers.
Without ``runs`` (the registry and the tests call it so) it shows untrained models.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import ipywidgets as widgets
import numpy as np

from helpers import gru, lm, rnn, style, tasks, train
from helpers._validate import as_int
from helpers.explorers.base import Explorer, new_figure

#: Filler counts shown by default: distances 9, 21, 33 tokens.
N_FILLER = (0, 3, 6)
#: Stories per distance in the evaluation set.
PER_DISTANCE = 100
EVAL_SEED = 2026

Run = tuple[ModuleType, dict[str, np.ndarray], dict[str, Any]]


def _untrained() -> dict[str, Run]:
    V = len(tasks.VOCAB)
    out: dict[str, Run] = {}
    for label, cell in (("RNN (untrained)", rnn), ("GRU (untrained)", gru)):
        rng = np.random.default_rng(0)
        params = cell.init(V, 16, rng=rng)
        params.update(train.readout_init(16, V, rng=rng))
        out[label] = (cell, params, {})
    return out


def _look(label: str, i: int) -> tuple[str, str, str]:
    """Colour, line style and marker of a model, matching notebook 08's static figures."""
    low = label.lower()
    if "truncated" in low:
        return style.COLORS["green"], "-.", "^"
    if "rnn" in low:
        return style.EXPLODE, "--", "o"
    if "gru" in low or "lstm" in low:
        return style.VANISH, "-", "s"
    return style.CYCLE[(i + 3) % len(style.CYCLE)], ":", "D"


def _subset(batch: tasks.Stories, sel: np.ndarray) -> tasks.Stories:
    """The stories of ``batch`` where ``sel`` (B,) is true."""
    return tasks.Stories(
        **{k: (v[:, sel] if k == "tokens" else v[sel]) for k, v in vars(batch).items()}
    )


def _evaluation_set(n_filler: tuple[int, ...] = N_FILLER) -> tasks.Stories:
    """The fixed evaluation stories: ``PER_DISTANCE`` per filler count, seed ``EVAL_SEED``."""
    counts = np.repeat(np.asarray(n_filler, dtype=np.int64), PER_DISTANCE)
    return tasks.stories(counts.size, counts, rng=np.random.default_rng(EVAL_SEED))


#: The most filler sentences ``distance_model`` evaluates at (distance 9 + 4 · 50 = 209).
MAX_FILLER = 50


def _filler_counts(n_filler: object) -> tuple[int, ...]:
    if isinstance(n_filler, (str, bytes)) or not isinstance(n_filler, (Sequence, np.ndarray)):
        raise TypeError(
            f"n_filler must be a tuple of filler counts such as (0, 3, 6), "
            f"got {type(n_filler).__name__}"
        )
    counts = tuple(
        as_int(f"n_filler[{i}]", n, min_value=0, max_value=MAX_FILLER)
        for i, n in enumerate(n_filler)
    )
    if not counts or len(set(counts)) != len(counts):
        raise ValueError(f"n_filler must hold one or more distinct counts, got {counts}")
    return counts


def distance_model(
    runs: Mapping[str, Run | Mapping[int, Run]] | None = None,
    n_filler: tuple[int, ...] = N_FILLER,
    tests: Mapping[int, tasks.Stories] | None = None,
) -> Explorer:
    """Controls ``distance`` (tokens) and ``model``: the predicted answer distribution
    for one story at that distance (left) and accuracy against distance (right).

    ``tests`` maps each filler count to its test stories (all of that filler count); by
    default ``PER_DISTANCE`` stories each, seed ``EVAL_SEED``. The story shown is the first.
    ``n_filler``: distinct filler counts, each 0 … ``MAX_FILLER``.
    """
    n_filler = _filler_counts(n_filler)
    models = dict(runs) if runs is not None else _untrained()
    if not models:
        raise ValueError("runs must name at least one model")
    per_distance: dict[str, dict[int, Run]] = {}
    for label, run in models.items():
        table = run if isinstance(run, Mapping) else dict.fromkeys(n_filler, run)
        missing = [n for n in n_filler if n not in table]
        if missing:
            raise ValueError(f"runs[{label!r}] has no model for n_filler {missing}")
        for n in n_filler:
            r = table[n]
            if not (isinstance(r, tuple) and len(r) == 3 and isinstance(r[0], ModuleType)):
                raise TypeError(
                    f"runs[{label!r}] must be (cell_module, params, cell_kwargs) "
                    "or a dict n_filler -> (cell_module, params, cell_kwargs)"
                )
        per_distance[label] = {n: table[n] for n in n_filler}
    if tests is None:
        batch = _evaluation_set(n_filler)
        tests = {n: _subset(batch, batch.n_filler == n) for n in n_filler}
    for n in n_filler:
        if not isinstance(tests.get(n), tasks.Stories) or np.any(tests[n].n_filler != n):
            raise ValueError(
                f"tests[{n}] must be a Stories batch whose stories all have {n} fillers"
            )
    dists = np.array([tasks.distance_of(n) for n in n_filler])
    index_of = {int(d): k for k, d in enumerate(dists)}
    name_ids = tasks.VOCAB.name_ids
    acc: dict[str, np.ndarray] = {}
    probs: dict[str, np.ndarray] = {}  # label → (K, names + 1): names, then "any other word"
    for label, table in per_distance.items():
        acc_row, prob_rows = [], []
        for n in n_filler:
            cell, params, kw = table[n]
            p = lm.answer_probs(cell, params, tests[n], **kw)
            acc_row.append(float(np.mean(p.argmax(axis=1) == tests[n].answer)))
            named = p[0, name_ids]
            prob_rows.append(np.append(named, max(1.0 - named.sum(), 0.0)))
        acc[label], probs[label] = np.array(acc_row), np.array(prob_rows)
    chance = 1.0 / (len(tasks.NAMES) - 1)

    fig, (ax_p, ax_a) = new_figure(11.0, 4.8, ncols=2, gridspec_kw={"width_ratios": [1, 1.25]})
    labels = [*tasks.NAMES, "other\nwords"]
    x = np.arange(len(labels))
    bars = ax_p.bar(x, np.zeros(len(labels)), color=style.COLORS["sky"], edgecolor="black")
    ax_p.set_xticks(x, labels)
    ax_p.set_ylim(0, 1.05)
    ax_p.set_ylabel("predicted probability of the answer")
    ax_p.axhline(chance, color=style.NEUTRAL, ls=":", lw=1.2)
    ax_p.text(-0.45, chance + 0.02, f"chance {chance:.0%}", ha="left", fontsize=10)

    lines = {}
    for i, label in enumerate(per_distance):
        color, ls, mk = _look(label, i)
        (line,) = ax_a.plot(dists, acc[label], marker=mk, ms=6, ls=ls, color=color, label=label)
        lines[label] = line
    (marker,) = ax_a.plot([], [], "o", ms=15, mfc="none", mec="black", mew=2.5)
    ax_a.axhline(chance, color=style.NEUTRAL, ls=":", lw=1.2, label=f"chance ({chance:.0%})")
    ax_a.set_xlabel("distance from the decisive name to the answer (tokens)")
    ax_a.set_ylabel("accuracy on the answer")
    # headroom above accuracy 1 for the legend, so that it hides no point and no circle
    ax_a.set_ylim(-0.03, 1.32)
    ax_a.set_yticks(np.linspace(0, 1, 6))
    ax_a.set_xticks(dists)
    ax_a.legend(loc="upper center", ncol=2, fontsize=9.5, framealpha=0.9)
    ax_a.set_title("Accuracy against distance: one run per point")

    def draw(distance: int, model: str) -> None:
        k = index_of[int(distance)]
        shown = tests[n_filler[k]]
        p = probs[model][k]
        answer = tasks.VOCAB.words([shown.answer[0]])[0]
        for tick, word in zip(ax_p.get_xticklabels(), labels, strict=True):
            tick.set_fontweight("bold" if word == answer else "normal")
        for bar, word, value in zip(bars, labels, p, strict=True):
            bar.set_height(value)
            bar.set_color(style.COLORS["green"] if word == answer else style.COLORS["sky"])
            bar.set_edgecolor("black")
        guess = labels[int(np.argmax(p))].replace("\n", " ")
        ax_p.set_xlabel(f"answer: {answer}  ·  the model's top word: {guess}")
        ax_p.set_title(f"{model}: p(answer) for the story above")
        for label, line in lines.items():
            line.set_linewidth(3.2 if label == model else 1.3)
            line.set_alpha(1.0 if label == model else 0.45)
        marker.set_data([distance], [acc[model][k]])
        words = tasks.VOCAB.words(shown.tokens[: shown.answer_pos[0], 0])
        wrapped = textwrap.wrap(" ".join(words) + " __", 125)
        wrapped += [""] * (2 - len(wrapped))
        fig.suptitle(
            f"distance {distance} tokens: " + "\n".join(wrapped), fontsize=11, x=0.01, ha="left"
        )

    controls = {
        "distance": widgets.SelectionSlider(
            options=sorted(index_of), value=int(dists[0]), description="distance"
        ),
        "model": widgets.Dropdown(
            options=list(models), value=next(iter(models)), description="model"
        ),
    }
    return Explorer("distance and model: who can still answer?", fig, controls, draw)


EXPLORERS = {"distance_model": distance_model}
