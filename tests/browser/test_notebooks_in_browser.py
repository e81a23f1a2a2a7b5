"""Every notebook opened, run and played with in JupyterLab (and Notebook 7) in Chromium.

Widgets fail in ways no kernel-side test sees: "Error displaying widget: model not found",
empty outputs, sliders that move but redraw nothing. So each notebook is met as a student
meets it, on a private copy:

1. **opened fresh** (untrusted, as after ``git clone``), before running anything: every
   explorer output shows its still figure (the ``text/html`` ``<img alt>`` or ``image/png``
   fallback, a loaded ``<img>``), no widget output was saved without one, and no "Error
   displaying widget" anywhere;
2. **Run All** from the menu: every code cell finishes (``[n]`` prompt), no error or stderr
   output, every explorer is now a live widget with a loaded image;
3. **every control of every explorer is used**: each slider moved with the keyboard
   (``ArrowRight``, then ``ArrowLeft``; the other way round at the maximum), each dropdown
   set to its other options, toggle buttons, radio buttons and check boxes clicked; after
   each action the figure's ``src`` must change, and the new picture must differ in content
   from the one before (a slider that moves but redraws nothing fails).

JupyterLab: every notebook, with the accessibility checks of ``lab_a11y`` after stages 1 and
2 (text alternatives, axe-core, live regions, a keyboard-only walk). Notebook 7 (``/tree``,
``/notebooks/…``): the file list, and the first notebook with explorers, its sliders moved
with the mouse — the arrow keys do not reach a slider there (a known Notebook 7 problem,
kept as a strict xfail that will report when it is fixed).

Screenshots of each stage go to ``artifacts/browser/``; a failing stage leaves a
``FAILED-…`` screenshot there too. Notebooks are found at collection time (see conftest).
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jupyter_harness as harness
import lab_a11y
import pytest

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: An explorer's still picture before a kernel runs: the ``text/html`` ``<img alt>`` that
#: JupyterLab prefers (``image/png`` where there is none).
STILL = ":is([data-mime-type='text/html'], [data-mime-type='image/png']) img"
LIVE_IMAGE = "img.widget-image, .widget-image img"
CHANGE_TIMEOUT_MS = 20_000
#: Presses in one direction allowed before a slider must have changed the picture's
#: content (a tiny step can leave every pixel as it was).
MAX_PRESSES = 5
#: Other options tried per dropdown (all of them when there are few).
MAX_OPTIONS = 6


@dataclass(frozen=True)
class NotebookInfo:
    """What the saved file says: the number of code cells and where the explorers are."""

    path: Path
    n_code: int
    #: index of the code cell → number of explorer outputs in it
    explorers: dict[int, int]
    #: code cells with a widget output that carries no ``image/png`` still image
    bare_widgets: tuple[int, ...] = ()

    @property
    def n_explorers(self) -> int:
        return sum(self.explorers.values())


def read_info(path: Path) -> NotebookInfo:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    explorers, bare = {}, []
    for i, cell in enumerate(code):
        widget_outputs = [
            o.get("data", {}) for o in cell.get("outputs", []) if WIDGET_MIME in o.get("data", {})
        ]
        k = sum(1 for data in widget_outputs if "image/png" in data)
        if k:
            explorers[i] = k
        if k < len(widget_outputs):
            bare.append(i)
    return NotebookInfo(path, len(code), explorers, tuple(bare))


NOTEBOOKS = harness.notebooks_under_test()
INFOS = [read_info(p) for p in NOTEBOOKS]


# -- in-page helpers -------------------------------------------------------------------------
FINGERPRINT_JS = harness.FINGERPRINT_JS
IMG_LOADED_JS = "img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0"
#: Scroll an element to the middle of the notebook and wait until it is laid out and painted
#: there (cells off screen are skipped by ``content-visibility``, and their estimated
#: heights move things once rendered, so one scroll is not always enough).
SETTLE_JS = """async el => {
    const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let i = 0; i < 10; i++) {
        el.scrollIntoView({block: 'center'});
        await frames();
        const r = el.getBoundingClientRect();
        if (r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight + 1) break;
        if (r.height > window.innerHeight && r.top >= 0 && r.top < window.innerHeight / 2) break;
    }
    await frames();
}"""


def settle(locator: Any) -> None:
    """Bring ``locator``'s element into view, painted, before a screenshot."""
    locator.evaluate(SETTLE_JS)


