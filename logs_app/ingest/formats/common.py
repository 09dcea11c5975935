"""Helpers that every log format shares: safe field access, text cleaning, timestamps, usage and rendering.

Logs come from many hand-written loggers, so nothing here trusts a type: a
field of the wrong type reads as missing instead of raising.

Text rules apply to every string the parser extracts: prompt, instructions,
answer, part contents, tool and model names, tool-call argument keys. NUL
characters become NUL_REPLACEMENT, because PostgreSQL text cannot store them.
Unpaired UTF-16 surrogates, which JSON escapes can encode, become U+FFFD,
because they cannot be encoded as UTF-8.

Timestamp rule: ISO 8601 strings of any precision are read, and so are epoch
numbers (seconds, milliseconds, microseconds or nanoseconds, distinguished by
size), also when written as a string. Timestamps with an offset (or "Z") are
converted to UTC; naive timestamps are taken to be UTC already, because the
loggers that write them do not record their zone. A moment outside 1970-2099
is read as unknown and noted (see collect_notes), because no agent ran then and
such dates break date arithmetic downstream.

Count rule: a token count is an integer, a float with no fraction (1000.0) or a
string of digits ("1000"). Any other value that is present (1000.5, "1,000",
"2e2", true) leaves the count unknown and sets Usage.problem, never silently.

Cost rule: a reported cost in USD is a finite number from 0 to MAX_COST_USD, or
a string that spells one. Any other value that is present is set aside and
named in Usage.cost_problem, which never makes the token counts unusable.
"""

import contextlib
import contextvars
import json
import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from logs_app.ingest.run import NUL_REPLACEMENT, Usage

# Values that loggers write into system_prompt when they could not read the real instructions.
PLACEHOLDER_PROMPTS = re.compile(
    r"^\s*(<bound method |<function |<property |no system prompt found\s*$|none\s*$)", re.I
)

# Counts and costs above these are typing or overflow errors, and would not fit a bigint or money column.
MAX_TOKEN_COUNT = 10**15
MAX_COST_USD = Decimal(10**9)

# Maximum nesting that render_readable follows before it falls back to JSON text.
MAX_RENDER_DEPTH = 12

# Moments outside [EARLIEST_TIME, LATEST_TIME) are read as unknown.
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)
# Epoch numbers below each bound are read in that unit. 1e11 seconds is already the year 5138.
EPOCH_UNITS = ((1e11, 1), (1e14, 1e3), (1e17, 1e6), (1e20, 1e9))
# Epoch seconds have had 9 or more digits since March 1973, so shorter digit strings ("2025") are not epochs.
EPOCH_TEXT = re.compile(r"\s*\d{9,20}(\.\d{1,9})?\s*")

# Python refuses to convert longer digit strings to int (sys.get_int_max_str_digits), so JSON integers
# longer than this are read as floats: they are nonsense as counts or times, and an infinite float is rejected as both.
MAX_INT_DIGITS = 4000

# Maximum number of notes kept per run. Further notes are dropped.
MAX_NOTES = 10

_SURROGATE = re.compile("[\ud800-\udfff]")
_notes = contextvars.ContextVar("parse_notes", default=None)


