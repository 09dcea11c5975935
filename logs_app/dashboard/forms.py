"""The dashboard's range and filter form, read from the query string."""

from django import forms
from django.utils import timezone

from logs_app.dashboard.queries import RunFilter
from logs_app.dashboard.ranges import DEFAULT_PRESET, PRESETS, custom_range, preset_range
from logs_app.ingest.formats.common import EARLIEST_TIME, LATEST_TIME
from logs_app.models import LLMLog, distinct_values

CUSTOM = "custom"
RANGE_CHOICES = [(name, label) for name, (label, _length, _size) in PRESETS.items()] + [(CUSTOM, "Custom")]
ANY = [("", "any")]
# Ingestion reads run times outside [EARLIEST_TIME, LATEST_TIME) as unknown, so no run lies outside this window.
OUTSIDE_KNOWN_TIMES = (
    f"Enter a time from {EARLIEST_TIME:%Y-%m-%d} to {LATEST_TIME:%Y-%m-%d} (UTC), "
    "because runs have no known time outside that window."
)


class DashboardForm(forms.Form):
    range = forms.ChoiceField(choices=RANGE_CHOICES, required=False, initial=DEFAULT_PRESET)
    start = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Included.",
    )
    end = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Excluded.",
    )
    provider = forms.ChoiceField(required=False)
    model = forms.ChoiceField(required=False)
    agent = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, column in (("provider", "provider"), ("model", "model"), ("agent", "agent_name")):
            self.fields[name].choices = ANY + [(value, value) for value in distinct_values(LLMLog, column)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("range") != CUSTOM:
            return cleaned

        # Buckets are counted in whole seconds from the start, so both ends are cut to the second.
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None:
            start = cleaned["start"] = start.replace(microsecond=0)
        if end is not None:
            end = cleaned["end"] = end.replace(microsecond=0)
        for name, moment in (("start", start), ("end", end)):
            if moment is not None and not EARLIEST_TIME <= moment <= LATEST_TIME:
                self.add_error(name, OUTSIDE_KNOWN_TIMES)  # add_error also removes the field from cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", "Enter the start of the custom range.")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Enter the end of the custom range.")
        if start and end and end <= start:
            self.add_error("end", "The end must be after the start.")
        return cleaned

    def selection(self, now=None):
        """Return the (TimeRange, RunFilter) that the form requests.

        An invalid or unbound form gives the default range without filters.
        """
        if not self.is_bound or not self.is_valid():
            return preset_range(DEFAULT_PRESET, timezone.localtime(now)), RunFilter()

        data = self.cleaned_data
        run_filter = RunFilter(provider=data["provider"], model=data["model"], agent_name=data["agent"])
        if data["range"] == CUSTOM:
            return custom_range(data["start"], data["end"]), run_filter
        return preset_range(data["range"] or DEFAULT_PRESET, timezone.localtime(now)), run_filter
