"""Pricing of parsed runs.

Expected values are worked out by hand from the per-million-token prices in
genai-prices 0.2.3's bundled data, quoted next to each case.
"""

import socket
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from genai_prices.data_snapshot import get_snapshot

from logs_app.ingest.formats import claude_sdk
from logs_app.ingest.formats.common import read_usage
from logs_app.ingest.pipeline import INGESTED
from logs_app.ingest.pricing import GENAI_PRICES, REPORTED, price_run, reported_cost
from logs_app.ingest.run import REQUEST, RESPONSE, TEXT, USER_PROMPT, Message, Part, Run, Usage
from logs_app.models import LLMLog
from tests.ingest_support import one_pass, run_log, write_file

MTOK = Decimal(1_000_000)
WHEN = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


def response(usage, model="gpt-4o-mini-2024-07-18", provider="openai", url="", when=WHEN):
    return Message(
        kind=RESPONSE,
        parts=[Part(kind=TEXT, content="An answer.")],
        timestamp=when,
        model_name=model,
        provider_name=provider,
        provider_url=url,
        usage=usage,
    )


def make_run(*responses, **fields):
    messages = []
    for message in responses:
        messages.append(Message(kind=REQUEST, parts=[Part(kind=USER_PROMPT, content="A question?")]))
        messages.append(message)
    fields.setdefault("model", "gpt-4o-mini")
    fields.setdefault("provider", "openai")
    return Run(log_format="test", messages=messages, **fields)


@pytest.fixture
def no_network(monkeypatch):
    def fail_connect(*args, **kwargs):
        raise AssertionError("pricing tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", fail_connect)
    monkeypatch.setattr(socket, "create_connection", fail_connect)


pytestmark = pytest.mark.usefixtures("no_network")


class TestKnownPrices:
    def test_gpt_4o_mini_response_priced(self):
        # gpt-4o-mini: $0.15 input, $0.60 output per MTok.
        cost = price_run(make_run(response(Usage(input_tokens=1000, output_tokens=500))))

        assert cost.input_cost == 1000 * Decimal("0.15") / MTOK == Decimal("0.00015")
        assert cost.output_cost == Decimal("0.0003")
        assert cost.total_cost == Decimal("0.00045")
        assert cost.source == GENAI_PRICES
        assert cost.unknown_reason == ""
        assert cost.response_costs == [Decimal("0.00045")]

    def test_cached_input_at_cache_price(self):
        # gpt-4o-mini: 500 uncached at $0.15 + 1500 cache reads at $0.075 per MTok; 100 output at $0.60.
        first = response(Usage(input_tokens=1000, output_tokens=500))
        second = response(Usage(input_tokens=2000, cache_read_tokens=1500, output_tokens=100))

        cost = price_run(make_run(first, second))

        assert cost.response_costs == [Decimal("0.00045"), Decimal("0.0001875") + Decimal("0.00006")]
        assert cost.input_cost == Decimal("0.00015") + Decimal("0.0001875")
        assert cost.output_cost == Decimal("0.0003") + Decimal("0.00006")
        assert cost.total_cost == Decimal("0.0006975")

    def test_long_context_tier_applies_per_request(self):
        # claude-sonnet-4-5 above 200k input: $6 input, $0.60 cache read, $7.50 cache write, $22.50 output.
        # Below: $3 input, $15 output. Together the two requests exceed 200k, the second alone does not.
        large = response(
            Usage(input_tokens=250_000, cache_read_tokens=100_000, cache_write_tokens=20_000, output_tokens=1000),
            model="claude-sonnet-4-5-20250929",
            provider="anthropic",
        )
        small = response(
            Usage(input_tokens=100_000, output_tokens=1000), model="claude-sonnet-4-5-20250929", provider="anthropic"
        )

        cost = price_run(make_run(large, small, model="claude-sonnet-4-5", provider="anthropic"))

        large_input = Decimal("0.78") + Decimal("0.06") + Decimal("0.15")
        assert cost.response_costs == [large_input + Decimal("0.0225"), Decimal("0.3") + Decimal("0.015")]
        assert cost.input_cost == large_input + Decimal("0.3")
        assert cost.output_cost == Decimal("0.0375")

    def test_price_at_response_time(self):
        # o3 cost $10 input / $40 output per MTok until 2025-06-10, then $2 / $8.
        before = response(
            Usage(input_tokens=1000, output_tokens=1000), model="o3", when=datetime(2025, 5, 1, tzinfo=UTC)
        )
        after = response(
            Usage(input_tokens=1000, output_tokens=1000), model="o3", when=datetime(2025, 7, 1, tzinfo=UTC)
        )

        cost = price_run(make_run(before, after, model="o3"))

        assert cost.response_costs == [Decimal("0.05"), Decimal("0.01")]
        assert cost.total_cost == Decimal("0.06")

    def test_naive_timestamp_is_read_as_utc(self):
        naive = response(Usage(input_tokens=1000, output_tokens=1000), model="o3", when=datetime(2025, 5, 1))

        assert price_run(make_run(naive, model="o3")).total_cost == Decimal("0.05")

    def test_undated_run_is_priced_with_a_note(self):
        cost = price_run(make_run(response(Usage(input_tokens=1000, output_tokens=500), when=None)))

        assert cost.total_cost == Decimal("0.00045")
        assert "no timestamps" in cost.note

    def test_run_start_dates_undated_responses(self):
        undated = response(Usage(input_tokens=1000, output_tokens=1000), model="o3", when=None)

        cost = price_run(make_run(undated, model="o3", started_at=datetime(2025, 5, 1, tzinfo=UTC)))

        assert cost.total_cost == Decimal("0.05")
        assert cost.note == ""

    def test_reasoning_tokens_are_part_of_output(self):
        # o3 after the cut: 1000 output tokens at $8 per MTok, 600 of them reasoning.
        usage = Usage(input_tokens=0, output_tokens=1000, reasoning_tokens=600)

        cost = price_run(make_run(response(usage, model="o3"), model="o3"))

        assert cost.output_cost == Decimal("0.008")

    def test_all_zero_usage_costs_zero(self):
        cost = price_run(make_run(response(Usage(input_tokens=0, output_tokens=0))))

        assert cost.total_cost == Decimal(0)
        assert cost.source == GENAI_PRICES


