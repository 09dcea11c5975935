"""Where ingest time goes: sample `ingest_logs` with py-spy and group the samples by pipeline step.

    python bench/profile.py --db sqlite|postgres [--files 500] [--case mixed|large]

Needs py-spy in the virtualenv (pip install py-spy; not a project requirement).
Only samples taken inside the ingest pass count, so interpreter and Django
start-up are left out. Writes the raw samples to bench/out/profile-*.txt (the
collapsed-stack format that flame graph tools read) and prints the share of
each step and the hottest lines.
"""

import argparse
import collections
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import OUT, PYTHON, REPO, Database, fresh_copy, run_checked  # noqa: E402
from bench.run import WORK, corpus  # noqa: E402

# (frame name fragment, step); the first fragment found in a sample's stack names its step.
STEPS = [
    ("parse_log", "parse"),
    ("price_run", "pricing"),
    ("run_checks", "checks"),
    ("timeline_json", "timeline JSON"),
    ("build_log", "build row"),
    ("Atomic.__exit__", "commit"),
    ("save_runs", "insert"),
    ("mark_processed", "rename"),
    ("read_bytes", "read file"),
    ("Logger.", "logging"),
    ("is_settled", "settle check"),
    ("changed_since_read", "settle check"),
    ("list_files", "list folder"),
    ("openssl_sha256", "hash"),
    ("Ingester._store", "duplicate lookup and other"),
    ("Ingester.ingest_file", "other per file"),
    ("Ingester.run_pass", "other per pass"),
]


def frame_name(frame):
    return frame.split(" (", 1)[0]


def summarise(samples_path, top=25):
    steps = collections.Counter()
    lines = collections.Counter()
    total = 0
    for line in Path(samples_path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not any("run_pass" in frame for frame in frames):
            continue
        count = int(count)
        total += count
        names = [frame_name(frame) for frame in frames]
        step = next((label for key, label in STEPS if any(key in name for name in names)), "other")
        steps[step] += count
        lines[f"{step}: {frames[-1][:110]}"] += count
    return total, steps, lines.most_common(top)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--case", choices=["mixed", "large"], default="mixed")
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    args = parser.parse_args()

    py_spy = shutil.which("py-spy", path=str(Path(PYTHON).parent)) or shutil.which("py-spy")
    if not py_spy:
        raise SystemExit("py-spy is not installed: run .venv/bin/pip install py-spy")
    vendor = "postgresql" if args.db == "postgres" else "sqlite"
    if args.case == "large":
        source = corpus(f"profile_large_{args.files}", args.files, seed=3, size_bytes=100_000)
    else:
        source = corpus(f"profile_mixed_{args.files}", args.files, seed=1)
    database = Database(vendor, "mon_bench_profile")
    database.create()
    logs_dir = fresh_copy(source, WORK / "profile")
    samples = OUT / f"profile-{args.db}-{args.case}.txt"
    result = OUT / "profile-child.json"
    command = [py_spy, "record", "-r", str(args.rate), "-f", "raw", "-o", str(samples), "--"]
    command += [PYTHON, str(REPO / "bench" / "child.py"), str(result), "ingest", "-v", "0"]
    run_checked(command, env=database.env(LOGS_DIR=logs_dir))
    database.drop()

    total, steps, hottest = summarise(samples)
    sys.stdout.write(f"{total} samples inside the ingest pass ({args.files} {args.case} files, {args.db})\n")
    for step, count in steps.most_common():
        sys.stdout.write(f"{100 * count / total:5.1f}%  {step}\n")
    sys.stdout.write("\nhottest lines:\n")
    for line, count in hottest:
        sys.stdout.write(f"{100 * count / total:5.1f}%  {line}\n")


if __name__ == "__main__":
    main()
