"""Where the course is published, and what follows from it: the Binder and Colab links in
README.md and the setup cell near the top of every notebook.

The one setting is ``[tool.unrolled.launch]`` in pyproject.toml::

    github = "owner/name"   # the course's public GitHub repository; "" while it has none
    branch = "main"

``make notebooks`` (``tools/nbbuild.py``) puts :func:`setup_cell` into every notebook and
rewrites the README block between ``<!-- launch -->`` and ``<!-- /launch -->``;
``python tools/launch.py`` rewrites only the README block, ``--check`` exits 1 when it is
stale; ``python tools/launch.py nbgitpuller HUB REPO [NOTEBOOK]`` prints a JupyterHub link
that hands a repository of notebooks (e.g. the student versions) to a whole class.
``tests/test_launch.py`` checks all of it, and runs the setup cell in a fresh Python without
``helpers`` to see it install the course and the course then run offline.

Link formats: Binder ``https://mybinder.org/v2/gh/<owner>/<repo>/<ref>?urlpath=<path>``
(mybinder.org's documented launch URL); Colab
``https://colab.research.google.com/github/<owner>/<repo>/blob/<ref>/<path>``.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"
BEGIN, END = "<!-- launch -->", "<!-- /launch -->"
GITHUB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
BRANCH_NAME = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


@dataclass(frozen=True)
class Launch:
    """Where the course lives: ``github`` is ``"owner/name"``, or ``None`` while unpublished."""

    github: str | None
    branch: str = "main"

    def __post_init__(self) -> None:
        if self.github is not None and not GITHUB_NAME.match(self.github):
            raise ValueError(f"github must look like 'owner/name', got {self.github!r}")
        if not BRANCH_NAME.match(self.branch) or ".." in self.branch:
            raise ValueError(f"branch is not a usable git ref: {self.branch!r}")

    @property
    def published(self) -> bool:
        return self.github is not None

    def _need_github(self) -> str:
        if self.github is None:
            raise ValueError("no public repository is set ([tool.unrolled.launch] github)")
        return self.github

    def pip_source(self) -> str:
        """What ``pip install`` takes to install ``helpers`` straight from the repository."""
        return f"git+https://github.com/{self._need_github()}@{self.branch}"

    def binder_url(self, notebook: str = FIRST_NOTEBOOK) -> str:
        """mybinder.org launch URL opening ``notebook`` (a repository path) in JupyterLab."""
        urlpath = quote(f"lab/tree/{notebook}", safe="")
        return f"https://mybinder.org/v2/gh/{self._need_github()}/{self.branch}?urlpath={urlpath}"

    def colab_url(self, notebook: str = FIRST_NOTEBOOK) -> str:
        """Colab URL opening ``notebook`` (a repository path) straight from GitHub."""
        return (
            f"https://colab.research.google.com/github/{self._need_github()}"
            f"/blob/{self.branch}/{notebook}"
        )


def settings(pyproject: Path = ROOT / "pyproject.toml") -> Launch:
    """The ``[tool.unrolled.launch]`` table of pyproject.toml."""
    table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    launch = table.get("tool", {}).get("unrolled", {}).get("launch", {})
    github = str(launch.get("github", "")).strip() or None
    return Launch(github=github, branch=str(launch.get("branch", "main")))


def setup_cell(launch: Launch) -> str:
    """The code cell every notebook runs first: make sure ``helpers`` can be imported."""
    if not launch.published:
        return (
            "# Setup: the notebooks import the course's `helpers` package. `make lab` installs it\n"
            "# (or `pip install -e .` in the course's folder, in your own environment).\n"
            "try:\n"
            "    import helpers\n"
            "except ModuleNotFoundError:\n"
            "    raise ModuleNotFoundError(\n"
            '        "The course\'s `helpers` package is not installed: run `make lab` in the "\n'
            '        "course\'s folder, or `pip install -e .` there (see README.md)."\n'
            "    ) from None"
        )
    return (
        "# Setup. With `make lab`, or once the course is installed, this cell does nothing. On\n"
        "# Google Colab (or any Python without the course) it installs the course's `helpers`\n"
        "# package from its repository: a few seconds, and the only time the course needs the\n"
        "# network.\n"
        "import importlib\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "try:\n"
        "    import helpers\n"
        "except ModuleNotFoundError:\n"
        f'    HELPERS_SOURCE = "{launch.pip_source()}"\n'
        "    subprocess.run(\n"
        '        [sys.executable, "-m", "pip", "install", "--quiet", HELPERS_SOURCE], check=True\n'
        "    )\n"
        "    importlib.invalidate_caches()\n"
        "    import helpers"
    )


def readme_block(launch: Launch, notebooks: list[str]) -> str:
    """The README lines between the launch markers; ``notebooks`` are repository paths."""
    if not launch.published:
        return (
            "**Binder and Google Colab** need the course on a public GitHub repository (yours,\n"
            'or a copy of this one). Put it there, set `github = "owner/name"` under\n'
            "`[tool.unrolled.launch]` in `pyproject.toml`, and run `make notebooks`: that writes\n"
            "the Binder and Colab links here and, at the top of every notebook, a setup cell\n"
            "that installs `helpers` on Colab (`make test` checks both)."
        )
    first = notebooks[0] if notebooks else FIRST_NOTEBOOK
    links = " · ".join(f"[{Path(nb).stem[:2]}]({launch.colab_url(nb)})" for nb in notebooks)
    return (
        f"**Binder and Google Colab**: [![Launch on Binder]({BINDER_BADGE})]"
        f"({launch.binder_url(first)}) [![Open in Colab]({COLAB_BADGE})]"
        f"({launch.colab_url(first)})\n"
        "\n"
        "Binder builds `environment.yml` (several minutes the first time) and opens JupyterLab\n"
        "at notebook 00. On Colab, the setup cell at the top of each notebook installs\n"
        f"`helpers` the first time (a few seconds). Each notebook in Colab: {links}."
    )


def nbgitpuller_url(hub: str, repo: str, notebook: str, branch: str = "main") -> str:
    """A JupyterHub link that clones (or updates) ``repo`` for each student and opens
    ``notebook`` (a path inside it) in JupyterLab: nbgitpuller's documented link format,
    ``<hub>/hub/user-redirect/git-pull?repo=...&branch=...&urlpath=lab/tree/<name>/<path>``.
    """
    hub = hub.rstrip("/")
    if not re.match(r"^https?://[^/\s]+", hub):
        raise ValueError(f"hub must be the hub's address, like https://hub.example.edu: {hub!r}")
    if not re.match(r"^https?://[^\s]+/[^/\s]+$", repo.rstrip("/")):
        raise ValueError(f"repo must be a git repository's https address: {repo!r}")
    name = repo.rstrip("/").rsplit("/", 1)[1].removesuffix(".git")
    query = "&".join(
        f"{key}={quote(value, safe='')}"
        for key, value in (
            ("repo", repo.rstrip("/")),
            ("branch", branch),
            ("urlpath", f"lab/tree/{name}/{notebook}"),
        )
    )
    return f"{hub}/hub/user-redirect/git-pull?{query}"


def course_notebooks(root: Path = ROOT) -> list[str]:
    """Repository paths of the course notebooks, in order."""
    return [
        p.relative_to(root).as_posix()
        for p in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    ]


def render_readme(text: str, block: str) -> str:
    """``text`` with the lines between the launch markers replaced by ``block``."""
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        raise ValueError(f"README.md has no {BEGIN} ... {END} block")
    return text[: start + len(BEGIN)] + "\n" + block + "\n" + text[stop:]


def write_readme(launch: Launch | None = None) -> bool:
    """Rewrite the README's launch block; True when it changed."""
    launch = launch or settings()
    old = README.read_text(encoding="utf-8")
    new = render_readme(old, readme_block(launch, course_notebooks()))
    if new != old:
        README.write_text(new, encoding="utf-8")
    return new != old


def main(argv: list[str]) -> int:
    if argv and argv[0] == "nbgitpuller":
        if len(argv) not in (3, 4):
            print("usage: python tools/launch.py nbgitpuller HUB_URL REPO_URL [NOTEBOOK_PATH]")
            return 2
        notebook = argv[3] if len(argv) == 4 else "00_start_here.ipynb"
        print(nbgitpuller_url(argv[1], argv[2], notebook))
        return 0
    launch = settings()
    if argv and argv[0] == "--check":
        text = README.read_text(encoding="utf-8")
        if render_readme(text, readme_block(launch, course_notebooks())) != text:
            print("README.md's launch links are stale: run `make notebooks`")
            return 1
        return 0
    print("README.md launch links", "rewritten" if write_readme(launch) else "up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