class TestModelNames:
    @pytest.mark.parametrize(
        "model, provider, url",
        [
            ("gpt-4o-mini-20240718", "openai", ""),
            ("gpt-4o-mini", "", ""),
            ("openai/gpt-4o-mini", "openai", ""),
            ("openai/gpt-4o-mini", "", ""),
            ("openai/gpt-4o-mini", "openai", "https://openrouter.ai/api/v1/"),
            ("openai/gpt-oss-120b", "groq", ""),
            ("openai/gpt-oss-120b", "openai", "https://api.groq.com/openai/v1"),
        ],
    )
    def test_router_and_dated_names_resolve(self, model, provider, url):
        # gpt-4o-mini at OpenAI and OpenRouter and gpt-oss-120b at Groq all cost $0.15 / $0.60 per MTok.
        message = response(Usage(input_tokens=1000, output_tokens=500), model=model, provider=provider, url=url)

        assert price_run(make_run(message)).total_cost == Decimal("0.00045")

    def test_framework_provider_prefix_resolves(self):
        # gemini-2.0-flash-lite: $0.075 input, $0.30 output per MTok.
        run = Run(
            log_format="test",
            model="google-gla:gemini-2.0-flash-lite",
            usage=Usage(input_tokens=1000, output_tokens=500),
            started_at=WHEN,
        )

        cost = price_run(run)

        assert cost.input_cost == Decimal("0.000075")
        assert cost.output_cost == Decimal("0.00015")

    def test_provider_url_wins_over_provider_name(self):
        # Groq's llama-3.3-70b-versatile: $0.59 input, $0.79 output per MTok; OpenAI does not sell it.
        message = response(
            Usage(input_tokens=1_000_000, output_tokens=1_000_000),
            model="llama-3.3-70b-versatile",
            provider="openai",
            url="https://api.groq.com/openai/v1",
        )

        assert price_run(make_run(message)).total_cost == Decimal("1.38")

    def test_response_without_model_name_uses_the_run_model(self):
        message = response(Usage(input_tokens=1000, output_tokens=500), model="", provider="")

        assert price_run(make_run(message)).total_cost == Decimal("0.00045")


