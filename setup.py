"""Build: esiguard is pure Python. The modules that run on every triage are also compiled
with Cython when a C compiler is at hand (bench/triage.py: triage about a quarter faster).
Without one the install goes on and those modules run as Python, with the same results
(tests/unit/test_compiled.py compares the two). `esiguard._compiled` only lets a compiled
module load while it is newer than its source, so an edit is never hidden by an old build.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent


def _load_compiled_list() -> Any:
    # read as a file: importing the package would need its dependencies at build time
    spec = importlib.util.spec_from_file_location("_compiled", ROOT / "src/esiguard/_compiled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_compiled = _load_compiled_list()
COMPILED_MODULES, source_path = _compiled.COMPILED_MODULES, _compiled.source_path


class OptionalBuildExt(build_ext):
    """Builds what it can; a missing compiler or a failed build leaves the module as Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # no compiler at all (setuptools raises several kinds)
            self._skip("all compiled modules", error)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:
            self._skip(ext.name, error)

    @staticmethod
    def _skip(what: str, error: Exception) -> None:
        print(f"esiguard: not compiling {what} ({error}); running it as Python", file=sys.stderr)


def _extensions() -> list[Extension]:
    if os.environ.get("ESIGUARD_PURE_PYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    modules = [Extension(name, [str(source_path(Path("src"), name))]) for name in COMPILED_MODULES]
    # annotation_typing off: the annotations document, they must not start type-checking
    # arguments at run time in the compiled build only.
    directives = {"language_level": 3, "annotation_typing": False}
    return cythonize(modules, compiler_directives=directives, quiet=True)


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
