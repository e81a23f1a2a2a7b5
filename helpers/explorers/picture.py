"""An explorer's picture in the browser: frames drawn ahead are swapped in by the page.

Through a kernel, a key press on a slider costs at least a round trip (browser → kernel →
browser: about 50 ms in JupyterLab on a 2-core machine, see benchmarks/RESULTS.md) before
any new picture can arrive. ``FramePicture`` takes the round trip out of a press whose
picture was drawn ahead: the kernel sends each picture it draws ahead to the page as soon as
it is made (a binary message, PNG bytes, with the controls' values it shows and its text
alternative), and the page keeps them (at most ``max_frames`` pictures and ``max_bytes``
bytes; dropped first, the least recently sent or touched by the kernel, whose account of
what the page holds is kept in step with it). When a control moves in the page, the page looks
up the picture for the controls' new values and shows it at once; the kernel's own picture
arrives a round trip later and changes nothing. A move whose picture the page does not have
waits for the kernel's, as before.

The rule that keeps the picture honest: the page never replaces a picture that shows the
controls' current values by one that does not (a late picture from the kernel, during a
held key, for values already left behind). A picture that is already behind the controls is
replaced only by one nearer to them (see below); between pictures equally near, or on
controls with no order, by a picture from the kernel for values the controls held no
earlier (the page remembers the order in which the controls held their values). So the
picture follows the handle as closely as the pictures at hand allow, and catches up with it
when the handle stops. A picture the kernel sends again for the same values with other bytes
(drawn on a layout solved since) replaces the one held.

A dragged handle outruns the kernel: pictures along a long slider cannot all be drawn ahead
(once idle after a move, the kernel draws every value of a slider of up to 224 values;
along a longer one, 224 spread; before any move, so along the first slider once the page
tells it that the picture is on screen: the "seen" message).
A move whose picture the page does not hold shows the held picture nearest to the controls'
values along one slider (the kernel also draws pictures spread along the slider that moved,
for this), when it is nearer than the picture shown, with a caption in a strip below it that
names its value and the handle's ("Nearest picture drawn: w = 1.0200 (handle: 1.0137); drawing the
handle's…"); its alt describes its own values. Distance is measured along the slider, as a
fraction of its length (a log slider's in its exponent, a selection slider's in its
positions); a dropdown has no order, so no nearest. A picture behind the controls is replaced
by one the page holds or gets only if that one is nearer to them (at equal distance, to 1e-9:
a picture from the kernel if the controls held its values no earlier), so the picture shown
is never farther from the handle than the one it replaces. Every picture shown in place of
the handle's (a nearest one, or the kernel's for a value the handle passed) is captioned;
the caption goes when the handle's own picture is shown. A picture left behind by a move,
with no other shown since, is not captioned: it is marked busy (``aria-busy``) only.

Values are compared as the page holds them: a slider's ``value``, a selection's ``index``.
Two numbers are the same value when they agree to 1e-9 (relative), as the page's slider
arithmetic and the kernel's grid arithmetic differ in the last bits.

Needs the ``anywidget`` package. In JupyterLab and Notebook 7 its front end is installed with
it and loads the script below from the kernel: nothing is fetched from the internet (checked
in JupyterLab only). Colab and VS Code load anywidget's front end from the web (not tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import traitlets

try:
    import anywidget
except ImportError:  # pragma: no cover - the course's environment has it (requirements.lock)
    anywidget = None

#: The page's side (an anywidget module: ``initialize`` once per widget, ``render`` once per
#: view of it). The frames live with the model, so every view of one explorer shares them.
_ESM = r"""
const STORES = new Map();
const TOL = 1e-9;
const SEEN = 512;  // how many of the controls' recent values are remembered, in move order

function one(x, y) {
  if (typeof x === "number" && typeof y === "number") {
    return Math.abs(x - y) <= TOL * Math.max(Math.abs(x), Math.abs(y)) + 1e-300;
  }
  return x === y;
}

