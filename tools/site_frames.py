"""Kernel side of ``tools/site.py``: record every explorer a notebook displays, then render
its frames on a grid of the controls' values, for the kernel-free course website.

Runs inside the notebook's own kernel (so explorers built from the notebook's state, like
notebook 08's, are rendered from that state): ``install()`` before the first cell wraps
``Explorer._repr_mimebundle_`` to remember each displayed explorer with its values at that
moment; ``dump(out_dir, max_frames)`` after the last cell writes, for the k-th display,
``out_dir/k/<i1>-<i2>-….png`` (one index per control into the values listed in
``out_dir/manifest.json``) and that manifest.

Frames are quantised to a 64-colour palette (no dithering): the static site needs a
picture that reads the same, not the pixel identity the live explorer keeps, and a
palette PNG of a matplotlib figure is 3–4 times smaller than its RGB PNG.
"""

from __future__ import annotations

import io
import itertools
import json
import math
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
from PIL import Image

from helpers.describe import describe_figure
from helpers.explorers.base import Explorer

#: (explorer, values when displayed), in display order.
SHOWN: list[tuple[Explorer, dict[str, Any]]] = []
PALETTE_COLOURS = 64
_SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)
_CHOICES = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.SelectionSlider)


def install() -> None:
    """Wrap ``Explorer._repr_mimebundle_`` so that each display is recorded."""
    original = Explorer._repr_mimebundle_
    if getattr(original, "_site_wrapped", False):
        return

    def recording(self: Explorer, **kwargs: Any) -> dict[str, Any]:
        SHOWN.append((self, dict(self.values)))
        return original(self, **kwargs)

    recording._site_wrapped = True  # type: ignore[attr-defined]
    Explorer._repr_mimebundle_ = recording  # type: ignore[method-assign]


def _fmt(value: Any, fmt: str | None = None) -> str:
    if isinstance(value, float):
        text = format(value, fmt) if fmt else f"{value:.6g}"
        return text
    return str(value)


def full_values(control: widgets.ValueWidget) -> tuple[list[Any], list[str], str]:
    """Every value a control can take, their labels, and the control's kind
    ("range" for sliders and selection sliders, "select" for menus and buttons)."""
    if isinstance(control, _SLIDERS):
        n = round((control.max - control.min) / control.step) + 1
        exps = [control.min + k * control.step for k in range(n)]
        if isinstance(control, widgets.FloatLogSlider):
            values = [float(control.base**e) for e in exps]
        elif isinstance(control, widgets.IntSlider):
            values = [int(v) for v in exps]
        else:
            values = [float(round(v, 12)) for v in exps]
        fmt = getattr(control, "readout_format", None)
        if isinstance(control, widgets.IntSlider):
            fmt = None
        labels = [_fmt(v, fmt) for v in values]
        return values, labels, "range"
    if isinstance(control, _CHOICES):
        values, labels = [], []
        for option in control.options:
            label, value = option if isinstance(option, tuple) else (str(option), option)
            values.append(value)
            labels.append(str(label))
        kind = "range" if isinstance(control, widgets.SelectionSlider) else "select"
        return values, labels, kind
    if isinstance(control, widgets.Checkbox):
        return [False, True], ["off", "on"], "select"
    raise TypeError(f"control {control!r}: no frame grid for {type(control).__name__}")


def _nearest(values: list[Any], value: Any) -> int:
    if value in values:
        return values.index(value)
    return int(np.argmin([abs(float(v) - float(value)) for v in values]))


def pick(n: int, k: int, keep: int) -> list[int]:
    """``k`` indices out of ``range(n)``, evenly spread, both ends and ``keep`` included."""
    if k >= n:
        return list(range(n))
    chosen = {round(float(x)) for x in np.linspace(0, n - 1, max(k, 2))}
    if keep not in chosen:
        inner = sorted(chosen - {0, n - 1})
        if inner:
            chosen.remove(min(inner, key=lambda i: abs(i - keep)))
        chosen.add(keep)
    return sorted(chosen)


