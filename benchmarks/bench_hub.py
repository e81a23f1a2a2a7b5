"""A whole class at once on the course's JupyterHub (``make bench BENCH="--only hub"``).

For each class size N (default 1, 5, 10, 20, 40) a fresh hub is started on 127.0.0.1
(``tools/hub/hub.py``: JupyterHub 6.1.1, configurable-http-proxy, local spawner, demo
login) and N simulated students (``tools/hub/classroom.py``) all start at the same moment,
as a class does when the instructor says "go". Each student:

1. logs in through the hub's login form;
2. follows the nbgitpuller link (the hub starts the student's server; nbgitpuller clones
   the course from a local git repository made from ``make student``'s notebooks);
3. opens the notebook page and starts a kernel: **login → ready** ends when the kernel
   answers;
4. runs the session's notebook (default notebook 02) top to bottom over the kernel's
   websocket: **Run All** wall time, and the kernel's **CPU seconds** from /proc;
5. moves the notebook's first explorer slider ``MOVES`` times, a key press every
   ``THINK_S`` seconds, as JupyterLab does (an ipywidgets ``comm_msg`` "update"): **slider
   latency** = send → the explorer's ``Image`` update back on the websocket, through the
   proxy;
6. memory: RSS and USS (unique set size: what this student alone adds) of the student's
   Jupyter server and kernel, after the slider moves.

Per class: Run All completion (class start → last student's Run All done), slider latency
p50/p95 over every move of every student, failures (a login, spawn, pull, cell or slider
that fails or times out; a kernel that dies), and the 1-minute load average sampled every
2 s during the run (other work on the machine shows there). Every size has a hard timeout
(``120 + 20·N`` s); students unfinished by then count as failures. Loopback only.

Results: ``benchmarks/results/hub.json`` (sizes measured in separate runs are merged).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tools" / "hub"))
import classroom  # noqa: E402
import hub as course_hub  # noqa: E402

SIZES = (1, 5, 10, 20, 40)  # 1: the baseline, one student alone
NOTEBOOK = "02_vanishing_and_exploding_toys.ipynb"
MOVES = 10
THINK_S = 0.5
CELL_TIMEOUT_S = 300.0
MOVE_TIMEOUT_S = 60.0


def hard_timeout(n: int) -> float:
    return 120.0 + 20.0 * n


def _mib(x: float) -> float:
    return round(x / 2**20, 1)


async def one_student(
    hub: course_hub.Hub, repo: Path, name: str, t_class: float, moves: int
) -> dict[str, Any]:
    """One student's session; a dict of measurements, with ``failure`` set if a step failed."""
    rec: dict[str, Any] = {"name": name, "stage": "login"}
    folder = repo.name
    path = f"{folder}/{NOTEBOOK}"
    student = classroom.Student(hub.url, name, hub.password, timeout=hard_timeout(40))
    kernel = None
    try:
        t0 = time.perf_counter()
        await student.login()
        rec["stage"] = "spawn"
        await student.open_link(course_hub.nbgitpuller_link(hub.url, repo, NOTEBOOK))
        rec["spawn_s"] = time.perf_counter() - t0
        rec["stage"] = "pull"
        await student.pull(str(repo))
        await student.open_lab(path)
        nb = await student.get_notebook(path)
        rec["stage"] = "kernel"
        kernel, kernel_id = await student.start_kernel(path)
        await kernel.execute("pass", CELL_TIMEOUT_S)  # the kernel answers: ready
        rec["login_to_ready_s"] = time.perf_counter() - t0
        kproc, sproc = classroom.processes(kernel_id)
        rec["stage"] = "run_all"
        cpu0 = classroom.cpu_seconds(kproc)
        t1 = time.perf_counter()
        for cell in nb["cells"]:
            if cell["cell_type"] == "code" and cell["source"].strip():
                await kernel.execute(cell["source"], CELL_TIMEOUT_S)
        rec["run_all_s"] = time.perf_counter() - t1
        rec["run_all_done_at_s"] = time.perf_counter() - t_class
        rec["run_all_cpu_s"] = classroom.cpu_seconds(kproc) - cpu0
        rec["stage"] = "sliders"
        sliders = [c for c, s in kernel.models.items() if s.get("_model_name") in classroom.SLIDERS]
        if not sliders or not kernel.images():
            raise classroom.ClassroomError("no explorer slider in the notebook")
        comm = sliders[0]
        state = kernel.models[comm]
        rec["slider"] = state.get("description", "?")
        lat = []
        kcpu0, scpu0 = classroom.cpu_seconds(kproc), classroom.cpu_seconds(sproc)
        for i in range(moves):
            step = state["step"] if i % 2 == 0 else -state["step"]
            value = state["value"] + step
            if not state["min"] <= value <= state["max"]:
                value = state["value"] - step
            lat.append(await kernel.move(comm, value, MOVE_TIMEOUT_S))
            await asyncio.sleep(THINK_S)
        rec["slider_s"] = lat
        rec["slider_kernel_cpu_ms"] = 1e3 * (classroom.cpu_seconds(kproc) - kcpu0) / moves
        rec["slider_server_cpu_ms"] = 1e3 * (classroom.cpu_seconds(sproc) - scpu0) / moves
        for key, proc in (("kernel", kproc), ("server", sproc)):
            mem = proc.memory_full_info()
            rec[f"{key}_rss_mib"], rec[f"{key}_uss_mib"] = _mib(mem.rss), _mib(mem.uss)
        rec["server_cpu_s"] = classroom.cpu_seconds(sproc)
        rec["stage"] = "done"
    except (classroom.ClassroomError, OSError, TimeoutError) as exc:
        rec["failure"] = f"{rec['stage']}: {exc.__class__.__name__}: {exc}"[:300]
    except Exception as exc:  # anything else is a failure of this student, not of the run
        rec["failure"] = f"{rec['stage']}: {exc.__class__.__name__}: {exc}"[:300]
    finally:
        if kernel is not None:
            kernel.close()
        await student.close()
    return rec


