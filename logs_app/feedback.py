"""Record feedback on a run, from the detail page or from code.

    from logs_app.feedback import save_feedback
    save_feedback(42, is_good=False, reference_answer="Use CAST(x AS INT64).")

Both paths validate through FeedbackForm, so code cannot store what the page would refuse.
save_feedback also checks the types of its arguments first, because the form would turn
any value into text (a list into its repr) and the database would take a bool as an id.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from logs_app.forms import FeedbackForm
from logs_app.models import Feedback, LLMLog

# Error messages show at most this many characters of a bad value.
MAX_ERROR_VALUE_CHARS = 60


def save_feedback(log_id, is_good, comments=None, reference_answer=None, user=None):
    """Store a verdict on run log_id and return the new Feedback.

    log_id is the run's id, an int (a string of digits also works). is_good is
    True (thumbs up) or False (thumbs down). comments and reference_answer are
    str or None. user is None, an anonymous user (not recorded) or a saved User.
    Raises ValidationError that names the argument and the problem when a value
    is invalid or the run does not exist; nothing is stored then.
    """
    if not isinstance(is_good, bool):
        raise ValidationError({"is_good": f"is_good must be True (thumbs up) or False (thumbs down), not {is_good!r}."})
    errors = {}
    for name, value in (("comments", comments), ("reference_answer", reference_answer)):
        if value is not None and not isinstance(value, str):
            errors[name] = f"{name} must be text (str) or None, not {_describe(value)}."
    if not _is_user_or_none(user):
        errors["user"] = f"user must be None or a saved {get_user_model().__name__}, not {_describe(user)}."
    if not isinstance(log_id, int | str) or isinstance(log_id, bool):
        errors["log_id"] = f"log_id must be a run's id (an int), not {_describe(log_id)}."
    if errors:
        raise ValidationError(errors)

    form = FeedbackForm(
        {
            "verdict": "good" if is_good else "bad",
            "comments": comments or "",
            "reference_answer": reference_answer or "",
        }
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())

    log = _find_run(log_id)
    if log is None:
        described_id = _describe(log_id) if isinstance(log_id, str) else log_id
        raise ValidationError({"log_id": f"No run has id {described_id}; check the id on the run's page."})
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


def _find_run(log_id):
    """Return the run with id log_id (an int, or a str of ASCII digits), or None."""
    if isinstance(log_id, str):
        # str.isdigit() also accepts digits of other scripts, which int() would read as a number.
        if not (log_id.isascii() and log_id.isdigit()):
            return None
        try:
            log_id = int(log_id)
        except ValueError:  # Python rejects int strings over 4300 digits by default, and no id is that long.
            return None
    return LLMLog.objects.only("pk").filter(pk=log_id).first()


def _is_user_or_none(user):
    if user is None or isinstance(user, AnonymousUser):
        return True
    user_model = get_user_model()
    if not isinstance(user, user_model) or user.pk is None:
        return False
    # A User object whose row was deleted would fail only at the insert, as an IntegrityError.
    return user_model.objects.filter(pk=user.pk).exists()


def _describe(value):
    """Name the type of value and show the start of its repr, for an error message."""
    shown = repr(value)
    if len(shown) > MAX_ERROR_VALUE_CHARS:
        shown = shown[:MAX_ERROR_VALUE_CHARS] + "..."
    return f"{type(value).__name__} {shown}"
