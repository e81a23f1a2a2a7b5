"""Launching the course anywhere: Binder and Colab links, the notebooks' setup cell, plain
pip at the oldest versions the package admits, and no network once installed.

The last test is the one that matters. It makes a fresh Python with only the dependency
floors from pyproject.toml (what Colab has is at or above them), checks that ``helpers`` is
*absent* there, lets notebook 00's setup cell install the course from a git repository
(a local one standing in for GitHub), then runs all eight notebooks from a folder outside
the checkout inside a network namespace that has no network at all.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.version import Version

from tests.conftest import ROOT
from tests.tool_venvs import tool_venv

sys.path.insert(0, str(ROOT / "tools"))
import launch
import nbbuild

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FLOOR_VENV = ROOT / ".local" / "floor-venv"
#: Test tooling in the floor venv, taken at the lock's versions (the floors themselves excepted).
KERNEL_TOOLS = ("ipykernel", "nbclient", "nbformat")
#: Lock entries that ipywidgets 7 cannot live with (it wants widgetsnbextension 3.x).
NOT_CONSTRAINED = {"widgetsnbextension", "jupyterlab-widgets"}
EXAMPLE = launch.Launch("example-org/unrolled", "main")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[@;]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


# --- the setting and what follows from it ------------------------------------------------


def test_links_follow_binder_and_colab_formats():
    # mybinder.org: /v2/gh/<owner>/<repo>/<ref>?urlpath=<url-encoded JupyterLab path>
    assert EXAMPLE.binder_url() == (
        "https://mybinder.org/v2/gh/example-org/unrolled/main"
        "?urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb"
    )
    # Colab opens a notebook from GitHub at /github/<owner>/<repo>/blob/<ref>/<path>
    assert EXAMPLE.colab_url("notebooks/04_gradient_clipping.ipynb") == (
        "https://colab.research.google.com/github/example-org/unrolled/blob/main/"
        "notebooks/04_gradient_clipping.ipynb"
    )
    assert EXAMPLE.pip_source() == "git+https://github.com/example-org/unrolled@main"


def test_readme_block_of_a_published_course_links_every_notebook():
    paths = launch.course_notebooks()
    assert len(paths) == len(NOTEBOOKS) == 10
    block = launch.readme_block(EXAMPLE, paths)
    assert EXAMPLE.binder_url(paths[0]) in block and launch.BINDER_BADGE in block
    for path in paths:
        assert (ROOT / path).exists()
        assert f"({EXAMPLE.colab_url(path)})" in block


def test_unpublished_course_says_how_to_publish_and_gives_no_dead_link():
    block = launch.readme_block(launch.Launch(None), launch.course_notebooks())
    assert "https://" not in block
    assert "[tool.unrolled.launch]" in block and "make notebooks" in block
    with pytest.raises(ValueError, match="no public repository"):
        launch.Launch(None).binder_url()


@pytest.mark.parametrize("github", ["owner", "owner/name/extra", "-owner/name", "own er/name"])
def test_malformed_repository_is_refused_by_name(github):
    with pytest.raises(ValueError, match="github must look like 'owner/name'"):
        launch.Launch(github)


@pytest.mark.parametrize("branch", ["", "a..b", "main branch"])
def test_malformed_branch_is_refused_by_name(branch):
    with pytest.raises(ValueError, match="branch"):
        launch.Launch("owner/name", branch)


def test_settings_are_read_from_pyproject(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.unrolled.launch]\ngithub = "me/unrolled"\nbranch = "spring"\n')
    assert launch.settings(pyproject) == launch.Launch("me/unrolled", "spring")
    pyproject.write_text('[tool.unrolled.launch]\ngithub = ""\n')
    assert not launch.settings(pyproject).published


def test_readme_launch_block_matches_the_setting():
    assert launch.main(["--check"]) == 0, "README.md's launch block is stale: make notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_the_setup_cell_after_its_title(path):
    nb = nbformat.read(path, as_version=4)
    title, setup = nb.cells[0], nb.cells[1]
    assert title.cell_type == "markdown" and title.source.startswith("# ")
    assert setup.cell_type == "code" and setup.get("id") == "setup"
    assert setup.source == launch.setup_cell(launch.settings())
    assert setup.outputs == [], "the setup cell printed something where helpers is installed"
    assert nbbuild.notebook_cells(ROOT / "notebooks" / "src" / f"{path.stem}.py")[1][2] == "setup"


def test_unpublished_setup_cell_fails_with_a_clear_message_when_helpers_is_missing():
    cell = launch.setup_cell(launch.Launch(None))
    real_import = builtins.__import__

    def no_helpers(name, *args, **kwargs):
        if name == "helpers" or name.startswith("helpers."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    namespace = {"__builtins__": {**vars(builtins), "__import__": no_helpers}}
    with pytest.raises(ModuleNotFoundError, match="make lab"):
        exec(cell, namespace)


# --- Binder and conda ---------------------------------------------------------------------


def test_binder_environment_installs_the_course_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert any(str(d).startswith("python=3.11") for d in deps)
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    # A local requirement makes repo2docker copy the whole repository before it installs
    # the environment (CondaBuildPack._should_preassemble_env), so `-e .` finds the package.
    assert pip_section[-1] == "-e ."
    notebook_00 = launch.FIRST_NOTEBOOK
    assert (ROOT / notebook_00).exists(), "Binder opens a notebook that does not exist"


REPO2DOCKER = "jupyter-repo2docker==2026.4.0"


def test_repo2docker_builds_the_conda_environment_after_copying_the_course(tmp_path):
    """What Binder would build, planned by repo2docker itself (``--no-build`` needs no Docker):
    a conda environment for Python 3.11 from environment.yml, installed after the repository
    is copied in, so its ``-e .`` installs helpers."""
    clone = tmp_path / "clone"
    shutil.copytree(_published_copy(tmp_path), clone)  # what Binder sees: the committed files
    bin_dir = tool_venv("repo2docker", REPO2DOCKER)
    done = subprocess.run(
        [str(bin_dir / "repo2docker"), "--no-build", "--debug", "--no-run", str(clone)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    assert "Building conda environment for python=3.11" in log
    copy_repo = log.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    install_env = log.index('env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"')
    assert copy_repo < install_env, "environment.yml would be installed before the course is copied"


# --- a fresh Python: the setup cell installs helpers, then the course runs offline --------


def _floor_pins() -> list[str]:
    """``name==floor`` for every runtime dependency of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9][0-9.]*)", requirement.strip())
        assert match, f"{requirement!r}: give every dependency a tested lower bound (name>=X)"
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