class TestRunLevelUsage:
    def test_run_usage_is_priced_when_responses_have_none(self):
        run = make_run(response(None), usage=Usage(input_tokens=150, output_tokens=85), started_at=WHEN)

        cost = price_run(run)

        # 150 * 0.15 + 85 * 0.60 per MTok.
        assert cost.total_cost == Decimal("0.0000225") + Decimal("0.000051")
        assert cost.response_costs == []

    def test_partial_run_usage_not_priced(self):
        run = make_run(
            response(Usage(input_tokens=10, output_tokens=10)),
            response(None),
            usage=Usage(input_tokens=10, output_tokens=10),
            usage_complete=False,
        )

        cost = price_run(run)

        assert cost.total_cost is None
        assert cost.unknown_reason == "usage missing on 1 of 2 responses"


class TestUnknownCost:
    def test_unknown_model_names_model_and_provider(self):
        message = response(Usage(input_tokens=10, output_tokens=10), model="my-finetune-7b", provider="openai")

        cost = price_run(make_run(message, model="my-finetune-7b"))

        assert cost.total_cost is None
        assert cost.input_cost is None
        assert cost.output_cost is None
        assert cost.source == ""
        assert "'my-finetune-7b'" in cost.unknown_reason
        assert "'openai'" in cost.unknown_reason
        assert cost.unknown_reason.startswith("response 1 of 1:")

    def test_unknown_provider_is_not_guessed_from_the_model(self):
        message = response(Usage(input_tokens=10, output_tokens=10), model="llama3.1", provider="ollama")

        cost = price_run(make_run(message, model="llama3.1", provider="ollama"))

        assert cost.total_cost is None
        assert "provider 'ollama'" in cost.unknown_reason

    def test_local_endpoint_is_unknown(self):
        message = response(
            Usage(input_tokens=10, output_tokens=10),
            model="gpt-4o-mini",
            provider="openai",
            url="http://localhost:11434/v1",
        )

        cost = price_run(make_run(message))

        assert cost.total_cost is None
        assert "local endpoint http://localhost:11434/v1" in cost.unknown_reason

    def test_invalid_usage_is_unknown(self):
        message = response(Usage(input_tokens=10, cache_read_tokens=50, output_tokens=10))

        cost = price_run(make_run(message))

        assert cost.total_cost is None
        assert "rejected the usage of model 'gpt-4o-mini-2024-07-18'" in cost.unknown_reason
        assert "cache_read_tokens (50) cannot exceed input_tokens (10)" in cost.unknown_reason

    def test_usage_problem_is_the_reason(self):
        usage = Usage(input_tokens=10, output_tokens=-3, problem="negative output_tokens (-3)")

        cost = price_run(make_run(response(usage)))

        assert cost.total_cost is None
        assert "negative output_tokens (-3)" in cost.unknown_reason

    def test_usage_missing_on_some_responses(self):
        run = make_run(response(Usage(input_tokens=10, output_tokens=10)), response(None), response(Usage()))

        cost = price_run(run)

        assert cost.total_cost is None
        assert cost.unknown_reason == "usage missing on 2 of 3 responses"

    def test_no_usage_at_all(self):
        cost = price_run(make_run(response(None)))

        assert cost.total_cost is None
        assert cost.unknown_reason == "the log has no token usage"

    def test_run_without_messages_or_usage(self):
        cost = price_run(Run(log_format="custom-flat", model="gpt-4o-mini"))

        assert cost.total_cost is None
        assert cost.unknown_reason == "the log has no token usage"

    def test_unreadable_run_count_is_reason(self):
        run = make_run(response(None), usage=read_usage({"input_tokens": "lots", "output_tokens": 40}))
        run.usage_complete = False

        cost = price_run(run)

        assert cost.total_cost is None
        assert cost.unknown_reason == "the token counts cannot be used: input_tokens is 'lots', not a whole number"

    @pytest.mark.parametrize(
        ("usage", "fault"),
        [
            ({"input_tokens": "lots", "output_tokens": 40}, "input_tokens is 'lots', not a whole number"),
            ({"input_tokens": -5, "output_tokens": 40}, "input_tokens is negative (-5)"),
            (
                {"input_tokens": 10, "cache_read_tokens": 50, "output_tokens": 40},
                "cache_read_tokens (50) is larger than input_tokens (10)",
            ),
        ],
    )
    def test_response_reason_names_the_fault(self, usage, fault):
        cost = price_run(make_run(response(read_usage(usage))))

        assert cost.unknown_reason == f"response 1 of 1: the token counts cannot be used: {fault}"
        assert "inconsistent" not in cost.unknown_reason

    def test_half_a_usage_record_is_unknown(self):
        cost = price_run(make_run(response(Usage(output_tokens=40))))

        assert cost.total_cost is None
        assert "no input token count" in cost.unknown_reason


