"""Server-rendered SVG bar charts: readable without JavaScript, each bar a link to the runs behind it."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from logs_app.dashboard.ranges import DAY, HOUR

WIDTH = 640
HEIGHT = 170
LEFT = 56
RIGHT = 8
TOP = 10
BOTTOM = 22
MAX_X_LABELS = 8


@dataclass
class Segment:
    """One series' part of one bar."""

    value: float
    title: str
    href: str = ""


@dataclass
class Series:
    name: str
    css_class: str
    segments: list


def bucket_label(moment, bucket_seconds):
    """Label a bucket start for the x axis, as precisely as the bucket size needs."""
    local = timezone.localtime(moment)
    if bucket_seconds < DAY:
        return local.strftime("%H:%M") if bucket_seconds < 6 * HOUR else local.strftime("%b %d %H:%M")
    return local.strftime("%b %d")


def stacked_bars(series, x_labels, value_format, description):
    """Render stacked bars, one per bucket, with the series drawn bottom up in the given order.

    ``x_labels`` has one label per bucket; ``value_format`` formats the axis maximum.
    Returns an ``<svg>`` element as a safe string.
    """
    count = len(x_labels)
    totals = [sum(item.segments[index].value for item in series) for index in range(count)]
    peak = max(totals, default=0) or 1
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(count, 1)
    gap = min(2.0, slot * 0.15)

    shapes = []
    for index in range(count):
        x = LEFT + index * slot + gap / 2
        base = TOP + plot_height
        for item in series:
            segment = item.segments[index]
            height = plot_height * segment.value / peak
            if height <= 0:
                continue
            base -= height
            shapes.append(_bar(x, base, slot - gap, height, item.css_class, segment))

    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        description,
        _axes(value_format(peak if any(totals) else 0), plot_height),
        mark_safe("".join(shapes)),
        _x_labels(x_labels, slot, plot_height),
    )


def _bar(x, y, width, height, css_class, segment):
    rect = format_html(
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        css_class,
        _coordinate(x),
        _coordinate(y),
        _coordinate(width),
        _coordinate(height),
        segment.title,
    )
    if not segment.href:
        return rect
    return format_html('<a href="{}">{}</a>', segment.href, rect)


def _coordinate(value):
    # format_html escapes its arguments into strings first, so numbers are formatted here.
    return f"{value:.1f}"


def _axes(peak_label, plot_height):
    bottom = TOP + plot_height
    return format_html(
        '<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>'
        '<line class="grid" x1="{left}" y1="{top}" x2="{right}" y2="{top}"/>'
        '<text class="tick" x="{label_x}" y="{top_text}" text-anchor="end">{peak}</text>'
        '<text class="tick" x="{label_x}" y="{bottom}" text-anchor="end">0</text>',
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=bottom,
        top_text=TOP + 4,
        label_x=LEFT - 4,
        peak=peak_label,
    )


def _x_labels(labels, slot, plot_height):
    step = max(1, -(-len(labels) // MAX_X_LABELS))
    y = TOP + plot_height + 15
    return format_html_join(
        "",
        '<text class="tick" x="{}" y="{}">{}</text>',
        ((_coordinate(LEFT + index * slot), y, label) for index, label in enumerate(labels) if index % step == 0),
    )


def rate_class(rate):
    """Name the CSS class for a pass rate or good-feedback share: five steps from bad to good, or none."""
    if rate is None:
        return "rate-none"
    for threshold, css_class in ((0.99, "rate-4"), (0.9, "rate-3"), (0.75, "rate-2"), (0.5, "rate-1")):
        if rate >= threshold:
            return css_class
    return "rate-0"
