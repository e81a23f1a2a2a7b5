"""Every interactive explorer of the course, one builder function each.

Builders live in one module per notebook (``nb00``, ``nb01``, …), each exporting
``EXPLORERS: dict[str, Callable[[], Explorer]]``. ``ALL`` gathers them, keyed
``"<notebook>.<name>"`` (e.g. ``"nb02.alpha_horizon"``), so tests and benchmarks can
build and drive every explorer without a browser.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from helpers.explorers.base import Explorer, new_figure

__all__ = ["ALL", "Explorer", "new_figure"]


def _collect() -> dict[str, Callable[[], Explorer]]:
    found: dict[str, Callable[[], Explorer]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("nb"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, builder in getattr(module, "EXPLORERS", {}).items():
            found[f"{info.name}.{name}"] = builder
    return found


#: name → builder (no arguments) of every explorer in the course.
ALL: dict[str, Callable[[], Explorer]] = _collect()
