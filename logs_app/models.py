"""Stored agent runs, their evaluation check results, feedback and failed files.

The table and column names of llm_logs, eval_checks and feedback are a public
interface: SQL dashboards written for earlier versions of this tool query them.
Add columns freely, but never rename these.
"""

from django.conf import settings
from django.db import connection, models
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

MONEY = {"max_digits": 20, "decimal_places": 10, "null": True, "blank": True}


class LLMLogQuerySet(models.QuerySet):
    def without_raw(self):
        """Skip the large columns that list pages and aggregates never need."""
        return self.defer("raw_json", "timeline")

    def with_failed_check(self, check_name=None):
        failed = EvalCheck.objects.filter(log=models.OuterRef("pk"), passed=False)
        if check_name:
            failed = failed.filter(check_name=check_name)
        return self.filter(models.Exists(failed))

    def with_feedback(self, is_good):
        return self.filter(models.Exists(Feedback.objects.filter(log=models.OuterRef("pk"), is_good=is_good)))

    def without_feedback(self):
        return self.exclude(models.Exists(Feedback.objects.filter(log=models.OuterRef("pk"))))

    def with_unknown_cost(self):
        return self.filter(total_cost__isnull=True)

    def with_reference_answer(self, present=True):
        """Runs that have (or, with present=False, lack) feedback with a reference answer."""
        exists = models.Exists(Feedback.objects.filter(log=models.OuterRef("pk")).exclude(reference_answer=""))
        return self.filter(exists) if present else self.exclude(exists)

    def for_list(self):
        """Select the columns and per-row summaries that list pages show, in one query.

        Check counts and the latest feedback are correlated subqueries rather than
        joins, so the row count stays one per run and the query count stays fixed.
        """
        return self.list_columns().with_summaries()

    def list_columns(self):
        return self.only(*LIST_COLUMNS).annotate(prompt_preview=Substr("user_prompt", 1, PROMPT_PREVIEW_CHARS))

    def with_summaries(self):
        checks = EvalCheck.objects.filter(log=models.OuterRef("pk")).order_by()
        feedback = Feedback.objects.filter(log=models.OuterRef("pk"))
        return self.annotate(
            checks_passed=_count_of(checks.filter(passed=True)),
            checks_failed=_count_of(checks.filter(passed=False)),
            checks_not_applicable=_count_of(checks.filter(passed__isnull=True)),
            feedback_count=_count_of(feedback.order_by()),
            latest_verdict=models.Subquery(feedback.order_by("-created_at", "-id").values("is_good")[:1]),
        )

    def list_page(self, start, stop):
        """Return rows start to stop of this queryset, in its order, with the summaries of with_summaries().

        The page's ids come first, then the summaries of just those rows: SQLite
        would otherwise compute them for every matching row before it sorts and
        applies the LIMIT (790 ms instead of 38 ms for one agent at 100,000 runs).
        Two queries, not one with an id subquery, since the search filters are raw
        SQL that names the llm_logs table, which Django renames inside a subquery.
        """
        page_ids = list(self.values_list("pk", flat=True)[start:stop])
        if not page_ids:
            return []
        rows = self.model.objects.filter(pk__in=page_ids).list_columns().with_summaries().in_bulk()
        return [rows[pk] for pk in page_ids]

    def count_up_to(self, cap):
        """Count matching rows, stopping at cap + 1 so a million matches cost no more than cap."""
        return self.order_by().values("pk")[: cap + 1].count()


# Read by for_list(); raw_json, timeline and the long texts stay in the database.
LIST_COLUMNS = (
    "id",
    "created_at",
    "duration_ms",
    "agent_name",
    "provider",
    "model",
    "total_input_tokens",
    "total_output_tokens",
    "usage_complete",
    "total_cost",
    "cost_unknown_reason",
)
PROMPT_PREVIEW_CHARS = 200


def _count_of(rows):
    # COUNT without GROUP BY always returns one row, so a run without matches gets 0, not NULL.
    return models.Subquery(rows.annotate(n=models.Func(models.F("pk"), function="COUNT")).values("n"))


