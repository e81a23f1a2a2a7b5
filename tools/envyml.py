"""Write environment.yml (conda / Binder) from requirements.lock, so both carry the same pins.

Usage: ``python tools/envyml.py`` (``make lock`` runs it). ``tests/test_environment.py``
checks that pyproject.toml, requirements.lock and environment.yml agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"


def pins(lock: Path = ROOT / "requirements.lock") -> list[str]:
    """The ``name==version`` lines of the lock file, in order."""
    lines = [ln.strip() for ln in lock.read_text(encoding="utf-8").splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def render() -> str:
    body = "\n".join(f"      - {p}" for p in pins())
    return (
        "# conda / Binder environment for Unrolled. Generated from requirements.lock by\n"
        "# tools/envyml.py: do not edit by hand (tests/test_environment.py checks it).\n"
        "name: unrolled\n"
        "channels:\n"
        "  - conda-forge\n"
        "dependencies:\n"
        f"  - python={PYTHON}\n"
        "  - pip\n"
        "  - pip:\n"
        f"{body}\n"
        "      - -e .\n"
    )


if __name__ == "__main__":
    (ROOT / "environment.yml").write_text(render(), encoding="utf-8")
    sys.exit(0)
