"""Accessibility checks of a notebook as a student meets it in JupyterLab (WCAG 2.1 A/AA).

Called by ``test_notebooks_in_browser.test_jupyterlab`` at its stages (one Run All serves
both; a second one per notebook would double the browser tests' time):

1. ``check_untrusted`` — opened fresh (untrusted, as after ``git clone``): every figure
   image in the outputs has a text alternative. JupyterLab 4 ignores output metadata, so the
   course adds a ``text/html`` ``<img alt>`` beside every ``image/png``
   (``helpers.describe.img_html``), which JupyterLab shows, sanitised, when untrusted.
2. ``check_after_run_all`` — after Run All:
   - **axe-core** (npm, pinned in the Makefile) on what the course controls: the rendered
     markdown cells and the code cells' outputs (figures, printed text, explorer widgets).
     Not checked, being JupyterLab's own: menus, side bars, tool bars, the status bar, cell
     prompts and the code editors (whose colours are JupyterLab's theme). No violation of
     impact "serious" or "critical" is allowed; every violation of any impact is written to
     ``artifacts/browser/lab_axe_violations.tsv``;
   - every live explorer image has a non-empty ``alt``, and each explorer has one polite
     live region (``role="status"``, ``aria-live="polite"``) holding the same text;
   - **keyboard only**, on the notebook's first explorer with a slider: from the explorer's
     cell in command mode (Esc, arrow keys), ``Tab`` reaches the slider's handle, which
     shows a visible focus indicator (an outline or a box shadow); ``ArrowRight`` (or
     ``ArrowLeft`` at the maximum) changes the picture, its ``alt`` and the live region's
     text — the region staying the same element (one made anew is not announced) — with
     the focus left on the handle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jupyter_harness as harness
import pytest

AXE = harness.ROOT / ".local" / "axe-npm" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: What the course controls in a notebook view: rendered markdown and code cells' outputs.
COURSE_PARTS = [
    ".jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown",
    ".jp-NotebookPanel .jp-Cell-outputArea",
]
#: JupyterLab's own, not checked (listed in README.md's accessibility statement too).
EXCLUDED = (
    "menu bar, side bars, tool bars, status bar, cell prompts, cell tool bars and the code "
    "editors (JupyterLab's theme)"
)
AXE_RUN_JS = """async ([tags, parts]) => {
  const result = await axe.run({include: parts.map(p => [p])},
    {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, target: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""
LIVE_IMAGE = "img.widget-image, .widget-image img"
LIVE_REGION = "[role='status'][aria-live='polite']"
#: Figure images in the outputs without a text alternative (explorer images included).
NAMELESS_IMAGES_JS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel .jp-OutputArea-output img')]
    .filter(i => !i.hidden && !(i.getAttribute('alt') || i.getAttribute('aria-label')
                                || i.getAttribute('title') || '').trim())
    .map(i => i.closest('.jp-OutputArea-output').dataset.mimeType || 'widget')"""
#: Paint every cell (``content-visibility`` skips off-screen ones, whose contrast axe-core
#: then cannot check).
PAINT_ALL_JS = """() => { for (const c of document.querySelectorAll('.jp-NotebookPanel .jp-Cell'))
    c.style.contentVisibility = 'visible'; }"""
TSV = "lab_axe_violations.tsv"


def _missing(reason: str) -> None:
    from conftest import _missing as missing

    missing(reason)


def figures_saved(path: Path) -> int:
    """How many outputs of the saved notebook show a picture (``image/png``)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        "image/png" in o.get("data", {})
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
    )


def check_untrusted(page: Any, path: Path) -> None:
    """Opened fresh: every figure shown has a text alternative."""
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output img').length >= n",
        arg=figures_saved(path),
    )
    nameless = page.evaluate(NAMELESS_IMAGES_JS)
    assert not nameless, (
        f"opened fresh (untrusted): {len(nameless)} figure(s) without a text alternative, shown "
        f"as {sorted(set(nameless))} (a figure needs its text/html <img alt>: helpers.describe)"
    )


def axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations in the course's parts of the page."""
    if not AXE.exists():
        _missing(f"axe-core is not installed: run `make browser` (expected {AXE}).")
    page.evaluate(PAINT_ALL_JS)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN_JS, [WCAG_TAGS, COURSE_PARTS])


