"""Build the course notebooks from their sources and execute them from a fresh kernel.

Sources are ``notebooks/src/NN_name.py`` in the "percent" format (as jupytext reads it):
``# %%`` starts a code cell, ``# %% [markdown]`` a Markdown cell whose lines start with
``# ``. Each source becomes ``notebooks/NN_name.ipynb``: executed top to bottom by nbclient
in ``notebooks/``, with widget state stripped (``metadata.widgets``), deterministic cell ids
and normalised metadata, so that a rebuild with unchanged sources gives an identical file
except for outputs that really changed. After the first cell (the title), every notebook
gets the setup cell of ``tools/launch.py`` (id ``setup``): it installs ``helpers`` on Colab.
A build also rewrites README.md's Binder and Colab links (``tools/launch.py``). The kernel
runs with ``UNROLLED_CHECK_FIGURES=1``: every figure shown is checked for lines told apart by
colour alone (``helpers.style.colour_only``); a build that shows one exits 1.

Usage: ``python tools/nbbuild.py [NAME_PREFIX ...]`` (all notebooks when none given).
Also ``python tools/nbbuild.py --check`` exits 1 when a notebook's cells differ from its source.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import launch
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
CELL_MARK = re.compile(r"^# %%(?P<rest>.*)$")
SOLUTION_MARK = "### BEGIN SOLUTION"
TIMEOUT_S = 300


def parse_source(text: str) -> list[tuple[str, str]]:
    """``[(cell_type, source), ...]`` from a percent-format script."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        mark = CELL_MARK.match(line)
        if mark:
            kind = "markdown" if "[markdown]" in mark.group("rest") else "code"
            cells.append((kind, []))
        elif cells:
            cells[-1][1].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"code before the first '# %%' marker: {line!r}")
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [re.sub(r"^# ?", "", ln) if ln.startswith("#") else ln for ln in lines]
        body = "\n".join(lines).strip("\n")
        if body:
            out.append((kind, body))
    return out


def notebook_cells(source: Path) -> list[tuple[str, str, str]]:
    """``[(cell_type, source, cell_id), ...]`` of the notebook built from ``source``: its
    cells, with the setup cell of ``tools/launch.py`` after the first (the title)."""
    cells = [
        (kind, body, f"c{i:03d}")
        for i, (kind, body) in enumerate(parse_source(source.read_text(encoding="utf-8")))
    ]
    cells.insert(1, ("code", launch.setup_cell(launch.settings()), "setup"))
    return cells


def nbgrader_solution(grade_id: str) -> dict[str, object]:
    """nbgrader's cell metadata (schema 3) for a cell holding a ``### BEGIN SOLUTION`` block:
    without it ``nbgrader generate_assignment`` refuses the markers (``enforce_metadata``)."""
    return {
        "grade": False,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }


def build(source: Path) -> nbformat.NotebookNode:
    """A new, unexecuted notebook from one source file."""
    nb = nbformat.v4.new_notebook()
    for kind, body, cell_id in notebook_cells(source):
        cell = (
            nbformat.v4.new_markdown_cell(body)
            if kind == "markdown"
            else nbformat.v4.new_code_cell(body)
        )
        cell["id"] = cell_id
        if kind == "code" and SOLUTION_MARK in body:
            cell.metadata["nbgrader"] = nbgrader_solution(f"{source.stem[:2]}-{cell_id}")
        nb.cells.append(cell)
    nb.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    return nb


def normalise(nb: nbformat.NotebookNode) -> None:
    """Drop widget state and run-specific metadata; keep outputs and execution counts."""
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("widgets", None)
        for out in cell.get("outputs", []):
            out.get("metadata", {}).pop("application/vnd.jupyter.widget-view+json", None)


def execute(nb: nbformat.NotebookNode) -> None:
    os.environ["UNROLLED_CHECK_FIGURES"] = "1"  # helpers.style.CHECK_ENV, for the kernel
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()


def colour_warnings(nb: nbformat.NotebookNode) -> list[str]:
    """The ``ColourOnlyWarning`` messages in the notebook's outputs."""
    return [
        line.strip()
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("name") == "stderr"
        for line in "".join(out.get("text", "")).splitlines()
        if "ColourOnlyWarning" in line
    ]


def differs(source: Path, notebook: Path) -> bool:
    """True when the notebook's cells (type, source, id, nbgrader metadata) are not those
    built from its source file."""
    if not notebook.exists():
        return True
    have = nbformat.read(notebook, as_version=4)

    def cells(nb: nbformat.NotebookNode) -> list[tuple[object, ...]]:
        return [(c.cell_type, c.source, c.get("id"), c.metadata.get("nbgrader")) for c in nb.cells]

    return cells(have) != cells(build(source))


def main(argv: list[str]) -> int:
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if argv and argv[0] == "--check":
        stale = [s.stem for s in sources if differs(s, NOTEBOOKS / f"{s.stem}.ipynb")]
        for s in stale:
            print(f"{s}: notebook differs from notebooks/src/{s}.py — run `make notebooks`")
        return 1 if stale else 0
    if argv:
        sources = [s for s in sources if any(s.stem.startswith(a) for a in argv)]
        if not sources:
            print(f"no source in notebooks/src matches {argv}")
            return 2
    if launch.write_readme():
        print("README.md: Binder and Colab links rewritten")
    total, failed = 0.0, 0
    for src in sources:
        start = time.perf_counter()
        nb = build(src)
        execute(nb)
        normalise(nb)
        nbformat.validate(nb)
        nbformat.write(nb, NOTEBOOKS / f"{src.stem}.ipynb")
        took = time.perf_counter() - start
        total += took
        print(f"{src.stem}: executed in {took:.1f} s")
        for warning in colour_warnings(nb):
            print(f"  {warning}")
            failed += 1
    print(f"total: {total:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
