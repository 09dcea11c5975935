"""Turn a Dashboard's figures into what the template shows: formatted values, links and charts."""

from dataclasses import dataclass, field

from django.urls import reverse

from logs_app.dashboard import charts
from logs_app.dashboard.links import bucket_url, range_url
from logs_app.display import format_money, format_tokens
from logs_app.filters import ANY_CHECK

DETAIL_URL_NAME = "logs_app:detail"
FILTER_PARAMS = {"provider": "provider", "model": "model", "agent_name": "agent"}
VERDICTS = {True: "good", False: "bad", None: "no verdict"}


@dataclass
class Figure:
    label: str
    value: str
    href: str = ""
    notes: list = field(default_factory=list)


@dataclass
class BreakdownLine:
    value: str
    runs: int
    runs_href: str
    cost: str
    cost_href: str
    unknown_cost_runs: int
    unknown_cost_href: str


def format_share(part, whole):
    """Format a share as a whole percentage with its counts, such as "40% (2 of 5)"; "—" when whole is 0."""
    if not whole:
        return "—"
    return f"{100 * part / whole:.0f}% ({part:,} of {whole:,})"


def format_rate(rate):
    return "—" if rate is None else f"{100 * rate:.0f}%"


def run_detail_url(run_id):
    return reverse(DETAIL_URL_NAME, args=[run_id])


def totals_figures(dashboard):
    time_range, run_filter, totals = dashboard.time_range, dashboard.run_filter, dashboard.totals
    cost = Figure("Cost", format_money(totals.cost), range_url(time_range, run_filter, unknown_cost="no"))
    if totals.unknown_cost_runs:
        cost.notes.append(
            Figure(
                "unknown cost",
                f"{totals.unknown_cost_runs:,} run{'' if totals.unknown_cost_runs == 1 else 's'} with unknown cost, "
                "not in the sum",
                range_url(time_range, run_filter, unknown_cost="yes"),
            )
        )
    return [
        Figure("Runs", f"{totals.runs:,}", range_url(time_range, run_filter)),
        cost,
        Figure("Input tokens", format_tokens(totals.input_tokens), range_url(time_range, run_filter)),
        Figure("Output tokens", format_tokens(totals.output_tokens), range_url(time_range, run_filter)),
        Figure(
            "Runs with a failed check",
            format_share(totals.failed_runs, totals.runs),
            range_url(time_range, run_filter, failed_check=ANY_CHECK),
        ),
        Figure("Good feedback", f"{totals.good_feedback_runs:,}", range_url(time_range, run_filter, feedback="good")),
        Figure("Bad feedback", f"{totals.bad_feedback_runs:,}", range_url(time_range, run_filter, feedback="bad")),
        Figure("No feedback", f"{totals.no_feedback_runs:,}", range_url(time_range, run_filter, feedback="none")),
    ]


def series_charts(dashboard):
    """Build the over-time charts: runs, cost, tokens and feedback per bucket."""
    run_filter = dashboard.run_filter
    size = dashboard.time_range.bucket_seconds
    labels = [charts.bucket_label(figures.bucket.start, size) for figures in dashboard.series]

    def segments(value_of, title_of, **extra):
        return [
            charts.Segment(
                value_of(figures.totals),
                f"{charts.bucket_label(figures.bucket.start, size)}: {title_of(figures.totals)}",
                bucket_url(figures.bucket, run_filter, **extra) if value_of(figures.totals) else "",
            )
            for figures in dashboard.series
        ]

    runs = charts.Series("runs", "bar-runs", segments(lambda t: t.runs, lambda t: f"{t.runs:,} runs"))
    cost = charts.Series(
        "cost",
        "bar-cost",
        segments(
            lambda t: float(t.cost),
            lambda t: f"{format_money(t.cost)}, {t.unknown_cost_runs:,} runs with unknown cost",
            unknown_cost="no",
        ),
    )
    input_tokens = charts.Series(
        "input", "bar-input", segments(lambda t: t.input_tokens, lambda t: f"{t.input_tokens:,} input tokens")
    )
    output_tokens = charts.Series(
        "output", "bar-output", segments(lambda t: t.output_tokens, lambda t: f"{t.output_tokens:,} output tokens")
    )
    good = charts.Series(
        "good",
        "bar-good",
        segments(lambda t: t.good_feedback_runs, lambda t: f"{t.good_feedback_runs:,} runs, good", feedback="good"),
    )
    bad = charts.Series(
        "bad",
        "bar-bad",
        segments(lambda t: t.bad_feedback_runs, lambda t: f"{t.bad_feedback_runs:,} runs, bad", feedback="bad"),
    )
    return {
        "runs": charts.stacked_bars([runs], labels, lambda v: f"{v:,.0f}", "Runs per bucket"),
        "cost": charts.stacked_bars([cost], labels, lambda v: format_money(v), "Known cost per bucket"),
        "tokens": charts.stacked_bars(
            [input_tokens, output_tokens], labels, lambda v: f"{v:,.0f}", "Input and output tokens per bucket"
        ),
        "feedback": charts.stacked_bars([good, bad], labels, lambda v: f"{v:,.0f}", "Runs with good and bad feedback"),
    }


