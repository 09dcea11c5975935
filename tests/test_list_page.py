"""LLMLogQuerySet.list_page(): one page of the run list, with summaries computed for that page's rows only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from logs_app.models import LLMLog
from tests.factories import make_check, make_feedback, make_log

pytestmark = pytest.mark.django_db

BY_COST = F("total_cost").asc(nulls_last=True)


@pytest.fixture
def runs():
    costs = [Decimal("0.3"), Decimal("0.1"), None, Decimal("0.2")]
    logs = [make_log(total_cost=cost) for cost in costs]
    make_check(logs[1], passed=False)
    make_check(logs[1], "answer_relevance", passed=True)
    make_feedback(logs[3], is_good=True)
    return logs


def test_page_keeps_the_queryset_order(runs):
    page = LLMLog.objects.list_columns().order_by(BY_COST, "id").list_page(0, 2)

    assert [log.pk for log in page] == [runs[1].pk, runs[3].pk]


def test_page_rows_carry_their_summaries(runs):
    cheapest, second = LLMLog.objects.list_columns().order_by(BY_COST, "id").list_page(0, 2)

    assert cheapest.checks_passed == 1
    assert cheapest.checks_failed == 1
    assert cheapest.feedback_count == 0
    assert second.checks_passed == 0
    assert second.feedback_count == 1
    assert second.latest_verdict is True


def test_later_page_is_offset(runs):
    page = LLMLog.objects.list_columns().list_page(1, 3)

    assert [log.pk for log in page] == [runs[2].pk, runs[1].pk]


def test_summaries_are_queried_for_the_page_ids_only(runs):
    with CaptureQueriesContext(connection) as queries:
        LLMLog.objects.list_columns().list_page(0, 1)

    assert len(queries.captured_queries) == 2
    assert "eval_checks" not in queries.captured_queries[0]["sql"]
    assert "eval_checks" in queries.captured_queries[1]["sql"]


def test_page_past_the_end_is_empty(runs):
    with CaptureQueriesContext(connection) as queries:
        page = LLMLog.objects.list_columns().list_page(10, 20)

    assert page == []
    assert len(queries.captured_queries) == 1