class Shots:
    """Numbered screenshots for one notebook and one front end, in ``artifacts/browser``."""

    def __init__(self, page: Any, folder: Path, prefix: str) -> None:
        self.page, self.folder, self.prefix, self.n = page, folder, prefix, 0

    def take(self, stage: str, element: Any = None) -> Path:
        self.n += 1
        path = self.folder / f"{self.prefix}-{self.n:02d}-{stage}.png"
        (element or self.page).screenshot(path=str(path))
        return path

    @contextmanager
    def on_failure(self, stage: str):
        """Save a ``FAILED-…`` screenshot of the page if the block raises, then re-raise."""
        try:
            yield
        except BaseException:
            try:
                self.page.screenshot(path=str(self.folder / f"FAILED-{self.prefix}-{stage}.png"))
            except Exception:  # the original error matters more than a missing screenshot
                pass
            raise


def code_cell(page: Any, i: int) -> Any:
    return page.locator(".jp-NotebookPanel .jp-CodeCell").nth(i)


def wait_count(page: Any, cell: int, selector: str, k: int, timeout_ms: float = 20_000) -> int:
    """Wait until code cell ``cell`` holds at least ``k`` elements matching ``selector``;
    return how many it holds (fewer than ``k`` after the timeout)."""
    js = """([i, sel, k]) => {
        const cell = document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')[i];
        return cell && cell.querySelectorAll(sel).length >= k;
    }"""
    try:
        page.wait_for_function(js, arg=[cell, selector, k], timeout=timeout_ms)
    except Exception:  # reported by the caller with what it expected
        pass
    return code_cell(page, cell).locator(selector).count()


def explorer_roots(page: Any, info: NotebookInfo) -> list[tuple[str, Any]]:
    """``(label, locator)`` of each live explorer's output area, in notebook order."""
    roots = []
    for i, k in sorted(info.explorers.items()):
        outs = code_cell(page, i).locator(harness.OUTPUT).filter(has=page.locator(LIVE_IMAGE))
        for j in range(k):
            roots.append((f"cell{i}-explorer{j}", outs.nth(j)))
    return roots


def assert_no_errors(page: Any, when: str) -> None:
    errors = harness.error_outputs(page)
    assert not errors, f"{when}: error/stderr output in the notebook:\n" + "\n---\n".join(errors)
    broken = harness.widget_errors(page)
    assert not broken, f"{when}: a widget failed to display:\n" + "\n".join(broken)


# -- the three stages ------------------------------------------------------------------------
def check_fresh_open(page: Any, info: NotebookInfo, shots: Shots) -> None:
    """Untrusted, before running: each explorer shows its PNG, no widget errors."""
    harness.wait_notebook_rendered(page, info.n_code)
    assert not info.bare_widgets, (
        f"code cell(s) {list(info.bare_widgets)}: a widget output saved without an image/png "
        "still image; before Run All (and on GitHub, in nbconvert HTML) it shows only as text. "
        "Display explorers (helpers.explorers), whose bundle carries the PNG."
    )
    for i, k in sorted(info.explorers.items()):
        still = f"{harness.OUTPUT}{STILL}"
        found = wait_count(page, i, still, k)
        assert found >= k, (
            f"code cell {i}: expected {k} explorer figure(s) shown as PNG before running "
            f"(untrusted notebook), found {found} — is the image/png fallback missing?"
        )
        imgs = code_cell(page, i).locator(still)
        for j in range(k):
            img = imgs.nth(j)
            img.scroll_into_view_if_needed()
            page.wait_for_function(IMG_LOADED_JS, arg=img.element_handle(), timeout=10_000)
    assert_no_errors(page, "opened fresh")
    if info.explorers:
        first = min(info.explorers)
        settle(code_cell(page, first).locator(f"{harness.OUTPUT}{STILL}").first)
    shots.take("opened-untrusted")


