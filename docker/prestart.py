"""Get ready to serve: make sure a secret key exists, wait for the database, apply migrations.

docker/app.sh and docker/poller.sh both run this before they start, so each
service works on its own, whichever starts first. Run from anywhere as
`python docker/prestart.py`; settings come from the environment.
"""

import logging
import logging.config
import os
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")

from monitoring_site.env import read_float, read_str  # noqa: E402
from monitoring_site.log_format import logging_config  # noqa: E402
from monitoring_site.secret_key import create_secret_key_file  # noqa: E402

logger = logging.getLogger("monitoring_site.prestart")

# Any fixed number works as long as nothing else on the server uses it.
MIGRATION_LOCK_ID = 7_146_302_001


def ensure_secret_key():
    """Create the key file on first start when the environment gives no SECRET_KEY."""
    path = read_str("SECRET_KEY_FILE")
    if read_str("SECRET_KEY").strip() or not path:
        return
    if create_secret_key_file(path):
        logger.info("created a new secret key in %s", path)


def wait_for_database(timeout, interval):
    from django.db import OperationalError, connection

    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        attempt += 1
        try:
            connection.ensure_connection()
            return True
        except OperationalError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            if time.monotonic() >= deadline:
                logger.error("the database did not respond within %g seconds: %s", timeout, reason)
                return False
            if attempt == 1 or attempt % 10 == 0:
                logger.info("waiting for the database (attempt %d): %s", attempt, reason)
            connection.close()
            time.sleep(interval)


class LogLines:
    """A stream for call_command that logs each line, so migrate's report has a level and a logger name."""

    def __init__(self):
        self.pending = ""

    def write(self, text):
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if line.strip():
                logger.info("%s", line.strip())

    def flush(self):
        pass


def migrate():
    """Apply migrations. On PostgreSQL, hold an advisory lock so that the app and the poller take turns."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        call_command("migrate", interactive=False, verbosity=1, stdout=LogLines())
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
    try:
        call_command("migrate", interactive=False, verbosity=1, stdout=LogLines())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])


def main():
    # Until Django's settings load (they may be invalid), log in the same format by hand.
    logging.config.dictConfig(logging_config("INFO"))
    from django.core.exceptions import ImproperlyConfigured

    try:
        ensure_secret_key()
        import django

        django.setup()
        wait_seconds = read_float("DB_WAIT_SECONDS", 60.0, minimum=0)
    except ImproperlyConfigured as error:
        logger.error("%s", error)
        return 1
    except OSError as error:
        logger.error("cannot create the secret key file %s: %s", read_str("SECRET_KEY_FILE"), error.strerror)
        return 1
    if not wait_for_database(wait_seconds, interval=1.0):
        return 1
    migrate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
