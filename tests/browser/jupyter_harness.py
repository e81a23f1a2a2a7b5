"""Run JupyterLab and drive it from Debian's Chromium: shared by the browser tests and
``benchmarks/browser_latency.py``.

Plain functions and one context manager, no pytest: the benchmark imports this file too.

- ``find_chromium()``: the browser to use (env ``CHROMIUM``, else ``/usr/bin/chromium``).
- ``JupyterServer(root)``: ``jupyter lab`` on a free port of 127.0.0.1 with a random token
  (passed in the environment, never on the command line) and private config, data,
  runtime, IPython and matplotlib directories, so nothing of the user's setup leaks in and
  nothing (trust database, workspaces, autosaves) leaks out.
- ``launch_chromium(playwright)``: Debian's Chromium, headless, no sandbox, no GPU, no
  network chatter.
- Page helpers for the JupyterLab and Notebook 7 front ends: wait until the kernel is idle,
  Run All, wait until every code cell has its ``[n]`` prompt, collect error outputs.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: Flags for Debian's Chromium in a container: no sandbox (root), no GPU, nothing that
#: phones home or updates itself during a test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "Chromium not found: the browser tests drive Debian's Chromium "
    "(install it with `sudo apt-get install -y chromium`, or set CHROMIUM=/path/to/chromium)."
)

#: Settings a student would not see in a fresh install but that break screenshots and
#: timing: the "Jupyter news" popup and the update check (both need the network).
LAB_SETTING_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
}

# CSS selectors, shared by the tests and the benchmark.
CODE_CELL = ".jp-CodeCell"
INPUT_PROMPT = ".jp-CodeCell .jp-InputPrompt"
OUTPUT = ".jp-OutputArea-output"
ERROR_OUTPUTS = (
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
    ".jp-OutputArea-output[data-mime-type*='error'], "
    ".jp-RenderedText[data-mime-type*='error']"
)
WIDGET_ERROR_TEXT = "Error displaying widget"
#: A content fingerprint of an <img>: FNV-1a over the bytes behind its src (blob: or data:).
FINGERPRINT_JS = """async img => {
    const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 0x811c9dc5;
    for (let i = 0; i < buf.length; i++) { h ^= buf[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return buf.length + ':' + h.toString(16);
}"""


def notebooks_dir() -> Path:
    """The notebooks under test: ``notebooks/``, or ``$UNROLLED_BROWSER_NOTEBOOKS`` if set
    (a scratch directory, e.g. to show that a deliberately broken copy fails)."""
    override = os.environ.get("UNROLLED_BROWSER_NOTEBOOKS")
    return Path(override).resolve() if override else ROOT / "notebooks"


def notebooks_under_test() -> list[Path]:
    """Every ``*.ipynb`` in ``notebooks_dir()``, sorted: what exists now, no fixed list."""
    return sorted(notebooks_dir().glob("*.ipynb"))


def find_chromium() -> str | None:
    """Path of the Chromium to drive, or ``None`` when there is none.

    ``CHROMIUM`` in the environment wins (it must then exist); otherwise Debian's
    ``/usr/bin/chromium``, then ``chromium`` or ``chromium-browser`` on ``PATH``.
    """
    wanted = os.environ.get("CHROMIUM")
    if wanted:
        return wanted if os.access(wanted, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright: Any, executable: str) -> Any:
    """A headless Debian Chromium from a ``sync_playwright()`` handle (never a downloaded one)."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def copy_notebooks(src: Path, dest: Path) -> list[Path]:
    """Copy every ``*.ipynb`` of ``src`` (and the non-notebook files beside them, e.g. data)
    into ``dest``; returns the copied notebooks, sorted. JupyterLab autosaves over what it
    opens, so tests only ever open copies."""
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for item in sorted(src.iterdir()):
        if item.name.startswith(".") or item.name == "src" or item.name.endswith("_checkpoints"):
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copy2(item, target)
            if item.suffix == ".ipynb":
                copied.append(target)
    return copied


class JupyterServer:
    """``jupyter lab`` serving ``root`` on 127.0.0.1, private and token-protected.

    Use as a context manager; ``url(path)`` gives an address with the token. The server's
    log goes to ``<state>/server.log`` (``log_tail()`` for error messages).
    """

    def __init__(self, root: Path, *, state_dir: Path | None = None, startup_timeout_s: float = 60):
        self.root = Path(root)
        self._own_state = state_dir is None
        self.state = Path(state_dir or tempfile.mkdtemp(prefix="unrolled-jupyter-"))
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.startup_timeout_s = startup_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.state / "server.log"

    # -- lifecycle -----------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        dirs = {
            "JUPYTER_CONFIG_DIR": self.state / "config",
            "JUPYTER_DATA_DIR": self.state / "data",  # trust database lives here: starts empty
            "JUPYTER_RUNTIME_DIR": self.state / "runtime",
            "IPYTHONDIR": self.state / "ipython",
        }
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
        labconfig.mkdir(exist_ok=True)
        (labconfig / "default_setting_overrides.json").write_text(
            json.dumps({"default_setting_overrides": LAB_SETTING_OVERRIDES}), encoding="utf-8"
        )
        env = dict(os.environ)
        env.update({k: str(v) for k, v in dirs.items()})
        # matplotlib's font cache is slow to build: reuse the checkout's private one if the
        # Makefile set it, else keep it with the rest of this server's state.
        env.setdefault("MPLCONFIGDIR", str(self.state / "matplotlib"))
        env["JUPYTER_TOKEN"] = self.token  # in the environment: not visible in `ps`
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        env.pop("JUPYTER_PATH", None)
        return env

    def start(self) -> JupyterServer:
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={self.port}",
            "--port-retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        log = open(self.log_path, "wb")
        self._log = log
        self.proc = subprocess.Popen(
            cmd, env=self._env(), stdout=log, stderr=subprocess.STDOUT, cwd=self.root
        )
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"jupyter lab did not answer within {self.startup_timeout_s} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        """Remove the private state directory (only if this object created it)."""
        if self._own_state:
            shutil.rmtree(self.state, ignore_errors=True)

    def __enter__(self) -> JupyterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.cleanup()

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-n:])

    # -- addresses and REST --------------------------------------------------------------
    def url(self, path: str, **query: str) -> str:
        """``http://127.0.0.1:PORT/<path>?...&token=...``."""
        params = "".join(f"{k}={v}&" if v else f"{k}&" for k, v in query.items())
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}{params}token={self.token}"

    def api(self, method: str, path: str, timeout: float = 10) -> Any:
        req = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every session's kernel, so notebooks do not pile up kernels."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")