def clean_text(value):
    """Return value as text with NUL and unpaired surrogates replaced; None becomes ""."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if "\x00" in value:
        value = value.replace("\x00", NUL_REPLACEMENT)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def clean_json_value(value, depth=0):
    """Return a copy of a parsed JSON value whose keys and strings went through clean_text."""
    if depth > MAX_RENDER_DEPTH * 4:
        return clean_text(json_text(value))
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(key): clean_json_value(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_json_value(item, depth + 1) for item in value]
    return value


def load_json_value(text):
    """Parse JSON text like json.loads, reading integers too long for int() as floats; raises ValueError."""
    return json.loads(text, parse_int=_parse_int)


def _parse_int(digits):
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        return float(digits)
    return int(digits)


@contextlib.contextmanager
def collect_notes():
    """Collect the notes that helpers add with add_note while reading one run; yields the list."""
    notes = []
    token = _notes.set(notes)
    try:
        yield notes
    finally:
        _notes.reset(token)


def add_note(text):
    notes = _notes.get()
    if notes is not None and text not in notes and len(notes) < MAX_NOTES:
        notes.append(text)


def shown_value(value, limit=40):
    """Return a value as a short repr for messages; long values are cut."""
    text = clean_text(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_text(value, indent=None):
    """Return a parsed JSON value as JSON text that keeps non-Latin characters readable."""
    return clean_text(json.dumps(value, ensure_ascii=False, indent=indent))


def text_field(mapping, *keys):
    """Return the value of the first of keys that is a non-empty string in mapping, cleaned; else ""."""
    if not isinstance(mapping, dict):
        return ""
    for key in keys:
        value = mapping.get(key)
        if isinstance(value, str) and value.strip():
            return clean_text(value)
    return ""


def as_list(value):
    return value if isinstance(value, list) else []


def as_dict(value):
    return value if isinstance(value, dict) else {}


def parse_timestamp(value):
    """Return an aware UTC datetime for an ISO 8601 string or an epoch number, or None when it is not one.

    A moment outside 1970-2099 is None too, and adds a note for the run.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        moment = _epoch_to_datetime(value)
    elif isinstance(value, str):
        moment = _text_to_datetime(value)
    else:
        return None
    if moment is None:
        return None

    if not EARLIEST_TIME <= moment < LATEST_TIME:
        add_note(f"timestamp {shown_value(value)} is outside 1970-2099, so it is ignored")
        return None
    return moment


def _text_to_datetime(value):
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        # An epoch number written as a string. fromisoformat has already read "20251001" as a date.
        return _epoch_to_datetime(float(value)) if EPOCH_TEXT.fullmatch(value) else None

    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return _outside_range(value)


def _epoch_to_datetime(value):
    # Loggers write 0 for "not set", and NaN is no time at all.
    if value != value or value == 0:
        return None
    # Comparing before dividing: an integer with hundreds of digits cannot become a float.
    if value < 0 or value == math.inf:
        return _outside_range(value)
    for bound, per_second in EPOCH_UNITS:
        if value < bound:
            try:
                return datetime.fromtimestamp(value / per_second, tz=UTC)
            except (OverflowError, OSError, ValueError):
                return _outside_range(value)
    return _outside_range(value)


def _outside_range(value):
    add_note(f"timestamp {shown_value(value)} is outside 1970-2099, so it is ignored")
    return None


def to_count(value):
    """Return a token count as int, or None when value is not a whole number (bool, NaN, 1.5, "1,000")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,30}\s*", value):
        return int(value)
    return None


def to_decimal(value):
    """Return a money amount as Decimal, or None when value is not a finite number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not isinstance(value, (int, float, str)):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def read_cost(value, label="the reported cost"):
    """Return (amount, problem) for a cost in USD that the log reports; label names it in the problem.

    A missing value gives (None, ""). A value that is present but cannot be used gives None and the reason.
    """
    if value is None:
        return None, ""
    amount = to_decimal(value)
    if amount is None:
        return None, f"{label} is {shown_value(value)}, not a finite number"
    if not 0 <= amount <= MAX_COST_USD:
        return None, f"{label} is out of range ({amount})"
    return amount, ""


def first_count(mapping, keys):
    """Return (key, count, problem) for the first of keys that mapping gives a value (null is no value).

    When that value is not a whole number, count is None and problem gives the reason.
    """
    for key in keys:
        value = mapping.get(key)
        if value is None:
            continue
        count = to_count(value)
        if count is None:
            return key, None, f"{key} is {shown_value(value)}, not a whole number"
        return key, count, ""
    return None, None, ""


# Key spellings, in order of preference. pydantic-ai 1.x writes input_tokens/output_tokens;
# pydantic-ai 0.x wrote request_tokens/response_tokens; hand-written loggers use the others.
INPUT_KEYS = ("input_tokens", "request_tokens", "prompt_tokens", "total_input_tokens", "inputTokens")
OUTPUT_KEYS = ("output_tokens", "response_tokens", "completion_tokens", "total_output_tokens", "outputTokens")
CACHE_READ_KEYS = ("cache_read_tokens", "cache_read_input_tokens", "cacheReadInputTokens")
CACHE_WRITE_KEYS = ("cache_write_tokens", "cache_creation_input_tokens", "cacheCreationInputTokens")
REASONING_KEYS = ("output_reasoning_tokens", "reasoning_tokens")
# Gemini reports reasoning as details.thoughts_tokens, OpenAI as details.reasoning_tokens.
DETAIL_REASONING_KEYS = ("reasoning_tokens", "thoughts_tokens")
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens")


