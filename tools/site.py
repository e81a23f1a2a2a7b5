"""``make site``: the whole course as a static website in ``dist/site/``, sliders included.

Every executed notebook in ``notebooks/`` becomes one page (text, math, code, outputs);
``index.html`` is the course map. Math is rendered in the browser by a copy of MathJax
shipped inside the site (npm ``mathjax``, installed into ``.local/site-npm`` by ``make
site``); nothing is loaded from the internet. Each explorer is replaced by a kernel-free
version: its frames are rendered in advance, in the notebook's own kernel
(``tools/site_frames.py``), on a grid of the controls' values — every value where the
product of the controls is small, fewer (listed on the page: "values available: …")
where it is not — and shown as plain ``<img>`` files switched by native range inputs and
menus, so the site works from any static host and from a folder opened with ``file://``.

Size budget (checked at the end of every build; the build fails when it is exceeded):
each page's first load — its HTML, the shared CSS and JavaScript, MathJax and the pictures
the page shows before any control is moved — at most ``PAGE_BUDGET``; the whole site at
most ``SITE_BUDGET``. ``dist/site/SIZES.txt`` lists the measured sizes.

Usage: ``python tools/site.py [--frames N] [--out DIR] [--reuse-frames] [NAME_PREFIX ...]``
(``--reuse-frames``: keep the frames of the site already built, for changes of text only).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from pygments.formatters import HtmlFormatter

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TOOLS = ROOT / "tools"
OUT = ROOT / "dist" / "site"
NPM = ROOT / ".local" / "site-npm" / "node_modules"
#: Most frames pre-rendered per explorer (the product over its controls' kept values).
MAX_FRAMES = 96
#: First load of one page (bytes, uncompressed as ``file://`` reads them), counted as an
#: upper bound: every figure of the page (they load lazily, so a visit fetches fewer) and all
#: of MathJax's fonts. The browser test measures the true first visit (at most 2 MB).
PAGE_BUDGET = 5_000_000
#: The whole site (bytes).
SITE_BUDGET = 60_000_000
EXPLORER_PREFIX = "Explorer: "
TIMEOUT_S = 600

# MathJax: the TeX-to-HTML component and the fonts it loads, nothing else.
MATHJAX_FILES = ["tex-chtml.js"]
MATHJAX_DIRS = ["input/tex/extensions", "ui", "a11y", "adaptors"]
NEWCM_DIRS = ["chtml/woff2", "chtml/dynamic"]


# -- MathJax ------------------------------------------------------------------------------
def copy_mathjax(out: Path) -> None:
    """Copy the parts of npm ``mathjax`` and its font the pages use into ``out/mathjax``."""
    src, font = NPM / "mathjax", NPM / "@mathjax" / "mathjax-newcm-font"
    if not (src / "tex-chtml.js").exists() or not font.exists():
        raise SystemExit(
            f"MathJax is missing from {NPM}: run `make site` (it installs npm mathjax there)"
        )
    dest = out / "mathjax"
    dest.mkdir(parents=True, exist_ok=True)
    for name in MATHJAX_FILES:
        shutil.copy2(src / name, dest / name)
    for name in MATHJAX_DIRS:
        if (src / name).exists():
            shutil.copytree(src / name, dest / name, dirs_exist_ok=True)
    for name in NEWCM_DIRS:
        if (font / name).exists():
            shutil.copytree(font / name, dest / "newcm" / name, dirs_exist_ok=True)
    for name in ("LICENSE",):
        shutil.copy2(src / name, dest / name)


# -- frames -------------------------------------------------------------------------------
def render_frames(path: Path, frames_dir: Path, max_frames: int) -> list[dict[str, Any]]:
    """Run the notebook in a fresh kernel with ``site_frames`` recording every explorer it
    displays, then render their frames into ``frames_dir``; returns the manifest."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            f"import sys; sys.path.insert(0, {str(TOOLS)!r})\n"
            "import site_frames; site_frames.install()"
        ),
    )
    nb.cells.append(
        nbformat.v4.new_code_cell(f"site_frames.dump({str(frames_dir)!r}, max_frames={max_frames})")
    )
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    return json.loads((frames_dir / "manifest.json").read_text(encoding="utf-8"))