class TestReportedCost:
    def test_reported_cost_kept_when_priced(self):
        usage = Usage(input_tokens=1000, output_tokens=500, reported_cost=Decimal("0.00047"))
        message = response(usage, model="openai/gpt-4o-mini", url="https://openrouter.ai/api/v1/")

        cost = price_run(make_run(message))

        assert cost.total_cost == Decimal("0.00045")
        assert cost.source == GENAI_PRICES
        assert cost.reported_cost == Decimal("0.00047")

    def test_reported_cost_used_when_unpriced(self):
        first = response(
            Usage(input_tokens=10, output_tokens=10, reported_cost=Decimal("0.001")),
            model="acme/unlisted-model",
            url="https://openrouter.ai/api/v1/",
        )
        second = response(
            Usage(input_tokens=10, output_tokens=10, reported_cost=Decimal("0.002")),
            model="acme/unlisted-model",
            url="https://openrouter.ai/api/v1/",
        )

        cost = price_run(make_run(first, second))

        assert cost.total_cost == Decimal("0.003")
        assert cost.source == REPORTED
        assert cost.input_cost is None
        assert cost.output_cost is None
        assert cost.unknown_reason == ""
        assert "'acme/unlisted-model'" in cost.note

    def test_run_reported_cost_covers_missing_usage(self):
        run = make_run(response(None), reported_cost=Decimal("30.78135"))

        cost = price_run(run)

        assert cost.total_cost == Decimal("30.78135")
        assert cost.source == REPORTED
        assert "the log has no token usage" in cost.note

    def test_differing_reported_cost_is_noted(self):
        usage = Usage(input_tokens=1000, output_tokens=500, reported_cost=Decimal("0.001"))

        cost = price_run(make_run(response(usage)))

        assert cost.total_cost == Decimal("0.00045")
        assert cost.source == GENAI_PRICES
        assert cost.note == (
            "The log itself reports 0.001 USD; the total is genai-prices' 0.00045 USD "
            "at the prices in effect when the run was made."
        )

    def test_partly_reported_cost_is_not_a_run_total(self):
        run = make_run(
            response(Usage(input_tokens=1, output_tokens=1, reported_cost=Decimal("0.5"))),
            response(Usage(input_tokens=1, output_tokens=1)),
        )

        assert reported_cost(run) is None