def _constraints(tmp_path: Path, floors: list[str]) -> Path:
    floor_names = {_name(p) for p in floors} | NOT_CONSTRAINED
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    keep = [ln for ln in lock if ln and not ln.startswith("#") and _name(ln) not in floor_names]
    path = tmp_path / "constraints.txt"
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return path


def _clean_env(home: Path) -> dict[str, str]:
    """An environment that knows nothing of the checkout or its .venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "IPYTHON", "MPL", "PYTHON", "VIRTUAL_ENV", "PIP_"))
    }
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[name] = str(home / name.lower())
    env.update(IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "mpl"), HOME=str(home))
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    return env


def _run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: int = 900) -> str:
    done = subprocess.run(
        cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{cmd[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _floor_python(tmp_path: Path, env: dict[str, str]) -> Path:
    """A venv with the dependency floors and a kernel, and without helpers (cached by pins)."""
    floors = _floor_pins()
    stamp = f"{sys.version_info[:2]} {floors} {KERNEL_TOOLS}"
    python = FLOOR_VENV / "bin" / "python"
    if not (FLOOR_VENV / "stamp").exists() or (FLOOR_VENV / "stamp").read_text() != stamp:
        shutil.rmtree(FLOOR_VENV, ignore_errors=True)
        base = getattr(sys, "_base_executable", sys.executable)
        _run([base, "-m", "venv", str(FLOOR_VENV)], env, tmp_path)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run(
            [*pip, "-c", str(_constraints(tmp_path, floors)), *floors, *KERNEL_TOOLS],
            env,
            tmp_path,
        )
        (FLOOR_VENV / "stamp").write_text(stamp)
    # Simulate a machine that has never seen the course.
    _run(
        [str(python), "-m", "pip", "uninstall", "--quiet", "-y", "unrolled-helpers"], env, tmp_path
    )
    probe = subprocess.run(
        [str(python), "-c", "import helpers"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert probe.returncode != 0 and "No module named 'helpers'" in probe.stderr
    return python


def _published_copy(tmp_path: Path) -> Path:
    """A git repository holding the checkout's files as they are now (tracked or new)."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    repo = tmp_path / "published"
    for rel in filter(None, listed.split("\0")):
        if (ROOT / rel).is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, repo / rel)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "course"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    return repo


RUNNER = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient

PROBE = "import sys, helpers, matplotlib, numpy, ipywidgets\n" \
        "print(sys.executable, helpers.__file__, numpy.__version__, matplotlib.__version__, " \
        "ipywidgets.__version__)"
