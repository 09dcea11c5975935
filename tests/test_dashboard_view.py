"""The dashboard page through the test client: access, empty state, ranges, filters and links to the list."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.dashboard_data import make_hour_fixture, make_runs

URL = reverse("logs_app:dashboard")
LIST_URL = reverse("logs_app:list")
CUSTOM_HOUR = {"range": "custom", "start": "2026-01-01T09:00", "end": "2026-01-01T10:00"}

pytestmark = pytest.mark.django_db


def list_links(response):
    """Return the query parameters of every link to the run list on the page, as dicts of single values."""
    hrefs = re.findall(r'href="([^"]+)"', response.content.decode())
    links = []
    for href in map(unescape, hrefs):
        parts = urlsplit(href)
        if parts.path == LIST_URL and parts.query:
            links.append({name: values[0] for name, values in parse_qs(parts.query).items()})
    return links


def list_run_ids(client, params):
    response = client.get(LIST_URL, {**params, "per_page": 100})
    return {row.record.pk for row in response.context["table"].page.object_list}


@pytest.fixture
def hour_runs():
    return make_hour_fixture()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(reviewer_client):
    assert reviewer_client.post(URL).status_code == 405


def test_empty_database_shows_empty_state(reviewer_client):
    response = reviewer_client.get(URL)

    assert response.status_code == 200
    assert b'id="empty-state"' in response.content
    assert response.context["dashboard"].totals.runs == 0
    assert b"No check results in this range." in response.content


def test_list_page_links_to_dashboard(reviewer_client):
    response = reviewer_client.get(LIST_URL)

    assert f'href="{URL}"'.encode() in response.content


@pytest.mark.parametrize(
    ("preset", "bucket_seconds", "bucket_count"),
    [("hour", 300, 12), ("day", 3600, 24), ("week", 6 * 3600, 28), ("30d", 86400, 30)],
)
def test_each_preset_range(reviewer_client, preset, bucket_seconds, bucket_count):
    response = reviewer_client.get(URL, {"range": preset})

    time_range = response.context["dashboard"].time_range
    assert time_range.bucket_seconds == bucket_seconds
    assert time_range.bucket_count == bucket_count
    assert time_range.start <= timezone.now() < time_range.end
    assert response.content.count(b'<svg class="chart"') == 4


def test_presets_count_recent_runs(reviewer_client):
    now = timezone.now()
    make_runs(
        {"key": "ten_minutes_ago", "at": now - timedelta(minutes=10), "cost": Decimal("1")},
        {"key": "three_days_ago", "at": now - timedelta(days=3), "cost": Decimal("2")},
        {"key": "sixty_days_ago", "at": now - timedelta(days=60), "cost": Decimal("4")},
    )

    runs = {
        preset: reviewer_client.get(URL, {"range": preset}).context["dashboard"].totals.runs
        for preset in ("hour", "day", "week", "30d")
    }

    assert runs == {"hour": 1, "day": 1, "week": 2, "30d": 2}


def test_default_range_is_last_day(reviewer_client):
    response = reviewer_client.get(URL)

    assert response.context["dashboard"].time_range.bucket_seconds == 3600
    assert response.context["form"]["range"].value() == "day"


def test_custom_range_totals(reviewer_client, hour_runs):
    response = reviewer_client.get(URL, CUSTOM_HOUR)

    dashboard = response.context["dashboard"]
    assert dashboard.time_range.bucket_seconds == 300
    assert dashboard.totals.runs == 5
    assert dashboard.totals.cost == Decimal("1.875")
    assert b"1 run with unknown cost, not in the sum" in response.content
    assert b"40% (2 of 5)" in response.content


def test_filter_by_model_and_agent(reviewer_client, hour_runs):
    response = reviewer_client.get(URL, {**CUSTOM_HOUR, "model": "claude-4", "agent": "triage"})

    assert response.context["dashboard"].totals.runs == 1
    assert response.context["dashboard"].totals.cost == Decimal("0.5")


def test_custom_range_end_before_start_is_an_error(reviewer_client, hour_runs):
    response = reviewer_client.get(URL, {**CUSTOM_HOUR, "end": "2026-01-01T08:00"})

    assert "end" in response.context["form"].errors
    assert b"The end must be after the start." in response.content
    assert response.context["dashboard"].time_range.bucket_seconds == 3600


def test_custom_range_needs_both_ends(reviewer_client):
    response = reviewer_client.get(URL, {"range": "custom", "start": "2026-01-01T09:00"})

    assert response.context["form"].errors["end"] == ["Enter the end of the custom range."]


def field_block(response, name):
    """Return the HTML of the form's block for field ``name``, where its errors are shown."""
    html = response.content.decode()
    found = re.search(rf'<div class="filter filter-{name}">(.*?)</div>', html, re.DOTALL)
    assert found, f"no block for field {name}"
    return unescape(found.group(1))


@pytest.mark.parametrize(
    ("start", "end", "bad_fields"),
    [
        ("0001-01-01T00:00", "9999-12-31T23:59", {"start", "end"}),
        ("2026-01-01T00:00", "9999-12-30T00:00", {"end"}),
        ("2026-01-01T00:00", "2100-01-01T00:01", {"end"}),
        ("1969-12-31T23:59", "2026-01-01T00:00", {"start"}),
        ("0001-01-01T00:00", "0001-01-01T00:01", {"start", "end"}),
    ],
)
def test_custom_range_outside_run_times_rejected(reviewer_client, start, end, bad_fields):
    response = reviewer_client.get(URL, {"range": "custom", "start": start, "end": end})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == bad_fields
    for name in ("start", "end"):
        error_shown = "Enter a time from 1970-01-01 to 2100-01-01 (UTC)" in field_block(response, name)
        assert error_shown == (name in bad_fields)
    assert response.context["dashboard"].time_range.bucket_seconds == 3600  # the default range instead