class TestUndatedReportedCost:
    """A log with its own whole-run cost and no timestamps: genai-prices can only guess the prices' date."""

    def test_differing_figures_store_the_logs_own_and_name_both(self):
        # gpt-4o-mini at its newest prices: 0.00045 USD, while the log reports 0.0009.
        undated = response(Usage(input_tokens=1000, output_tokens=500), when=None)

        cost = price_run(make_run(undated, reported_cost=Decimal("0.0009")))

        assert cost.total_cost == Decimal("0.0009")
        assert cost.source == REPORTED
        assert cost.input_cost is None
        assert cost.output_cost is None
        assert cost.note == (
            "The total is the 0.0009 USD that the log itself reports. The log has no timestamps, "
            "so genai-prices could only use its newest prices, which give 0.00045 USD."
        )

    def test_run_level_usage_without_timestamps_is_treated_alike(self):
        run = Run(
            log_format="test",
            model="gpt-4o-mini",
            provider="openai",
            usage=Usage(input_tokens=1000, output_tokens=500),
            reported_cost=Decimal("30.78"),
        )

        cost = price_run(run)

        assert cost.total_cost == Decimal("30.78")
        assert "30.78 USD that the log itself reports" in cost.note
        assert "0.00045 USD" in cost.note

    def test_agreeing_figures_keep_genai_prices_and_say_so(self):
        undated = response(Usage(input_tokens=1000, output_tokens=500), when=None)

        cost = price_run(make_run(undated, reported_cost=Decimal("0.00046")))

        assert cost.total_cost == Decimal("0.00045")
        assert cost.source == GENAI_PRICES
        assert "newest prices (0.00045 USD), which agrees with the 0.00046 USD" in cost.note

    def test_fallback_keeps_why_genai_prices_failed(self):
        unpriced = response(Usage(input_tokens=10, output_tokens=10), model="acme-unlisted", provider="acme", when=None)

        cost = price_run(make_run(unpriced, reported_cost=Decimal("1.5")))

        assert cost.total_cost == Decimal("1.5")
        assert cost.source == REPORTED
        assert cost.note.startswith("The total is the 1.5 USD that the log itself reports, because genai-prices")
        assert "no price for model 'acme-unlisted'" in cost.note
        assert cost.note.endswith(".")


class TestInvalidReportedCost:
    """A router's cost figure that cannot be right is ignored, and the valid token counts are still priced."""

    @pytest.mark.parametrize(
        "problem",
        ["the reported cost is out of range (-0.01)", "the reported cost is out of range (1E+12)"],
    )
    def test_parser_flagged_cost_does_not_block_pricing(self, problem):
        usage = Usage(input_tokens=1000, output_tokens=500, cost_problem=problem)

        cost = price_run(make_run(response(usage)))

        assert cost.total_cost == Decimal("0.00045")
        assert cost.source == GENAI_PRICES
        assert cost.note == f"The log's own cost figure was ignored: {problem}."

    def test_token_problem_beside_a_cost_problem_still_blocks(self):
        usage = Usage(
            input_tokens=10,
            cache_read_tokens=50,
            output_tokens=10,
            problem="cache_read_tokens (50) is larger than input_tokens (10)",
            cost_problem="the reported cost is out of range (-1)",
        )

        cost = price_run(make_run(response(usage)))

        assert cost.total_cost is None
        assert cost.unknown_reason == (
            "response 1 of 1: the token counts cannot be used: cache_read_tokens (50) is larger than input_tokens (10)"
        )
        assert cost.note == "The log's own cost figure was ignored: the reported cost is out of range (-1)."

    def test_cost_problem_field_never_blocks(self):
        # Pricing reads which field a problem sits in, never its wording.
        usage = Usage(input_tokens=1000, output_tokens=500, cost_problem="cost is 'n/a', not a finite number")

        cost = price_run(make_run(response(usage)))

        assert cost.total_cost == Decimal("0.00045")
        assert cost.note == "The log's own cost figure was ignored: cost is 'n/a', not a finite number."

    def test_token_problem_mentioning_cost_blocks(self):
        usage = Usage(input_tokens=1000, output_tokens=500, problem="the reported cost of tokens is garbled")

        cost = price_run(make_run(response(usage)))

        assert cost.total_cost is None
        assert cost.note == ""

    @pytest.mark.parametrize("figure", [Decimal("-0.5"), Decimal("NaN"), Decimal("Infinity"), Decimal(10**9)])
    def test_unstorable_reported_cost_is_ignored(self, figure):
        run = make_run(response(Usage(input_tokens=1000, output_tokens=500)), reported_cost=figure)

        cost = price_run(run)

        assert cost.total_cost == Decimal("0.00045")
        assert cost.reported_cost is None
        assert "which cannot be right, so it was ignored" in cost.note

    def test_bad_cost_figure_alone_is_no_usage(self):
        problem = "the reported cost is out of range (-1)"

        cost = price_run(make_run(response(Usage(cost_problem=problem))))

        assert cost.total_cost is None
        assert cost.unknown_reason == "the log has no token usage"
        assert cost.note == f"The log's own cost figure was ignored: {problem}."

    @pytest.mark.parametrize(
        ("usage", "expected"),
        [
            (
                {"input_tokens": 1000, "output_tokens": 500, "cost": "n/a"},
                "the reported cost is 'n/a', not a finite number",
            ),
            (
                {"input_tokens": 1000, "output_tokens": 500, "details": {"cost": -3}},
                "the reported cost is out of range (-3)",
            ),
        ],
    )
    def test_logged_bad_cost_is_noted(self, usage, expected):
        message = response(read_usage(usage))

        cost = price_run(make_run(message))

        assert cost.total_cost == Decimal("0.00045")
        assert cost.source == GENAI_PRICES
        assert cost.note == f"The log's own cost figure was ignored: {expected}."

    def test_claude_sdk_cost_out_of_range_is_noted(self):
        document = {
            "type": "result",
            "result": "Done.",
            "total_cost_usd": -4,
            "modelUsage": {"claude-sonnet-4-5": {"inputTokens": 1000, "outputTokens": 500}},
        }

        cost = price_run(claude_sdk.read_run(document))

        assert cost.total_cost is not None
        assert cost.reported_cost is None
        assert "The log's own cost figure was ignored: total_cost_usd is out of range (-4)." in cost.note

    def test_unstorable_reported_cost_is_no_fallback(self):
        run = make_run(response(None), reported_cost=Decimal(-2))

        cost = price_run(run)

        assert cost.total_cost is None
        assert cost.unknown_reason == "the log has no token usage"


