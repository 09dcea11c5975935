"""Feedback: the form on the run page and save_feedback() from code share one validation."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from logs_app.feedback import save_feedback
from logs_app.forms import MAX_COMMENTS_CHARS
from logs_app.models import Feedback
from tests.factories import make_log

pytestmark = pytest.mark.django_db


def feedback_url(log):
    return f"/logs/{log.pk}/feedback/"


class TestForm:
    def test_thumbs_down_with_reference_answer_is_saved_and_redirects(self, reviewer_client, reviewer):
        log = make_log()

        response = reviewer_client.post(
            feedback_url(log),
            {"verdict": "bad", "comments": "Did not search.", "reference_answer": "Use CAST(x AS INT64)."},
        )

        assert response.status_code == 302
        assert response["Location"] == f"/logs/{log.pk}/#feedback"
        entry = Feedback.objects.get(log=log)
        assert (entry.is_good, entry.comments, entry.reference_answer, entry.user) == (
            False,
            "Did not search.",
            "Use CAST(x AS INT64).",
            reviewer,
        )

    def test_confirmation_message_after_the_redirect(self, reviewer_client):
        log = make_log()

        response = reviewer_client.post(feedback_url(log), {"verdict": "good"}, follow=True)

        assert b"Thanks, your feedback on this run was saved." in response.content
        assert b"<strong>Thumbs up: good</strong>" in response.content  # listed under Feedback

    def test_missing_verdict_shows_the_error_next_to_the_field(self, reviewer_client):
        log = make_log()

        response = reviewer_client.post(feedback_url(log), {"comments": "kept"})

        assert response.status_code == 400
        assert response.context["form"].errors == {"verdict": ["Choose thumbs up or thumbs down."]}
        html = response.content.decode()
        assert html.index("Choose thumbs up or thumbs down.") > html.index("<legend>Verdict</legend>")
        assert "kept</textarea>" in html  # what was typed is kept
        assert not Feedback.objects.exists()

    def test_unknown_verdict_and_overlong_comment_are_refused(self, reviewer_client):
        log = make_log()

        response = reviewer_client.post(
            feedback_url(log), {"verdict": "meh", "comments": "x" * (MAX_COMMENTS_CHARS + 1)}
        )

        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"verdict", "comments"}
        assert not Feedback.objects.exists()

    def test_nul_character_is_refused(self, reviewer_client):
        log = make_log()

        response = reviewer_client.post(feedback_url(log), {"verdict": "bad", "reference_answer": "a\x00b"})

        assert response.status_code == 400
        assert "reference_answer" in response.context["form"].errors

    def test_csrf_token_is_required(self, reviewer):
        log = make_log()
        client = Client(enforce_csrf_checks=True)
        client.force_login(reviewer)

        assert client.post(feedback_url(log), {"verdict": "bad"}).status_code == 403
        page = client.get(f"/logs/{log.pk}/")
        token = page.context["csrf_token"]
        assert client.post(feedback_url(log), {"verdict": "bad", "csrfmiddlewaretoken": str(token)}).status_code == 302

    def test_anonymous_post_is_refused(self, client):
        log = make_log()

        response = client.post(feedback_url(log), {"verdict": "bad"})

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert not Feedback.objects.exists()

    def test_feedback_on_a_missing_run_is_404(self, reviewer_client):
        assert reviewer_client.post("/logs/424242/feedback/", {"verdict": "bad"}).status_code == 404


class TestSaveFeedback:
    def test_stores_like_the_form(self, reviewer):
        log = make_log()

        entry = save_feedback(log.pk, False, comments="  Wrong.  ", reference_answer="Right answer.", user=reviewer)

        entry.refresh_from_db()
        assert (entry.log_id, entry.is_good, entry.comments, entry.reference_answer, entry.user) == (
            log.pk,
            False,
            "Wrong.",
            "Right answer.",
            reviewer,
        )

    def test_without_user_or_text(self):
        log = make_log()

        entry = save_feedback(log.pk, True)

        assert (entry.is_good, entry.comments, entry.reference_answer, entry.user) == (True, "", "", None)

    @pytest.mark.parametrize("is_good", [None, "yes", 1])
    def test_verdict_must_be_a_bool(self, is_good):
        log = make_log()

        with pytest.raises(ValidationError) as raised:
            save_feedback(log.pk, is_good)

        assert "is_good must be True (thumbs up) or False (thumbs down)" in str(raised.value)
        assert not Feedback.objects.exists()

    def test_too_long_comment_names_the_field(self):
        log = make_log()

        with pytest.raises(ValidationError) as raised:
            save_feedback(log.pk, False, comments="x" * (MAX_COMMENTS_CHARS + 1))

        assert list(raised.value.error_dict) == ["comments"]
        assert "at most 10000 characters" in str(raised.value)

    def test_nul_character_names_the_field(self):
        log = make_log()

        with pytest.raises(ValidationError) as raised:
            save_feedback(log.pk, False, reference_answer="a\x00b")

        assert list(raised.value.error_dict) == ["reference_answer"]

    @pytest.mark.parametrize("log_id", [987654, "not-a-number"])
    def test_unknown_run(self, log_id):
        with pytest.raises(ValidationError) as raised:
            save_feedback(log_id, False)

        assert "No run has id" in str(raised.value)

    @pytest.mark.parametrize(
        ("kwargs", "argument", "expected"),
        [
            ({"log_id": True}, "log_id", "not bool True"),
            ({"log_id": 1.0}, "log_id", "not float 1.0"),
            ({"log_id": 1.5}, "log_id", "not float 1.5"),
            ({"log_id": None}, "log_id", "not NoneType None"),
            ({"log_id": b"1"}, "log_id", "not bytes b'1'"),
            ({"log_id": [1]}, "log_id", "not list [1]"),
            ({"comments": ["a", "b"]}, "comments", "not list ['a', 'b']"),
            ({"comments": {"a": 1}}, "comments", "not dict {'a': 1}"),
            ({"comments": b"bytes"}, "comments", "not bytes b'bytes'"),
            ({"comments": 0}, "comments", "not int 0"),
            ({"reference_answer": ["x"]}, "reference_answer", "not list ['x']"),
            ({"reference_answer": False}, "reference_answer", "not bool False"),
            ({"comments": "a\ud800b"}, "comments", "unpaired surrogate '\\ud800' at character 2"),
            ({"reference_answer": "\udfff"}, "reference_answer", "unpaired surrogate '\\udfff' at character 1"),
            ({"user": "reviewer"}, "user", "not str 'reviewer'"),
            ({"user": 1}, "user", "not int 1"),
            ({"user": "unsaved"}, "user", "not User <User: someone>"),
            ({"user": "deleted"}, "user", "not User <User: gone>"),
        ],
    )
    def test_bad_argument_is_rejected(self, django_user_model, kwargs, argument, expected):
        log = make_log()
        arguments = {"log_id": log.pk, "is_good": False, **kwargs}
        if kwargs.get("user") == "unsaved":
            arguments["user"] = django_user_model(username="someone")
        elif kwargs.get("user") == "deleted":
            arguments["user"] = django_user_model.objects.create_user("gone")
            django_user_model.objects.filter(username="gone").delete()  # the object keeps its pk

        with pytest.raises(ValidationError) as raised:
            save_feedback(**arguments)

        assert list(raised.value.error_dict) == [argument]
        assert expected in raised.value.messages[0]
        assert not Feedback.objects.exists()

    def test_all_bad_arguments_named_together(self):
        with pytest.raises(ValidationError) as raised:
            save_feedback(1.0, True, comments=[], reference_answer={}, user="x")

        assert set(raised.value.error_dict) == {"log_id", "comments", "reference_answer", "user"}
        assert not Feedback.objects.exists()

    def test_digit_string_id_works(self, reviewer):
        log = make_log()

        assert save_feedback(str(log.pk), True, user=reviewer).log == log

    @pytest.mark.parametrize("log_id", [-1, 0, 2**63, 2**80, "٤٢", " 1", "9" * 5000])
    def test_odd_ids_are_unknown_runs(self, log_id):
        make_log()

        with pytest.raises(ValidationError) as raised:
            save_feedback(log_id, False)

        assert "No run has id" in str(raised.value)
        assert len(str(raised.value)) < 200
        assert not Feedback.objects.exists()

    def test_form_rejects_unpaired_surrogate(self):
        from logs_app.forms import FeedbackForm

        form = FeedbackForm({"verdict": "bad", "comments": "a\ud800b"})

        assert not form.is_valid()
        assert form.errors["comments"][0].startswith("The text contains an unpaired surrogate")

    def test_anonymous_user_is_not_recorded(self):
        from django.contrib.auth.models import AnonymousUser

        log = make_log()

        assert save_feedback(log.pk, True, user=AnonymousUser()).user is None
