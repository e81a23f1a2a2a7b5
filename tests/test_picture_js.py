"""The page side of the explorers' picture (``helpers/explorers/picture.py``), run in Node.

``tests/js/picture_test.mjs`` loads the module's ``_ESM`` against fakes of the models, the
DOM and Blob URLs, and checks the rules the page keeps: a move to a picture drawn ahead is
answered at once; a picture not held waits for the kernel's, marked busy; a late picture
never replaces an up-to-date one, nor moves a picture behind the handle back against it;
new bytes for the same values replace the held ones; numbers compare within 1e-9 and
selections by index; the page's memory is capped (the least recently shown dropped first,
pictures the kernel touches made the most recent; a move the page answers reorders
nothing, so the kernel's account stays exact) and freed with the widget. For drags: a
move not held shows the nearest held picture along one slider, captioned; a picture is only
replaced by a nearer one (equal distances to 1e-9: the newer), including one drawn ahead
that arrives while the handle is away; a kernel picture shown behind the handle is
captioned too, in every view. The kernel is told once when a view is first on screen.

Node comes with npm, which ``make test`` needs anyway (axe-core, MathJax); without it the
test is skipped, except in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.explorers.picture import _ESM

HERE = Path(__file__).parent / "js"


def test_page_side_rules(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing (install npm: apt-get install npm)")
        pytest.skip("node is not installed")
    (tmp_path / "esm.mjs").write_text(_ESM)
    shutil.copy(HERE / "picture_test.mjs", tmp_path / "picture_test.mjs")
    run = subprocess.run(
        [node, str(tmp_path / "picture_test.mjs")], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("ok ") == 21, run.stdout
