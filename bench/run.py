"""The benchmark in one command: ingest throughput against a floor, watch-mode memory, idle poll cost,
an 8 MB image, and page server times at 100,000 and 1,000,000 runs.

    python bench/run.py --db sqlite|postgres [--quick] [--only ingest,watch,idle,image,pages] [--runs 100000,1000000]

Everything it writes goes under bench/out/ (generated logs, SQLite files, results-*.json). PostgreSQL
scratch databases (mon_bench_*) are created on the server that BENCH_PG_SERVER names (default
postgresql://postgres@127.0.0.1:5432); seeded page databases are kept for the next run, and
--drop-pages drops them at the end. See bench/README.md.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate  # noqa: E402
from bench.harness import (  # noqa: E402
    MANAGE,
    OUT,
    PYTHON,
    REPO,
    Database,
    RssSampler,
    count_rows,
    fresh_copy,
    machine_info,
    read_cpu_seconds,
    read_rss_mb,
    run_checked,
    timed_child,
)

DATA = OUT / "data"
# Per-database folders for child logs and scratch files, so that a SQLite and a
# PostgreSQL run can go on at the same time; main() points them at bench/out/run-<db>/.
RUN = OUT
WORK = OUT / "work"
PREFIX = "_"

FULL = {"mixed": 2000, "large": 300, "repeats": 3, "watch": 10_000, "idle": 100_000, "runs": "100000,1000000"}
QUICK = {"mixed": 200, "large": 30, "repeats": 1, "watch": 1000, "idle": 10_000, "runs": "10000"}


def log(message):
    sys.stderr.write(f"[{datetime.now(UTC):%H:%M:%S}] {message}\n")
    sys.stderr.flush()


def corpus(name, count, **options):
    """Generated logs, written once and reused while the count and options stay the same."""
    folder = DATA / name
    marker = folder / ".done"
    wanted = json.dumps({"count": count, **options}, sort_keys=True)
    if marker.exists() and marker.read_text() == wanted:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    log(f"generating {count} logs into {folder}")
    generate.write_logs(folder, count, **options)
    marker.write_text(wanted)
    return folder


def ingest_command(watch=False):
    return [PYTHON, MANAGE, "ingest_logs", *(["--watch"] if watch else [])]


def folder_bytes(folder):
    return sum(path.stat().st_size for path in Path(folder).glob("*.json"))


def measured_child(database, job, args, env, log_name):
    """Run bench/child.py; return its timings (start-up excluded) and the child's peak RSS."""
    result_path = RUN / f"{log_name}.json"
    result_path.unlink(missing_ok=True)
    command = [PYTHON, str(REPO / "bench" / "child.py"), str(result_path), job, *args]
    _seconds, peak_mb, _out = timed_child(command, env, log_path=RUN / f"{log_name}.log")
    result = json.loads(result_path.read_text())
    return {**result, "peak_rss_mb": round(peak_mb, 1)}


def ingest_once(database, source, **env):
    """Time one ingest_logs pass over a fresh copy of `source` into a fresh database."""
    database.create()
    logs_dir = fresh_copy(source, WORK / "logs")
    result = measured_child(database, "ingest", ["-v", "0"], database.env(LOGS_DIR=logs_dir, **env), "ingest")
    left = [path.name for path in logs_dir.glob("*.json") if not path.name.startswith(PREFIX)]
    return {**result, "rows": count_rows(database), "unprocessed_files": len(left)}


def floor_once(database, source):
    database.create()
    result = measured_child(database, "floor", [str(source)], database.env(), "floor")
    return {**result, "rows": count_rows(database)}


def cpu_total(run):
    return run["cpu_s"] + (run["db_cpu_s"] or 0)


