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
