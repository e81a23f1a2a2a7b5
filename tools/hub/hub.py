"""Start the course on a real JupyterHub bound to 127.0.0.1 (``make hub``).

What it sets up, all inside the checkout and all from pinned versions:

* ``.local/hub-venv``: the course's environment (``requirements.lock``) plus JupyterHub and
  nbgitpuller (``tools/hub/requirements.txt``) and ``helpers`` (editable). The hub and every
  student's server and kernel run from it; the course's own ``.venv`` stays as it is.
* ``.local/hub/node_modules``: configurable-http-proxy, the proxy JupyterHub puts in front,
  from ``tools/hub/package-lock.json`` (``npm ci``; never installed globally).
* a git repository made from the student notebooks (``make student`` → ``dist/student/``):
  ``.local/hub/course/unrolled-student``, one commit per change of ``dist/student``. The
  nbgitpuller link points at this local path, the way a class link points at GitHub.

Then it starts JupyterHub with ``tools/hub/jupyterhub_config.py`` and prints the login
address, the shared demo password (random, new on every start) and the nbgitpuller link.

Usage: ``python tools/hub/hub.py [--port 8000] [--state .local/hub/state]``. Stdlib only, so
any Python 3.11 runs it; tests and benchmarks use :class:`Hub` as a context manager.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LOCAL = ROOT / ".local"
HUB_VENV = LOCAL / "hub-venv"
PROXY_DIR = LOCAL / "hub"
COURSE_REPO = LOCAL / "hub" / "course" / "unrolled-student"
CONFIG = HERE / "jupyterhub_config.py"
FIRST_NOTEBOOK = "00_start_here.ipynb"
GIT_ID = ["-c", "user.name=Unrolled course", "-c", "user.email=course@localhost"]


def say(text: str) -> None:
    print(text, flush=True)


# -- installation ---------------------------------------------------------------------------
def ensure_venv() -> Path:
    """``bin/`` of the hub venv: requirements.lock + tools/hub/requirements.txt + helpers."""
    stamp = HUB_VENV / ".installed"
    want = (ROOT / "requirements.lock").read_text() + (HERE / "requirements.txt").read_text()
    python = HUB_VENV / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return HUB_VENV / "bin"
    say(f"== building {HUB_VENV} (course lock + JupyterHub; a few minutes, once)")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(HUB_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "-r", str(ROOT / "requirements.lock"), "-r", str(HERE / "requirements.txt")],
        check=True,
    )
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    stamp.write_text(want)
    return HUB_VENV / "bin"


def ensure_proxy() -> Path:
    """The configurable-http-proxy executable, installed with ``npm ci`` into .local/hub."""
    chp = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    lock = HERE / "package-lock.json"
    stamp = PROXY_DIR / "node_modules" / ".unrolled-installed"
    if chp.exists() and stamp.exists() and stamp.read_text() == lock.read_text():
        return chp
    if shutil.which("npm") is None:
        raise RuntimeError(
            "npm is missing: JupyterHub's proxy (configurable-http-proxy) is a Node package. "
            "Install Node from your system (Debian: apt-get install nodejs npm)."
        )
    say("== installing configurable-http-proxy into .local/hub (npm ci, once)")
    PROXY_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "package.json", PROXY_DIR / "package.json")
    shutil.copy(lock, PROXY_DIR / "package-lock.json")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PROXY_DIR, check=True
    )
    stamp.write_text(lock.read_text())
    return chp


# -- the course repository ------------------------------------------------------------------
def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_ID, *args], cwd=repo, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def publish_course(source: Path, repo: Path = COURSE_REPO, message: str = "") -> str:
    """Make ``repo`` hold exactly the files of ``source`` (committed on ``main``); return the
    commit. A new commit only when something changed, as an instructor pushing a fix would."""
    if not any(source.glob("*.ipynb")):
        raise ValueError(f"source holds no notebooks (run `make student` first): {source}")
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q", "-b", "main")
    for old in repo.iterdir():
        if old.name != ".git" and not (source / old.name).exists():
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    for new in source.iterdir():
        target = repo / new.name
        if new.is_dir():
            shutil.copytree(new, target, dirs_exist_ok=True)
        elif not target.exists() or not filecmp.cmp(new, target, shallow=False):
            shutil.copy2(new, target)
    git(repo, "add", "-A")
    if git(repo, "status", "--porcelain"):
        git(repo, "commit", "-q", "-m", message or f"Unrolled, student version ({source.name})")
    return git(repo, "rev-parse", "HEAD")


def nbgitpuller_link(
    hub_url: str, repo: str | Path, notebook: str = FIRST_NOTEBOOK, branch: str = "main"
) -> str:
    """nbgitpuller's link: ``<hub>/hub/user-redirect/git-pull?repo=&branch=&urlpath=``, which
    clones (first click) or merges (later clicks) ``repo`` into the student's home and opens
    ``notebook`` in JupyterLab. ``repo`` may be a URL or a path the server can read."""
    name = str(repo).rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = "&".join(
        f"{key}={quote(str(value), safe='')}"
        for key, value in (
            ("repo", str(repo).rstrip("/")),
            ("branch", branch),
            ("urlpath", f"lab/tree/{name}/{notebook}"),
        )
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


# -- the hub ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """A running JupyterHub on 127.0.0.1 (a context manager: stopped, with every student's
    server, on exit). ``url`` is the proxy's public address, ``password`` the shared demo
    password, ``token`` a service token with admin rights over users and servers."""

    def __init__(
        self,
        state: Path,
        port: int | None = None,
        password: str | None = None,
        start_timeout: int = 300,
        log: Path | None = None,
    ) -> None:
        self.state = Path(state)
        self.port = port or free_port()
        self.password = password or secrets.token_urlsafe(9)
        if not self.password:
            raise ValueError("password must not be empty")
        self.token = secrets.token_hex(24)
        self.start_timeout = start_timeout
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log_file = None

    def start(self, wait_s: float = 120.0) -> Hub:
        bin_dir = ensure_venv()
        chp = ensure_proxy()
        self.state.mkdir(parents=True, exist_ok=True)
        (self.state / "matplotlib").mkdir(exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))},
            "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "MPLCONFIGDIR": str(self.state / "matplotlib"),
            "UNROLLED_HUB_STATE": str(self.state),
            "UNROLLED_HUB_VENV_BIN": str(bin_dir),
            "UNROLLED_HUB_PORT": str(self.port),
            "UNROLLED_HUB_API_PORT": str(free_port()),
            "UNROLLED_PROXY_API_PORT": str(free_port()),
            "UNROLLED_CHP": str(chp),
            "UNROLLED_HUB_PASSWORD": self.password,
            "UNROLLED_HUB_SERVICE_TOKEN": self.token,
            "UNROLLED_HUB_START_TIMEOUT": str(self.start_timeout),
        }
        # matplotlib's font cache, built once here rather than by every student's first plot.
        subprocess.run(
            [str(bin_dir / "python"), "-c", "import matplotlib.pyplot"], env=env, check=True
        )
        out = self._log_file = open(self.log, "ab") if self.log else None
        self.process = subprocess.Popen(
            [str(bin_dir / "jupyterhub"), "-f", str(CONFIG)],
            cwd=self.state,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"JupyterHub did not answer on {self.url} within {wait_s:.0f} s")

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM to the hub (it stops the proxy and every student's server), then wait."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self._log_file:
            self._log_file.close()

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="listen on 127.0.0.1:PORT")
    parser.add_argument("--state", type=Path, default=LOCAL / "hub" / "state")
    parser.add_argument("--student", type=Path, default=ROOT / "dist" / "student")
    args = parser.parse_args(argv)
    commit = publish_course(args.student)
    hub = Hub(args.state, port=args.port).start()
    say("")
    say(f"JupyterHub is up on {hub.url}/hub/login  (127.0.0.1 only)")
    say(f"  log in with any user name and the shared password: {hub.password}")
    say(f"  course repository: {COURSE_REPO} (commit {commit[:10]})")
    say("  the class link (nbgitpuller: clones the notebooks, later merges updates):")
    say(f"  {nbgitpuller_link(hub.url, COURSE_REPO)}")
    say("  Ctrl-C stops the hub and every student's server.")
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
    try:
        while hub.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("\nstopping the hub ...")
        hub.stop()
    return hub.process.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
