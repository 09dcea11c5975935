"""The hourly rollups stay exact: runs stored out of id order, deleted or moved are all reflected on the next read."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.urls import reverse

from logs_app.dashboard import queries, rollups
from logs_app.dashboard.models import CheckHour, DirtyHour, RunHour
from logs_app.dashboard.ranges import HOUR, TimeRange
from logs_app.ingest.pipeline import PAUSE_ENV
from logs_app.models import EvalCheck, LLMLog
from tests.ingest_support import CommandProcess, is_sqlite, log_bytes, one_pass, run_log, wait_for, write_file

DAY_START = datetime(2026, 11, 30, tzinfo=UTC)
DAY = TimeRange(start=DAY_START, end=DAY_START + timedelta(days=1), bucket_seconds=HOUR)
ALL_RUNS = queries.RunFilter()


def dated_run(prompt, at, model="gpt-4o-mini", input_tokens=40):
    """A one-response run whose timestamps put it at ``at``."""
    document = run_log(prompt=prompt, model=model)
    document["messages"][0]["parts"][0]["timestamp"] = at.isoformat()
    document["messages"][1]["timestamp"] = (at + timedelta(seconds=1)).isoformat()
    document["messages"][1]["usage"]["input_tokens"] = input_tokens
    return document


def at(hour, minute=0):
    return DAY_START + timedelta(hours=hour, minutes=minute)


def dashboard_totals():
    return queries.build_dashboard(DAY, ALL_RUNS, use_rollups=True).totals


def direct_totals():
    """The dashboard's run figures for DAY, aggregated straight from llm_logs and eval_checks."""
    runs = LLMLog.objects.filter(created_at__gte=DAY.start, created_at__lt=DAY.end)
    figures = runs.aggregate(
        runs=Count("id"),
        cost=Sum("total_cost"),
        unknown_cost_runs=Count("id", filter=Q(total_cost__isnull=True)),
        input_tokens=Sum("total_input_tokens"),
        output_tokens=Sum("total_output_tokens"),
    )
    return {
        "runs": figures["runs"],
        "cost": figures["cost"] or Decimal(0),
        "unknown_cost_runs": figures["unknown_cost_runs"],
        "input_tokens": figures["input_tokens"] or 0,
        "output_tokens": figures["output_tokens"] or 0,
        "failed_runs": runs.with_failed_check().count(),
    }


def rollup_rows():
    run_rows = RunHour.objects.order_by("hour", "provider", "model", "agent_name").values_list(
        "hour", "provider", "model", "agent_name", "runs", "cost", "unknown_cost_runs", "input_tokens",
        "output_tokens", "failed_runs",
    )  # fmt: skip
    check_rows = CheckHour.objects.order_by("hour", "provider", "model", "agent_name", "check_name").values_list(
        "hour", "provider", "model", "agent_name", "check_name", "passed", "failed", "not_applicable"
    )
    return list(run_rows), list(check_rows)


def assert_rollups_exact():
    """The dashboard equals a direct aggregate, and the rollup rows equal a full rebuild's."""
    totals = dashboard_totals()
    dashboard_figures = {name: getattr(totals, name) for name in direct_totals()}
    assert dashboard_figures == direct_totals()
    from_rollups = queries.build_dashboard(DAY, ALL_RUNS, use_rollups=True)
    from_runs = queries.build_dashboard(DAY, ALL_RUNS, use_rollups=False)
    assert (from_rollups.series, from_rollups.checks, from_rollups.by_model) == (
        from_runs.series,
        from_runs.checks,
        from_runs.by_model,
    )
    caught_up = rollup_rows()
    rollups.rebuild()
    assert caught_up == rollup_rows()


