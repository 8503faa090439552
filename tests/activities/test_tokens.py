"""The participant a phone's token names, fetched by hand-written SQL
(activities/fast_path/tokens.py): exactly what the ORM would have given, in one query, and
nothing for a token of another class."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.fast_path.tokens import participant_for_token
from activities.models import Participant, delivery_create
from activities.participation import participant_join, participant_remove

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_the_token_gives_the_participant_its_delivery_and_group_as_the_orm_does(delivery):
    delivery.start()
    joined = participant_join(delivery=delivery, display_name="Amina", group_number=None)
    expected = Participant.objects.select_related("delivery", "group").get(pk=joined.pk)

    with CaptureQueriesContext(connection) as queries:
        found = participant_for_token(joined.token, delivery.join_code)
        assert values(found) == values(expected)
        assert values(found.delivery) == values(expected.delivery)
        assert values(found.group) == values(expected.group)
    assert len(queries) == 1
    # Converted as the ORM converts: an aware datetime, a real boolean.
    assert found.delivery.started_at.tzinfo is not None
    assert found.removed is False
    assert found.delivery.started_at == expected.delivery.started_at


def test_a_participant_without_a_group_has_none(delivery):
    joined = participant_join(delivery=delivery, display_name="Bao", group_number=None)
    Participant.objects.filter(pk=joined.pk).update(group=None)

    found = participant_for_token(joined.token, delivery.join_code)

    assert found.display_name == "Bao"
    assert found.group is None


def test_nothing_for_another_class_an_unknown_token_or_a_removed_participant(
    delivery, cop_lesson, instructor
):
    other = delivery_create(lesson=cop_lesson, instructor=instructor, title="Another class")
    amina = participant_join(delivery=delivery, display_name="Amina", group_number=None)
    bao = participant_join(delivery=delivery, display_name="Bao", group_number=None)
    participant_remove(participant=bao)

    assert participant_for_token(amina.token, other.join_code) is None
    assert participant_for_token("not-a-token", delivery.join_code) is None
    assert participant_for_token(bao.token, delivery.join_code) is None
    assert participant_for_token(amina.token, delivery.join_code).display_name == "Amina"
