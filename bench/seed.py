"""Fill a scratch database with many runs, their checks and feedback, for the page benchmarks.

Rows go in by bulk load, not through the ingest pipeline: COPY on PostgreSQL
(with the secondary indexes dropped during the load and rebuilt after it),
executemany in large transactions on SQLite. Each run gets a raw JSON of a few
KB, since page speed must not depend on raw JSON size, and a short timeline.

Every column of the current models gets a value. The ones the pages read get
realistic, varied values, and columns added later fall back to the field's default.

    python bench/seed.py --runs 100000      (DATABASE_URL names a migrated scratch database)
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.generate import AGENTS, MODELS, TOPICS, WORDS  # noqa: E402

CHUNK = 20_000
FEEDBACK_SHARE = 0.03
# Used when the checks module is not importable; the real names replace these when it is.
FALLBACK_CHECK_NAMES = ["answer_not_empty", "no_tool_errors", "usage_present", "cost_known", "answer_cites_sources"]
# A word that appears in about one prompt in a thousand, for a selective search.
RARE_WORD = "quokka"
SEARCH_WORDS = ["kubernetes", RARE_WORD]


def check_names():
    """Return the registered check names, so that the failed-check filter offers the real choices."""
    try:
        import logs_app.ingest.checks  # noqa: F401 - importing the package registers the checks
        from logs_app.ingest.checks.registry import CHECKS
    except ImportError:
        return FALLBACK_CHECK_NAMES
    return list(CHECKS) or FALLBACK_CHECK_NAMES


def text(rng, low, high):
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))


def raw_json_variants(rng, count=64):
    """Return a few KB of log-shaped JSON each. Rows reuse them, because pages never read them whole."""
    variants = []
    for _ in range(count):
        messages = [{"parts": [{"content": text(rng, 300, 600), "part_kind": "tool-return"}], "kind": "request"}]
        variants.append(json.dumps({"agent_name": "bench", "messages": messages}))
    return variants


def timeline(prompt, answer, model_name, moment):
    at = moment.isoformat()
    return [
        {"kind": "request", "timestamp": at, "parts": [{"kind": "user-prompt", "content": prompt}]},
        {
            "kind": "response",
            "timestamp": at,
            "model_name": model_name,
            "parts": [{"kind": "text", "content": answer}],
            "usage": {"input_tokens": 1000, "output_tokens": 200},
        },
    ]


def log_values(rng, log_id, start, variants):
    """Return realistic values for one run, by column name."""
    provider, alias, model_name, _weight = rng.choices(MODELS, weights=[m[3] for m in MODELS])[0]
    created = start + timedelta(seconds=30 * log_id + rng.randint(0, 29))
    topic = rng.choice(TOPICS)
    prompt = f"How do I {text(rng, 5, 25)} in {topic}?"
    if rng.random() < 0.001:
        prompt += f" {RARE_WORD}"
    answer = text(rng, 40, 250)
    input_tokens = rng.randint(200, 30_000)
    output_tokens = rng.randint(20, 1500)
    cost_known = rng.random() > 0.05
    input_cost = (Decimal(input_tokens) * Decimal("0.00000015")) if cost_known else None
    output_cost = (Decimal(output_tokens) * Decimal("0.0000006")) if cost_known else None
    duration = rng.randint(800, 90_000)
    tool_calls = rng.randint(0, 6)
    return {
        "id": log_id,
        "created_at": created,
        "ingested_at": created + timedelta(seconds=5),
        "created_at_from_log": True,
        "finished_at": created + timedelta(milliseconds=duration),
        "duration_ms": duration,
        "filepath": f"logs/_{rng.choice(AGENTS)}_{log_id:08d}.json",
        "run_index": 0,
        "content_hash": f"{rng.getrandbits(256):064x}",
        "log_format": "pydantic-ai",
        "agent_name": rng.choice(AGENTS),
        "provider": provider,
        "model": alias,
        "user_prompt": prompt,
        "instructions": f"You are a helpful assistant that answers questions about {topic}.",
        "assistant_answer": answer,
        "total_input_tokens": input_tokens,
        "total_output_tokens": output_tokens,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "reasoning_tokens": 0,
        "usage_complete": True,
        "request_count": tool_calls + 1,
        "tool_call_count": tool_calls,
        "tool_error_count": 1 if rng.random() < 0.03 else 0,
        "retry_count": 0,
        "input_cost": input_cost,
        "output_cost": output_cost,
        "total_cost": (input_cost + output_cost) if cost_known else None,
        "cost_unknown_reason": "" if cost_known else "no price for this model",
        "reported_cost": None,
        "cost_source": "genai-prices" if cost_known else "",
        "raw_json": variants[log_id % len(variants)],
        "timeline": timeline(prompt, answer, model_name, created),
    }


def check_score(rng, passed):
    if passed is None:
        return None
    if passed:
        return 1.0
    return rng.random() / 2


def check_values(rng, check_id, log_id, name, created):
    roll = rng.random()
    passed = None if roll < 0.1 else roll > 0.18
    return {
        "id": check_id,
        "log_id": log_id,
        "check_name": name,
        "passed": passed,
        "score": check_score(rng, passed),
        "details": "" if passed else f"{name} failed: {text(rng, 4, 12)}",
        "created_at": created,
    }


def feedback_values(rng, feedback_id, log_id, user_id, created):
    return {
        "id": feedback_id,
        "log_id": log_id,
        "is_good": rng.choice([True, True, False, None]),
        "comments": text(rng, 3, 20),
        "reference_answer": text(rng, 10, 40) if rng.random() < 0.3 else "",
        "user_id": user_id,
        "created_at": created + timedelta(hours=rng.randint(1, 72)),
    }


class Table:
    """A model's concrete columns, and a row builder that fills unknown columns with the field default."""

    def __init__(self, model, vendor):
        self.model = model
        self.vendor = vendor
        self.fields = [field for field in model._meta.concrete_fields]
        self.columns = [field.column for field in self.fields]

    def row(self, values):
        from django.db.models import JSONField

        row = []
        for field in self.fields:
            if field.column in values:
                value = values[field.column]
            elif field.has_default():
                value = field.get_default()
            else:
                value = None if field.null else ""
            if isinstance(field, JSONField):
                value = self._json(value)
            row.append(value)
        return row

    def _json(self, value):
        if self.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb(value)
        return json.dumps(value)


