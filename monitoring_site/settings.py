"""Django settings for the LLM agent monitoring site.

Every value comes from the environment; README.md lists the variables.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from monitoring_site.env import read_bool, read_float, read_int, read_list, read_str

BASE_DIR = Path(__file__).resolve().parent.parent

# Django's own debug mode. DEBUG and MONITORING_DEBUG only raise the ingester's
# log level, so verbose ingest logs never turn on debug pages.
DEBUG = read_bool("DJANGO_DEBUG", False)

SECRET_KEY = read_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing. Set SECRET_KEY to a long random string, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-used-only-with-DJANGO_DEBUG"

ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = read_list("CSRF_TRUSTED_ORIGINS", [])

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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
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
POLL_SECONDS = read_float("POLL_SECONDS", 2.0, minimum=0)
SETTLE_SECONDS = read_float("SETTLE_SECONDS", 5.0, minimum=0)
MAX_LOG_FILE_BYTES = read_int("MAX_LOG_FILE_BYTES", 64 * 1024 * 1024, minimum=1)
DB_RETRY_INITIAL_SECONDS = read_float("DB_RETRY_INITIAL_SECONDS", 1.0, minimum=0)
DB_RETRY_MAX_SECONDS = read_float("DB_RETRY_MAX_SECONDS", 60.0, minimum=0)
RENAME_RETRY_SECONDS = read_float("RENAME_RETRY_SECONDS", 30.0, minimum=0)
INGEST_DEBUG = read_bool("MONITORING_DEBUG", False) or read_bool("DEBUG", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"},
    },
    "root": {"handlers": ["stdout"], "level": read_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "logs_app.ingest": {"level": "DEBUG" if INGEST_DEBUG else "INFO"},
    },
}
