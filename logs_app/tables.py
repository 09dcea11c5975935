"""The run list table. Cells format through logs_app.display; format_html escapes log content."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from logs_app import display
from logs_app.models import LLMLog

PROMPT_CHARS = 90
PAGE_SIZES = (25, 50, 100, 200)


class LLMLogTable(tables.Table):
    created_at = tables.DateTimeColumn(
        verbose_name="When",
        format="Y-m-d H:i",
        linkify=True,
        order_by=("created_at", "id"),
        attrs={"td": {"class": "when"}},
    )
    duration_ms = tables.Column(verbose_name="Duration")
    # Not sortable: a filter narrows these better, and sorting a million rows by text needs an index each.
    agent_name = tables.Column(verbose_name="Agent", orderable=False)
    provider = tables.Column(orderable=False)
    model = tables.Column(orderable=False)
    prompt = tables.Column(
        accessor="prompt_preview",
        verbose_name="Prompt",
        orderable=False,
        linkify=lambda record: record.get_absolute_url(),
    )
    total_input_tokens = tables.Column(verbose_name="Tokens in")
    total_output_tokens = tables.Column(verbose_name="Tokens out")
    total_cost = tables.Column(verbose_name="Cost", empty_values=())
    checks = tables.Column(
        verbose_name="Checks",
        accessor="checks_failed",
        orderable=False,
        empty_values=(),
        attrs={"td": {"class": "checks"}},
    )
    feedback = tables.Column(verbose_name="Feedback", accessor="feedback_count", orderable=False, empty_values=())

    class Meta:
        model = LLMLog
        fields = ()
        sequence = (
            "created_at",
            "duration_ms",
            "agent_name",
            "provider",
            "model",
            "prompt",
            "total_input_tokens",
            "total_output_tokens",
            "total_cost",
            "checks",
            "feedback",
        )
        attrs = {"class": "runs"}
        empty_text = "No runs match these filters."
        template_name = "logs/table.html"

    # Unknown (NULL) values sort last in both directions, on SQLite and PostgreSQL alike.
    def _nulls_last(self, queryset, column, is_descending):
        if is_descending:
            return queryset.order_by(F(column).desc(nulls_last=True), "-id"), True
        return queryset.order_by(F(column).asc(nulls_last=True), "id"), True

    def order_duration_ms(self, queryset, is_descending):
        return self._nulls_last(queryset, "duration_ms", is_descending)

    def order_total_input_tokens(self, queryset, is_descending):
        return self._nulls_last(queryset, "total_input_tokens", is_descending)

    def order_total_output_tokens(self, queryset, is_descending):
        return self._nulls_last(queryset, "total_output_tokens", is_descending)

    def order_total_cost(self, queryset, is_descending):
        return self._nulls_last(queryset, "total_cost", is_descending)

    def paginate(self, *args, per_page=None, **kwargs):
        # per_page comes straight from the URL; only the offered sizes are honoured.
        if per_page not in PAGE_SIZES:
            per_page = PAGE_SIZES[0]
        return super().paginate(*args, per_page=per_page, **kwargs)

    def render_duration_ms(self, value):
        return display.format_duration_ms(value)

    def render_prompt(self, value):
        text = " ".join(value.split())
        return text[:PROMPT_CHARS] + ("…" if len(text) > PROMPT_CHARS else "")

    def _render_tokens(self, value, record):
        if record.usage_complete:
            return display.format_tokens(value)
        return format_html(
            '{} <span class="badge partial" title="Some responses reported no usage">partial</span>',
            display.format_tokens(value),
        )

    def render_total_input_tokens(self, value, record):
        return self._render_tokens(value, record)

    def render_total_output_tokens(self, value, record):
        return self._render_tokens(value, record)

    def render_total_cost(self, record):
        if record.total_cost is None:
            reason = record.cost_unknown_reason or "no price is known for this model"
            return format_html('<span class="unknown" title="{}">unknown</span>', reason)
        return display.format_money(record.total_cost)

    def render_checks(self, record):
        passed, failed, na = record.checks_passed, record.checks_failed, record.checks_not_applicable
        if not (passed or failed or na):
            return mark_safe('<span class="muted">no checks</span>')
        return format_html(
            '<span class="badge pass" title="passed">{} ✓</span> '
            '<span class="badge {}" title="failed">{} ✗</span> '
            '<span class="badge na" title="not applicable">{} n/a</span>',
            passed,
            "fail" if failed else "zero",
            failed,
            na,
        )

    def render_feedback(self, record):
        if not record.feedback_count:
            return mark_safe('<span class="muted">none</span>')
        verdict = record.latest_verdict
        return format_html(
            '<span class="verdict {}" title="latest verdict of {} entries">{}</span> <span class="muted">({})</span>',
            display.verdict_label(verdict).replace(" ", "-"),
            record.feedback_count,
            display.verdict_label(verdict),
            record.feedback_count,
        )
