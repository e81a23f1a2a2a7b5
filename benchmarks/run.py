"""``make bench``: measure the course's run time, explorer latency, BPTT speed and memory.

Parts (all by default; ``--only course,explorers`` picks some):

* ``course``    each notebook executed in a fresh kernel, and the total (bench_course.py);
* ``explorers`` every explorer's update time over a sweep of its controls, against a naive
  redraw timed in the same run (bench_explorers.py);
* ``browser``   slider key press → new figure in JupyterLab + Chromium, by
  ``benchmarks/browser_latency.py`` (skipped when that file or Chromium is missing);
* ``bptt``      helpers.rnn/lstm/gru forward + backward against torch.nn.RNN/LSTM/GRU
  (bench_bptt.py), run in a separate venv ``.local/bench-torch`` that has torch and the
  project; torch never becomes a dependency of the course. Without torch: numpy only;
* ``memory``    stored activations and allocation peaks, full vs truncated BPTT
  (bench_memory.py), and gradient checkpointing's time as a ratio to full BPTT
  (bench_checkpoint.py);
* ``torchmap``  notebook 07's NumPy-to-PyTorch table checked row by row against torch
  (bench_torch_mapping.py), in the same torch venv.
* ``seeds``     M seeds trained as one stack (``train.init_stack`` + ``fit``) against a loop
  of M separate fits (bench_seeds.py).
* ``hub``       a whole class at once on the course's JupyterHub: N students log in, pull
  the course by nbgitpuller, Run All, move sliders (bench_hub.py; N = 1, 5, 10, 20, 40, or
  ``--hub-sizes``; about 10-20 minutes on 2 cores).

Each part writes ``benchmarks/results/<part>.json``; the tables in ``benchmarks/RESULTS.md``
between the ``results:begin``/``results:end`` markers are regenerated from them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_common import RESULTS, ROOT, machine, write_json  # noqa: E402

PARTS = ("course", "explorers", "fill", "browser", "bptt", "torchmap", "memory", "seeds", "hub")
TORCH_SPEC = "torch==2.13.0"
TORCH_VENV = ROOT / ".local" / "bench-torch"
#: One thread for BLAS and OpenMP in the torch comparison: with two pools (OpenBLAS's and
#: torch's OpenMP) spinning on 2 shared cores, both sides slow down by 10-100x and the
#: numbers mean nothing; at B = 32, H = 64 a second thread does not help either side.
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
RESULTS_MD = HERE / "RESULTS.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def say(text: str) -> None:
    print(text, flush=True)


# -- the torch venv ----------------------------------------------------------------------
def torch_python() -> Path | None:
    """The benchmark venv's python, created on first use; None when torch cannot be had."""
    python = TORCH_VENV / "bin" / "python"
    stamp = TORCH_VENV / ".installed"
    want = f"{TORCH_SPEC}\n{(ROOT / 'requirements.lock').read_text()}"
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return python
    say(f"  setting up {TORCH_VENV.relative_to(ROOT)} ({TORCH_SPEC} + the project; once)")
    quiet = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(TORCH_VENV)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(ROOT / "requirements.lock"),
            TORCH_SPEC,
            "threadpoolctl",
            "pytest",  # tests/test_torch_mapping.py runs here
            "-e",
            str(ROOT),
        ],
    ]
    for cmd in steps:
        done = subprocess.run(cmd, cwd=ROOT, check=False, **quiet)
        if done.returncode != 0:
            tail = "\n".join(ln for ln in done.stdout.splitlines() if "is ignored" not in ln)[-800:]
            say(f"  could not install torch, so the torch comparison is skipped:\n{tail}")
            return None
    stamp.write_text(want)
    return python


# -- parts ---------------------------------------------------------------------------------
def part_course(args: argparse.Namespace) -> dict[str, Any]:
    import bench_course

    res = bench_course.run(RESULTS / "course.json", args.notebooks or None)
    say(bench_course.report(res))
    return res


