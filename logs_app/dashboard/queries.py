"""Aggregate queries behind the dashboard.

The database computes every figure with GROUP BY, over the runs or over their
hourly rollups. Python only fills in empty buckets and adds bucket rows up into
totals, so its work grows with the number of buckets, not with the number of
runs. A run belongs to exactly one bucket, so counts of distinct runs per
bucket add up to the range total.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from logs_app.dashboard import rollups
from logs_app.dashboard.buckets import BucketIndex
from logs_app.dashboard.models import CheckHour, RunHour
from logs_app.dashboard.ranges import HOUR
from logs_app.models import EvalCheck, Feedback, LLMLog

BREAKDOWN_LIMIT = 15
TOP_RUNS_LIMIT = 10
LATEST_FEEDBACK_LIMIT = 10
FAILING_CHECKS_LIMIT = 5


@dataclass(frozen=True)
class RunFilter:
    """Exact-match filters on the run's provider, model and agent; an empty string matches everything."""

    provider: str = ""
    model: str = ""
    agent_name: str = ""

    def conditions(self, time_range, prefix="", time_field="created_at"):
        """Return ORM filter keyword arguments for runs in ``time_range``, on a relation named by ``prefix``."""
        conditions = {f"{prefix}{time_field}__gte": time_range.start, f"{prefix}{time_field}__lt": time_range.end}
        for name in ("provider", "model", "agent_name"):
            value = getattr(self, name)
            if value:
                conditions[f"{prefix}{name}"] = value
        return conditions


@dataclass
class RunTotals:
    runs: int = 0
    cost: Decimal = Decimal(0)
    unknown_cost_runs: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    failed_runs: int = 0
    good_feedback_runs: int = 0
    bad_feedback_runs: int = 0
    feedback_runs: int = 0

    @property
    def known_cost_runs(self):
        return self.runs - self.unknown_cost_runs

    @property
    def failed_share(self):
        return self.failed_runs / self.runs if self.runs else None

    @property
    def no_feedback_runs(self):
        return self.runs - self.feedback_runs

    @property
    def good_feedback_share(self):
        """Share of good verdicts among runs with a good or bad verdict, or None without verdicts."""
        judged = self.good_feedback_runs + self.bad_feedback_runs
        return self.good_feedback_runs / judged if judged else None

    def add(self, other):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class BucketFigures:
    bucket: object
    totals: RunTotals = field(default_factory=RunTotals)


@dataclass
class CheckCounts:
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0

    @property
    def evaluated(self):
        return self.passed + self.failed

    @property
    def pass_rate(self):
        """Share of passes among runs the check applied to, or None when it applied to none."""
        return self.passed / self.evaluated if self.evaluated else None


@dataclass
class CheckFigures:
    name: str
    totals: CheckCounts
    per_bucket: list


@dataclass
class BreakdownRow:
    value: str
    runs: int
    cost: Decimal
    unknown_cost_runs: int


@dataclass
class Dashboard:
    time_range: object
    run_filter: RunFilter
    totals: RunTotals
    series: list
    checks: list
    by_model: list
    by_agent: list
    by_provider: list
    most_expensive_runs: list
    latest_feedback: list

    @property
    def failing_checks(self):
        """Checks with failures in the range, in descending order of failures, at most FAILING_CHECKS_LIMIT."""
        failing = [check for check in self.checks if check.totals.failed]
        failing.sort(key=lambda check: (-check.totals.failed, check.name))
        return failing[:FAILING_CHECKS_LIMIT]


def build_dashboard(time_range, run_filter, use_rollups=None):
    """Compute every figure of the dashboard for runs in ``time_range`` that match ``run_filter``.

    The hourly rollups serve ranges whose ends and buckets fall on whole UTC
    hours. Other ranges read the runs themselves, and so does any range when
    ``use_rollups`` is False. Both paths give the same figures.
    """
    if use_rollups is None:
        use_rollups = rollups_cover(time_range)
    if use_rollups:
        rollups.catch_up()

    series = bucket_series(time_range, run_filter, use_rollups)
    totals = RunTotals()
    for figures in series:
        totals.add(figures.totals)

    return Dashboard(
        time_range=time_range,
        run_filter=run_filter,
        totals=totals,
        series=series,
        checks=check_series(time_range, run_filter, use_rollups),
        by_model=breakdown(time_range, run_filter, "model", use_rollups),
        by_agent=breakdown(time_range, run_filter, "agent_name", use_rollups),
        by_provider=breakdown(time_range, run_filter, "provider", use_rollups),
        most_expensive_runs=most_expensive_runs(time_range, run_filter),
        latest_feedback=latest_feedback(time_range, run_filter),
    )


def rollups_cover(time_range):
    """Tell whether the hourly rollups hold exactly the buckets of ``time_range``."""
    return time_range.bucket_seconds % HOUR == 0 and all(
        moment.timestamp() % HOUR == 0 for moment in (time_range.start, time_range.end)
    )


