#!/usr/bin/env bash
# Run the test suite on the database that DATABASE_URL names (SQLite by default).
# Extra arguments go to pytest, for example: scripts/test.sh -k ingest
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
exec "$PYTHON" -m pytest "$@"
