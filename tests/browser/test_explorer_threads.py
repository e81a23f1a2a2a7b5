"""Held keys in JupyterLab: every explorer's picture catches up with its slider.

JupyterLab 4.4+ sends widget messages to a kernel *subshell* by default, so a slider's
change arrives in another thread than the one the cells run in. Two pictures drawn at once
in two threads break matplotlib (FreeType errors, a dead kernel) and left pictures that never
caught up with their slider; ``helpers/explorers/base.py`` now makes every picture on the
loop of the thread that made the explorer.

One generated notebook shows every explorer in ``helpers.explorers.ALL``. For each, an
arrow key is held on its first slider (``PRESSES`` presses at ``HZ``, not waiting for
pictures), then the page waits until the picture stops changing. A last cell then compares,
in the kernel, the bytes the page shows (sent back as a fingerprint) with a fresh explorer's
full draw for the values the controls hold: the pixels must be equal, nothing may be left
pending, and the slider's readout in the page must be the kernel's value.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jupyter_harness as harness
import nbformat

PRESSES = 20
HZ = 40
QUIET_S = 2.0

SETUP = """\
import json, sys
sys.path.insert(0, {root!r})
import numpy as np
from PIL import Image
import io
from helpers import style
from helpers.explorers import ALL
style.use()
EX = {{}}
"""
CHECK = """\
def _fnv(b):
    h = 0x811C9DC5
    for x in b:
        h = ((h ^ x) * 0x01000193) & 0xFFFFFFFF
    return f"{len(b)}:{h:x}"

def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

SHOWN = json.loads({shown!r})
report = {}
for name, ex in EX.items():
    fresh = ALL[name]()
    fresh.blit = False
    fresh.cache_frames = 0
    fresh.update(**ex.values)
    same = np.array_equal(_pixels(ex.image.value), _pixels(fresh.image.value))
    report[name] = dict(
        pixels_equal=bool(same),
        page_shows_kernel_picture=SHOWN[name]["fingerprint"] == _fnv(ex.image.value),
        pending=ex._pending is not None,
        value=str(next(c.value for c in ex.controls.values() if hasattr(c, "readout"))),
        stats=dict(ex.cache_stats),
    )
    fresh.close()
print("REPORT" + json.dumps(report))
"""


def _notebook(names: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells.append(nbformat.v4.new_code_cell(SETUP.format(root=str(harness.ROOT))))
    for name in names:
        nb.cells.append(nbformat.v4.new_code_cell(f"EX[{name!r}] = ALL[{name!r}]()\nEX[{name!r}]"))
    return nb


def _quiet(img: Any) -> None:
    """Wait until the picture has not changed for ``QUIET_S``."""
    last, since = img.get_attribute("src"), time.monotonic()
    deadline = since + 60
    while time.monotonic() - since < QUIET_S and time.monotonic() < deadline:
        time.sleep(0.1)
        src = img.get_attribute("src")
        if src != last:
            last, since = src, time.monotonic()


def test_held_keys_catch_up(page: Any, served: tuple[harness.JupyterServer, Path], artifacts):
    from helpers.explorers import ALL

    server, root = served
    names = sorted(ALL)
    nb = _notebook(names)
    path = root / "lab" / "held_keys.ipynb"
    nbformat.write(nb, path)
    page.goto(server.url("lab/tree/lab/held_keys.ipynb"))
    harness.wait_notebook_rendered(page, len(nb.cells))
    harness.wait_kernel_idle(page)
    harness.run_all(page, len(nb.cells))
    cells = page.locator(harness.CODE_CELL)
    shown: dict[str, dict[str, str]] = {}
    for i, name in enumerate(names):
        cell = cells.nth(i + 1)
        cell.scroll_into_view_if_needed()
        img = cell.locator("img.widget-image, .widget-image img").first
        img.wait_for()
        handle = cell.locator(".noUi-handle").first
        handle.focus()
        start = time.monotonic()
        for k in range(PRESSES):
            page.keyboard.press("ArrowRight")
            time.sleep(max(0.0, start + (k + 1) / HZ - time.monotonic()))
        _quiet(img)
        shown[name] = {
            "fingerprint": page.evaluate(harness.FINGERPRINT_JS, img.element_handle()),
            "readout": (cell.locator(".widget-readout").first.text_content() or "").strip(),
        }
    page.screenshot(path=str(artifacts / "held-keys.png"))
    # The check runs in a new cell at the end, as a student would type it.
    cells.nth(len(names)).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    editor = cells.nth(len(names) + 1).locator(".jp-InputArea-editor")
    editor.click()
    page.keyboard.insert_text(CHECK.replace("{shown!r}", repr(json.dumps(shown))))
    page.keyboard.press("Shift+Enter")
    out = page.locator(".jp-OutputArea-output", has_text="REPORT").last
    out.wait_for(timeout=120_000)
    report = json.loads((out.text_content() or "").split("REPORT", 1)[1])
    problems = []
    for name, r in report.items():
        if not (r["pixels_equal"] and r["page_shows_kernel_picture"]) or r["pending"]:
            problems.append(f"{name}: {r}")
        readout = shown[name]["readout"]
        try:
            same_value = abs(float(readout) - float(r["value"])) <= 1e-9 + 1e-3 * abs(
                float(r["value"])
            )
        except ValueError:
            same_value = readout == r["value"]
        if not same_value:
            problems.append(f"{name}: the page's slider reads {readout}, the kernel {r['value']}")
    assert not problems, "\n".join(problems)
