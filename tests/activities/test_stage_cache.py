"""A phone's stage is rendered once per group, language and change (activities/phone.py), and
the slide in brief once for every group: yet each phone sees exactly its own group's stage, in
its own language, as of the latest change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Participant
from activities.participation import participant_move
from tests.activities.test_participants import go, join, send, stage_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def phones(client_factory, delivery):
    """Amina and Bao in group 1 (Bao reads French), Chen in group 3."""
    clients = {}
    for name in ("Amina", "Bao", "Chen"):
        clients[name] = client_factory()
        join(clients[name], delivery, name)
    group_1 = Participant.objects.get(display_name="Amina").group
    participant_move(participant=Participant.objects.get(display_name="Bao"), group=group_1)
    clients["Bao"].post(reverse("set_language"), {"language": "fr", "next": "/"})
    return clients


def queries_for_stage(client, delivery) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("participants:stage", args=[delivery.join_code])).status_code
    return len(queries)


def test_each_phone_sees_its_own_groups_stage_in_its_own_language(phones, delivery):
    go(delivery, 16)  # the consultation task: each group has its own question

    assert "Your group's question: WHAT?" in stage_text(phones["Amina"], delivery)
    assert "Question de votre groupe : WHAT?" in stage_text(phones["Bao"], delivery)
    assert "Your group's question: HOW?" in stage_text(phones["Chen"], delivery)
    # Asked again, from what was rendered: the same.
    assert "Your group's question: WHAT?" in stage_text(phones["Amina"], delivery)
    assert "Your group's question: HOW?" in stage_text(phones["Chen"], delivery)


def test_an_answer_reaches_the_group_and_only_the_group(phones, delivery):
    go(delivery, 12)
    for name in phones:
        assert "Trust is earned" not in stage_text(phones[name], delivery)

    send(phones["Amina"], delivery, key="point:aaaaaaaa-1", text="Trust is earned")

    assert "Trust is earned" in stage_text(phones["Amina"], delivery)
    assert "Trust is earned" in stage_text(phones["Bao"], delivery)
    assert "Trust is earned" not in stage_text(phones["Chen"], delivery)


def test_the_second_phone_of_a_group_is_served_from_the_groups_render(
    client_factory, phones, delivery
):
    go(delivery, 12)
    first = queries_for_stage(phones["Amina"], delivery)
    dana = client_factory()
    join(dana, delivery, "Dana")
    participant_move(
        participant=Participant.objects.get(display_name="Dana"),
        group=Participant.objects.get(display_name="Amina").group,
    )
    # Dana's joining changed the group: Amina's phone renders it again (the activity run is
    # not fetched again: it is kept until the instructor acts), Dana's reuses that render.
    again = queries_for_stage(phones["Amina"], delivery)
    assert again < first
    assert queries_for_stage(dana, delivery) < again
    assert "Your group's points" in stage_text(dana, delivery)


def test_every_group_shares_one_render_of_the_slide_in_brief(phones, delivery):
    go(delivery, 13, open_activity=False)
    first = queries_for_stage(phones["Amina"], delivery)
    other_group = queries_for_stage(phones["Chen"], delivery)

    assert other_group < first
    assert "Slide 13" in stage_text(phones["Chen"], delivery)
    assert "Diapositive 13" in stage_text(phones["Bao"], delivery)