# -- pages --------------------------------------------------------------------------------
def explorer_title(output: dict[str, Any]) -> str | None:
    """The explorer's title if ``output`` is an explorer's display, else None."""
    text = output.get("data", {}).get("text/plain", "")
    if isinstance(text, list):
        text = "".join(text)
    if not text.startswith(EXPLORER_PREFIX):
        return None
    return text[len(EXPLORER_PREFIX) :].rsplit(" (controls:", 1)[0]


def explorer_html(page_id: str, k: int, spec: dict[str, Any], frames_url: str) -> str:
    """The markup of one kernel-free explorer (see ``assets/explorer.js``)."""
    ident = f"{page_id}-x{k}"
    start = [c["start"] for c in spec["controls"]]
    shape = [len(c["labels"]) for c in spec["controls"]]
    rows = []
    for i, c in enumerate(spec["controls"]):
        cid = f"{ident}-{c['name']}"
        labels = c["labels"]
        avail = ", ".join(labels)
        fewer = (
            f" ({len(labels)} of the {c['full']} values of the live notebook)"
            if len(labels) < c["full"]
            else ""
        )
        if c["kind"] == "range":
            widget = (
                f'<input type="range" id="{cid}" min="0" max="{len(labels) - 1}" step="1" '
                f'value="{c["start"]}" data-axis="{i}" '
                f"data-labels='{html.escape(json.dumps(labels), quote=True)}' "
                f'aria-valuetext="{html.escape(labels[c["start"]])}" '
                f'aria-describedby="{cid}-avail">'
                f'<output for="{cid}" id="{cid}-out">{html.escape(labels[c["start"]])}</output>'
            )
        else:
            options = "".join(
                f'<option value="{j}"{" selected" if j == c["start"] else ""}>'
                f"{html.escape(label)}</option>"
                for j, label in enumerate(labels)
            )
            widget = (
                f'<select id="{cid}" data-axis="{i}" aria-describedby="{cid}-avail">'
                f"{options}</select>"
            )
        rows.append(
            f'<div class="control"><label for="{cid}">{html.escape(c["label"])}</label>'
            f'{widget}<p class="avail" id="{cid}-avail">values available: '
            f"{html.escape(avail)}{fewer}</p></div>"
        )
    width, height = spec["size"]
    first = "-".join(map(str, start)) + ".png"
    alt = spec.get("start_alt") or describe(spec, start)
    n_frames = 1
    for s in shape:
        n_frames *= s
    return (
        f'<figure class="explorer" id="{ident}" data-frames="{frames_url}" '
        f'data-title="{html.escape(spec["title"])}">'
        f'<figcaption><span class="ex-title">{html.escape(spec["title"])}</span> '
        f'<span class="ex-note">— {n_frames} pictures rendered in advance; '
        f'<a href="#run-live">run it live</a> for every value.</span></figcaption>'
        f'<div class="controls">{"".join(rows)}</div>'
        f'<img class="frame" src="{frames_url}{first}" width="{width}" height="{height}" '
        f'loading="lazy" decoding="async" alt="{html.escape(alt)}">'
        # read out (politely, after a pause) when a control changes the picture
        '<p class="ex-status visually-hidden" role="status" aria-live="polite"></p>'
        "</figure>"
    )


def describe(spec: dict[str, Any], index: list[int]) -> str:
    """Alt text of a frame: the explorer's title and the controls' values."""
    parts = [
        f"{c['label']} = {c['labels'][i]}" for c, i in zip(spec["controls"], index, strict=True)
    ]
    return f"{spec['title']}: {', '.join(parts)}"


def image_html(path: Path, url: str, alt: str, png: str) -> str:
    data = base64.b64decode(png)
    path.write_bytes(data)
    return f'<img src="{url}" alt="{html.escape(alt)}" loading="lazy" decoding="async">'


