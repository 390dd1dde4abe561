"""In CI the real parts must be there: a suite that skipped its browser or PostgreSQL tests
would pass while testing nothing of them."""

import os
import shutil
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI") == "true"


@pytest.mark.skipif(not IN_CI, reason="only enforced in CI (CI=true)")
def test_chromium_is_installed_in_ci():
    """Debian's chromium is present, so the browser tests run instead of skipping."""
    assert Path("/usr/bin/chromium").exists() or shutil.which("chromium")


@pytest.mark.skipif(not IN_CI, reason="only enforced in CI (CI=true)")
def test_postgres_url_is_set_in_ci():
    """scripts/test.sh started PostgreSQL, so the storage tests run against it."""
    assert os.environ.get("ESIGUARD_TEST_POSTGRES_URL", "").startswith("postgresql://")


def _can_compile() -> bool:
    import sysconfig

    headers = Path(sysconfig.get_paths()["include"], "Python.h")
    return shutil.which("cc") is not None and headers.exists()


@pytest.mark.skipif(not IN_CI, reason="only enforced in CI (CI=true)")
def test_hot_modules_run_compiled_in_ci():
    """scripts/setup.sh installed a C compiler and Python's headers, so the triage modules run
    compiled, as bench/triage.py measures them (tests/unit/test_compiled.py checks they agree
    with Python). Where the headers could not be installed they run as Python: skipped."""
    import importlib

    if not _can_compile():
        pytest.skip("no C compiler or Python headers on this machine: modules run as Python")

    import esiguard  # noqa: F401  (installs the guard)
    from esiguard._compiled import COMPILED_MODULES, compiled_modules

    for module in COMPILED_MODULES:
        importlib.import_module(module)
    assert compiled_modules() == list(COMPILED_MODULES)
