"""Display names are cleaned like answers: what shows nothing, or would reorder the names next
to it on the wall, is refused on the join page with the reason, and nothing is stored."""

import pytest
from django.urls import reverse

from activities.models import Participant, delivery_create

pytestmark = pytest.mark.django_db
CONTROL = "A name cannot hold control characters or characters that change the direction"


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(lesson=cop_lesson, instructor=instructor, title="Names")


def join(client, delivery, name: str):
    return client.post(reverse("participants:join", args=[delivery.join_code]), {"name": name})


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Ana\x00", CONTROL),  # on PostgreSQL a NUL in a text column is a DataError, not an outage
        ("Ana\x07\x1b[31m", CONTROL),
        ("Ana\u202etxeT", CONTROL),
        ("\u2067Ana\u2069", CONTROL),
        ("\u200b\u200b\u200d", "This name shows nothing: type it with letters or digits."),
        ("\u00ad\ufeff", "This name shows nothing: type it with letters or digits."),
        ("   ", "Type the name your group will see."),
    ],
)
def test_a_name_that_shows_nothing_or_controls_the_text_is_refused(client, delivery, name, message):
    response = join(client, delivery, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "database" not in page.lower()
    assert not Participant.objects.exists()


def test_invisible_characters_inside_a_name_are_dropped_as_in_answers(client, delivery):
    response = join(client, delivery, "  Ana\u200b  Lima\t ")
    assert response.status_code == 302
    assert Participant.objects.get().display_name == "Ana Lima"


def test_the_refusal_is_in_french(client, delivery):
    client.cookies["django_language"] = "fr"
    response = client.post(
        reverse("participants:join", args=[delivery.join_code]),
        {"name": "Ana\x00"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "Un nom ne peut pas contenir de caractères de contrôle" in response.content.decode()
