"""Column compression on PostgreSQL: new raw_json and timeline values use lz4, which ingests faster than pglz."""

import pytest
from django.db import connection

from logs_app.models import LLMLog


def _compression_of(column):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'llm_logs'::regclass AND attname = %s", [column]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_large_columns_use_lz4_on_postgresql():
    assert _compression_of("raw_json") == "l"
    assert _compression_of("timeline") == "l"


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_raw_json_stored_as_lz4_reads_back_whole():
    raw = '{"messages": [' + ", ".join(f'{{"n": {index}, "text": "search result"}}' for index in range(5000)) + "]}"
    log = LLMLog.objects.create(created_at="2026-01-01T00:00:00Z", content_hash="lz4-test", raw_json=raw)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(raw_json), pg_column_size(raw_json) FROM llm_logs WHERE id = %s", [log.pk]
        )
        method, stored_bytes = cursor.fetchone()
    assert method == "lz4"
    assert stored_bytes < len(raw) / 2

    assert LLMLog.objects.get(pk=log.pk).raw_json == raw
