"""Each session fits its 50-minute slot: the core (before ``## Going further``) stays within
about 2,000 words and 200 lines of code, holds real exercises, and folds the answers to its
predictions in a ``<details>`` block (measured by tools/session_length.py)."""

from __future__ import annotations

import re
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import nbbuild
import session_length

SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
PREDICT = re.compile(r"\*\*Predict", re.I)
ANSWER = re.compile(r"Check your prediction", re.I)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_core_fits_the_session(source):
    core = session_length.measure(source)
    assert core.words <= session_length.WORD_BUDGET, (
        f"{source.stem}: the core holds {core.words} words of prose, over the "
        f"{session_length.WORD_BUDGET}-word budget: move depth under '## Going further'"
    )
    assert core.code_lines <= session_length.CODE_LINE_BUDGET, (
        f"{source.stem}: the core holds {core.code_lines} lines of code, over the "
        f"{session_length.CODE_LINE_BUDGET}-line budget"
    )


@pytest.mark.parametrize(
    "source", [s for s in SOURCES if not s.stem.startswith("00")], ids=lambda p: p.stem
)
def test_every_session_has_exercises_in_its_core(source):
    core = session_length.measure(source)
    assert core.exercises >= 2, f"{source.stem}: {core.exercises} exercise(s) in the core"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_answers_to_predictions_are_folded(source):
    cells = nbbuild.parse_source(source.read_text(encoding="utf-8"))
    markdown = [body for kind, body in cells if kind == "markdown"]
    for body in markdown:
        if ANSWER.search(body):
            assert body.lstrip().startswith("<details>") and "<summary>" in body, (
                f"{source.stem}: an answer to a prediction is not folded in <details>: "
                f"{body[:80]!r}"
            )
    prompts = [i for i, body in enumerate(markdown) if PREDICT.search(body)]
    for i in prompts:
        later = markdown[i + 1 :]
        assert any(b.lstrip().startswith("<details>") for b in later), (
            f"{source.stem}: the prediction prompt {markdown[i][:60]!r} has no folded answer"
        )


def test_the_measure_counts_what_a_student_reads(tmp_path):
    source = tmp_path / "99_x.py"
    source.write_text(
        "# %% [markdown]\n# # 99 · Title\n# one two three\n\n"
        "# %%\nx = 1\n# a comment\n\ny = 2\n"
        "# %%\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
        "# %% [markdown]\n# ### Exercise 1: f\n"
        "# %% [markdown]\n# ## Going further\n# many more words here\n"
        "# %%\nz = 3\n",
        encoding="utf-8",
    )
    core = session_length.measure(source)
    assert (core.words, core.code_lines, core.exercises) == (11, 3, 1)
    assert core.has_going_further
