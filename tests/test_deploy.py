"""The deployment: compose file, service scripts, production checks and /healthz.

The scripts that the compose services run (docker/app.sh, docker/poller.sh) are
run here outside Docker, as subprocesses against a fresh database on the
server that this test run uses: PostgreSQL when DATABASE_URL names one,
otherwise a SQLite file.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
import pytest
import yaml

REPOSITORY = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPOSITORY / "docker-compose.yml"
FIXTURE_LOG = Path(__file__).parent / "fixtures" / "deploy" / "one_run.json"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+ \S")

# What an operator sets behind a TLS proxy, as README.md shows it.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "ALLOWED_HOSTS": "monitor.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://monitor.example.com",
    "HTTPS_ONLY": "1",
    "TRUST_X_FORWARDED_PROTO": "1",
}


def base_env(**values):
    """A minimal environment for a child process: none of the test run's settings leak in."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "monitoring_site.settings"
    env["PYTHON"] = sys.executable
    env.update(values)
    return env


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_python(env, *args, timeout=60):
    return subprocess.run(
        [sys.executable, *args], cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=timeout
    )


def stop(process, timeout=30):
    """Send SIGTERM and return (exit code, stdout, stderr)."""
    process.send_signal(signal.SIGTERM)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"{process.args} did not stop within {timeout}s of SIGTERM.\n{stdout}\n{stderr}")
    return process.returncode, stdout, stderr


def run_database_url():
    return os.environ.get("DATABASE_URL", "")


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database that no test has migrated, on the server this run uses."""
    url = run_database_url()
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
        return
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'monitoring'}_deploy_{os.getpid()}_{secrets.token_hex(3)}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def count_rows(database_url, table):
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    with psycopg.connect(database_url) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def get(port, path, host="127.0.0.1", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class ProxiedBrowser:
    """Send requests as a TLS proxy forwards a browser's: the public host, X-Forwarded-Proto and the cookies."""

    def __init__(self, port, host):
        self.port = port
        self.host = host
        self.cookies = {}
        self.set_cookies = []

    def request(self, method, path, form=None):
        headers = {"Host": self.host, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()

        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, content


def wait_until_healthy(process, port, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stdout, stderr = process.communicate()
            pytest.fail(f"docker/app.sh exited with {process.returncode} before serving.\n{stdout}\n{stderr}")
        try:
            status, _, body = get(port, "/healthz")
        except OSError:
            time.sleep(0.2)
            continue
        return status, body
    process.kill()
    pytest.fail(f"docker/app.sh did not respond on port {port} within {timeout}s.")


# docker-compose.yml


def compose_validators():
    """Each installed validator as (name, command prefix); the file path is appended."""
    validators = []
    if shutil.which("docker-compose"):
        validators.append(("docker-compose config", ["docker-compose", "--project-directory", str(REPOSITORY)]))
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    if check_jsonschema.exists() or shutil.which("check-jsonschema"):
        command = str(check_jsonschema) if check_jsonschema.exists() else "check-jsonschema"
        validators.append(("check-jsonschema compose-spec", [command, "--builtin-schema", "vendor.compose-spec"]))
    return validators


def run_validator(prefix, path):
    if prefix[0] == "docker-compose":
        command = [*prefix, "-f", str(path), "config", "--quiet"]
    else:
        command = [*prefix, str(path)]
    return subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, timeout=60, env=base_env())


@pytest.fixture
def validators():
    found = compose_validators()
    if not found:
        pytest.skip(
            "No compose validator installed: install Debian's docker-compose or "
            "`pip install -r requirements-dev.txt` (check-jsonschema)."
        )
    return found


def test_compose_file_validates(validators):
    for name, prefix in validators:
        result = run_validator(prefix, COMPOSE_FILE)
        assert result.returncode == 0, f"{name} rejected docker-compose.yml:\n{result.stdout}\n{result.stderr}"


def test_compose_validators_reject_a_broken_file(validators, tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE_FILE.read_text().replace("stop_grace_period: 60s", "stop_grace_period: [60]"))
    for name, prefix in validators:
        result = run_validator(prefix, broken)
        assert result.returncode != 0, f"{name} accepted a compose file with a list as stop_grace_period"


def compose_with_defaults():
    """docker-compose.yml as Compose reads it when no variable is set."""
    text = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda match: match.group(2), COMPOSE_FILE.read_text())
    return yaml.safe_load(text.replace("$$", "$"))