def plan(explorer: Explorer, start: dict[str, Any], max_frames: int) -> list[dict[str, Any]]:
    """The grid for one explorer: per control its kept values (indices into the full list),
    as evenly spread as the frame budget allows; menus keep every option."""
    specs = []
    for name, control in explorer.controls.items():
        values, labels, kind = full_values(control)
        specs.append(
            {
                "name": name,
                "label": control.description or name,
                "kind": kind,
                "all": values,
                "labels": labels,
                "start": _nearest(values, start[name]),
            }
        )
    counts = {s["name"]: (len(s["all"]) if s["kind"] == "select" else 2) for s in specs}
    ranges = [s for s in specs if s["kind"] == "range"]

    def frames(counts: dict[str, int]) -> int:
        sizes = [
            len(pick(len(s["all"]), counts[s["name"]], s["start"]))
            if s["kind"] == "range"
            else counts[s["name"]]
            for s in specs
        ]
        return math.prod(sizes)

    # Grow the ranges one value at a time, the one with fewest values first, while the budget allows
    # (each keeps at least its ends and its start value, whatever the budget).
    while True:
        grown = False
        for s in sorted(ranges, key=lambda s: (counts[s["name"]], -len(s["all"]))):
            if counts[s["name"]] >= len(s["all"]):
                continue
            trial = {**counts, s["name"]: counts[s["name"]] + 1}
            if frames(trial) <= max_frames:
                counts = trial
                grown = True
                break
        if not grown:
            break
    for s in specs:
        if s["kind"] == "select":
            s["keep"] = list(range(len(s["all"])))
        else:
            s["keep"] = pick(len(s["all"]), counts[s["name"]], s["start"])
    return specs


def encode(rgba: np.ndarray) -> bytes:
    """A palette PNG of an (height, width, 4) uint8 picture."""
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]), "RGB")
    image = image.quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=0)
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=6)
    return buf.getvalue()


def frame_alt(explorer: Explorer, specs: list[dict[str, Any]], combo: tuple[int, ...]) -> str:
    """The text alternative of one frame (just rendered): the controls' values as the page
    shows them, then what the figure draws (``helpers.describe``)."""
    values = ", ".join(
        f"{s['label']} = {s['labels'][s['keep'][i]]}" for s, i in zip(specs, combo, strict=True)
    )
    return f"{explorer.title}: {values}. {describe_figure(explorer.figure)}"


def render(explorer: Explorer, specs: list[dict[str, Any]], out: Path) -> tuple[int, list[str]]:
    """Write every frame of the grid and ``alts.js`` (one text alternative per frame, in the
    frames' row-major order); returns the bytes written and the texts."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    alts = []
    for combo in itertools.product(*[range(len(s["keep"])) for s in specs]):
        values = {s["name"]: s["all"][s["keep"][i]] for s, i in zip(specs, combo, strict=True)}
        data = encode(explorer.render(**values))
        alts.append(frame_alt(explorer, specs, combo))
        (out / ("-".join(map(str, combo)) + ".png")).write_bytes(data)
        total += len(data)
    # A plain script, not JSON: pages opened from file:// may not fetch, but may load scripts.
    script = (
        "(window.UNROLLED_ALTS = window.UNROLLED_ALTS || {})"
        '[document.currentScript.getAttribute("data-key")] = '
        + json.dumps(alts, ensure_ascii=False)
        + ";\n"
    )
    (out / "alts.js").write_text(script, encoding="utf-8")
    return total + len(script.encode("utf-8")), alts


def dump(out_dir: str, max_frames: int) -> None:
    """Render the frames of every recorded display and write ``manifest.json``."""
    out = Path(out_dir)
    manifest = []
    for k, (explorer, start) in enumerate(SHOWN):
        specs = plan(explorer, start, max_frames)
        size, alts = render(explorer, specs, out / str(k))
        first = 0
        for s in specs:
            first = first * len(s["keep"]) + s["keep"].index(s["start"])
        manifest.append(
            {
                "title": explorer.title,
                "bytes": size,
                "start_alt": alts[first],
                "size": list(explorer.figure.canvas.get_width_height()),
                "controls": [
                    {
                        "name": s["name"],
                        "label": s["label"],
                        "kind": s["kind"],
                        "labels": [s["labels"][i] for i in s["keep"]],
                        "start": s["keep"].index(s["start"]),
                        "full": len(s["all"]),
                    }
                    for s in specs
                ],
            }
        )
        explorer.update(**start)  # leave it as it was shown
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
