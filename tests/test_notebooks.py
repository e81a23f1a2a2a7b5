"""Notebook hygiene: every notebook of the syllabus exists, was built from its source by one
clean top-to-bottom run, has no error or warning outputs, stores no widget state, shows
every explorer as a PNG where no kernel runs, and has the sections every notebook needs."""

from __future__ import annotations

import json
import re
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import nbbuild

SYLLABUS = [
    "00_start_here",
    "01_unrolling_and_bptt",
    "02_vanishing_and_exploding_toys",
    "03_jacobians_and_eigenvalues",
    "04_gradient_clipping",
    "05_lstm_and_gru",
    "06_optimizers_and_initialisation",
    "07_teacher_forcing_and_scheduled_sampling",
    "08_capstone_jane_said_hi",
    "09_char_model",
]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_syllabus_is_complete():
    have = {p.stem for p in NOTEBOOKS}
    missing = [name for name in SYLLABUS if name not in have]
    assert not missing, f"notebooks missing from the syllabus: {missing}"
    sources = {p.stem for p in (ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py")}
    assert sources == have, "every notebook needs its source in notebooks/src and vice versa"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_built_from_source(path):
    assert not nbbuild.differs(ROOT / "notebooks" / "src" / f"{path.stem}.py", path), (
        f"{path.name} differs from notebooks/src/{path.stem}.py: "
        f"run `make notebooks NB={path.stem[:2]}`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_clean_run_without_errors_or_widget_state(path):
    nb = _load(path)
    assert "widgets" not in nb["metadata"], (
        "metadata.widgets is stored: rebuild with make notebooks"
    )
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "not one clean top-to-bottom run"
    for i, cell in enumerate(code, 1):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"cell [{i}] has an error output"
            if out.get("name") == "stderr":
                text = "".join(out["text"])
                assert "Warning" not in text and "Traceback" not in text, (
                    f"cell [{i}] stderr: {text[:200]}"
                )
            data = out.get("data", {})
            if WIDGET in data:
                assert "image/png" in data, f"cell [{i}]: a widget output without its PNG fallback"
                assert "".join(data["text/plain"]).startswith("Explorer:"), (
                    f"cell [{i}]: bare widget output"
                )
            for text in data.get("text/plain", []):
                assert not re.search(r"at 0x[0-9a-f]{6,}", text), (
                    f"cell [{i}] prints a memory address"
                )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_has_the_sections_of_a_course_notebook(path):
    text = "\n".join(
        "".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "markdown"
    )
    assert text.lstrip().startswith("# "), "the first cell must be the title"
    for needed in ("You will learn", "## Summary", "## References"):
        assert needed in text, f"missing section {needed!r}"
    if "ALL[" in "".join("".join(c["source"]) for c in _load(path)["cells"]):
        assert "Predict, then slide" in text, "an explorer without a 'Predict, then slide' prompt"


def test_every_registered_explorer_is_used_in_a_notebook():
    from helpers.explorers import ALL

    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "notebooks" / "src").glob("*.py")
    )
    unused = [name for name in ALL if f'"{name}"' not in sources and f"'{name}'" not in sources]
    assert not unused, f"explorers registered but shown in no notebook: {unused}"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem[:2] != "00"], ids=lambda p: p.stem)
def test_exercises_have_solutions_that_pass_their_checkers(path):
    nb = _load(path)
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    headings = re.findall(r"^### Exercise (\d+): \S", markdown, flags=re.M)
    assert len(headings) >= 2, "at least two exercises, under '### Exercise N: …' headings"
    assert headings == [str(i) for i in range(1, len(headings) + 1)], "exercises numbered 1, 2, …"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    solutions = sum("### BEGIN SOLUTION" in "".join(c["source"]) for c in code)
    assert solutions >= 2, "solutions between ### BEGIN SOLUTION / ### END SOLUTION"
    verdicts = [
        line
        for c in code
        for o in c["outputs"]
        for line in "".join(o.get("text", "")).splitlines()
        if line.startswith(("✔", "✘", "…"))
    ]
    assert len([v for v in verdicts if v.startswith("✔")]) >= 2, (
        "the checkers' verdicts are missing"
    )
    failing = [v for v in verdicts if not v.startswith("✔")]
    assert not failing, f"a solution does not pass its checker: {failing}"
