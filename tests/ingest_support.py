"""Helpers shared by the ingestion tests: small pydantic-ai shaped logs, file writers and a command runner."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from logs_app.ingest.pipeline import Ingester
from logs_app.ingest.sources import LocalFolderSource

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOUR_AGO = 3600


def run_log(prompt="What is the capital of France?", answer="Paris.", agent="geo_agent", model="gpt-4o-mini", **extra):
    """A small pydantic-ai run dump with one request and one response."""
    document = {
        "agent_name": agent,
        "system_prompt": ["Answer in one short sentence."],
        "provider": "openai",
        "model": model,
        "tools": [],
        "messages": [
            {
                "parts": [
                    {"content": prompt, "timestamp": "2026-11-30T09:00:00.100000+00:00", "part_kind": "user-prompt"}
                ],
                "instructions": "Answer in one short sentence.",
                "kind": "request",
            },
            {
                "parts": [{"content": answer, "id": None, "part_kind": "text"}],
                "usage": {"input_tokens": 40, "cache_read_tokens": 0, "output_tokens": 6, "details": {}},
                "model_name": "gpt-4o-mini-2024-07-18",
                "timestamp": "2026-11-30T09:00:01.600000+00:00",
                "kind": "response",
                "provider_name": "openai",
                "finish_reason": "stop",
            },
        ],
    }
    document.update(extra)
    return document


def log_bytes(document=None, **kwargs):
    return json.dumps(document if document is not None else run_log(**kwargs), ensure_ascii=False).encode()


def write_file(folder, name, data, age=HOUR_AGO):
    """Write a log file and date it `age` seconds back, so it counts as settled (age=0: just written)."""
    path = Path(folder) / name
    path.write_bytes(data if isinstance(data, bytes) else log_bytes(data))
    if age:
        moment = time.time() - age
        os.utime(path, (moment, moment))
    return path


def make_source(folder, **kwargs):
    options = {"glob": "*.json", "processed_prefix": "_", "settle_seconds": 0.5, "max_file_bytes": 1024 * 1024}
    options.update(kwargs)
    return LocalFolderSource(folder, **options)


def one_pass(folder, **kwargs):
    return Ingester(make_source(folder, **kwargs), rename_retry_seconds=0).run_pass()


def names(folder):
    return sorted(entry.name for entry in Path(folder).iterdir())


def database_url():
    """A DATABASE_URL for subprocesses that points at the test database this test uses."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(database['NAME']).resolve()}"
    user, host, port = database["USER"] or "postgres", database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgresql://{user}{password}@{host}:{port}/{database['NAME']}"


def is_sqlite():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def command_env(folder, url=None, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "MONITORING_DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "INGEST_TEST_PAUSE_AT",
            "INGEST_TEST_PAUSE_SECONDS",
        }
    }
    env.update(
        DATABASE_URL=url or database_url(),
        SECRET_KEY="ingest-tests-only-secret-key-0123456789-abcdefghijklmnop",
        DJANGO_SETTINGS_MODULE="monitoring_site.settings",
        LOGS_DIR=str(folder),
        POLL_SECONDS="0.05",
        SETTLE_SECONDS="0.5",
        DB_RETRY_INITIAL_SECONDS="0.05",
        DB_RETRY_MAX_SECONDS="0.4",
        RENAME_RETRY_SECONDS="0",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


class CommandProcess:
    """`manage.py ingest_logs` in a subprocess, its output in files so a test can read it while it runs."""

    def __init__(self, folder, *args, url=None, output_dir=None, **env):
        output_dir = Path(output_dir or Path(folder).parent)
        output_dir.mkdir(parents=True, exist_ok=True)
        number = len(list(output_dir.glob("command-*.out")))
        self.stdout_path = output_dir / f"command-{number}.out"
        self.stderr_path = output_dir / f"command-{number}.err"
        with open(self.stdout_path, "w") as stdout, open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(
                [PYTHON, "manage.py", "ingest_logs", *args],
                cwd=REPO,
                env=command_env(folder, url, **env),
                stdout=stdout,
                stderr=stderr,
            )

    @property
    def stdout(self):
        return self.stdout_path.read_text()

    @property
    def stderr(self):
        return self.stderr_path.read_text()

    @property
    def output(self):
        return self.stdout + self.stderr

    def wait(self, timeout=30):
        return self.process.wait(timeout=timeout)

    def signal(self, number):
        self.process.send_signal(number)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def run_command(folder, *args, timeout=60, **env):
    """Run ingest_logs to completion; returns (exit code, stdout, stderr)."""
    command = CommandProcess(folder, *args, **env)
    try:
        code = command.wait(timeout)
    finally:
        command.stop()
    return code, command.stdout, command.stderr


def wait_for(condition, timeout=15.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