async def _sample_load(samples: list[float]) -> None:
    while True:
        samples.append(os.getloadavg()[0])
        await asyncio.sleep(2.0)


def hub_processes(hub: course_hub.Hub) -> dict[str, psutil.Process]:
    """The hub's own process and its proxy (configurable-http-proxy, a Node child)."""
    main = psutil.Process(hub.process.pid)
    procs = {"hub": main}
    for child in main.children():
        if "configurable-http-proxy" in " ".join(child.cmdline()):
            procs["proxy"] = child
    return procs


async def one_class(hub: course_hub.Hub, repo: Path, n: int, moves: int) -> dict[str, Any]:
    infra = hub_processes(hub)
    infra_cpu0 = {k: classroom.cpu_seconds(p) for k, p in infra.items()}
    loads: list[float] = []
    sampler = asyncio.ensure_future(_sample_load(loads))
    t_class = time.perf_counter()
    tasks = [
        asyncio.ensure_future(one_student(hub, repo, f"student{i:03d}", t_class, moves))
        for i in range(n)
    ]
    done, pending = await asyncio.wait(tasks, timeout=hard_timeout(n))
    for task in pending:
        task.cancel()
    wall = time.perf_counter() - t_class
    sampler.cancel()
    students = [t.result() for t in done]
    students += [
        {"name": "?", "failure": f"hard timeout after {hard_timeout(n):.0f} s"} for _ in pending
    ]
    infra_cpu = {f"{k}_cpu_s": classroom.cpu_seconds(p) - infra_cpu0[k] for k, p in infra.items()}
    infra_rss = {f"{k}_rss_mib": _mib(p.memory_info().rss) for k, p in infra.items()}
    return {"students": students, "wall_s": wall, "load_1min": loads, **infra_cpu, **infra_rss}


