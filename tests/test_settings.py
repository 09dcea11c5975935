"""Production settings: every value from the environment, checked when the settings load.

Most tests execute monitoring_site/settings.py afresh in this process with a
chosen environment; the few that need a real start run manage.py.
"""

import logging
import os
import re
import runpy
import secrets
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from monitoring_site.env import read_choice, read_float, read_origin_list
from monitoring_site.log_format import OneLineFormatter
from monitoring_site.secret_key import create_secret_key_file

REPOSITORY = Path(__file__).resolve().parent.parent
SETTINGS_FILE = REPOSITORY / "monitoring_site" / "settings.py"
GUNICORN_CONFIG = REPOSITORY / "docker" / "gunicorn.conf.py"
READER = re.compile(r"read_\w+\(\s*[\"'](\w+)[\"']")
SHELL_VARIABLE = re.compile(r"\$\{(\w+)")


def variables_read_by(path):
    return set(READER.findall(path.read_text()))


# Set by the scripts themselves or by Docker, never by an operator.
OTHER_VARIABLES = {"DJANGO_SETTINGS_MODULE"}


@pytest.fixture
def load_settings(monkeypatch):
    """Execute settings.py with only the given variables set among those it reads."""
    for name in variables_read_by(SETTINGS_FILE) | variables_read_by(GUNICORN_CONFIG):
        monkeypatch.delenv(name, raising=False)

    def load(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def key():
    return secrets.token_urlsafe(50)


# SECRET_KEY


def test_missing_secret_key_stops_start():
    if (REPOSITORY / ".secret_key").exists():
        pytest.skip("this checkout has a .secret_key from scripts/quickstart.sh, which settings read")
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "monitoring_site.settings"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert "Configuration error: SECRET_KEY is missing." in result.stderr
    assert "SECRET_KEY_FILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_variable_beats_key_file(load_settings, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file\n")
    from_environment = key()

    settings = load_settings(SECRET_KEY=from_environment, SECRET_KEY_FILE=str(key_file))

    assert settings["SECRET_KEY"] == from_environment