def bench_ingest(vendor, sizes):
    """Files per second of ingest_logs and of the floor, on the same files, each into a fresh database.

    Wall time is the primary number; CPU time (the process's plus, on PostgreSQL,
    its server backend's) is reported beside it because it stays comparable when
    other work shares the machine.
    """
    database = Database(vendor, "mon_bench_ingest")
    results = {}
    cases = {
        "mixed": corpus("mixed", sizes["mixed"], seed=1),
        "large_100kb": corpus("large", sizes["large"], seed=3, size_bytes=100_000),
    }
    for case, source in cases.items():
        files = len(list(source.glob("*.json")))
        ingest_runs, floor_runs = [], []
        for attempt in range(sizes["repeats"]):
            floor_runs.append(floor_once(database, source))
            ingest_runs.append(ingest_once(database, source))
            log(
                f"{case} #{attempt + 1}: ingest {ingest_runs[-1]['wall_s']:.2f} s "
                f"(cpu {cpu_total(ingest_runs[-1]):.2f} s, {ingest_runs[-1]['rows']} rows), "
                f"floor {floor_runs[-1]['wall_s']:.2f} s (cpu {cpu_total(floor_runs[-1]):.2f} s)"
            )
        ingest_s = statistics.median(run["wall_s"] for run in ingest_runs)
        floor_s = statistics.median(run["wall_s"] for run in floor_runs)
        ingest_cpu = statistics.median(cpu_total(run) for run in ingest_runs)
        floor_cpu = statistics.median(cpu_total(run) for run in floor_runs)
        results[case] = {
            "files": files,
            "megabytes": round(folder_bytes(source) / 1e6, 1),
            "ingest_files_per_s": round(files / ingest_s, 1),
            "floor_files_per_s": round(files / floor_s, 1),
            "ratio": round(floor_s / ingest_s, 2),
            "ingest_cpu_ms_per_file": round(1000 * ingest_cpu / files, 2),
            "floor_cpu_ms_per_file": round(1000 * floor_cpu / files, 2),
            "cpu_ratio": round(floor_cpu / ingest_cpu, 2),
            "ingest_runs": ingest_runs,
            "floor_runs": floor_runs,
        }
        log(
            f"{case}: ingest {files / ingest_s:.1f} files/s, floor {files / floor_s:.1f} files/s, "
            f"ratio {floor_s / ingest_s:.2f} (cpu ratio {floor_cpu / ingest_cpu:.2f})"
        )
    database.drop()
    return results


def count_processed(folder):
    processed = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(PREFIX):
                processed += 1
    return processed


def count_waiting(folder):
    with os.scandir(folder) as entries:
        return sum(1 for entry in entries if entry.name.endswith(".json") and not entry.name.startswith(PREFIX))


def start_watch(database, logs_dir, poll_seconds, log_name):
    log_file = open(RUN / log_name, "w")
    env = database.env(LOGS_DIR=logs_dir, POLL_SECONDS=poll_seconds)
    return subprocess_popen(ingest_command(watch=True), env, log_file), log_file


def subprocess_popen(command, env, log_file):
    import subprocess

    return subprocess.Popen(command, env=env, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT)


def stop_watch(process, log_file):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except Exception:
        process.kill()
        raise
    finally:
        log_file.close()


