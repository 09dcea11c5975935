"""Links from dashboard figures to the run list, filtered to the runs behind each figure.

The query parameter names and values are those of logs_app.filters.LLMLogFilter.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

LIST_URL_NAME = "logs_app:list"


def format_list_datetime(value):
    """Format ``value`` as a naive ISO 8601 datetime in the current time zone, which the list form expects."""
    local = timezone.localtime(value).replace(tzinfo=None)
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


def list_url(start, end, run_filter, **extra):
    """Return the list URL for runs in ``[start, end)`` that match ``run_filter`` and the ``extra`` list filters.

    ``extra`` takes list parameter names: model, agent, failed_check, feedback, unknown_cost.
    """
    params = {
        "provider": run_filter.provider,
        "model": run_filter.model,
        "agent": run_filter.agent_name,
        "created_after": format_list_datetime(start),
        "created_before": format_list_datetime(end),
    }
    params.update(extra)
    return f"{reverse(LIST_URL_NAME)}?{urlencode({name: value for name, value in params.items() if value})}"


def range_url(time_range, run_filter, **extra):
    return list_url(time_range.start, time_range.end, run_filter, **extra)


def bucket_url(bucket, run_filter, **extra):
    return list_url(bucket.start, bucket.end, run_filter, **extra)
