#!/usr/bin/env bash
# The test command: set up (with chromium and PostgreSQL), lint, run the whole test suite, then the
# dev vignettes through the evaluator with the safety gates (zero under-triage, >= 95%).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --with-system

echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench

echo "== knowledge base"
.venv/bin/esiguard kb check

# A throwaway PostgreSQL cluster for the storage tests (SQLite runs beside it).
if [ -z "${ESIGUARD_TEST_POSTGRES_URL:-}" ]; then
  eval "$(./scripts/start-postgres.sh start)"   # exports ESIGUARD_TEST_POSTGRES_URL, ESIGUARD_PG_DIR
  trap './scripts/start-postgres.sh stop "$ESIGUARD_PG_DIR" || true' EXIT
fi

echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"

if [ -d ../shared/vignettes/dev ]; then
  echo "== dev vignettes (gates: zero under-triage, >= 95% acceptable)"
  .venv/bin/esiguard evaluate ../shared/vignettes/dev --max-under-triage 0 --min-acceptable 0.95
fi
