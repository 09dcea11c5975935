"""Filters of the run list. Each one maps to a named LLMLogQuerySet method or a plain field lookup."""

import django_filters
from django import forms

from logs_app.models import EvalCheck, LLMLog, distinct_values
from logs_app.search import search_logs

FEEDBACK_CHOICES = [("good", "Thumbs up"), ("bad", "Thumbs down"), ("none", "No feedback")]
YES_NO = [("yes", "Yes"), ("no", "No")]


class LLMLogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "words in prompt or answer"}),
    )
    provider = django_filters.ChoiceFilter(empty_label="any")
    model = django_filters.ChoiceFilter(empty_label="any")
    agent = django_filters.ChoiceFilter(field_name="agent_name", label="Agent", empty_label="any")
    created = django_filters.DateFromToRangeFilter(
        field_name="created_at",
        label="Run date",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
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

    def filter_search(self, queryset, name, value):
        return search_logs(queryset, value)

    def filter_failed_check(self, queryset, name, value):
        return queryset.with_failed_check(value)

    def filter_feedback(self, queryset, name, value):
        if value == "none":
            return queryset.without_feedback()
        return queryset.with_feedback(value == "good")

    def filter_reference(self, queryset, name, value):
        return queryset.with_reference_answer(present=value == "yes")

    def filter_unknown_cost(self, queryset, name, value):
        return queryset.with_unknown_cost() if value == "yes" else queryset.exclude(total_cost__isnull=True)
