"""Write student versions of the notebooks to dist/student/.

Every code block between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's markers,
so nbgrader users can take the notebooks as they are) is replaced, at the same indentation,
by ``# YOUR CODE HERE`` and ``raise NotImplementedError()``; every output and execution
count is cleared. Solutions are always written inside functions, and each checker answers
"not implemented yet" and hands later cells the reference implementation, so a student
notebook still runs to the end.

Usage: ``python tools/student.py [OUT_DIR]`` (``make student``).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")


def strip_solutions(source: str) -> str:
    """Replace each marked solution block by a NotImplementedError stub."""
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), 1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise ValueError(f"line {number}: BEGIN SOLUTION inside a solution block")
            inside = True
            indent = begin.group("indent")
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
        elif END.match(line):
            if not inside:
                raise ValueError(f"line {number}: END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("a BEGIN SOLUTION block is never closed")
    return "\n".join(out)


def student_notebook(path: Path) -> nbformat.NotebookNode:
    """The student version of one notebook: solutions stubbed, outputs cleared."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = strip_solutions(cell.source)
        cell.outputs = []
        cell.execution_count = None
    return nb


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else ROOT / "dist" / "student"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        nbformat.write(student_notebook(path), out_dir / path.name)
    print(f"wrote {len(paths)} student notebooks to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