def rss_summary(samples, total):
    """First, last and maximum RSS after the first 10% of the files, and the growth per 1,000 files."""
    warm = [(t, done, rss) for t, done, rss in samples if done >= total // 10 and rss]
    if len(warm) < 2:
        return {"samples": len(samples)}
    xs = [done for _t, done, _rss in warm]
    ys = [rss for _t, _done, rss in warm]
    slope = statistics.linear_regression(xs, ys).slope if len(set(xs)) > 1 else 0.0
    return {
        "samples": len(samples),
        "rss_at_start_mb": round(samples[0][2], 1),
        "rss_after_warmup_mb": round(ys[0], 1),
        "rss_last_mb": round(ys[-1], 1),
        "rss_max_after_warmup_mb": round(max(ys), 1),
        "rss_min_after_warmup_mb": round(min(ys), 1),
        "growth_mb_per_1000_files": round(slope * 1000, 2),
    }


def thin(samples, count):
    return samples[:: max(1, len(samples) // count)]


def bench_watch(vendor, total, batch=200):
    """RSS of ingest_logs --watch while `total` files arrive, batch by batch, each written then renamed."""
    database = Database(vendor, "mon_bench_watch")
    database.create()
    staging = corpus(f"watch_{total}", total, seed=2)
    logs_dir = WORK / "watch"
    shutil.rmtree(logs_dir, ignore_errors=True)
    logs_dir.mkdir(parents=True)
    sources = sorted(staging.glob("*.json"))
    fed = 0
    process, log_file = start_watch(database, logs_dir, 0.1, "watch.log")
    sampler = RssSampler(process.pid, lambda: count_processed(logs_dir))
    try:
        time.sleep(2)
        sampler.start()
        started = time.perf_counter()
        deadline = started + 3600
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"ingest_logs --watch exited with {process.returncode}; see {RUN / 'watch.log'}")
            if fed < total and count_waiting(logs_dir) < batch // 2:
                for source in sources[fed : fed + batch]:
                    partial = logs_dir / (source.name + ".part")
                    shutil.copyfile(source, partial)
                    os.rename(partial, logs_dir / source.name)
                fed = min(total, fed + batch)
            if fed >= total and count_processed(logs_dir) >= total:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        time.sleep(1)
    finally:
        if sampler.is_alive():
            sampler.stop()
        stop_watch(process, log_file)
    processed = count_processed(logs_dir)
    result = {
        "files": total,
        "processed": processed,
        "rows": count_rows(database),
        "seconds": round(elapsed, 1),
        "files_per_s": round(processed / elapsed, 1),
        **rss_summary(sampler.samples, total),
        "trace": [
            (round(t, 1), done, round(rss, 1))
            for t, done, rss in sampler.samples[:: max(1, len(sampler.samples) // 60)]
        ],
    }
    log(f"watch: {result}")
    shutil.rmtree(logs_dir, ignore_errors=True)
    database.drop()
    return result


def bench_idle(vendor, total, repeats=5):
    """Measure one pass over a folder that contains only processed files, and an idle watcher on it."""
    database = Database(vendor, "mon_bench_idle")
    database.create()
    full_dir = WORK / f"idle_{total}"
    if not full_dir.exists() or count_processed(full_dir) != total:
        shutil.rmtree(full_dir, ignore_errors=True)
        full_dir.mkdir(parents=True)
        log(f"creating {total} processed files in {full_dir}")
        for index in range(total):
            (full_dir / f"{PREFIX}run_{index:07d}.json").write_text("{}")
    empty_dir = WORK / "idle_empty"
    shutil.rmtree(empty_dir, ignore_errors=True)
    empty_dir.mkdir(parents=True)

    def one_pass(folder):
        return measured_child(database, "ingest", ["-v", "0"], database.env(LOGS_DIR=folder), "idle")

    empty = [one_pass(empty_dir) for _ in range(repeats)]
    full = [one_pass(full_dir) for _ in range(repeats)]
    empty_s = statistics.median(run["wall_s"] for run in empty)
    full_s = statistics.median(run["wall_s"] for run in full)
    full_cpu = statistics.median(run["cpu_s"] for run in full)

    process, log_file = start_watch(database, full_dir, 1.0, "idle_watch.log")
    try:
        time.sleep(5)
        cpu_before, rss_before = read_cpu_seconds(process.pid), read_rss_mb(process.pid)
        time.sleep(10)
        cpu_after, rss_after = read_cpu_seconds(process.pid), read_rss_mb(process.pid)
    finally:
        stop_watch(process, log_file)
    result = {
        "processed_files": total,
        "pass_empty_folder_ms": round(empty_s * 1000, 1),
        "pass_ms": round(full_s * 1000, 1),
        "pass_cpu_ms": round(full_cpu * 1000, 1),
        "watch_cpu_ms_per_second_at_1s_poll": round((cpu_after - cpu_before) / 10 * 1000, 1),
        "watch_rss_mb": [round(rss_before, 1), round(rss_after, 1)],
    }
    log(f"idle: {result}")
    database.drop()
    return result


def bench_image(vendor):
    database = Database(vendor, "mon_bench_image")
    image = corpus("image_8mb", 1, seed=5, image_bytes=8_000_000)
    small = corpus("small_1", 1, seed=6, size_bytes=16_000)
    result = {"file_mb": round(folder_bytes(image) / 1e6, 1)}
    for label, source in (("small_16kb", small), ("image_8mb", image)):
        runs = [ingest_once(database, source) for _ in range(3)]
        best = min(runs, key=lambda run: run["wall_s"])
        result[label] = {
            "seconds": round(best["wall_s"], 2),
            "cpu_seconds": round(best["cpu_s"], 2),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
            "rows": best["rows"],
        }
    result["extra_seconds"] = round(result["image_8mb"]["seconds"] - result["small_16kb"]["seconds"], 2)
    result["extra_peak_rss_mb"] = round(result["image_8mb"]["peak_rss_mb"] - result["small_16kb"]["peak_rss_mb"], 1)
    log(f"image: {result}")
    database.drop()
    return result


def pages_database(vendor, runs, reseed):
    """Return a database with `runs` seeded runs plus a 1 MB log and the 8 MB image log ingested for real.

    Seeding a million runs takes minutes, so a seeded database is kept and
    reused (migrated to the current models) until --reseed.
    """
    database = Database(vendor, f"mon_bench_pages_{runs}")
    seeded_marker = OUT / f"{database.name}.{vendor}.seeded"
    ready_marker = OUT / f"{database.name}.{vendor}.ready"
    if reseed or not database.exists():
        seeded_marker.unlink(missing_ok=True)
        ready_marker.unlink(missing_ok=True)
    if ready_marker.exists():
        run_checked([PYTHON, MANAGE, "migrate", "--noinput", "-v", "0"], env=database.env())
        # A migration may have changed how the rollups are kept, so they are rebuilt on reuse too.
        run_checked([PYTHON, MANAGE, "rebuild_dashboard_rollups"], env=database.env())
        analyze(database)
        return database, json.loads(ready_marker.read_text())

    if not seeded_marker.exists():
        database.create()
        log(f"seeding {runs} runs into {database.name} ({vendor})")
        result = run_checked([PYTHON, str(REPO / "bench" / "seed.py"), "--runs", str(runs)], env=database.env())
        seeded_marker.write_text(result.stdout)
    run_checked([PYTHON, MANAGE, "migrate", "--noinput", "-v", "0"], env=database.env())
    # Seeding bypasses the pipeline, which keeps the dashboard's rollups current; build them once here.
    log(f"building the dashboard rollups of {database.name}")
    rollup_seconds, _rss, _out = timed_child(
        [PYTHON, MANAGE, "rebuild_dashboard_rollups"], database.env(), log_path=RUN / "rollups.log"
    )

    details = {}
    for label, source in (
        ("1 MB log", corpus("detail_1mb", 1, seed=7, size_bytes=1_000_000)),
        ("8 MB image log", corpus("image_8mb", 1, seed=5, image_bytes=8_000_000)),
    ):
        logs_dir = fresh_copy(source, WORK / "detail")
        timed_child(ingest_command(), database.env(LOGS_DIR=logs_dir), log_path=RUN / "detail_ingest.log")
        details[label] = run_id_of(database, next(source.glob("*.json")))
    analyze(database)
    info = {
        "seeded": json.loads(seeded_marker.read_text()),
        "rollup_rebuild_s": round(rollup_seconds, 1),
        "details": details,
        "db_bytes": database.size_bytes(),
    }
    ready_marker.write_text(json.dumps(info))
    return database, info


def analyze(database):
    """Refresh the planner statistics, as autovacuum would soon after a migration or a bulk load."""
    if database.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(database.sqlite_path) as conn:
            conn.execute("ANALYZE")
        return
    import psycopg

    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def run_id_of(database, path):
    """Return the id of the run stored from a single-run file, found by its content hash (the file's SHA-256)."""
    content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    if database.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(database.sqlite_path) as conn:
            row = conn.execute("SELECT id FROM llm_logs WHERE content_hash = ?", [content_hash]).fetchone()
    else:
        import psycopg

        with psycopg.connect(database.url) as conn:
            row = conn.execute("SELECT id FROM llm_logs WHERE content_hash = %s", [content_hash]).fetchone()
    if row is None:
        raise RuntimeError(f"ingest_logs stored no run from {path}; see {RUN / 'detail_ingest.log'}")
    return row[0]


def bench_pages(vendor, runs_list, repeat, reseed, drop):
    results = {}
    for runs in runs_list:
        database, info = pages_database(vendor, runs, reseed)
        command = [PYTHON, str(REPO / "bench" / "pages.py"), "--repeat", str(repeat)]
        for label, log_id in info["details"].items():
            command += ["--detail", f"{label}={log_id}"]
        log(f"timing pages at {runs} runs")
        env = database.env(DJANGO_SETTINGS_MODULE="bench.settings")
        _seconds, _rss, out = timed_child(command, env, log_path=RUN / f"pages_{runs}.log")
        results[str(runs)] = {
            "db_megabytes": round(info["db_bytes"] / 1e6),
            "rollup_rebuild_s": info.get("rollup_rebuild_s"),
            "pages": json.loads(out),
        }
        if drop:
            database.drop()
    return results


def database_version(vendor):
    if vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    from bench.harness import PG_SERVER

    with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
        return conn.execute("SELECT version()").fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes in all")
    parser.add_argument("--only", help="comma-separated sections: ingest, watch, idle, image, pages")
    parser.add_argument("--runs", help="seeded run counts for the page benchmark, e.g. 100000,1000000")
    parser.add_argument("--repeat", type=int, help="requests per page (default 20, quick 5)")
    parser.add_argument("--reseed", action="store_true", help="seed page databases again even if they exist")
    parser.add_argument("--drop-pages", action="store_true", help="drop the seeded page databases when done")
    args = parser.parse_args()

    vendor = "postgresql" if args.db == "postgres" else "sqlite"
    global RUN, WORK
    RUN = OUT / f"run-{args.db}"
    WORK = RUN / "work"
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = QUICK if args.quick else FULL
    sections = args.only.split(",") if args.only else ["ingest", "watch", "idle", "image", "pages"]
    OUT.mkdir(parents=True, exist_ok=True)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine_info(),
        "database": database_version(vendor),
    }
    if "ingest" in sections:
        report["ingest"] = bench_ingest(vendor, sizes)
    if "watch" in sections:
        report["watch"] = bench_watch(vendor, sizes["watch"])
    if "idle" in sections:
        report["idle"] = bench_idle(vendor, sizes["idle"])
    if "image" in sections:
        report["image"] = bench_image(vendor)
    if "pages" in sections:
        runs_list = [int(value) for value in (args.runs or sizes["runs"]).split(",")]
        repeat = args.repeat or (5 if args.quick else 20)
        report["pages"] = bench_pages(vendor, runs_list, repeat, args.reseed, args.drop_pages)

    path = OUT / f"results-{args.db}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2))
    sys.stdout.write(json.dumps({key: value for key, value in report.items() if key != "machine"}, indent=1)[:20000])
    sys.stdout.write(f"\nresults written to {path}\n")


if __name__ == "__main__":
    main()
