#!/bin/sh
# The poller service: secret key, database and migrations first, then ingest LOGS_DIR until stopped.
# On SIGTERM the ingester finishes the file in hand and exits 0. Outside Docker, set LOGS_DIR
# and DATABASE_URL; PYTHON picks the interpreter (default: python on PATH).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
# Log lines must reach stdout as they happen, not when a buffer fills.
export PYTHONUNBUFFERED=1

"$PYTHON" docker/prestart.py
# exec, so that the ingester is the process that receives SIGTERM from `docker stop`.
exec "$PYTHON" manage.py ingest_logs --watch