def check_after_run_all(
    page: Any, name: str, roots: list[tuple[str, Any]], cells: dict[str, int], artifacts: Path
) -> None:
    """After Run All: alt on every live image, a live region per explorer, axe-core clean,
    then the keyboard walk. ``roots``: (label, output locator) of each explorer; ``cells``:
    label → index of its code cell."""
    problems = []
    for label, root in roots:
        img = root.locator(LIVE_IMAGE).first.element_handle()
        try:
            page.wait_for_function("i => !!i.alt", arg=img, timeout=15_000)
        except Exception:
            problems.append(f"{label}: the live explorer image has no alt")
            continue
        region = root.locator(LIVE_REGION)
        if region.count() != 1 or region.text_content() != img.get_attribute("alt"):
            problems.append(f"{label}: no polite live region holding the image's text")
    violations = axe(page)
    with (artifacts / TSV).open("a") as f:
        for v in violations:
            f.write(f"{name}\t{v['impact']}\t{v['id']}\t{v['nodes']}\t{v['target']}\n")
    grave = [v for v in violations if v["impact"] in ("serious", "critical")]
    if grave:
        problems.append(f"axe-core: {json.dumps(grave, indent=1, ensure_ascii=False)}")
    nameless = page.evaluate(NAMELESS_IMAGES_JS)
    if nameless:
        problems.append(f"images without a text alternative, shown as {nameless}")
    assert not problems, f"{name} after Run All:\n" + "\n".join(problems)
    with_slider = [(lbl, r) for lbl, r in roots if r.locator(".widget-slider").count()]
    if with_slider:
        label, root = with_slider[0]
        keyboard_walk(page, cells[label], label, root)


def _focus_indicator(page: Any) -> list[str]:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"""
    )


def keyboard_walk(page: Any, cell: int, label: str, root: Any) -> None:
    """Keyboard only: Esc and arrow keys to the explorer's cell, Tab to its first slider,
    a visible focus indicator, an arrow key moves it: new picture, alt and announcement."""
    page.keyboard.press("Escape")  # command mode
    cells = "[...document.querySelectorAll('.jp-NotebookPanel .jp-Cell')]"
    active = page.evaluate(f"() => {cells}.findIndex(c => c.classList.contains('jp-mod-active'))")
    target = page.evaluate(
        f"i => {cells}.indexOf(document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')[i])",
        cell,
    )
    for _ in range(abs(target - active)):
        page.keyboard.press("ArrowDown" if target > active else "ArrowUp")
    handle = root.locator(".widget-slider .noUi-handle").first
    for _ in range(60):
        page.keyboard.press("Tab")
        if handle.evaluate("h => document.activeElement === h"):
            break
    else:
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 300)")
        pytest.fail(f"{label}: 60 Tab presses from its cell never reached the slider: {focused}")
    outline = _focus_indicator(page)
    assert (outline[0] != "none" and outline[1] != "0px") or outline[2] != "none", (
        f"{label}: no visible focus indicator on the focused slider handle ({outline})"
    )
    img = root.locator(LIVE_IMAGE).first
    root.locator(LIVE_REGION).first.evaluate("s => { window.__unrolledRegion = s; }")
    src, alt = img.get_attribute("src"), img.get_attribute("alt")
    at_right = handle.evaluate(
        """h => { const t = h.closest('.noUi-base').getBoundingClientRect(),
                        m = h.getBoundingClientRect();
                  return (m.left + m.width / 2 - t.left) / t.width > 0.99; }"""
    )
    page.keyboard.press("ArrowLeft" if at_right else "ArrowRight")
    try:
        page.wait_for_function(
            "([img, src]) => img.src !== src && img.complete", arg=[img.element_handle(), src]
        )
        page.wait_for_function(
            """([img, alt]) => img.alt !== alt && window.__unrolledRegion.isConnected
                   && window.__unrolledRegion.textContent === img.alt""",
            arg=[img.element_handle(), alt],
        )
    except Exception:
        raise AssertionError(
            f"{label}: after an arrow key, the picture, its alt or the live region (the same "
            f"element as before) did not follow (alt now {img.get_attribute('alt')!r})"
        ) from None
    assert handle.evaluate("h => document.activeElement === h"), f"{label}: focus left the slider"
