"""The dashboard in Chromium: open it, change the range, follow a figure to the filtered list."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.dashboard_data import make_checks, make_feedback, make_runs

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "a-test-password-3"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def recent_runs():
    now = timezone.now()
    # The "day" preset covers the 24 whole hours up to the end of the current one,
    # so one run at the start of each of those hours stays inside it at any minute.
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    specs = []
    for index in range(24):
        specs.append(
            {
                "key": f"hourly{index}",
                "at": this_hour - timedelta(hours=index),
                "model": "gpt-5" if index % 3 else "claude-4",
                "provider": "openai" if index % 3 else "anthropic",
                "agent": "support" if index % 2 else "triage",
                "cost": None if index % 7 == 0 else Decimal(index + 1) / 100,
                "input_tokens": 1000 + 50 * index,
                "output_tokens": 200 + 10 * index,
            }
        )
    specs.append({"key": "five_days_ago", "at": now - timedelta(days=5), "cost": Decimal("3"), "input_tokens": 9000})
    runs = make_runs(*specs)
    make_checks(
        runs,
        *((f"hourly{index}", "answer_not_empty", index % 5 != 0) for index in range(24)),
        *((f"hourly{index}", "tool_call_search", None if index % 2 else index % 4 == 0) for index in range(24)),
    )
    make_feedback(
        runs,
        ("hourly1", True, "Clear and correct.", now),
        ("hourly2", False, "Used the wrong tool.", now),
        ("hourly4", True, "", now),
    )
    return runs


@pytest.fixture
def logged_in_page(page, live_server, django_user_model):
    django_user_model.objects.create_user("viewer", password=PASSWORD)
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def figure_value(page, label):
    return page.locator(f".figure[data-label='{label}'] .figure-value").inner_text()


def test_dashboard_range_change_and_link_to_list(logged_in_page, live_server, recent_runs):
    page = logged_in_page
    external_requests = []
    page.on(
        "request",
        lambda request: (
            external_requests.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}{reverse('logs_app:dashboard')}")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert figure_value(page, "Runs") == "24"
    assert page.locator("svg.chart").count() == 4
    assert page.locator("svg.chart rect").count() > 24
    page.screenshot(path=str(SCREENSHOTS / "dashboard_day.png"), full_page=True)

    page.select_option("select[name=range]", "week")
    page.click("button:has-text('Show')")
    page.wait_for_url("**range=week**")
    assert figure_value(page, "Runs") == "25"
    page.screenshot(path=str(SCREENSHOTS / "dashboard_week.png"), full_page=True)

    page.locator(".breakdown", has_text="By model").get_by_role("link", name="8", exact=True).first.click()
    page.wait_for_url("**/logs/**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["model"] == ["claude-4"]
    assert "created_after" in query
    assert "created_before" in query
    page.screenshot(path=str(SCREENSHOTS / "dashboard_link_to_list.png"), full_page=True)

    assert external_requests == []
