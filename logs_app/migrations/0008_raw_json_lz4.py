"""Store new raw_json and timeline values with lz4 compression on PostgreSQL 14 and later.

A run's raw JSON and timeline are often tens of kilobytes, and PostgreSQL
compresses every such value on insert. lz4 costs the server about half the
CPU of the default pglz: in bench/ (300 logs of 100 KB, PostgreSQL 15) the
server spent 4.1 ms per log instead of 7.3 ms and ingest took 27% less wall
time, for 15% more table space (docs/benchmarks.md).

Only values written after this migration use lz4; existing rows stay as they
are and remain readable. Servers built without lz4, older servers and SQLite
are left unchanged.
"""

from django.db import migrations

COLUMNS = ("raw_json", "timeline")


def _lz4_available(cursor):
    cursor.execute(
        "SELECT current_setting('server_version_num')::int >= 140000 AND EXISTS ("
        " SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))"
    )
    return cursor.fetchone()[0]


def _set_compression(method):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            if not _lz4_available(cursor):
                return
        for column in COLUMNS:
            schema_editor.execute(f"ALTER TABLE llm_logs ALTER COLUMN {column} SET COMPRESSION {method}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("logs_app", "0007_llm_logs_cost_note"),
    ]

    operations = [
        migrations.RunPython(_set_compression("lz4"), _set_compression("pglz")),
    ]