def read_usage(raw, cache_in_input=True):
    """Return the Usage of a usage object, or None when it gives neither a count nor a cost figure.

    A negative count is dropped (stored as unknown) and a count that contradicts
    another (cache read above input) is kept; both set Usage.problem. A cost figure
    that cannot be used is dropped and sets Usage.cost_problem. Pass
    cache_in_input=False for Anthropic's convention, where input_tokens leaves
    out cache reads and writes: they are added, because Usage.input_tokens is the whole input.
    """
    if not isinstance(raw, dict):
        return None
    details = as_dict(raw.get("details"))

    found = {
        "input_tokens": first_count(raw, INPUT_KEYS),
        "output_tokens": first_count(raw, OUTPUT_KEYS),
        "cache_read_tokens": first_count(raw, CACHE_READ_KEYS),
        "cache_write_tokens": first_count(raw, CACHE_WRITE_KEYS),
        "reasoning_tokens": first_count(raw, REASONING_KEYS),
    }
    if found["reasoning_tokens"][0] is None:
        found["reasoning_tokens"] = first_count(details, DETAIL_REASONING_KEYS)
    # OpenRouter writes the cost in details, and some loggers write it beside the counts.
    cost_value = details.get("cost")
    if cost_value is None:
        cost_value = raw.get("cost")
    cost, cost_problem = read_cost(cost_value)

    if all(key is None for key, _, _ in found.values()) and cost is None and not cost_problem:
        return None

    usage = Usage(reported_cost=cost, cost_problem=cost_problem)
    problems = []
    for field_name, (key, count, problem) in found.items():
        if problem:
            problems.append(problem)
        elif count is not None and count < 0:
            problems.append(f"{key} is negative ({count})")
            count = None
        elif count is not None and count > MAX_TOKEN_COUNT:
            problems.append(f"{key} is implausibly large ({count})")
            count = None
        setattr(usage, field_name, count)
    usage.counts_dropped = bool(problems)
    if not cache_in_input and usage.input_tokens is not None:
        usage.input_tokens += (usage.cache_read_tokens or 0) + (usage.cache_write_tokens or 0)
    problems.extend(usage_contradictions(usage))
    usage.problem = "; ".join(problems)
    return usage


def usage_contradictions(usage):
    """Return the reasons why the counts of usage cannot all be true at once."""
    problems = []
    if usage.input_tokens is not None:
        for name in ("cache_read_tokens", "cache_write_tokens"):
            count = getattr(usage, name)
            if count is not None and count > usage.input_tokens:
                problems.append(f"{name} ({count}) is larger than input_tokens ({usage.input_tokens})")
        cache_total = (usage.cache_read_tokens or 0) + (usage.cache_write_tokens or 0)
        if not problems and cache_total > usage.input_tokens:
            problems.append(f"cache tokens ({cache_total}) add up to more than input_tokens ({usage.input_tokens})")
    if usage.output_tokens is not None and usage.reasoning_tokens is not None:
        if usage.reasoning_tokens > usage.output_tokens:
            problems.append(
                f"reasoning_tokens ({usage.reasoning_tokens}) is larger than output_tokens ({usage.output_tokens})"
            )
    return problems


def sum_usages(usages):
    """Return the field-by-field sum of usages; a field stays None when no usage gives it."""
    total = Usage()
    problems = []
    cost_problems = []
    for usage in usages:
        for name in TOKEN_FIELDS:
            count = getattr(usage, name)
            if count is not None:
                setattr(total, name, (getattr(total, name) or 0) + count)
        if usage.reported_cost is not None:
            total.reported_cost = (total.reported_cost or Decimal(0)) + usage.reported_cost
        if usage.problem:
            problems.append(usage.problem)
        if usage.cost_problem:
            cost_problems.append(usage.cost_problem)
        total.counts_dropped = total.counts_dropped or usage.counts_dropped
    total.problem = join_problems(problems)
    total.cost_problem = join_problems(cost_problems)
    return total


def join_problems(problems):
    """Join "; "-separated problem texts, naming each fault once: several responses often share one."""
    entries = [entry for text in problems for entry in text.split("; ") if entry]
    return "; ".join(dict.fromkeys(entries))