def bucket_series(time_range, run_filter, use_rollups=False):
    """Return one BucketFigures per bucket of ``time_range``, empty buckets included."""
    series = [BucketFigures(bucket) for bucket in time_range.buckets()]

    if use_rollups:
        run_rows = _per_bucket(RunHour.objects, "hour", time_range, run_filter, "", "hour").annotate(
            run_count=Sum("runs"),
            cost_sum=Sum("cost"),
            unknown_cost_count=Sum("unknown_cost_runs"),
            input_sum=Sum("input_tokens"),
            output_sum=Sum("output_tokens"),
            failed_count=Sum("failed_runs"),
        )
    else:
        failed_check = EvalCheck.objects.filter(log=OuterRef("pk"), passed=False)
        run_rows = _per_bucket(LLMLog.objects, "created_at", time_range, run_filter).annotate(
            run_count=Count("id"),
            cost_sum=Sum("total_cost"),
            unknown_cost_count=Count("id", filter=Q(total_cost__isnull=True)),
            input_sum=Sum("total_input_tokens"),
            output_sum=Sum("total_output_tokens"),
            failed_count=Count("id", filter=Q(Exists(failed_check))),
        )
    for row in run_rows:
        totals = series[row["bucket"]].totals
        totals.runs = row["run_count"]
        totals.cost = row["cost_sum"] or Decimal(0)
        totals.unknown_cost_runs = row["unknown_cost_count"]
        totals.input_tokens = row["input_sum"] or 0
        totals.output_tokens = row["output_sum"] or 0
        totals.failed_runs = row["failed_count"]

    # Feedback changes after ingest and has few rows, so it is always read directly.
    for row in _per_bucket(Feedback.objects, "log__created_at", time_range, run_filter, "log__").annotate(
        good=Count("log_id", distinct=True, filter=Q(is_good=True)),
        bad=Count("log_id", distinct=True, filter=Q(is_good=False)),
        with_feedback=Count("log_id", distinct=True),
    ):
        totals = series[row["bucket"]].totals
        totals.good_feedback_runs = row["good"]
        totals.bad_feedback_runs = row["bad"]
        totals.feedback_runs = row["with_feedback"]

    return series


def check_series(time_range, run_filter, use_rollups=False):
    """Return a CheckFigures per check name seen in the range, by name, with counts per bucket and in total."""
    if use_rollups:
        rows = _per_bucket(CheckHour.objects, "hour", time_range, run_filter, "", "hour").values("bucket", "check_name")
        rows = rows.annotate(
            passed_count=Sum("passed"), failed_count=Sum("failed"), not_applicable_count=Sum("not_applicable")
        )
    else:
        rows = _per_bucket(EvalCheck.objects, "log__created_at", time_range, run_filter, "log__").values(
            "bucket", "check_name"
        )
        rows = rows.annotate(
            passed_count=Count("id", filter=Q(passed=True)),
            failed_count=Count("id", filter=Q(passed=False)),
            not_applicable_count=Count("id", filter=Q(passed__isnull=True)),
        )

    bucket_count = time_range.bucket_count
    checks = {}
    for row in rows:
        name = row["check_name"]
        if name not in checks:
            checks[name] = CheckFigures(name, CheckCounts(), [CheckCounts() for _ in range(bucket_count)])
        counts = CheckCounts(row["passed_count"], row["failed_count"], row["not_applicable_count"])
        checks[name].per_bucket[row["bucket"]] = counts
        checks[name].totals.passed += counts.passed
        checks[name].totals.failed += counts.failed
        checks[name].totals.not_applicable += counts.not_applicable

    return [checks[name] for name in sorted(checks)]


def breakdown(time_range, run_filter, field_name, use_rollups=False):
    """Return runs, known cost and unknown-cost runs per value of ``field_name``, most runs first."""
    if use_rollups:
        rows = RunHour.objects.filter(**run_filter.conditions(time_range, time_field="hour")).values(field_name)
        rows = rows.annotate(run_count=Sum("runs"), cost_sum=Sum("cost"), unknown_cost_count=Sum("unknown_cost_runs"))
    else:
        rows = LLMLog.objects.filter(**run_filter.conditions(time_range)).values(field_name)
        rows = rows.annotate(
            run_count=Count("id"),
            cost_sum=Sum("total_cost"),
            unknown_cost_count=Count("id", filter=Q(total_cost__isnull=True)),
        )
    rows = rows.order_by("-run_count", field_name)[:BREAKDOWN_LIMIT]
    return [
        BreakdownRow(row[field_name], row["run_count"], row["cost_sum"] or Decimal(0), row["unknown_cost_count"])
        for row in rows
    ]


def most_expensive_runs(time_range, run_filter):
    return list(
        LLMLog.objects.filter(**run_filter.conditions(time_range), total_cost__isnull=False)
        .only("id", "created_at", "agent_name", "provider", "model", "total_cost")
        .order_by("-total_cost", "-id")[:TOP_RUNS_LIMIT]
    )


def latest_feedback(time_range, run_filter):
    """Return the newest feedback on runs in the range, with each run's id, agent and model."""
    return list(
        Feedback.objects.filter(**run_filter.conditions(time_range, prefix="log__"))
        .select_related("log")
        .only("id", "is_good", "comments", "created_at", "log__id", "log__agent_name", "log__model")
        .order_by("-created_at", "-id")[:LATEST_FEEDBACK_LIMIT]
    )


def _per_bucket(manager_or_queryset, column, time_range, run_filter, prefix="", time_field="created_at"):
    # order_by() drops the models' default ordering, which would otherwise
    # join the GROUP BY and split every bucket into one group per row.
    return (
        manager_or_queryset.filter(**run_filter.conditions(time_range, prefix=prefix, time_field=time_field))
        .annotate(bucket=BucketIndex(column, time_range.start, time_range.bucket_seconds))
        .values("bucket")
        .order_by()
    )