def test_compose_defaults_match_the_documented_deployment():
    services = compose_with_defaults()["services"]

    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    assert postgres["environment"] == {
        "POSTGRES_DB": "monitoring",
        "POSTGRES_USER": "monitoring",
        "POSTGRES_PASSWORD": "monitoring",
    }
    assert "pgdata:/var/lib/postgresql/data" in postgres["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"][1]

    app, poller = services["app"], services["poller"]
    database_url = "postgresql://monitoring:monitoring@postgres:5432/monitoring"
    for service in (app, poller):
        assert service["image"] == app["image"]
        assert service["build"]["context"] == "."
        assert service["environment"]["DATABASE_URL"] == database_url
        assert service["environment"]["SECRET_KEY_FILE"].startswith("/data/")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert app["command"] == ["sh", "docker/app.sh"]
    assert app["ports"] == ["8000:8000"]
    assert "/healthz" in " ".join(app["healthcheck"]["test"])
    assert poller["command"] == ["sh", "docker/poller.sh"]
    # The admin's "Try again" runs in the app, so it must see the poller's folder.
    for service in (app, poller):
        assert service["environment"]["LOGS_DIR"] == "/app/logs"
        assert "./logs:/app/logs" in service["volumes"]
        assert "appdata:/data" in service["volumes"]
    assert int(poller["stop_grace_period"].removesuffix("s")) >= 30


def test_dockerfile_pins_requirements_runs_unprivileged():
    dockerfile = (REPOSITORY / "Dockerfile").read_text()

    assert "\nFROM python:3.11-slim\n" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert 'CMD ["sh", "docker/app.sh"]' in dockerfile
    for requirement in (REPOSITORY / "requirements.txt").read_text().split():
        assert "==" in requirement, f"requirements.txt has an unpinned line: {requirement}"


# manage.py check --deploy


def test_check_deploy_is_clean_with_production_values():
    env = base_env(SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION_ENV)

    result = run_python(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_over_http_warns_https():
    env = base_env(SECRET_KEY=secrets.token_urlsafe(50))

    result = run_python(env, "manage.py", "check", "--deploy")

    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"\((security\.W\d+)\)", result.stderr))
    assert warnings == {"security.W004", "security.W008", "security.W012", "security.W016"}


# /healthz in the test process, on the database of this test run


@pytest.mark.django_db
def test_healthz_reports_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_accepts_ip_probes_over_http(client, settings):
    settings.ALLOWED_HOSTS = ["monitor.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    probe = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    page = client.get("/logs/", HTTP_HOST="monitor.example.com")

    assert probe.status_code == 200
    assert page.status_code == 301
    assert page["Location"].startswith("https://monitor.example.com/")


@pytest.mark.django_db
def test_healthz_accepts_head(client):
    response = client.head("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("postgresql://monitoring@127.0.0.1:{port}/monitoring", id="postgresql-refused"),
        pytest.param("sqlite:////nonexistent-folder/monitoring.db", id="sqlite-unopenable"),
    ],
)
def test_healthz_unreachable_database_returns_503(database_url):
    env = base_env(SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=database_url.format(port=free_port()))
    probe = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(json.dumps([r.status_code, r.json()]))"
    )

    result = run_python(env, "-c", probe)

    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "error", "database": "OperationalError"}


# The service scripts, outside Docker