def prepare(
    nb: nbformat.NotebookNode, page_id: str, out: Path, manifest: list[dict[str, Any]]
) -> int:
    """Swap explorer outputs for kernel-free explorers and inline images for files, in
    place; returns the number of explorers swapped."""
    nb.metadata.pop("widgets", None)
    img_dir = out / "img" / page_id
    img_dir.mkdir(parents=True, exist_ok=True)
    k = n_img = 0
    for cell in nb.cells:
        cell.metadata.pop("widgets", None)
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            title = explorer_title(output)
            data = output.get("data", {})
            if title is not None:
                if k >= len(manifest) or manifest[k]["title"] != title:
                    have = [m["title"] for m in manifest]
                    raise RuntimeError(
                        f"{page_id}: explorer output {k} is {title!r}, but the kernel "
                        f"displayed {have}: is the notebook out of date? (`make notebooks`)"
                    )
                markup = explorer_html(page_id, k, manifest[k], f"frames/{page_id}/{k}/")
                output["data"] = {"text/html": markup}
                output.get("metadata", {}).clear()
                k += 1
            elif "image/png" in data:
                n_img += 1
                meta = output.get("metadata", {})
                alt = (
                    meta.get("image/png", {}).get("alt")
                    or meta.get("alt")
                    or (f"Figure {n_img} of this notebook (output of the code cell above)")
                )
                name = f"fig{n_img:02d}.png"
                output["data"] = {
                    "text/html": image_html(
                        img_dir / name, f"img/{page_id}/{name}", alt, data["image/png"]
                    )
                }
                output.get("metadata", {}).clear()
    if k != len(manifest):
        raise RuntimeError(f"{page_id}: {k} explorer outputs but {len(manifest)} displays")
    return k


def link_pages(body: str) -> str:
    """Links to other notebooks point to their pages."""
    return re.sub(
        r'href="(?:\.\./notebooks/|notebooks/)?(\d\d_[\w-]+)\.ipynb(#[^"]*)?"',
        lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"',
        body,
    )


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if m:
                return re.sub(r"[*_`]", "", m.group(1)).strip()
    return fallback


def notebook_summary(nb: nbformat.NotebookNode) -> str:
    """The first paragraph of prose after the title (plain text, shortened)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for para in re.split(r"\n\s*\n", cell.source):
            para = para.strip()
            if para and not para.startswith(("#", "|", "<", "!", "-", "*", ">", "```")):
                text = re.sub(r"\s+", " ", para)
                text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
                text = re.sub(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)", "", text)
                return text if len(text) <= 320 else text[:317].rsplit(" ", 1)[0] + " …"
    return ""


def live_note(stem: str) -> str:
    return (
        '<section id="run-live" class="live"><h2>Run it live</h2>'
        "<p>This page is a still copy: its sliders switch between pictures rendered in "
        "advance on a grid of values. To run the code and move every slider over every "
        "value, open the notebook in JupyterLab: in a copy of the course, run "
        f"<code>make lab</code> and open <code>notebooks/{html.escape(stem)}.ipynb</code>, "
        "then <em>Run All</em> (see the course's README for pip, conda, Binder and "
        "Colab).</p></section>"
    )


HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="assets/site.css">
<link rel="stylesheet" href="assets/code.css">
{extra}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><nav aria-label="Course">
<a href="index.html">Unrolled: course map</a>{nav}</nav></header>
<main id="main">
"""

MATHJAX_HEAD = """<script>
window.MathJax = {
  tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
        displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
        processEscapes: true, processEnvironments: true},
  options: {ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process",
            // Speech runs in a web worker, which a page opened from file:// may not start;
            // assistive MathML (read by screen readers) needs none.
            menuOptions: {settings: {enrich: false, speech: false, braille: false,
                                     collapsible: false, assistiveMml: true}}},
  loader: {paths: {"mathjax-newcm": "mathjax/newcm"}},
  output: {fontPath: "mathjax/newcm"}
};
</script>
<script defer src="mathjax/tex-chtml.js"></script>
<script defer src="assets/explorer.js"></script>"""

FOOT = """</main>
<footer class="bottom"><p>Unrolled: how recurrent networks are trained, and why that is hard.
Built by <code>make site</code>; math by a local copy of MathJax; no part of this site
loads anything from the internet.</p></footer>
</body>
</html>
"""