def check_run_all(page: Any, info: NotebookInfo, shots: Shots) -> None:
    """Run All: all cells finish, no errors, every explorer live with a loaded image."""
    harness.wait_kernel_idle(page)
    harness.run_all(page, info.n_code)
    harness.wait_kernel_idle(page)
    assert_no_errors(page, "after Run All")
    prompts = harness.prompts(page)
    unfinished = [p for p in prompts if not re.match(r"^\[\d+\]", p)]
    assert not unfinished and len(prompts) == info.n_code, f"prompts after Run All: {prompts}"
    for i, k in sorted(info.explorers.items()):
        found = wait_count(page, i, f"{harness.OUTPUT} :is({LIVE_IMAGE})", k)
        assert found >= k, (
            f"code cell {i}: expected {k} live explorer(s) after Run All, found {found} "
            "(a widget that did not render: see the screenshot for its message)"
        )
    for label, root in explorer_roots(page, info):
        root.scroll_into_view_if_needed()
        img = root.locator(LIVE_IMAGE).first
        try:
            page.wait_for_function(
                IMG_LOADED_JS, arg=img.element_handle(timeout=10_000), timeout=10_000
            )
        except Exception as exc:
            raise AssertionError(
                f"{label}: the live explorer shows no loaded image after "
                f"Run All ({exc.__class__.__name__})"
            ) from None
    roots = explorer_roots(page, info)
    if roots:
        settle(roots[0][1])
    shots.take("after-run-all")


def _wait_new_picture(page: Any, img: Any, old_src: str, what: str) -> str:
    try:
        page.wait_for_function(
            "([el, old]) => !!el.src && el.src !== old",
            arg=[img, old_src],
            timeout=CHANGE_TIMEOUT_MS,
        )
        page.wait_for_function(IMG_LOADED_JS, arg=img, timeout=CHANGE_TIMEOUT_MS)
    except Exception:
        raise AssertionError(
            f"{what}: the explorer's image did not change within {CHANGE_TIMEOUT_MS / 1000:.0f} s "
            "(the control moved but nothing was redrawn: did its update raise in the kernel?)"
        ) from None
    return img.get_attribute("src")


def _act(page: Any, img: Any, action: Any, what: str) -> tuple[str, str]:
    """Do one action, wait for the new picture; return (src, fingerprint)."""
    old = img.get_attribute("src")
    action()
    src = _wait_new_picture(page, img, old, what)
    return src, page.evaluate(FINGERPRINT_JS, img)


def _handle_fraction(handle: Any) -> float:
    """Where the slider's handle sits along its track, 0 (minimum) to 1 (maximum).

    Read from the layout, not from ``aria-valuenow``, which noUiSlider leaves stale after
    keyboard moves."""
    return handle.evaluate(
        """h => {
            const track = h.closest('.noUi-base').getBoundingClientRect();
            const me = h.getBoundingClientRect();
            return (me.left + me.width / 2 - track.left) / track.width;
        }"""
    )


