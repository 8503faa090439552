"""What the console's debrief costs once a class has answered a lot: the console polls every
second, so a render must not match answers against key points (that is done once, when an
answer is stored) and its queries must not grow with the answers. The time it takes is
bench/debrief_cost.py's figure."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rapidfuzz import fuzz

from activities.models import KeyPointMatch, Submission, delivery_create
from activities.participation import answer_save, participant_join

pytestmark = pytest.mark.django_db
ANSWERS = 1_800
ANSWER = (
    "Set up a neighbourhood watch: residents notify the police about suspicious activity, and "
    "the police train them to keep watch. "
) * 7  # about 900 characters, like a group's long summary


@pytest.fixture
def delivery(cop_lesson, instructor):
    delivery = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="Debrief cost", expected_class_size=30
    )
    delivery.go_to_slide(24)  # 5.3: 21 key points
    delivery.open_activity()
    delivery.refresh_from_db()
    return delivery


@pytest.fixture
def fuzzy_calls(monkeypatch) -> list[str]:
    """Every fuzzy comparison made, by name."""
    calls = []
    for name in ("ratio", "partial_ratio", "token_set_ratio", "token_sort_ratio", "WRatio"):
        original = getattr(fuzz, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(fuzz, name, counted)
    return calls


def render_queries(client, delivery) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("activities:console", args=[delivery.pk]))
    assert response.status_code == 200
    assert "Probably covered" in response.content.decode()
    return len(queries)


def add_answers(delivery, count: int) -> None:
    """`count` more answers like the one stored through the app, with its stored scores."""
    model = Submission.objects.filter(run=delivery.open_run).first()
    scores = list(KeyPointMatch.objects.filter(submission=model))
    now = timezone.now()
    first = Submission.objects.count()
    Submission.objects.bulk_create(
        Submission(
            run=model.run,
            group=model.group,
            author=model.author,
            key=f"point:bulk0000-{first + n}",
            position=first + n,
            text=model.text,
            created_at=now,
            updated_at=now,
        )
        for n in range(count)
    )
    KeyPointMatch.objects.bulk_create(
        KeyPointMatch(submission=added, run=model.run, key_point_id=s.key_point_id, score=s.score)
        for added in Submission.objects.filter(key__startswith="point:bulk0000-")
        .exclude(matches__isnull=False)
        .iterator()
        for s in scores
    )


def test_a_console_render_matches_nothing_and_its_queries_do_not_grow_with_answers(
    delivery, instructor_client, fuzzy_calls
):
    amina = participant_join(delivery=delivery, display_name="Amina")
    answer_save(participant=amina, key="point:aaaaaaaa-0001", text=ANSWER)
    assert fuzzy_calls, "storing an answer scores it"
    assert KeyPointMatch.objects.exists()

    fuzzy_calls.clear()
    few = render_queries(instructor_client, delivery)
    add_answers(delivery, ANSWERS - 1)
    assert Submission.objects.count() == ANSWERS
    many = render_queries(instructor_client, delivery)

    assert fuzzy_calls == []  # no matching on render, with 1 answer or 1,800
    assert many == few


def test_the_best_answer_per_point_is_read_through_the_index(delivery, instructor):
    from activities.debrief import best_answers

    sql, params = best_answers(delivery.open_run).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(row[-1] for row in cursor.fetchall())
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "best_answer_per_point" in plan
