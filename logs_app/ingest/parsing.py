"""Turn the bytes of one log file into Runs.

    parsed = parse_log_entries(data, source_name)  # ParsedFile(runs, entry_errors), or raises ParseError
    runs = parse_log(data, source_name)            # list[Run], or raises ParseError

The file is decoded (see decoding.py) and parsed as JSON. Then it is matched
to one of the formats in logs_app/ingest/formats/: a pydantic-ai run dump, an
OpenAI-style chat, a question/answer log or a Claude Agent SDK result. A JSON
array, or an export object with a `logs` list, is a bundle of these. Every
other shape raises ParseError with a sentence for the user. ParseError is the
only exception that any input raises.

A bundle gives the runs of the entries that can be read. Each entry that
cannot be read is listed in ParsedFile.entry_errors, and the file fails only
when no entry can be read. JSON Lines (one object per line) is not read: the message
says that one JSON document per file is expected.

Rules that hold for every format:

- Extracted text has NUL replaced with NUL_REPLACEMENT (U+FFFD), because
  PostgreSQL text cannot store NUL; Run.raw_json keeps the original text.
- Timestamps with an offset are converted to UTC; naive timestamps are taken
  to be UTC, because the loggers that write them record no zone. Timestamps
  outside 1970-2099 are unknown, with a line in Run.notes.
- Token totals are None when the log does not give them, never 0; a count the
  log gives but that cannot be read sets Usage.problem.
- A run must hold something the parser understands: a known message part, a
  prompt, an answer or token usage.
"""

import json
import logging
import re

import orjson

from logs_app.ingest.decoding import decode_log
from logs_app.ingest.formats import chat, claude_sdk, export, pydantic_ai, question_answer, rejected
from logs_app.ingest.formats.common import clean_text, collect_notes, load_json_value
from logs_app.ingest.run import UNKNOWN, EntryError, ParsedFile, ParseError

logger = logging.getLogger(__name__)

EXPECTED_SHAPES = (
    "a pydantic-ai run dump (a JSON object with a `messages` list), a chat log (`messages` with `role` and "
    "`content`), a question/answer log (`question` or `query` with `answer` or `response`), a Claude Agent SDK "
    "result, or a JSON array of these"
)

# Maximum number of entry errors quoted in the message for a bundle without a readable entry.
MAX_QUOTED_ERRORS = 3

TOO_DEEP = "the JSON is nested too deeply to be a run log"


def parse_log(data, source_name=""):
    """Return the runs in a log file's bytes; raise ParseError with a message for the user when there is none.

    Bundle entries that cannot be read are logged and left out; use parse_log_entries to get them.
    """
    parsed = parse_log_entries(data, source_name)
    for error in parsed.entry_errors:
        logger.warning("%s: %s", source_name or "log", error.message)
    return parsed.runs


def parse_log_entries(data, source_name=""):
    """Return a ParsedFile with the runs in a log file's bytes and the bundle entries that could not be read.

    Raise ParseError when the file contains no readable run at all.
    """
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
        raise ParseError(TOO_DEEP)

    run.raw_json = text
    logger.debug("Parsed %s as %s", source_name or "log", run.log_format)
    return ParsedFile(runs=[run])


