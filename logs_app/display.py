"""Formatting for pages: money, tokens, durations, sizes, and a run's timeline as display rows.

Plain functions without Django so that tables, views, the admin and tests share them.
Everything returned here is plain text; templates escape it.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

UNKNOWN = "unknown"
NO_VALUE = "—"

# A tool return or prompt longer than this is collapsed behind its first lines.
COLLAPSE_CHARS = 1500
COLLAPSE_LINES = 25
SUMMARY_CHARS = 160


def format_money(value):
    """US dollars with enough digits to tell small costs apart: $12.34, $0.0123, $0.50, $0.000045."""
    if value is None:
        return UNKNOWN
    value = Decimal(value)
    if value == 0:
        return "$0.00"
    magnitude = abs(value)
    if magnitude >= 1:
        text = f"{magnitude:,.2f}"
    elif magnitude >= Decimal("0.01"):
        text = _trim(f"{magnitude:.4f}")
    else:
        # Two significant digits, written out in full (never 4.5E-5).
        rounded = magnitude.quantize(Decimal(1).scaleb(magnitude.adjusted() - 1))
        text = _trim(format(rounded, "f"))
    return f"{'-' if value < 0 else ''}${text}"


def _trim(text):
    """Drop trailing zeros after the second decimal: 0.5000 -> 0.50, 0.000300 -> 0.0003."""
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0")
    return f"{whole}.{decimals.ljust(2, '0')}"


def format_tokens(value):
    return NO_VALUE if value is None else f"{value:,}"


def format_duration_ms(value):
    """Format milliseconds as 850 ms, 12.3 s or 4 min 05 s; unknown and negative durations become a dash."""
    if value is None or value < 0:
        return NO_VALUE
    if value < 1000:
        return f"{value:.0f} ms"
    seconds = value / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_bytes(size):
    if size is None:
        return "unknown size"
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"


def binary_label(media_type, size_bytes):
    """Describe binary content by type and size, "[image/png, 8.0 MB]", which pages show in its place."""
    return f"[{media_type or 'binary data'}, {format_bytes(size_bytes)}]"


def check_summary(passed, failed, not_applicable):
    if not (passed or failed or not_applicable):
        return "no checks"
    return f"{passed} passed · {failed} failed · {not_applicable} n/a"


def verdict_label(is_good):
    return {True: "good", False: "bad", None: "no verdict"}[is_good]


def cost_breakdown(log):
    """Describe a run's cost with its input/output split, or the reason it is unknown."""
    if log.total_cost is None:
        reason = log.cost_unknown_reason or "no price is known for this model"
        return f"unknown: {reason}"
    parts = []
    if log.input_cost is not None:
        parts.append(f"input {format_money(log.input_cost)}")
    if log.output_cost is not None:
        parts.append(f"output {format_money(log.output_cost)}")
    split = f" ({', '.join(parts)})" if parts else ""
    return f"{format_money(log.total_cost)}{split}"


def parse_time(value):
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _elapsed_ms(start, end):
    if start is None or end is None:
        return None
    try:
        return (end - start).total_seconds() * 1000
    except TypeError:  # one time has a zone and the other has none
        return None


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2)


def _pretty_args(args_text, args_valid):
    if not args_valid or not args_text:
        return args_text
    try:
        return json.dumps(json.loads(args_text), ensure_ascii=False, indent=2)
    except ValueError:
        return args_text


def _usage_text(usage):
    if not usage:
        return "no usage reported"
    names = (
        ("input_tokens", "in"),
        ("output_tokens", "out"),
        ("cache_read_tokens", "cached"),
        ("reasoning_tokens", "reasoning"),
    )
    shown = [f"{label} {format_tokens(usage[key])}" for key, label in names if usage.get(key) is not None]
    text = " · ".join(shown) or "no token counts"
    if usage.get("problem"):
        text += f" (not trusted: {usage['problem']})"
    return text


@dataclass
class PartRow:
    kind: str
    title: str
    text: str = ""
    is_error: bool = False
    collapsed: bool = False
    summary: str = ""
    # Tool calls only.
    args_valid: bool = True


@dataclass
class MessageRow:
    kind: str
    title: str
    time: datetime | None = None
    elapsed: str = ""
    model_name: str = ""
    finish_reason: str = ""
    usage: str = ""
    parts: list[PartRow] = field(default_factory=list)


def _part_row(part):
    kind = part.get("kind", "unknown")
    text = _as_text(part.get("content"))
    tool = part.get("tool_name") or "tool"
    if kind == "binary":
        return PartRow(kind, "Binary content", binary_label(part.get("media_type"), part.get("size_bytes")))
    if kind == "tool-call":
        valid = part.get("args_valid", True)
        args = _pretty_args(part.get("args_text", ""), valid)
        title = f"Tool call: {tool}" + ("" if valid else " (malformed arguments, shown as written)")
        return PartRow(kind, title, args or "(no arguments)", is_error=not valid, args_valid=valid)
    titles = {
        "system-prompt": "System prompt",
        "user-prompt": "User prompt",
        "text": "Text",
        "tool-return": f"Tool return: {tool}",
        "retry-prompt": f"Retry requested: {tool}" if part.get("tool_name") else "Retry requested",
        "thinking": "Thinking",
    }
    row = PartRow(kind, titles.get(kind, f"Unrecognised part ({kind})"), text, is_error=bool(part.get("is_error")))
    long_text = len(text) > COLLAPSE_CHARS or text.count("\n") >= COLLAPSE_LINES
    if kind in ("system-prompt", "thinking") or (kind == "tool-return" and long_text):
        row.collapsed = True
        flat = " ".join(text.split())
        row.summary = flat[:SUMMARY_CHARS] + ("…" if len(flat) > SUMMARY_CHARS else "")
        if len(text) > SUMMARY_CHARS:
            row.summary += f" ({len(text):,} characters)"
    return row


def _message_time(message):
    stamp = parse_time(message.get("timestamp"))
    if stamp is None:
        for part in message.get("parts") or []:
            stamp = parse_time(part.get("timestamp"))
            if stamp is not None:
                break
    return stamp


def timeline_rows(timeline):
    """Turn the llm_logs.timeline JSON into rows for the detail page, in file order.

    A response's time is counted from the request before it. Clocks with whole-second
    precision can stamp a response before its request; that shows as a note, never
    as a negative duration.
    """
    rows = []
    counts = {"request": 0, "response": 0}
    last_request_time = None
    for message in timeline or []:
        kind = message.get("kind", "request")
        counts[kind] = counts.get(kind, 0) + 1
        time = _message_time(message)
        row = MessageRow(kind=kind, title=f"{kind.capitalize()} {counts[kind]}", time=time)
        row.parts = [_part_row(part) for part in message.get("parts") or []]
        if kind == "response":
            row.model_name = message.get("model_name", "")
            row.finish_reason = message.get("finish_reason", "")
            row.usage = _usage_text(message.get("usage"))
            elapsed = _elapsed_ms(last_request_time, time)
            if elapsed is not None:
                row.elapsed = (
                    f"after {format_duration_ms(elapsed)}"
                    if elapsed >= 0
                    else "stamped before its request (clock precision), duration not known"
                )
        else:
            last_request_time = time or last_request_time
        rows.append(row)
    return rows
