"""Filters of the run list. Each one maps to a named LLMLogQuerySet method or a plain field lookup."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from logs_app.models import EvalCheck, LLMLog, distinct_values
from logs_app.search import search_logs

FEEDBACK_CHOICES = [("good", "Thumbs up"), ("bad", "Thumbs down"), ("none", "No feedback")]
YES_NO = [("yes", "Yes"), ("no", "No")]
# The failed_check value for runs with at least one failed check; check names are snake_case words, never "*".
ANY_CHECK = "*"


class MomentField(forms.Field):
    """A date (2026-01-31) or an ISO 8601 date and time. Naive times are in the current time zone."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        # A date alone is tried first, since parse_datetime also reads "2026-01-31" as midnight.
        try:
            day = parse_date(text)
            moment = None if day else parse_datetime(text)
        except ValueError:
            moment = day = None
        if day is not None:
            return day
        if moment is not None:
            return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        raise ValidationError(
            f"Enter a date such as 2026-01-31 or a date and time such as 2026-01-31T09:30, not {text!r}.",
            code="invalid",
        )


def start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class MomentFilter(django_filters.Filter):
    """A bound on the run time. "From" includes its moment. "To" excludes it, but includes a whole day given as a date.

    The dashboard links to half-open ranges [start, end) with exact date-times,
    and a person who types "to 2026-01-31" means that day too.
    """

    field_class = MomentField

    def __init__(self, *args, upper=False, **kwargs):
        self.upper = upper
        super().__init__(*args, field_name="created_at", **kwargs)

    def filter(self, queryset, value):
        if value is None:
            return queryset
        if isinstance(value, date) and not isinstance(value, datetime):
            value = start_of_day(value + timedelta(days=1) if self.upper else value)
        if self.upper:
            return queryset.filter(created_at__lt=value)
        return queryset.filter(created_at__gte=value)


class LLMLogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "words in prompt or answer"}),
    )
    provider = django_filters.ChoiceFilter(empty_label="any")
    model = django_filters.ChoiceFilter(empty_label="any")
    agent = django_filters.ChoiceFilter(field_name="agent_name", label="Agent", empty_label="any")
    created_after = MomentFilter(label="From", widget=forms.TextInput(attrs={"placeholder": "2026-01-31 or …T09:30"}))
    created_before = MomentFilter(
        label="To", upper=True, widget=forms.TextInput(attrs={"placeholder": "2026-01-31 or …T17:00"})
    )
    failed_check = django_filters.ChoiceFilter(label="Failed check", method="filter_failed_check", empty_label="any")
    feedback = django_filters.ChoiceFilter(
        label="Feedback", choices=FEEDBACK_CHOICES, method="filter_feedback", empty_label="any"
    )
    reference = django_filters.ChoiceFilter(
        label="Has reference answer", choices=YES_NO, method="filter_reference", empty_label="any"
    )
    unknown_cost = django_filters.ChoiceFilter(
        label="Cost unknown", choices=YES_NO, method="filter_unknown_cost", empty_label="any"
    )

    class Meta:
        model = LLMLog
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are read once per request, from the indexes, not per validation or render.
        for name, model, field_name in (
            ("provider", LLMLog, "provider"),
            ("model", LLMLog, "model"),
            ("agent", LLMLog, "agent_name"),
            ("failed_check", EvalCheck, "check_name"),
        ):
            self.filters[name].extra["choices"] = [(value, value) for value in distinct_values(model, field_name)]
        self.filters["failed_check"].extra["choices"].insert(0, (ANY_CHECK, "any check"))

    def filter_search(self, queryset, name, value):
        return search_logs(queryset, value)

    def filter_failed_check(self, queryset, name, value):
        return queryset.with_failed_check(None if value == ANY_CHECK else value)

    def filter_feedback(self, queryset, name, value):
        if value == "none":
            return queryset.without_feedback()
        return queryset.with_feedback(value == "good")

    def filter_reference(self, queryset, name, value):
        return queryset.with_reference_answer(present=value == "yes")

    def filter_unknown_cost(self, queryset, name, value):
        return queryset.with_unknown_cost() if value == "yes" else queryset.exclude(total_cost__isnull=True)
