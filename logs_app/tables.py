"""The run list table. Cells format through logs_app.display; format_html escapes log content."""

import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django_tables2.data import TableQuerysetData

from logs_app import display
from logs_app.models import LLMLog

PROMPT_CHARS = 90
PAGE_SIZES = (25, 50, 100, 200)
WHEN_FORMAT = "Y-m-d H:i"
# django-tables2's placeholder for an empty value.
EMPTY = "—"
# Reversed once per page and filled in per row: a reverse() per link cost about 5 ms a page under the profiler.
_ID_PLACEHOLDER = 987654321


# Past the last page the list is empty anyway; beyond this, offsets overflow the databases' integers.
MAX_PAGE = 1_000_000


class ListPageData(TableQuerysetData):
    """Table data whose pages come from LLMLogQuerySet.list_page(), so only the shown rows get summaries."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.data.list_page(key.start, key.stop)
        return super().__getitem__(key)


class LLMLogTable(tables.Table):
    created_at = tables.Column(
        verbose_name="When",
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

    def __init__(self, data=None, *args, **kwargs):
        if TableQuerysetData.validate(data):
            data = ListPageData(data)
        super().__init__(data, *args, **kwargs)

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

    def paginate(self, *args, per_page=None, page=1, **kwargs):
        # per_page and page come straight from the URL; only the offered sizes are honoured,
        # and a page number is capped so that its row offset stays within a 64-bit integer.
        if per_page not in PAGE_SIZES:
            per_page = PAGE_SIZES[0]
        if str(page).isdigit() and int(page) > MAX_PAGE:
            page = MAX_PAGE
        return super().paginate(*args, per_page=per_page, page=page, **kwargs)

    def body_rows(self):
        """Return the page's rows as (row class, [(td attributes, cell html), ...]) for templates/logs/table.html.

        The cells come from the same render_<column> methods, called directly.
        django-tables2's own row rendering inspects each render method's
        signature and resolves template variables for each of the 275 cells of
        a page; skipping that halved the list page's CPU time (41 to 20 ms).
        """
        url_pattern = reverse("logs_app:detail", args=[_ID_PLACEHOLDER])
        columns = [(column.name, column.attrs["td"].as_html()) for column in self.columns]
        rows = []
        for index, record in enumerate(row.record for row in self.paginated_rows):
            cells = self._cells(record, url_pattern.replace(str(_ID_PLACEHOLDER), str(record.pk)))
            row = [(attrs, conditional_escape(cells[name])) for name, attrs in columns]
            rows.append(("odd" if index % 2 else "even", row))
        return rows

    def _cells(self, record, url):
        # Empty values show EMPTY without their render method, as django-tables2 does for these columns.
        return {
            "created_at": _link(url, self.render_created_at(record.created_at)),
            "duration_ms": _or_empty(record.duration_ms, self.render_duration_ms),
            "agent_name": _or_empty(record.agent_name),
            "provider": _or_empty(record.provider),
            "model": _or_empty(record.model),
            "prompt": _or_empty(record.prompt_preview, lambda value: _link(url, self.render_prompt(value))),
            "total_input_tokens": _or_empty(
                record.total_input_tokens, lambda value: self._render_tokens(value, record)
            ),
            "total_output_tokens": _or_empty(
                record.total_output_tokens, lambda value: self._render_tokens(value, record)
            ),
            "total_cost": self.render_total_cost(record),
            "checks": self.render_checks(record),
            "feedback": self.render_feedback(record),
        }

    def render_created_at(self, value):
        return format_date(template_localtime(value), WHEN_FORMAT)

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


def _or_empty(value, render=str):
    return EMPTY if value is None or value == "" else render(value)


def _link(url, content):
    return format_html('<a href="{}">{}</a>', url, content)
