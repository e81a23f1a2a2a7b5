"""How long each session's core is: words of prose, lines of code, exercises, reading time.

A session notebook's *core* is everything before its ``## Going further`` heading (the whole
notebook when it has none). The budget of one 50-minute session (issue "A session that fits
the slot"; the README's lesson plan): about 2,000 words of prose and about 200 lines of code,
exercises included.

What is counted, from the notebook's source in ``notebooks/src``:
- **words**: whitespace-separated tokens of the core's Markdown cells (LaTeX included, as a
  reader has to read it);
- **code lines**: non-blank lines of the core's code cells that are not comments, *as a
  student sees them*: the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are
  the student's to write and are not counted (``make student`` replaces them);
- **exercises**: ``### Exercise`` headings in the core;
- **reading minutes**: a model, not a stopwatch — prose at 150 words a minute (technical
  text with mathematics) plus code at 20 lines a minute.

Run ``python tools/session_length.py`` for the table the README's lesson plan quotes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbbuild  # noqa: E402

WORD_BUDGET = 2000
CODE_LINE_BUDGET = 200
WORDS_PER_MINUTE = 150
CODE_LINES_PER_MINUTE = 20
GOING_FURTHER = re.compile(r"^## Going further", re.M)
EXERCISE = re.compile(r"^### Exercise", re.M)


@dataclass(frozen=True)
class Core:
    """The measured core of one session notebook."""

    name: str
    words: int
    code_lines: int
    exercises: int
    has_going_further: bool

    @property
    def reading_minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE + self.code_lines / CODE_LINES_PER_MINUTE


def _student_code_lines(code: str) -> int:
    count, in_solution = 0, False
    for line in code.splitlines():
        stripped = line.strip()
        if stripped.startswith("### BEGIN SOLUTION"):
            in_solution = True
            continue
        if stripped.startswith("### END SOLUTION"):
            in_solution = False
            continue
        if in_solution or not stripped or stripped.startswith("#"):
            continue
        count += 1
    return count


def measure(source: Path) -> Core:
    """Measure the core of the notebook written in ``source`` (a percent-format script)."""
    cells = nbbuild.parse_source(source.read_text(encoding="utf-8"))
    words = code_lines = exercises = 0
    going_further = False
    for kind, body in cells:
        if kind == "markdown" and GOING_FURTHER.search(body):
            going_further = True
            break
        if kind == "markdown":
            words += len(body.split())
            exercises += len(EXERCISE.findall(body))
        else:
            code_lines += _student_code_lines(body)
    return Core(source.stem, words, code_lines, exercises, going_further)


def sessions() -> list[Core]:
    """Every session notebook of the course, in order."""
    return [measure(p) for p in sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))]


def main() -> int:
    print("| session | words | code lines | exercises | reading (min) |")
    print("|---|---:|---:|---:|---:|")
    for core in sessions():
        print(
            f"| {core.name} | {core.words} | {core.code_lines} | {core.exercises} "
            f"| {core.reading_minutes:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
