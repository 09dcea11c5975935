"""Record feedback on a run, from the detail page or from code.

    from logs_app.feedback import save_feedback
    save_feedback(42, is_good=False, reference_answer="Use CAST(x AS INT64).")

Both paths validate through FeedbackForm, so code cannot store what the page would refuse.
"""

from django.core.exceptions import ValidationError

from logs_app.forms import FeedbackForm
from logs_app.models import Feedback, LLMLog


def save_feedback(log_id, is_good, comments=None, reference_answer=None, user=None):
    """Store a verdict on run log_id and return the new Feedback.

    is_good is True (thumbs up) or False (thumbs down). Raises ValidationError
    that names the field and the problem when a value is invalid or the run
    does not exist.
    """
    if not isinstance(is_good, bool):
        raise ValidationError({"is_good": f"is_good must be True (thumbs up) or False (thumbs down), not {is_good!r}."})
    form = FeedbackForm(
        {
            "verdict": "good" if is_good else "bad",
            "comments": comments or "",
            "reference_answer": reference_answer or "",
        }
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())

    try:
        log = LLMLog.objects.only("pk").filter(pk=log_id).first()
    except (TypeError, ValueError):
        log = None
    if log is None:
        raise ValidationError({"log_id": f"No run has id {log_id!r}; check the id on the run's page."})
    return save_feedback_form(log, form, user=user)


def save_feedback_form(log, form, user=None):
    """Store the cleaned data of a valid FeedbackForm on log."""
    if user is not None and not user.is_authenticated:
        user = None
    return Feedback.objects.create(
        log=log,
        is_good=form.is_good,
        comments=form.cleaned_data["comments"],
        reference_answer=form.cleaned_data["reference_answer"],
        user=user,
    )
