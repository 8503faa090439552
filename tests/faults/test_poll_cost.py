"""What a phone's poll costs while nothing changes: the one thing hundreds of phones do every
2 s. It must stay a 204 with no body, one indexed read, and no write."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from activities.models import RateCounter, delivery_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(lesson=cop_lesson, instructor=instructor, title="Poll cost")


@pytest.fixture
def polling_phone(client, delivery):
    """A joined phone and the revision its stage page told it to poll with."""
    code = delivery.join_code
    client.post(reverse("participants:join", args=[code]), {"name": "Amina"})
    page = client.get(reverse("participants:stage", args=[code])).content.decode()
    return client, re.search(r'hx-get="/p/\w+/\?rev=([0-9.]+)"', page)[1]


def query_plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(row[-1] for row in cursor.fetchall())
        # On a table of a few rows PostgreSQL would rightly prefer a scan; forbid it to see
        # whether an index can answer at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_an_unchanged_poll_is_an_empty_204_from_one_indexed_read(
    polling_phone, delivery, django_assert_num_queries
):
    client, revision = polling_phone
    counters = RateCounter.objects.count()
    executed = []

    def remember(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with django_assert_num_queries(1), connection.execute_wrapper(remember):
        response = client.get(
            reverse("participants:stage", args=[delivery.join_code]), {"rev": revision}, **HTMX
        )

    assert response.status_code == 204
    assert response.content == b""
    [(sql, params)] = executed
    assert sql.lstrip().upper().startswith("SELECT"), sql
    assert RateCounter.objects.count() == counters
    plan = query_plan(sql, params)
    if connection.vendor == "sqlite":
        assert "SCAN" not in plan, plan
        assert re.search(r"USING (\w+ )?INDEX \w*participant\w* \(token=\?\)", plan), plan
    else:
        assert "Seq Scan" not in plan, plan
        assert re.search(r"Index (Only )?Scan .*on activities_participant", plan), plan


def test_a_poll_after_a_change_answers_200_with_the_new_revision(polling_phone, delivery):
    client, revision = polling_phone
    delivery.advance()

    response = client.get(
        reverse("participants:stage", args=[delivery.join_code]), {"rev": revision}, **HTMX
    )

    assert response.status_code == 200
    assert f"?rev={delivery.revision}." in response.content.decode()


def test_the_benchmarks_bare_view_is_off_on_a_served_console(client):
    # Neither DEBUG nor COP_BENCH=1 in the test settings: nothing new is exposed.
    assert client.get("/bench/bare").status_code == 404
