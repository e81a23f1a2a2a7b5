"""Presses, held keys and drags in JupyterLab: every picture the page shows is the right one,
and it catches up with its slider.

JupyterLab 4.4+ sends widget messages to a kernel *subshell* by default, so a slider's
change arrives in another thread than the one the cells run in. Two pictures drawn at once
in two threads break matplotlib (FreeType errors, a dead kernel) and left pictures that never
caught up with their slider; ``helpers/explorers/base.py`` now makes every picture on the
loop of the thread that made the explorer.

The page also answers moves by itself: the kernel sends it the pictures it draws ahead
(``helpers/explorers/picture.py``), and a move whose picture the page holds is shown at once.
Once the kernel has drawn a slider whole (a slider of up to ``FILL_FRAMES`` values, after a
move, or the first slider once the explorer is on screen), a drag along it is answered by
the page with each value's own picture (``test_a_first_drag_along_a_slider_drawn_whole``).

One generated notebook shows every explorer in ``helpers.explorers.ALL``. For each, after a
pause (the kernel draws ahead), ``SINGLE`` single arrow presses are made on its first slider,
a pause after each; then an arrow key is held (``PRESSES`` presses at ``HZ``, not waiting for
pictures), and the page waits until the picture stops changing; then the handle is dragged
with the mouse over a third of its track. The page records every
picture it shows: the values it is for (``data-key``), who answered ("page" or "kernel") and
a fingerprint of its bytes. A last cell then checks, in the kernel:

- every picture shown is the kernel's picture for its values (same bytes as the kernel's
  frame cache holds, or as a fresh explorer draws), and pixel-equal to a fresh full draw;
- the single presses after the first were answered by the page itself, from pictures drawn
  ahead (the first may not: eleven explorers in one kernel draw ahead at the start, the
  last one shown first);
- every picture fits the output area's width (shrunk, never cropped);
- a drag past the pictures drawn ahead on a long slider shows the nearest pictures the page
  holds, each captioned with its values and the handle's; when the handle stops, the
  handle's own picture, with no caption; the caption's strip lies below the picture, never
  over it (ipywidgets resets the widget element's own padding: it failed when the strip was
  the element's padding);
- the last picture is the one for the values the controls hold (pixel-equal to a fresh full
  draw), nothing is left pending, and the slider's readout in the page is the kernel's value.
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
#: The drag: this many pointer moves at 60 Hz over a third of the track, towards its
#: farther end.
DRAG_MOVES = 12
#: Explorers whose first slider is long enough (111 to 211 values) that such a drag
#: passes what was drawn ahead around the handle: it must show nearest pictures.
LONG_FIRST_SLIDER = (
    "nb00.repeated_multiplication",
    "nb01.horizon_truncation",
    "nb02.alpha_horizon",
    "nb02.power_toy",
)
QUIET_S = 2.0
SINGLE = 2
#: Pause before and after each single press, s: time for the kernel to draw ahead.
PAUSE_S = 2.0

#: Records every picture an explorer's page shows: [values, who answered, fingerprint, the
#: caption shown with it ("" when none)].
RECORD_JS = (
    "img => { const fp = "
    + harness.FINGERPRINT_JS
    + """;
    window.__shown = window.__shown || [];
    const log = [];
    window.__shown.push(log);
    const caption = img.parentNode.querySelector('.unrolled-near');
    new MutationObserver(() => {
        const entry = [img.dataset.key, img.dataset.source, null,
                       caption && !caption.hidden ? caption.textContent : ''];
        log.push(entry);
        fp(img).then(f => { entry[2] = f; });
    }).observe(img, {attributes: true, attributeFilter: ['src']});
    return window.__shown.length - 1; }"""
)

#: Drawing ahead for the notebook of ``test_held_keys_catch_up``: the neighbours and the
#: overview only (``UNROLLED_DRAW_AHEAD``), so that its drag passes what was drawn ahead
#: whatever the time the kernel had; the rest of a slider drawn ahead is checked by
#: ``test_a_first_drag_along_a_slider_drawn_whole``.
DRAW_AHEAD = 40

SETUP = """\
import json, os, sys
os.environ["UNROLLED_DRAW_AHEAD"] = {draw_ahead!r}
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

from helpers.explorers.picture import page_field

def _values(ex, key):
    # The controls' values for a picture's page key (a selection's index -> its value).
    out = {}
    for (name, c), k in zip(ex.controls.items(), key):
        if page_field(c) == "index":
            labels = [o[1] if isinstance(o, tuple) else o for o in c.options]
            out[name] = labels[k]
        elif isinstance(c.value, int) and not isinstance(c.value, bool):
            out[name] = int(round(k))
        else:
            out[name] = k
    return out

