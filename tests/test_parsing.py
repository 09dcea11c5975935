"""parse_log on pydantic-ai run dumps: prompt, instructions, answer, model, usage, timestamps and parts."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from logs_app.ingest.parsing import parse_log
from logs_app.ingest.run import (
    BINARY,
    NUL_REPLACEMENT,
    RESPONSE,
    RETRY_PROMPT,
    THINKING,
    TOOL_CALL,
    TOOL_RETURN,
    UNKNOWN,
    USER_PROMPT,
    timeline_json,
)

FIXTURES = Path(__file__).parent / "fixtures" / "logs"


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()


def parse_one(name):
    runs = parse_log(fixture_bytes(name), name)
    assert len(runs) == 1
    return runs[0]


def parse_document(document):
    runs = parse_log(json.dumps(document).encode())
    assert len(runs) == 1
    return runs[0]


class TestCommonShape:
    """The shape most loggers write: messages with per-response usage, no run-level usage or output."""

    @pytest.fixture(scope="class")
    def run(self):
        return parse_one("pydantic_ai_no_usage.json")

    def test_metadata(self, run):
        assert run.log_format == "pydantic-ai"
        assert run.agent_name == "faq_agent"
        assert run.tools == ["search"]
        assert run.run_index == 0

    def test_prompt_ignores_injected_notice(self, run):
        assert run.user_prompt == "Can I still join the course?"

    def test_repeated_instructions_taken_once(self, run):
        assert run.instructions == "Answer questions about the course FAQ. Always search first."

    def test_answer_is_last_response_text(self, run):
        assert run.answer == "Yes, you can join the course at any time."

    def test_model_comes_from_responses(self, run):
        assert run.model == "gpt-4o-mini-2024-07-18"
        assert run.provider == "openai"

    def test_tokens_are_summed_over_responses(self, run):
        assert run.usage.input_tokens == 2700
        assert run.usage.output_tokens == 60
        assert run.usage.cache_read_tokens == 1024
        assert run.usage.reasoning_tokens == 8
        assert run.usage.problem == ""
        assert run.usage_complete is True

    def test_per_response_usage_kept(self, run):
        assert [response.usage.input_tokens for response in run.responses] == [1200, 1500]
        assert [response.finish_reason for response in run.responses] == ["tool_call", "stop"]

    def test_times_span_messages(self, run):
        assert run.started_at == datetime(2025, 10, 2, 17, 0, 54, 839688, tzinfo=UTC)
        assert run.finished_at == datetime(2025, 10, 2, 17, 0, 57, tzinfo=UTC)

    def test_raw_json_is_file_text(self, run):
        assert run.raw_json == fixture_bytes("pydantic_ai_no_usage.json").decode()

    def test_tool_call_and_return(self, run):
        call = run.tool_calls[0]
        assert call.tool_name == "search"
        assert call.args == {"query": "join course late"}
        assert call.args_text == '{"query":"join course late"}'
        assert call.args_valid is True
        returned = [part for part in run.parts if part.kind == TOOL_RETURN][0]
        assert json.loads(returned.content) == [
            {"question": "Can I join late?", "answer": "Yes, you can join at any time."}
        ]

    def test_timeline_is_json_serialisable(self, run):
        timeline = timeline_json(run)
        assert [message["kind"] for message in timeline] == ["request", "response", "request", "response"]
        assert "args" not in timeline[1]["parts"][0]
        json.dumps(timeline)


class TestStructuredOutput:
    def test_output_object_rendered_in_full(self):
        run = parse_one("pydantic_ai_structured_output.json")
        assert run.answer.startswith("**Found answer**: yes\n\n**Title**: Monitoring data drift")
        assert "- **Heading**: Overview" in run.answer
        assert "Compare current data with a reference set." in run.answer
        assert "metrics/drift.mdx" in run.answer
        assert "**Confidence**: 0.9" in run.answer

    def test_run_level_usage_wins(self):
        run = parse_one("pydantic_ai_structured_output.json")
        assert run.usage.input_tokens == 16064
        assert run.usage.output_tokens == 739
        assert run.usage_complete is True

    def test_final_result_args_are_answer(self):
        run = parse_one("pydantic_ai_final_result_only.json")
        assert (
            run.answer == "**Answer**: In South America, near water.\n\n**Sources used**:\n- Capybara\n- Hydrochoerus"
        )

    def test_malformed_final_result_args_shown_as_written(self):
        document = json.loads(fixture_bytes("pydantic_ai_final_result_only.json"))
        response = document["messages"][-1]
        call = next(part for part in response["parts"] if part["part_kind"] == "tool-call")
        call["args"] = '{"answer": "In South Amer'
        run = parse_document(document)
        assert run.answer == (
            '(final_result arguments are not valid JSON; shown as written)\n\n{"answer": "In South Amer'
        )
        assert run.tool_calls[-1].args_valid is False

    def test_string_output_is_answer(self):
        run = parse_one("synthetic_handwritten.json")
        assert run.answer == "The filings do not say."


class TestUsage:
    def test_old_usage_names(self):
        run = parse_one("pydantic_ai_old_usage.json")
        assert run.usage.input_tokens == 300
        assert run.usage.output_tokens == 25
        assert run.usage.reasoning_tokens is None

    def test_response_without_usage_makes_totals_partial(self):
        run = parse_one("pydantic_ai_partial_usage.json")
        assert run.usage.input_tokens == 400
        assert run.usage.output_tokens == 30
        assert run.usage_complete is False
        assert run.responses[1].usage is None

    def test_no_usage_anywhere_is_unknown(self):
        run = parse_one("pydantic_ai_stripped.json")
        assert run.usage.input_tokens is None
        assert run.usage.output_tokens is None
        assert run.usage_complete is False
        assert run.started_at is None
        assert run.provider == ""

    def test_all_zero_usage_stays_zero(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["usage"] = {"input_tokens": 0, "output_tokens": 0, "details": {}}
        run = parse_document(document)
        assert run.usage.input_tokens == 0
        assert run.usage.output_tokens == 0
        assert run.usage_complete is True

    def test_contradictions_set_problem(self):
        run = parse_one("pydantic_ai_bad_usage.json")
        assert run.usage.input_tokens == 100
        assert run.usage.cache_read_tokens == 5000
        assert run.usage.output_tokens is None
        assert "output_tokens is negative (-3)" in run.usage.problem
        assert "cache_read_tokens (5000) is larger than input_tokens (100)" in run.usage.problem
        assert run.answer == "Done."

    def test_negative_run_level_usage_never_stored(self):
        document = json.loads(fixture_bytes("pydantic_ai_structured_output.json"))
        document["usage"]["input_tokens"] = -10
        run = parse_document(document)
        assert run.usage.input_tokens is None
        assert "input_tokens is negative (-10)" in run.usage.problem

    def test_huge_count_dropped(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["usage"] = {"input_tokens": 10**20, "output_tokens": 5, "details": {"cost": 1e30}}
        run = parse_document(document)
        assert run.usage.input_tokens is None
        assert run.usage.output_tokens == 5
        assert run.usage.reported_cost is None
        assert run.usage.problem == "input_tokens is implausibly large (100000000000000000000)"
        assert run.usage.cost_problem == "the reported cost is out of range (1E+30)"

    @pytest.mark.parametrize(
        ("cost", "problem"),
        [
            ("NaN", "the reported cost is nan, not a finite number"),
            ("n/a", "the reported cost is 'n/a', not a finite number"),
            (-0.5, "the reported cost is out of range (-0.5)"),
        ],
    )
    def test_bad_cost_is_cost_problem(self, cost, problem):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        usage = {"input_tokens": 12, "output_tokens": 3, "details": {"cost": float(cost) if cost == "NaN" else cost}}
        document["messages"][1]["usage"] = usage
        run = parse_document(document)
        assert run.responses[0].usage.cost_problem == problem
        assert run.responses[0].usage.problem == ""
        assert run.usage.cost_problem == problem
        assert run.usage.problem == ""
        assert run.usage_complete is True
        assert run.reported_cost is None

    def test_bad_cost_alone_is_no_usage(self):
        document = json.loads(fixture_bytes("pydantic_ai_partial_usage.json"))
        document["messages"][3]["usage"] = {"cost": "free"}
        run = parse_document(document)
        assert run.responses[1].usage.cost_problem == "the reported cost is 'free', not a finite number"
        assert run.usage.input_tokens == 400
        assert run.usage_complete is False

    def test_bad_run_cost_keeps_response_totals(self):
        document = json.loads(fixture_bytes("pydantic_ai_old_usage.json"))
        document["usage"] = {"cost": "NaN"}
        run = parse_document(document)
        assert run.usage.input_tokens == 300
        assert run.usage.output_tokens == 25
        assert run.usage.cost_problem == "the reported cost is 'NaN', not a finite number"

    @pytest.mark.parametrize(
        ("figure", "problem"),
        [(-4, "total_cost_usd is out of range (-4)"), ("$0.40", "total_cost_usd is '$0.40', not a finite number")],
    )
    def test_claude_sdk_bad_total_cost_recorded(self, figure, problem):
        document = json.loads(fixture_bytes("claude_agent_sdk_result.json"))
        document["total_cost_usd"] = figure
        run = parse_document(document)
        assert run.reported_cost is None
        assert run.usage.cost_problem == problem
        assert run.usage.problem == ""
        assert run.usage_complete is True

    def test_text_counts_are_read(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["usage"] = {"input_tokens": "12", "output_tokens": 3.0}
        run = parse_document(document)
        assert run.usage.input_tokens == 12
        assert run.usage.output_tokens == 3

    @pytest.mark.parametrize("value", [1000.0, "1000", " 1000 "])
    def test_whole_number_spellings_accepted(self, value):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["usage"] = {"input_tokens": value, "output_tokens": 5}
        run = parse_document(document)
        assert run.usage.input_tokens == 1000
        assert run.usage.problem == ""
        assert run.usage_complete is True

    @pytest.mark.parametrize(
        "value, shown",
        [
            (1000.5, "1000.5"),
            ("1,000", "'1,000'"),
            ("2e2", "'2e2'"),
            (True, "True"),
            ([1], "[1]"),
            ({"n": 1}, "{'n': 1}"),
            ("9" * 100, "'" + "9" * 36 + "..."),
        ],
    )
    def test_unreadable_count_is_a_problem_never_silent(self, value, shown):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["usage"] = {"input_tokens": value, "output_tokens": 5}
        run = parse_document(document)
        assert run.usage.input_tokens is None
        assert run.usage.output_tokens == 5
        assert run.usage.problem == f"input_tokens is {shown}, not a whole number"
        assert run.usage_complete is False
        assert run.responses[0].usage.problem == run.usage.problem

    def test_all_counts_unreadable_is_still_usage_with_a_problem(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["usage"] = {"input_tokens": "1,000", "output_tokens": "2e2"}
        run = parse_document(document)
        usage = run.responses[0].usage
        assert usage is not None
        assert usage.is_empty is False
        assert (
            usage.problem == "input_tokens is '1,000', not a whole number; output_tokens is '2e2', not a whole number"
        )
        assert run.usage_complete is False

    def test_unreadable_run_level_count_makes_totals_partial(self):
        document = json.loads(fixture_bytes("pydantic_ai_structured_output.json"))
        document["usage"]["output_tokens"] = "739 tokens"
        run = parse_document(document)
        assert run.usage.input_tokens == 16064
        assert run.usage.output_tokens is None
        assert run.usage_complete is False
        assert "output_tokens is '739 tokens', not a whole number" in run.usage.problem

    def test_null_count_is_no_count(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["usage"] = {"input_tokens": None, "request_tokens": 7, "output_tokens": 5}
        run = parse_document(document)
        assert run.usage.input_tokens == 7
        assert run.usage.problem == ""

    def test_openrouter_cost_and_names(self):
        run = parse_one("pydantic_ai_openrouter.json")
        assert run.model == "google/gemma-3-27b-it:free"
        assert run.provider == "openai"
        assert run.provider_url == "https://openrouter.ai/api/v1/"
        assert run.responses[0].usage.reported_cost == Decimal("0.00042")
        assert run.usage.reported_cost == Decimal("0.00042")
        assert run.reported_cost == Decimal("0.00042")


class TestPromptAndInstructions:
    def test_placeholder_system_prompt_ignored(self):
        run = parse_one("pydantic_ai_old_usage.json")
        assert run.instructions == "You answer questions about a GitHub repository."

    def test_no_system_prompt_found_is_no_instructions(self):
        run = parse_one("pydantic_ai_partial_usage.json")
        assert run.instructions == ""

    def test_top_level_system_prompt_fallback(self):
        run = parse_one("pydantic_ai_stripped.json")
        assert run.instructions == "\nYou are a helpful assistant.\n"

    def test_top_level_prompt_fallback(self):
        document = json.loads(fixture_bytes("synthetic_handwritten.json"))
        document["messages"][0]["parts"] = []
        run = parse_document(document)
        assert run.user_prompt == "What was the attack vector?"

    def test_missing_prompt_is_empty(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][0]["parts"] = [{"content": None, "part_kind": "user-prompt"}]
        run = parse_document(document)
        assert run.user_prompt == ""

    def test_history_of_earlier_run_split_off(self):
        run = parse_one("pydantic_ai_history.json")
        assert run.user_prompt == "And a deployment?"
        assert run.answer == "It manages replicated pods."
        assert run.usage.input_tokens == 150
        assert len(run.messages) == 2
        assert len(run.history_messages) == 2
        assert all(message.earlier_run for message in run.history_messages)
        assert run.started_at == datetime(2026, 3, 1, 10, 5, tzinfo=UTC)

    def test_timeline_marks_history(self):
        timeline = timeline_json(parse_one("pydantic_ai_history.json"))
        assert [message["earlier_run"] for message in timeline] == [True, True, False, False]

    def test_history_without_run_ids(self):
        document = json.loads(fixture_bytes("pydantic_ai_history.json"))
        for message in document["messages"]:
            del message["run_id"]
        run = parse_document(document)
        assert run.user_prompt == "And a deployment?"
        assert len(run.history_messages) == 2

    def test_message_list_alone(self):
        document = json.loads(fixture_bytes("pydantic_ai_no_usage.json"))
        runs = parse_log(json.dumps(document["messages"]).encode())
        assert len(runs) == 1
        assert runs[0].user_prompt == "Can I still join the course?"
        assert runs[0].model == "gpt-4o-mini-2024-07-18"


class TestModel:
    def test_provider_prefix_split(self):
        runs = parse_log(fixture_bytes("bundle_array.json"))
        assert runs[0].model == "gemini-2.0-flash-lite"
        assert runs[0].provider == "google-gla"

    def test_top_level_alias_when_responses_name_none(self):
        run = parse_one("synthetic_handwritten.json")
        assert run.model == "gpt-4o-mini"

    def test_most_used_model_wins(self):
        document = json.loads(fixture_bytes("pydantic_ai_history.json"))
        document["messages"] = [dict(message, run_id="same") for message in document["messages"]]
        document["messages"][1]["model_name"] = "gpt-4.1"
        for model_name in ("gpt-4.1", "gpt-4.1", "gpt-4.1-mini"):
            document["messages"].append(dict(document["messages"][3], model_name=model_name))
        run = parse_document(document)
        assert run.model == "gpt-4.1"

    def test_tie_goes_to_last_model(self):
        document = json.loads(fixture_bytes("pydantic_ai_history.json"))
        document["messages"] = [dict(message, run_id="same") for message in document["messages"]]
        document["messages"][1]["model_name"] = "gpt-4.1"
        run = parse_document(document)
        assert run.model == "gpt-4.1-mini"


class TestParts:
    @pytest.fixture(scope="class")
    def run(self):
        return parse_one("pydantic_ai_parts.json")

    def test_nul_replaced_in_text(self, run):
        assert run.user_prompt == f"What is in{NUL_REPLACEMENT} this picture?"
        assert run.agent_name == f"vision{NUL_REPLACEMENT}agent"
        assert "\\u0000" in run.raw_json

    def test_binary_keeps_type_and_size_only(self, run):
        binaries = [part for part in run.parts if part.kind == BINARY]
        assert binaries[0].media_type == "image/png"
        assert binaries[0].size_bytes == 8 + 256 * 4
        assert binaries[0].content == ""
        assert binaries[1].media_type == "image/jpeg"
        assert binaries[1].content == "https://example.com/cat.jpg"

    def test_binary_data_absent_from_timeline(self, run):
        assert "iVBOR" not in json.dumps(timeline_json(run))

    def test_thinking_may_be_empty(self, run):
        thinking = [part for part in run.parts if part.kind == THINKING]
        assert thinking[0].content == ""

    def test_tool_call_args_variants(self, run):
        empty, truncated, mapping = run.tool_calls
        assert (empty.args, empty.args_text, empty.args_valid) == ({}, "", True)
        assert truncated.args is None
        assert truncated.args_text == '{"query": "ca'
        assert truncated.args_valid is False
        assert mapping.args == {f"qu{NUL_REPLACEMENT}ery": "cat breeds"}
        assert mapping.args_valid is True

    def test_tool_return_object_is_json_text(self, run):
        returned = [part for part in run.parts if part.kind == TOOL_RETURN][0]
        assert json.loads(returned.content) == {"results": ["tabby", "猫"]}
        assert "猫" in returned.content

    def test_retry_prompts_are_errors(self, run):
        retries = [part for part in run.parts if part.kind == RETRY_PROMPT]
        assert [part.is_error for part in retries] == [True, True]
        assert "EOF while parsing a string" in retries[0].content
        assert retries[1].content == "Missing argument: query"

    def test_unknown_part_kept(self, run):
        unknown = [part for part in run.parts if part.kind == UNKNOWN]
        assert json.loads(unknown[0].content) == {"content": "a future part", "part_kind": "video-annotation"}

    def test_gemini_thoughts_are_reasoning(self, run):
        assert run.responses[0].usage.reasoning_tokens == 40

    def test_offset_timestamp_converted_to_utc(self, run):
        prompt = [part for part in run.parts if part.kind == USER_PROMPT][0]
        assert prompt.timestamp == datetime(2026, 5, 1, 6, 0, 0, 123000, tzinfo=UTC)


class TestTimestamps:
    def test_naive_timestamps_are_utc(self):
        run = parse_one("synthetic_handwritten.json")
        assert run.started_at == datetime(2024, 11, 17, 20, 0, tzinfo=UTC)
        assert run.finished_at == datetime(2024, 11, 17, 20, 0, 5, tzinfo=UTC)

    def test_response_stamped_before_request(self):
        document = json.loads(fixture_bytes("pydantic_ai_openrouter.json"))
        document["messages"][1]["timestamp"] = "2026-01-10T16:30:09Z"
        run = parse_document(document)
        assert run.started_at == datetime(2026, 1, 10, 16, 30, 9, tzinfo=UTC)
        assert run.finished_at == datetime(2026, 1, 10, 16, 30, 9, 634629, tzinfo=UTC)
        assert run.finished_at >= run.started_at

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("2026-01-10T16:30:09.123456789+00:00", datetime(2026, 1, 10, 16, 30, 9, 123456, tzinfo=UTC)),
            ("2026-01-10 16:30:09+00:00", datetime(2026, 1, 10, 16, 30, 9, tzinfo=UTC)),
            ("2026-01-10T16:30:09.1Z", datetime(2026, 1, 10, 16, 30, 9, 100000, tzinfo=UTC)),
            ("2026-01-10T18:30:09+02:00", datetime(2026, 1, 10, 16, 30, 9, tzinfo=UTC)),
            ("2026-01-10T16:30:09", datetime(2026, 1, 10, 16, 30, 9, tzinfo=UTC)),
        ],
    )
    def test_iso_variants(self, text, expected):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["timestamp"] = text
        assert parse_document(document).started_at == expected

    @pytest.mark.parametrize(
        "value, expected",
        [
            (1759312800, datetime(2025, 10, 1, 10, 0, tzinfo=UTC)),
            ("1759312800", datetime(2025, 10, 1, 10, 0, tzinfo=UTC)),
            (" 1759312800.5 ", datetime(2025, 10, 1, 10, 0, 0, 500000, tzinfo=UTC)),
            (1759312800000, datetime(2025, 10, 1, 10, 0, tzinfo=UTC)),
            ("1759312800000", datetime(2025, 10, 1, 10, 0, tzinfo=UTC)),
            (1759312800000000, datetime(2025, 10, 1, 10, 0, tzinfo=UTC)),
            (1759312800000000000, datetime(2025, 10, 1, 10, 0, tzinfo=UTC)),
            ("20251001", datetime(2025, 10, 1, tzinfo=UTC)),
        ],
    )
    def test_epoch_numbers_and_strings(self, value, expected):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["timestamp"] = value
        run = parse_document(document)
        assert run.started_at == expected
        assert run.notes == []

    @pytest.mark.parametrize(
        "value",
        [
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59",
            "2100-01-01T00:00:00Z",
            "0001-01-01T00:00:00",
            "1969-12-31T23:59:59Z",
            "0001-01-01T00:00:00+01:00",
            -5,
            4102444800,
            4102444800000,
            10**30,
            1e300,
        ],
    )
    def test_moments_outside_1970_to_2099_are_unknown_and_noted(self, value):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["timestamp"] = value
        run = parse_document(document)
        assert run.started_at is None
        (note,) = run.notes
        assert note.startswith("timestamp ")
        assert note.endswith(" is outside 1970-2099, so it is ignored")

    def test_integer_timestamp_with_hundreds_of_digits(self):
        text = json.dumps(json.loads(fixture_bytes("pydantic_ai_stripped.json")))
        text = text.replace('"kind": "response"', '"kind": "response", "timestamp": 1' + "0" * 400, 1)
        (run,) = parse_log(text.encode())
        assert run.started_at is None
        assert run.notes == ["timestamp " + "1" + "0" * 36 + "... is outside 1970-2099, so it is ignored"]

    def test_one_note_per_value_and_notes_per_run(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][0]["timestamp"] = "9999-12-31T23:30:00Z"
        document["messages"][1]["timestamp"] = "9999-12-31T23:30:00Z"
        runs = parse_log(json.dumps([document, json.loads(fixture_bytes("pydantic_ai_stripped.json"))]).encode())
        assert runs[0].notes == ["timestamp '9999-12-31T23:30:00Z' is outside 1970-2099, so it is ignored"]
        assert runs[1].notes == []

    def test_zero_epoch_is_unset_without_note(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["timestamp"] = 0
        run = parse_document(document)
        assert (run.started_at, run.notes) == (None, [])

    def test_unreadable_timestamp_ignored(self):
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][1]["timestamp"] = "yesterday"
        assert parse_document(document).started_at is None


class TestLargeBinary:
    def test_eight_megabyte_image(self):
        size = 8 * 1024 * 1024
        data = "A" * (size // 3 * 4)
        document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
        document["messages"][0]["parts"][0]["content"] = [
            "Describe this.",
            {"data": data, "media_type": "image/png", "kind": "binary"},
        ]
        run = parse_document(document)
        binary = [part for part in run.parts if part.kind == BINARY][0]
        assert binary.size_bytes == size // 3 * 3
        assert binary.content == ""
        assert run.user_prompt == "Describe this."
        assert len(json.dumps(timeline_json(run))) < 10_000


def test_responses_property_only_responses():
    run = parse_one("pydantic_ai_no_usage.json")
    assert all(message.kind == RESPONSE for message in run.responses)
    assert [part.kind for part in run.tool_calls] == [TOOL_CALL]


def test_data_url_image_size_only():
    document = json.loads(fixture_bytes("pydantic_ai_stripped.json"))
    payload = "QUJD" * 10 + "QQ=="
    document["messages"][0]["parts"][0]["content"] = [
        "Look.",
        {"url": f"data:image/gif;base64,{payload}", "kind": "image-url"},
    ]
    run = parse_document(document)
    binary = [part for part in run.parts if part.kind == BINARY][0]
    assert binary.media_type == "image/gif"
    assert binary.size_bytes == 31
    assert binary.content == ""


def test_partial_router_cost_is_unknown():
    document = json.loads(fixture_bytes("pydantic_ai_openrouter.json"))
    second = json.loads(json.dumps(document["messages"][1]))
    del second["usage"]["details"]["cost"]
    document["messages"].append(second)
    run = parse_document(document)
    assert run.responses[0].usage.reported_cost == Decimal("0.00042")
    assert run.responses[1].usage.reported_cost is None
    assert run.usage.reported_cost is None
    assert run.reported_cost is None
    assert run.usage.input_tokens == 4056
