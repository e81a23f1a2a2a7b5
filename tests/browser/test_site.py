"""The course website (``make site``) as a reader meets it: Chromium, no kernel, no internet.

Every page is opened twice, from ``python -m http.server`` on 127.0.0.1 and from the folder
itself (``file://``), with every request outside the site refused (Playwright route
interception). On each page: MathJax has typeset every formula (no raw ``$$``, ``$``,
``\\(`` or ``\\[`` left in the text, no TeX error), every explorer's every control, moved
with the keyboard or its menu, shows a different picture that the browser really loaded,
only the first frame of each explorer is loaded before a control moves (frames load
lazily), nothing outside the site is requested and nothing fails or logs an error.
Screenshots of the top of each page and of each explorer go to ``artifacts/browser/site/``.

The site must have been built (``make browser`` and ``make test`` build it when it is
older than its inputs); a missing site is a skip with the command, or a failure with
``CI=true``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import jupyter_harness as harness
from conftest import _missing

SITE = harness.ROOT / "dist" / "site"
#: The first load of a page as the browser measures it (see tools/site.py's budget).
PAGE_BUDGET = 2_000_000
PAGES = ["index.html"] + [
    f"{p.stem}.html" for p in sorted((harness.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
]

#: Text of the page outside code, math and scripts; raw TeX delimiters left in it.
RAW_MATH_JS = r"""() => {
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "MJX-CONTAINER",
                        "MJX-ASSISTIVE-MML"]);
  const found = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const t = child.textContent;
        if (/\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/.test(t)) { found.push(t.trim().slice(0, 120)); }
      } else if (child.nodeType === Node.ELEMENT_NODE && !skip.has(child.tagName)) {
        walk(child);
      }
    }
  };
  walk(document.body);
  return found;
}"""

FRAME_READY_JS = """([img, before]) => img.getAttribute('src') !== before && img.complete
    && img.naturalWidth > 0"""


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").exists():
        _missing(f"The course website is not built: run `make site` (expected {SITE}).")
    return SITE


@pytest.fixture(scope="module")
def http_base(site: Path) -> Iterator[str]:
    """``python -m http.server`` serving the site on 127.0.0.1; yields its base URL."""
    port = harness.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "index.html", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("python -m http.server did not answer")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def site_artifacts(artifacts: Path) -> Path:
    path = artifacts / "site"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _open(browser: Any, base: str) -> tuple[Any, list[str], list[str], list[str], list[int]]:
    """A new tab that refuses every request outside ``base``; returns the tab and the lists
    it fills: refused URLs, every URL requested, errors (console, page, failed requests),
    the body size of every finished response."""
    tab = browser.new_page()
    refused: list[str] = []
    requested: list[str] = []
    errors: list[str] = []
    received: list[int] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            refused.append(url)
            r.abort()

    tab.route("**/*", route)
    tab.on("request", lambda r: requested.append(r.url))
    tab.on("requestfinished", lambda r: received.append(r.sizes()["responseBodySize"]))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on(
        "requestfailed",
        lambda r: errors.append(f"{r.url}: {r.failure}") if r.url.startswith(base) else None,
    )
    return tab, refused, requested, errors, received


def _move(tab: Any, control: Any) -> None:
    """One step of a range input with the keyboard, or another option of a menu."""
    if control.evaluate("c => c.tagName") == "SELECT":
        n = control.evaluate("c => c.options.length")
        current = int(control.input_value())
        control.select_option(str((current + 1) % n))
        return
    control.focus()
    at_max = control.evaluate("c => Number(c.value) >= Number(c.max)")
    tab.keyboard.press("ArrowLeft" if at_max else "ArrowRight")


def _frame_file(site: Path, base: str, img: Any) -> Path:
    return site / img.get_attribute("src").replace(base, "")


@pytest.mark.parametrize("scheme", ["http", "file"])
@pytest.mark.parametrize("name", PAGES)
def test_site_page(
    name: str, scheme: str, browser: Any, site: Path, http_base: str, site_artifacts: Path
) -> None:
    path = site / name
    assert path.exists(), f"{name} is missing from the site: rebuild it with `make site`"
    base = http_base if scheme == "http" else site.as_uri() + "/"
    tab, refused, requested, errors, received = _open(browser, base)
    try:
        tab.goto(base + name)
        tab.wait_for_load_state("load")
        if tab.evaluate("() => !!document.querySelector('script[src*=mathjax]')"):
            tab.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            )
            tab.evaluate("() => MathJax.startup.promise")
        raw = tab.evaluate(RAW_MATH_JS)
        assert not raw, f"{name} ({scheme}): TeX left untypeset: {raw[:5]}"
        assert tab.locator("mjx-merror").count() == 0, f"{name}: a TeX error"
        stem = name.removesuffix(".html")
        tab.screenshot(path=str(site_artifacts / f"{stem}-{scheme}.png"))
        if scheme == "http":  # what a first visit downloads, math typeset, nothing moved
            loaded = sum(received)
            with (site_artifacts / "first_load_bytes.tsv").open("a") as f:
                f.write(f"{name}\t{len(received)}\t{loaded}\n")
            assert loaded <= PAGE_BUDGET, f"{name}: first load {loaded} B > {PAGE_BUDGET} B"

        figures = tab.locator("figure.explorer")
        frames_before_moves = [u for u in requested if "/frames/" in u]
        assert len(frames_before_moves) <= figures.count(), (
            f"{name}: frames loaded before any control moved: {frames_before_moves}"
        )
        for k in range(figures.count()):
            figure = figures.nth(k)
            figure.scroll_into_view_if_needed()
            img = figure.locator("img.frame")
            tab.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
            )
            if scheme == "http":
                figure.screenshot(path=str(site_artifacts / f"{stem}-explorer{k}.png"))
            controls = figure.locator("[data-axis]")
            assert controls.count() > 0
            for j in range(controls.count()):
                control = controls.nth(j)
                label = figure.locator(f"label[for='{control.get_attribute('id')}']").inner_text()
                before = img.get_attribute("src")
                old = _frame_file(site, base, img).read_bytes()
                _move(tab, control)
                tab.wait_for_function(FRAME_READY_JS, arg=[img.element_handle(), before])
                new = _frame_file(site, base, img).read_bytes()
                assert new != old, (
                    f"{name}, explorer {k}, control {label!r}: the picture did not change "
                    f"({before} -> {img.get_attribute('src')})"
                )
                alt = img.get_attribute("alt")
                assert label in alt, f"{name}: alt text {alt!r} names no {label!r}"
        assert not refused, f"{name} ({scheme}) asked for outside resources: {refused}"
        assert not errors, f"{name} ({scheme}): {errors}"
    finally:
        tab.close()


def test_site_links(site: Path) -> None:
    """Every local link and source in every page names a file of the site."""
    import re

    broken = []
    for page in sorted(site.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for url in re.findall(r'(?:src|href)="([^"#?]+)', text):
            if url.startswith(("http:", "https:", "mailto:", "data:")):
                continue
            if not (site / url).exists():
                broken.append(f"{page.name}: {url}")
    assert not broken, broken


# -- accessibility (WCAG 2.1 AA, checked by axe-core) --------------------------------------
AXE = harness.ROOT / ".local" / "axe-npm" / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, target: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def _axe(tab: Any) -> list[dict[str, Any]]:
    if not AXE.exists():
        _missing(f"axe-core is not installed: run `make browser` (expected {AXE}).")
    tab.add_script_tag(path=str(AXE))
    return tab.evaluate(AXE_RUN_JS, WCAG_TAGS)


def _typeset(tab: Any) -> None:
    if tab.evaluate("() => !!document.querySelector('script[src*=mathjax]')"):
        tab.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        tab.evaluate("() => MathJax.startup.promise")


@pytest.mark.parametrize("name", PAGES)
def test_site_page_has_no_serious_accessibility_violation(
    name: str, browser: Any, http_base: str, site_artifacts: Path
) -> None:
    """axe-core on the typeset page: no violation of impact "serious" or "critical" of
    WCAG 2.1 A/AA; every violation (any impact) is written to an artifact for review."""
    tab, _, _, _, _ = _open(browser, http_base)
    try:
        tab.goto(http_base + name)
        tab.wait_for_load_state("load")
        _typeset(tab)
        violations = _axe(tab)
        with (site_artifacts / "axe_violations.tsv").open("a") as f:
            for v in violations:
                f.write(f"{name}\t{v['impact']}\t{v['id']}\t{v['nodes']}\t{v['target']}\n")
        grave = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not grave, f"{name}: {grave}"
    finally:
        tab.close()


EXPLORER_PAGES = [
    p
    for p in PAGES[1:]
    if (SITE / p).exists() and 'class="explorer"' in (SITE / p).read_text(encoding="utf-8")
] or PAGES[1:2]


@pytest.mark.parametrize("name", EXPLORER_PAGES)
def test_keyboard_alone_reaches_and_moves_an_explorer(
    name: str, browser: Any, http_base: str
) -> None:
    """Tab from the top of the page to the first explorer control (never trapped), see a
    visible focus indicator on it, move it with the arrow keys or the menu's keys, and get
    a new picture with a new text alternative, announced by the explorer's status line."""
    tab, _, _, _, _ = _open(browser, http_base)
    try:
        tab.goto(http_base + name)
        tab.wait_for_load_state("load")
        first = tab.locator("figure.explorer [data-axis]").first
        first_id = first.get_attribute("id")
        for _ in range(400):
            tab.keyboard.press("Tab")
            if (
                tab.evaluate("() => document.activeElement && document.activeElement.id")
                == first_id
            ):
                break
        else:
            pytest.fail(f"{name}: 400 Tab presses never reached the first explorer control")
        outline = tab.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                       return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"""
        )
        assert (outline[0] != "none" and outline[1] != "0px") or outline[2] != "none", (
            f"{name}: no visible focus indicator on the control ({outline})"
        )
        figure = tab.locator("figure.explorer").first
        img = figure.locator("img.frame")
        before_src, before_alt = img.get_attribute("src"), img.get_attribute("alt")
        is_select = first.evaluate("c => c.tagName") == "SELECT"
        at_end = first.evaluate(
            "c => c.tagName === 'SELECT' ? c.selectedIndex === c.options.length - 1"
            " : Number(c.value) >= Number(c.max)"
        )
        if is_select:
            tab.keyboard.press("ArrowUp" if at_end else "ArrowDown")
        else:
            tab.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        tab.wait_for_function(FRAME_READY_JS, arg=[img.element_handle(), before_src])
        tab.wait_for_function(
            "fig => fig.querySelector('.ex-status').textContent.length > 0",
            arg=figure.element_handle(),
            timeout=5000,
        )
        status = figure.locator(".ex-status").text_content()
        assert img.get_attribute("alt") != before_alt and status == img.get_attribute("alt")
    finally:
        tab.close()