def page(title: str, body: str, nav: str = "", extra: str = "") -> str:
    return HEAD.format(title=html.escape(title), nav=nav, extra=extra) + body + FOOT


def build_page(
    path: Path,
    out: Path,
    max_frames: int,
    pages: list[tuple[str, str]],
    reuse: Path | None = None,
) -> dict[str, Any]:
    """Render one notebook's page (and its frames); returns its entry for the course map."""
    stem = path.stem
    page_id = stem[:2]
    nb = nbformat.read(path, as_version=4)
    has_explorer = any(
        explorer_title(o) is not None for c in nb.cells for o in c.get("outputs", [])
    )
    frames_dir = out / "frames" / page_id
    manifest: list[dict[str, Any]] = []
    old_frames = reuse / "frames" / page_id if reuse else None
    if has_explorer and old_frames and (old_frames / "manifest.json").exists():
        shutil.copytree(old_frames, frames_dir)
        manifest = json.loads((frames_dir / "manifest.json").read_text(encoding="utf-8"))
    elif has_explorer:
        started = time.perf_counter()
        manifest = render_frames(path, frames_dir, max_frames)
        print(
            f"{stem}: {len(manifest)} explorer(s), "
            f"{sum(len(list((frames_dir / str(k)).glob('*.png'))) for k in range(len(manifest)))}"
            f" frames in {time.perf_counter() - started:.1f} s"
        )
    prepare(nb, page_id, out, manifest)
    exporter = HTMLExporter(
        template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb)
    body = link_pages(body)
    titles = [t for _, t in pages]
    stems = [s for s, _ in pages]
    i = stems.index(stem)
    prev_link = (
        f' · <a href="{stems[i - 1]}.html">previous: {html.escape(titles[i - 1])}</a>' if i else ""
    )
    next_link = (
        f' · <a href="{stems[i + 1]}.html">next: {html.escape(titles[i + 1])}</a>'
        if i + 1 < len(stems)
        else ""
    )
    nav = prev_link + next_link + ' · <a href="#run-live">run it live</a>'
    title = titles[i]
    text = page(
        f"{title} — Unrolled",
        f'<article class="notebook">{body}</article>{live_note(stem)}',
        nav=nav,
        extra=MATHJAX_HEAD,
    )
    (out / f"{stem}.html").write_text(text, encoding="utf-8")
    return {"stem": stem, "title": title, "summary": notebook_summary(nb), "explorers": manifest}


def build_index(out: Path, entries: list[dict[str, Any]]) -> None:
    items = []
    for e in entries:
        explorers = "".join(
            f'<li>{html.escape(m["title"])} <span class="muted">('
            + ", ".join(html.escape(c["label"]) for c in m["controls"])
            + ")</span></li>"
            for m in e["explorers"]
        )
        items.append(
            f'<li class="map-item"><h3><a href="{e["stem"]}.html">'
            f"{html.escape(e['title'])}</a></h3>"
            f"<p>{html.escape(e['summary'])}</p>"
            + (
                f'<p class="muted">Sliders:</p><ul class="ex-list">{explorers}</ul>'
                if explorers
                else ""
            )
            + "</li>"
        )
    body = (
        "<h1>Unrolled — how recurrent networks are trained, and why that is hard</h1>"
        "<p>An interactive course in Jupyter notebooks on training recurrent neural networks: "
        "unrolling and backpropagation through time, truncation, vanishing and exploding "
        "gradients, clipping, LSTM and GRU, and the other remedies. Read the notebooks in "
        "order. Every page below is the full notebook — text, math, code and its outputs — and "
        "its sliders work in this page, with no Python running, from pictures rendered in "
        "advance.</p>"
        '<h2 id="map">Course map</h2><ol class="map">' + "".join(items) + "</ol>"
        '<section id="run-live" class="live"><h2>Run it live</h2><p>To run the code and '
        "move every slider over every value: in a copy of the course, <code>make lab</code> "
        "(it installs everything on first use and opens notebook 00 in JupyterLab). This "
        "website itself is built by <code>make site</code> into <code>dist/site/</code>; copy "
        "that folder to any static web host, or open <code>index.html</code> from a "
        "downloaded copy: it works offline.</p></section>"
    )
    (out / "index.html").write_text(
        page("Unrolled — course map", body, extra=MATHJAX_HEAD), encoding="utf-8"
    )


