"""The run page /logs/<id>/: overview, answer, timeline, checks, feedback form, raw JSON download."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import BASE_TIME, make_check, make_feedback, make_log, message, part, search_timeline, usage

pytestmark = pytest.mark.django_db


def detail_url(log):
    return f"/logs/{log.pk}/"


def test_anonymous_user_is_sent_to_login(client):
    log = make_log()

    for url in (detail_url(log), detail_url(log) + "raw.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_wrong_methods(reviewer_client):
    log = make_log()

    assert reviewer_client.post(detail_url(log)).status_code == 405
    assert reviewer_client.post(detail_url(log) + "raw.json").status_code == 405
    assert reviewer_client.get(detail_url(log) + "feedback/").status_code == 405


def test_missing_run_is_404(reviewer_client):
    assert reviewer_client.get("/logs/999999/").status_code == 404


def test_overview(reviewer_client):
    log = make_log(
        agent_name="faq_agent",
        provider="openai",
        model="gpt-4o-mini",
        total_input_tokens=1846,
        total_output_tokens=187,
        cache_read_tokens=1024,
        reasoning_tokens=64,
        input_cost=Decimal("0.0012"),
        output_cost=Decimal("0.0003"),
        total_cost=Decimal("0.0015"),
        duration_ms=6200,
        filepath="logs/faq_agent_20261120.json",
    )

    html = reviewer_client.get(detail_url(log)).content.decode()

    for text in (
        "faq_agent",
        "gpt-4o-mini",
        "Input 1,846",
        "Output 187",
        "Cached (read) 1,024",
        "Reasoning 64",
        "$0.0015 (input $0.0012, output $0.0003)",
        "6.2 s",
        "logs/faq_agent_20261120.json",
    ):
        assert text in html, text


def test_unknown_cost_gives_the_reason(reviewer_client):
    log = make_log(total_cost=None, input_cost=None, output_cost=None, cost_unknown_reason="No price for llama3.")

    assert "unknown: No price for llama3." in reviewer_client.get(detail_url(log)).content.decode()


def test_partial_usage_is_flagged(reviewer_client):
    log = make_log(usage_complete=False)

    assert "partial: some responses reported no usage" in reviewer_client.get(detail_url(log)).content.decode()


def test_answer_is_rendered_and_raw_text_is_available(reviewer_client):
    log = make_log(assistant_answer="**Use** a join:\n\n```sql\nSELECT 1;\n```")

    html = reviewer_client.get(detail_url(log)).content.decode()

    assert "<strong>Use</strong>" in html
    assert '<code class="language-sql">SELECT 1;' in html
    assert "Show the raw text" in html
    assert "**Use** a join:" in html


def test_timeline_shows_each_step_in_order(reviewer_client):
    log = make_log(
        timeline=search_timeline("How do I join?", "Use JOIN.", tool_return="lesson 3: joins", args={"query": "join"})
    )

    html = reviewer_client.get(detail_url(log)).content.decode().split('id="timeline"', 1)[1]

    steps = [
        "Request 1",
        "User prompt",
        "Response 1",
        "Tool call: search",
        "&quot;query&quot;: &quot;join&quot;",
        "Request 2",
        "Tool return: search",
        "lesson 3: joins",
        "Response 2",
        "Use JOIN.",
    ]
    positions = [html.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "in 234 · out 29" in html
    assert "in 612 · out 158" in html
    assert "after 2.0 s" in html
    assert "after 3.0 s" in html


def test_timeline_special_parts(reviewer_client):
    start = BASE_TIME
    timeline = [
        message(
            "request",
            [
                part("user-prompt", "What is in this picture?"),
                part("binary", media_type="image/png", size_bytes=8 * 1024 * 1024),
            ],
            at=start,
        ),
        message(
            "response",
            [
                part("thinking", "Let me look at the image first."),
                part("tool-call", tool_name="search", args_text='{"query": "cat', args_valid=False),
            ],
            at=start - timedelta(seconds=1),  # whole-second clocks can stamp a response early
            usage=usage(10, 5),
        ),
        message(
            "request",
            [
                part("retry-prompt", "Arguments were not valid JSON", tool_name="search", is_error=True),
                part("tool-return", "line\n" * 400, tool_name="search"),
            ],
            at=start + timedelta(seconds=2),
        ),
    ]
    log = make_log(timeline=timeline)

    html = reviewer_client.get(detail_url(log)).content.decode()

    assert "[image/png, 8.0 MB]" in html
    assert "Thinking" in html
    assert "Tool call: search (malformed arguments, shown as written)" in html
    assert "{&quot;query&quot;: &quot;cat" in html
    assert "Retry requested: search" in html
    assert "stamped before its request" in html
    assert "after -" not in html
    assert html.count("<details>") >= 2  # thinking and the long tool return are collapsed


def test_detail_page_does_not_read_raw_json(reviewer_client):
    log = make_log(raw_json=json.dumps({"big": "x" * 1000}))

    with CaptureQueriesContext(connection) as queries:
        reviewer_client.get(detail_url(log))

    assert not any("raw_json" in query["sql"] for query in queries.captured_queries)


def test_checks_are_listed_with_outcome_score_and_details(reviewer_client):
    log = make_log()
    make_check(log, "tool_call_search", passed=False, details="The agent answered without searching.")
    make_check(log, "cites_source", passed=None, details="No search results to cite.")

    html = reviewer_client.get(detail_url(log)).content.decode()

    assert "tool_call_search" in html
    assert "failed" in html
    assert "The agent answered without searching." in html
    assert "not applicable" in html
    assert "No search results to cite." in html


def test_feedback_so_far_is_listed(reviewer_client, reviewer):
    log = make_log()
    make_feedback(log, is_good=False, comments="Wrong table.", reference_answer="Use CAST(x AS INT64).", user=reviewer)

    html = reviewer_client.get(detail_url(log)).content.decode()

    assert "Thumbs down: bad" in html
    assert "by reviewer" in html
    assert "Wrong table." in html
    assert "Use CAST(x AS INT64)." in html


def test_raw_json_is_an_attachment(reviewer_client):
    original = '{"agent_name": "faq_agent", "messages": []}\n'
    log = make_log(raw_json=original)

    response = reviewer_client.get(detail_url(log) + "raw.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="run-{log.pk}.json"'
    assert response.content.decode() == original
    assert f'href="/logs/{log.pk}/raw.json"' in reviewer_client.get(detail_url(log)).content.decode()


def test_nul_replacement_and_non_latin_text_show_as_characters(reviewer_client):
    log = make_log(user_prompt="Что такое JOIN? 你好 🙂 a\ufffdb", assistant_answer="答え\ufffd")

    html = reviewer_client.get(detail_url(log)).content.decode()

    assert "Что такое JOIN? 你好 🙂 a\ufffdb" in html
    assert "答え\ufffd" in html