report = []
for path in sys.argv[2:]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": sys.argv[1]}}).execute()
    problems = [
        (i, o.get("ename") or o.get("text", "")[:300])
        for i, c in enumerate(nb.cells) if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]
    widgets = sum(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    report.append({"notebook": path, "seconds": time.perf_counter() - start,
                   "problems": problems, "widget_views": widgets,
                   "probe": nb.cells[-1].outputs[0]["text"].split()})
print(json.dumps(report))
"""


def _code(path: Path) -> list[str]:
    """The code cells' sources of a notebook."""
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _offline(cmd: list[str]) -> list[str]:
    """``cmd`` in a new network namespace with only loopback (the kernel's ZMQ needs it)."""
    ip = shutil.which("ip") or next(
        (p for p in ("/usr/sbin/ip", "/sbin/ip") if Path(p).exists()), "ip"
    )
    script = f"{ip} link set lo up && exec " + " ".join(f"'{c}'" for c in cmd)
    return ["unshare", "--user", "--map-root-user", "--net", "sh", "-c", script]


def _can_go_offline() -> bool:
    try:
        cmd = _offline(["true"])
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_setup_cell_installs_helpers_then_the_course_runs_offline_at_the_floors(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = _clean_env(home)
    python = _floor_python(tmp_path, env)
    source = f"git+file://{_published_copy(tmp_path)}@main"
    work = tmp_path / "class"  # a folder outside the checkout, as on Colab
    work.mkdir()
    runner = tmp_path / "run_notebooks.py"
    runner.write_text(RUNNER, encoding="utf-8")
    # matplotlib's first import in a new home builds its font cache and, when that takes
    # over 5 s (a loaded machine), says so on stderr: a first-use message, not the course's.
    _run([str(python), "-c", "import matplotlib.font_manager"], env, work)

    # 1. Notebook 00 as a published course would have it, its setup cell pointing at the
    #    stand-in repository: the cell installs helpers and the notebook runs on.
    nb00 = nbformat.read(NOTEBOOKS[0], as_version=4)
    cell = launch.setup_cell(EXAMPLE)
    assert cell.count(EXAMPLE.pip_source()) == 1
    nb00.cells[1].source = cell.replace(EXAMPLE.pip_source(), source)
    first = tmp_path / NOTEBOOKS[0].name
    nbformat.write(nb00, first)
    (report,) = json.loads(_run([str(python), str(runner), str(work), str(first)], env, work))
    assert report["problems"] == [], report
    executable, helpers_file, *versions = report["probe"]
    assert Path(executable).is_relative_to(FLOOR_VENV)
    # installed into the fresh Python, not found in the checkout
    assert Path(helpers_file).is_relative_to(FLOOR_VENV) and "site-packages" in helpers_file
    floors = dict(pin.split("==") for pin in _floor_pins())
    wanted = [floors[name] for name in ("numpy", "matplotlib", "ipywidgets")]
    assert [Version(v) for v in versions] == [Version(v) for v in wanted], versions

    # 2. Every notebook as committed, with no network at all.
    if not _can_go_offline():
        if os.environ.get("CI"):
            pytest.fail("unshare --net is not permitted here, so 'offline' cannot be checked")
        pytest.skip("unshare --net is not permitted here: the offline run was not checked")
    cmd = _offline([str(python), str(runner), str(work), *map(str, NOTEBOOKS)])
    reports = json.loads(_run(cmd, env, work).strip().splitlines()[-1])
    assert [Path(r["notebook"]).name for r in reports] == [p.name for p in NOTEBOOKS]
    for r in reports:
        assert r["problems"] == [], r
        assert all(Path(r["probe"][i]).is_relative_to(FLOOR_VENV) for i in (0, 1)), r
    # Every notebook's explorers displayed live widget views (ipywidgets 7's bundle too).
    explorers = {path.name: sum('ALL["' in c for c in _code(path)) for path in NOTEBOOKS}
    assert sum(n >= 1 for n in explorers.values()) >= 9  # every session but 09 has one
    for r in reports:
        name = Path(r["notebook"]).name
        assert r["widget_views"] >= explorers[name], (name, r["widget_views"])


def test_explorer_view_bundle_without_ipywidgets_8_is_the_one_ipywidgets_7_sends():
    from helpers.explorers.base import WIDGET_VIEW_MIME, widget_view_bundle

    class Widget7:  # ipywidgets 7.x: no _repr_mimebundle_, a model id
        model_id = "0123abcd"

    bundle = widget_view_bundle(Widget7())  # type: ignore[arg-type]
    # ipywidgets 7.7 Widget._ipython_display_ sends exactly this view reference
    assert bundle[WIDGET_VIEW_MIME] == {
        "version_major": 2,
        "version_minor": 0,
        "model_id": "0123abcd",
    }
    assert "text/plain" in bundle


def test_nbgitpuller_link_follows_its_documented_format():
    url = launch.nbgitpuller_url(
        "https://hub.example.edu/", "https://github.com/me/unrolled-student.git", "01_x.ipynb"
    )
    assert url == (
        "https://hub.example.edu/hub/user-redirect/git-pull"
        "?repo=https%3A%2F%2Fgithub.com%2Fme%2Funrolled-student.git&branch=main"
        "&urlpath=lab%2Ftree%2Funrolled-student%2F01_x.ipynb"
    )
    with pytest.raises(ValueError, match="hub"):
        launch.nbgitpuller_url("hub.example.edu", "https://github.com/me/x", "a.ipynb")
    with pytest.raises(ValueError, match="repo"):
        launch.nbgitpuller_url("https://hub.example.edu", "me/x", "a.ipynb")


def test_importing_helpers_in_the_setup_cell_loads_no_numpy():
    """Notebooks 05-07 set OPENBLAS_NUM_THREADS *before* NumPy loads, after the setup cell
    has imported ``helpers``: so ``import helpers`` alone must not load NumPy."""
    probe = "import sys, helpers; print('numpy' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False"
