"""Turn the bytes of one log file into Runs.

    runs = parse_log(data, source_name)   # list[Run], or raises ParseError

The file is decoded (see decoding.py) and parsed as JSON. Then it is matched
to one of the formats in logs_app/ingest/formats/: a pydantic-ai run dump, an
OpenAI-style chat, a question/answer log or a Claude Agent SDK result. A JSON
array, or an export object with a `logs` list, is a bundle of these. Every
other shape raises ParseError with a sentence for the user.

Rules that hold for every format:

- Extracted text has NUL replaced with NUL_REPLACEMENT (U+FFFD), because
  PostgreSQL text cannot store NUL; Run.raw_json keeps the original text.
- Timestamps with an offset are converted to UTC; naive timestamps are taken
  to be UTC, because the loggers that write them record no zone.
- Token totals are None when the log does not give them, never 0.
"""

import json
import logging

import orjson

from logs_app.ingest.decoding import decode_log
from logs_app.ingest.formats import chat, claude_sdk, export, pydantic_ai, question_answer, rejected
from logs_app.ingest.formats.common import clean_text
from logs_app.ingest.run import ParseError

logger = logging.getLogger(__name__)

EXPECTED_SHAPES = (
    "a pydantic-ai run dump (a JSON object with a `messages` list), a chat log (`messages` with `role` and "
    "`content`), a question/answer log (`question` or `query` with `answer` or `response`), a Claude Agent SDK "
    "result, or a JSON array of these"
)


def parse_log(data, source_name=""):
    """Return the runs in a log file's bytes; raise ParseError with a message for the user when there is none."""
    text = decode_log(data)
    document = load_json(text)
    try:
        if pydantic_ai.is_message_list(document):
            document = {"messages": document}
        elif isinstance(document, list):
            return read_bundle(document)
        if isinstance(document, dict) and isinstance(document.get("logs"), list):
            return read_bundle(document["logs"])
        run = read_document(document)
    except RecursionError:
        raise ParseError("the JSON is nested too deeply to be a run log")

    run.raw_json = text
    logger.debug("Parsed %s as %s", source_name or "log", run.log_format)
    return [run]


def load_json(text):
    """Parse JSON text; raise ParseError with the decoder's message and position when it is invalid."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson rejects NaN, Infinity, lone surrogate escapes and integers beyond 64 bits, which
        # Python's json module accepts. The json module also gives the clearer error message.
        pass
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        position = f"line {error.lineno}, column {error.colno} (char {error.pos})"
        raise ParseError(f"invalid JSON: {error.msg} at {position}{json_hint(text, error)}")
    except RecursionError:
        raise ParseError("the JSON is nested too deeply to be a run log")


def json_hint(text, error):
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return "; the file is not JSON (a run log starts with { or [)"
    if error.pos >= len(text.rstrip()):
        return "; the file ends before the JSON is complete, as when a logger stops in the middle of writing"
    return ""


def read_bundle(entries):
    if not entries:
        raise ParseError(f"the file contains an empty JSON array; expected {EXPECTED_SHAPES}")

    runs = []
    for index, entry in enumerate(entries):
        try:
            run = read_document(entry)
        except ParseError as error:
            raise ParseError(f"entry {index + 1} of {len(entries)}: {error}")
        # json.dumps escapes NUL as \u0000, so clean_text only replaces unpaired surrogates here,
        # which the json module can produce and PostgreSQL cannot store.
        run.raw_json = clean_text(json.dumps(entry, ensure_ascii=False))
        run.run_index = index
        runs.append(run)
    return runs


def read_document(document):
    """Return the Run of one JSON value, choosing the format from its keys."""
    if not isinstance(document, dict):
        raise ParseError(f"expected a JSON object, found {json_type(document)}; expected {EXPECTED_SHAPES}")

    rejected.reject_known_non_runs(document)
    reader = find_reader(document)
    keys = ", ".join(sorted(clean_text(key) for key in document)[:12]) or "none"
    if reader is None:
        raise ParseError(f"no agent run found (top-level keys: {keys}); expected {EXPECTED_SHAPES}")

    run = reader(document)
    if not run.messages and not run.user_prompt.strip() and not run.answer.strip():
        raise ParseError(f"no messages, prompt or answer found (top-level keys: {keys}); expected {EXPECTED_SHAPES}")
    return run


def find_reader(document):
    if export.is_export_row(document):
        return export.read_run
    if chat.is_chat_log(document):
        return chat.read_run
    if pydantic_ai.is_pydantic_ai_run(document):
        return pydantic_ai.read_run
    if claude_sdk.is_claude_result(document):
        return claude_sdk.read_run
    if question_answer.is_question_answer(document):
        return question_answer.read_run
    return None


def json_type(value):
    names = {list: "an array", str: "a string", bool: "true or false", type(None): "null", dict: "an object"}
    return names.get(type(value), "a number")