function same(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!one(a[i], b[i])) return false;
  return true;
}

function tie(a, b) {
  // Two distances (fractions of a slider's length) are equal: they agree to 1e-9, as the
  // same distance computed from two other values differs in the last bits (|0.1 - 0.15| is
  // 0.04999999999999999, |0.2 - 0.15| is 0.05000000000000002).
  return a === b || Math.abs(a - b) <= 1e-9;
}

function nearer(a, b) {
  return a < b && !tie(a, b);
}

function position(s, i, v) {
  // Where value ``v`` of control ``i`` sits along its slider, 0 (min) to 1 (max); null for
  // a control that is no slider (a dropdown's options have no order to be near in).
  const m = s.controls[i];
  if (!m || typeof v !== "number") return null;
  const kind = m.get("_model_name");
  let lo = m.get("min"), hi = m.get("max"), x = v;
  if (kind === "FloatLogSliderModel") x = Math.log(v) / Math.log(m.get("base"));
  else if (kind === "SelectionSliderModel") {
    lo = 0;
    hi = (m.get("_options_labels") || []).length - 1;
  } else if (kind !== "FloatSliderModel" && kind !== "IntSliderModel") return null;
  if (typeof lo !== "number" || typeof hi !== "number" || !(hi > lo)) return null;
  const p = (x - lo) / (hi - lo);
  return Number.isFinite(p) ? p : null;
}

function gap(s, key, want) {
  // How far a picture for ``key`` is from the controls' values ``want``: 0 when it is their
  // picture; when the two differ on one slider only, the distance along that slider (a
  // fraction of its length); else Infinity.
  if (!Array.isArray(key) || !Array.isArray(want) || key.length !== want.length) return Infinity;
  let at = -1;
  for (let i = 0; i < key.length; i++) {
    if (one(key[i], want[i])) continue;
    if (at >= 0) return Infinity;
    at = i;
  }
  if (at < 0) return 0;
  const p = position(s, at, key[at]), q = position(s, at, want[at]);
  return p === null || q === null ? Infinity : Math.abs(p - q);
}

function nearest(s, want) {
  // The held picture nearest to ``want`` along one slider (see ``gap``), or null.
  let best = null, bestGap = Infinity;
  for (const f of s.frames) {
    const g = gap(s, f.key, want);
    if (g < bestGap) { best = f; bestGap = g; }
  }
  return best;
}

function readout(s, i, v) {
  // Value ``v`` of control ``i`` as its slider's readout shows it.
  const m = s.controls[i];
  if (!m) return String(v);
  if (s.fields[i] === "index") return String((m.get("_options_labels") || [])[v] ?? v);
  if (typeof v !== "number") return String(v);
  const digits = /\.(\d+)([fg])/.exec(m.get("readout_format") || "");
  if (m.get("_model_name") === "IntSliderModel") return String(Math.round(v));
  if (digits && digits[2] === "f") return v.toFixed(Number(digits[1]));
  return String(Number(v.toPrecision(digits ? Math.max(1, Number(digits[1])) : 4)));
}

function bytesOf(buf) {
  if (buf instanceof DataView) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return new Uint8Array(buf);
}

function fnv(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
  return bytes.length + ":" + h;
}

function store(model) {
  const uid = model.get("uid");
  let s = STORES.get(uid);
  if (!s) {
    s = {frames: [], bytes: 0, shown: null, views: new Set(), controls: [], fields: [],
         seen: [], seq: 0, model};
    STORES.set(uid, s);
  }
  return s;
}

function current(s) {
  return s.controls.map((m, i) => (m ? m.get(s.fields[i]) : null));
}

function lookup(s, key) {
  for (let i = s.frames.length - 1; i >= 0; i--) {
    if (same(s.frames[i].key, key)) return s.frames[i];
  }
  return null;
}