# -- assets -------------------------------------------------------------------------------
def write_assets(out: Path) -> None:
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    here = TOOLS / "site_assets"
    for f in here.iterdir():
        shutil.copy2(f, assets / f.name)
    css = HtmlFormatter(style="default").get_style_defs(".highlight")
    (assets / "code.css").write_text(readable_css(css) + "\n", encoding="utf-8")


#: The darkest background code is shown on (site.css's --code-bg).
CODE_BACKGROUND = "#f5f5f5"


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours ``#rgb`` / ``#rrggbb``."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_css(css: str, background: str = CODE_BACKGROUND, ratio: float = 4.5) -> str:
    """Pygments' colours darkened (same hue) until text meets WCAG AA's 4.5:1 on the code
    background; colours already dark enough are kept."""

    def fix(match: re.Match[str]) -> str:
        colour = match.group(1)
        h = colour.lstrip("#")
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
        while contrast("#" + "".join(f"{c:02x}" for c in rgb), background) < ratio:
            rgb = [int(c * 0.95) for c in rgb]
        return "color: #" + "".join(f"{c:02x}" for c in rgb)

    return re.sub(r"(?<![-\w])color: (#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", fix, css)


# -- size ---------------------------------------------------------------------------------
def first_load(out: Path, page_path: Path) -> int:
    """Bytes a first visit to ``page_path`` loads before any control moves: the page, the
    files its tags name (stylesheets, scripts, images) and MathJax's fonts."""
    text = page_path.read_text(encoding="utf-8")
    total = len(text.encode("utf-8"))
    seen: set[str] = set()
    for url in re.findall(r'(?:src|href)="([^"#:]+)"', text):
        if url in seen or url.endswith(".html"):
            continue
        seen.add(url)
        f = out / url
        if f.is_file():
            total += f.stat().st_size
    if "mathjax/tex-chtml.js" in seen:
        total += sum(
            f.stat().st_size for f in (out / "mathjax" / "newcm" / "chtml" / "woff2").glob("*")
        )
    return total


def sizes(out: Path) -> tuple[list[tuple[str, int]], int]:
    per_page = [(p.name, first_load(out, p)) for p in sorted(out.glob("*.html"))]
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return per_page, total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("prefix", nargs="*", help="only notebooks whose name starts so")
    parser.add_argument("--frames", type=int, default=MAX_FRAMES, help="most frames per explorer")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--reuse-frames",
        action="store_true",
        help="take the explorers' frames from the site already in --out (text-only changes)",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.prefix:
        paths = [p for p in paths if any(p.stem.startswith(a) for a in args.prefix)]
    if not paths:
        print("no notebooks to build")
        return 2
    staging = Path(
        tempfile.mkdtemp(prefix="site-", dir=out.parent if out.parent.exists() else None)
    )
    try:
        copy_mathjax(staging)
        write_assets(staging)
        pages = [(p.stem, notebook_title(nbformat.read(p, as_version=4), p.stem)) for p in paths]
        reuse = out if args.reuse_frames and out.exists() else None
        entries = [build_page(p, staging, args.frames, pages, reuse) for p in paths]
        build_index(staging, entries)
        per_page, total = sizes(staging)
        lines = [f"{name}\t{size}" for name, size in per_page] + [f"total\t{total}"]
        (staging / "SIZES.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"site: {out} — first load per page (budget {PAGE_BUDGET / 1e6:.1f} MB):")
    for name, size in per_page:
        print(f"  {name:45s} {size / 1e6:6.2f} MB")
    print(f"  total {total / 1e6:.1f} MB (budget {SITE_BUDGET / 1e6:.0f} MB)")
    over = [n for n, s in per_page if s > PAGE_BUDGET]
    if over or total > SITE_BUDGET:
        print(f"size budget exceeded: {over or ''} total {total}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
