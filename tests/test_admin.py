"""The admin: each page opens for staff, stays closed to others, and works as a triage tool."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logs_app.models import FailedFile, Feedback
from tests.factories import make_check, make_feedback, make_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(reviewer):
    log = make_log(user_prompt="Why does BigQuery say no matching signature?", agent_name="faq_agent")
    check = make_check(log, "tool_call_search", passed=False, details="Answered without searching.")
    entry = make_feedback(log, is_good=False, comments="Missed the cast.", reference_answer="Use CAST.", user=reviewer)
    failed = FailedFile.objects.create(
        original_path="logs/broken.json",
        set_aside_path="logs/broken.json.failed",
        reason="Invalid JSON at line 3, column 5: Expecting ',' delimiter.",
        size_bytes=2048,
    )
    return {"log": log, "check": check, "feedback": entry, "failed": failed}


PAGES = [
    ("admin:index", None),
    ("admin:logs_app_llmlog_changelist", None),
    ("admin:logs_app_llmlog_change", "log"),
    ("admin:logs_app_evalcheck_changelist", None),
    ("admin:logs_app_evalcheck_change", "check"),
    ("admin:logs_app_feedback_changelist", None),
    ("admin:logs_app_feedback_change", "feedback"),
    ("admin:logs_app_feedback_add", None),
    ("admin:logs_app_failedfile_changelist", None),
    ("admin:logs_app_failedfile_change", "failed"),
]


def page_url(name, key, data):
    return reverse(name, args=[data[key].pk]) if key else reverse(name)


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_page_opens_for_staff(staff_client, data, name, key):
    response = staff_client.get(page_url(name, key, data))

    assert response.status_code == 200


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_page_is_closed_to_non_staff(reviewer_client, client, data, name, key):
    url = page_url(name, key, data)

    for visitor in (client, reviewer_client):
        response = visitor.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_changelists_show_triage_columns(staff_client, data):
    runs = staff_client.get(reverse("admin:logs_app_llmlog_changelist")).content.decode()
    checks = staff_client.get(reverse("admin:logs_app_evalcheck_changelist")).content.decode()
    feedback = staff_client.get(reverse("admin:logs_app_feedback_changelist")).content.decode()
    failed = staff_client.get(reverse("admin:logs_app_failedfile_changelist")).content.decode()

    assert "faq_agent" in runs
    assert "0 passed · 1 failed · 0 n/a" in runs
    assert "bad (1)" in runs
    assert "Answered without searching." in checks
    assert "failed" in checks
    assert "Missed the cast." in feedback
    assert "Invalid JSON at line 3, column 5" in failed
    assert "2.0 KB" in failed


def test_changelists_never_read_raw_json(staff_client, data):
    for name in ("llmlog", "evalcheck", "feedback"):
        with CaptureQueriesContext(connection) as queries:
            staff_client.get(reverse(f"admin:logs_app_{name}_changelist"))
        assert not any("raw_json" in query["sql"] for query in queries.captured_queries), name


def test_run_filters_and_search(staff_client, data):
    # No digits in the texts, so that searching for the id cannot match them.
    other = make_log(
        user_prompt="Docker volume questions",
        assistant_answer="Mount it.",
        provider="anthropic",
        filepath="logs/docker.json",
    )
    data["log"].filepath = "logs/bigquery.json"
    data["log"].assistant_answer = "Cast it."
    data["log"].save()
    url = reverse("admin:logs_app_llmlog_changelist")

    def ids(**params):
        return {row.pk for row in staff_client.get(url, params).context["cl"].result_list}

    assert ids(failed_check="tool_call_search") == {data["log"].pk}
    assert ids(feedback="none") == {other.pk}
    assert ids(feedback="reference") == {data["log"].pk}
    assert ids(provider="anthropic") == {other.pk}
    assert ids(q="docker") == {other.pk}
    assert ids(q="bigquery") == {data["log"].pk}
    assert ids(q=str(other.pk)) == {other.pk}
    assert ids(q="bigquery.json") == {data["log"].pk}
    assert ids(q="logs/docker") == {other.pk}
    assert ids(q="faq_agent") == {data["log"].pk, other.pk}
    assert ids(q="anthropic") == {other.pk}


def test_run_is_read_only(staff_client, data):
    log = data["log"]
    url = reverse("admin:logs_app_llmlog_change", args=[log.pk])

    response = staff_client.get(url)

    form = response.context["adminform"].form
    assert "user_prompt" not in form.fields
    assert "total_cost" not in form.fields
    assert "raw_json" not in response.content.decode()
    assert staff_client.get(reverse("admin:logs_app_llmlog_add")).status_code == 403


def test_feedback_inline_is_editable(staff_client, staff_user, data):
    log = data["log"]
    entry = data["feedback"]
    url = reverse("admin:logs_app_llmlog_change", args=[log.pk])
    form = {
        "checks-TOTAL_FORMS": "1",
        "checks-INITIAL_FORMS": "1",
        "checks-0-id": str(data["check"].pk),
        "checks-0-log": str(log.pk),
        "feedback-TOTAL_FORMS": "2",
        "feedback-INITIAL_FORMS": "1",
        "feedback-0-id": str(entry.pk),
        "feedback-0-log": str(log.pk),
        "feedback-0-is_good": "true",
        "feedback-0-comments": "Changed my mind.",
        "feedback-0-reference_answer": "",
        "feedback-1-log": str(log.pk),
        "feedback-1-is_good": "false",
        "feedback-1-comments": "Second opinion.",
        "feedback-1-reference_answer": "Use SAFE_CAST.",
    }

    response = staff_client.post(url, form)

    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    entry.refresh_from_db()
    assert (entry.is_good, entry.comments) == (True, "Changed my mind.")
    added = Feedback.objects.get(comments="Second opinion.")
    assert (added.is_good, added.reference_answer, added.user) == (False, "Use SAFE_CAST.", staff_user)


def set_aside(folder, name, text='{"messages": ['):
    (folder / "failed").mkdir(exist_ok=True)
    aside = folder / "failed" / name
    aside.write_text(text)
    return FailedFile.objects.create(
        original_path=str(folder / name), set_aside_path=str(aside), reason="Truncated JSON."
    )


def try_again(staff_client, *records):
    return staff_client.post(
        reverse("admin:logs_app_failedfile_changelist"),
        {"action": "try_again", "_selected_action": [record.pk for record in records]},
        follow=True,
    )


def test_try_again_moves_the_file_back(staff_client, tmp_path, settings):
    settings.LOGS_DIR = tmp_path
    record = set_aside(tmp_path, "broken.json")

    response = try_again(staff_client, record)

    assert response.status_code == 200
    record.refresh_from_db()
    assert record.retried_at is not None
    assert Path(record.original_path).read_text() == '{"messages": ['
    assert not Path(record.set_aside_path).exists()
    assert "Moved 1 file(s) back" in response.content.decode()


def test_try_again_reports_a_file_it_cannot_move(staff_client, tmp_path, settings):
    settings.LOGS_DIR = tmp_path
    record = set_aside(tmp_path, "taken.json")
    (tmp_path / "taken.json").write_text("{}")  # a new file already has the original name

    response = try_again(staff_client, record)

    record.refresh_from_db()
    assert record.retried_at is None
    assert "not moved back" in response.content.decode()
    assert Path(record.set_aside_path).exists()


def test_changelist_count_stops_at_the_cap(staff_client, data, monkeypatch):
    monkeypatch.setattr("logs_app.admin.CappedCountPaginator.cap", 2)
    make_log()
    make_log()

    html = staff_client.get(reverse("admin:logs_app_llmlog_changelist")).content.decode()

    assert "more than 2 LLM logs" in html


def test_changelist_exact_count_under_the_cap(staff_client, data):
    html = staff_client.get(reverse("admin:logs_app_llmlog_changelist")).content.decode()

    assert "1 LLM log\n" in html
