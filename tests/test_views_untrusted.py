"""Log content is untrusted: HTML, scripts and javascript: URLs show as text on every page and in the admin."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from logs_app.models import FailedFile
from tests.factories import make_check, make_feedback, make_log, search_timeline

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
JS_LINK = "[click me](javascript:alert(3))"
RAW_JS_ANCHOR = '<a href="javascript:alert(4)">x</a>'
HOSTILE = f"{SCRIPT} {IMG} {JS_LINK} {RAW_JS_ANCHOR}"


@pytest.fixture
def hostile():
    log = make_log(
        agent_name=f"agent{SCRIPT}",
        provider=f"prov{IMG}",
        model="javascript:alert(5)",
        user_prompt=f"prompt {HOSTILE}",
        instructions=f"instructions {HOSTILE}",
        assistant_answer=f"answer {HOSTILE}",
        filepath=f"logs/{IMG}.json",
        cost_unknown_reason=f"reason {SCRIPT}",
        total_cost=None,
        timeline=search_timeline(
            f"prompt {HOSTILE}", f"answer {HOSTILE}", tool_return=f"tool {HOSTILE}", args={"q": SCRIPT}
        ),
    )
    make_check(log, "tool_call_search", passed=False, details=f"details {HOSTILE}")
    make_feedback(log, is_good=False, comments=f"comment {HOSTILE}", reference_answer=f"ref {HOSTILE}")
    failed = FailedFile.objects.create(original_path=f"logs/{SCRIPT}.json", reason=f"reason {HOSTILE}")
    return log, failed


class ActiveContent(HTMLParser):
    """Collects what a browser would act on: script elements, event handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # The admin's own scripts and icons come from this site's paths or are JSON data.
        src = attributes.get("src") or ""
        own = (src.startswith("/") and not src.startswith("//")) or attributes.get("type") == "application/json"
        if tag in ("script", "img", "iframe", "object", "embed") and not own:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag} {name}={value}")


def assert_inert(html):
    parser = ActiveContent()
    parser.feed(html)
    assert parser.found == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_list_page(reviewer_client, hostile):
    html = reviewer_client.get("/logs/").content.decode()

    assert_inert(html)


def test_detail_page(reviewer_client, hostile):
    log, _ = hostile

    html = reviewer_client.get(f"/logs/{log.pk}/").content.decode()

    assert_inert(html)
    assert "tool &lt;script&gt;alert(1)&lt;/script&gt;" in html  # the tool return
    assert "[click me](javascript:alert(3))" in html  # the Markdown link stays text


def test_admin_changelists(staff_client, hostile):
    for name in ("llmlog", "evalcheck", "feedback", "failedfile"):
        html = staff_client.get(reverse(f"admin:logs_app_{name}_changelist")).content.decode()
        assert_inert(html)


def test_admin_change_pages(staff_client, hostile):
    log, failed = hostile
    check = log.checks.get()
    feedback = log.feedback.get()

    for name, pk in (("llmlog", log.pk), ("evalcheck", check.pk), ("feedback", feedback.pk), ("failedfile", failed.pk)):
        html = staff_client.get(reverse(f"admin:logs_app_{name}_change", args=[pk])).content.decode()
        assert_inert(html)


@pytest.mark.parametrize("html", [SCRIPT, IMG, RAW_JS_ANCHOR, '<iframe src="https://example.org">'])
def test_the_checker_itself_catches_active_content(html):
    parser = ActiveContent()
    parser.feed(html)

    assert parser.found


RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.fixture
def reversed_name():
    return make_log(
        user_prompt=f"open invoice{RIGHT_TO_LEFT_OVERRIDE}gnp.exe",
        filepath=f"logs/report{RIGHT_TO_LEFT_OVERRIDE}nosj.exe",
        raw_json='{"user_prompt": "open invoice\\u202egnp.exe"}',
    )


def test_direction_controls_shown_as_codes(reviewer_client, staff_client, reversed_name):
    pages = [
        reviewer_client.get(reverse("logs_app:list")),
        reviewer_client.get(reverse("logs_app:detail", args=[reversed_name.pk])),
        staff_client.get(reverse("admin:logs_app_llmlog_change", args=[reversed_name.pk])),
    ]

    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        assert RIGHT_TO_LEFT_OVERRIDE not in text
        assert "invoice[U+202E]gnp.exe" in text


def test_raw_download_keeps_direction_controls(reviewer_client, reversed_name):
    response = reviewer_client.get(reverse("logs_app:raw_json", args=[reversed_name.pk]))

    assert response.content == reversed_name.raw_json.encode()
