"""What the projector presents: the class's language, the join panel, a spotlighted group and
the end of the lesson (the browser measures sizes in tests/browser/test_projector.py)."""

import pytest
from django.conf import settings
from django.urls import reverse

from activities.models import Delivery, DeliveryEvent
from activities.participation import answer_save, participant_join

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(delivery, name="projector"):
    return reverse(f"activities:{name}", args=[delivery.pk])


def act(client, delivery, action, **headers):
    return client.post(url(delivery, "action"), {"action": action}, **headers)


def projector(client, delivery, **headers) -> str:
    response = client.get(url(delivery), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def on_5_1(instructor_client, delivery):
    """Activity 5.1 open, with two groups that each sent a point."""
    delivery.start()
    delivery.go_to_slide(12)
    delivery.open_activity()
    for number in (1, 2):
        person = participant_join(delivery=delivery, display_name=f"Person {number}")
        answer_save(
            participant=person, key=f"point:answer-{number:04d}", text=f"Answer of group {number}"
        )
    delivery.refresh_from_db()
    return delivery


def test_a_french_instructors_projector_speaks_the_english_class_language(
    instructor_client, delivery
):
    instructor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    console = instructor_client.get(url(delivery, "console")).content.decode()
    assert "Diapositive 5" in console  # the instructor's own screen stays in French
    for headers in ({}, HTMX):
        page = projector(instructor_client, delivery, **headers)
        assert "Join at" in page and "Slide 5" in page
        assert "Rejoindre" not in page and "Diapositive" not in page
    assert '<html lang="en">' in projector(instructor_client, delivery)


def test_a_french_class_projector_speaks_french_to_an_english_instructor(
    instructor_client, delivery
):
    Delivery.objects.filter(pk=delivery.pk).update(language="fr")
    response = instructor_client.get(url(delivery))
    page = response.content.decode()
    assert "Rejoindre sur" in page and '<html lang="fr">' in page
    assert response.headers["Content-Language"] == "fr"
    assert "Slide 5" in instructor_client.get(url(delivery, "console")).content.decode()


def test_the_join_panel_is_large_on_the_first_slide_and_a_corner_after(instructor_client, delivery):
    assert "join-large" in projector(instructor_client, delivery)
    delivery.start()
    assert "join-large" in projector(instructor_client, delivery)
    delivery.advance()
    page = projector(instructor_client, delivery)
    assert "join-corner" in page and delivery.join_code in page


def test_the_instructor_spotlights_one_group_and_the_projector_shows_it_alone(
    instructor_client, on_5_1
):
    page = projector(instructor_client, on_5_1)
    assert "Answer of group 1" in page and "Answer of group 2" in page
    response = act(instructor_client, on_5_1, "spotlight_group:2", **HTMX)
    assert response.status_code == 200
    assert 'value="spotlight_group:2" class="small-button" aria-pressed="true"' in (
        response.content.decode()
    )
    page = projector(instructor_client, on_5_1)
    assert "Answer of group 2" in page and "Answer of group 1" not in page
    assert "one-group" in page
    assert DeliveryEvent.objects.filter(delivery=on_5_1, kind="group_spotlight").count() == 1
    act(instructor_client, on_5_1, "spotlight_group:2")  # pressed again: every group
    page = projector(instructor_client, on_5_1)
    assert "Answer of group 1" in page and "Answer of group 2" in page


def test_a_spotlight_ends_with_its_slide(instructor_client, on_5_1):
    act(instructor_client, on_5_1, "spotlight_group:1")
    act(instructor_client, on_5_1, "next")
    act(instructor_client, on_5_1, "prev")
    assert Delivery.objects.get(pk=on_5_1.pk).spotlight_group is None


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("spotlight_group:9", "This class has no group 9."),
        ("spotlight_group:two", "&#x27;two&#x27; is not a group number."),
        ("spotlight_group:", "&#x27;&#x27; is not a group number."),
    ],
)
def test_a_bad_group_spotlight_is_refused_with_a_message(
    instructor_client, on_5_1, action, message
):
    revision = on_5_1.revision
    response = act(instructor_client, on_5_1, action, **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    on_5_1.refresh_from_db()
    assert on_5_1.spotlight_group is None and on_5_1.revision == revision


def test_the_ended_lesson_says_so_with_a_footer_and_no_join_panel(instructor_client, delivery):
    delivery.start()
    delivery.end()
    page = projector(instructor_client, delivery)
    assert "The lesson has ended" in page and "Thank you for taking part." in page
    assert '<footer class="projector-foot"><span>UNPOL induction 12</span>' in page
    assert "Lesson ended" in page
    assert "join-panel" not in page and delivery.join_code not in page


def test_a_french_class_reads_the_end_screen_in_french(instructor_client, delivery):
    Delivery.objects.filter(pk=delivery.pk).update(language="fr")
    delivery.start()
    delivery.end()
    page = projector(instructor_client, delivery)
    assert "La leçon est terminée" in page and "Leçon terminée" in page