function when(s, key) {
  // The move after which the controls last held ``key`` (-1: never, as far as remembered).
  for (let i = s.seen.length - 1; i >= 0; i--) if (same(s.seen[i].key, key)) return s.seen[i].seq;
  return -1;
}

function note(s) {
  // The controls moved: remember their values, in move order.
  const key = current(s);
  const i = s.seen.findIndex((e) => same(e.key, key));
  if (i >= 0) s.seen.splice(i, 1);
  s.seen.push({key, seq: ++s.seq});
  if (s.seen.length > SEEN) s.seen.shift();
}

function count(s) {
  // How many pictures the page holds, on every view (``data-held``, for the tests).
  for (const view of s.views) view.img.dataset.held = String(s.frames.length);
}

function drop(s, frame) {
  s.frames.splice(s.frames.indexOf(frame), 1);
  s.bytes -= frame.size;
  if (frame !== s.shown) URL.revokeObjectURL(frame.url);
  count(s);
}

function keep(s, key, buf, alt) {
  // Hold a picture sent by the kernel; the frame held for ``key`` (the same bytes: the held
  // one, moved to the most recent; other bytes, e.g. drawn on a layout solved since: the new).
  const bytes = bytesOf(buf);
  const hash = fnv(bytes);
  const old = lookup(s, key);
  if (old && old.hash === hash) {
    s.frames.splice(s.frames.indexOf(old), 1);
    s.frames.push(old);
    if (alt) old.alt = alt;
    return old;
  }
  const frame = {key, alt, hash, size: bytes.byteLength,
                 url: URL.createObjectURL(new Blob([bytes], {type: "image/png"}))};
  if (old) {
    drop(s, old);
    if (s.shown === old) show(s, frame, "kernel");
  }
  s.frames.push(frame);
  s.bytes += frame.size;
  const maxFrames = s.model.get("max_frames"), maxBytes = s.model.get("max_bytes");
  while (s.frames.length > 2 && (s.frames.length > maxFrames || s.bytes > maxBytes)) {
    const gone = s.frames.find((f) => f !== s.shown && f !== frame);
    if (!gone) break;
    drop(s, gone);
  }
  count(s);
  return frame;
}

function show(s, frame, source) {
  // ``source``: "page" (a move answered from the pictures held here), "near" (the held
  // picture nearest to the controls' values, while theirs is drawn) or "kernel".
  if (s.shown === frame) return;
  if (s.shown && !s.frames.includes(s.shown)) URL.revokeObjectURL(s.shown.url);
  s.shown = frame;
  s.source = source;
  for (const view of s.views) paint(view, frame, source);
}

function paint(view, frame, source) {
  const img = view.img;
  img.dataset.key = JSON.stringify(frame.key);
  img.dataset.source = source;
  img.alt = frame.alt || "";
  img.src = frame.url;
}

function label(s, want) {
  // The caption of a picture that is not the controls': the values it shows, and the
  // handle's. Empty when the picture shows the controls' values, or is merely waiting for
  // the kernel's (no other picture was shown since the last up-to-date one: the picture
  // shown is the handle's of a moment ago, marked busy).
  if (!s.shown || !s.approx) return "";
  const parts = [];
  s.shown.key.forEach((v, i) => {
    if (one(v, want[i])) return;
    const m = s.controls[i];
    const name = (m && m.get("description")) || "value";
    parts.push(`${name} = ${readout(s, i, v)} (handle: ${readout(s, i, want[i])})`);
  });
  if (!parts.length) return "";
  return "Nearest picture drawn: " + parts.join(", ") + "; drawing the handle's…";
}

