"""End-to-end slider latency of the course's explorers, in JupyterLab + Debian's Chromium.

What a student feels: the time from pressing an arrow key on a slider to the moment the
page holds the new figure (the ``src`` of its ``<img>`` changes). Both ends are taken *in
the page* with ``performance.now()``: a capture-phase ``keydown`` listener starts the clock,
a ``MutationObserver`` on the explorer's output stops it, so Playwright's round trips do
not count.

Notebooks are generated on the fly, with, for every explorer in
``helpers.explorers.ALL``:

- **image route** (the course's pattern): the explorer itself, a reused figure whose PNG
  goes into its picture widget (``helpers/explorers/picture.py``), to which the kernel also
  sends the pictures it draws ahead, so that the page can answer a press by itself (each
  press is recorded with who answered it: ``answered_by`` "page" or "kernel");
- **output route** (the reference): a second copy of the same explorer whose controls drive
  ``ipywidgets.interactive_output`` instead, drawing the same data with the same ``draw``
  and showing the figure through the inline backend (``display(fig)``, PNG with
  ``bbox_inches="tight"``, in an ``Output`` widget cleared on each move);

and, for notebook 00's explorer, the classic **``interactive_output`` + ``plt.show()``**
version that builds a new figure on every move (same data, same labels); and the **echo**
route, the floor of any route through a kernel: a slider whose observer puts one of two
ready PNGs of notebook 00's explorer into an ``Image`` (no drawing, no lookup), so a press
costs only the round trip (keydown → comm message → kernel → comm message → new ``<img>``).

Two notebooks, each in its own browser window and with its own kernel: the image route's
explorers in one; the output routes, ``plt.show()`` and echo in the other. Since JupyterLab
4.4 sends widget messages to a kernel subshell, ``interactive_output`` draws in the
subshell's thread; in one kernel with the explorers, which draw (and draw ahead) on the main
thread, the two competed for the GIL, and matplotlib drawing in two threads at once crashed
that kernel once (the course's explorers never draw outside the main thread; see
``helpers/explorers/base.py``). In a kernel of its own, the output route is measured as a
student running it alone would see it, and the echo route is the round trip of an idle
kernel. A press that brings no new picture within ``TIMEOUT_MS`` is counted
(``no_picture``), not measured.

Three ways of moving a slider, each on both routes:

- **press**: one arrow key press, then wait for the picture (the clock above); the presses
  walk one way along the slider (turning at its ends), never back and forth over the same
  two values, so a frame cache cannot answer every press from the pictures of the last two;
- **hold**: a held arrow key — ``HOLD_PRESSES`` presses at ``HOLD_HZ`` (a typical key-repeat
  rate) without waiting for pictures;
- **drag**: the handle dragged with the mouse, ``DRAG_MOVES`` pointer moves at 60 Hz;
- **first drag**: the same drag, once per slider, as its first move (before the presses),
  once the explorer is on screen and the page has stopped receiving pictures for it (the
  kernel draws its first slider whole once it is on screen): the time that took is
  reported, as a student reading the prompt would give it.

For hold and drag the page records the time of every key press / pointer move and of every
new picture; reported: **lag** = from each input to the first new picture after it (what
the eye sees while moving), and **catch-up** = from the last input to the last new picture
(how long the picture trails the handle after it stops).

Presses alternate between the routes, so both see the same machine load. Warm-up presses
are discarded. Results (n, median, p95 in ms) go to ``benchmarks/results/browser_latency.json``.
Measured, never asserted.

Usage: ``python benchmarks/browser_latency.py [--n 30] [--out PATH]``; or from Python,
``run(output_json_path) -> dict`` (what ``benchmarks/run.py`` calls).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import jupyter_harness as harness  # noqa: E402  (shared with the browser tests)

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "browser_latency.json"
N_PRESSES = 30
WARMUP = 3
TIMEOUT_MS = 20_000
HOLD_PRESSES = 15
HOLD_HZ = 30
DRAG_MOVES = 15
#: Hold and drag gestures per explorer and route (alternating direction).
GESTURES = 2
#: Quiet time that ends a gesture's recording (no new picture for this long), s.
QUIET_S = 1.0

SETUP = """\
%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import ipywidgets as widgets
from IPython.display import display
from helpers import style
from helpers.explorers import ALL
from helpers.toys import linear_gain