def distinct_values(model, field_name):
    """Return every distinct non-empty value of an indexed column, sorted, for filter choices.

    A recursive query jumps from one value to the next through the column's
    index, so it reads one index entry per distinct value instead of every row.
    """
    field = model._meta.get_field(field_name)
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    sql = (
        f"WITH RECURSIVE v(x) AS ("
        f" SELECT MIN({column}) FROM {table} WHERE {column} > ''"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL"
        f") SELECT x FROM v WHERE x IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class LLMLog(models.Model):
    """One agent run, extracted from one log file (or one entry of a bundle file)."""

    # When the run happened, from its message timestamps; the ingest time when the log has none.
    created_at = models.DateTimeField(db_index=True)
    ingested_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at_from_log = models.BooleanField(
        default=False, help_text="True when created_at comes from the log's own timestamps."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.BigIntegerField(null=True, blank=True, help_text="Run duration in ms.")

    filepath = models.CharField(max_length=1024, help_text="Path of the source file when it was ingested.")
    run_index = models.PositiveIntegerField(default=0, help_text="Position of this run inside a bundle file.")
    content_hash = models.CharField(
        max_length=80,
        unique=True,
        help_text="SHA-256 of a single-run file's bytes, or of a bundle entry's canonical JSON.",
    )
    log_format = models.CharField(max_length=40, blank=True, default="")

    agent_name = models.CharField(max_length=255, blank=True, default="", db_index=True)
    provider = models.CharField(max_length=255, blank=True, default="", db_index=True)
    model = models.CharField(max_length=255, blank=True, default="", db_index=True)
    provider_url = models.CharField(max_length=1024, blank=True, default="")

    user_prompt = models.TextField(blank=True, default="")
    instructions = models.TextField(blank=True, default="")
    assistant_answer = models.TextField(blank=True, default="")

    total_input_tokens = models.BigIntegerField(null=True, blank=True)
    total_output_tokens = models.BigIntegerField(null=True, blank=True)
    cache_read_tokens = models.BigIntegerField(null=True, blank=True)
    cache_write_tokens = models.BigIntegerField(null=True, blank=True)
    reasoning_tokens = models.BigIntegerField(null=True, blank=True)
    usage_complete = models.BooleanField(
        default=True, help_text="False when some model responses carried no usage, so the totals are partial."
    )

    request_count = models.PositiveIntegerField(default=0, help_text="Number of model responses in the run.")
    tool_call_count = models.PositiveIntegerField(default=0)
    tool_error_count = models.PositiveIntegerField(default=0)
    retry_count = models.PositiveIntegerField(default=0)

    input_cost = models.DecimalField(**MONEY)
    output_cost = models.DecimalField(**MONEY)
    total_cost = models.DecimalField(**MONEY)
    cost_unknown_reason = models.TextField(blank=True, default="")
    reported_cost = models.DecimalField(
        **MONEY, help_text="Cost that a router (such as OpenRouter) reported in the log itself."
    )
    cost_source = models.CharField(max_length=40, blank=True, default="")
    cost_note = models.TextField(
        blank=True, default="", help_text="A note on the cost for the reader, such as why the log's own cost was used."
    )

    # The file's original text for single-run files, the entry's JSON for bundle entries.
    raw_json = models.TextField()
    # Messages normalised for display: extracted text with NUL replaced and binary data left out.
    timeline = models.JSONField(default=list, blank=True)

    objects = LLMLogQuerySet.as_manager()

    class Meta:
        db_table = "llm_logs"
        ordering = ["-created_at", "-id"]
        verbose_name = "LLM log"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="llm_logs_created_id"),
            models.Index(fields=["ingested_at"], name="llm_logs_ingested"),
            models.Index(fields=["total_cost"], name="llm_logs_total_cost"),
            # Sortable columns of the list page, with id as the tie-breaker, so ORDER BY ... LIMIT
            # reads an index at a million rows. PostgreSQL also gets a DESC NULLS LAST twin of each
            # (migration 0005), so that runs with unknown values sort last in both directions.
            models.Index(fields=["duration_ms", "id"], name="llm_logs_duration_id"),
            models.Index(fields=["total_input_tokens", "id"], name="llm_logs_input_tokens_id"),
            models.Index(fields=["total_output_tokens", "id"], name="llm_logs_output_tokens_id"),
            models.Index(fields=["total_cost", "id"], name="llm_logs_total_cost_id"),
        ]

    def __str__(self):
        return f"{self.agent_name or 'run'} #{self.pk} ({self.model or 'unknown model'})"

    def get_absolute_url(self):
        return reverse("logs_app:detail", args=[self.pk])


class EvalCheck(models.Model):
    """The result of one rule-based evaluation check on one run."""

    log = models.ForeignKey(LLMLog, on_delete=models.CASCADE, related_name="checks", db_column="log_id")
    check_name = models.CharField(max_length=100)
    passed = models.BooleanField(null=True, help_text="NULL when the check does not apply to this run.")
    score = models.FloatField(null=True, blank=True)
    details = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "eval_checks"
        ordering = ["check_name"]
        constraints = [models.UniqueConstraint(fields=["log", "check_name"], name="eval_checks_one_per_log")]
        indexes = [models.Index(fields=["check_name", "passed"], name="eval_checks_name_passed")]

    def __str__(self):
        return f"{self.check_name}: {self.outcome}"

    @property
    def outcome(self):
        if self.passed is None:
            return "not applicable"
        return "passed" if self.passed else "failed"


class Feedback(models.Model):
    """A reviewer's verdict on one run."""

    log = models.ForeignKey(LLMLog, on_delete=models.CASCADE, related_name="feedback", db_column="log_id")
    is_good = models.BooleanField(null=True, help_text="Thumbs up (true), thumbs down (false) or no verdict (NULL).")
    comments = models.TextField(blank=True, default="")
    reference_answer = models.TextField(blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "feedback"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["log", "-created_at"], name="feedback_log_created")]

    def __str__(self):
        verdict = {True: "good", False: "bad", None: "no verdict"}[self.is_good]
        return f"Feedback on log {self.log_id}: {verdict}"


class FailedFile(models.Model):
    """A file that could not be ingested, set aside under a new name with the reason."""

    original_path = models.CharField(max_length=1024)
    set_aside_path = models.CharField(max_length=1024, blank=True, default="")
    reason = models.TextField()
    content_hash = models.CharField(max_length=64, blank=True, default="")
    size_bytes = models.BigIntegerField(null=True, blank=True)
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "failed_files"
        ordering = ["-failed_at", "-id"]

    def __str__(self):
        return f"{self.original_path}: {self.reason[:80]}"


# The dashboard's rollup tables live with the dashboard; importing them here registers them with the app.
from logs_app.dashboard.models import CheckHour, DirtyHour, RunHour  # noqa: E402, F401
