"""The modules setup.py compiles give exactly what their Python source gives, and an edit
is never hidden by an old compiled build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import esiguard  # noqa: F401  (installs the guard)
from esiguard._compiled import COMPILED_MODULES, _compiled_is_current, _SourceFinder
from esiguard.pipeline import triage  # noqa: F401  (imports the hot modules)

ROOT = Path(__file__).parents[2]

# Triage and questions for generated cases and every own vignette, one JSON line per case.
_DUMP = """
import glob, json, sys
sys.path.insert(0, "bench")
from triage import generate
from esiguard import next_questions, triage
from esiguard._compiled import compiled_modules
cases = generate(400, seed=23)
for path in sorted(glob.glob("tests/vignettes/own/*.json")):
    case = json.load(open(path))["case"]
    if case["procedure"].get("status") == "done":
        cases.append(case)
print(json.dumps(compiled_modules()))
for case in cases:
    result = triage(case, use_narrative=False).model_dump(mode="json")
    asked = [q.model_dump(mode="json") for q in next_questions(case, use_narrative=False)]
    print(json.dumps([result, asked], sort_keys=True))
"""


def _dump(pure: bool) -> tuple[list[str], list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "ESIGUARD_PURE_PYTHON"}
    if pure:
        env["ESIGUARD_PURE_PYTHON"] = "1"
    run = subprocess.run([sys.executable, "-c", _DUMP], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True, timeout=600)  # fmt: skip
    first, *lines = run.stdout.splitlines()
    return json.loads(first), lines


def test_compiled_and_python_modules_give_the_same_results():
    compiled, from_compiled = _dump(pure=False)
    if not compiled:
        pytest.skip("nothing is compiled on this machine (no C compiler at install)")
    python, from_python = _dump(pure=True)
    assert python == []
    assert len(from_compiled) == len(from_python) > 400
    differing = [
        i for i, (a, b) in enumerate(zip(from_compiled, from_python, strict=True)) if a != b
    ]
    assert differing == []


def test_an_old_build_never_hides_an_edit(tmp_path):
    """A compiled file older than its source is not used; one built after it is."""
    source = tmp_path / "report.py"
    source.write_text("x = 1\n")
    assert not _compiled_is_current(source)  # nothing built
    from importlib.machinery import EXTENSION_SUFFIXES

    built = tmp_path / f"report{EXTENSION_SUFFIXES[0]}"
    built.write_bytes(b"")
    os.utime(source, (1_000_000, 1_000_000))
    os.utime(built, (2_000_000, 2_000_000))
    assert _compiled_is_current(source)
    os.utime(source, (3_000_000, 3_000_000))  # edited after the build
    assert not _compiled_is_current(source)


def test_the_guard_finds_listed_modules_as_their_source(tmp_path):
    source = tmp_path / "report.py"
    source.write_text("x = 1\n")
    finder = _SourceFinder({"esiguard.engine.report": source})
    spec = finder.find_spec("esiguard.engine.report")
    assert spec.origin == str(source) and spec.loader.__class__.__name__ == "SourceFileLoader"
    assert finder.find_spec("esiguard.engine.questions") is None


def test_pure_python_switch_loads_every_listed_module_from_source():
    code = (
        "import esiguard, importlib, json\n"
        "from esiguard._compiled import COMPILED_MODULES, compiled_modules\n"
        "files = [importlib.import_module(m).__file__ for m in COMPILED_MODULES]\n"
        "print(json.dumps([compiled_modules(), files]))\n"
    )
    env = {**os.environ, "ESIGUARD_PURE_PYTHON": "1"}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True, timeout=120)  # fmt: skip
    compiled, files = json.loads(run.stdout)
    assert compiled == [] and len(files) == len(COMPILED_MODULES)
    assert all(f.endswith(".py") for f in files)
