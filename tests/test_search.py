"""Full-text search over prompt and answer: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

import pytest
from django.db import connection

from logs_app.models import LLMLog
from logs_app.search import PG_MATCH, repair_sqlite_index, search_logs, sqlite_match_query
from tests.factories import make_log

pytestmark = pytest.mark.django_db


def found(text):
    return set(search_logs(LLMLog.objects.all(), text).values_list("pk", flat=True))


@pytest.fixture
def runs():
    return {
        "docker": make_log(user_prompt="Why is my Docker volume empty?", assistant_answer="Mount it with -v."),
        "sql": make_log(user_prompt="How do I cast a string?", assistant_answer="Use CAST(x AS INT64) in BigQuery."),
        "joins": make_log(user_prompt="Explain joins", assistant_answer="A join combines two tables."),
    }


def test_matches_prompt_and_answer(runs):
    assert found("docker") == {runs["docker"].pk}
    assert found("bigquery") == {runs["sql"].pk}


def test_all_words_must_match_in_any_order(runs):
    assert found("cast bigquery") == {runs["sql"].pk}
    assert found("bigquery docker") == set()


def test_word_forms_match(runs):
    assert found("join") == {runs["joins"].pk}
    assert found("volumes") == {runs["docker"].pk}


def test_blank_search_changes_nothing(runs):
    assert found("   ") == set(LLMLog.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("text", ['"unbalanced', "NEAR(", "a AND OR", "*", "x:y", "(docker", "-docker", "😀"])
def test_query_syntax_in_user_input_never_errors(runs, text):
    search_logs(LLMLog.objects.all(), text).count()


def test_index_follows_updates_and_deletes(runs):
    log = runs["docker"]
    log.user_prompt = "Kubernetes pods restart"
    log.save()

    assert found("kubernetes") == {log.pk}
    assert found("docker") == set()

    log.delete()
    assert found("kubernetes") == set()


def test_list_page_search(reviewer_client, runs):
    response = reviewer_client.get("/logs/", {"q": "docker"})

    assert [row.record.pk for row in response.context["table"].page.object_list] == [runs["docker"].pk]


def test_postgres_finds_ids_through_the_gin_index(runs):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT id FROM llm_logs WHERE {PG_MATCH} LIMIT 10", ["docker"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "llm_logs_search_document" in plan


def test_postgres_common_words_filter_rows_instead_of_ids(runs, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr("logs_app.search.PG_RARE_MATCHES", 0)

    queryset = search_logs(LLMLog.objects.all(), "docker")

    assert "search_document" in str(queryset.query)
    assert set(queryset.values_list("pk", flat=True)) == {runs["docker"].pk}


def test_postgres_rare_words_become_an_id_list(runs):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")

    queryset = search_logs(LLMLog.objects.all(), "docker")

    assert "search_document" not in str(queryset.query)
    assert set(queryset.values_list("pk", flat=True)) == {runs["docker"].pk}


def test_sqlite_query_quotes_every_word():
    assert sqlite_match_query('docker "volume" NEAR(x') == '"docker" "volume" "NEAR" "x"'


def test_sqlite_triggers_are_recreated_after_a_table_rebuild(runs):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER llm_logs_fts_insert")
    make_log(user_prompt="missed while the trigger was gone: zeppelin")
    assert found("zeppelin") == set()

    repair_sqlite_index()

    assert len(found("zeppelin")) == 1
    make_log(user_prompt="another zeppelin")
    assert len(found("zeppelin")) == 2


def test_postgres_common_estimate_skips_id_probe(runs, monkeypatch, django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr("logs_app.search.PG_COMMON_ESTIMATE", 0)

    with django_assert_num_queries(1):  # the EXPLAIN alone
        queryset = search_logs(LLMLog.objects.all(), "docker")

    assert "search_document" in str(queryset.query)
    assert set(queryset.values_list("pk", flat=True)) == {runs["docker"].pk}


def test_postgres_common_word_alone_is_not_counted(reviewer_client, runs, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr("logs_app.search.PG_COMMON_ESTIMATE", 0)

    alone = reviewer_client.get("/logs/", {"q": "docker"})
    with_filter = reviewer_client.get("/logs/", {"q": "docker", "provider": runs["docker"].provider})

    assert alone.context["count_capped"] is True
    assert with_filter.context["count_capped"] is False
    assert with_filter.context["matching"] == 1