def part_explorers(args: argparse.Namespace) -> dict[str, Any]:
    import bench_explorers

    res = bench_explorers.run(RESULTS / "explorers.json", steps=args.steps)
    say(bench_explorers.report(res))
    return res


def part_fill(args: argparse.Namespace) -> dict[str, Any]:
    import bench_fill

    res = bench_fill.run(RESULTS / "fill.json")
    say(bench_fill.report(res))
    return res


def part_browser(args: argparse.Namespace) -> dict[str, Any] | None:
    script = HERE / "browser_latency.py"
    chromium = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if not script.exists():
        say("  skipped: benchmarks/browser_latency.py does not exist yet")
        return None
    if chromium is None:
        say("  skipped: Chromium is not installed (apt-get install -y chromium)")
        return None
    spec = importlib.util.spec_from_file_location("browser_latency", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    res = module.run(str(RESULTS / "browser_latency.json"))
    say("  " + json.dumps(res, sort_keys=True)[:2000])
    return res


def part_bptt(args: argparse.Namespace) -> dict[str, Any]:
    import bench_bptt

    out = RESULTS / "bptt.json"
    python = None if args.no_torch else torch_python()
    if python is None:
        if not args.no_torch:
            say("  torch unavailable: timing the numpy cells only")
        os.environ.update(SINGLE_THREAD)  # too late for an already-started BLAS: a note only
        res = bench_bptt.run(out)
        res["note"] = "no torch: numpy only, threads as configured by the environment"
        write_json("bptt", res)
    else:
        env = {**os.environ, **SINGLE_THREAD, "PYTHONWARNINGS": "ignore"}
        done = subprocess.run(
            [str(python), str(HERE / "bench_bptt.py"), str(out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            say(f"  bench_bptt failed in the torch venv:\n{done.stderr[-2000:]}")
            return {}
        res = json.loads(out.read_text())
        res["threads"] = "1 (OMP/OPENBLAS/MKL_NUM_THREADS=1, both sides)"
        write_json("bptt", res)
    say(bench_bptt.report(res))
    return res


def part_torchmap(args: argparse.Namespace) -> dict[str, Any]:
    """Notebook 07's NumPy-to-PyTorch table, row by row, in the torch venv."""
    import bench_torch_mapping

    python = None if args.no_torch else torch_python()
    if python is None:
        say("  torch unavailable: the mapping is not checked")
        return {}
    out = RESULTS / "torchmap.json"
    env = {**os.environ, **SINGLE_THREAD, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [str(python), str(HERE / "bench_torch_mapping.py"), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if not out.exists():
        say(f"  bench_torch_mapping failed in the torch venv:\n{done.stderr[-2000:]}")
        return {}
    res = json.loads(out.read_text())
    write_json("torchmap", res)
    say(bench_torch_mapping.report(res))
    return res


def part_memory(args: argparse.Namespace) -> dict[str, Any]:
    import bench_memory

    res = bench_memory.run(RESULTS / "memory.json")
    say(bench_memory.report(res))
    import bench_checkpoint  # gradient checkpointing: states kept and time ratio to full BPTT

    res["checkpoint"] = bench_checkpoint.run(RESULTS / "checkpoint.json")
    say(bench_checkpoint.report(res["checkpoint"]))
    return res


def part_seeds(args: argparse.Namespace) -> dict[str, Any]:
    import bench_seeds

    res = bench_seeds.run(RESULTS / "seeds.json")
    say(bench_seeds.report(res))
    return res


# -- RESULTS.md ----------------------------------------------------------------------------
def part_hub(args: argparse.Namespace) -> dict[str, Any]:
    import bench_hub

    sizes = tuple(int(x) for x in args.hub_sizes.split(",")) if args.hub_sizes else bench_hub.SIZES
    return bench_hub.run(RESULTS / "hub.json", sizes)


def _hub_md(hub: dict[str, Any]) -> list[str]:
    """The class-size table of bench_hub.py's results."""
    rows = sorted(hub["sizes"].values(), key=lambda r: r["n"])
    out = [
        f"### A class at once on JupyterHub (`bench_hub.py`, notebook {rows[0]['notebook'][:2]}, "
        f"{rows[0]['moves_per_student']} slider moves per student, {hub.get('cores')} cores, "
        f"{hub.get('memory_gib')} GiB)",
        "",
        "Per student (medians): server and kernel RSS / USS after the session, kernel CPU of "
        "Run All, login → kernel ready. Per class: class start → last Run All done, slider "
        "latency over every move of every student, failures, the 1-minute load average "
        "just before the class started (other work on the machine) and during the run "
        "(mean / max, the class included).",
        "",
        "| N | failures | login → ready s (median / max) | Run All s (median) | Run All CPU s "
        "| Run All done s | slider p50 ms | slider p95 ms | kernel CPU per move ms "
        "| server + kernel RSS MiB | server + kernel USS MiB | hub + proxy CPU s "
        "| load before / mean / max |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for r in rows:
        rss = f"{r['server_rss_mib_median']} + {r['kernel_rss_mib_median']}"
        uss = f"{r['server_uss_mib_median']} + {r['kernel_uss_mib_median']}"
        out.append(
            f"| {r['n']} | {r['failures']} | {r['login_to_ready_s_median']} / "
            f"{r['login_to_ready_s_max']} | {r['run_all_s_median']} | {r['run_all_cpu_s_median']} "
            f"| {r['run_all_complete_s']} | {r['slider_p50_ms']} | {r['slider_p95_ms']} "
            f"| {r['slider_kernel_cpu_ms_median']} | {rss} | {uss} "
            f"| {r['hub_cpu_s']} + {r['proxy_cpu_s']} "
            f"| {r['load_before']} / {r['load_1min_mean']} / {r['load_1min_max']} |"
        )
    fails = [(r["n"], m) for r in rows for m in r["failure_messages"]]
    if fails:
        out += ["", "Failures: " + "; ".join(f"N={n}: {m}" for n, m in fails)]
    return [*out, ""]


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _machine_md(m: dict[str, Any]) -> list[str]:
    blas = "; ".join(
        ", ".join(f"{k} {v}" for k, v in lib.items() if v is not None) for lib in m.get("blas", [])
    )
    return [
        f"Measured {m['date_utc']} UTC on {m['cpu']}, {m['cores']} cores (load average "
        f"{', '.join(map(str, m['load_average_1_5_15'] or []))} at the start: shared and busy), "
        f"{m['platform']}, Python {m['python']}, NumPy {m['numpy']}, matplotlib {m['matplotlib']}, "
        f"Pillow {m['pillow']}. BLAS: {blas}.",
        "",
    ]


def _step_cells(step: dict[str, Any] | None) -> str:
    """The step-move columns of the explorer table (blank for results measured before)."""
    if not step:
        return " | | | | "
    u = step["update"]
    ok = "" if step["meets_goal"] else " **slow**"
    return (
        f"{u['n']} | {u['median_ms']:.1f} | {u['p95_ms']:.1f} | "
        f"{step['ratio_p95_over_naive_median']:.2f}{ok} | "
    )


def _paths_cell(paths: dict[str, int] | None) -> str:
    """``blit / full / layout`` counts of one sweep."""
    if paths is None:
        return ""
    return " / ".join(str(paths.get(k, 0)) for k in ("blit", "full", "layout"))


def render_tables() -> str:
    """Markdown tables from every results/*.json present."""
    out: list[str] = []
    info = _load("machine")
    if info:
        out += ["### Machine", "", *_machine_md(info)]
    course = _load("course")
    if course:
        out += [
            "### Course run time (fresh kernel per notebook; goal ≤ 20 s each; the course under "
            "nbval on 2 cores ≤ 60 s)",
            "",
            "| notebook | wall s | kernel start s | slowest cell | its s |",
            "|---|---:|---:|---|---:|",
        ]
        for name, r in course["notebooks"].items():
            if "failed" in r:
                out.append(f"| {name} | failed | | {r['failed'][:80]} | |")
                continue
            slow = (
                r["slowest_cells"][0]
                if r["slowest_cells"]
                else {"cell": "", "first_line": "", "seconds": 0}
            )
            flag = "" if r["meets_goal"] else " **> 20**"
            out.append(
                f"| {name} | {r['wall_s']:.1f}{flag} | {r['kernel_start_s']:.1f} | "
                f"#{slow['cell']} `{slow['first_line'][:50]}` | {slow['seconds']:.1f} |"
            )
        out += [f"| **one after another** | **{course['total_s']:.1f}** | | | |"]
        nbval = course.get("nbval")
        if nbval:
            out += [
                f"| **nbval, {nbval['workers']} notebooks at a time (`make nbval`)** | "
                f"**{nbval['wall_s']:.1f}** | | {nbval['summary']} | |"
            ]
        out += [""]
    ex = _load("explorers")
    if ex:
        out += [
            "### Explorer update (compute + draw + PNG), swept over every control",
            "",
            f"Naive redraw (new 6×3.5 in figure, two 1000-point lines, PNG), interleaved: median "
            f"{ex['naive_median_ms_overall']:.1f} ms; with `bbox_inches='tight'` (what "
            f"`plt.show()` inline does) median {ex['naive_tight']['median_ms']:.1f} ms.",
            "",
            f"Coarse sweep: each control over {ex.get('steps_per_control', 5)} values from its"
            " minimum to its maximum (every"
            " option of a dropdown), twice. **Step** moves: each control one step of its"
            " slider's grid (the neighbouring option) up and back, down and back, from its"
            f" default, {ex.get('step_repeats', 3)} times: what a key press or a drag sends; its"
            " ratio is to the naive redraws interleaved with the step moves.",
            "",
            "| explorer | figure px | updates | median ms | p95 ms | naive median ms"
            " | p95 / naive | step updates | step median ms | step p95 ms | step p95 / naive"
            " | compute / render / encode ms | PNG KiB | savefig route median ms"
            " | its PNG KiB |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
        ]
        for key, r in ex["explorers"].items():
            u = r["update"]
            ok = "" if r["meets_goal"] else " **slow**"
            out.append(
                f"| {key} | {r['figure_px'][0]}×{r['figure_px'][1]} | {u['n']}"
                f" | {u['median_ms']:.1f} | "
                f"{u['p95_ms']:.1f} | {r['naive']['median_ms']:.1f} | "
                f"{r['ratio_p95_over_naive_median']:.2f}{ok} | "
                + _step_cells(r.get("step"))
                + " / ".join(
                    f"{r['breakdown_median_ms'][k]:.0f}" for k in ("compute", "render", "encode")
                )
                + f" | {r['png_bytes'] / 1024:.0f} | "
                f"{r['savefig_route']['median_ms']:.1f} | {r['savefig_png_bytes'] / 1024:.0f} |"
            )
        out.append("")
        if any("paths" in r for r in ex["explorers"].values()):
            out += [
                "How the updates were drawn (`Explorer.frames`): **blit** = changed artists"
                " over the saved background, **full** = everything on the frozen layout,"
                " **layout** = layout solved again, then everything.",
                "",
                "| explorer | coarse: blit / full / layout | step: blit / full / layout |",
                "|---|---|---|",
            ]
            for key, r in ex["explorers"].items():
                out.append(
                    f"| {key} | {_paths_cell(r.get('paths'))}"
                    f" | {_paths_cell((r.get('step') or {}).get('paths'))} |"
                )
            out.append("")
    br = _load("browser_latency")
    if br:
        env = br.get("environment", {})
        out += [
            "### Browser: key press → new figure (JupyterLab + Chromium, `browser_latency.py`)",
            "",
            f"{br.get('n_per_explorer')} presses per explorer and route, interleaved; "
            f"{env.get('chromium', '')}, JupyterLab {env.get('jupyterlab')}, 1-min load "
            f"{env.get('load_average_1min_at_start')} at the start. Routes: **image** = the "
            "course's explorer (its picture a `FramePicture`: pictures drawn ahead are swapped "
            "in by the page); **output** = the same explorer through "
            "`interactive_output` + inline PNG; **plt_show** = a new figure per move (nb00 only); "
            "**echo** = the round trip alone, the floor of any route through the kernel.",
            "",
            "Held keys and drags: lag = from each input to the first new picture after it "
            '(median / p95 ms); "in the page" = presses, or pictures during held keys, that '
            "the page answered from pictures drawn ahead, of all; own = from each value the "
            "slider takes to a picture for it or a later value (a nearest picture does not "
            "count); near = how far the picture shown one 60 Hz frame after each value is "
            "from it, median / p95, in % of the slider's length (0: its own picture).",
            "",
            "| explorer | image median ms | image p95 ms | output median ms | output p95 ms"
            " | output / image (median) | presses in the page | hold lag | hold pictures in"
            " the page | hold own | drag lag | drag own | drag near (%) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        rows = [("**all (pooled)**", br.get("pooled", {}))] + [
            (k, {r: br["explorers"][r].get(k) for r in br["explorers"]})
            for k in sorted(br["explorers"].get("image", {}))
        ]
        image_route = br["explorers"].get("image", {})
        pooled_gestures = (br.get("pooled_gestures") or {}).get("image", {})

        def share(counts: dict[str, int] | None) -> str:
            counts = counts or {}
            total = sum(counts.values())
            return f"{counts.get('page', 0)}/{total}" if total else ""

        def lag(gesture: dict[str, Any] | None, which: str = "lag") -> str:
            r = (gesture or {}).get(which)
            return f"{r['median_ms']:.0f} / {r['p95_ms']:.0f}" if r else ""

        def near(gesture: dict[str, Any] | None) -> str:
            r = (gesture or {}).get("gap_after_a_frame")
            return f"{100 * r['median']:.1f} / {100 * r['p95']:.1f}" if r and "median" in r else ""

        for key, routes in rows:
            img, outp = routes.get("image"), routes.get("output")
            if not img or not outp:
                continue
            if "median_ms" not in img or "median_ms" not in outp:
                missed = {r: len((e or {}).get("no_picture", [])) for r, e in routes.items()}
                out.append(f"| {key} | no picture within 20 s for any press: {missed} |")
                continue
            if key in image_route:
                entry = image_route[key]
                answered, gestures = entry.get("answered_by"), entry
            else:  # pooled
                answered = {}
                for e in image_route.values():
                    for who, n in (e.get("answered_by") or {}).items():
                        answered[who] = answered.get(who, 0) + n
                gestures = pooled_gestures
            hold = gestures.get("hold") or {}
            out.append(
                f"| {key} | {img['median_ms']:.0f} | {img['p95_ms']:.0f} | {outp['median_ms']:.0f}"
                f" | {outp['p95_ms']:.0f} | {outp['median_ms'] / img['median_ms']:.0f} |"
                f" {share(answered)} | {lag(hold)} | {share(hold.get('pictures_by'))} |"
                f" {lag(hold, 'exact_lag')} | {lag(gestures.get('drag'))} |"
                f" {lag(gestures.get('drag'), 'exact_lag')} | {near(gestures.get('drag'))} |"
            )
        first = [
            (
                k,
                e["first_drag"],
                e.get("first_drag_after_s"),
                e.get("first_drag_held"),
                e.get("first_drag_whole"),
            )
            for k, e in sorted(image_route.items())
            if e.get("first_drag")
        ]
        first_rows = [
            "",
            "First drag: each explorer's first move, a drag of its first slider before the"
            " presses above (image route), once it was on screen and its page held at least"
            " as many pictures as the slider has values, with none new for 3 s (at most"
            " 240 s); drawn in = seconds from scrolling it into view to the last picture"
            " received; held = pictures its page then held (* : fewer than the slider's"
            " values, the wait ran out); own values = values of the drag whose own picture"
            " was shown within a 60 Hz frame.",
            "",
            "| explorer | drawn in (s) | held | drag lag | drag own | drag near (%) | own values |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for key, g, after, held, whole in first:
            gap = g.get("gap_after_a_frame") or {}
            own = f"{round(gap['exact_share'] * gap['n'])}/{gap['n']}" if gap else ""
            first_rows.append(
                f"| {key} | {'' if after is None else after} |"
                f" {'' if held is None else held}{'*' if whole is False else ''} |"
                f" {lag(g)} | {lag(g, 'exact_lag')} | {near(g)} | {own} |"
            )
        show = br.get("pooled", {}).get("plt_show")
        if show:
            out.append(
                f"| nb00 via `plt.show()` (new figure) | | | {show['median_ms']:.0f} |"
                f" {show['p95_ms']:.0f} | | | | | | | | |"
            )
        echo = br.get("pooled", {}).get("echo")
        if echo:
            out.append(
                f"| round trip alone (**echo**: a ready PNG, no drawing) | {echo['median_ms']:.0f}"
                f" | {echo['p95_ms']:.0f} | | | | | | | | | | |"
            )
        if first:
            out += first_rows
        out.append("")
    bp = _load("bptt")
    if bp:
        c = bp["case"]
        out += [
            f"### BPTT forward + backward, T = {c['T']}, B = {c['B']}, D = {c['D']}, H = {c['H']}",
            "",
            f"torch {bp.get('torch') or 'not available'}; threads: {bp.get('threads', 'default')}. "
            "Ratio = numpy median / torch median (interleaved); error = max relative difference "
            "of states and every gradient with the same weights.",
            "",
            "| cell | dtype | numpy median ms | numpy p95 ms | torch median ms | ratio"
            " | max rel. error |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        cells = sorted(bp["cells"].items(), key=lambda kv: ("rnn", "lstm", "gru").index(kv[0]))
        for cell, entry in cells:
            if "skipped" in entry:
                out.append(f"| {cell} | | skipped: {entry['skipped']} | | | | |")
                continue
            for dname in ("float64", "float32"):
                r = entry[dname]
                t = r.get("torch")
                err = max(r["max_rel_error"].values()) if "max_rel_error" in r else None
                out.append(
                    f"| {cell} | {dname} | {r['numpy']['median_ms']:.2f}"
                    f" | {r['numpy']['p95_ms']:.2f} | "
                    f"{t['median_ms']:.2f} | {r['ratio_numpy_over_torch']:.2f} | {err:.1e} |"
                    if t
                    else f"| {cell} | {dname} | {r['numpy']['median_ms']:.2f} | "
                    f"{r['numpy']['p95_ms']:.2f} | – | – | – |"
                )
        out.append("")
        for cell, entry in cells:
            if "profile_float64" not in entry:
                continue
            out += [
                f"<details><summary>profile of helpers.{cell} (float64, per forward + backward)"
                "</summary>",
                "",
                "| function | calls | own ms | cumulative ms |",
                "|---|---:|---:|---:|",
            ]
            for row in entry["profile_float64"]:
                out.append(
                    f"| `{row['function']}` | {row['calls_per_run']:.0f}"
                    f" | {row['own_ms_per_run']:.2f} | "
                    f"{row['cum_ms_per_run']:.2f} |"
                )
            out += ["", "</details>", ""]
    tmap = _load("torchmap")
    if tmap:
        out += [
            f"### From NumPy to PyTorch (notebook 07's table; torch {tmap['torch']})",
            "",
            "| row | relative error | same |",
            "|---|---:|---|",
        ]
        for r in tmap["rows"]:
            out.append(f"| {r['row']} | {r['rel_error']:.1e} | {'yes' if r['ok'] else 'NO'} |")
        out.append("")
    mem = _load("memory")
    if mem:
        c = mem["case"]
        out += [
            f"### Memory (B = {c['B']}, D = {c['D']}, H = {c['H']}, float64, k = {c['k']})",
            "",
            "| cell | T | how | stored activations MiB | peak of forward + backward MiB |",
            "|---|---:|---|---:|---:|",
        ]
        for r in mem["rows"]:
            out.append(
                f"| {r['cell']} | {r['T']} | {r['how']} | {r['stored_bytes'] / 2**20:.2f} | "
                f"{r['peak_bytes'] / 2**20:.2f} |"
            )
        out.append("")
    fill = _load("fill")
    if fill:
        import bench_fill

        load = fill["machine"].get("load_average_1_5_15")
        out += [
            "### Drawing a slider whole after a move (`bench_fill.py`, part `fill`)",
            "",
            f"Every slider with more than {fill.get('prefetch_frames', 24)} values, from the"
            " explorer's start values: the pictures `Explorer.along_slider()` draws (every"
            f" value of a slider of up to {fill['fill_frames']}, that many spread along a"
            " longer one), in CPU seconds of the process; naive redraws = that CPU time over"
            f" the median naive redraw of the same run ({fill['naive_redraw_median_cpu_ms']:.0f}"
            f" ms CPU); load average {load} at the start.",
            "",
            bench_fill.report(fill),
            "",
        ]
    seeds = _load("seeds")
    if seeds:
        st = seeds["setup"]
        load = seeds["machine"].get("load_average_1_5_15")
        out += [
            "### Many seeds at once: one stacked fit against a loop of separate fits",
            "",
            f"{st['task']}; {st['fit']}; {st['timing']}; load average {load} at the start."
            " Speed-up = loop median / stack median (interleaved); max rel. diff = largest"
            " relative difference between model m of the stack and the separate fit of seed m.",
            "",
            "| task | cell | M | H | loop median CPU ms | stack median CPU ms | speed-up"
            " | max rel. diff |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for c in seeds["cases"]:
            out.append(
                f"| {c.get('task', 'adding')} | {c['cell']} | {c['M']} | {c['H']}"
                f" | {c['loop']['median_ms']:.0f}"
                f" | {c['stack']['median_ms']:.0f} | {c['speedup_median']:.2f} |"
                f" {c['max_rel_diff_params']:.0e} |"
            )
        out.append("")
    hub = _load("hub")
    if hub and hub.get("sizes"):
        out += _hub_md(hub)
    return "\n".join(out)


def update_results_md() -> None:
    """Replace the generated part of RESULTS.md (between the markers) with fresh tables."""
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    RESULTS_MD.write_text(f"{head}{BEGIN}\n{render_tables()}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated subset of {PARTS}"
    )
    parser.add_argument("--notebooks", nargs="*", help="course: only notebooks starting with these")
    parser.add_argument("--steps", type=int, default=5, help="explorers: values per control")
    parser.add_argument("--no-torch", action="store_true", help="bptt: do not set up torch")
    parser.add_argument("--hub-sizes", default="", help="hub: class sizes, e.g. 5,10")
    parser.add_argument("--tables-only", action="store_true", help="only regenerate RESULTS.md")
    args = parser.parse_args(argv)
    if not args.tables_only:
        chosen = [p.strip() for p in args.only.split(",") if p.strip()]
        unknown = sorted(set(chosen) - set(PARTS))
        if unknown:
            parser.error(f"unknown part(s) {unknown}; choose from {PARTS}")
        RESULTS.mkdir(parents=True, exist_ok=True)
        write_json("machine", machine())
        for part in PARTS:
            if part in chosen:
                start = time.perf_counter()
                say(f"== {part}")
                globals()[f"part_{part}"](args)
                say(f"   ({time.perf_counter() - start:.0f} s)")
    update_results_md()
    say(f"tables written to {RESULTS_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
