"""Keep the hourly rollup tables in step with llm_logs and eval_checks.

The rollups are complete for every run with an id up to RollupState.last_log_id.
``catch_up()`` rolls up the runs stored since then, by recomputing the hours
that those runs fall in. The dashboard calls it before it reads, and the
ingest pipeline should call it after it stores runs, so that no page view has
to roll up a large backlog itself. ``rebuild()`` recomputes everything.

NOTE: runs are assumed to be added with increasing ids and never changed.
Deleting runs (for example in the admin) leaves their figures in the rollups
until ``manage.py rebuild_dashboard_rollups`` runs. Two ingesters committing
out of id order could leave a run out the same way.
"""

import logging
from datetime import UTC, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, Exists, F, Max, Min, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncHour

from logs_app.dashboard.models import CheckHour, RollupState, RunHour
from logs_app.models import EvalCheck, LLMLog

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
KEY = ("provider", "model", "agent_name")


def catch_up():
    """Roll up the runs stored since the last call; return how many runs that covered."""
    latest = LLMLog.objects.aggregate(latest=Max("id"))["latest"] or 0
    state = RollupState.objects.filter(pk=1).first()
    if state is not None and state.last_log_id >= latest:
        return 0

    with transaction.atomic():
        # The row lock makes concurrent callers wait, then find nothing left to do.
        state, _created = RollupState.objects.select_for_update().get_or_create(pk=1)
        latest = LLMLog.objects.aggregate(latest=Max("id"))["latest"] or 0
        new_runs = LLMLog.objects.filter(id__gt=state.last_log_id, id__lte=latest).order_by()
        count = new_runs.count()
        hours = new_runs.annotate(hour=TruncHour("created_at", tzinfo=UTC)).values_list("hour", flat=True).distinct()
        # Only the hours that received runs are recomputed, so one old run
        # among new ones costs one extra hour, not every hour in between.
        for start, end in _spans(sorted(hours)):
            _refresh(start, end)
        state.last_log_id = latest
        state.save()

    logger.info("Rolled up %d new runs for the dashboard, up to run id %d.", count, latest)
    return count


def rebuild():
    """Recompute every rollup row from the runs; return the number of runs covered."""
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(pk=1)
        RunHour.objects.all().delete()
        CheckHour.objects.all().delete()
        span = LLMLog.objects.aggregate(first=Min("created_at"), last=Max("created_at"), latest=Max("id"))
        if span["latest"] is not None:
            _refresh(_hour_floor(span["first"]), _hour_floor(span["last"]) + HOUR)
        state.last_log_id = span["latest"] or 0
        state.save()
    return LLMLog.objects.filter(id__lte=state.last_log_id).count()


def _spans(hours):
    """Merge sorted hour starts into [start, end) spans of consecutive hours."""
    spans = []
    for hour in hours:
        if spans and spans[-1][1] == hour:
            spans[-1][1] = hour + HOUR
        else:
            spans.append([hour, hour + HOUR])
    return [tuple(span) for span in spans]


def _hour_floor(moment):
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _refresh(start, end):
    """Replace the rollup rows of the hours in [start, end) with figures computed from the runs."""
    RunHour.objects.filter(hour__gte=start, hour__lt=end).delete()
    CheckHour.objects.filter(hour__gte=start, hour__lt=end).delete()

    failed_check = EvalCheck.objects.filter(log=OuterRef("pk"), passed=False)
    runs = (
        LLMLog.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values(*KEY, "hour")
        .annotate(
            runs=Count("id"),
            cost=Coalesce(Sum("total_cost"), Value(Decimal(0)), output_field=DecimalField()),
            unknown_cost_runs=Count("id", filter=Q(total_cost__isnull=True)),
            input_tokens=Coalesce(Sum("total_input_tokens"), 0),
            output_tokens=Coalesce(Sum("total_output_tokens"), 0),
            failed_runs=Count("id", filter=Q(Exists(failed_check))),
        )
        .order_by()
    )
    _insert_select(RunHour, runs)

    checks = (
        EvalCheck.objects.filter(log__created_at__gte=start, log__created_at__lt=end)
        .annotate(
            hour=TruncHour("log__created_at", tzinfo=UTC),
            provider=F("log__provider"),
            model=F("log__model"),
            agent_name=F("log__agent_name"),
        )
        .values("check_name", "hour", *KEY)
        .annotate(
            passed_count=Count("id", filter=Q(passed=True)),
            failed_count=Count("id", filter=Q(passed=False)),
            not_applicable_count=Count("id", filter=Q(passed__isnull=True)),
        )
        .order_by()
    )
    _insert_select(
        CheckHour,
        checks,
        {"passed_count": "passed", "failed_count": "failed", "not_applicable_count": "not_applicable"},
    )


def _insert_select(model, queryset, renames=None):
    """Insert the rows of a values() queryset into ``model``'s table in one INSERT ... SELECT.

    The rows never pass through Python, so a rebuild over a million runs costs
    one statement. Each selected name fills the model field of the same name,
    or the field that ``renames`` maps it to.
    """
    renames = renames or {}
    names = [*queryset.query.values_select, *queryset.query.annotation_select]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(renames.get(name, name)).column) for name in names)
    selected = ", ".join(quote(name) for name in names)
    # Rows go in by hour, so that the rows of one hour share heap pages and a
    # range read touches few of them. Without the order a rebuild scatters them.
    select_sql, params = queryset.order_by("hour").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {selected} FROM ({select_sql}) rollup_rows",
            params,
        )
