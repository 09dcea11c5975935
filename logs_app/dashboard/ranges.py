"""Time ranges of the dashboard and the buckets they are split into.

A range is half-open: a run at exactly ``start`` is inside, a run at exactly
``end`` is not. Buckets are half-open the same way and counted from ``start``,
so bucket ``i`` covers ``[start + i * size, start + (i + 1) * size)``. Only the
last bucket of a custom range may be shorter, because it stops at ``end``.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Preset name -> (label, length of the range, bucket size in seconds).
PRESETS = {
    "hour": ("Last hour", timedelta(hours=1), 5 * MINUTE),
    "day": ("Last day", timedelta(days=1), HOUR),
    "week": ("Last week", timedelta(days=7), 6 * HOUR),
    "30d": ("Last 30 days", timedelta(days=30), DAY),
}
DEFAULT_PRESET = "day"

# Bucket sizes tried, smallest first, for a custom range.
AUTO_BUCKET_SIZES = (5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY, 7 * DAY)
MAX_AUTO_BUCKETS = 96


@dataclass(frozen=True)
class Bucket:
    index: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class TimeRange:
    """A half-open interval ``[start, end)`` of run times, split into buckets of ``bucket_seconds``."""

    start: datetime
    end: datetime
    bucket_seconds: int

    def __post_init__(self):
        if self.end <= self.start:
            raise ValueError(f"Invalid time range: end {self.end} is not after start {self.start}.")
        if self.bucket_seconds <= 0:
            raise ValueError(f"Invalid bucket size {self.bucket_seconds}: it must be a positive number of seconds.")

    @property
    def bucket_count(self):
        return math.ceil((self.end - self.start).total_seconds() / self.bucket_seconds)

    def buckets(self):
        size = timedelta(seconds=self.bucket_seconds)
        buckets = []
        for index in range(self.bucket_count):
            start = self.start + index * size
            # Step from the bucket's start by at most what is left, so no moment past ``end`` is ever computed.
            buckets.append(Bucket(index, start, start + min(size, self.end - start)))
        return buckets


def preset_range(name, now):
    """Build the preset range ``name`` that ends at the end of the bucket containing ``now``.

    The end is rounded up to a bucket boundary of the wall clock of ``now``
    (its UTC offset applies), so hourly buckets start on the hour and daily
    buckets at midnight. The last bucket therefore contains the runs up to now.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown range {name!r}: use one of {', '.join(PRESETS)} or a custom start and end.")
    _label, length, size = PRESETS[name]

    # NOTE: boundaries use the UTC offset of ``now``; across a daylight saving
    # change, older daily buckets are one hour off the local midnight.
    offset = now.utcoffset().total_seconds() if now.utcoffset() is not None else 0
    local_seconds = now.timestamp() + offset
    end_seconds = math.floor(local_seconds / size) * size + size
    end = datetime.fromtimestamp(end_seconds - offset, tz=UTC).astimezone(now.tzinfo)
    return TimeRange(start=end - length, end=end, bucket_seconds=size)


def auto_bucket_seconds(start, end):
    """Pick the smallest standard bucket size that splits ``[start, end)`` into at most MAX_AUTO_BUCKETS."""
    span = (end - start).total_seconds()
    for size in AUTO_BUCKET_SIZES:
        if span / size <= MAX_AUTO_BUCKETS:
            return size
    return math.ceil(span / MAX_AUTO_BUCKETS / DAY) * DAY


def custom_range(start, end):
    """Build a range from a start and an end, with buckets sized to have at most MAX_AUTO_BUCKETS.

    When the buckets are an hour or longer, the range widens to whole hours of
    its time zone, so that bucket edges fall on the hour (and the hourly
    rollups can serve it).
    """
    if auto_bucket_seconds(start, end) >= HOUR:
        start = start.replace(minute=0, second=0, microsecond=0)
        if end.minute or end.second or end.microsecond:
            end = end.replace(minute=0, second=0, microsecond=0)
            try:
                end += timedelta(hours=1)
            except OverflowError:
                message = f"Invalid time range: end {end} plus one hour is past the latest time Python can represent."
                raise ValueError(message) from None
    return TimeRange(start=start, end=end, bucket_seconds=auto_bucket_seconds(start, end))
