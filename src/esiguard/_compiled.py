"""Which modules may run compiled (setup.py builds them with Cython when it can), and the
guard that loads each one's Python source instead whenever its compiled build is older than
the source: an edit is never hidden by an old build.

ESIGUARD_PURE_PYTHON=1 in the environment runs everything as Python.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

# The modules every triage runs through (bench/triage.py). Only stdlib imports here:
# setup.py reads this file before the package's dependencies are installed.
COMPILED_MODULES = (
    "esiguard.engine.evaluation",
    "esiguard.engine.report",
    "esiguard.education.relevance",
)


def source_path(src_root: Path, module: str) -> Path:
    return src_root.joinpath(*module.split(".")).with_suffix(".py")


def _compiled_is_current(source: Path) -> bool:
    """True when a compiled build sits beside `source` and is newer than it (builds are
    made from the source as it is; an edit or a checkout afterwards makes it newer)."""
    changed = source.stat().st_mtime
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        built = source.with_name(f"{source.stem}{suffix}")
        if built.exists():
            return built.stat().st_mtime >= changed
    return False


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the listed modules as their Python source (ahead of the compiled files that
    the normal finder would prefer)."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        source = self.sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def install_guard(package_root: Path) -> None:
    """Make every listed module whose compiled build is missing, older than its source or
    unwanted (ESIGUARD_PURE_PYTHON) load from its source. Called once, when the esiguard package is imported."""
    src_root = package_root.parent
    pure = bool(os.environ.get("ESIGUARD_PURE_PYTHON"))
    sources = {}
    for module in COMPILED_MODULES:
        source = source_path(src_root, module)
        if source.exists() and (pure or not _compiled_is_current(source)):
            sources[module] = source
    if sources:
        sys.meta_path.insert(0, _SourceFinder(sources))


def compiled_modules() -> list[str]:
    """The listed modules that are loaded and running compiled."""
    return [
        name
        for name in COMPILED_MODULES
        if name in sys.modules
        and not str(getattr(sys.modules[name], "__file__", "")).endswith(".py")
    ]
