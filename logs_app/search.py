"""Full-text search over a run's prompt and answer.

PostgreSQL matches against a GIN index on a tsvector expression; SQLite
matches against an FTS5 table that triggers keep in step with llm_logs. The
migration 0003_full_text_search creates both; the SQL here must match it.
"""

import logging
import re

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

logger = logging.getLogger(__name__)

# The tsvector expression, character for character as in the index, so that the
# planner uses the index. Each text is capped because a tsvector can be at most
# 1 MB and a longer document would make the INSERT fail.
PG_DOCUMENT = (
    "to_tsvector('english'::regconfig, "
    "left(coalesce(\"llm_logs\".\"user_prompt\", ''), 100000) || ' ' || "
    'left(coalesce("llm_logs"."assistant_answer", \'\'), 100000))'
)

SQLITE_FTS_TABLE = "llm_logs_fts"
SQLITE_TRIGGERS = {
    "llm_logs_fts_insert": """
        CREATE TRIGGER llm_logs_fts_insert AFTER INSERT ON llm_logs BEGIN
            INSERT INTO llm_logs_fts(rowid, user_prompt, assistant_answer)
            VALUES (new.id, new.user_prompt, new.assistant_answer);
        END""",
    "llm_logs_fts_delete": """
        CREATE TRIGGER llm_logs_fts_delete AFTER DELETE ON llm_logs BEGIN
            INSERT INTO llm_logs_fts(llm_logs_fts, rowid, user_prompt, assistant_answer)
            VALUES ('delete', old.id, old.user_prompt, old.assistant_answer);
        END""",
    "llm_logs_fts_update": """
        CREATE TRIGGER llm_logs_fts_update AFTER UPDATE OF user_prompt, assistant_answer ON llm_logs BEGIN
            INSERT INTO llm_logs_fts(llm_logs_fts, rowid, user_prompt, assistant_answer)
            VALUES ('delete', old.id, old.user_prompt, old.assistant_answer);
            INSERT INTO llm_logs_fts(rowid, user_prompt, assistant_answer)
            VALUES (new.id, new.user_prompt, new.assistant_answer);
        END""",
}

_WORD = re.compile(r"\w+", re.UNICODE)


def search_logs(queryset, text):
    """Narrow an LLMLog queryset to runs whose prompt or answer match the words in text.

    Every word must match (in any order); stemming makes "errors" find "error".
    Text without any word leaves the queryset as it is.
    """
    text = (text or "").strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        sql = f"{PG_DOCUMENT} @@ websearch_to_tsquery('english'::regconfig, %s)"
        params = [text]
    else:
        query = sqlite_match_query(text)
        if not query:
            return queryset
        sql = f'"llm_logs"."id" IN (SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH %s)'
        params = [query]
    return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))


def sqlite_match_query(text):
    """Turn what a user typed into an FTS5 query: each word quoted, all required.

    Quoting keeps FTS5 operators and punctuation in user input from being read
    as query syntax (an unbalanced quote or a bare NEAR would be an error).
    """
    return " ".join(f'"{word}"' for word in _WORD.findall(text))


def repair_sqlite_index(using=DEFAULT_DB_ALIAS, **kwargs):
    """Recreate the FTS5 triggers if a table rebuild dropped them, then reindex.

    On SQLite, Django applies some schema changes by copying llm_logs into a new
    table and dropping the old one, which drops its triggers too. Run after every
    migrate (post_migrate), so a later migration cannot silently stop indexing.
    """
    db = connections[using]
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if SQLITE_FTS_TABLE not in present or "llm_logs" not in present:
            return
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if not missing:
            return
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        cursor.execute(f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}) VALUES ('rebuild')")
    logger.warning("Recreated full-text search triggers %s and rebuilt the search index.", ", ".join(missing))