# -- page helpers ----------------------------------------------------------------------------
def wait_kernel_idle(page: Any, timeout_ms: float = 60_000) -> None:
    """Wait until the notebook's kernel has started and is idle (JupyterLab and Notebook 7)."""
    page.wait_for_selector(
        ".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached", timeout=timeout_ms
    )


def wait_notebook_rendered(page: Any, n_code_cells: int, timeout_ms: float = 60_000) -> None:
    """Wait until the notebook panel shows all its code cells."""
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length >= n",
        arg=n_code_cells,
        timeout=timeout_ms,
    )


#: Run → Run All Cells is clicked again when no cell was queued within this many ms, at most
#: ``RUN_ALL_CLICKS`` times in all, as a student would click again.
RUN_ALL_STARTED_MS = 20_000
RUN_ALL_CLICKS = 3


def run_all(page: Any, n_code_cells: int, timeout_ms: float = 180_000) -> None:
    """Run → Run All Cells through the menu bar, as a student does it, and wait until every
    code cell has run and finished, or until an error output appears (Run All stops there;
    the caller checks ``error_outputs``).

    A saved notebook already shows ``[1]``, ``[2]``…, and a fresh kernel numbers them the
    same way, so the prompt text alone cannot tell "finished" from "not started". A
    MutationObserver notes every cell whose prompt turned ``[*]`` (Run All queues them all
    at once); done is when all ``n_code_cells`` were seen queued and all show ``[n]`` again.
    A click that queued no cell within ``RUN_ALL_STARTED_MS`` is made again.
    """
    page.evaluate(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')
                || document.querySelector('.jp-NotebookPanel');
            window.__unrolledQueued = new Set();
            const note = () => {
                const ps = panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt');
                ps.forEach((p, i) => {
                    if (p.textContent.includes('*')) window.__unrolledQueued.add(i);
                });
            };
            if (window.__unrolledObserver) window.__unrolledObserver.disconnect();
            window.__unrolledObserver = new MutationObserver(note);
            window.__unrolledObserver.observe(
                panel, {subtree: true, childList: true, characterData: true});
        }"""
    )
    for attempt in range(RUN_ALL_CLICKS):
        page.locator(".lm-MenuBar-itemLabel:text-is('Run')").first.click()
        page.locator("li[data-command='runmenu:run-all']").first.click()
        try:  # a click JupyterLab missed (seen about once in 50 runs): no cell queued
            page.wait_for_function(
                "() => window.__unrolledQueued.size > 0", timeout=RUN_ALL_STARTED_MS
            )
            break
        except Exception:
            if attempt == RUN_ALL_CLICKS - 1:
                raise AssertionError(
                    f"Run All queued no cell after {RUN_ALL_CLICKS} clicks, each given"
                    f" {RUN_ALL_STARTED_MS / 1000:.0f} s; prompts now {prompts(page)}"
                ) from None
            page.keyboard.press("Escape")  # close the menu if it stayed open
    try:
        page.wait_for_function(
            """n => {
                const sel = '.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt';
                const ps = [...document.querySelectorAll(sel)];
                // an error stops Run All (the rest stay unrun): return, and let the caller
                // report the traceback instead of timing out
                if (document.querySelector(
                    ".jp-NotebookPanel .jp-OutputArea-output[data-mime-type*='error']")) {
                    return 'error';
                }
                return window.__unrolledQueued.size >= n && ps.length >= n
                    && ps.every(p => /^\\[\\d+\\]/.test(p.textContent.trim()));
            }""",
            arg=n_code_cells,
            timeout=timeout_ms,
        )
    except Exception as exc:
        queued = page.evaluate("() => window.__unrolledQueued.size")
        raise AssertionError(
            f"Run All did not finish within {timeout_ms / 1000:.0f} s: {queued} of "
            f"{n_code_cells} code cells were queued; prompts now {prompts(page)}"
        ) from exc
    page.evaluate("() => window.__unrolledObserver.disconnect()")


def prompts(page: Any) -> list[str]:
    """The text of every code cell's input prompt, e.g. ``['[1]:', '[*]:', '[ ]:']``."""
    return page.eval_on_selector_all(
        ".jp-NotebookPanel " + INPUT_PROMPT, "els => els.map(e => e.textContent.trim())"
    )


def error_outputs(page: Any) -> list[str]:
    """The text of every error or stderr output on the page (the first 2000 characters)."""
    return page.eval_on_selector_all(
        ERROR_OUTPUTS, "els => els.map(e => e.textContent.slice(0, 2000))"
    )


def widget_errors(page: Any) -> list[str]:
    """Every "Error displaying widget…" message on the page (textContent: also off screen)."""
    return page.evaluate(
        """t => [...document.querySelectorAll('.jp-OutputArea-output')]
                .map(e => e.textContent).filter(s => s.includes(t)).map(s => s.slice(0, 300))""",
        WIDGET_ERROR_TEXT,
    )


def page_text(page: Any) -> str:
    return page.evaluate("document.body.textContent")
