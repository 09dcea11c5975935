"""Run one measured job in a fresh process and write its timings as JSON.

    python bench/child.py RESULT_JSON ingest [ingest_logs options...]
    python bench/child.py RESULT_JSON floor LOG_DIR

The timings leave out interpreter and Django start-up. Besides wall time they
give the CPU time of this process and, on PostgreSQL, of the server process
that served its connection (read from /proc, so the server must run on this
machine), which stay meaningful when other work shares the machine.
"""

import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def database_cpu_seconds():
    """(pid, CPU time) of the PostgreSQL backend behind Django's connection; None on SQLite or a remote server."""
    from django.db import connection

    from bench.harness import read_cpu_seconds

    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        return pid, read_cpu_seconds(pid)
    except OSError:
        return None


def run_job(job, args):
    if job == "ingest":
        from django.core.management import call_command

        call_command("ingest_logs", *args)
        return {}
    if job == "floor":
        from bench.floor import run_floor

        count, read_seconds, insert_seconds = run_floor(args[0])
        return {"files": count, "read_s": read_seconds, "insert_s": insert_seconds}
    raise SystemExit(f"unknown job {job!r}: use ingest or floor")


def main():
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
    import django

    django.setup()
    result_path, job, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    from django.db import connection

    # Connect before the clock starts, as a long-running ingester would already be.
    connection.ensure_connection()
    db_cpu_before = database_cpu_seconds()
    wall_before, cpu_before = time.perf_counter(), time.process_time()
    extra = run_job(job, args)
    wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
    db_cpu_after = database_cpu_seconds()
    db_cpu = None
    # A job that reconnected ran part of its queries on another backend: its CPU time is unknown.
    if db_cpu_before and db_cpu_after and db_cpu_before[0] == db_cpu_after[0]:
        db_cpu = db_cpu_after[1] - db_cpu_before[1]
    Path(result_path).write_text(json.dumps({"wall_s": wall, "cpu_s": cpu, "db_cpu_s": db_cpu, **extra}))


if __name__ == "__main__":
    main()
