"""Runs, checks and feedback with known figures for the dashboard tests.

Runs are saved one by one, so that each marks its hour dirty for the rollups as
an ingested run does; checks and feedback are inserted with bulk_create.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from logs_app.dashboard.ranges import TimeRange
from logs_app.models import EvalCheck, Feedback, LLMLog

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
HOUR_RANGE = TimeRange(start=START, end=END, bucket_seconds=300)
MICROSECOND = timedelta(microseconds=1)


def make_runs(*specs):
    """Insert one run per spec dict and return the runs by their "key"."""
    runs = [
        LLMLog(
            created_at=spec["at"],
            filepath=f"{spec['key']}.json",
            content_hash=hashlib.sha256(spec["key"].encode()).hexdigest(),
            agent_name=spec.get("agent", "support"),
            provider=spec.get("provider", "openai"),
            model=spec.get("model", "gpt-5"),
            total_input_tokens=spec.get("input_tokens"),
            total_output_tokens=spec.get("output_tokens"),
            total_cost=spec.get("cost"),
            raw_json="{}",
        )
        for spec in specs
    ]
    for log in runs:
        log.save()
    return {log.filepath.removesuffix(".json"): LLMLog.objects.get(filepath=log.filepath) for log in runs}


def make_checks(runs, *rows):
    """Insert (run key, check name, passed) rows."""
    EvalCheck.objects.bulk_create(
        EvalCheck(log=runs[key], check_name=name, passed=passed) for key, name, passed in rows
    )


def make_feedback(runs, *rows):
    """Insert (run key, is_good, comment, created_at) rows."""
    Feedback.objects.bulk_create(
        Feedback(log=runs[key], is_good=is_good, comments=comment, created_at=at) for key, is_good, comment, at in rows
    )


def make_hour_fixture():
    """Runs around HOUR_RANGE: five inside it, one at its end and one just before its start.

    Inside: 5 runs, known cost 1.875 over 4 runs, 1 unknown cost, input 1050
    and output 105 tokens, 2 runs with a failed check, good feedback on 2 runs,
    bad on 1, feedback of any kind on 3.
    """
    runs = make_runs(
        {"key": "at_start", "at": START, "cost": Decimal("0.25"), "input_tokens": 100, "output_tokens": 10},
        {
            "key": "second_bucket",
            "at": START + timedelta(minutes=7),
            "model": "claude-4",
            "provider": "anthropic",
            "agent": "triage",
            "cost": Decimal("0.5"),
            "input_tokens": 200,
            "output_tokens": 20,
        },
        {"key": "unknown_cost", "at": START + timedelta(minutes=7, seconds=30), "input_tokens": 50, "output_tokens": 5},
        {
            "key": "third_bucket_edge",
            "at": START + timedelta(minutes=10),
            "model": "claude-4",
            "provider": "anthropic",
            "cost": Decimal("1"),
            "input_tokens": 300,
            "output_tokens": 30,
        },
        {
            "key": "before_end",
            "at": END - MICROSECOND,
            "cost": Decimal("0.125"),
            "input_tokens": 400,
            "output_tokens": 40,
        },
        {"key": "at_end", "at": END, "cost": Decimal("8"), "input_tokens": 1000, "output_tokens": 100},
        {"key": "before_start", "at": START - MICROSECOND, "cost": Decimal("16"), "input_tokens": 1000},
    )
    make_checks(
        runs,
        ("at_start", "accuracy", True),
        ("at_start", "format", False),
        ("second_bucket", "accuracy", False),
        ("second_bucket", "format", False),
        ("unknown_cost", "accuracy", None),
        ("unknown_cost", "format", True),
        ("at_end", "accuracy", False),
        ("before_start", "format", False),
    )
    make_feedback(
        runs,
        ("at_start", True, "Right answer.", START + timedelta(days=1)),
        ("second_bucket", False, "Wrong tool.", START + timedelta(days=1, minutes=1)),
        ("second_bucket", True, "Fine on second look.", START + timedelta(days=1, minutes=2)),
        ("third_bucket_edge", None, "Not sure.", START + timedelta(days=1, minutes=3)),
        ("at_end", True, "Outside the range.", START + timedelta(days=2)),
    )
    return runs