def test_key_file_read_without_secret_key(load_settings, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("  stored-key-with-spaces-around  \n")

    settings = load_settings(SECRET_KEY="", SECRET_KEY_FILE=str(key_file))

    assert settings["SECRET_KEY"] == "stored-key-with-spaces-around"


def test_missing_key_file_names_path_and_fix(load_settings, tmp_path):
    missing = tmp_path / "nowhere" / "secret_key"

    with pytest.raises(ImproperlyConfigured, match="does not exist") as raised:
        load_settings(SECRET_KEY_FILE=str(missing))

    assert str(missing) in str(raised.value)
    assert "python -m monitoring_site.secret_key" in str(raised.value)


def test_empty_key_file_is_rejected(load_settings, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("\n")

    with pytest.raises(ImproperlyConfigured, match="is empty"):
        load_settings(SECRET_KEY_FILE=str(key_file))


def test_debug_mode_creates_private_key_file(load_settings, tmp_path):
    key_file = tmp_path / "secret_key"

    first = load_settings(DJANGO_DEBUG="1", SECRET_KEY_FILE=str(key_file))
    second = load_settings(DJANGO_DEBUG="1", SECRET_KEY_FILE=str(key_file))

    assert first["DEBUG"] is True
    assert len(first["SECRET_KEY"]) >= 50
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_never_creates_key_file(load_settings, tmp_path):
    key_file = tmp_path / "secret_key"

    with pytest.raises(ImproperlyConfigured):
        load_settings(SECRET_KEY_FILE=str(key_file))

    assert not key_file.exists()


def test_racing_starts_create_one_key(tmp_path):
    key_file = tmp_path / "data" / "secret_key"
    results = []
    barrier = threading.Barrier(8)

    def start():
        barrier.wait()
        results.append(create_secret_key_file(key_file))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 7 + [True]
    assert len(key_file.read_text().strip()) >= 50
    assert [path.name for path in key_file.parent.iterdir()] == ["secret_key"]


# Debug switches


def test_django_debug_is_off_by_default(load_settings):
    settings = load_settings(SECRET_KEY=key())

    assert settings["DEBUG"] is False
    assert settings["INGEST_DEBUG"] is False


@pytest.mark.parametrize("name", ["DEBUG", "MONITORING_DEBUG"])
def test_debug_variables_raise_only_ingest_logging(load_settings, name):
    settings = load_settings(SECRET_KEY=key(), **{name: "1"})

    assert settings["DEBUG"] is False
    assert settings["INGEST_DEBUG"] is True
    assert settings["LOGGING"]["loggers"]["logs_app.ingest"]["level"] == "DEBUG"


# HTTPS and proxies


def test_plain_http_defaults_keep_login_working_on_localhost(load_settings):
    settings = load_settings(SECRET_KEY=key())

    assert settings["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["CSRF_COOKIE_SECURE"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert "SECURE_PROXY_SSL_HEADER" not in settings


def test_https_only_enables_secure_defaults(load_settings):
    settings = load_settings(SECRET_KEY=key(), HTTPS_ONLY="1")

    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 3600
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is False


def test_https_settings_override_one_by_one(load_settings):
    settings = load_settings(SECRET_KEY=key(), HTTPS_ONLY="1", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="31536000")

    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 31536000
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_forwarded_proto_is_trusted_only_when_asked(load_settings):
    settings = load_settings(SECRET_KEY=key(), TRUST_X_FORWARDED_PROTO="yes")

    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_hosts_and_origins_are_comma_separated_lists(load_settings):
    settings = load_settings(
        SECRET_KEY=key(),
        ALLOWED_HOSTS="monitor.example.com, 10.0.0.7 ,",
        CSRF_TRUSTED_ORIGINS="https://monitor.example.com,https://*.example.org",
    )

    assert settings["ALLOWED_HOSTS"] == ["monitor.example.com", "10.0.0.7"]
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://monitor.example.com", "https://*.example.org"]


# Database


def test_postgresql_connections_time_out(load_settings):
    settings = load_settings(SECRET_KEY=key(), DATABASE_URL="postgresql://monitoring@db.invalid:5432/monitoring")

    assert settings["DATABASES"]["default"]["OPTIONS"]["connect_timeout"] == 10


def test_connect_timeout_in_the_url_is_kept(load_settings):
    url = "postgresql://monitoring@db.invalid:5432/monitoring?connect_timeout=3"

    settings = load_settings(SECRET_KEY=key(), DATABASE_URL=url, DB_CONNECT_TIMEOUT="20")

    assert str(settings["DATABASES"]["default"]["OPTIONS"]["connect_timeout"]) == "3"


# An invalid value stops the start, and the message names the variable


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DJANGO_DEBUG", "maybe", "Use one of 1, true, yes, on"),
        ("HTTPS_ONLY", "enabled", "Use one of 1, true, yes, on"),
        ("SECURE_HSTS_SECONDS", "1y", "Expected a whole number"),
        ("SECURE_HSTS_SECONDS", "-1", "at least 0"),
        ("CSRF_TRUSTED_ORIGINS", "monitor.example.com", "scheme and a host"),
        ("CSRF_TRUSTED_ORIGINS", "https://monitor.example.com/logs", "without a path"),
        ("LOG_LEVEL", "LOUD", "Use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("DB_CONNECT_TIMEOUT", "0", "at least 1"),
        ("POLL_SECONDS", "0", "at least 0.001"),
        ("POLL_SECONDS", "inf", "Expected a finite number"),
        ("POLL_SECONDS", "1e999", "Expected a finite number"),
        ("SETTLE_SECONDS", "nan", "Expected a finite number"),
        ("DB_RETRY_MAX_SECONDS", "-inf", "Expected a finite number"),
    ],
)
def test_invalid_value_names_variable(load_settings, name, value, expected):
    values = {"SECRET_KEY": key(), name: value}
    if name == "DB_CONNECT_TIMEOUT":
        values["DATABASE_URL"] = "postgresql://monitoring@db.invalid/monitoring"

    with pytest.raises(ImproperlyConfigured) as raised:
        load_settings(**values)

    assert name in str(raised.value)
    assert repr(value) in str(raised.value)
    assert expected in str(raised.value)


def test_log_level_is_read_without_regard_to_case(load_settings):
    settings = load_settings(SECRET_KEY=key(), LOG_LEVEL="warning")

    assert settings["LOGGING"]["root"]["level"] == "WARNING"


def test_read_choice_returns_the_spelling_of_the_choice(monkeypatch):
    monkeypatch.setenv("COLOUR", " Blue ")

    assert read_choice("COLOUR", "red", ("red", "blue")) == "blue"


def test_read_float_refuses_a_value_above_the_maximum(monkeypatch):
    monkeypatch.setenv("SHARE", "1.5")

    with pytest.raises(ImproperlyConfigured, match="SHARE: '1.5'. Expected a number of at most 1"):
        read_float("SHARE", 0.5, minimum=0, maximum=1)


def test_read_float_accepts_the_bounds(monkeypatch):
    monkeypatch.setenv("SHARE", " 1 ")

    assert read_float("SHARE", 0.5, minimum=0, maximum=1) == 1.0


def test_first_database_retry_cannot_wait_longer_than_the_longest(load_settings):
    with pytest.raises(ImproperlyConfigured) as raised:
        load_settings(SECRET_KEY=key(), DB_RETRY_INITIAL_SECONDS="90", DB_RETRY_MAX_SECONDS="60")

    assert "DB_RETRY_INITIAL_SECONDS (90.0) is larger than DB_RETRY_MAX_SECONDS (60.0)" in str(raised.value)


def test_read_origin_list_default_is_a_new_list():
    assert read_origin_list("MONITORING_TEST_UNSET_ORIGINS") == []


# Logging


def test_formatter_keeps_traceback_on_one_line():
    formatter = OneLineFormatter()
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        record = logging.LogRecord("logs_app.ingest", logging.ERROR, __file__, 1, "failed on %s", ("a.json",), None)
        record.exc_info = sys.exc_info()

    line = formatter.format(record)

    assert "\n" not in line
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR logs_app\.ingest failed on a\.json\\nTraceback", line)
    assert "second line" in line


# README


def test_readme_lists_every_variable():
    readme = (REPOSITORY / "README.md").read_text()
    first_cells = [line.split("|")[1] for line in readme.splitlines() if line.startswith("| `")]
    documented = set(re.findall(r"`(\w+)`", " ".join(first_cells)))
    python_files = [SETTINGS_FILE, GUNICORN_CONFIG, REPOSITORY / "docker" / "prestart.py"]
    shell_files = [*sorted((REPOSITORY / "docker").glob("*.sh")), REPOSITORY / "docker-compose.yml"]
    read = set().union(*(variables_read_by(path) for path in python_files))
    read |= set().union(*(SHELL_VARIABLE.findall(path.read_text()) for path in shell_files))

    missing = read - documented - OTHER_VARIABLES

    assert not missing, f"README.md's settings table lacks: {', '.join(sorted(missing))}"
