"""Student versions: solutions are stubbed exactly between nbgrader's markers, and every
student notebook still runs to the end, each checker saying "not implemented yet"."""

from __future__ import annotations

import sys

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

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
