"""A real user path in Chromium: log in, filter, open a run, read its timeline, give feedback, find it again.

Screenshots of each step are kept under test-artifacts/screenshots/.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_check, make_log, search_timeline

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-password-7"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium package (apt-get install chromium)"
    ),
]


@pytest.fixture
def runs(django_user_model):
    django_user_model.objects.create_user("reviewer", password=PASSWORD)
    bad = make_log(
        agent_name="faq_agent",
        user_prompt="How do I fix 'No matching signature for operator =' in BigQuery?",
        assistant_answer="Try **restarting** the notebook.",
        timeline=search_timeline(
            "How do I fix 'No matching signature for operator =' in BigQuery?",
            "Try **restarting** the notebook.",
            tool_return="faq/bigquery.md: compare a STRING with an INT64 only after CAST.",
            args={"query": "no matching signature bigquery"},
        ),
    )
    make_check(bad, "tool_call_search", passed=False, details="The answer ignores the search result.")
    good = make_log(agent_name="faq_agent", user_prompt="When does the course start?")
    make_check(good, "tool_call_search", passed=True)
    return {"bad": bad, "good": good}


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_reviewer_triages_a_failed_run(page, live_server, runs):
    page.goto(f"{live_server.url}/logs/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/logs/")
    shot(page, "01-list")

    page.get_by_label("Failed check").select_option("tool_call_search")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**failed_check=tool_call_search**")
    assert page.locator("#result-count").inner_text().startswith("1 run")
    assert page.locator("table.runs tbody tr").count() == 1
    shot(page, "02-filtered")

    page.get_by_role("link", name="How do I fix 'No matching signature").click()
    page.wait_for_url(f"**/logs/{runs['bad'].pk}/")
    timeline = page.locator("#timeline")
    assert timeline.get_by_text("Tool call: search").is_visible()
    assert timeline.get_by_text("compare a STRING with an INT64 only after CAST").is_visible()
    assert page.locator("#answer strong").inner_text() == "restarting"
    assert page.locator("#checks").get_by_text("The answer ignores the search result.").is_visible()
    shot(page, "03-detail")

    page.get_by_label("Thumbs down: bad").check()
    page.get_by_label("Comments").fill("Ignored the search result.")
    page.get_by_label("Reference answer").fill("CAST the STRING column to INT64 before comparing.")
    page.get_by_role("button", name="Save feedback").click()
    page.wait_for_url(f"**/logs/{runs['bad'].pk}/#feedback")
    assert page.get_by_role("status").inner_text() == "Thanks, your feedback on this run was saved."
    assert page.locator(".feedback-entry.bad").get_by_text("Ignored the search result.").is_visible()
    shot(page, "04-feedback-saved")

    page.goto(f"{live_server.url}/logs/?feedback=bad&reference=yes")
    rows = page.locator("table.runs tbody tr")
    assert rows.count() == 1
    assert "bad (1)" in rows.first.inner_text()
    assert "How do I fix" in rows.first.inner_text()
    shot(page, "05-list-with-feedback")


def test_invalid_feedback_shows_the_error_in_the_browser(page, live_server, runs):
    page.goto(f"{live_server.url}/accounts/login/?next=/logs/{runs['good'].pk}/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("button", name="Save feedback").click()

    assert page.get_by_text("Choose thumbs up or thumbs down.").is_visible()
    shot(page, "06-feedback-error")
