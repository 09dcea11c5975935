"""Shared plumbing of the benchmark: scratch databases, child processes, memory and timing statistics."""

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
PYTHON = sys.executable
MANAGE = str(REPO / "manage.py")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
BENCH_SECRET = "benchmark-only-secret-key-never-used-for-a-deployment"


class Database:
    """A scratch database that the benchmark may drop and recreate at will."""

    def __init__(self, vendor, name):
        self.vendor = vendor
        self.name = name
        self.sqlite_path = OUT / f"{name}.sqlite3"

    @property
    def url(self):
        if self.vendor == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        return f"{PG_SERVER}/{self.name}"

    def drop(self):
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)
            return
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def create(self):
        """Drop, recreate and migrate."""
        self.drop()
        if self.vendor == "sqlite":
            OUT.mkdir(parents=True, exist_ok=True)
        else:
            self._admin(f'CREATE DATABASE "{self.name}"')
        run_checked([PYTHON, MANAGE, "migrate", "--noinput", "-v", "0"], env=self.env())

    def exists(self):
        if self.vendor == "sqlite":
            return self.sqlite_path.exists()
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone() is not None

    def size_bytes(self):
        if self.vendor == "sqlite":
            return sum(
                Path(f"{self.sqlite_path}{suffix}").stat().st_size
                for suffix in ("", "-wal")
                if Path(f"{self.sqlite_path}{suffix}").exists()
            )
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            return conn.execute("SELECT pg_database_size(%s)", [self.name]).fetchone()[0]

    def env(self, **extra):
        return bench_env(DATABASE_URL=self.url, **extra)

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(sql)


def bench_env(**extra):
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "SECRET_KEY": BENCH_SECRET,
            "SETTLE_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
        }
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def run_checked(command, env, **kwargs):
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {result.returncode}:\n{result.stderr[-3000:]}")
    return result


def timed_child(command, env, log_path=None):
    """Run a command to completion; return (wall seconds, peak RSS in MB, stdout text).

    os.wait4 gives the resource usage of this one child, so the peak memory is
    the child's own and not the maximum over every child this process started.
    """
    log_path = log_path or OUT / "child.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True)
        stdout = child.stdout.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {child.returncode}; see {log_path}")
    return seconds, usage.ru_maxrss / 1024, stdout


def fresh_copy(source_dir, target_dir):
    """Copy a folder of logs so that a run that renames files leaves the originals alone."""
    shutil.rmtree(target_dir, ignore_errors=True)
    shutil.copytree(source_dir, target_dir)
    return target_dir


def read_rss_mb(pid):
    """Resident memory of a live process in MB, from /proc (Linux only)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def read_cpu_seconds(pid):
    """User plus system CPU time of a live process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler(threading.Thread):
    """Samples a process's RSS and a progress counter every `interval` seconds."""

    def __init__(self, pid, progress, interval=0.25):
        super().__init__(daemon=True)
        self.pid = pid
        self.progress = progress
        self.interval = interval
        self.samples = []
        self._halt = threading.Event()

    def run(self):
        started = time.perf_counter()
        while not self._halt.is_set():
            try:
                rss = read_rss_mb(self.pid)
            except FileNotFoundError:
                return
            self.samples.append((time.perf_counter() - started, self.progress(), rss))
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


def summary_ms(seconds):
    """Median and 95th percentile of a list of durations, in milliseconds."""
    values = sorted(value * 1000 for value in seconds)
    p95_index = max(0, min(len(values) - 1, round(0.95 * len(values)) - 1))
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(values[p95_index], 1), "n": len(values)}


def count_rows(database, table="llm_logs"):
    if database.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(database.sqlite_path) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    import psycopg

    with psycopg.connect(database.url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def machine_info():
    info = {"nproc": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
        with open("/proc/meminfo") as meminfo:
            info["memory_gb"] = round(int(meminfo.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    info["python"] = sys.version.split()[0]
    return info
