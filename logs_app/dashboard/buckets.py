"""A database expression that numbers the bucket of a timestamp, on SQLite and PostgreSQL.

Django's Trunc functions cannot express 5-minute or 6-hour buckets, so the
bucket number is computed from the epoch seconds: ``floor((t - origin) / size)``.
"""

from django.db import NotSupportedError
from django.db.models import BigIntegerField, Func


class BucketIndex(Func):
    """The number of the ``size``-second bucket, counted from ``origin``, that a datetime column falls in."""

    output_field = BigIntegerField()

    def __init__(self, expression, origin, size):
        if origin.microsecond:
            raise ValueError(f"Invalid bucket origin {origin}: it must be a whole second.")
        super().__init__(expression)
        self.origin_seconds = int(origin.timestamp())
        self.size_seconds = int(size)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(
            f"Dashboard buckets are not implemented for the {connection.vendor} database; use SQLite or PostgreSQL."
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores aware datetimes as UTC text "YYYY-MM-DD HH:MM:SS.ffffff".
        # The fraction is cut off before strftime, which would round
        # 09:59:59.9999 up into the next second and so into the next bucket.
        # Cutting is a floor for times after the origin, and so is the integer
        # division below for every row in range.
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"((CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) - %s) / %s)"
        return sql, (*params, self.origin_seconds, self.size_seconds)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"CAST(FLOOR((EXTRACT(EPOCH FROM {column}) - %s) / %s) AS BIGINT)"
        return sql, (*params, self.origin_seconds, self.size_seconds)
