"""Length limits that speak: refused above them with the reason, never stored cut."""

import pytest
from django.urls import reverse

from activities.models import Submission
from activities.participation import (
    MAX_ANSWER_LENGTH,
    MAX_GROUP_CHARACTERS,
    MAX_POINTS_PER_GROUP,
    answer_save,
)
from tests.activities.test_participants import go, phone, send  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_an_over_long_answer_is_refused_whole_and_nothing_is_stored(phone, delivery):  # noqa: F811
    go(delivery, 12)
    text = ("Police and community meet every week. " * 60)[:2226]
    response = send(phone, delivery, key="point:abcdef12-long", text=text)
    assert response.status_code == 400
    assert "Your answer is 2,226 characters long; the limit is 1,000." in response.json()["error"]
    assert not Submission.objects.exists()


def test_the_phone_counts_against_the_servers_limit_without_cutting(phone, delivery):  # noqa: F811
    go(delivery, 12)
    page = phone.get(reverse("participants:stage", args=[delivery.join_code])).content.decode()
    assert f'data-limit="{MAX_ANSWER_LENGTH}"' in page
    assert "maxlength" not in page.split('id="stage"')[1]


def test_a_group_cannot_add_points_past_the_cap(phone, delivery):  # noqa: F811
    go(delivery, 12)
    participant = delivery.participants.get()
    for number in range(MAX_POINTS_PER_GROUP):
        answer_save(participant=participant, key=f"point:cap-{number:05d}", text=f"Point {number}")
    response = send(phone, delivery, key="point:cap-one-more", text="One more")
    assert response.status_code == 400
    assert f"Your group already has {MAX_POINTS_PER_GROUP} points" in response.json()["error"]
    assert Submission.objects.count() == MAX_POINTS_PER_GROUP


def test_a_group_cannot_write_more_than_the_activitys_characters(phone, delivery):  # noqa: F811
    go(delivery, 12)
    participant = delivery.participants.get()
    full = MAX_GROUP_CHARACTERS // MAX_ANSWER_LENGTH
    for number in range(full):
        answer_save(participant=participant, key=f"point:chars-{number:04d}", text="x" * 1000)
    response = send(phone, delivery, key="point:chars-over", text="One more word")
    assert response.status_code == 400
    assert "the limit is 20,000" in response.json()["error"]
    assert Submission.objects.count() == full