def test_app_script_migrates_and_serves(scratch_database_url, tmp_path):
    port = free_port()
    key_file = tmp_path / "data" / "secret_key"
    env = base_env(
        **PRODUCTION_ENV,
        DATABASE_URL=scratch_database_url,
        SECRET_KEY_FILE=str(key_file),
        BIND_ADDRESS="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        COLLECTSTATIC="1",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    password = secrets.token_urlsafe(16)
    browser = ProxiedBrowser(port, "monitor.example.com")
    process = subprocess.Popen(
        ["sh", "docker/app.sh"], cwd=REPOSITORY, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        health_status, health_body = wait_until_healthy(process, port)
        create_user = run_python(
            {**env, "DJANGO_SUPERUSER_PASSWORD": password},
            "manage.py",
            "createsuperuser",
            "--noinput",
            "--username=ops",
            "--email=ops@example.com",
        )
        plain_status, plain_headers, _ = get(port, "/logs/", host="monitor.example.com")
        unknown_host_status = get(port, "/logs/", host="10.0.0.7", headers={"X-Forwarded-Proto": "https"})[0]
        anonymous_status, anonymous_headers, _ = browser.request("GET", "/logs/")
        _, _, login_page = browser.request("GET", "/accounts/login/?next=/logs/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1).decode()
        form = {"username": "ops", "password": password, "csrfmiddlewaretoken": token}
        login_status, login_headers, _ = browser.request("POST", "/accounts/login/?next=/logs/", form=form)
        logs_status, _, logs_page = browser.request("GET", "/logs/")
        stylesheet = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', logs_page)
        css_status = browser.request("GET", stylesheet.group(1).decode())[0] if stylesheet else None
    finally:
        exit_code, stdout, stderr = stop(process)

    assert (health_status, json.loads(health_body)) == (200, {"status": "ok", "database": "ok"})
    assert create_user.returncode == 0, create_user.stderr
    assert plain_status == 301
    assert plain_headers["Location"] == "https://monitor.example.com/logs/"
    assert unknown_host_status == 400
    assert anonymous_status == 302
    assert anonymous_headers["Location"] == "/accounts/login/?next=/logs/"
    assert login_status == 302, "login failed"
    assert login_headers["Location"] == "/logs/"
    session_cookie = next(header for header in browser.set_cookies if header.startswith("sessionid="))
    assert "; Secure" in session_cookie
    assert "; HttpOnly" in session_cookie
    assert logs_status == 200
    assert stylesheet, "the logs page links no hashed css/app.css"
    assert css_status == 200
    assert exit_code == 0, stderr

    assert count_rows(scratch_database_url, "django_migrations") > 0
    assert key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    lines = stdout.splitlines()
    assert any("gunicorn.access" in line and '"GET /healthz HTTP/1.1" 200' in line for line in lines), stdout
    assert [line for line in lines if not LOG_LINE.match(line)] == []


def test_poller_script_ingests_and_stops_on_sigterm(scratch_database_url, tmp_path):
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    env = base_env(
        DATABASE_URL=scratch_database_url,
        SECRET_KEY_FILE=str(tmp_path / "data" / "secret_key"),
        LOGS_DIR=str(logs_dir),
        POLL_SECONDS="0.05",
        SETTLE_SECONDS="0.05",
    )
    process = subprocess.Popen(
        ["sh", "docker/poller.sh"], cwd=REPOSITORY, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # Written under another name and renamed, as an agent should.
        partial = logs_dir / "run.json.partial"
        partial.write_bytes(FIXTURE_LOG.read_bytes())
        partial.rename(logs_dir / "run.json")
        deadline = time.monotonic() + 60
        while not (logs_dir / "_run.json").exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        exit_code, stdout, stderr = stop(process)

    assert (logs_dir / "_run.json").exists(), stdout + stderr
    assert exit_code == 0, stdout + stderr
    assert count_rows(scratch_database_url, "llm_logs") == 1
    assert "Ingested 1 run from 1 file" in stdout


def test_prestart_times_out_with_one_line(tmp_path):
    env = base_env(
        DATABASE_URL=f"postgresql://monitoring@127.0.0.1:{free_port()}/monitoring",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DB_WAIT_SECONDS="0",
    )

    result = run_python(env, "docker/prestart.py")

    assert result.returncode == 1
    assert "ERROR monitoring_site.prestart the database did not respond within 0 seconds" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_prestart_reports_invalid_setting_in_one_line(tmp_path):
    env = base_env(SECRET_KEY_FILE=str(tmp_path / "secret_key"), LOG_LEVEL="LOUD")

    result = run_python(env, "docker/prestart.py")

    assert result.returncode == 1
    assert "ERROR monitoring_site.prestart Invalid value for LOG_LEVEL: 'LOUD'." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_concurrent_prestarts_migrate_once(scratch_database_url, tmp_path):
    if not scratch_database_url.startswith("postgresql"):
        pytest.skip("The migration lock is a PostgreSQL advisory lock; this run uses SQLite.")
    env = base_env(DATABASE_URL=scratch_database_url, SECRET_KEY_FILE=str(tmp_path / "secret_key"))

    starts = [
        subprocess.Popen(
            [sys.executable, "docker/prestart.py"], cwd=REPOSITORY, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [start.communicate(timeout=120)[0] for start in starts]

    assert [start.returncode for start in starts] == [0, 0], outputs
    assert sum("Applying logs_app.0001_initial... OK" in output for output in outputs) == 1
    assert sum("created a new secret key" in output for output in outputs) == 1
