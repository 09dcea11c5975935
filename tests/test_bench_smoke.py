"""Smoke tests of the benchmark scripts under bench/, so that they cannot rot unnoticed.

The benchmark itself is not part of the suite; these run its generator and its
floor on a handful of files and check the summary helpers.
"""

import json

import pytest

from bench import floor, generate
from bench.harness import summary_ms
from bench.run import rss_summary
from logs_app.models import LLMLog


def test_generator_writes_pydantic_ai_shaped_logs(tmp_path):
    paths = generate.write_logs(tmp_path, 6, seed=11)

    assert [path.name for path in paths] == [f"run_{index:07d}.json" for index in range(6)]
    for path in paths:
        run = json.loads(path.read_text(encoding="utf-8"))
        kinds = [message["kind"] for message in run["messages"]]
        assert kinds[0] == "request"
        assert kinds[-1] == "response"
        assert run["messages"][0]["parts"][0]["part_kind"] == "user-prompt"
        assert run["messages"][-1]["parts"][0]["part_kind"] == "text"
        assert all("usage" in message for message in run["messages"] if message["kind"] == "response")
        assert generate.MIN_BYTES <= path.stat().st_size <= generate.MAX_BYTES * 1.2
    assert len({path.read_bytes() for path in paths}) == 6


def test_generator_is_deterministic_and_honours_a_fixed_size(tmp_path):
    first = generate.write_logs(tmp_path / "a", 2, seed=3, size_bytes=100_000)
    second = generate.write_logs(tmp_path / "b", 2, seed=3, size_bytes=100_000)

    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    for path in first:
        assert 80_000 <= path.stat().st_size <= 120_000
        tool_returns = [
            part
            for message in json.loads(path.read_text(encoding="utf-8"))["messages"]
            for part in message["parts"]
            if part["part_kind"] == "tool-return"
        ]
        assert tool_returns and all(part["tool_name"] == "search" for part in tool_returns)


def test_generator_puts_a_binary_image_in_the_prompt(tmp_path):
    (path,) = generate.write_logs(tmp_path, 1, seed=5, image_bytes=30_000)

    content = json.loads(path.read_text(encoding="utf-8"))["messages"][0]["parts"][0]["content"]
    assert isinstance(content[0], str)
    assert content[1]["kind"] == "binary"
    assert content[1]["media_type"] == "image/png"
    assert len(content[1]["data"]) == 40_000


@pytest.mark.django_db
def test_floor_stores_one_row_per_generated_log(tmp_path):
    generate.write_logs(tmp_path, 5, seed=2)

    count, read_seconds, insert_seconds = floor.run_floor(tmp_path)

    assert count == 5
    assert read_seconds >= 0
    assert insert_seconds >= 0
    rows = list(LLMLog.objects.order_by("filepath"))
    assert [row.filepath for row in rows] == sorted(str(path) for path in tmp_path.glob("*.json"))
    for row in rows:
        assert row.user_prompt.startswith("How do I")
        assert row.assistant_answer
        assert row.agent_name
        assert row.model
        assert row.total_input_tokens > 0
        assert row.created_at_from_log
        assert json.loads(row.raw_json)["messages"] == row.timeline


def test_summary_reports_median_and_95th_percentile():
    summary = summary_ms([0.001 * value for value in range(1, 101)])

    assert summary == {"median_ms": 50.5, "p95_ms": 95.0, "n": 100}


def test_rss_summary_measures_growth_after_warm_up():
    flat = [(index, index * 10, 100.0 + (index % 2)) for index in range(101)]
    growing = [(index, index * 10, 100.0 + index) for index in range(101)]

    assert abs(rss_summary(flat, 1000)["growth_mb_per_1000_files"]) < 0.2
    assert rss_summary(growing, 1000)["growth_mb_per_1000_files"] == pytest.approx(100.0)
    assert rss_summary(growing, 1000)["rss_after_warmup_mb"] == 110.0
