"""Settings for the test suite: the real settings with a test key and fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-deployment-0123456789")

from monitoring_site.settings import *  # noqa: E402,F403

# The manifest storage needs collectstatic first; tests serve files as they are.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory, so that subprocesses started by tests (the watch loop,
# gunicorn) open the same test database as the test itself. The process id
# keeps two test runs on one machine apart.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-artifacts" / f"test_monitoring_{os.getpid()}.sqlite3")}  # noqa: F405
(BASE_DIR / "test-artifacts").mkdir(exist_ok=True)  # noqa: F405
