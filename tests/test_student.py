"""Student versions: solutions are stubbed exactly between nbgrader's markers, and every
student notebook still runs to the end, each checker saying "not implemented yet"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT
from tests.tool_venvs import tool_venv

sys.path.insert(0, str(ROOT / "tools"))
import student

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_strip_solutions_keeps_indentation_and_the_rest():
    source = (
        "def f(x):\n"
        '    """Doc."""\n'
        "    ### BEGIN SOLUTION\n"
        "    return 2 * x\n"
        "    ### END SOLUTION\n"
        "\n"
        "print(exercises.check(f))"
    )
    assert student.strip_solutions(source) == (
        'def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'
        "\nprint(exercises.check(f))"
    )


@pytest.mark.parametrize(
    "bad",
    ["### END SOLUTION", "### BEGIN SOLUTION\nx", "### BEGIN SOLUTION\n### BEGIN SOLUTION"],
)
def test_unbalanced_markers_are_errors(bad):
    with pytest.raises(ValueError, match="SOLUTION"):
        student.strip_solutions(bad)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_runs_to_the_end(path, tmp_path):
    nb = student.student_notebook(path)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "### BEGIN SOLUTION" not in text
    n_stubs = text.count("raise NotImplementedError()")
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    outputs = "".join(
        "".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert outputs.count("not implemented yet") + outputs.count("no answer yet") >= n_stubs
    nbformat.validate(nb)


def test_make_student_writes_every_notebook(tmp_path):
    out = tmp_path / "student"
    assert student.main([str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        written = nbformat.read(out / path.name, as_version=4)
        nbformat.validate(written)
        assert written == student.student_notebook(path)


# --- nbgrader takes the instructor notebooks as they are ---------------------------------

NBGRADER = "nbgrader==0.9.6"


def test_nbgrader_release_is_exactly_make_student(tmp_path):
    """``nbgrader generate_assignment`` accepts every notebook (solution cells carry its
    metadata) and releases, cell for cell, what ``make student`` writes."""
    nbgrader = tool_venv("nbgrader", NBGRADER) / "nbgrader"
    source = tmp_path / "source" / "unrolled"
    source.mkdir(parents=True)
    for path in NOTEBOOKS:
        shutil.copy(path, source / path.name)
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{nbgrader.parent}:{os.environ['PATH']}"}
    env.pop("JUPYTER_CONFIG_DIR", None)
    done = subprocess.run(
        [str(nbgrader), "generate_assignment", "unrolled", f"--CourseDirectory.root={tmp_path}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    for path in NOTEBOOKS:
        released = nbformat.read(tmp_path / "release" / "unrolled" / path.name, as_version=4)
        ours = student.student_notebook(path)
        assert [c.source for c in released.cells] == [c.source for c in ours.cells], path.stem
        solution_cells = [c for c in ours.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert len(solution_cells) == sum(
            "raise NotImplementedError()" in c.source for c in ours.cells
        ), f"{path.stem}: a stubbed cell without nbgrader's solution metadata, or the reverse"
