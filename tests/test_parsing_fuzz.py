"""Fuzz parse_log: whatever the input, it returns runs or raises ParseError, never another exception.

Generated values include numbers that json.dumps cannot write (integers of
thousands of digits, 1e400) and deep nesting: they are written as placeholder
strings and swapped into the JSON text afterwards (see to_bytes).
"""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logs_app.ingest.parsing import parse_log, parse_log_entries
from logs_app.ingest.run import ParseError, timeline_json

FIXTURES = Path(__file__).parent / "fixtures" / "logs"

# The fixtures that hold runs; the mutations below start from these real shapes.
SHAPES = []
for _path in sorted(FIXTURES.glob("*.json")):
    try:
        SHAPES.append(json.loads(_path.read_bytes()))
    except ValueError:
        pass

# Keys the parser looks at, so that random objects hit its branches more often than random names would.
KNOWN_KEYS = [
    "messages", "parts", "kind", "part_kind", "content", "args", "usage", "input_tokens", "output_tokens",
    "cache_read_tokens", "details", "cost", "model_name", "provider_name", "timestamp", "run_id", "instructions",
    "system_prompt", "output", "question", "answer", "role", "tool_calls", "data", "url", "logs", "raw_json",
    "modelUsage", "type", "user_prompt", "tool_name", "model", "provider", "tools",
]  # fmt: skip
PART_KINDS = ["user-prompt", "text", "tool-call", "tool-return", "retry-prompt", "thinking", "system-prompt", "x"]

# Raw JSON text for values that json.dumps cannot produce, keyed by the placeholder string that stands for them.
RAW_VALUES = {
    "<int5000>": "9" * 5000,
    "<negint400>": "-" + "1" * 400,
    "<int25>": "1" + "0" * 24,
    "<float1e400>": "1e400",
    "<float-1e400>": "-1e400",
    "<deep50>": "[" * 50 + "]" * 50,
    "<deep900>": '{"a":' * 900 + "1" + "}" * 900,
    "<deep5000>": "[" * 5000 + "]" * 5000,
}
# Strings that other fields have: timestamps out of range, epoch strings, counts in odd spellings.
ODD_STRINGS = [
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "1759312800", "1759312800000", "99999999999999999999",
    "1,000", "2e2", "1000.5", " 12 ", "-3", "NaN", "",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        PART_KINDS + ["request", "response", "result", "assistant", "2026-01-01T00:00:00Z", "\x00", "\ud800", '{"a": 1']
    ),
    st.sampled_from(ODD_STRINGS + sorted(RAW_VALUES)),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8)), children, max_size=5),
    ),
    max_leaves=25,
)
# Smaller values for the many fields of generated messages, which keeps generation fast.
field_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=2), st.dictionaries(st.text(max_size=4), children, max_size=2)
    ),
    max_leaves=4,
)


def to_bytes(value):
    text = json.dumps(value)
    for placeholder, raw in RAW_VALUES.items():
        text = text.replace(json.dumps(placeholder), raw)
    return text.encode()


def assert_runs_or_parse_error(data):
    try:
        parsed = parse_log_entries(data, "fuzz.json")
    except ParseError as error:
        assert str(error)
        with pytest.raises(ParseError):
            parse_log(data, "fuzz.json")
        return
    assert parsed.runs
    indexes = sorted([run.run_index for run in parsed.runs] + [error.index for error in parsed.entry_errors])
    assert indexes == list(range(len(indexes)))
    assert all(error.message for error in parsed.entry_errors)
    for run in parsed.runs:
        json.dumps(timeline_json(run))
        for count in (run.usage.input_tokens, run.usage.output_tokens, run.usage.cache_read_tokens):
            assert count is None or count >= 0
        assert "\x00" not in run.user_prompt + run.answer + run.instructions
        if run.started_at and run.finished_at:
            assert run.finished_at >= run.started_at
        for moment in (run.started_at, run.finished_at):
            assert moment is None or 1970 <= moment.year < 2100
        assert all(isinstance(note, str) and note for note in run.notes)


