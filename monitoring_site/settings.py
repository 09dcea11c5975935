"""Django settings for the LLM agent monitoring site.

Every value comes from the environment; README.md lists the variables.
"""

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from monitoring_site.env import (
    read_bool,
    read_choice,
    read_float,
    read_int,
    read_list,
    read_origin_list,
    read_str,
)
from monitoring_site.log_format import logging_config
from monitoring_site.secret_key import read_secret_key_file

BASE_DIR = Path(__file__).resolve().parent.parent

# Django's own debug mode. DEBUG and MONITORING_DEBUG only raise the ingester's
# log level, so verbose ingest logs never turn on debug pages.
DEBUG = read_bool("DJANGO_DEBUG", False)

# SECRET_KEY, or else the file that SECRET_KEY_FILE names (docker/prestart.py creates
# it in a volume on first start). Without SECRET_KEY_FILE, the git-ignored
# .secret_key that scripts/quickstart.sh writes is used when it exists. In debug
# mode a missing key file is created, so local sessions survive restarts.
SECRET_KEY = read_str("SECRET_KEY").strip()
LOCAL_SECRET_KEY_FILE = BASE_DIR / ".secret_key"
SECRET_KEY_FILE = read_str("SECRET_KEY_FILE") or (
    str(LOCAL_SECRET_KEY_FILE) if DEBUG or LOCAL_SECRET_KEY_FILE.exists() else ""
)
if not SECRET_KEY and SECRET_KEY_FILE:
    SECRET_KEY = read_secret_key_file(SECRET_KEY_FILE, create=DEBUG)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is missing. Set SECRET_KEY to a long random string, or SECRET_KEY_FILE to a file "
        "that contains one (create it with `python -m monitoring_site.secret_key .secret_key`, "
        "or run scripts/quickstart.sh), or set DJANGO_DEBUG=1 for local development."
    )

# Load balancers often probe by IP address. /healthz responds to any Host header
# (see monitoring_site/health.py), so their addresses need no entry.
ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = read_origin_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS_ONLY=1 declares that every browser reaches the site over HTTPS (directly or
# through a TLS proxy). It turns on the settings below, each of which can also
# be set on its own. It is off by default so that the quick start works over
# plain HTTP on localhost, where secure cookies would make logging in fail.
HTTPS_ONLY = read_bool("HTTPS_ONLY", False)
SESSION_COOKIE_SECURE = read_bool("SESSION_COOKIE_SECURE", HTTPS_ONLY)
CSRF_COOKIE_SECURE = read_bool("CSRF_COOKIE_SECURE", HTTPS_ONLY)
SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", HTTPS_ONLY)
SECURE_HSTS_SECONDS = read_int("SECURE_HSTS_SECONDS", 3600 if HTTPS_ONLY else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS_ONLY)
SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", False)
# Trust X-Forwarded-Proto only when a proxy that sets it is the only way in,
# because otherwise any client could claim HTTPS.
if read_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = read_bool("USE_X_FORWARDED_HOST", False)
# Preloading is a request to browser vendors that only the owner of the parent
# domain can make, so `check --deploy` does not nag about it unless asked to.
SILENCED_SYSTEM_CHECKS = read_list("SILENCED_SYSTEM_CHECKS", ["security.W021"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "logs_app",
]

MIDDLEWARE = [
    # First, so that health probes skip the host check and the HTTPS redirect.
    "monitoring_site.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it rewrites the page before any outer middleware measures it.
    "logs_app.middleware.DirectionControlMiddleware",
]

ROOT_URLCONF = "monitoring_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "monitoring_site.wsgi.application"

DATABASE_URL = read_str("DATABASE_URL", "sqlite:///monitoring.db")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=read_int("DB_CONN_MAX_AGE", 0, minimum=0))}
except ValueError as error:
    raise ImproperlyConfigured(
        f"Invalid DATABASE_URL {DATABASE_URL!r}: {error}. "
        "Use sqlite:///monitoring.db or postgresql://user:password@host:5432/name."
    ) from None

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Without a timeout, a health check against an unreachable server hangs
    # until the TCP stack gives up, long after the prober has.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", read_int("DB_CONNECT_TIMEOUT", 10, minimum=1)
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web pages read while the poller writes; IMMEDIATE takes the
    # write lock at BEGIN, so two writers queue on the busy timeout instead of
    # failing with "database is locked" when one upgrades a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": read_float("SQLITE_TIMEOUT_SECONDS", 30.0, minimum=0),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = read_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(read_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed files once collectstatic has written its manifest (and while
# collectstatic runs, so that it writes one). Before that, on a fresh checkout,
# whitenoise serves the source files through the finders, so pages work instead
# of failing on the missing manifest.
STATIC_MANIFEST_EXISTS = (STATIC_ROOT / "staticfiles.json").exists() or sys.argv[1:2] == ["collectstatic"]
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST_EXISTS
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST_EXISTS
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/logs/"
LOGOUT_REDIRECT_URL = "login"

# Ingestion. Intervals are floats in seconds so tests can run them in milliseconds.
LOGS_DIR = Path(read_str("LOGS_DIR", "logs"))
LOG_FILE_GLOB = read_str("LOG_FILE_GLOB", "*.json")
PROCESSED_PREFIX = read_str("PROCESSED_PREFIX", "_")
if not PROCESSED_PREFIX or "/" in PROCESSED_PREFIX:
    raise ImproperlyConfigured(
        f"Invalid PROCESSED_PREFIX {PROCESSED_PREFIX!r}. Use a non-empty file name prefix without '/', such as '_'."
    )
# Above 0, or the watch loop would spin without a pause.
POLL_SECONDS = read_float("POLL_SECONDS", 2.0, minimum=0.001)
SETTLE_SECONDS = read_float("SETTLE_SECONDS", 5.0, minimum=0)
MAX_LOG_FILE_BYTES = read_int("MAX_LOG_FILE_BYTES", 64 * 1024 * 1024, minimum=1)
DB_RETRY_INITIAL_SECONDS = read_float("DB_RETRY_INITIAL_SECONDS", 1.0, minimum=0)
DB_RETRY_MAX_SECONDS = read_float("DB_RETRY_MAX_SECONDS", 60.0, minimum=0)
if DB_RETRY_INITIAL_SECONDS > DB_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        f"DB_RETRY_INITIAL_SECONDS ({DB_RETRY_INITIAL_SECONDS}) is larger than DB_RETRY_MAX_SECONDS "
        f"({DB_RETRY_MAX_SECONDS}); the first wait after a database error cannot exceed the longest one."
    )
RENAME_RETRY_SECONDS = read_float("RENAME_RETRY_SECONDS", 30.0, minimum=0)
INGEST_DEBUG = read_bool("MONITORING_DEBUG", False) or read_bool("DEBUG", False)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_LEVEL = read_choice("LOG_LEVEL", "INFO", LOG_LEVELS)
# Everything goes to stdout, one line per event. docker/gunicorn.conf.py gives
# gunicorn's access and error lines the same format.
LOGGING = logging_config(LOG_LEVEL, {"logs_app.ingest": "DEBUG" if INGEST_DEBUG else "INFO"})
