"""Dashboard figures against runs with known totals, buckets at the range edges and unknown costs."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import TestCase

from logs_app.dashboard import queries, rollups
from logs_app.dashboard.models import RunHour
from logs_app.dashboard.ranges import DAY, HOUR, TimeRange, auto_bucket_seconds, custom_range, preset_range
from logs_app.models import LLMLog
from tests.dashboard_data import END, HOUR_RANGE, START, make_hour_fixture, make_runs

ALL_RUNS = queries.RunFilter()


class PresetRangeTests(TestCase):
    NOW = datetime(2026, 3, 10, 10, 7, 30, 123456, tzinfo=UTC)

    def test_hour_preset_buckets(self):
        time_range = preset_range("hour", self.NOW)
        assert time_range.end == datetime(2026, 3, 10, 10, 10, tzinfo=UTC)
        assert time_range.start == datetime(2026, 3, 10, 9, 10, tzinfo=UTC)
        assert time_range.bucket_seconds == 300
        assert time_range.bucket_count == 12

    def test_day_week_and_30_days_bucket_sizes(self):
        day = preset_range("day", self.NOW)
        week = preset_range("week", self.NOW)
        month = preset_range("30d", self.NOW)
        assert (day.end, day.bucket_seconds, day.bucket_count) == (datetime(2026, 3, 10, 11, tzinfo=UTC), HOUR, 24)
        assert week.end == datetime(2026, 3, 10, 12, tzinfo=UTC)
        assert (week.bucket_seconds, week.bucket_count) == (6 * HOUR, 28)
        assert (month.end, month.bucket_seconds, month.bucket_count) == (datetime(2026, 3, 11, tzinfo=UTC), DAY, 30)

    def test_daily_buckets_follow_local_midnight(self):
        berlin = ZoneInfo("Europe/Berlin")
        time_range = preset_range("30d", datetime(2026, 1, 15, 0, 30, tzinfo=berlin))
        assert time_range.end == datetime(2026, 1, 16, tzinfo=berlin)
        assert time_range.end.astimezone(UTC) == datetime(2026, 1, 15, 23, tzinfo=UTC)

    def test_now_on_a_boundary_starts_a_new_bucket(self):
        time_range = preset_range("hour", datetime(2026, 3, 10, 10, 10, tzinfo=UTC))
        assert time_range.end == datetime(2026, 3, 10, 10, 15, tzinfo=UTC)

    def test_unknown_preset_is_rejected(self):
        with pytest.raises(ValueError, match="Unknown range 'year'"):
            preset_range("year", self.NOW)

    def test_auto_bucket_size_keeps_bucket_count_small(self):
        assert auto_bucket_seconds(START, START + timedelta(hours=2)) == 300
        assert auto_bucket_seconds(START, START + timedelta(days=3)) == HOUR
        assert auto_bucket_seconds(START, START + timedelta(days=365)) == 7 * DAY
        assert auto_bucket_seconds(START, START + timedelta(days=5 * 365)) == 20 * DAY

    def test_custom_range_last_bucket_stops_at_end(self):
        time_range = custom_range(START, START + timedelta(minutes=12))
        buckets = time_range.buckets()
        assert [bucket.end - bucket.start for bucket in buckets] == [timedelta(minutes=5)] * 2 + [timedelta(minutes=2)]
        assert buckets[-1].end == time_range.end

    def test_long_custom_range_widens_to_whole_hours(self):
        time_range = custom_range(START + timedelta(minutes=7), START + timedelta(days=2, minutes=1))
        assert time_range.start == START
        assert time_range.end == START + timedelta(days=2, hours=1)
        assert time_range.bucket_seconds == HOUR

    def test_short_custom_range_keeps_its_minutes(self):
        start, end = START + timedelta(minutes=7), START + timedelta(hours=3, minutes=1)
        time_range = custom_range(start, end)
        assert (time_range.start, time_range.end, time_range.bucket_seconds) == (start, end, 300)

    def test_custom_range_near_datetime_max(self):
        start, end = datetime(9999, 12, 1, tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
        with pytest.raises(ValueError, match="past the latest time Python can represent"):
            custom_range(start, end)

        time_range = custom_range(start, end.replace(minute=0, second=0, microsecond=0))
        assert time_range.buckets()[-1].end == time_range.end

    def test_whole_calendar_range_buckets(self):
        time_range = custom_range(datetime.min.replace(tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC))
        buckets = time_range.buckets()
        assert len(buckets) <= 96
        assert (buckets[0].start, buckets[-1].end) == (time_range.start, time_range.end)

    def test_empty_range_is_rejected(self):
        with pytest.raises(ValueError, match="is not after start"):
            TimeRange(start=START, end=START, bucket_seconds=300)


class RangeTotalsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.runs = make_hour_fixture()

    def test_totals_count_runs_inside_half_open_range(self):
        totals = queries.build_dashboard(HOUR_RANGE, ALL_RUNS).totals
        assert totals.runs == 5
        assert totals.input_tokens == 1050
        assert totals.output_tokens == 105

    def test_unknown_cost_is_counted_not_summed(self):
        totals = queries.build_dashboard(HOUR_RANGE, ALL_RUNS).totals
        assert totals.cost == Decimal("1.875")
        assert totals.unknown_cost_runs == 1
        assert totals.known_cost_runs == 4

    def test_failed_check_share(self):
        totals = queries.build_dashboard(HOUR_RANGE, ALL_RUNS).totals
        assert totals.failed_runs == 2
        assert totals.failed_share == pytest.approx(0.4)

    def test_feedback_counts_runs_by_verdict(self):
        totals = queries.build_dashboard(HOUR_RANGE, ALL_RUNS).totals
        assert totals.good_feedback_runs == 2
        assert totals.bad_feedback_runs == 1
        assert totals.feedback_runs == 3
        assert totals.no_feedback_runs == 2
        assert totals.good_feedback_share == pytest.approx(2 / 3)

    def test_filter_keeps_only_matching_runs(self):
        totals = queries.build_dashboard(HOUR_RANGE, queries.RunFilter(model="claude-4")).totals
        assert totals.runs == 2
        assert totals.cost == Decimal("1.5")
        assert totals.failed_runs == 1
        assert totals.good_feedback_runs == 1

    def test_filters_combine(self):
        run_filter = queries.RunFilter(provider="anthropic", agent_name="triage")
        totals = queries.build_dashboard(HOUR_RANGE, run_filter).totals
        assert totals.runs == 1
        assert totals.cost == Decimal("0.5")

    def test_range_without_runs_gives_zero_totals(self):
        empty = TimeRange(start=START + timedelta(days=10), end=START + timedelta(days=11), bucket_seconds=HOUR)
        dashboard = queries.build_dashboard(empty, ALL_RUNS)
        assert dashboard.totals.runs == 0
        assert dashboard.totals.cost == 0
        assert dashboard.totals.failed_share is None
        assert dashboard.totals.good_feedback_share is None
        assert len(dashboard.series) == 24
        assert dashboard.checks == []
        assert dashboard.by_model == []


class BucketSeriesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.runs = make_hour_fixture()

    def test_every_bucket_is_present(self):
        series = queries.bucket_series(HOUR_RANGE, ALL_RUNS)
        assert [figures.bucket.start for figures in series] == [START + timedelta(minutes=5 * i) for i in range(12)]
        assert series[-1].bucket.end == END

    def test_runs_fall_into_buckets_at_edges(self):
        runs = [figures.totals.runs for figures in queries.bucket_series(HOUR_RANGE, ALL_RUNS)]
        assert runs == [1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]

    def test_bucket_cost_excludes_unknown(self):
        series = queries.bucket_series(HOUR_RANGE, ALL_RUNS)
        assert series[1].totals.cost == Decimal("0.5")
        assert series[1].totals.unknown_cost_runs == 1
        assert series[11].totals.cost == Decimal("0.125")
        assert series[5].totals.cost == 0

    def test_bucket_tokens_failures_and_feedback(self):
        series = queries.bucket_series(HOUR_RANGE, ALL_RUNS)
        assert (series[1].totals.input_tokens, series[1].totals.output_tokens) == (250, 25)
        assert [figures.totals.failed_runs for figures in series[:3]] == [1, 1, 0]
        assert series[1].totals.good_feedback_runs == 1
        assert series[1].totals.bad_feedback_runs == 1
        assert series[2].totals.feedback_runs == 1
        assert series[2].totals.good_feedback_runs == 0

    def test_buckets_counted_from_unaligned_start(self):
        shifted = TimeRange(start=START + timedelta(minutes=2), end=END, bucket_seconds=300)
        runs = [figures.totals.runs for figures in queries.bucket_series(shifted, ALL_RUNS)]
        assert runs == [0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]


class CheckFiguresTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.runs = make_hour_fixture()

    def test_pass_rate_leaves_out_not_applicable(self):
        checks = {check.name: check for check in queries.check_series(HOUR_RANGE, ALL_RUNS)}
        accuracy = checks["accuracy"].totals
        assert (accuracy.passed, accuracy.failed, accuracy.not_applicable) == (1, 1, 1)
        assert accuracy.pass_rate == pytest.approx(0.5)
        assert checks["format"].totals.pass_rate == pytest.approx(1 / 3)

    def test_pass_counts_per_bucket(self):
        checks = {check.name: check for check in queries.check_series(HOUR_RANGE, ALL_RUNS)}
        per_bucket = checks["accuracy"].per_bucket
        assert len(per_bucket) == 12
        assert (per_bucket[0].passed, per_bucket[0].failed) == (1, 0)
        assert (per_bucket[1].passed, per_bucket[1].failed, per_bucket[1].not_applicable) == (0, 1, 1)
        assert per_bucket[11].pass_rate is None

    def test_failing_checks_most_failures_first(self):
        dashboard = queries.build_dashboard(HOUR_RANGE, ALL_RUNS)
        assert [check.name for check in dashboard.failing_checks] == ["format", "accuracy"]


class BreakdownTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.runs = make_hour_fixture()

    def test_by_model_counts_runs_and_known_cost(self):
        rows = queries.breakdown(HOUR_RANGE, ALL_RUNS, "model")
        assert [(row.value, row.runs, row.cost, row.unknown_cost_runs) for row in rows] == [
            ("gpt-5", 3, Decimal("0.375"), 1),
            ("claude-4", 2, Decimal("1.5"), 0),
        ]

    def test_by_agent(self):
        rows = queries.breakdown(HOUR_RANGE, ALL_RUNS, "agent_name")
        assert [(row.value, row.runs) for row in rows] == [("support", 4), ("triage", 1)]

    def test_most_expensive_runs_skip_unknown_and_outside(self):
        runs = queries.most_expensive_runs(HOUR_RANGE, ALL_RUNS)
        assert [run.pk for run in runs] == [
            self.runs[key].pk for key in ("third_bucket_edge", "second_bucket", "at_start", "before_end")
        ]

    def test_latest_feedback_newest_first_inside_range(self):
        feedback = queries.latest_feedback(HOUR_RANGE, ALL_RUNS)
        assert [item.comments for item in feedback] == [
            "Not sure.",
            "Fine on second look.",
            "Wrong tool.",
            "Right answer.",
        ]


class RollupTests(TestCase):
    HOURLY = TimeRange(start=START, end=END, bucket_seconds=HOUR)
    DAY_AROUND = TimeRange(start=START - timedelta(hours=12), end=START + timedelta(hours=12), bucket_seconds=HOUR)

    @classmethod
    def setUpTestData(cls):
        cls.runs = make_hour_fixture()

    def test_rollups_serve_hour_aligned_ranges_only(self):
        assert queries.rollups_cover(self.HOURLY)
        assert queries.rollups_cover(preset_range("day", datetime(2026, 3, 10, 10, 7, tzinfo=UTC)))
        assert not queries.rollups_cover(HOUR_RANGE)
        assert not queries.rollups_cover(TimeRange(START + timedelta(minutes=1), END, HOUR))
        kolkata = ZoneInfo("Asia/Kolkata")
        assert not queries.rollups_cover(preset_range("30d", datetime(2026, 3, 10, 10, 7, tzinfo=kolkata)))

    def test_rollup_totals_match_fixture(self):
        totals = queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True).totals
        assert totals.runs == 5
        assert totals.cost == Decimal("1.875")
        assert totals.unknown_cost_runs == 1
        assert (totals.input_tokens, totals.output_tokens) == (1050, 105)
        assert totals.failed_runs == 2
        assert totals.good_feedback_runs == 2

    def test_rollups_give_same_figures_as_runs(self):
        for run_filter in (ALL_RUNS, queries.RunFilter(model="claude-4"), queries.RunFilter(agent_name="support")):
            from_rollups = queries.build_dashboard(self.DAY_AROUND, run_filter, use_rollups=True)
            from_runs = queries.build_dashboard(self.DAY_AROUND, run_filter, use_rollups=False)
            assert from_rollups.series == from_runs.series, run_filter
            assert from_rollups.checks == from_runs.checks, run_filter
            assert from_rollups.by_model == from_runs.by_model, run_filter
            assert from_rollups.by_agent == from_runs.by_agent, run_filter

    def test_new_runs_are_rolled_up_on_next_read(self):
        queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True)
        make_runs({"key": "late_arrival", "at": START + timedelta(minutes=30), "cost": Decimal("2")})

        assert rollups.catch_up() == 1
        totals = queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True).totals
        assert totals.runs == 6
        assert totals.cost == Decimal("3.875")
        assert rollups.catch_up() == 0

    def test_catch_up_recomputes_only_hours_with_new_runs(self):
        rollups.catch_up()
        RunHour.objects.filter(hour=START - timedelta(hours=1)).update(runs=99)
        make_runs(
            {"key": "old_arrival", "at": START - timedelta(days=30)},
            {"key": "new_arrival", "at": START + timedelta(minutes=30)},
        )

        assert rollups.catch_up() == 2  # hours
        assert RunHour.objects.get(hour=START - timedelta(hours=1)).runs == 99
        assert RunHour.objects.get(hour=START - timedelta(days=30)).runs == 1
        assert sum(RunHour.objects.filter(hour=START).values_list("runs", flat=True)) == 6

    def test_deleted_runs_leave_the_rollups_on_next_read(self):
        queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True)
        self.runs["second_bucket"].delete()

        totals = queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True).totals
        assert totals.runs == 4
        assert totals.cost == Decimal("1.375")

    def test_rebuild_covers_runs_inserted_without_signals(self):
        queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True)
        # bulk_create sends no signals, so this run marks no hour dirty.
        LLMLog.objects.bulk_create(
            [
                LLMLog(
                    created_at=START + timedelta(minutes=5), content_hash="bulk", total_cost=Decimal("2"), raw_json="{}"
                )
            ]
        )

        assert queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True).totals.runs == 5
        out = StringIO()
        call_command("rebuild_dashboard_rollups", stdout=out)
        assert out.getvalue() == "Rebuilt the dashboard rollups from 8 runs.\n"
        totals = queries.build_dashboard(self.HOURLY, ALL_RUNS, use_rollups=True).totals
        assert totals.runs == 6
        assert totals.cost == Decimal("3.875")


class QueryCountTests(TestCase):
    def test_query_count_does_not_grow_with_runs(self):
        make_runs(*({"key": f"run{i}", "at": START + timedelta(minutes=i)} for i in range(40)))
        with self.assertNumQueries(8):
            queries.build_dashboard(HOUR_RANGE, ALL_RUNS, use_rollups=False)
        rollups.catch_up()
        with self.assertNumQueries(9):
            queries.build_dashboard(RollupTests.HOURLY, ALL_RUNS, use_rollups=True)