function mark(s, want) {
  // Tell every view how far its picture is from the controls' values (``data-gap``, for
  // the tests and the benchmark), whether it is behind (``aria-busy``), and caption it.
  const g = s.shown ? gap(s, s.shown.key, want) : Infinity;
  if (g === 0) s.approx = false;
  const text = label(s, want);
  for (const view of s.views) {
    view.img.setAttribute("aria-busy", g === 0 ? "false" : "true");
    view.img.dataset.want = JSON.stringify(want);
    view.img.dataset.gap = String(g);
    view.caption.textContent = text;
    view.caption.hidden = !text;
  }
}

function settle(s) {
  // The picture for the controls' values: held here, or the kernel's current one when it
  // is for those values; else keep what is shown (marked busy) until the kernel's comes.
  const key = current(s);
  let frame = lookup(s, key);
  let source = "page";
  if (!frame && same(s.model.get("key"), key)) {
    const value = s.model.get("value");
    if (value && value.byteLength) {
      frame = keep(s, key, value, s.model.get("alt"));
      source = "kernel";
    }
  }
  if (frame) {
    // Not moved to the most recent here: only the kernel's messages (its picture, a picture
    // drawn ahead, a touch) order what the page holds, so that the kernel's account of it
    // (``Explorer._pushed``) stays exact when it folds moves the page answered by itself.
    show(s, frame, source);
  } else {
    // Not held (a handle dragged past what was drawn ahead): the held picture nearest to
    // the controls' values, if nearer than the one shown, captioned with its values, until
    // the kernel's comes.
    const near = nearest(s, key);
    if (near && nearer(gap(s, near.key, key), s.shown ? gap(s, s.shown.key, key) : Infinity)) {
      s.approx = true;
      show(s, near, "near");
    }
  }
  mark(s, key);
}

function offer(s, frame) {
  // A picture from the kernel: shown if it is the controls' picture. Never replaces a
  // picture that shows the controls' values. When the shown one is behind the controls:
  // shown if it is nearer to their values along the slider that moved (``gap``); at equal
  // distance (or on controls with no order), if the controls held its values no earlier
  // than the shown one's. So the picture follows the handle, never farther from it.
  const key = current(s);
  let better = same(frame.key, key) || !s.shown;
  if (!better && !same(s.shown.key, key)) {
    const mine = gap(s, frame.key, key), shown = gap(s, s.shown.key, key);
    better = nearer(mine, shown)
      || (tie(mine, shown) && when(s, frame.key) >= when(s, s.shown.key));
  }
  if (better) {
    show(s, frame, "kernel");
    // A picture shown in place of the handle's is captioned, as a nearest one is.
    if (!same(frame.key, key) && Number.isFinite(gap(s, frame.key, key))) s.approx = true;
  }
  settle(s);
}

function initialize({model}) {
  const s = store(model);
  s.fields = model.get("fields");
  const listeners = [];
  const fromKernel = () => {
    const value = model.get("value");
    if (!value || !value.byteLength) return;
    offer(s, keep(s, model.get("key"), value, model.get("alt")));
  };
  model.on("change:value", fromKernel);
  model.on("change:key", fromKernel);
  model.on("msg:custom", (msg, buffers) => {
    if (msg && msg.type === "clear") {  // the layout was solved again: pictures are stale
      for (const f of [...s.frames]) drop(s, f);
      settle(s);
    } else if (msg && msg.type === "touch" && Array.isArray(msg.keys)) {
      // The kernel draws ahead along a line whose pictures it holds: they become the most
      // recently shown, the last key most, so that the pictures it draws push others out.
      for (const key of msg.keys) {
        const f = lookup(s, key);
        if (f) { s.frames.splice(s.frames.indexOf(f), 1); s.frames.push(f); }
      }
    } else if (msg && msg.type === "frame" && buffers && buffers.length) {
      const frame = keep(s, msg.key, buffers[0], msg.alt);
      const key = current(s);
      if (same(frame.key, key)) {
        if (s.shown !== frame) offer(s, frame);
      } else if (s.shown && !same(s.shown.key, key)) {
        settle(s);  // behind the handle: show it if it is nearer than the picture shown
      }
    }
  });
  fromKernel();
  // The controls' models, without holding up the widget (until they are found, every
  // picture from the kernel is shown as it comes).
  Promise.all(model.get("controls").map(async (ref) => {
    try {
      return await model.widget_manager.get_model(String(ref).replace(/^IPY_MODEL_/, ""));
    } catch (e) {
      return null;
    }
  })).then((controls) => {
    s.controls = controls;
    controls.forEach((m, i) => {
      if (!m) return;
      const listener = () => { note(s); settle(s); };
      m.on("change:" + s.fields[i], listener);
      listeners.push([m, "change:" + s.fields[i], listener]);
    });
    note(s);
    settle(s);
  });
  return () => {  // the widget is gone: free its pictures and listeners
    for (const [m, name, listener] of listeners) m.off(name, listener);
    for (const f of s.frames) URL.revokeObjectURL(f.url);
    if (s.shown) URL.revokeObjectURL(s.shown.url);
    s.frames = [];
    STORES.delete(model.get("uid"));
  };
}

