"""The explorer pattern: sliders that redraw one reused figure, shown as a PNG.

An explorer owns a matplotlib ``Figure`` (made without pyplot, so notebooks never show it
twice), a set of ipywidgets controls and a ``draw(**values)`` function that updates the
figure's artists in place (``set_data``, ``set_ydata``…, never a new figure). Each change
of a control calls ``update``: draw, render the figure to PNG, put the bytes into an
``ipywidgets.Image``. Displayed, it is the live widget where a kernel runs, and its PNG
(``image/png`` in the mime bundle) where none does: an untrusted notebook, nbconvert
HTML, GitHub.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from helpers import style

#: Kinds of value a control may hold, for checks in ``update``.
_NUMERIC = (
    widgets.IntSlider,
    widgets.FloatSlider,
    widgets.FloatLogSlider,
    widgets.BoundedIntText,
    widgets.BoundedFloatText,
)
_CHOICE = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.SelectionSlider)


def new_figure(width: float = 9.0, height: float = 4.0, **subplots: Any) -> tuple[Figure, Any]:
    """A ``Figure`` outside pyplot (never auto-shown) with the course style, and its axes.

    ``subplots`` go to ``Figure.subplots`` (``ncols=2``, ``gridspec_kw=...``). The default
    9 × 4 in at 100 dpi is 900 × 400 px: sharp on a projector.
    """
    style.use()
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(**subplots)
    return fig, axes


class Explorer:
    """Controls + a reused figure + a ``draw`` function; see the module docstring.

    Args:
        title: one line shown above the controls (also the plain-text repr).
        figure: the figure that ``draw`` updates.
        controls: name → ipywidgets control; the names are ``draw``'s keyword arguments.
        draw: ``draw(**values)`` updates the figure's artists for the given values.
    """

    def __init__(
        self,
        title: str,
        figure: Figure,
        controls: Mapping[str, widgets.ValueWidget],
        draw: Callable[..., None],
    ) -> None:
        self.title = title
        self.figure = figure
        self.controls: dict[str, widgets.ValueWidget] = dict(controls)
        self._draw = draw
        self._holding = False
        self.image = widgets.Image(format="png", layout=widgets.Layout(align_self="flex-start"))
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{title}</b>"),
                widgets.HBox(
                    list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.image,
            ]
        )
        # The layout (constrained layout, say) is solved at the first render only, then
        # frozen: solving it again costs more than drawing (see benchmarks/RESULTS.md).
        self._layout_engine = figure.get_layout_engine()
        self._layout_done = False
        self._edge_check = True
        self.update()

    # -- state -----------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self, **values: Any) -> None:
        """Set some controls (checked against their ranges) and redraw once."""
        for name, value in values.items():
            self._check(name, value)
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self._render()

    def _on_change(self, _change: dict) -> None:
        if not self._holding:
            self._render()

    def _render(self) -> None:
        self._draw(**self.values)
        self.image.value = self.png(compress_level=1)

    def relayout(self) -> None:
        """Solve the figure's layout again at the next render (it is frozen after the first).

        Called automatically when a render puts ink on the figure's outer edge (a tick
        label or title that grew past the frozen margins).
        """
        self._layout_done = False

    def _render_rgba(self) -> np.ndarray:
        """Draw the figure on its Agg canvas; the pixels as an (height, width, 4) uint8 view."""
        fig, engine = self.figure, self._layout_engine
        if engine is None or not self._layout_done:
            fig.canvas.draw()  # solves the layout (when there is an engine)
            self._layout_done = True
        else:
            fig.set_layout_engine("none")  # keeps the axes where the last layout put them
            try:
                fig.canvas.draw()
            finally:
                fig.set_layout_engine(engine)
            if self._edge_check and self._ink_on_edge():
                fig.canvas.draw()  # with the layout solved again
                # Still touching: the art is meant to reach the edge; stop checking.
                self._edge_check = not self._ink_on_edge()
        return np.asarray(fig.canvas.buffer_rgba())

    def _ink_on_edge(self, width: int = 2) -> bool:
        """Whether anything but the figure's background lies within ``width`` px of its edge."""
        rgba = np.asarray(self.figure.canvas.buffer_rgba())
        face = np.round(np.asarray(mpl.colors.to_rgba(self.figure.get_facecolor())) * 255)
        face = face.astype(np.uint8)
        strips = (rgba[:width], rgba[-width:], rgba[:, :width], rgba[:, -width:])
        return any(bool(np.any(s != face)) for s in strips)

    def _check(self, name: str, value: Any) -> None:
        if name not in self.controls:
            raise ValueError(
                f"{name!r} is not a control of this explorer; controls: {list(self.controls)}"
            )
        c = self.controls[name]
        if isinstance(c, _NUMERIC):
            if isinstance(value, bool) or not isinstance(
                value, (int, float, np.integer, np.floating)
            ):
                raise TypeError(f"{name} must be a number, got {type(value).__name__}")
            if not np.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value}")
            lo, hi = (
                (10.0**c.min, 10.0**c.max)
                if isinstance(c, widgets.FloatLogSlider)
                else (c.min, c.max)
            )
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be between {lo:g} and {hi:g}, got {value:g}")
            if isinstance(c, (widgets.IntSlider, widgets.BoundedIntText)) and int(value) != value:
                raise ValueError(f"{name} must be an integer, got {value}")
        elif isinstance(c, _CHOICE):
            labels = [o[1] if isinstance(o, tuple) else o for o in c.options]
            if value not in labels:
                raise ValueError(f"{name} must be one of {labels}, got {value!r}")

    # -- output ----------------------------------------------------------------------
    def png(self, *, compress_level: int = 6) -> bytes:
        """The figure as PNG bytes (no ``bbox_inches='tight'``: the layout is fixed).

        The pixels are those ``figure.savefig(format="png")`` gives; they are rendered once
        on the figure's canvas and encoded by Pillow directly, as RGB when the figure is
        opaque (a quarter fewer bytes to compress and to send than RGBA, same picture).
        """
        fig = self.figure
        if (
            mpl.rcParams["savefig.dpi"] not in ("figure", fig.dpi)
            or mpl.rcParams["savefig.transparent"]
            or mpl.rcParams["savefig.facecolor"] != "auto"
        ):
            buf = io.BytesIO()  # settings that savefig would honour: let it
            fig.savefig(
                buf,
                format="png",
                pil_kwargs={"compress_level": compress_level},
                metadata={"Software": None},
            )
            return buf.getvalue()
        rgba = self._render_rgba()
        height, width = rgba.shape[:2]
        image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
        if rgba[..., 3].min() == 255:
            image = image.convert("RGB")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=compress_level, dpi=(fig.dpi, fig.dpi))
        return buf.getvalue()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):  # (data, metadata)
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = f"Explorer: {self.title} (controls: {', '.join(self.controls)})"
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return f"<Explorer {self.title!r} controls={list(self.controls)}>"