SHOWN = json.loads({shown!r})
report = {}
for name, ex in EX.items():
    fresh = ALL[name]()
    fresh.blit = False
    fresh.cache_frames = 0
    wrong = []
    for key_json, source, fingerprint, _caption in SHOWN[name]["pictures"]:
        values = _values(ex, json.loads(key_json))
        fresh.update(**values)
        kept = ex._cache.get(ex._key(values))
        made = kept if kept is not None else fresh.image.value
        if fingerprint != _fnv(made) or not np.array_equal(
            _pixels(made), _pixels(fresh.image.value)
        ):
            wrong.append([values, source])
    fresh.update(**ex.values)
    same = np.array_equal(_pixels(ex.image.value), _pixels(fresh.image.value))
    report[name] = dict(
        pixels_equal=bool(same),
        page_shows_kernel_picture=SHOWN[name]["fingerprint"] == _fnv(ex.image.value),
        pending=ex._pending is not None,
        value=str(next(c.value for c in ex.controls.values() if hasattr(c, "readout"))),
        stats=dict(ex.cache_stats),
        wrong_pictures=wrong,
        kernel_key=ex.image.key,
        frames=dict(ex.frames),
        pictures=len(SHOWN[name]["pictures"]),
    )
    fresh.close()
print("REPORT" + json.dumps(report))
"""


def _notebook(names: list[str], draw_ahead: int | None = DRAW_AHEAD) -> nbformat.NotebookNode:
    """A notebook showing the explorers ``names``; ``draw_ahead``: ``UNROLLED_DRAW_AHEAD``
    (None: the default)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    setup = SETUP.format(root=str(harness.ROOT), draw_ahead=str(draw_ahead))
    if draw_ahead is None:
        setup = "\n".join(line for line in setup.splitlines() if "DRAW_AHEAD" not in line)
    nb.cells.append(nbformat.v4.new_code_cell(setup))
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


