#!/usr/bin/env bash
# Set up everything esiguard needs on a fresh machine with Python 3.11+, pip and apt:
# a virtual environment with the package and its dev tools, and (with --with-system)
# Debian's chromium and PostgreSQL for the tests. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}

# --with-system: the real parts the tests drive - Debian's chromium (browser tests, through
# Playwright with executable_path) and PostgreSQL (storage tests beside SQLite) - and a C
# compiler with Python's headers, so the install compiles the triage modules (setup.py;
# without them they run as Python, slower, same results).
if [ "${1:-}" = "--with-system" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v cc >/dev/null || missing+=(gcc libc6-dev)
  "$PYTHON" -c "import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
    || missing+=(python3-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
