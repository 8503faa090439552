"""Numbers in requests are ASCII digits only: other scripts' digits, superscripts and numbers too
long for a database integer get a 4xx, never a 500, and change nothing."""

import json

import pytest
from django.urls import reverse

from activities.models import Participant, delivery_create
from copsite.parsing import parse_int

pytestmark = pytest.mark.django_db
ODD = ["²", "١", "１２", "9" * 30, "-1", " 1", "1\n"]


@pytest.mark.parametrize("text", ODD + ["", "x", None, True, 10**30])
def test_only_ascii_digits_are_numbers(text):
    assert parse_int(text) is None


def test_ascii_digits_are_read():
    assert parse_int("042") == 42 and parse_int(7) == 7


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(lesson=cop_lesson, instructor=instructor, title="Numbers")


@pytest.mark.parametrize("odd", ODD)
def test_odd_numbers_in_console_people_and_lesson_pages_are_never_a_500(
    odd, instructor_client, delivery
):
    console = reverse("activities:action", args=[delivery.pk])
    people = reverse("activities:people", args=[delivery.pk])
    responses = [
        instructor_client.post(console, {"action": f"goto:{odd}"}),
        instructor_client.post(console, {"action": f"hide:{odd}"}),
        instructor_client.post(people, {"participant": odd, "group": odd}),
        instructor_client.get(reverse("lessons:detail", args=["cop"]), {"version": odd}),
    ]
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert responses[3].status_code == 404


@pytest.mark.parametrize("odd", ODD)
def test_odd_numbers_from_phones_are_never_a_500(odd, client, delivery):
    url = reverse("participants:join", args=[delivery.join_code])
    joined = client.post(url, {"name": "Amina", "group": odd})
    assert joined.status_code < 500
    delivery.go_to_slide(12)
    delivery.open_activity()
    sent = client.post(
        reverse("participants:answer", args=[delivery.join_code, "save"]),
        json.dumps({"key": "point:abcdef12-x", "text": "Trust", "base_version": odd, "run": odd}),
        content_type="application/json",
    )
    assert sent.status_code < 500
    assert Participant.objects.count() == 1


def test_deep_json_and_multipart_answers_are_refused_with_a_message(client, delivery):
    client.post(reverse("participants:join", args=[delivery.join_code]), {"name": "Amina"})
    url = reverse("participants:answer", args=[delivery.join_code, "save"])
    deep = client.post(url, "[" * 5000 + "]" * 5000, content_type="application/json")
    assert deep.status_code == 400 and "nested too deeply" in deep.json()["error"]
    form = client.post(url, {"key": "text", "text": "x"})
    assert form.status_code == 415 and "sent as JSON" in form.json()["error"]