@pytest.fixture
def logs_dir(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


@pytest.mark.django_db
class TestMarks:
    def test_ingest_marks_run_hours(self, logs_dir):
        write_file(logs_dir, "a.json", dated_run("a", at(9, 40)))
        write_file(logs_dir, "b.json", log_bytes([dated_run("b1", at(9, 5)), dated_run("b2", at(11, 59))]))

        one_pass(logs_dir)

        assert sorted(set(DirtyHour.objects.values_list("hour", flat=True))) == [at(9), at(11)]
        assert rollups.catch_up() == 2
        assert not DirtyHour.objects.exists()
        assert dashboard_totals().runs == 3
        assert_rollups_exact()

    def test_catch_up_without_marks_does_nothing(self):
        assert rollups.catch_up() == 0
        assert not RunHour.objects.exists()

    def test_lower_id_stored_later_counts(self, logs_dir):
        # The shape two ingesters produce when the one holding the lower id commits last.
        LLMLog.objects.create(id=1000, created_at=at(9, 10), content_hash="high", total_cost=Decimal("1"))
        assert dashboard_totals().runs == 1
        LLMLog.objects.create(id=5, created_at=at(9, 20), content_hash="low", total_cost=Decimal("2"))

        totals = dashboard_totals()

        assert (totals.runs, totals.cost) == (2, Decimal("3"))
        assert_rollups_exact()

    def test_moved_run_updates_both_hours(self):
        log = LLMLog.objects.create(created_at=at(9, 10), content_hash="moved", total_input_tokens=7)
        dashboard_totals()

        log.created_at = at(14, 30)
        log.save()

        assert queries.build_dashboard(DAY, ALL_RUNS, use_rollups=True).series[9].totals.runs == 0
        assert queries.build_dashboard(DAY, ALL_RUNS, use_rollups=True).series[14].totals.runs == 1
        assert_rollups_exact()

    def test_deleted_failed_check_updates_figures(self):
        log = LLMLog.objects.create(created_at=at(9, 10), content_hash="checked")
        check = EvalCheck.objects.create(log=log, check_name="answer_not_empty", passed=False)
        assert dashboard_totals().failed_runs == 1

        check.delete()

        assert dashboard_totals().failed_runs == 0
        assert_rollups_exact()


@pytest.mark.django_db
class TestAdminDeletes:
    @pytest.fixture
    def runs(self, logs_dir):
        for number in range(4):
            write_file(logs_dir, f"run{number}.json", dated_run(f"run {number}", at(9 + number, 15)))
        one_pass(logs_dir)
        assert dashboard_totals().runs == 4
        return list(LLMLog.objects.order_by("created_at"))

    def test_admin_bulk_delete_updates_figures(self, staff_client, runs):
        response = staff_client.post(
            reverse("admin:logs_app_llmlog_changelist"),
            {"action": "delete_selected", "_selected_action": [runs[0].pk, runs[2].pk], "post": "yes"},
        )

        assert response.status_code == 302
        assert LLMLog.objects.count() == 2
        assert dashboard_totals().runs == 2
        assert_rollups_exact()

    def test_admin_single_delete_updates_figures(self, staff_client, runs):
        response = staff_client.post(reverse("admin:logs_app_llmlog_delete", args=[runs[1].pk]), {"post": "yes"})

        assert response.status_code == 302
        assert dashboard_totals().runs == 3
        assert dashboard_totals().input_tokens == 120
        assert_rollups_exact()


@pytest.mark.django_db
def test_mixed_steps_match_direct_aggregate(logs_dir, staff_client):
    write_file(logs_dir, "a.json", dated_run("a", at(9, 1), input_tokens=100))
    write_file(logs_dir, "b.json", dated_run("b", at(9, 59), model="claude-sonnet-4-5"))
    write_file(logs_dir, "c.json", log_bytes([dated_run(f"c{n}", at(10 + n, 30), model="mystery-1") for n in range(3)]))
    write_file(logs_dir, "empty.json", dated_run("", at(11, 0)))
    one_pass(logs_dir)
    assert_rollups_exact()
    assert dashboard_totals().runs == 6

    write_file(logs_dir, "d.json", dated_run("d", at(9, 30), input_tokens=5))
    one_pass(logs_dir)
    LLMLog.objects.filter(user_prompt="c1").delete()
    assert_rollups_exact()

    moved = LLMLog.objects.get(user_prompt="a")
    moved.created_at = at(23, 59)
    moved.save()
    staff_client.post(
        reverse("admin:logs_app_llmlog_changelist"),
        {"action": "delete_selected", "_selected_action": [LLMLog.objects.get(user_prompt="b").pk], "post": "yes"},
    )
    write_file(logs_dir, "e.json", dated_run("e", at(10, 45)))
    one_pass(logs_dir)
    assert_rollups_exact()
    dashboard = queries.build_dashboard(DAY, ALL_RUNS, use_rollups=True)
    assert dashboard.totals.runs == 6
    assert [figures.totals.runs for figures in dashboard.series] == [0] * 9 + [1, 2, 1, 1] + [0] * 10 + [1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(is_sqlite(), reason="SQLite admits one writer at a time, so commits follow id order there")
def test_late_commit_of_lower_id_counts(tmp_path):
    slow_dir, fast_dir = tmp_path / "slow", tmp_path / "fast"
    slow_dir.mkdir()
    fast_dir.mkdir()
    write_file(fast_dir, "first.json", dated_run("first", at(9, 5)))
    write_file(slow_dir, "slow.json", dated_run("slow", at(9, 10)))
    one_pass(fast_dir)
    write_file(fast_dir, "fast.json", dated_run("fast", at(9, 20)))

    # The hour already has a committed mark (from "first") when the subprocess marks it again. The subprocess
    # takes a lower id than "fast", then keeps its transaction open while this process stores and rolls up.
    slow = CommandProcess(slow_dir, **{PAUSE_ENV: "before_commit", "INGEST_TEST_PAUSE_SECONDS": "5"})
    try:
        wait_for(lambda: "paused at before_commit" in slow.stderr, message="the ingester to pause before its commit")
        one_pass(fast_dir)
        assert rollups.catch_up() == 1
        assert dashboard_totals().runs == 2
        assert not LLMLog.objects.filter(user_prompt="slow").exists(), "the subprocess committed too early"
        assert slow.wait(timeout=30) == 0, slow.output
    finally:
        slow.stop()

    fast, late = LLMLog.objects.get(user_prompt="fast"), LLMLog.objects.get(user_prompt="slow")
    assert late.pk < fast.pk
    assert dashboard_totals().runs == 3
    assert_rollups_exact()


@pytest.mark.django_db
def test_run_created_with_text_time_is_marked():
    LLMLog.objects.create(created_at="2026-11-30T09:00:00Z", content_hash="text", raw_json="{}")

    assert list(DirtyHour.objects.values_list("hour", flat=True)) == [at(9)]
    assert dashboard_totals().runs == 1