def exercise_sliders(page: Any, root: Any, img: Any, label: str, *, how: str = "keyboard") -> int:
    """Move every slider of one explorer and check the picture follows.

    ``how="keyboard"``: focus the handle, ``ArrowRight`` (repeated up to ``MAX_PRESSES``
    times until the picture's content differs), then ``ArrowLeft`` (mirrored at the
    maximum). ``how="mouse"``: click the track near the far end, then near the other end.
    """
    sliders = root.locator(".widget-slider")
    for s in range(sliders.count()):
        slider = sliders.nth(s)
        handle = slider.locator(".noUi-handle").first
        name = slider.locator(".widget-label").first.text_content() or f"slider {s}"
        slider.scroll_into_view_if_needed()
        at_right = _handle_fraction(handle) > 0.99
        before = page.evaluate(FINGERPRINT_JS, img)
        if how == "keyboard":
            first, back = ("ArrowLeft", "ArrowRight") if at_right else ("ArrowRight", "ArrowLeft")
            changed, presses = False, 0
            while not changed and presses < MAX_PRESSES:
                presses += 1
                _, after = _act(
                    page,
                    img,
                    lambda h=handle, k=first: h.press(k),
                    f"{label}: slider {name!r}, {first} (press {presses})",
                )
                changed = after != before
            assert changed, (
                f"{label}: slider {name!r}: {presses} × {first} redrew the image but the "
                "picture stayed the same"
            )
            _act(
                page, img, lambda h=handle, k=back: h.press(k), f"{label}: slider {name!r}, {back}"
            )
        elif how == "mouse":
            ends = (0.1, 0.9) if _handle_fraction(handle) > 0.5 else (0.9, 0.1)
            for frac in ends:
                # noUiSlider ignores a tap while the previous one still animates
                handle.evaluate(
                    """h => new Promise(done => {
                        const target = h.closest('.noUi-target');
                        const poll = () => target.classList.contains('noUi-state-tap')
                            ? requestAnimationFrame(poll) : done();
                        poll();
                    })"""
                )
                # measured before each click: a click activates the cell, which may scroll
                slider.scroll_into_view_if_needed()
                box = slider.locator(".noUi-base").first.bounding_box()
                x, y = box["x"] + frac * box["width"], box["y"] + box["height"] / 2
                _, after = _act(
                    page,
                    img,
                    lambda x=x, y=y: page.mouse.click(x, y),
                    f"{label}: slider {name!r}, click at {frac:.0%} of the track",
                )
                assert after != before, (
                    f"{label}: slider {name!r}: a click at {frac:.0%} of the track redrew the "
                    "image but the picture stayed the same"
                )
                before = after
        else:
            raise ValueError(f"how must be 'keyboard' or 'mouse', got {how!r}")
    return sliders.count()


def exercise_dropdowns(page: Any, root: Any, img: Any, label: str) -> int:
    selects = root.locator(".widget-dropdown select")
    for s in range(selects.count()):
        select = selects.nth(s)
        select.scroll_into_view_if_needed()
        values = select.evaluate("el => [...el.options].map(o => o.value)")
        start = select.input_value()
        others = [v for v in values if v != start][:MAX_OPTIONS]
        assert others, f"{label}: dropdown {s} has a single option"
        before = page.evaluate(FINGERPRINT_JS, img)
        for value in others:
            _, after = _act(
                page,
                img,
                lambda v=value, el=select: el.select_option(value=v),
                f"{label}: dropdown {s} → option {value!r}",
            )
            assert after != before, f"{label}: dropdown {s} → {value!r} left the picture unchanged"
            before = after
        _act(
            page,
            img,
            lambda el=select, v=start: el.select_option(value=v),
            f"{label}: dropdown {s} back to its first value",
        )
    return selects.count()


def exercise_buttons(page: Any, root: Any, img: Any, label: str) -> int:
    """Toggle buttons, radio buttons and check boxes: click one that is not selected."""
    groups = [
        (".widget-toggle-buttons", "button:not(.mod-active)"),
        (".widget-radio-box", "input:not(:checked)"),
        (".widget-checkbox", "input"),
    ]
    n = 0
    for group_sel, choice_sel in groups:
        groups_found = root.locator(group_sel)
        for g in range(groups_found.count()):
            choice = groups_found.nth(g).locator(choice_sel).first
            choice.scroll_into_view_if_needed()
            before = page.evaluate(FINGERPRINT_JS, img)
            _, after = _act(page, img, choice.click, f"{label}: {group_sel} {g}")
            assert after != before, f"{label}: {group_sel} {g}: the picture stayed the same"
            n += 1
    return n


def check_controls(page: Any, info: NotebookInfo, shots: Shots, *, how: str = "keyboard") -> None:
    """Every control of every explorer changes the figure (sliders moved ``how``)."""
    roots = explorer_roots(page, info)
    assert len(roots) == info.n_explorers
    for label, root in roots:
        img = root.locator(LIVE_IMAGE).first.element_handle()
        used = (
            exercise_sliders(page, root, img, label, how=how)
            + exercise_dropdowns(page, root, img, label)
            + exercise_buttons(page, root, img, label)
        )
        assert used, f"{label}: found no control to move in this explorer"
        settle(root)
        shots.take(f"{label}-played", element=root)
    assert_no_errors(page, "after moving every control")


