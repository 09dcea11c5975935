"""Full-text search over prompt and answer: a GIN expression index on PostgreSQL, FTS5 on SQLite.

logs_app/search.py builds the queries; its PG_DOCUMENT and SQLite trigger SQL must match this file.
"""

from django.db import migrations

PG_CREATE = """
CREATE INDEX llm_logs_search ON llm_logs USING GIN (
    to_tsvector('english'::regconfig,
        left(coalesce("llm_logs"."user_prompt", ''), 100000) || ' ' ||
        left(coalesce("llm_logs"."assistant_answer", ''), 100000))
)
"""
PG_DROP = "DROP INDEX IF EXISTS llm_logs_search"

# An external-content table: the text lives once, in llm_logs; FTS5 keeps only the index.
SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE llm_logs_fts USING fts5(
        user_prompt, assistant_answer, content='llm_logs', content_rowid='id', tokenize='porter unicode61'
    )""",
    """CREATE TRIGGER llm_logs_fts_insert AFTER INSERT ON llm_logs BEGIN
        INSERT INTO llm_logs_fts(rowid, user_prompt, assistant_answer)
        VALUES (new.id, new.user_prompt, new.assistant_answer);
    END""",
    """CREATE TRIGGER llm_logs_fts_delete AFTER DELETE ON llm_logs BEGIN
        INSERT INTO llm_logs_fts(llm_logs_fts, rowid, user_prompt, assistant_answer)
        VALUES ('delete', old.id, old.user_prompt, old.assistant_answer);
    END""",
    """CREATE TRIGGER llm_logs_fts_update AFTER UPDATE OF user_prompt, assistant_answer ON llm_logs BEGIN
        INSERT INTO llm_logs_fts(llm_logs_fts, rowid, user_prompt, assistant_answer)
        VALUES ('delete', old.id, old.user_prompt, old.assistant_answer);
        INSERT INTO llm_logs_fts(rowid, user_prompt, assistant_answer)
        VALUES (new.id, new.user_prompt, new.assistant_answer);
    END""",
    "INSERT INTO llm_logs_fts(llm_logs_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS llm_logs_fts_insert",
    "DROP TRIGGER IF EXISTS llm_logs_fts_delete",
    "DROP TRIGGER IF EXISTS llm_logs_fts_update",
    "DROP TABLE IF EXISTS llm_logs_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("logs_app", "0002_list_sort_indexes"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [PG_CREATE], "sqlite": SQLITE_CREATE}),
            _run({"postgresql": [PG_DROP], "sqlite": SQLITE_DROP}),
        ),
    ]