def _drag(page: Any, handle: Any) -> None:
    """Drag ``handle`` over a third of its track, towards the farther end, at 60 Hz."""
    left, width, at = handle.evaluate(
        """h => { const t = h.closest('.noUi-base').getBoundingClientRect();
                  const m = h.getBoundingClientRect();
                  return [t.left, t.width, m.left + m.width / 2]; }"""
    )
    box = handle.bounding_box()
    y = box["y"] + box["height"] / 2
    step = (1 if at - left < width / 2 else -1) * width / 3 / DRAG_MOVES
    page.mouse.move(at, y)
    page.mouse.down()
    start = time.monotonic()
    for i in range(DRAG_MOVES):
        page.mouse.move(at + step * (i + 1), y)
        time.sleep(max(0.0, start + (i + 1) / 60 - time.monotonic()))
    page.mouse.up()


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
        frame = cell.locator("img.unrolled-frame").first
        log = page.evaluate(RECORD_JS, frame.element_handle())
        # the picture shrinks to the notebook's width, as an ipywidgets Image does: never cropped
        fits = frame.evaluate(
            "i => i.getBoundingClientRect().right"
            " <= i.closest('.jp-OutputArea-output').getBoundingClientRect().right + 1"
        )
        handle.focus()
        answered = []
        for _ in range(SINGLE):
            time.sleep(PAUSE_S)
            before = frame.get_attribute("src")
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "([img, src]) => img.src !== src", arg=[frame.element_handle(), before]
            )
            answered.append(frame.get_attribute("data-source"))
        start = time.monotonic()
        for k in range(PRESSES):
            page.keyboard.press("ArrowRight")
            time.sleep(max(0.0, start + (k + 1) / HZ - time.monotonic()))
        _quiet(img)
        _drag(page, handle)
        _quiet(img)
        page.wait_for_function(f"() => window.__shown[{log}].every(e => e[2] !== null)")
        shown[name] = {
            "fingerprint": page.evaluate(harness.FINGERPRINT_JS, img.element_handle()),
            "readout": (cell.locator(".widget-readout").first.text_content() or "").strip(),
            "pictures": page.evaluate(f"() => window.__shown[{log}]"),
            "answered": answered,
            "fits": fits,
            "page_key": frame.get_attribute("data-key"),
            "gap": frame.get_attribute("data-gap"),
            # the caption's strip lies below the picture, never over it
            "strip": frame.evaluate(
                "i => { const c = i.parentNode.querySelector('.unrolled-near');"
                " const was = [c.hidden, c.textContent]; c.hidden = false; c.textContent = 'x';"
                " const a = c.getBoundingClientRect(), b = i.getBoundingClientRect();"
                " [c.hidden, c.textContent] = was;"
                " return [a.top - b.bottom, c.style.cssText]; }"
            ),
            "caption_left": frame.evaluate(
                "i => { const c = i.parentNode.querySelector('.unrolled-near');"
                " return c && !c.hidden ? c.textContent : ''; }"
            ),
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
            problems.append(f"{name}: page shows {shown[name]['page_key']}: {r}")
        if not shown[name]["fits"]:
            problems.append(f"{name}: the picture is wider than the output area (cropped)")
        if r["wrong_pictures"] or not r["pictures"]:
            problems.append(f"{name}: pictures not the kernel's for their values: {r}")
        if shown[name]["answered"][1:] != ["page"] * (SINGLE - 1):
            problems.append(
                f"{name}: single presses after a pause answered by {shown[name]['answered']}"
                " (after the first, the page should hold the pictures drawn ahead)"
            )
        if shown[name]["strip"][0] < -0.5:
            problems.append(f"{name}: the caption overlaps the picture: {shown[name]['strip']}")
        pictures = shown[name]["pictures"]
        near = [p for p in pictures if p[1] == "near"]
        if name in LONG_FIRST_SLIDER and not near:
            problems.append(f"{name}: a drag past the pictures drawn ahead showed no nearest one")
        for key_json, _source, _fp, caption in near:
            if not caption.startswith("Nearest picture drawn:") or "(handle: " not in caption:
                problems.append(f"{name}: nearest picture {key_json} without its caption")
        if shown[name]["gap"] != "0" or shown[name]["caption_left"]:
            problems.append(
                f"{name}: after the drag, the picture is {shown[name]['gap']} of the slider"
                f" from the handle, captioned {shown[name]['caption_left']!r}"
            )
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


#: The explorer of ``test_a_first_drag_along_a_slider_drawn_whole``: its first slider has 151
#: values, fewer than ``FILL_FRAMES``, all drawn ahead once it is on screen.
WHOLE = "nb00.repeated_multiplication"


def test_a_first_drag_along_a_slider_drawn_whole(
    page: Any, served: tuple[harness.JupyterServer, Path], artifacts
):
    """Once the explorer is on screen, before any move, the kernel draws its first slider
    whole and the page holds every value of it: a first drag anywhere along it (and a second
    from where it stopped) shows each value's own picture, from the page, uncaptioned."""
    from helpers.explorers import ALL
    from helpers.explorers.base import FILL_FRAMES

    server, root = served
    nb = _notebook([WHOLE], draw_ahead=None)
    nbformat.write(nb, root / "lab" / "drawn_whole.ipynb")
    page.goto(server.url("lab/tree/lab/drawn_whole.ipynb", reset=""))  # this notebook alone
    harness.wait_notebook_rendered(page, len(nb.cells))
    harness.wait_kernel_idle(page)
    harness.run_all(page, len(nb.cells))
    assert not harness.error_outputs(page), harness.error_outputs(page)
    cell = page.locator(harness.CODE_CELL).nth(1)
    frame = cell.locator("img.unrolled-frame").first
    frame.wait_for()
    handle = cell.locator(".noUi-handle").first
    c = ALL[WHOLE]().controls
    (slider,) = c.values()
    values = round((slider.max - slider.min) / slider.step) + 1
    assert values <= FILL_FRAMES
    frame.scroll_into_view_if_needed()  # on screen: the page tells the kernel ("seen")
    page.wait_for_function(
        f"img => Number(img.dataset.held || 0) >= {values}",
        arg=frame.element_handle(),
        timeout=120_000,
    )
    log = page.evaluate(RECORD_JS, frame.element_handle())
    _drag(page, handle)
    _drag(page, handle)  # and again, from where it stopped
    _quiet(cell.locator("img.widget-image, .widget-image img").first)
    page.wait_for_function(f"() => window.__shown[{log}].every(e => e[2] !== null)")
    pictures = page.evaluate(f"() => window.__shown[{log}]")
    page.screenshot(path=str(artifacts / "drawn-whole.png"))
    assert len(pictures) >= DRAG_MOVES, f"the drags hardly changed the picture: {pictures}"
    assert all(p[1] == "page" and not p[3] for p in pictures), (
        "a picture of the drag not the handle's own from the page: "
        f"{[p for p in pictures if p[1] != 'page' or p[3]]}"
    )
    assert frame.get_attribute("data-gap") == "0"
