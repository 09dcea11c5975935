"""The /logs/ list: access, empty state, filters, sorting, paging, counts and query budget."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logs_app.views import COUNT_CAP
from tests.factories import BASE_TIME, make_check, make_feedback, make_log

URL = reverse("logs_app:list")

pytestmark = pytest.mark.django_db


def run_ids(response):
    return [row.record.pk for row in response.context["table"].page.object_list]


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL + "?provider=openai")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_post_is_not_allowed(reviewer_client):
    assert reviewer_client.post(URL).status_code == 405


def test_root_redirects_to_the_list(reviewer_client):
    response = reviewer_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == URL


def test_empty_database_shows_how_to_ingest(reviewer_client):
    response = reviewer_client.get(URL)

    assert response.status_code == 200
    assert b"No runs yet" in response.content
    assert b"manage.py ingest_logs" in response.content
    assert b"examples/logs" in response.content


def test_filters_without_matches_say_so_instead_of_the_onboarding_text(reviewer_client):
    make_log(provider="openai")

    response = reviewer_client.get(URL, {"unknown_cost": "yes"})

    assert b"No runs yet" not in response.content
    assert b"No runs match these filters." in response.content
    assert b"0 runs" in response.content


def test_row_shows_the_run_summary(reviewer_client):
    log = make_log(agent_name="faq_agent", model="gpt-4o-mini", duration_ms=6200, total_cost=Decimal("0.0123"))
    make_check(log, "tool_call_search", passed=False)
    make_check(log, "answer_not_empty", passed=True)
    make_check(log, "cites_source", passed=None)
    make_feedback(log, is_good=True, created_at=BASE_TIME)
    make_feedback(log, is_good=False, created_at=BASE_TIME + timedelta(hours=1))

    response = reviewer_client.get(URL)
    record = response.context["table"].page.object_list[0].record
    html = response.content.decode()

    assert (record.checks_passed, record.checks_failed, record.checks_not_applicable) == (1, 1, 1)
    assert (record.feedback_count, record.latest_verdict) == (2, False)
    assert "6.2 s" in html
    assert "$0.0123" in html
    assert "faq_agent" in html
    assert 'title="latest verdict of 2 entries">bad</span>' in html
    assert f'href="/logs/{log.pk}/"' in html


def test_unknown_cost_shows_its_reason(reviewer_client):
    make_log(total_cost=None, input_cost=None, output_cost=None, cost_unknown_reason="no price for model llama3")

    html = reviewer_client.get(URL).content.decode()

    assert 'title="no price for model llama3">unknown<' in html


def test_list_never_reads_raw_json_or_timeline(reviewer_client):
    make_log()

    with CaptureQueriesContext(connection) as queries:
        reviewer_client.get(URL)

    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "llm_logs" in sql
    assert "raw_json" not in sql
    assert "timeline" not in sql
    # The prompt is read as a short prefix, never whole.
    assert sql.count('"user_prompt"') == sql.count('("llm_logs"."user_prompt", 1, 200)') > 0


@pytest.mark.parametrize("rows", [5, 50])
def test_query_count_does_not_grow_with_rows(reviewer_client, django_assert_num_queries, rows):
    for index in range(rows):
        log = make_log(provider="openai" if index % 2 else "anthropic")
        make_check(log, "tool_call_search", passed=bool(index % 3))
        make_feedback(log, is_good=bool(index % 2), reference_answer="ref" if index % 4 == 0 else "")
    reviewer_client.get(URL)  # warm the session

    # session, user, 4 filter choice lists, the capped count, the page's ids, then the summaries of those rows only.
    with django_assert_num_queries(9):
        response = reviewer_client.get(URL, {"per_page": 50, "failed_check": "tool_call_search", "sort": "-total_cost"})

    assert len(run_ids(response)) == len([i for i in range(rows) if not i % 3])


class TestFilters:
    @pytest.fixture
    def runs(self):
        openai = make_log(provider="openai", model="gpt-4o-mini", agent_name="faq_agent", created_at=BASE_TIME)
        anthropic = make_log(
            provider="anthropic",
            model="claude-sonnet-4",
            agent_name="search_agent",
            created_at=BASE_TIME + timedelta(days=3),
            total_cost=None,
            cost_unknown_reason="unknown model",
        )
        groq = make_log(
            provider="groq",
            model="openai/gpt-oss-120b",
            agent_name="faq_agent",
            created_at=BASE_TIME + timedelta(days=10),
        )
        make_check(openai, "tool_call_search", passed=False)
        make_check(anthropic, "tool_call_search", passed=True)
        make_check(anthropic, "answer_not_empty", passed=False)
        make_feedback(openai, is_good=False, reference_answer="Use CAST.")
        make_feedback(anthropic, is_good=True)
        return {"openai": openai, "anthropic": anthropic, "groq": groq}

    def ids(self, client, **params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return set(run_ids(response))

    def test_provider(self, reviewer_client, runs):
        assert self.ids(reviewer_client, provider="anthropic") == {runs["anthropic"].pk}

    def test_model(self, reviewer_client, runs):
        assert self.ids(reviewer_client, model="openai/gpt-oss-120b") == {runs["groq"].pk}

    def test_agent(self, reviewer_client, runs):
        assert self.ids(reviewer_client, agent="faq_agent") == {runs["openai"].pk, runs["groq"].pk}

    def test_choices_come_from_the_data(self, reviewer_client, runs):
        form = reviewer_client.get(URL).context["filter"].form

        assert [value for value, _ in form.fields["provider"].choices][1:] == ["anthropic", "groq", "openai"]
        assert [value for value, _ in form.fields["failed_check"].choices][1:] == [
            "*",
            "answer_not_empty",
            "tool_call_search",
        ]

    def test_unknown_choice_is_an_error_next_to_the_field(self, reviewer_client, runs):
        response = reviewer_client.get(URL, {"provider": "nope"})

        assert "provider" in response.context["filter"].form.errors
        assert b"Select a valid choice" in response.content

    def test_time_range(self, reviewer_client, runs):
        start = (BASE_TIME + timedelta(days=1)).date().isoformat()
        end = (BASE_TIME + timedelta(days=5)).date().isoformat()

        assert self.ids(reviewer_client, created_after=start, created_before=end) == {runs["anthropic"].pk}
        assert self.ids(reviewer_client, created_after=start) == {runs["anthropic"].pk, runs["groq"].pk}

    def test_date_bound_includes_that_whole_day(self, reviewer_client, runs):
        day_of_anthropic = (BASE_TIME + timedelta(days=3)).date().isoformat()

        assert self.ids(reviewer_client, created_after=day_of_anthropic, created_before=day_of_anthropic) == {
            runs["anthropic"].pk
        }

    def test_datetime_upper_bound_is_exclusive(self, reviewer_client, runs):
        moment = runs["anthropic"].created_at

        assert self.ids(reviewer_client, created_before=moment.isoformat()) == {runs["openai"].pk}
        assert self.ids(reviewer_client, created_after=moment.isoformat()) == {runs["anthropic"].pk, runs["groq"].pk}

    def test_invalid_time_bound_is_an_error_next_to_the_field(self, reviewer_client, runs):
        response = reviewer_client.get(URL, {"created_after": "yesterday"})

        assert "created_after" in response.context["filter"].form.errors
        assert b"Enter a date such as 2026-01-31" in response.content

    def test_any_failed_check(self, reviewer_client, runs):
        assert self.ids(reviewer_client, failed_check="*") == {runs["openai"].pk, runs["anthropic"].pk}

    def test_failed_check_by_name(self, reviewer_client, runs):
        assert self.ids(reviewer_client, failed_check="tool_call_search") == {runs["openai"].pk}
        assert self.ids(reviewer_client, failed_check="answer_not_empty") == {runs["anthropic"].pk}

    def test_feedback_state(self, reviewer_client, runs):
        assert self.ids(reviewer_client, feedback="bad") == {runs["openai"].pk}
        assert self.ids(reviewer_client, feedback="good") == {runs["anthropic"].pk}
        assert self.ids(reviewer_client, feedback="none") == {runs["groq"].pk}

    def test_reference_answer(self, reviewer_client, runs):
        assert self.ids(reviewer_client, reference="yes") == {runs["openai"].pk}
        assert self.ids(reviewer_client, reference="no") == {runs["anthropic"].pk, runs["groq"].pk}

    def test_unknown_cost(self, reviewer_client, runs):
        assert self.ids(reviewer_client, unknown_cost="yes") == {runs["anthropic"].pk}
        assert self.ids(reviewer_client, unknown_cost="no") == {runs["openai"].pk, runs["groq"].pk}

    def test_filters_combine(self, reviewer_client, runs):
        assert self.ids(reviewer_client, agent="faq_agent", feedback="none") == {runs["groq"].pk}
        assert self.ids(reviewer_client, agent="faq_agent", provider="anthropic") == set()

    def test_search_combines_with_filters(self, reviewer_client, runs):
        make_log(provider="openai", user_prompt="Why is my docker volume empty?")

        assert len(self.ids(reviewer_client, q="docker")) == 1
        assert self.ids(reviewer_client, q="docker", provider="groq") == set()


class TestSortingAndPaging:
    @pytest.fixture
    def runs(self):
        return [
            make_log(
                created_at=BASE_TIME + timedelta(minutes=index),
                total_cost=Decimal(index) / 100,
                duration_ms=(30 - index) * 100,
                provider="openai",
            )
            for index in range(30)
        ]

    def test_newest_first_by_default(self, reviewer_client, runs):
        ids = run_ids(reviewer_client.get(URL))

        assert ids == [log.pk for log in reversed(runs)][:25]

    def test_sort_by_cost_and_duration(self, reviewer_client, runs):
        assert run_ids(reviewer_client.get(URL, {"sort": "-total_cost"}))[0] == runs[-1].pk
        assert run_ids(reviewer_client.get(URL, {"sort": "total_cost"}))[0] == runs[0].pk
        assert run_ids(reviewer_client.get(URL, {"sort": "duration_ms"}))[0] == runs[-1].pk

    @pytest.mark.parametrize("column", ["total_cost", "duration_ms", "total_input_tokens", "total_output_tokens"])
    def test_unknown_values_sort_last_both_ways(self, reviewer_client, runs, column):
        unknown = make_log(**{column: None}, created_at=BASE_TIME + timedelta(hours=5))

        for sort in (column, f"-{column}"):
            ids = run_ids(reviewer_client.get(URL, {"sort": sort, "page": 2}))
            assert ids[-1] == unknown.pk, sort

    def test_text_columns_are_not_sortable(self, reviewer_client, runs):
        html = reviewer_client.get(URL).content.decode()

        assert "sort=provider" not in html
        assert "sort=total_cost" in html

    def test_unknown_sort_column_is_ignored(self, reviewer_client, runs):
        assert reviewer_client.get(URL, {"sort": "raw_json"}).status_code == 200

    def test_second_page_continues_the_first(self, reviewer_client, runs):
        first = run_ids(reviewer_client.get(URL, {"sort": "total_cost"}))
        second = run_ids(reviewer_client.get(URL, {"sort": "total_cost", "page": 2}))

        assert first == [log.pk for log in runs[:25]]
        assert second == [log.pk for log in runs[25:]]

    def test_offered_page_sizes_only(self, reviewer_client, runs):
        assert len(run_ids(reviewer_client.get(URL, {"per_page": 50}))) == 30
        assert len(run_ids(reviewer_client.get(URL, {"per_page": 100000}))) == 25

    def test_page_links_keep_filters_and_sort(self, reviewer_client, runs):
        response = reviewer_client.get(URL, {"provider": "openai", "sort": "-total_cost"})
        html = response.content.decode()

        assert 'rel="next"' in html
        next_link = html.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert "provider=openai" in next_link
        assert "sort=-total_cost" in next_link
        assert "page=2" in next_link
        assert run_ids(reviewer_client.get(URL + next_link)) == [log.pk for log in reversed(runs)][25:]

    def test_sort_links_keep_filters(self, reviewer_client, runs):
        html = reviewer_client.get(URL, {"provider": "openai"}).content.decode().replace("&amp;", "&")

        assert "?provider=openai&sort=total_cost" in html or "?sort=total_cost&provider=openai" in html

    def test_filter_form_keeps_the_sort(self, reviewer_client, runs):
        html = reviewer_client.get(URL, {"sort": "-total_cost", "per_page": 50}).content.decode()

        assert '<input type="hidden" name="sort" value="-total_cost">' in html
        assert '<input type="hidden" name="per_page" value="50">' in html

    def test_page_past_the_end_shows_a_page(self, reviewer_client, runs):
        response = reviewer_client.get(URL, {"page": 99})

        assert response.status_code == 200

    def test_exact_count(self, reviewer_client, runs):
        response = reviewer_client.get(URL)

        assert response.context["matching"] == 30
        assert b"30 runs" in response.content


def test_count_stops_at_the_cap(reviewer_client, settings, monkeypatch):
    monkeypatch.setattr("logs_app.views.COUNT_CAP", 3)
    for _ in range(5):
        make_log()

    response = reviewer_client.get(URL)

    assert COUNT_CAP > 3
    assert response.context["count_capped"] is True
    assert b"More than 3 runs" in response.content


def test_password_reset_pages_do_not_exist(client):
    # The site sends no mail, so a reset form would claim to send an email that never arrives.
    assert client.get("/accounts/password_reset/").status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999999", "9223372036854775807", "1000001"])
def test_huge_page_number_shows_last_page(reviewer_client, page):
    log = make_log()

    response = reviewer_client.get(URL, {"page": page})

    assert response.status_code == 200
    assert run_ids(response) == [log.pk]
