"""Plain data types that the parser produces and the pricing and check steps read.

Nothing here depends on files, Django or the database.
"""

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

# Part kinds, following pydantic-ai's part_kind names where one exists.
SYSTEM_PROMPT = "system-prompt"
USER_PROMPT = "user-prompt"
TEXT = "text"
TOOL_CALL = "tool-call"
TOOL_RETURN = "tool-return"
RETRY_PROMPT = "retry-prompt"
THINKING = "thinking"
BINARY = "binary"
UNKNOWN = "unknown"

REQUEST = "request"
RESPONSE = "response"

# Extracted text replaces NUL with this character: PostgreSQL text columns
# cannot hold NUL, and U+FFFD is the standard mark for an unrepresentable character.
NUL_REPLACEMENT = "\ufffd"


@dataclass
class Usage:
    """Token counts of one model response or of a whole run; None means the log does not give the count."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    # Cost that a router such as OpenRouter reported in the usage itself, in USD.
    reported_cost: Decimal | None = None
    # Why the token counts cannot be trusted (a negative or unreadable count, cache above input), or "".
    problem: str = ""
    # Why a cost figure the log gives was set aside (unreadable, NaN, negative or implausibly large), or "".
    # Kept apart from problem because a bad cost figure never makes the token counts unusable.
    cost_problem: str = ""
    # True when the log gives a count that could not be used (unreadable, negative or implausibly large):
    # that count is None, so a total built from this usage covers only part of the run.
    counts_dropped: bool = False

    @property
    def is_empty(self):
        """True when the log gives no token counts and reports nothing wrong with them."""
        return self.input_tokens is None and self.output_tokens is None and not self.problem


@dataclass
class Part:
    """One part of a message: a prompt, text, tool call, tool return, retry, thinking or binary content."""

    kind: str
    content: str = ""
    tool_name: str = ""
    tool_call_id: str = ""
    # Tool-call arguments: the parsed object when they are valid JSON, else None.
    args: Any = None
    # Tool-call arguments as the log wrote them, for display.
    args_text: str = ""
    args_valid: bool = True
    timestamp: datetime | None = None
    # For binary parts: the media type and decoded size; the data itself is never kept.
    media_type: str = ""
    size_bytes: int | None = None
    # True for a tool return that reports an error, or a retry prompt.
    is_error: bool = False


@dataclass
class Message:
    """A request to the model or a response from it."""

    kind: str
    parts: list[Part] = field(default_factory=list)
    timestamp: datetime | None = None
    instructions: str = ""
    model_name: str = ""
    provider_name: str = ""
    provider_url: str = ""
    finish_reason: str = ""
    usage: Usage | None = None
    # pydantic-ai's run_id, when the log has one.
    run_id: str = ""
    # True for messages of earlier runs that a dump carries as history; they sit in Run.history_messages.
    earlier_run: bool = False


@dataclass
class Run:
    """One agent run as extracted from a log."""

    log_format: str
    agent_name: str = ""
    provider: str = ""
    model: str = ""
    provider_url: str = ""
    user_prompt: str = ""
    instructions: str = ""
    answer: str = ""
    tools: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    # Run totals: the log's run-level usage when it has one, else the sum over responses.
    usage: Usage = field(default_factory=Usage)
    # False when some responses carry no usage, so the totals cover only part of the run.
    usage_complete: bool = True
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # A run that a router already priced, or the Claude Agent SDK's total_cost_usd.
    reported_cost: Decimal | None = None
    # The run's own JSON text: the file's text for single-run files, the entry's JSON for bundles.
    raw_json: str = ""
    run_index: int = 0
    # Messages of earlier runs that the dump carries as conversation history (pydantic-ai's
    # all_messages()). They are context only: totals, prompt, answer and the properties below skip them.
    history_messages: list[Message] = field(default_factory=list)
    # Run duration that the log itself reports (the Claude Agent SDK's duration_ms), when it has no timestamps.
    reported_duration_ms: int | None = None
    # Values the parser ignored and the reason, one sentence each (a timestamp dated 9999, for example).
    notes: list[str] = field(default_factory=list)

    @property
    def responses(self):
        return [message for message in self.messages if message.kind == RESPONSE]

    @property
    def parts(self):
        for message in self.messages:
            yield from message.parts

    @property
    def tool_calls(self):
        return [part for part in self.parts if part.kind == TOOL_CALL]


class ParseError(ValueError):
    """A file that contains no run the parser understands. The message tells the user why."""


class EntryError(NamedTuple):
    """A bundle entry that contains no readable run: its 0-based position (as Run.run_index) and the reason."""

    index: int
    message: str


@dataclass
class ParsedFile:
    """The runs of one log file, and the bundle entries that could not be read."""

    runs: list[Run]
    entry_errors: list[EntryError] = field(default_factory=list)


def _json_safe(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def timeline_json(run):
    """Return the run's messages as JSON-safe dicts for the llm_logs.timeline column.

    Each message is the Message dataclass as a dict (with its parts and usage),
    timestamps as ISO 8601 strings and costs as decimal strings. History from
    earlier runs comes first, marked with earlier_run. Tool-call args
    are dropped in favour of args_text, which keeps what the log wrote.
    """
    messages = []
    for message in [*run.history_messages, *run.messages]:
        # Field by field, because dataclasses.asdict deep-copies every value (the parsed args too, which
        # are then dropped) and made this four times slower (0.43 ms instead of 0.10 ms per run).
        data = _field_values(message)
        data["parts"] = [_field_values(part, skip=("args",)) for part in message.parts]
        if message.usage is not None:
            data["usage"] = _field_values(message.usage)
        messages.append(_json_safe(data))
    return messages


def _field_values(instance, skip=()):
    return {item.name: getattr(instance, item.name) for item in fields(instance) if item.name not in skip}