def mutate(data, value, draw):
    """Replace, delete or wrap one randomly chosen node of value; return the new value."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        changed = dict(value)
        action = draw(st.sampled_from(["replace", "delete", "descend"]))
        if action == "delete":
            del changed[key]
        elif action == "replace":
            changed[key] = draw(json_values)
        else:
            changed[key] = mutate(data, value[key], draw)
        return changed
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(min_value=0, max_value=len(value) - 1))
        changed = list(value)
        changed[index] = mutate(data, value[index], draw)
        return changed
    return draw(json_values)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_random_json_values(value):
    assert_runs_or_parse_error(to_bytes(value))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(data):
    assert_runs_or_parse_error(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_shapes(data):
    shape = data.draw(st.sampled_from(SHAPES))
    value = shape
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        value = mutate(data, value, data.draw)
    assert_runs_or_parse_error(to_bytes(value))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SHAPES), st.integers(min_value=0, max_value=4000))
def test_truncated_real_shapes(shape, cut):
    text = json.dumps(shape, indent=2)
    assert_runs_or_parse_error(text[: min(cut, len(text))].encode())


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(SHAPES), st.sampled_from(["part_kind", "kind", "role"]), st.sampled_from(PART_KINDS))
def test_kind_swaps(shape, key, kind):
    text = json.dumps(shape).replace(f'"{key}": "', f'"{key}": "{kind}')
    assert_runs_or_parse_error(text.encode())


# Messages and parts whose every field may hold any JSON value.
parts = st.fixed_dictionaries(
    {"part_kind": st.one_of(st.sampled_from(PART_KINDS), field_values)},
    optional={key: field_values for key in ("content", "args", "tool_name", "tool_call_id", "timestamp", "outcome")},
)
messages = st.fixed_dictionaries(
    {"kind": st.one_of(st.sampled_from(["request", "response", "assistant"]), field_values)},
    optional={
        "parts": st.one_of(st.lists(parts, max_size=4), field_values),
        "usage": st.one_of(st.dictionaries(st.sampled_from(KNOWN_KEYS), field_values, max_size=4), field_values),
        **{key: field_values for key in ("model_name", "provider_name", "timestamp", "run_id", "instructions", "role")},
    },
)
documents = st.fixed_dictionaries(
    {"messages": st.lists(messages, max_size=5)},
    optional={key: field_values for key in ("model", "provider", "system_prompt", "output", "usage", "tools")},
)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_random_message_fields(document):
    assert_runs_or_parse_error(to_bytes(document))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.fixed_dictionaries({"role": field_values}, optional={"content": field_values}), min_size=1, max_size=4)
)
def test_random_chat_messages(chat):
    assert_runs_or_parse_error(to_bytes({"messages": chat}))


# Every top-level key that the question/answer, Claude Agent SDK and export readers look at.
FLAT_KEYS = [
    "question", "query", "user_query", "user_prompt", "prompt", "input", "answer", "response", "output", "result",
    "assistant_answer", "context", "search_results", "sources", "tool_used", "tool", "tools", "usage",
    "input_tokens", "output_tokens", "total_input_tokens", "cost", "timestamp", "created_at", "logged_at",
    "system_prompt", "instructions", "model", "provider", "agent_name", "modelUsage", "total_cost_usd",
    "duration_ms", "subtype", "is_error", "raw_json",
]  # fmt: skip
flat_documents = st.fixed_dictionaries(
    {
        "question": st.one_of(st.just("q?"), field_values),
        "type": st.one_of(st.just("result"), field_values),
    },
    optional={key: field_values for key in FLAT_KEYS if key != "question"},
)


@settings(max_examples=300, deadline=None)
@given(flat_documents)
def test_random_flat_fields(document):
    assert_runs_or_parse_error(to_bytes(document))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(flat_documents, documents, json_values), min_size=1, max_size=4), st.booleans())
def test_random_bundles(entries, export):
    value = {"exported_at": "x", "logs": entries} if export else entries
    assert_runs_or_parse_error(to_bytes(value))


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(sorted(RAW_VALUES) + ODD_STRINGS),
    st.sampled_from(["timestamp", "input_tokens", "output_tokens", "cost", "args", "content", "model_name"]),
)
def test_hostile_values_in_known_fields(value, key):
    response = {"kind": "response", "parts": [{"part_kind": "tool-call", "tool_name": "final_result", key: value}]}
    response[key] = value
    response["usage"] = {key: value, "input_tokens": 1}
    document = {"messages": [{"kind": "request", "parts": [{"part_kind": "user-prompt", "content": "q"}]}, response]}
    assert_runs_or_parse_error(to_bytes(document))
    assert_runs_or_parse_error(to_bytes({"question": "q", "answer": "a", key: value, "usage": {key: value}}))