def load_json(text):
    """Parse JSON text; raise ParseError with the decoder's message and position when it is invalid."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # orjson rejects NaN, Infinity, lone surrogate escapes and integers beyond 64 bits, which
        # Python's json module accepts. The json module also gives the clearer error message.
        pass
    try:
        return load_json_value(text)
    except json.JSONDecodeError as error:
        raise ParseError(json_error_message(text, error))
    except RecursionError:
        raise ParseError(TOO_DEEP)


def json_error_message(text, error):
    # Some of the json module's messages end in "at" ("Invalid control character at"), so that word is dropped
    # before the position is added.
    reason = re.sub(r"\s+at$", "", error.msg)
    position = f"line {error.lineno}, column {error.colno} (char {error.pos})"
    return f"invalid JSON: {reason} at {position}{json_hint(text, error)}"


def json_hint(text, error):
    if not text.strip("\x00"):
        return f"; the file contains only NUL bytes ({len(text)}), as when a writer crashes before it writes the log"
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return "; the file is not JSON (a run log starts with { or [)"
    if error.pos >= len(text.rstrip()):
        return "; the file ends before the JSON is complete, as when a logger stops in the middle of writing"
    if error.msg.startswith("Extra data"):
        rest = text[error.pos :]
        if not rest.strip("\x00 \t\r\n"):
            nuls = rest.count("\x00")
            return (
                f"; the JSON is followed by {nuls} NUL bytes, as when a writer crashes after it made room for "
                "the file; remove the NUL bytes at the end of the file"
            )
        if rest.lstrip().startswith(("{", "[")) and "\n" in text[: error.pos]:
            return (
                "; the file contains several JSON documents, one per line (JSON Lines), which is not supported: "
                "write one JSON document per file, or a JSON array of runs"
            )
        return "; the file continues after the end of the JSON document"
    return ""


def read_bundle(entries):
    if not entries:
        raise ParseError(f"the file contains an empty JSON array; expected {EXPECTED_SHAPES}")

    runs, errors = [], []
    for index, entry in enumerate(entries):
        try:
            run = read_document(entry)
            # json.dumps escapes NUL as \u0000, so clean_text only replaces unpaired surrogates here,
            # which the json module can produce and PostgreSQL cannot store.
            run.raw_json = clean_text(json.dumps(entry, ensure_ascii=False))
        except ParseError as error:
            errors.append(EntryError(index, f"entry {index + 1} of {len(entries)}: {error}"))
            continue
        except RecursionError:
            errors.append(EntryError(index, f"entry {index + 1} of {len(entries)}: {TOO_DEEP}"))
            continue
        run.run_index = index
        runs.append(run)

    if not runs:
        quoted = "; ".join(error.message for error in errors[:MAX_QUOTED_ERRORS])
        if len(errors) == 1:
            raise ParseError(quoted)
        more = f"; and {len(errors) - MAX_QUOTED_ERRORS} more" if len(errors) > MAX_QUOTED_ERRORS else ""
        raise ParseError(f"none of the {len(errors)} entries contains a readable run: {quoted}{more}")
    return ParsedFile(runs=runs, entry_errors=errors)


def read_document(document):
    """Return the Run of one JSON value, choosing the format from its keys."""
    if not isinstance(document, dict):
        raise ParseError(f"expected a JSON object, found {json_type(document)}; expected {EXPECTED_SHAPES}")

    rejected.reject_known_non_runs(document)
    reader = find_reader(document)
    keys = ", ".join(sorted(clean_text(key) for key in document)[:12]) or "none"
    if reader is None:
        raise ParseError(f"no agent run found (top-level keys: {keys}); expected {EXPECTED_SHAPES}")

    with collect_notes() as notes:
        run = reader(document)
    if not run.messages and not run.user_prompt.strip() and not run.answer.strip():
        raise ParseError(f"no messages, prompt or answer found (top-level keys: {keys}); expected {EXPECTED_SHAPES}")
    if not has_content(run):
        raise ParseError(
            "the messages contain nothing the parser can read (no known message part, prompt, answer or token "
            f"usage; top-level keys: {keys}); expected {EXPECTED_SHAPES}"
        )
    run.notes = notes
    return run


def has_content(run):
    """Return True when the run contains a known part with something in it, a prompt, an answer or token usage."""
    if run.user_prompt.strip() or run.answer.strip() or not run.usage.is_empty or run.reported_cost is not None:
        return True
    for message in [*run.history_messages, *run.messages]:
        if message.usage is not None and not message.usage.is_empty:
            return True
        for part in message.parts:
            if part.kind != UNKNOWN and (
                part.content.strip() or part.tool_name or part.args_text or part.media_type or part.size_bytes
            ):
                return True
    return False


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
