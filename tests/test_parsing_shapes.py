"""parse_log on bundles, the other log formats, rejected shapes, encodings and invalid JSON."""

import codecs
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from logs_app.ingest.parsing import parse_log, parse_log_entries
from logs_app.ingest.run import REQUEST, RESPONSE, TEXT, TOOL_CALL, TOOL_RETURN, EntryError, ParseError, timeline_json

FIXTURES = Path(__file__).parent / "fixtures" / "logs"


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()


def parse_error(data):
    with pytest.raises(ParseError) as raised:
        parse_log(data)
    return str(raised.value)


class TestBundles:
    def test_array_gives_one_run_per_entry(self):
        runs = parse_log(fixture_bytes("bundle_array.json"))
        assert [run.run_index for run in runs] == [0, 1]
        assert [run.user_prompt for run in runs] == ["How do I add JWT auth?", "How do I run migrations?"]
        assert [run.answer for run in runs] == ["Use OAuth2PasswordBearer.", "Use Alembic."]

    def test_entry_raw_json_is_entry_dump(self):
        entries = json.loads(fixture_bytes("bundle_array.json"))
        runs = parse_log(fixture_bytes("bundle_array.json"))
        assert runs[1].raw_json == json.dumps(entries[1], ensure_ascii=False)

    def test_export_rows_read_inner_run(self):
        first, second = parse_log(fixture_bytes("bundle_export.json"))
        assert first.log_format == "llm-logs-export"
        assert first.user_prompt == "where do capybaras live"
        assert first.model == "gpt-4o-mini-2024-07-18"
        assert first.answer == "**Answer**: South America.\n\n**Confidence**: 0.95"
        assert first.usage.input_tokens == 19270
        assert first.usage.cache_read_tokens == 11648
        assert len(first.messages) == 2

    def test_export_row_without_readable_run_uses_columns(self):
        _, second = parse_log(fixture_bytes("bundle_export.json"))
        assert second.run_index == 1
        assert second.user_prompt == "what do capybaras eat"
        assert second.answer == "Grasses."
        assert second.model == "gpt-4o-mini"
        assert second.usage.input_tokens == 800
        assert second.usage.output_tokens == 50
        assert second.started_at == datetime(2025, 11, 23, 22, 0, tzinfo=UTC)
        assert [message.kind for message in second.messages] == ["request", RESPONSE]

    def test_bad_entries_reported_and_good_runs_kept(self):
        good = json.loads(fixture_bytes("bundle_array.json"))
        entries = [good[0], "not a run", good[1], {"unrelated": 1}]
        parsed = parse_log_entries(json.dumps(entries).encode(), "bundle.json")
        assert [run.run_index for run in parsed.runs] == [0, 2]
        assert [run.user_prompt for run in parsed.runs] == ["How do I add JWT auth?", "How do I run migrations?"]
        assert [error.index for error in parsed.entry_errors] == [1, 3]
        assert parsed.entry_errors[0].message.startswith("entry 2 of 4: expected a JSON object, found a string")
        assert parsed.entry_errors[1] == EntryError(3, parsed.entry_errors[1].message)
        assert "entry 4 of 4: no agent run found (top-level keys: unrelated)" in parsed.entry_errors[1].message

    def test_parse_log_returns_readable_entries_of_bundle(self):
        good = json.loads(fixture_bytes("bundle_array.json"))
        runs = parse_log(json.dumps([good[0], None]).encode())
        assert [run.run_index for run in runs] == [0]

    def test_export_with_null_row_keeps_good_row(self):
        document = json.loads(fixture_bytes("bundle_export.json"))
        document["logs"].insert(0, None)
        parsed = parse_log_entries(json.dumps(document).encode())
        assert [run.run_index for run in parsed.runs] == [1, 2]
        assert [error.index for error in parsed.entry_errors] == [0]

    def test_bundle_without_readable_entry_fails(self):
        message = parse_error(b'[{"unrelated": 1}, 5, null, "x", []]')
        assert message.startswith("none of the 5 entries contains a readable run: entry 1 of 5: no agent run found")
        assert message.endswith("; and 2 more")
        with pytest.raises(ParseError):
            parse_log_entries(b'[{"unrelated": 1}]')

    def test_single_bad_entry_message_unchanged(self):
        assert parse_error(b'[{"unrelated": 1}]').startswith("entry 1 of 1: no agent run found")

    def test_single_run_has_no_entry_errors(self):
        parsed = parse_log_entries(fixture_bytes("chat_messages.json"))
        assert len(parsed.runs) == 1
        assert parsed.entry_errors == []

    def test_empty_array_rejected(self):
        assert "empty JSON array" in parse_error(b"[]")