def summarise(n: int, raw: dict[str, Any]) -> dict[str, Any]:
    ok = [s for s in raw["students"] if "failure" not in s]
    lat = np.array([x for s in ok for x in s["slider_s"]]) * 1e3

    def med(key: str) -> float | None:
        vals = [s[key] for s in ok if key in s]
        return round(float(np.median(vals)), 2) if vals else None

    def mx(key: str) -> float | None:
        vals = [s[key] for s in raw["students"] if key in s]
        return round(float(np.max(vals)), 2) if vals else None

    loads = raw["load_1min"] or [os.getloadavg()[0]]
    return {
        "n": n,
        "notebook": NOTEBOOK,
        "moves_per_student": MOVES,
        "failures": len(raw["students"]) - len(ok),
        "failure_messages": sorted({s["failure"] for s in raw["students"] if "failure" in s}),
        "wall_s": round(raw["wall_s"], 1),
        "run_all_complete_s": mx("run_all_done_at_s"),
        "login_to_ready_s_median": med("login_to_ready_s"),
        "login_to_ready_s_max": mx("login_to_ready_s"),
        "run_all_s_median": med("run_all_s"),
        "run_all_cpu_s_median": med("run_all_cpu_s"),
        "kernel_rss_mib_median": med("kernel_rss_mib"),
        "server_rss_mib_median": med("server_rss_mib"),
        "kernel_uss_mib_median": med("kernel_uss_mib"),
        "server_uss_mib_median": med("server_uss_mib"),
        "server_cpu_s_median": med("server_cpu_s"),
        "slider_kernel_cpu_ms_median": med("slider_kernel_cpu_ms"),
        "slider_server_cpu_ms_median": med("slider_server_cpu_ms"),
        "hub_cpu_s": round(raw.get("hub_cpu_s", float("nan")), 2),
        "proxy_cpu_s": round(raw.get("proxy_cpu_s", float("nan")), 2),
        "hub_rss_mib": raw.get("hub_rss_mib"),
        "proxy_rss_mib": raw.get("proxy_rss_mib"),
        "slider_n": int(lat.size),
        "slider_p50_ms": round(float(np.percentile(lat, 50)), 1) if lat.size else None,
        "slider_p95_ms": round(float(np.percentile(lat, 95)), 1) if lat.size else None,
        "load_1min_mean": round(float(np.mean(loads)), 2),
        "load_1min_max": round(float(np.max(loads)), 2),
        "load_before": raw.get("load_before"),
        "students": raw["students"],
    }


def run_size(n: int, work: Path, moves: int = MOVES) -> dict[str, Any]:
    """One class of ``n`` on a fresh hub; its summary."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    source = ROOT / "dist" / "student"
    if not (source / NOTEBOOK).exists():
        import subprocess

        subprocess.run([sys.executable, str(ROOT / "tools" / "student.py")], check=True)
    repo = work / "course" / "unrolled-student"
    course_hub.publish_course(source, repo)
    load_before = os.getloadavg()[0]
    with course_hub.Hub(
        work / "state", log=work / "hub.log", start_timeout=int(hard_timeout(n))
    ) as hub:
        raw = asyncio.run(one_class(hub, repo, n, moves))
    raw["load_before"] = round(load_before, 2)
    shutil.rmtree(work / "state" / "users", ignore_errors=True)
    return summarise(n, raw)


def run(out: Path, sizes: tuple[int, ...] = SIZES, moves: int = MOVES) -> dict[str, Any]:
    """Measure every size in ``sizes`` (merged into ``out``); the results."""
    res = json.loads(out.read_text()) if out.exists() else {}
    res.setdefault("sizes", {})
    work = Path(tempfile.mkdtemp(prefix="unrolled-hub-bench-"))
    # `kill` stops it as Ctrl-C does, so each hub (in a session of its own) is stopped too.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        for n in sizes:
            print(f"  class of {n}: starting (hard timeout {hard_timeout(n):.0f} s)", flush=True)
            s = run_size(n, work / f"n{n}", moves)
            res["sizes"][str(n)] = s
            res["cores"] = os.cpu_count()
            res["memory_gib"] = round(
                os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")
            print("  " + report_line(s), flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(work, ignore_errors=True)
    return res


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def report_line(s: dict[str, Any]) -> str:
    return (
        f"N={s['n']}: failures {s['failures']}, ready median {s['login_to_ready_s_median']} s, "
        f"Run All done {s['run_all_complete_s']} s (cpu {s['run_all_cpu_s_median']} s each), "
        f"slider p50/p95 {s['slider_p50_ms']}/{s['slider_p95_ms']} ms, "
        f"kernel+server RSS {s['kernel_rss_mib_median']}+{s['server_rss_mib_median']} MiB, "
        f"load {s['load_1min_mean']} (max {s['load_1min_max']})"
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--moves", type=int, default=MOVES)
    args = parser.parse_args()
    sizes = tuple(int(x) for x in args.sizes.split(","))
    run(HERE / "results" / "hub.json", sizes, args.moves)
