"""Text alternatives for figures, written from what the figure draws.

``describe_figure(fig)`` reads a matplotlib figure's axes, labels and data — each line's
label, where it starts and ends and its range, each image's size and value range, the
number of markers — and returns a few sentences a screen reader can speak in place of the
picture (WCAG 2.1, 1.1.1 "non-text content"). ``style.use()`` attaches it to every figure
a notebook shows, as the ``alt`` of the PNG output's metadata (which the course website
uses) and as a ``text/html`` ``<img alt=…>`` beside the PNG (``img_html``): JupyterLab 4
ignores output metadata, but renders that HTML, sanitised, even in an untrusted notebook.
A figure may carry its own text instead: ``fig.alt_text = "…"``.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure, FigureBase
from matplotlib.lines import Line2D

#: Longest description kept (characters); screen readers read alt text in one go.
MAX_CHARS = 900


def _num(x: float) -> str:
    if not np.isfinite(x):
        return "infinite" if x > 0 else ("minus infinite" if x < 0 else "undefined")
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        mantissa, exponent = f"{x:.2e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return f"{x:.3g}"


#: TeX commands of the course's labels, as the characters a screen reader can speak.
_TEX = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "rho": "ρ",
    "sigma": "σ",
    "phi": "φ",
    "varphi": "φ",
    "omega": "ω",
    "Omega": "Ω",
    "partial": "∂",
    "nabla": "∇",
    "cdot": "·",
    "times": "×",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "approx": "≈",
    "to": "→",
    "infty": "∞",
    "prod": "∏",
    "sum": "Σ",
    "ell": "ℓ",
    "odot": "⊙",
    "Delta": "Δ",
}


def _label(text: str) -> str:
    """Plain text of a label: mathtext's dollars, braces and commands made readable."""
    import re

    text = re.sub(r"\\(?:mathrm|mathbf|mathit|text|operatorname)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX.get(m.group(1), m.group(1)), text)
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")
    return " ".join(text.split())


def _axis(ax: Axes, which: str) -> str:
    label = _label(ax.get_xlabel() if which == "x" else ax.get_ylabel()) or "unlabelled"
    lo, hi = ax.get_xlim() if which == "x" else ax.get_ylim()
    scale = ax.get_xscale() if which == "x" else ax.get_yscale()
    log = ", log scale" if scale == "log" else ""
    return f"{which}: {label} ({_num(min(lo, hi))} to {_num(max(lo, hi))}{log})"


def _line(line: Line2D) -> str | None:
    label = line.get_label()
    x = np.asarray(line.get_xdata(), dtype=float)
    y = np.asarray(line.get_ydata(), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    x, y = x[ok], y[ok]
    name = _label(label) if label and not label.startswith("_") else "a line"
    if len(y) == 1 or (np.ptp(y) == 0 and np.ptp(x) == 0):
        return f"{name} at ({_num(x[0])}, {_num(y[0])})"
    if np.ptp(x) == 0:
        return f"{name}: vertical at x = {_num(x[0])}"
    if np.ptp(y) == 0:
        return f"{name}: flat at y = {_num(y[0])}"
    return (
        f"{name}: from {_num(y[0])} at x = {_num(x[0])} to {_num(y[-1])} at x = {_num(x[-1])}"
        f" (lowest {_num(y.min())}, highest {_num(y.max())})"
    )


def _axes(ax: Axes, index: int, count: int) -> str:
    title = _label(ax.get_title())
    head = f"Panel {index} of {count}" if count > 1 else "The plot"
    if title:
        head += f', "{title}"'
    parts = [f"{head}; {_axis(ax, 'x')}; {_axis(ax, 'y')}."]
    lines = [d for d in (_line(ln) for ln in ax.get_lines() if ln.get_visible()) if d]
    if lines:
        parts.append(" Lines: " + "; ".join(lines) + ".")
    for image in ax.get_images():
        data = np.ma.masked_invalid(np.asarray(image.get_array(), dtype=float))
        if data.ndim < 2:
            continue
        if data.count():
            parts.append(
                f" An image of {data.shape[0]} by {data.shape[1]} values from "
                f"{_num(float(data.min()))} to {_num(float(data.max()))}."
            )
        elif data.size:
            parts.append(f" An image of {data.shape[0]} by {data.shape[1]} values, none finite.")
    for bars in ax.containers:
        heights = [float(r.get_height()) for r in getattr(bars, "patches", [])]
        if heights:
            name = bars.get_label()
            name = _label(name) if name and not name.startswith("_") else "bars"
            shown = ", ".join(_num(h) for h in heights[:8]) + (", …" if len(heights) > 8 else "")
            ticks = [_label(tl.get_text()) for tl in ax.get_xticklabels() if tl.get_text()]
            where = f" at {', '.join(ticks[:8])}" if len(ticks) == len(heights) else ""
            parts.append(f" {name}: {len(heights)} bars of heights {shown}{where}.")
    points = sum(
        int(np.all(np.isfinite(np.asarray(c.get_offsets(), dtype=float)), axis=-1).sum())
        for c in ax.collections
        if isinstance(c, PathCollection)
    )
    if points:
        parts.append(f" {points} markers.")
    if any(isinstance(c, PolyCollection) for c in ax.collections):
        parts.append(" Shaded bands.")
    texts = [_label(t.get_text()) for t in ax.texts if t.get_visible() and t.get_text().strip()]
    if texts:
        parts.append(" Notes: " + "; ".join(texts[:4]) + ".")
    return "".join(parts)


def _diagram(ax: Axes, index: int, count: int) -> str:
    """An axes drawn with its axis off (a diagram: boxes, arrows, labels): its title and the
    labels it writes, in drawing order."""
    title = _label(ax.get_title())
    head = f"Diagram {index} of {count}" if count > 1 else "A diagram"
    if title:
        head += f', "{title}"'
    labels = [_label(t.get_text()) for t in ax.texts if t.get_visible() and t.get_text().strip()]
    if not labels:
        return head + "."
    unique = list(dict.fromkeys(labels))
    shown = "; ".join(unique[:MAX_LABELS]) + ("; …" if len(unique) > MAX_LABELS else "")
    return f"{head}, labelled: {shown}."


#: At most this many labels of a diagram are read out.
MAX_LABELS = 16


def describe_figure(fig: Figure) -> str:
    """A text alternative for ``fig`` (its own ``alt_text`` if it has one)."""
    _check_figure(fig)
    own = getattr(fig, "alt_text", None)
    if isinstance(own, str) and own.strip():
        return own.strip()
    shown = [ax for ax in fig.get_axes() if ax.get_visible() and ax.get_label() != "<colorbar>"]
    axes = [ax for ax in shown if ax.axison]
    diagrams = [ax for ax in shown if not ax.axison]
    title = _label(fig._suptitle.get_text()) if fig._suptitle is not None else ""
    if not fig.get_axes():
        return f'Figure "{title}" with no axes.' if title else "Figure with no axes."
    head = f'Figure "{title}". ' if title else "Figure. "
    body = " ".join(
        [_axes(ax, i + 1, len(axes)) for i, ax in enumerate(axes)]
        + [_diagram(ax, i + 1, len(diagrams)) for i, ax in enumerate(diagrams)]
    )
    text = (head + body).strip()
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


def _check_figure(fig: object) -> None:
    if not isinstance(fig, FigureBase):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")


def png_with_alt(fig: Figure) -> tuple[bytes, dict[str, str]]:
    """The figure as PNG bytes and the metadata ``{"alt": description}`` (IPython's
    formatters accept a (data, metadata) pair). Non-finite data is left out of the
    drawing, as matplotlib does (without NumPy's warnings about it); the description
    says which lines or images have no finite values."""
    _check_figure(fig)
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a whole matplotlib Figure, got {type(fig).__name__}")
    buf = io.BytesIO()
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        fig.canvas.print_figure(buf, format="png", bbox_inches="tight")
    return buf.getvalue(), {"alt": describe_figure(fig)}


def img_html(png: bytes | str, alt: str) -> str:
    """An ``<img>`` with ``alt`` and the PNG inline (``png``: raw bytes or base64 text), for
    the ``text/html`` beside a figure's ``image/png`` output: JupyterLab, nbconvert and
    GitHub prefer it, and it keeps its ``alt`` through JupyterLab's sanitiser."""
    data = png if isinstance(png, str) else base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}">'