class TestOtherFormats:
    def test_chat_messages(self):
        (run,) = parse_log(fixture_bytes("chat_messages.json"))
        assert run.log_format == "chat-messages"
        assert run.user_prompt == "hi"
        assert run.instructions == "Be kind."
        assert run.answer == "Hello! How can I help?"
        assert run.model == "test_model"
        assert run.provider == "test_system"
        assert run.usage.input_tokens == 60
        assert run.usage.output_tokens == 13
        assert run.tool_calls[0].tool_name == "greet"
        assert run.tool_calls[0].args == {"name": "you"}
        assert [part.kind for part in run.parts if part.kind == TOOL_RETURN] == [TOOL_RETURN]

    def test_chat_with_only_user_message(self):
        document = json.loads(fixture_bytes("chat_messages.json"))
        document["messages"] = document["messages"][1:2]
        (run,) = parse_log(json.dumps(document).encode())
        assert run.user_prompt == "hi"
        assert run.answer == ""
        assert run.instructions == "test instructions"
        assert run.usage.input_tokens is None

    def test_question_answer(self):
        (run,) = parse_log(fixture_bytes("question_answer.json"))
        assert run.log_format == "question-answer"
        assert run.user_prompt == "What is Evidently used for?"
        assert run.answer == "Monitoring data quality."
        assert run.model == "mistral"
        assert run.tools == ["search_docs"]
        assert run.instructions.strip() == "You are a helpful documentation assistant."
        assert run.usage.input_tokens is None
        assert run.usage_complete is False
        assert run.started_at == datetime(2026, 5, 27, 8, 11, 49, 481494, tzinfo=UTC)
        context = [part for part in run.parts if part.kind == TOOL_RETURN][0]
        assert context.tool_name == "search_docs"
        assert context.content == "Evidently is an open-source ML monitoring tool."

    def test_tool_used_is_a_tool_call_with_context_as_return(self):
        (run,) = parse_log(fixture_bytes("question_answer.json"))
        assert [message.kind for message in run.messages] == [REQUEST, RESPONSE, REQUEST, RESPONSE]
        (call,) = run.tool_calls
        assert (call.tool_name, call.args, call.args_valid) == ("search_docs", {}, True)
        assert [part.kind for part in run.messages[2].parts] == [TOOL_RETURN]
        assert run.messages[2].parts[0].tool_name == "search_docs"
        assert run.messages[3].parts[0].content == "Monitoring data quality."
        assert run.usage_complete is False

    def test_tool_used_without_context_and_as_list(self):
        document = {"question": "q?", "answer": "a.", "tool_used": ["search_docs", "fetch", 3]}
        (run,) = parse_log(json.dumps(document).encode())
        assert [part.tool_name for part in run.tool_calls] == ["search_docs", "fetch"]
        assert run.tools == ["search_docs", "fetch"]
        assert [part.kind for part in run.responses[0].parts] == [TOOL_CALL, TOOL_CALL, TEXT]

    def test_context_without_tool_used_stays_in_request(self):
        (run,) = parse_log(fixture_bytes("query_response.json"))
        assert run.tool_calls == []
        assert [message.kind for message in run.messages] == [REQUEST, RESPONSE]

    def test_query_response(self):
        (run,) = parse_log(fixture_bytes("query_response.json"))
        assert run.user_prompt == "can I take this course?"
        assert run.answer == "Yes, you can."
        assert "faq/014.md" in [part for part in run.parts if part.kind == TOOL_RETURN][0].content

    def test_synthetic_sample(self):
        (run,) = parse_log(fixture_bytes("synthetic_handwritten.json"))
        assert run.user_prompt == "What was the attack vector?"
        assert run.usage.input_tokens == 150
        assert run.usage.output_tokens == 85
        assert [message.kind for message in run.messages] == ["request", RESPONSE]

    def test_claude_agent_sdk_result(self):
        (run,) = parse_log(fixture_bytes("claude_agent_sdk_result.json"))
        assert run.log_format == "claude-agent-sdk"
        assert run.answer.startswith("The third line is")
        assert run.model == "claude-opus-4.6-1m"
        assert run.provider == "anthropic"
        assert run.reported_cost == Decimal("30.78135")
        assert run.usage.input_tokens == 2008315 + 100 + 20
        assert run.usage.output_tokens == 8755
        assert run.usage.cache_read_tokens == 100
        assert run.reported_duration_ms == 346629
        assert run.user_prompt == ""
        assert run.messages[0].parts[0].kind == TEXT