style.use()


def output_route(name):
    \"\"\"The same explorer driven by interactive_output: its draw, then display(fig).\"\"\"
    ex = ALL[name]()
    for control in ex.controls.values():
        control.unobserve(ex._on_change, names="value")  # no Image redraw behind our back

    def show(**values):
        ex._draw(**values)
        display(ex.figure)

    out = widgets.interactive_output(show, ex.controls)
    # the controls wrap as the explorer's do: in one row, a slider of a five-control
    # explorer (nb03.spectral) had a track 0 px wide, and a drag on it set NaN
    row = widgets.HBox(list(ex.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
    return widgets.VBox([row, out])
"""

ECHO = """\
def echo_route():
    \"\"\"The round trip alone: a slider whose move puts one of two ready PNGs of notebook
    00's explorer (same size as its frames) into an Image; no drawing, no cache lookup.\"\"\"
    ex = ALL["nb00.repeated_multiplication"]()
    frames = []
    for factor in (0.9, 1.1):
        ex.update(factor=factor)
        frames.append(ex.image.value)
    ex.close()
    slider = widgets.IntSlider(value=50, min=0, max=100, description="echo")
    image = widgets.Image(value=frames[0], format="png")
    slider.observe(lambda change: setattr(image, "value", frames[change["new"] % 2]), "value")
    return widgets.VBox([slider, image])
"""

#: Notebook 00's explorer as it would be written without the explorer pattern: a new
#: figure on every move, shown with plt.show() inside interactive_output.
PLT_SHOW_NB00 = """\
STEPS = 60


def plot_factor(factor):
    fig, ax = plt.subplots(figsize=(8.0, 3.6), layout="constrained")
    t = np.arange(STEPS + 1)
    gain = linear_gain(factor, STEPS)
    ax.axhline(1.0, color=style.NEUTRAL, lw=1, ls=":")
    ax.semilogy(t, np.where(gain > 0, gain, np.nan), marker="o", ms=3,
                color=style.EXPLODE if factor > 1 else style.VANISH)
    ax.set_xlim(0, STEPS)
    ax.set_ylim(1e-12, 1e12)
    ax.set_xlabel("number of multiplications t")
    ax.set_ylabel("factor$^t$ (log scale)")
    ax.set_title("Multiply a number by itself again and again")
    ax.text(0.02, 0.93, f"factor = {factor:.2f}:  factor$^{{{STEPS}}}$ = {gain[-1]:.3g}",
            transform=ax.transAxes, va="top", fontsize=12)
    plt.show()


factor = widgets.FloatSlider(value=0.9, min=0.0, max=1.5, step=0.01, description="factor")
widgets.VBox([factor, widgets.interactive_output(plot_factor, {"factor": factor})])
"""

#: The pictures of an output: every ``<img>`` but the hidden one-pixel GIF whose ``onload``
#: runs an explorer's status-line script (it comes and goes with each status update, a
#: round trip after a picture swapped in the page, and is no picture).
PICTURES_JS = "const PICTURES = 'img:not([hidden])';\n"

#: Arms one measurement: the next keydown starts the clock; the first change of the set of
#: <img> sources under ``root`` (the explorer's output) stops it; for an explorer's
#: ``FramePicture``, the first picture for the controls' values (``data-gap`` "0": a nearest
#: picture shown while the handle's is drawn does not count). Resolves to milliseconds.
ARM_JS = (
    PICTURES_JS
    + """([root, timeoutMs]) => {
    const srcs = () => [...root.querySelectorAll(PICTURES)].map(i => i.src).join('|');
    const exact = () => {
        const img = root.querySelector('img.unrolled-frame');
        return !img || img.dataset.gap === undefined || img.dataset.gap === '0';
    };
    const before = srcs();
    let t0 = null;
    window.__unrolledLatency = new Promise((resolve, reject) => {
        document.addEventListener('keydown', () => { t0 = performance.now(); },
                                  {capture: true, once: true});
        const obs = new MutationObserver(() => {
            const now = srcs();
            if (t0 !== null && now && now !== before && exact()) {
                const t1 = performance.now();
                obs.disconnect();
                const img = root.querySelector('img.unrolled-frame');
                resolve([t1 - t0, img ? img.dataset.source || '' : '']);
            }
        });
        obs.observe(root, {subtree: true, childList: true, attributes: true,
                           attributeFilter: ['src', 'data-gap']});
        setTimeout(() => { obs.disconnect(); reject(new Error('no new figure')); }, timeoutMs);
    });
}"""
)


#: Records, for one explorer's output, every input (key press, pointer move with a button
#: down) and every new picture (a change of the set of <img> sources), in page time.
RECORD_JS = (
    PICTURES_JS
    + """([root]) => {
    const srcs = () => [...root.querySelectorAll(PICTURES)].map(i => i.src).join('|');
    const rec = {inputs: [], frames: [], sources: [], states: [], last: srcs(), state: ''};
    // An explorer's FramePicture: every change of the controls' values (data-want) or of
    // how far the picture shown is from them (data-gap), in order.
    const state = () => {
        const img = root.querySelector('img.unrolled-frame');
        if (!img || img.dataset.want === undefined) return;
        const now = img.dataset.want + '|' + img.dataset.gap + '|' + img.src;
        if (now !== rec.state) {
            rec.state = now;
            rec.states.push([performance.now(), img.dataset.want, Number(img.dataset.gap),
                             img.dataset.key]);
        }
    };
    state();
    const onKey = () => rec.inputs.push(performance.now());
    const onMove = (e) => { if (e.buttons) rec.inputs.push(performance.now()); };
    document.addEventListener('keydown', onKey, {capture: true});
    document.addEventListener('pointermove', onMove, {capture: true});
    const obs = new MutationObserver(() => {
        state();
        const now = srcs();
        if (now && now !== rec.last) {
            rec.last = now;
            rec.frames.push(performance.now());
            const img = root.querySelector('img.unrolled-frame');
            if (img) rec.sources.push(img.dataset.source || '');
        }
    });
    obs.observe(root, {subtree: true, childList: true, attributes: true,
                       attributeFilter: ['src', 'data-want', 'data-gap']});
    rec.stop = () => {
        obs.disconnect();
        document.removeEventListener('keydown', onKey, {capture: true});
        document.removeEventListener('pointermove', onMove, {capture: true});
        return {inputs: rec.inputs, frames: rec.frames, sources: rec.sources,
                states: rec.states};
    };
    window.__unrolledRecord = rec;
}"""
)


def build_notebooks(
    names: list[str],
) -> tuple[dict[str, nbformat.NotebookNode], list[dict[str, Any]]]:
    """The generated notebooks, ``{"image": ..., "output": ...}`` (one kernel each), and the
    targets: ``{"route", "explorer", "notebook", "cell"}`` each, where ``cell`` is the index
    of the code cell of ``notebook`` whose output holds the sliders."""
    cells: dict[str, list[str]] = {"image": [SETUP], "output": [SETUP + "\n" + ECHO]}
    targets = []

    def add(route: str, explorer: str, notebook: str, source: str) -> None:
        cell = len(cells[notebook])
        targets.append({"route": route, "explorer": explorer, "notebook": notebook, "cell": cell})
        cells[notebook].append(source)

    for name in names:
        add("image", name, "image", f"ALL[{name!r}]()")
        add("output", name, "output", f"output_route({name!r})")
    add("echo", "round trip", "output", "echo_route()")
    if "nb00.repeated_multiplication" in names:
        add("plt_show", "nb00.repeated_multiplication", "output", PLT_SHOW_NB00)
    notebooks = {}
    for key, sources in cells.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata = {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            }
        }
        nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
        notebooks[key] = nb
    return notebooks, targets


def _progress(message: str) -> None:
    print(f"[browser_latency] {message}", file=sys.stderr, flush=True)


def _stats(samples: list[float]) -> dict[str, Any]:
    a = np.asarray(samples, dtype=float)
    if a.size == 0:  # every press timed out: see the target's "no_picture"
        return {"n": 0}
    return {
        "n": int(a.size),
        "median_ms": round(float(np.median(a)), 1),
        "p95_ms": round(float(np.percentile(a, 95)), 1),
        "min_ms": round(float(a.min()), 1),
        "max_ms": round(float(a.max()), 1),
    }


def _measure_once(page: Any, target: dict[str, Any], key: str) -> tuple[float, str]:
    """One press: milliseconds to the new picture, and who answered ("page": a picture
    drawn ahead, swapped in by the page; "kernel": the kernel's; "": another route)."""
    page.evaluate(ARM_JS, [target["root"], TIMEOUT_MS])
    target["handle"].press(key)
    ms, source = page.evaluate("() => window.__unrolledLatency")
    return float(ms), str(source)


def _gesture(page: Any, target: dict[str, Any], kind: str, forward: bool) -> dict[str, list]:
    """One held key or one drag on ``target``'s slider; the recorded input and picture
    times (page clock, ms)."""
    page.evaluate(RECORD_JS, [target["root"]])
    handle = target["handle"]
    if kind == "hold":
        handle.focus()
        key = "ArrowRight" if forward else "ArrowLeft"
        t0 = time.perf_counter()
        for i in range(HOLD_PRESSES):
            page.keyboard.press(key)
            pause = t0 + (i + 1) / HOLD_HZ - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
    else:
        box = handle.bounding_box()
        track = handle.evaluate(
            "h => { const r = h.closest('.noUi-base').getBoundingClientRect();"
            " return [r.left, r.width]; }"
        )
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        dx = (1 if forward else -1) * track[1] * 0.25 / DRAG_MOVES
        page.mouse.move(x, y)
        page.mouse.down()
        t0 = time.perf_counter()
        for i in range(DRAG_MOVES):
            page.mouse.move(x + dx * (i + 1), y)
            pause = t0 + (i + 1) / 60 - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        page.mouse.up()
    # wait until no new picture has come for QUIET_S
    last = -1
    while True:
        time.sleep(QUIET_S)
        n = page.evaluate("() => window.__unrolledRecord.frames.length")
        if n == last:
            break
        last = n
    return page.evaluate("() => window.__unrolledRecord.stop()")


#: One frame of a 60 Hz screen, ms: how long after a value the picture shown is judged.
FRAME_MS = 1000 / 60


def _same_values(a: str, b: str) -> bool:
    """Two keys (JSON lists, as the page holds the controls' values) are the same values:
    numbers agree to 1e-9 relative, as in the page."""
    x, y = json.loads(a), json.loads(b)
    return len(x) == len(y) and all(
        u == v
        or (
            isinstance(u, float | int)
            and isinstance(v, float | int)
            and abs(u - v) <= 1e-9 * max(abs(u), abs(v))
        )
        for u, v in zip(x, y, strict=True)
    )


def _handle_stats(states: list[list]) -> tuple[list[float], list[float]]:
    """From a ``FramePicture``'s recorded states ``[t, want, gap, shown]`` (in order; want
    and shown as JSON keys): for each value the controls took, the ms until a picture for
    it or for a value they took after it was shown (``exact``; a nearest picture for values
    they did not take does not count), and how far the picture shown one frame later (or
    when the controls left the value, if sooner) was from it (``gap``, a fraction of the
    slider's length: 0 its own, > 0 another)."""
    exact: list[float] = []
    gaps: list[float] = []
    takes = [i for i, st in enumerate(states) if i == 0 or st[1] != states[i - 1][1]]
    for n, i in enumerate(takes[1:], start=1):  # the first state: the picture before
        t = states[i][0]
        for j in range(i, len(states)):
            taken = [states[k][1] for k in takes[n:] if k <= j]
            if any(_same_values(states[j][3], w) for w in taken):
                exact.append(states[j][0] - t)
                break
        end = takes[n + 1] if n + 1 < len(takes) else len(states)
        shown = [st for st in states[i:end] if st[0] <= t + FRAME_MS]
        gaps.append(shown[-1][2])
    return exact, gaps


def _gesture_stats(records: list[dict[str, list]]) -> dict[str, Any]:
    """Lag (each input to the first new picture after it), catch-up (last input to last
    picture) and, for a ``FramePicture``, the lag to the handle's own picture and the
    distance of the picture shown a frame after each value, over the recorded gestures."""
    lags, catch_up, pictures, inputs = [], [], 0, 0
    exact: list[float] = []
    gaps: list[float] = []
    sources: Counter[str] = Counter()
    for rec in records:
        e, g = _handle_stats(rec.get("states", []))
        exact += e
        gaps += g
        sources.update(s for s in rec.get("sources", []) if s)
        frames, ins = rec["frames"], rec["inputs"]
        if not ins:
            continue
        inputs += len(ins)
        pictures += len(frames)
        for t in ins:
            later = [f for f in frames if f > t]
            if later:
                lags.append(later[0] - t)
        if frames and frames[-1] > ins[-1]:
            catch_up.append(frames[-1] - ins[-1])
    out: dict[str, Any] = {"inputs": inputs, "pictures": pictures}
    if sources:
        out["pictures_by"] = dict(sources)
    if lags:
        out["lag"] = _stats(lags)
    if catch_up:
        out["catch_up"] = _stats(catch_up)
    if exact:
        out["exact_lag"] = _stats(exact)
    if gaps:
        # values whose own picture (or a later value's) never came before the recording
        # stopped: left out of exact_lag, so counted here (a lag median without them is low)
        out["exact_unanswered"] = len(gaps) - len(exact)
        g = np.asarray(gaps, dtype=float)
        finite = g[np.isfinite(g)]
        out["gap_after_a_frame"] = {
            "n": int(g.size),
            "exact_share": round(float(np.mean(g == 0)), 3),
            # a picture for other values of another control, or of one with no order: no
            # distance (data-gap "Infinity"); the median and p95 are of the others
            "unordered": int(g.size - finite.size),
        }
        if finite.size:
            out["gap_after_a_frame"].update(
                median=round(float(np.median(finite)), 4),
                p95=round(float(np.percentile(finite, 95)), 4),
                max=round(float(np.max(finite)), 4),
            )
    return out


def _locate(page: Any, target: dict[str, Any]) -> None:
    cell = page.locator(".jp-NotebookPanel .jp-CodeCell").nth(target["cell"])
    slider = cell.locator(".widget-slider").first
    slider.wait_for(state="attached", timeout=60_000)
    target["control"] = slider.locator(".widget-label").first.text_content() or "?"
    target["handle"] = slider.locator(".noUi-handle").first
    target["root"] = cell.locator(".jp-OutputArea-output").first.element_handle()
    page.wait_for_function(
        "r => r.querySelector('img') !== null", arg=target["root"], timeout=60_000
    )
    frac = target["handle"].evaluate(
        """h => { const t = h.closest('.noUi-base').getBoundingClientRect();
                  const m = h.getBoundingClientRect();
                  return (m.left + m.width / 2 - t.left) / t.width; }"""
    )
    # walk away from the nearer end; turn around at an end (see _walk_key)
    target["forward"] = frac < 0.5
    target["frac"] = frac


#: The first drag waits until the page holds at least as many pictures as the first slider
#: has values (the kernel draws it whole once the explorer is on screen: "seen") and that
#: count has not grown for ``HELD_QUIET_S``, at most ``HELD_WAIT_S``.
HELD_QUIET_S = 3.0
HELD_WAIT_S = 240.0


def first_slider_values(name: str) -> int:
    """How many values the slider an explorer draws whole before any move has (its first)."""
    from helpers.explorers import ALL

    explorer = ALL[name]()
    try:
        slider = explorer._overview_slider(explorer.values)
        return explorer._last_index(slider) + 1 if slider is not None else 0
    finally:
        explorer.close()


def _held_whole(target: dict[str, Any]) -> float | None:
    """Seconds from now (the explorer just scrolled into view) until its page holds the first
    slider whole (``first_slider_values`` pictures or more, then ``HELD_QUIET_S`` with no new
    one); None for a route with no ``FramePicture``. Sets ``first_drag_held``, the pictures
    held then, and ``first_drag_whole``, whether the count was reached."""
    held = (
        "r => { const i = r.querySelector('img.unrolled-frame');"
        " return i ? Number(i.dataset.held || 0) : null; }"
    )
    root, page = target["root"], target["page"]
    t0 = time.perf_counter()
    last, since = page.evaluate(held, root), t0
    if last is None:  # no FramePicture (the comparison routes, "round trip"): no explorer
        return None
    want = first_slider_values(target["explorer"])
    while time.perf_counter() - t0 < HELD_WAIT_S:
        if last >= want and time.perf_counter() - since >= HELD_QUIET_S:
            break
        time.sleep(0.25)
        now = page.evaluate(held, root)
        if now != last:
            last, since = now, time.perf_counter()
    target["first_drag_held"], target["first_drag_whole"] = last, last >= want
    return round(since - t0, 1)


def _readout(target: dict[str, Any]) -> str:
    """The value the slider's readout shows now."""
    slider = target["handle"].locator("xpath=ancestor::div[contains(@class,'widget-slider')]")
    return (slider.locator(".widget-readout").first.text_content() or "").strip()


def _walk_key(page: Any, target: dict[str, Any]) -> str:
    """The next key of a walk along the slider: onwards, turning around near either end
    (a held key or a drag moves several steps)."""
    frac = target["handle"].evaluate(
        """h => { const t = h.closest('.noUi-base').getBoundingClientRect();
                  const m = h.getBoundingClientRect();
                  return (m.left + m.width / 2 - t.left) / t.width; }"""
    )
    if frac > 0.7:
        target["forward"] = False
    elif frac < 0.3:
        target["forward"] = True
    return "ArrowRight" if target["forward"] else "ArrowLeft"


def _versions(chromium: str) -> dict[str, Any]:
    import ipywidgets
    import jupyterlab
    import matplotlib

    try:
        browser = subprocess.run(
            [chromium, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        browser = "unknown"
    return {
        "chromium": browser,
        "jupyterlab": jupyterlab.__version__,
        "ipywidgets": ipywidgets.__version__,
        "matplotlib": matplotlib.__version__,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }


def measure(
    n: int = N_PRESSES, names: list[str] | None = None, hold_and_drag: bool = True
) -> dict[str, Any]:
    """Run the measurement; returns the result dict (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    from helpers.explorers import ALL

    chromium = harness.find_chromium()
    if chromium is None:
        raise RuntimeError(harness.INSTALL_HINT)
    names = sorted(ALL) if names is None else names
    notebooks, targets = build_notebooks(names)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="unrolled-latency-") as tmp:
        root = Path(tmp) / "serve"
        root.mkdir()
        for key, nb in notebooks.items():
            nbformat.write(nb, root / f"latency_{key}.ipynb")
        server = harness.JupyterServer(root, state_dir=Path(tmp) / "state")
        (Path(tmp) / "state").mkdir()
        with server, sync_playwright() as p:
            browser = harness.launch_chromium(p, chromium)
            pages = {}
            for key, nb in notebooks.items():  # one page (window) and one kernel each
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(server.url(f"lab/tree/latency_{key}.ipynb", reset=""))
                harness.wait_notebook_rendered(page, len(nb.cells))
                harness.wait_kernel_idle(page)
                harness.run_all(page, len(nb.cells))
                harness.wait_kernel_idle(page)
                errors = harness.error_outputs(page)
                if errors:
                    raise RuntimeError(f"latency_{key}.ipynb failed:\n" + "\n".join(errors))
                pages[key] = page
            usable = []
            for t in targets:
                t["page"] = pages[t["notebook"]]
                try:
                    _locate(t["page"], t)
                    usable.append(t)
                except Exception as exc:  # an explorer without a slider: reported, not measured
                    t["skipped"] = f"no slider to press ({exc.__class__.__name__})"
            gestures: dict[int, dict[str, list]] = {
                id(t): {"hold": [], "drag": [], "first_drag": []} for t in usable
            }
            for t in usable:
                t["route_label"] = f"{t['route']} {t['explorer']}"
            if hold_and_drag:
                # The first move of each slider is a drag, once the page holds the slider
                # whole, as the kernel draws it before any move once the explorer is on
                # screen; the time that takes is reported.
                _progress("a first drag on each slider, once what is drawn for it is held")
                for t in usable:
                    t["handle"].scroll_into_view_if_needed()
                    t["first_drag_after_s"] = _held_whole(t)
                    forward = _walk_key(t["page"], t) == "ArrowRight"
                    rec = _gesture(t["page"], t, "drag", forward=forward)
                    gestures[id(t)]["first_drag"].append(rec)
            samples: dict[int, list[float]] = {id(t): [] for t in usable}
            _progress(f"notebook ran; {len(usable)} sliders, {WARMUP} + {n} presses each")
            for i in range(WARMUP + n):
                if i % 10 == 0:
                    _progress(f"round {i + 1}/{WARMUP + n}")
                for t in usable:
                    t["handle"].scroll_into_view_if_needed()
                    key = _walk_key(t["page"], t)
                    try:
                        ms, source = _measure_once(t["page"], t, key)
                    except Exception as exc:  # no new picture within TIMEOUT_MS: counted
                        if "no new figure" not in str(exc):
                            raise
                        t.setdefault("no_picture", []).append(
                            {"round": i, "key": key, "value": _readout(t)}
                        )
                        continue
                    if i >= WARMUP:
                        samples[id(t)].append(ms)
                        if source:
                            t.setdefault("answered", Counter())[source] += 1
            for t in usable:
                missed = len(t.get("no_picture", []))
                if missed:
                    _progress(f"{t['route_label']}: {missed} presses with no new picture")
            if hold_and_drag:
                _progress(f"held keys and drags: {GESTURES} of each per slider")
                for _ in range(GESTURES):
                    for kind in ("hold", "drag"):
                        for t in usable:
                            t["handle"].scroll_into_view_if_needed()
                            forward = _walk_key(t["page"], t) == "ArrowRight"
                            rec = _gesture(t["page"], t, kind, forward=forward)
                            gestures[id(t)][kind].append(rec)
            browser.close()
    results: dict[str, dict[str, Any]] = {"image": {}, "output": {}, "plt_show": {}, "echo": {}}
    for t in targets:
        entry = {"control": t.get("control"), "no_picture": t.get("no_picture", [])}
        if "first_drag_after_s" in t:
            entry["first_drag_after_s"] = t["first_drag_after_s"]
            entry["first_drag_held"] = t.get("first_drag_held")
            entry["first_drag_whole"] = t.get("first_drag_whole")
        if t.get("answered"):
            entry["answered_by"] = dict(t["answered"])
        if "skipped" in t:
            entry["skipped"] = t["skipped"]
        else:
            entry.update(_stats(samples[id(t)]))
            for kind, recs in gestures[id(t)].items():
                if recs:
                    entry[kind] = _gesture_stats(recs)
        results[t["route"]][t["explorer"]] = entry

    def pooled(route: str) -> dict[str, Any]:
        allv = [v for t in usable if t["route"] == route for v in samples[id(t)]]
        return _stats(allv) if allv else {}

    def pooled_gesture(route: str, kind: str) -> dict[str, Any]:
        recs = [r for t in usable if t["route"] == route for r in gestures[id(t)][kind]]
        return _gesture_stats(recs) if recs else {}

    return {
        "what": "slider key press -> new figure src, in the page (performance.now), ms",
        "gestures": {
            "hold": f"{HOLD_PRESSES} key presses at {HOLD_HZ} Hz, {GESTURES} per slider",
            "drag": f"{DRAG_MOVES} pointer moves at 60 Hz over a quarter of the track, "
            f"{GESTURES} per slider",
            "first_drag": "the same drag, once per slider, as its first move, before any key "
            "press: once the explorer is on screen and its page holds at least as many "
            "pictures as the slider has values, with none new for "
            f"{HELD_QUIET_S:.0f} s (first_drag_after_s: seconds from scrolling it into view "
            f"to the last picture received, at most {HELD_WAIT_S:.0f}; first_drag_held: "
            "pictures held; first_drag_whole: whether that many were reached)",
            "lag": "each input -> first new picture after it, ms",
            "exact_lag": "each value the controls take -> a picture for it or a later value "
            "(a nearest picture does not count), ms",
            "gap_after_a_frame": "how far the picture shown one 60 Hz frame after each value "
            "is from it, as a fraction of the slider's length (0: its own picture)",
            "catch_up": "last input -> last new picture, ms",
        },
        "pooled_gestures": {
            route: {kind: pooled_gesture(route, kind) for kind in ("hold", "drag", "first_drag")}
            for route in ("image", "output")
        },
        "routes": {
            "image": "explorer pattern: reused figure, PNG into ipywidgets.Image",
            "output": "same explorer, interactive_output + display(fig) in an Output widget",
            "plt_show": "nb00 data, interactive_output + new figure + plt.show() per move",
            "echo": "the round trip alone: a slider whose observer puts one of two ready "
            "PNGs (notebook 00's frames) into an Image; the floor of any kernel route",
        },
        "n_per_explorer": n,
        "warmup_presses": WARMUP,
        "environment": _versions(chromium),
        "seconds": round(time.perf_counter() - started, 1),
        "pooled": {route: pooled(route) for route in results},
        "explorers": results,
    }


def run(
    output_json_path: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    n: int = N_PRESSES,
    names: list[str] | None = None,
    hold_and_drag: bool = True,
) -> dict:
    """Measure and write the results as JSON to ``output_json_path``; return them."""
    result = measure(n=n, names=names, hold_and_drag=hold_and_drag)
    out = Path(output_json_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def _print_table(result: dict[str, Any]) -> None:
    print(f"{'explorer':34s} {'route':9s} {'control':18s} {'n':>4s} {'median':>8s} {'p95':>8s}")
    for route, per in result["explorers"].items():
        for name, r in per.items():
            if "median_ms" in r:
                print(
                    f"{name:34s} {route:9s} {r['control'] or '':18s} {r['n']:4d} "
                    f"{r['median_ms']:6.1f}ms {r['p95_ms']:6.1f}ms"
                )
            else:
                print(f"{name:34s} {route:9s} skipped: {r.get('skipped')}")
    for route, r in result["pooled"].items():
        if r:
            print(
                f"pooled {route:9s}: n={r['n']}, median {r['median_ms']} ms, p95 {r['p95_ms']} ms"
            )
    print()
    print(markdown_table(result))


def markdown_table(result: dict[str, Any]) -> str:
    """Per explorer: press, hold and drag (median / p95 ms) on both routes, as Markdown."""

    def cell(r: dict[str, Any] | None, key: str | None = None) -> str:
        if not r:
            return ""
        r = r.get(key) if key else r
        if not r or "median_ms" not in r:
            return ""
        return f"{r['median_ms']:.0f} / {r['p95_ms']:.0f}"

    lines = [
        "| explorer | press: image | press: output | hold lag: image | hold lag: output"
        " | hold catch-up: image | hold catch-up: output | drag lag: image | drag lag: output"
        " | drag catch-up: image | drag catch-up: output |",
        "|---|" + "---:|" * 10,
    ]
    img_all, out_all = result["explorers"]["image"], result["explorers"]["output"]
    pooled = result.get("pooled_gestures", {})
    rows = [
        (
            "**all (pooled)**",
            result["pooled"].get("image"),
            result["pooled"].get("output"),
            pooled.get("image", {}),
            pooled.get("output", {}),
        )
    ]
    for name in sorted(img_all):
        i, o = img_all[name], out_all.get(name, {})
        rows.append((name, i, o, i, o))
    for name, pi, po, gi, go in rows:
        lines.append(
            f"| {name} | {cell(pi)} | {cell(po)} | {cell(gi.get('hold'), 'lag')}"
            f" | {cell(go.get('hold'), 'lag')} | {cell(gi.get('hold'), 'catch_up')}"
            f" | {cell(go.get('hold'), 'catch_up')} | {cell(gi.get('drag'), 'lag')}"
            f" | {cell(go.get('drag'), 'lag')} | {cell(gi.get('drag'), 'catch_up')}"
            f" | {cell(go.get('drag'), 'catch_up')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=N_PRESSES, help="presses per explorer and route")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="where to write the JSON")
    parser.add_argument("--explorers", nargs="*", help="only these (default: all)")
    parser.add_argument("--no-gestures", action="store_true", help="single presses only")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    result = run(args.out, n=args.n, names=args.explorers, hold_and_drag=not args.no_gestures)
    _print_table(result)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