def test_custom_range_on_time_bounds(reviewer_client):
    response = reviewer_client.get(URL, {"range": "custom", "start": "1970-01-01T00:00", "end": "2100-01-01T00:00"})

    assert response.status_code == 200
    assert not response.context["form"].errors
    time_range = response.context["dashboard"].time_range
    assert (time_range.start.year, time_range.end.year) == (1970, 2100)


def test_unknown_filter_value_is_an_error(reviewer_client, hour_runs):
    response = reviewer_client.get(URL, {**CUSTOM_HOUR, "provider": "nope"})

    assert "provider" in response.context["form"].errors
    assert b"Select a valid choice" in response.content


class TestLinks:
    RANGE = {"created_after": "2026-01-01T09:00:00", "created_before": "2026-01-01T10:00:00"}

    def test_totals_link_to_range(self, reviewer_client, hour_runs):
        links = list_links(reviewer_client.get(URL, CUSTOM_HOUR))

        assert self.RANGE in links
        assert {**self.RANGE, "unknown_cost": "no"} in links
        assert {**self.RANGE, "unknown_cost": "yes"} in links
        for verdict in ("good", "bad", "none"):
            assert {**self.RANGE, "feedback": verdict} in links

    def test_links_keep_the_filters(self, reviewer_client, hour_runs):
        links = list_links(reviewer_client.get(URL, {**CUSTOM_HOUR, "provider": "anthropic", "agent": "triage"}))

        assert links
        assert all(link["provider"] == "anthropic" and link["agent"] == "triage" for link in links)

    def test_bucket_bars_link_to_their_bucket(self, reviewer_client, hour_runs):
        links = list_links(reviewer_client.get(URL, CUSTOM_HOUR))

        second_bucket = {"created_after": "2026-01-01T09:05:00", "created_before": "2026-01-01T09:10:00"}
        assert second_bucket in links
        assert {**second_bucket, "unknown_cost": "no"} in links
        assert {"created_after": "2026-01-01T09:55:00", "created_before": "2026-01-01T10:00:00"} in links
        empty_bucket = {"created_after": "2026-01-01T09:15:00", "created_before": "2026-01-01T09:20:00"}
        assert empty_bucket not in links

    def test_checks_link_to_their_failures(self, reviewer_client, hour_runs):
        links = list_links(reviewer_client.get(URL, CUSTOM_HOUR))

        assert {**self.RANGE, "failed_check": "format"} in links
        assert {
            "created_after": "2026-01-01T09:05:00",
            "created_before": "2026-01-01T09:10:00",
            "failed_check": "accuracy",
        } in links

    def test_breakdowns_link_to_their_value(self, reviewer_client, hour_runs):
        links = list_links(reviewer_client.get(URL, CUSTOM_HOUR))

        assert {**self.RANGE, "model": "claude-4"} in links
        assert {**self.RANGE, "model": "gpt-5", "unknown_cost": "yes"} in links
        assert {**self.RANGE, "agent": "triage", "unknown_cost": "no"} in links
        assert {**self.RANGE, "provider": "anthropic"} in links

    def test_runs_link_to_their_detail_page(self, reviewer_client, hour_runs):
        content = reviewer_client.get(URL, CUSTOM_HOUR).content.decode()

        assert f'href="{reverse("logs_app:detail", args=[hour_runs["third_bucket_edge"].pk])}"' in content
        assert "Wrong tool." in content
        assert "Outside the range." not in content

    def test_list_shows_the_runs_behind_each_figure(self, reviewer_client, hour_runs):
        runs = hour_runs
        assert list_run_ids(reviewer_client, self.RANGE) == {
            runs[key].pk for key in ("at_start", "second_bucket", "unknown_cost", "third_bucket_edge", "before_end")
        }
        assert list_run_ids(reviewer_client, {**self.RANGE, "unknown_cost": "yes"}) == {runs["unknown_cost"].pk}
        assert list_run_ids(reviewer_client, {**self.RANGE, "failed_check": "accuracy"}) == {runs["second_bucket"].pk}

    def test_failed_share_links_to_runs_with_any_failed_check(self, reviewer_client, hour_runs):
        any_failed = {**self.RANGE, "failed_check": "*"}

        assert any_failed in list_links(reviewer_client.get(URL, CUSTOM_HOUR))
        assert list_run_ids(reviewer_client, any_failed) == {hour_runs["at_start"].pk, hour_runs["second_bucket"].pk}


def test_model_without_priced_runs_shows_no_cost(reviewer_client):
    now = timezone.now()
    make_runs(
        {"key": "priced", "at": now - timedelta(minutes=10), "model": "gpt-5", "cost": Decimal("1")},
        {"key": "unpriced", "at": now - timedelta(minutes=10), "model": "local-llama", "cost": None},
    )

    content = reviewer_client.get(URL, {"range": "hour"}).content.decode()
    row = re.search(r"<tr>\s*<td>local-llama</td>.*?</tr>", content, re.S)

    assert row is not None
    assert "—" in row.group()
    assert "$0.00" not in row.group()
    assert ">1 run</a>" in row.group()