function render({model, el}) {
  const s = store(model);
  const img = document.createElement("img");
  img.className = "unrolled-frame";
  img.alt = "";
  img.style.maxWidth = "100%";  // as ipywidgets' Image: shrink to a narrow notebook, never crop
  img.style.height = "auto";
  img.style.display = "block";
  // The caption of a picture that is not the handle's, in a strip kept free below the
  // picture (so it never covers the figure, and nothing moves when it comes and goes), on
  // one line, cut with an ellipsis in a narrow notebook (the alt has it all). Both sit in a
  // box of their own: ipywidgets sets the widget element's padding from its layout.
  const caption = document.createElement("div");
  caption.className = "unrolled-near";
  caption.hidden = true;
  Object.assign(caption.style, {
    font: "13px sans-serif", lineHeight: "20px", position: "absolute", left: "0",
    bottom: "0", maxWidth: "100%", boxSizing: "border-box", padding: "0 6px",
    whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis", background: "#fff",
    color: "#000", borderLeft: "3px solid #555", pointerEvents: "none",
  });
  const box = document.createElement("div");
  box.className = "unrolled-frame-box";
  Object.assign(box.style, {
    position: "relative", display: "inline-block", maxWidth: "100%", paddingBottom: "22px",
  });
  box.appendChild(img);
  box.appendChild(caption);
  el.classList.add("widget-image");
  el.appendChild(box);
  const view = {img, caption};
  s.views.add(view);
  count(s);
  if (!s.ready) {  // a view is shown: from now on the kernel sends pictures drawn ahead
    s.ready = true;
    model.send({type: "ready"});
  }
  // The first time a view is on screen, the kernel is told: it then draws the first slider
  // whole, before any move (an explorer never scrolled to costs no more). With no
  // IntersectionObserver, at once.
  let watcher = null;
  s.watchers = s.watchers || new Set();  // of every view not yet seen
  const seen = () => {
    for (const w of s.watchers) w.disconnect();
    s.watchers.clear();
    if (s.onScreen) return;
    s.onScreen = true;
    model.send({type: "seen"});
  };
  if (!s.onScreen) {
    if (typeof IntersectionObserver === "function") {
      watcher = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) seen();
      });
      s.watchers.add(watcher);
      watcher.observe(box);
    } else {
      seen();
    }
  }
  if (s.shown) {
    paint(view, s.shown, s.source || "kernel");
    mark(s, current(s));
  } else {
    const value = model.get("value");
    if (value && value.byteLength) offer(s, keep(s, model.get("key"), value, model.get("alt")));
  }
  return () => {
    if (watcher) {
      watcher.disconnect();
      s.watchers.delete(watcher);
    }
    s.views.delete(view);
  };
}

