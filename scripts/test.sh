#!/usr/bin/env bash
# The test command: set up (with the browser), lint, run the whole test suite, then the
# dev vignettes through the evaluator with the safety gates (zero under-triage, >= 95%).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --with-browser

echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench

echo "== knowledge base"
.venv/bin/esiguard kb check

echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"

if [ -d ../shared/vignettes/dev ]; then
  echo "== dev vignettes (gates: zero under-triage, >= 95% acceptable)"
  .venv/bin/esiguard evaluate ../shared/vignettes/dev --max-under-triage 0 --min-acceptable 0.95
fi
