#!/usr/bin/env bash
# The main job: set up if needed, then serve the web app on an embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/esiguard serve "$@"
