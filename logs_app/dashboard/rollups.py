"""Keep the hourly rollup tables in step with llm_logs and eval_checks.

Every change to the runs marks the UTC hour it touches as dirty, in the
transaction that makes the change (a DirtyHour row): storing a run, changing
one, deleting one, and saving or deleting a check row. logs_app.dashboard.signals
adds the marks for Model.save(), Model.delete() and QuerySet.delete(), the admin
included, so the ingest store marks each run it saves. ``catch_up()``
recomputes the dirty hours from the runs and removes their marks. The
dashboard calls it before it reads. The ingest command calls it after a pass
that stored runs, so that no page view has to roll up a large backlog itself.

Writes that send no signals (bulk_create, QuerySet.update(), raw SQL, such as
the benchmark's seeding) mark nothing: run ``rebuild()``, through
``manage.py rebuild_dashboard_rollups``, after them, and after upgrading from a
version without dirty hours, restoring a database or changing TIME_ZONE.
"""

import logging
from datetime import UTC, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, Exists, F, Max, Min, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from logs_app.dashboard.models import CheckHour, DirtyHour, RunHour
from logs_app.models import EvalCheck, LLMLog

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
KEY = ("provider", "model", "agent_name")
# Any fixed number: PostgreSQL advisory locks are named by a bigint.
ROLLUP_LOCK_KEY = 7_140_512_003


def mark_dirty(moments):
    """Mark the hours that hold these datetimes as dirty. Call it inside the transaction that changes the runs."""
    hours = sorted({_hour_floor(_as_datetime(moment)) for moment in moments if moment is not None})
    DirtyHour.objects.bulk_create(DirtyHour(hour=hour) for hour in hours)


def catch_up():
    """Recompute the rollups of the dirty hours; return how many hours that was."""
    if not DirtyHour.objects.exists():
        return 0

    with transaction.atomic():
        _lock()
        # Why no mark gets lost: the DELETE below removes only marks that are
        # already committed. On SQLite, this IMMEDIATE transaction has the write
        # lock, so no other writer is open. On PostgreSQL under READ COMMITTED,
        # the DELETE cannot see a mark whose transaction is still open, so that
        # mark stays for the next call. A mark commits with its run change or
        # after it (a bare save() outside a transaction), so each statement
        # after the DELETE reads the changes behind the marks it removed.
        hours = sorted(set(_take_marks()))
        for start, end in _spans(hours):
            _refresh(start, end)

    logger.info("Recomputed %d dirty hour%s of the dashboard rollups.", len(hours), "s" * (len(hours) != 1))
    return len(hours)


def rebuild():
    """Recompute every rollup row from the runs; return the number of runs covered.

    Needed after writes that mark no hours dirty (bulk inserts, QuerySet.update(), raw SQL).
    """
    with transaction.atomic():
        _lock()
        # As in catch_up(), the marks removed here belong to committed changes,
        # so the full recompute below includes them.
        _take_marks()
        RunHour.objects.all().delete()
        CheckHour.objects.all().delete()
        span = LLMLog.objects.aggregate(first=Min("created_at"), last=Max("created_at"), runs=Count("id"))
        if span["runs"]:
            _refresh(_hour_floor(span["first"]), _hour_floor(span["last"]) + HOUR)
    return span["runs"]


def _lock():
    """Serialise catch-ups and rebuilds, so that two of them never replace the same hour's rows at once."""
    # SQLite needs nothing: its IMMEDIATE transactions already admit one writer at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_KEY])


def _take_marks():
    """Delete every committed dirty mark and return the hours they named."""
    table = connection.ops.quote_name(DirtyHour._meta.db_table)
    column = connection.ops.quote_name(DirtyHour._meta.get_field("hour").column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} RETURNING {column}")
        return [_as_utc(value) for (value,) in cursor.fetchall()]


def _as_datetime(value):
    """Read a created_at value the way saving it does: a string is parsed, a naive time is in TIME_ZONE."""
    value = LLMLog._meta.get_field("created_at").to_python(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _as_utc(value):
    # RETURNING bypasses the ORM's converters: SQLite gives text, PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


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