def cost_figure_only(usage):
    """True for a usage that contains nothing but a cost figure that was set aside: no counts, no valid cost."""
    return (
        usage.reported_cost is None and not usage.problem and all(getattr(usage, name) is None for name in TOKEN_FIELDS)
    )


def is_placeholder_prompt(text):
    return bool(PLACEHOLDER_PROMPTS.match(text))


def humanize_key(key):
    """Return a field name as a label: "sources_used" becomes "Sources used"."""
    words = re.sub(r"[_\-]+", " ", str(key)).strip()
    return words[:1].upper() + words[1:] if words else str(key)


def render_readable(value, depth=0):
    """Render a structured answer (parsed JSON) as Markdown that shows every field.

    Object fields become bold labels and list items become bullets. A nested
    value starts on the line after its label. A string stays as written.
    """
    if isinstance(value, str):
        return clean_text(value)
    if depth > MAX_RENDER_DEPTH:
        return json_text(value)
    if isinstance(value, dict):
        return _render_mapping(value, depth)
    if isinstance(value, list):
        return _render_sequence(value, depth)
    return _render_scalar(value)


def _render_scalar(value):
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return clean_text(value)


def _render_mapping(mapping, depth):
    blocks = []
    for key, item in mapping.items():
        label = f"**{clean_text(humanize_key(key))}**"
        if isinstance(item, (dict, list)) and not item:
            blocks.append(f"{label}: none")
        elif isinstance(item, (dict, list)) or (isinstance(item, str) and "\n" in item):
            blocks.append(f"{label}:\n{render_readable(item, depth + 1)}")
        else:
            blocks.append(f"{label}: {render_readable(item, depth + 1)}")
    # Blank lines keep each field a paragraph of its own; single newlines would join them in Markdown.
    return "\n\n".join(blocks)


def _render_sequence(items, depth):
    lines = []
    for item in items:
        first, *rest = render_readable(item, depth + 1).split("\n")
        lines.append(f"- {first}")
        # Continuation lines are indented so that Markdown keeps them inside their bullet.
        lines.extend(f"  {line}" if line else line for line in rest)
    return "\n".join(lines)


def fill_totals(run, run_usage=None):
    """Set run.usage, usage_complete and reported_cost from a run-level usage or the sum over responses.

    Without a run-level usage, totals cover the responses that carry usage and
    usage_complete is False when any response has none. A run without any usage
    keeps None totals: unknown, never 0. A count that could not be used also
    makes the totals partial. A usage that holds only a cost figure that was set
    aside counts as no usage, but its cost_problem is kept.
    """
    responses = run.responses
    every_usage = [message.usage for message in responses if message.usage is not None]
    response_usages = [usage for usage in every_usage if not cost_figure_only(usage)]
    summed = sum_usages(every_usage)

    if run_usage is not None and cost_figure_only(run_usage):
        summed.cost_problem = join_problems([run_usage.cost_problem, summed.cost_problem])
        run_usage = None

    if run_usage is not None:
        run.usage = run_usage
        if run.usage.reported_cost is None:
            run.usage.reported_cost = summed.reported_cost
        run.usage_complete = not run_usage.is_empty and not run_usage.counts_dropped
    else:
        run.usage = summed
        run.usage_complete = (
            bool(responses)
            and len(response_usages) == len(responses)
            and not summed.is_empty
            and not summed.counts_dropped
        )

    # A router's cost covers the run only when every response reports one; a partial sum would look like a total.
    if any(usage.reported_cost is None for usage in response_usages) or len(response_usages) < len(responses):
        if run_usage is None or run_usage.reported_cost is None:
            run.usage.reported_cost = None
    if run.reported_cost is None:
        run.reported_cost = run.usage.reported_cost


def fill_times(run, fallback=None):
    """Set started_at and finished_at to the earliest and latest timestamps in the run's messages and parts.

    Responses can be stamped before their request because OpenAI gives whole
    seconds, so the span uses min and max instead of the first and last message.
    """
    moments = []
    for message in run.messages:
        if message.timestamp is not None:
            moments.append(message.timestamp)
        moments.extend(part.timestamp for part in message.parts if part.timestamp is not None)

    if moments:
        run.started_at, run.finished_at = min(moments), max(moments)
    elif fallback is not None:
        run.started_at = run.finished_at = fallback
