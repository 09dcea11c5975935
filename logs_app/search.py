"""Full-text search over a run's prompt and answer.

PostgreSQL matches against llm_logs.search_document, a stored tsvector column
with a GIN index (migration 0005). SQLite matches against an FTS5 table that
triggers keep in step with llm_logs (migration 0003); the trigger SQL here must
match that migration.
"""

import json
import logging
import re

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

logger = logging.getLogger(__name__)

PG_MATCH = '"llm_logs"."search_document" @@ websearch_to_tsquery(\'english\'::regconfig, %s)'
# Up to this many matches, PostgreSQL narrows the list to their ids first.
PG_RARE_MATCHES = 1000
# A word whose planner estimate reaches this many matches is common without probing for its ids.
PG_COMMON_ESTIMATE = 10 * PG_RARE_MATCHES

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
        return _pg_search(queryset, text)

    query = sqlite_match_query(text)
    if not query:
        return queryset
    sql = f'"llm_logs"."id" IN (SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH %s)'
    return queryset.filter(RawSQL(sql, [query], output_field=BooleanField()))


def _pg_search(queryset, text):
    # The planner cannot tell how rare a word is when its statistics missed it, and
    # guessing "common" means reading the whole table in sort order to fill one page
    # (about a second at a million rows). So first fetch up to PG_RARE_MATCHES + 1
    # matching ids: a rare word becomes an id list, and only a common word, which
    # fills a page fast, stays a filter. The probe checks a few thousand rows for a
    # common word (about 45 ms at a million rows), so it is skipped when the
    # statistics already estimate the word as common. A word missing from the
    # sampled most-common list gets a low estimate, so a high one comes from a word
    # the sample saw often.
    # NOTE: statistics from before a large delete can still call a word common. The rows
    # are then right, but the "more than N" count stays wrong until ANALYZE runs.
    if _pg_estimated_matches(text) >= PG_COMMON_ESTIMATE:
        return queryset.filter(RawSQL(PG_MATCH, [text], output_field=BooleanField()))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM llm_logs WHERE {PG_MATCH} LIMIT %s", [text, PG_RARE_MATCHES + 1])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= PG_RARE_MATCHES:
        return queryset.filter(pk__in=ids)
    return queryset.filter(RawSQL(PG_MATCH, [text], output_field=BooleanField()))


def _pg_estimated_matches(text):
    """Return the planner's estimate of how many runs match text (EXPLAIN only plans; it reads no rows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT id FROM llm_logs WHERE {PG_MATCH}", [text])
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


def is_common(text):
    """Say whether PostgreSQL's statistics put text in at least PG_COMMON_ESTIMATE runs; always False on SQLite.

    The list then shows "more than N" for a search alone without counting, because the
    capped count still checks a few thousand rows (33-77 ms at a million runs, measured with bench/pages.py).
    """
    text = (text or "").strip()
    return bool(text) and connection.vendor == "postgresql" and _pg_estimated_matches(text) >= PG_COMMON_ESTIMATE


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
    logger.info("Recreated full-text search triggers %s and rebuilt the search index.", ", ".join(missing))
