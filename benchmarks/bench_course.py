"""Course run time: each notebook executed top to bottom in a fresh kernel (nbclient).

For each ``notebooks/NN_*.ipynb`` (outputs cleared first, working directory
``notebooks/``, as ``make notebooks`` runs it): the wall time of the whole execution
(kernel start included), the kernel start alone, and the time of every cell from the
kernel's own timestamps, so the slowest cells can be named. Then the course as CI runs
it: ``pytest --nbval`` over every notebook, two at a time (``make nbval``: pytest-xdist,
``-n 2 --dist loadfile``), timed whole. Goals: each notebook ≤ 20 s; the course under nbval
on 2 cores ≤ 60 s. The serial sum (one notebook after another, what a reader running them
all in a row waits) is reported beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import ROOT, machine

NOTEBOOKS = ROOT / "notebooks"
GOAL_NOTEBOOK_S = 20.0
GOAL_COURSE_S = 60.0


def _cell_seconds(cell: nbformat.NotebookNode) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def time_notebook(path: Path) -> dict[str, Any]:
    """Execute one notebook in a fresh kernel; wall time, kernel start and the slowest cells."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    start = time.perf_counter()
    # The kernel's own stderr (ipykernel 7 warns about unencrypted TCP on every start) is
    # dropped to keep the report readable; cell errors still arrive as outputs.
    with client.setup_kernel(stderr=subprocess.DEVNULL):
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    wall = time.perf_counter() - start
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            seconds = _cell_seconds(cell)
            if seconds is not None:
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                cells.append({"cell": index, "seconds": seconds, "first_line": first[:80]})
    cells.sort(key=lambda c: -c["seconds"])
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return {
        "wall_s": wall,
        "kernel_start_s": started - start,
        "cells_s": sum(c["seconds"] for c in cells),
        "slowest_cells": cells[:5],
        "errors": len(errors),
        "meets_goal": wall <= GOAL_NOTEBOOK_S,
    }


def time_nbval(paths: list[Path], workers: int = 2) -> dict[str, Any]:
    """``pytest --nbval`` over ``paths`` as ``make nbval`` runs it (``workers`` notebooks at
    a time); its wall time and whether every cell passed."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
        "-n",
        str(workers),
        "--dist",
        "loadfile",
        *map(str, paths),
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    tail = done.stdout.strip().splitlines()[-1:] or [""]
    return {"wall_s": wall, "workers": workers, "passed": done.returncode == 0, "summary": tail[0]}


def run(out_path: Path | None = None, names: list[str] | None = None) -> dict[str, Any]:
    """Time every notebook (or those whose name starts with one of ``names``)."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
    result: dict[str, Any] = {"machine": machine(), "notebooks": {}}
    for path in paths:
        try:
            result["notebooks"][path.stem] = time_notebook(path)
        except Exception as exc:  # report and go on: one broken notebook must not hide the rest
            result["notebooks"][path.stem] = {"failed": f"{type(exc).__name__}: {exc}"[:500]}
    walls = [r["wall_s"] for r in result["notebooks"].values() if "wall_s" in r]
    result["total_s"] = sum(walls)
    if not names:
        result["nbval"] = time_nbval(paths)
    nbval_s = result.get("nbval", {}).get("wall_s", float("inf"))
    result["meets_goal"] = nbval_s <= GOAL_COURSE_S and all(
        r.get("meets_goal", False) for r in result["notebooks"].values()
    )
    if out_path is not None:
        Path(out_path).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return result


def report(result: dict[str, Any]) -> str:
    """One line per notebook, its slowest cell, and the total."""
    lines = []
    for name, r in result["notebooks"].items():
        if "failed" in r:
            lines.append(f"  {name:28s} FAILED: {r['failed']}")
            continue
        slow = r["slowest_cells"][0] if r["slowest_cells"] else None
        where = f"; slowest cell #{slow['cell']} {slow['seconds']:.1f} s" if slow else ""
        lines.append(
            f"  {name:28s} {r['wall_s']:5.1f} s (kernel start {r['kernel_start_s']:.1f} s"
            f"{where}){'' if r['meets_goal'] else '  > 20 s'}"
        )
    lines.append(f"  {'one after another':28s} {result['total_s']:5.1f} s")
    nbval = result.get("nbval")
    if nbval:
        lines.append(
            f"  {'nbval, ' + str(nbval['workers']) + ' at a time':28s} {nbval['wall_s']:5.1f} s "
            f"(goal 60 s; {nbval['summary']})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    res = run(Path(sys.argv[1]) if len(sys.argv) > 1 else None, sys.argv[2:] or None)
    print(report(res))
