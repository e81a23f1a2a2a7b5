"""pyproject.toml, requirements.lock and environment.yml agree, and the lock pins exactly."""

from __future__ import annotations

import re
import sys
import tomllib

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import envyml

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock() -> dict[str, str]:
    pins = {}
    for line in envyml.pins():
        match = PIN.match(line)
        assert match, f"requirements.lock line is not an exact pin: {line!r}"
        pins[_norm(match.group(1))] = match.group(2)
    return pins


def test_lock_pins_every_direct_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock = _lock()
    for requirement in direct:
        name = _norm(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
        assert name in lock, f"{name} (pyproject.toml) is not pinned in requirements.lock"
    assert project["requires-python"] == ">=3.11"


def test_environment_yml_carries_the_same_pins():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert text == envyml.render(), "environment.yml is stale: run `python tools/envyml.py`"
    listed = re.findall(r"^\s+- ([A-Za-z0-9_.\-]+==\S+)$", text, flags=re.M)
    assert listed == envyml.pins()
    assert f"python={envyml.PYTHON}" in text


def test_installed_versions_match_the_lock():
    from importlib.metadata import PackageNotFoundError, version

    lock = _lock()
    for name in ("numpy", "matplotlib", "ipywidgets", "nbval", "jupyterlab", "pytest"):
        try:
            assert version(name) == lock[name], (
                f"{name} installed {version(name)}, lock {lock[name]}"
            )
        except PackageNotFoundError:  # pragma: no cover - only outside the venv
            raise AssertionError(
                f"{name} is not installed: run `make test` to build .venv"
            ) from None