def play_notebook(
    page: Any, info: NotebookInfo, shots: Shots, *, how: str = "keyboard", a11y: bool = False
) -> None:
    """The three stages; ``a11y``: with the accessibility checks of ``lab_a11y`` (JupyterLab)."""
    with shots.on_failure("opened"):
        check_fresh_open(page, info, shots)
        if a11y:
            lab_a11y.check_untrusted(page, info.path)
    with shots.on_failure("run-all"):
        check_run_all(page, info, shots)
    if a11y:
        with shots.on_failure("accessibility"):
            roots = explorer_roots(page, info)
            cells = {label: int(label[4:].split("-")[0]) for label, _ in roots}
            lab_a11y.check_after_run_all(page, info.path.name, roots, cells, shots.folder)
    with shots.on_failure("controls"):
        check_controls(page, info, shots, how=how)


# -- the tests -------------------------------------------------------------------------------
WITH_EXPLORERS = [i for i in INFOS if i.explorers]


NO_EXPLORER = "no notebook with an explorer output found"
NB7_ARROW_KEYS = (
    "Notebook 7.6: a focused slider handle does not get ArrowRight; the notebook's command-mode "
    "shortcut notebook:move-cursor-heading-below-or-expand (selector "
    "'.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus') takes it and moves the "
    "active cell instead. JupyterLab 4.6 is not affected. Strict: passes loudly once fixed."
)


def _open_nb7(page: Any, server: harness.JupyterServer, info: NotebookInfo) -> None:
    page.goto(server.url(f"notebooks/nb7/{info.path.name}"))  # info.path is the nb7 copy


@pytest.mark.skipif(not WITH_EXPLORERS, reason=NO_EXPLORER)
def test_notebook7_interface(page, served, artifacts) -> None:
    """Notebook 7 (``/tree``, ``/notebooks/…``): the file list shows every notebook; the
    first notebook with explorers opens untrusted, runs, and answers every control (sliders
    by mouse: see ``test_notebook7_slider_keyboard`` for the arrow keys).

    Runs before the JupyterLab tests (file order), while the trust database is empty."""
    server, root = served
    info = read_info(root / "nb7" / WITH_EXPLORERS[0].path.name)
    shots = Shots(page, artifacts, f"nb7-{info.path.stem}")
    with shots.on_failure("tree"):
        page.goto(server.url("tree/nb7"))
        for nb in NOTEBOOKS:
            page.locator(".jp-DirListing-item", has_text=nb.name).first.wait_for()
        shots.take("tree")
    _open_nb7(page, server, info)
    with shots.on_failure("trust"):
        page.get_by_text("Not Trusted", exact=True).wait_for()
    play_notebook(page, info, shots, how="mouse")


@pytest.mark.skipif(not WITH_EXPLORERS, reason=NO_EXPLORER)
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=NB7_ARROW_KEYS)
def test_notebook7_slider_keyboard(page, served, artifacts) -> None:
    """Notebook 7: the arrow keys on a focused slider handle move the slider (known to fail)."""
    server, root = served
    info = read_info(root / "nb7" / WITH_EXPLORERS[0].path.name)
    _open_nb7(page, server, info)
    harness.wait_notebook_rendered(page, info.n_code)
    harness.wait_kernel_idle(page)
    harness.run_all(page, info.n_code)
    harness.wait_kernel_idle(page)
    label, root = explorer_roots(page, info)[0]
    img = root.locator(LIVE_IMAGE).first.element_handle()
    page.wait_for_function(IMG_LOADED_JS, arg=img)
    exercise_sliders(page, root, img, label, how="keyboard")


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS], ids=[p.stem for p in NOTEBOOKS])
def test_jupyterlab(name: str, page, served, artifacts) -> None:
    """JupyterLab: open fresh (untrusted), Run All, move every control of every explorer;
    accessibility checked along the way (``lab_a11y``: text alternatives, axe-core, live
    regions, a keyboard-only walk)."""
    server, root = served
    info = read_info(root / "lab" / name)  # the copy: the source may be rebuilt meanwhile
    page.goto(server.url(f"lab/tree/lab/{info.path.name}", reset=""))
    play_notebook(page, info, Shots(page, artifacts, f"lab-{info.path.stem}"), a11y=True)


def test_some_notebook_found() -> None:
    """Guard: an empty parametrisation would silently test nothing."""
    assert NOTEBOOKS, "no notebooks/*.ipynb found to test in the browser"
