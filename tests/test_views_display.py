"""Formatting helpers that pages share: money, durations, sizes and the timeline rows."""

from decimal import Decimal

import pytest

from logs_app import display
from tests.factories import message, part


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "unknown"),
        (Decimal("0"), "$0.00"),
        (Decimal("0.0003000000"), "$0.0003"),
        (Decimal("0.000045"), "$0.000045"),
        (Decimal("0.0000001234"), "$0.00000012"),
        (Decimal("0.0123456"), "$0.0123"),
        (Decimal("0.5"), "$0.50"),
        (Decimal("1234567.8"), "$1,234,567.80"),
        (Decimal("-0.25"), "-$0.25"),
    ],
)
def test_format_money(value, text):
    assert display.format_money(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (-5, "—"),
        (0, "0 ms"),
        (850, "850 ms"),
        (12_340, "12.3 s"),
        (245_000, "4 min 05 s"),
        (7_500_000, "2 h 05 min"),
    ],
)
def test_format_duration_never_negative(value, text):
    assert display.format_duration_ms(value) == text


def test_binary_label():
    assert display.binary_label("image/png", 8 * 1024 * 1024) == "[image/png, 8.0 MB]"
    assert display.binary_label("", None) == "[binary data, unknown size]"


def test_long_tool_return_collapsed():
    text = '[\n  {"id": 1,\n   "content": "' + "x" * 3000 + '"}\n]'
    rows = display.timeline_rows([message("request", [part("tool-return", text, tool_name="search")])])

    row = rows[0].parts[0]
    assert row.collapsed
    assert row.summary.startswith('[ {"id": 1, "content": "xxx')
    assert row.summary.endswith(f"… ({len(text):,} characters)")
    assert row.text == text


def test_tool_return_object_content_is_shown_as_json():
    rows = display.timeline_rows([message("request", [part("tool-return", {"rows": [1, 2]}, tool_name="sql")])])

    assert rows[0].parts[0].text == '{\n  "rows": [\n    1,\n    2\n  ]\n}'


def test_mixed_time_zones_show_no_duration():
    timeline = [
        {"kind": "request", "parts": [], "timestamp": "2026-11-20T09:30:00"},
        {"kind": "response", "parts": [], "timestamp": "2026-11-20T09:30:02+00:00", "usage": None},
    ]

    rows = display.timeline_rows(timeline)

    assert rows[1].elapsed == ""
    assert rows[1].usage == "no usage reported"