class TestRejectedShapes:
    def test_repr_strings_tell_how_to_fix_logger(self):
        message = parse_error(fixture_bytes("repr_strings.json"))
        assert "Python repr strings" in message
        assert "ModelMessagesTypeAdapter.dump_json" in message
        assert "to_jsonable_python" in message
        assert "default=str" in message

    def test_agent_trace_named(self):
        assert "custom multi-agent trace" in parse_error(fixture_bytes("agent_trace.json"))

    def test_evaluation_summary_not_a_run(self):
        message = parse_error(fixture_bytes("evaluation_summary.json"))
        assert "evaluation summary, not an agent run" in message
        assert "`messages`" in message

    def test_unknown_object_lists_keys_and_expectation(self):
        message = parse_error(b'{"alpha": 1, "beta": [2]}')
        assert "top-level keys: alpha, beta" in message
        assert "a pydantic-ai run dump (a JSON object with a `messages` list)" in message

    @pytest.mark.parametrize("text", ["42", '"text"', "null", "true"])
    def test_scalar_document_rejected(self, text):
        assert "expected a JSON object" in parse_error(text.encode())

    def test_empty_messages_without_prompt_rejected(self):
        assert "no messages, prompt or answer found" in parse_error(b'{"messages": []}')

    @pytest.mark.parametrize(
        "text",
        [
            '{"messages": [null, 1, "x", []]}',
            '{"messages": [null, 1, "x", [], {"kind": "response"}]}',
            '{"messages": [{"kind": "request", "parts": [{"part_kind": "user-prompt", "content": " "}]}]}',
            '{"messages": [{"role": "user", "content": null}]}',
            '{"question": "", "answer": {}}',
        ],
    )
    def test_messages_with_nothing_readable_rejected(self, text):
        message = parse_error(text.encode())
        assert message.startswith("the messages contain nothing the parser can read")
        assert "expected a pydantic-ai run dump" in message

    def test_some_unknown_parts_still_accepted(self):
        text = '{"messages": [null, {"kind": "request", "parts": [{"part_kind": "user-prompt", "content": "hi"}]}]}'
        (run,) = parse_log(text.encode())
        assert run.user_prompt == "hi"

    def test_usage_alone_is_something_readable(self):
        (run,) = parse_log(b'{"messages": [{"kind": "response", "usage": {"input_tokens": 5, "output_tokens": 1}}]}')
        assert run.usage.input_tokens == 5


