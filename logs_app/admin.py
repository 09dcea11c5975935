"""The admin as a triage tool: runs, their checks and feedback, and files that failed to ingest.

Ingested data is read-only; feedback is editable. Changelists never read raw_json
or the timeline, and list cells pass log content through format_html or plain
strings, which the admin escapes.
"""

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from logs_app import display
from logs_app.ingest.pipeline import retry_failed
from logs_app.models import EvalCheck, FailedFile, Feedback, LLMLog, distinct_values
from logs_app.search import search_logs

SHORT_TEXT = 80
# Changelists count matching rows up to this many, then show "more than" this number.
ADMIN_COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """A paginator that stops counting at ADMIN_COUNT_CAP + 1 rows.

    An exact COUNT(*) reads every matching row, which took 130-500 ms at a million
    rows on PostgreSQL in our measurements. Past the cap the last pages are not
    offered, and admin/logs_app/pagination.html shows the count as "more than N".
    """

    cap = ADMIN_COUNT_CAP

    @cached_property
    def count(self):
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()


def _short(text, limit=SHORT_TEXT):
    text = " ".join((text or "").split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _log_link(log_id):
    return format_html('<a href="{}">run {}</a>', reverse("admin:logs_app_llmlog_change", args=[log_id]), log_id)


class FailedCheckFilter(admin.SimpleListFilter):
    title = "failed check"
    parameter_name = "failed_check"

    def lookups(self, request, model_admin):
        return [(name, name) for name in distinct_values(EvalCheck, "check_name")]

    def queryset(self, request, queryset):
        return queryset.with_failed_check(self.value()) if self.value() else queryset


class FeedbackStateFilter(admin.SimpleListFilter):
    title = "feedback"
    parameter_name = "feedback"

    def lookups(self, request, model_admin):
        return [("good", "thumbs up"), ("bad", "thumbs down"), ("none", "none"), ("reference", "has reference answer")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.without_feedback()
        if value == "reference":
            return queryset.with_reference_answer()
        if value in ("good", "bad"):
            return queryset.with_feedback(value == "good")
        return queryset


class CheckNameFilter(admin.SimpleListFilter):
    title = "check name"
    parameter_name = "check_name"

    def lookups(self, request, model_admin):
        return [(name, name) for name in distinct_values(EvalCheck, "check_name")]

    def queryset(self, request, queryset):
        return queryset.filter(check_name=self.value()) if self.value() else queryset


class ProviderFilter(admin.SimpleListFilter):
    # The built-in field filter runs SELECT DISTINCT over the whole table; this reads the index.
    title = "provider"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return [(name, name) for name in distinct_values(LLMLog, "provider")]

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


class CostKnownFilter(admin.SimpleListFilter):
    title = "cost"
    parameter_name = "cost"

    def lookups(self, request, model_admin):
        return [("unknown", "unknown"), ("known", "known")]

    def queryset(self, request, queryset):
        if self.value() == "unknown":
            return queryset.with_unknown_cost()
        if self.value() == "known":
            return queryset.exclude(total_cost__isnull=True)
        return queryset


class EvalCheckInline(admin.TabularInline):
    model = EvalCheck
    fields = ("check_name", "outcome", "score", "details")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="result")
    def outcome(self, check):
        return check.outcome


class FeedbackInline(admin.StackedInline):
    model = Feedback
    fields = ("is_good", "comments", "reference_answer", "user", "created_at")
    readonly_fields = ("user", "created_at")
    extra = 0


@admin.register(LLMLog)
class LLMLogAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "agent_name",
        "provider",
        "model",
        "prompt",
        "cost",
        "checks",
        "feedback_state",
    )
    list_display_links = ("id", "created_at")
    list_filter = (FailedCheckFilter, FeedbackStateFilter, CostKnownFilter, ProviderFilter, "created_at")
    search_fields = ("filepath",)  # shows the search box; get_search_results does the searching
    search_help_text = (
        "A run id, a file name (with / or .json), an exact agent, model or provider name, "
        "or else words in the prompt or answer."
    )
    list_select_related = ()  # no relations shown; checks and feedback come as subquery annotations
    # No date_hierarchy: it runs SELECT DISTINCT date_trunc(...) over every row; the date filter does not.
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    inlines = (EvalCheckInline, FeedbackInline)
    exclude = ("raw_json", "timeline")
    readonly_fields = (
        "created_at",
        "created_at_from_log",
        "finished_at",
        "duration",
        "ingested_at",
        "filepath",
        "run_index",
        "content_hash",
        "log_format",
        "agent_name",
        "provider",
        "model",
        "provider_url",
        "user_prompt",
        "instructions",
        "assistant_answer",
        "total_input_tokens",
        "total_output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "reasoning_tokens",
        "usage_complete",
        "request_count",
        "tool_call_count",
        "tool_error_count",
        "retry_count",
        "input_cost",
        "output_cost",
        "total_cost",
        "cost_unknown_reason",
        "reported_cost",
        "cost_source",
        "cost_note",
        "pages",
    )
    fieldsets = (
        (None, {"fields": ("pages", "created_at", "created_at_from_log", "finished_at", "duration", "ingested_at")}),
        ("Source", {"fields": ("filepath", "run_index", "content_hash", "log_format")}),
        ("Model", {"fields": ("agent_name", "provider", "model", "provider_url")}),
        ("Text", {"fields": ("user_prompt", "instructions", "assistant_answer")}),
        (
            "Usage and cost",
            {
                "fields": (
                    ("total_input_tokens", "total_output_tokens", "cache_read_tokens"),
                    ("cache_write_tokens", "reasoning_tokens", "usage_complete"),
                    ("request_count", "tool_call_count", "tool_error_count", "retry_count"),
                    ("input_cost", "output_cost", "total_cost"),
                    "cost_unknown_reason",
                    ("reported_cost", "cost_source"),
                    "cost_note",
                )
            },
        ),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "logs_app_llmlog_changelist":
            return queryset.for_list()
        return queryset.defer("raw_json", "timeline")

    def get_search_results(self, request, queryset, search_term):
        # One kind of match per search, each served by an index (the file path excepted),
        # because OR-ing them makes PostgreSQL scan and count every row.
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(pk=int(term)), False
        if "/" in term or term.lower().endswith(".json"):
            return queryset.filter(filepath__icontains=term), False
        for field_name in ("agent_name", "model", "provider"):
            if term in distinct_values(LLMLog, field_name):
                return queryset.filter(**{field_name: term}), False
        return search_logs(queryset, term), False

    def has_add_permission(self, request):
        return False  # runs come from ingestion only

    @admin.display(description="prompt")
    def prompt(self, log):
        return _short(log.prompt_preview)

    @admin.display(description="cost", ordering="total_cost")
    def cost(self, log):
        return display.format_money(log.total_cost)

    @admin.display(description="checks")
    def checks(self, log):
        return display.check_summary(log.checks_passed, log.checks_failed, log.checks_not_applicable)

    @admin.display(description="feedback")
    def feedback_state(self, log):
        if not log.feedback_count:
            return "none"
        return f"{display.verdict_label(log.latest_verdict)} ({log.feedback_count})"

    @admin.display(description="duration")
    def duration(self, log):
        return display.format_duration_ms(log.duration_ms)

    @admin.display(description="pages")
    def pages(self, log):
        return format_html(
            '<a href="{}">run page</a> · <a href="{}">original JSON</a>',
            reverse("logs_app:detail", args=[log.pk]),
            reverse("logs_app:raw_json", args=[log.pk]),
        )

    def save_formset(self, request, form, formset, change):
        # Feedback added here is credited to the staff member who added it.
        for entry in formset.save(commit=False):
            if isinstance(entry, Feedback) and entry.pk is None and entry.user_id is None:
                entry.user = request.user
            entry.save()
        for entry in formset.deleted_objects:
            entry.delete()


@admin.register(EvalCheck)
class EvalCheckAdmin(admin.ModelAdmin):
    list_display = ("check_name", "outcome", "score", "run", "short_details", "created_at")
    list_filter = (CheckNameFilter, "passed")
    search_fields = ("check_name", "details", "=log__id")
    list_select_related = ("log",)
    readonly_fields = ("log", "check_name", "passed", "score", "details", "created_at")
    # Newest first through the primary key: sorting millions of rows by name would not use an index.
    ordering = ("-id",)
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*_LOG_BODY_FIELDS)

    def has_add_permission(self, request):
        return False

    @admin.display(description="result", ordering="passed")
    def outcome(self, check):
        return check.outcome

    @admin.display(description="run", ordering="log")
    def run(self, check):
        return _log_link(check.log_id)

    @admin.display(description="details")
    def short_details(self, check):
        return _short(check.details)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "verdict", "run", "short_comments", "has_reference", "user")
    list_filter = ("is_good", "created_at", "user")
    search_fields = ("comments", "reference_answer", "=log__id", "user__username")
    list_select_related = ("log", "user")
    raw_id_fields = ("log",)
    fields = ("log", "is_good", "comments", "reference_answer", "user", "created_at")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*_LOG_BODY_FIELDS)

    def save_model(self, request, obj, form, change):
        if not change and obj.user_id is None:
            obj.user = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="verdict", ordering="is_good")
    def verdict(self, entry):
        return display.verdict_label(entry.is_good)

    @admin.display(description="run", ordering="log")
    def run(self, entry):
        return _log_link(entry.log_id)

    @admin.display(description="comments")
    def short_comments(self, entry):
        return _short(entry.comments)

    @admin.display(description="reference answer", boolean=True)
    def has_reference(self, entry):
        return bool(entry.reference_answer)