class TestStoredAmounts:
    def test_amounts_are_rounded_to_ten_places(self):
        # gpt-4o-mini: 1 input token at $0.15 and 1 output token at $0.60 per MTok.
        cost = price_run(make_run(response(Usage(input_tokens=1, output_tokens=1))))

        for amount in (cost.input_cost, cost.output_cost, cost.total_cost, *cost.response_costs):
            assert amount.as_tuple().exponent == -10
        assert cost.total_cost == Decimal("0.00000075")

    def test_reported_cost_is_rounded_to_ten_places(self):
        run = make_run(response(None), reported_cost=Decimal("0.123456789012345"))

        assert price_run(run).total_cost == Decimal("0.1234567890")

    def test_billion_dollar_run_is_unknown(self):
        # 2 x 999,999,999,999,999 output tokens at $0.60 per MTok, plus 2 x 1000 input at $0.15.
        huge = Usage(input_tokens=1000, output_tokens=999_999_999_999_999)

        cost = price_run(make_run(response(huge), response(huge)))

        assert cost.total_cost is None
        assert cost.input_cost is None
        assert cost.unknown_reason == (
            "cost of 1200000000.0002988 USD exceeds the maximum the database stores; "
            "the token counts are probably wrong"
        )

    @pytest.mark.django_db
    def test_huge_token_counts_store_the_same_on_every_database(self, tmp_path):
        huge = {"input_tokens": 1000, "output_tokens": 999_999_999_999_999, "details": {}}
        document = run_log()
        document["messages"][1]["usage"] = huge
        document["messages"].append(dict(document["messages"][1]))
        write_file(tmp_path, "huge.json", document)
        write_file(tmp_path, "tiny.json", run_log(prompt="Capital of Spain?"))

        summary = one_pass(tmp_path)

        assert [result.status for result in summary.results] == [INGESTED, INGESTED]
        huge_log = LLMLog.objects.get(filepath__endswith="huge.json")
        assert huge_log.total_cost is None
        assert "exceeds the maximum the database stores" in huge_log.cost_unknown_reason
        # 40 input at $0.15 and 6 output at $0.60 per MTok.
        assert LLMLog.objects.get(filepath__endswith="tiny.json").total_cost == Decimal("0.0000096000")


def test_prices_come_from_the_bundled_data():
    price_run(make_run(response(Usage(input_tokens=1, output_tokens=1))))

    assert get_snapshot().from_auto_update is False
