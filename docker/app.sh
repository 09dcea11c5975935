#!/bin/sh
# The app service: secret key, database and migrations first, then the web UI on gunicorn.
# It runs the same outside Docker: every path and address comes from the environment
# (see README, "Settings"), and PYTHON picks the interpreter (default: python on PATH).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
# Log lines must reach stdout as they happen, not when a buffer fills.
export PYTHONUNBUFFERED=1

"$PYTHON" docker/prestart.py
if [ "${COLLECTSTATIC:-0}" = 1 ]; then
    # The image collects static files when it is built; outside Docker, ask for it.
    "$PYTHON" manage.py collectstatic --noinput --verbosity 0
fi
# exec, so that gunicorn is the process that receives SIGTERM from `docker stop`.
exec "$PYTHON" -m gunicorn --config docker/gunicorn.conf.py monitoring_site.wsgi