def check_rows(dashboard):
    """Build one row per check: totals with links, and a cell per bucket coloured by pass rate."""
    time_range, run_filter = dashboard.time_range, dashboard.run_filter
    size = time_range.bucket_seconds
    rows = []
    for check in dashboard.checks:
        cells = []
        for bucket, counts in zip(time_range.buckets(), check.per_bucket, strict=True):
            title = f"{charts.bucket_label(bucket.start, size)}: {format_rate(counts.pass_rate)} passed"
            title += f" ({counts.passed} passed, {counts.failed} failed, {counts.not_applicable} not applicable)"
            href = bucket_url(bucket, run_filter, failed_check=check.name) if counts.failed else ""
            cells.append({"css_class": charts.rate_class(counts.pass_rate), "title": title, "href": href})
        rows.append(
            {
                "name": check.name,
                "counts": check.totals,
                "pass_rate": format_rate(check.totals.pass_rate),
                "failed_href": range_url(time_range, run_filter, failed_check=check.name),
                "cells": cells,
            }
        )
    return rows


def breakdown_lines(dashboard, rows, field_name):
    time_range, run_filter = dashboard.time_range, dashboard.run_filter
    param = FILTER_PARAMS[field_name]

    def href(value, **extra):
        # The list cannot select an empty value, so those rows get no links.
        return range_url(time_range, run_filter, **{param: value}, **extra) if value else ""

    return [
        BreakdownLine(
            value=row.value or "(none)",
            runs=row.runs,
            runs_href=href(row.value),
            # A value whose runs all have unknown cost has no known cost to show, not $0.00.
            cost=format_money(row.cost) if row.runs > row.unknown_cost_runs else "—",
            cost_href=href(row.value, unknown_cost="no") if row.runs > row.unknown_cost_runs else "",
            unknown_cost_runs=row.unknown_cost_runs,
            unknown_cost_href=href(row.value, unknown_cost="yes"),
        )
        for row in rows
    ]


def failing_check_rows(dashboard):
    time_range, run_filter = dashboard.time_range, dashboard.run_filter
    return [
        {
            "name": check.name,
            "failed": check.totals.failed,
            "evaluated": check.totals.evaluated,
            "href": range_url(time_range, run_filter, failed_check=check.name),
        }
        for check in dashboard.failing_checks
    ]


def page_context(dashboard):
    return {
        "dashboard": dashboard,
        "bucket_size": format_bucket_size(dashboard.time_range.bucket_seconds),
        "range_href": range_url(dashboard.time_range, dashboard.run_filter),
        "figures": totals_figures(dashboard),
        "charts": series_charts(dashboard),
        "check_rows": check_rows(dashboard),
        "failing_checks": failing_check_rows(dashboard),
        "by_model": breakdown_lines(dashboard, dashboard.by_model, "model"),
        "by_agent": breakdown_lines(dashboard, dashboard.by_agent, "agent_name"),
        "by_provider": breakdown_lines(dashboard, dashboard.by_provider, "provider"),
        "expensive_runs": [
            {"run": run, "cost": format_money(run.total_cost), "href": run_detail_url(run.pk)}
            for run in dashboard.most_expensive_runs
        ],
        "latest_feedback": [
            {"feedback": item, "verdict": VERDICTS[item.is_good], "href": run_detail_url(item.log_id)}
            for item in dashboard.latest_feedback
        ],
    }


def format_bucket_size(seconds):
    """Name a bucket size for people: "5 minutes", "1 hour", "6 hours", "1 day"."""
    for unit_seconds, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds % unit_seconds == 0:
            count = seconds // unit_seconds
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"
