#!/usr/bin/env bash
# From a fresh clone to a running site with example runs, in one command:
#
#   scripts/quickstart.sh
#
# It creates .venv and installs the requirements. It writes a secret key to the
# git-ignored .secret_key and sets up the SQLite database. It ingests the example
# logs once and creates an admin account whose generated password is printed once.
# Then it serves the site on http://127.0.0.1:8000/ (set QUICKSTART_ADDRESS to change it).
# Running it again keeps the database, the key and the account.
set -euo pipefail
cd "$(dirname "$0")/.."

ADDRESS="${QUICKSTART_ADDRESS:-127.0.0.1:8000}"
PYTHON=.venv/bin/python

if [ ! -x "$PYTHON" ]; then
  echo "== creating .venv"
  python3 -m venv .venv
fi
echo "== installing requirements"
"$PYTHON" -m pip install -q --disable-pip-version-check -r requirements.txt

# Django's debug mode stays off; the key comes from a file that settings read.
if [ -z "${SECRET_KEY:-}" ]; then
  export SECRET_KEY_FILE="${SECRET_KEY_FILE:-$PWD/.secret_key}"
  "$PYTHON" -m monitoring_site.secret_key "$SECRET_KEY_FILE"
fi

echo "== preparing the database and static files"
"$PYTHON" manage.py migrate --noinput -v 0
"$PYTHON" manage.py collectstatic --noinput -v 0

# Copy the examples once: ingestion renames what it reads, so a second copy
# would only be reported as duplicates.
mkdir -p logs
if [ ! -e logs/.examples-copied ] && compgen -G "examples/logs/*" >/dev/null; then
  echo "== copying examples/logs/ into logs/"
  cp examples/logs/* logs/
  touch logs/.examples-copied
fi

echo "== ingesting logs/ once (for a folder that keeps filling: manage.py ingest_logs --watch)"
"$PYTHON" manage.py ingest_logs

echo "== admin account"
"$PYTHON" manage.py create_admin

echo "== serving http://$ADDRESS/ (log in with the admin account; Ctrl+C stops)"
exec "$PYTHON" manage.py runserver --noreload "$ADDRESS"