class PostgresLoader:
    def __init__(self, connection):
        self.connection = connection
        self.saved_indexes = []

    def __enter__(self):
        raw = self.connection.connection
        with raw.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            # Secondary indexes are rebuilt once after the load, which is much faster than row by row.
            cursor.execute(
                """SELECT i.indexname, i.indexdef FROM pg_indexes i
                   WHERE i.tablename IN ('llm_logs', 'eval_checks', 'feedback') AND i.schemaname = 'public'
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"""
            )
            self.saved_indexes = cursor.fetchall()
            for name, _definition in self.saved_indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        raw.commit()
        return self

    def load(self, table, rows):
        raw = self.connection.connection
        columns = ", ".join(f'"{column}"' for column in table.columns)
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table.model._meta.db_table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        raw.commit()

    def __exit__(self, *exc_info):
        raw = self.connection.connection
        with raw.cursor() as cursor:
            for _name, definition in self.saved_indexes:
                cursor.execute(definition)
            for table in ("llm_logs", "eval_checks", "feedback"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"
                )
                cursor.execute(f"ANALYZE {table}")
        raw.commit()


class SqliteLoader:
    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
        return self

    def load(self, table, rows):
        columns = ", ".join(f'"{column}"' for column in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        raw = self.connection.connection
        raw.execute("BEGIN")
        raw.executemany(f'INSERT INTO "{table.model._meta.db_table}" ({columns}) VALUES ({marks})', rows)
        raw.execute("COMMIT")

    def __exit__(self, *exc_info):
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def adapt_sqlite(row):
    return [sqlite_value(value) for value in row]


def sqlite_value(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, Decimal):
        return str(value)
    return value


def seed(runs, seed_value=1, first_id=None, log=sys.stderr):
    """Insert `runs` runs with checks and feedback; return counts per table."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from logs_app.models import EvalCheck, Feedback, LLMLog

    rng = random.Random(seed_value)
    vendor = connection.vendor
    user, _created = get_user_model().objects.get_or_create(username="bench")
    names = check_names()
    variants = raw_json_variants(rng)
    start = datetime.now(UTC) - timedelta(seconds=30 * runs)
    first_id = first_id or (LLMLog.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    check_id = (EvalCheck.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    feedback_id = (Feedback.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    logs, checks, feedback = (Table(model, vendor) for model in (LLMLog, EvalCheck, Feedback))
    adapt = adapt_sqlite if vendor == "sqlite" else (lambda row: row)
    counts = {"llm_logs": 0, "eval_checks": 0, "feedback": 0}

    connection.ensure_connection()
    loader_class = PostgresLoader if vendor == "postgresql" else SqliteLoader
    started = time.perf_counter()
    with loader_class(connection) as loader:
        for chunk_start in range(first_id, first_id + runs, CHUNK):
            log_rows, check_rows, feedback_rows = [], [], []
            for log_id in range(chunk_start, min(chunk_start + CHUNK, first_id + runs)):
                values = log_values(rng, log_id - first_id, start, variants)
                values["id"] = log_id
                log_rows.append(adapt(logs.row(values)))
                for name in names:
                    check_rows.append(
                        adapt(checks.row(check_values(rng, check_id, log_id, name, values["created_at"])))
                    )
                    check_id += 1
                if rng.random() < FEEDBACK_SHARE:
                    row = feedback_values(rng, feedback_id, log_id, user.pk, values["created_at"])
                    feedback_rows.append(adapt(feedback.row(row)))
                    feedback_id += 1
            loader.load(logs, log_rows)
            loader.load(checks, check_rows)
            loader.load(feedback, feedback_rows)
            counts["llm_logs"] += len(log_rows)
            counts["eval_checks"] += len(check_rows)
            counts["feedback"] += len(feedback_rows)
            log.write(f"seeded {counts['llm_logs']}/{runs} runs ({time.perf_counter() - started:.0f} s)\n")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
    import django

    django.setup()
    sys.stdout.write(json.dumps(seed(args.runs, args.seed)) + "\n")


if __name__ == "__main__":
    main()