@admin.register(FailedFile)
class FailedFileAdmin(admin.ModelAdmin):
    list_display = ("original_path", "short_reason", "size", "failed_at", "retried_at")
    list_filter = ("failed_at", "retried_at")
    search_fields = ("original_path", "set_aside_path", "reason")
    list_select_related = ()  # no relations
    readonly_fields = (
        "original_path",
        "set_aside_path",
        "reason",
        "content_hash",
        "size_bytes",
        "failed_at",
        "retried_at",
    )
    actions = ("try_again",)
    show_full_result_count = False
    paginator = CappedCountPaginator

    def has_add_permission(self, request):
        return False

    @admin.display(description="reason")
    def short_reason(self, record):
        return _short(record.reason, 160)

    @admin.display(description="size", ordering="size_bytes")
    def size(self, record):
        return display.format_bytes(record.size_bytes)

    @admin.action(description="Try again: move the files back so the next ingest pass reads them")
    def try_again(self, request, queryset):
        outcome = retry_failed(queryset)
        if outcome.restored:
            self.message_user(
                request,
                f"Moved {len(outcome.restored)} file(s) back; the next ingest pass reads them again.",
                messages.SUCCESS,
            )
        for problem in outcome.problems:
            self.message_user(request, problem, messages.ERROR)
        skipped = queryset.count() - len(outcome.restored) - len(outcome.problems)
        if skipped > 0:
            self.message_user(
                request,
                f"{skipped} file(s) skipped: already retried, or never moved aside.",
                messages.WARNING,
            )


# A check or feedback row shows its run only as a link; the run's long columns stay unread.
_LOG_BODY_FIELDS = ("log__raw_json", "log__timeline", "log__user_prompt", "log__assistant_answer", "log__instructions")
