"""Tools the tests drive but the course never needs (nbgrader, repo2docker): each in a venv
of its own under ``.local/``, built on first use from an exact pin and kept while the pin
holds, never in the course's environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def tool_venv(name: str, *requirements: str) -> Path:
    """The ``bin/`` folder of ``.local/<name>-venv`` with ``requirements`` installed."""
    venv = ROOT / ".local" / f"{name}-venv"
    stamp = venv / "stamp"
    wanted = " ".join(requirements)
    if not stamp.exists() or stamp.read_text() != wanted:
        shutil.rmtree(venv, ignore_errors=True)
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--disable-pip-version-check", *requirements], check=True)
        stamp.write_text(wanted)
    return venv / "bin"