export default {initialize, render};
"""


if anywidget is not None:

    class FramePicture(anywidget.AnyWidget):
        """The picture of one explorer, shown in the page (see the module docstring).

        ``value`` (PNG bytes), ``key`` (the controls' values it shows, as the page holds
        them) and ``alt`` are the kernel's current picture; ``push`` sends a picture drawn
        ahead. ``on_ready`` is called (in whatever thread the message arrived) when a page
        has loaded the picture and can take pictures drawn ahead; ``on_seen``, once per page,
        when the picture was first on screen there (scrolled into view).
        """

        _esm = _ESM
        value = traitlets.Bytes(b"").tag(sync=True)
        key = traitlets.List([]).tag(sync=True)
        alt = traitlets.Unicode("").tag(sync=True)
        uid = traitlets.Unicode("").tag(sync=True)
        controls = traitlets.List(traitlets.Instance(widgets.Widget)).tag(
            sync=True, **widgets.widget_serialization
        )
        fields = traitlets.List(traitlets.Unicode()).tag(sync=True)
        max_frames = traitlets.Int(288).tag(sync=True)
        max_bytes = traitlets.Int(32 * 2**20).tag(sync=True)

        def __init__(
            self,
            controls: Mapping[str, widgets.ValueWidget],
            on_ready: Any = None,
            on_seen: Any = None,
            **kwargs: Any,
        ) -> None:
            import uuid

            super().__init__(
                controls=list(controls.values()),
                fields=[page_field(c) for c in controls.values()],
                uid=uuid.uuid4().hex,
                **kwargs,
            )
            self._on_ready = on_ready
            self._on_seen = on_seen
            self.on_msg(self._message)

        def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
            kind = content.get("type") if isinstance(content, dict) else None
            if kind == "ready" and self._on_ready:
                self._on_ready()
            elif kind == "seen" and self._on_seen:
                self._on_seen()

        def show(self, png: bytes, key: list[Any], alt: str) -> None:
            """Make ``png`` (for the page's values ``key``, described by ``alt``) the
            kernel's current picture, in one message."""
            with self.hold_sync():
                self.value = png
                self.key = key
                self.alt = alt

        def clear(self) -> None:
            """Make the page forget every picture it holds (they were drawn on a layout
            solved again since)."""
            self.send({"type": "clear"})

        def touch(self, keys: list[list[Any]]) -> None:
            """Make the pictures the page holds for ``keys`` its most recently shown, in that
            order (the last most recent): the least recently shown are dropped first."""
            self.send({"type": "touch", "keys": keys})

        def push(self, png: bytes, key: list[Any], alt: str) -> None:
            """Send a picture drawn ahead to the page, which shows it when its controls
            reach ``key``."""
            self.send({"type": "frame", "key": key, "alt": alt}, buffers=[png])

else:  # pragma: no cover
    FramePicture = None  # type: ignore[assignment,misc]


#: Selections hold a value the page does not know (any Python object): the page holds its
#: position in the options, ``index``.
_BY_INDEX = (
    widgets.Dropdown,
    widgets.ToggleButtons,
    widgets.RadioButtons,
    widgets.SelectionSlider,
    widgets.Select,
)


def page_field(control: widgets.Widget) -> str:
    """The attribute of ``control``'s model that the page holds its value in."""
    return "index" if isinstance(control, _BY_INDEX) else "value"


def page_key(controls: Mapping[str, widgets.ValueWidget], values: Mapping[str, Any]) -> list[Any]:
    """``values`` (name → value) as the page holds them, in the order of ``controls``: a
    selection's position in its options, a number as a float, anything else as it is."""
    key: list[Any] = []
    for name, control in controls.items():
        value = values[name]
        if isinstance(control, _BY_INDEX):
            labels = [o[1] if isinstance(o, tuple) else o for o in control.options]
            key.append(labels.index(value))
        elif isinstance(value, bool):
            key.append(value)
        elif isinstance(value, (int, float)) or hasattr(value, "__float__"):
            key.append(float(value))
        else:
            key.append(value)
    return key
