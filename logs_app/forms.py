"""The feedback form, shared by the detail page and logs_app.feedback.save_feedback."""

from django import forms
from django.core.exceptions import ValidationError

VERDICT_CHOICES = [("good", "Thumbs up: good"), ("bad", "Thumbs down: bad")]
VERDICTS = {"good": True, "bad": False}

MAX_COMMENTS_CHARS = 10_000
MAX_REFERENCE_ANSWER_CHARS = 100_000


def validate_encodable(text):
    """Reject text with an unpaired surrogate such as "\\ud800", because it has no UTF-8 form to store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValidationError(
            "The text contains an unpaired surrogate %(char)s at character %(position)s, which is invalid Unicode. "
            "Remove it or fix how the text was decoded.",
            code="unpaired_surrogate",
            params={"char": ascii(text[error.start]), "position": error.start + 1},
        ) from None


class FeedbackForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=VERDICT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose thumbs up or thumbs down."},
    )
    comments = forms.CharField(
        required=False,
        max_length=MAX_COMMENTS_CHARS,
        validators=[validate_encodable],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was good or wrong about this run (optional).",
    )
    reference_answer = forms.CharField(
        required=False,
        max_length=MAX_REFERENCE_ANSWER_CHARS,
        validators=[validate_encodable],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The answer the agent should have given (optional).",
    )

    @property
    def is_good(self):
        return VERDICTS[self.cleaned_data["verdict"]]