class TestInvalidJson:
    def test_truncated_file_gives_position(self):
        message = parse_error(fixture_bytes("truncated.json"))
        assert message.startswith("invalid JSON: Expecting value at line 7, column 22 (char 108)")
        assert "ends before the JSON is complete" in message

    def test_plain_text_is_not_json(self):
        message = parse_error(fixture_bytes("plain_text.json"))
        assert "line 1, column 1 (char 0)" in message
        assert "not JSON" in message

    def test_error_in_middle_gives_position(self):
        message = parse_error(b'{"a": 1,\n "b": tru, "c": 3}')
        assert "line 2, column 7" in message

    def test_nan_accepted(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        text = json.dumps(document).replace('"kind": "response"', '"kind": "response", "usage": {"input_tokens": NaN}')
        (run,) = parse_log(text.encode())
        assert run.usage.input_tokens is None

    def test_json_lines_named(self):
        line = json.dumps({"question": "q", "answer": "a"})
        message = parse_error(f"{line}\n{line}\n".encode())
        assert message.startswith(f"invalid JSON: Extra data at line 2, column 1 (char {len(line) + 1})")
        assert "JSON Lines" in message
        assert "one JSON document per file" in message

    def test_nul_padding_after_json_named(self):
        message = parse_error(b'{"question": "q", "answer": "a"}' + b"\x00" * 100)
        assert "followed by 100 NUL bytes" in message

    def test_file_of_nul_bytes_named(self):
        assert "only NUL bytes (4096)" in parse_error(b"\x00" * 4096)

    def test_other_trailing_data_named(self):
        assert "continues after the end of the JSON document" in parse_error(b'{"question": "q"} x')

    @pytest.mark.parametrize(
        "data",
        [b'{"question": "a\tb"}', b'{"question": "a', b'{"question" "a"}', b'{"a": 1,}', b'["\\x"]'],
    )
    def test_json_messages_never_repeat_words(self, data):
        message = parse_error(data)
        assert " at at " not in message
        assert message.count(" at line ") == 1

    def test_deep_nesting_rejected(self):
        message = parse_error(b"[" * 100_000 + b"]" * 100_000)
        assert "nested too deeply" in message


class TestDecoding:
    def text(self):
        return fixture_bytes("chat_messages.json").decode()

    def test_empty_file(self):
        assert parse_error(b"") == "empty file"

    def test_whitespace_only_file(self):
        assert parse_error(b" \r\n\t") == "empty file"

    def test_utf8_bom_and_crlf(self):
        data = codecs.BOM_UTF8 + self.text().replace("\n", "\r\n").encode()
        (run,) = parse_log(data)
        assert run.user_prompt == "hi"
        assert not run.raw_json.startswith("\ufeff")

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
    def test_utf16_and_utf32_with_bom(self, encoding):
        (run,) = parse_log(self.text().encode(encoding))
        assert run.user_prompt == "hi"

    @pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
    def test_utf16_and_utf32_without_bom(self, encoding):
        (run,) = parse_log(self.text().encode(encoding))
        assert run.user_prompt == "hi"

    def test_invalid_utf16_names_offset(self):
        data = codecs.BOM_UTF16_LE + '{"question": "a"}'.encode("utf-16-le") + b"\x00"
        assert parse_error(data).startswith("invalid UTF-16 at byte offset 36")

    def test_invalid_utf8_names_offset(self):
        data = b'{"question": "caf\xe9", "answer": "x"}'
        message = parse_error(data)
        assert message.startswith("invalid UTF-8 at byte offset 17")

    def test_nul_escape_replaced_but_raw_kept(self):
        data = b'{"question": "a\\u0000b", "answer": "c\\u0000"}'
        (run,) = parse_log(data)
        assert run.user_prompt == "a\ufffdb"
        assert run.answer == "c\ufffd"
        assert run.raw_json == data.decode()

    def test_lone_surrogate_replaced(self):
        (run,) = parse_log(b'{"question": "a\\ud800b", "answer": "ok"}')
        assert run.user_prompt == "a\ufffdb"

    def test_non_latin_text_kept(self):
        (run,) = parse_log('{"question": "Что такое 猫?", "answer": "고양이"}'.encode())
        assert run.user_prompt == "Что такое 猫?"
        assert run.answer == "고양이"


def test_every_fixture_parses_or_raises_parse_error():
    for path in sorted(FIXTURES.glob("*.json")):
        try:
            runs = parse_log(path.read_bytes(), path.name)
        except ParseError:
            continue
        assert runs, path.name
        for run in runs:
            assert run.messages, path.name
            assert run.log_format, path.name
            json.dumps(timeline_json(run))
