"""The console's debrief: suggestions from stored scores, the instructor's calls, full texts."""

import pytest
from django.urls import reverse

from activities.models import KeyPointCoverage, KeyPointMatch, Submission
from tests.activities.test_participants import go, send

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PARAPHRASE = "Police get better information about crime and more respect"


@pytest.fixture
def phone(client, delivery):
    client.post(reverse("participants:join", args=[delivery.join_code]), {"name": "Amina"})
    return client


def console(client, delivery, **headers) -> str:
    response = client.get(reverse("activities:console", args=[delivery.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def act(client, delivery, action: str, **headers):
    return client.post(
        reverse("activities:action", args=[delivery.pk]), {"action": action}, **headers
    )


def reinforce_these(page: str) -> str:
    start = page.index("Reinforce these")
    return page[start : page.index("</div>", start)]


def test_a_paraphrase_is_suggested_for_its_point_from_the_score_stored_with_it(
    phone, delivery, instructor_client
):
    go(delivery, 12)  # 5.1
    send(phone, delivery, key="point:abcdef12-para", text=PARAPHRASE)
    first = delivery.lesson.activities.get(code="5.1").key_points.get(position=1)
    stored = KeyPointMatch.objects.get(key_point=first)
    assert stored.submission.text == PARAPHRASE and stored.score >= 70
    page = console(instructor_client, delivery)
    assert f"Probably covered ({stored.score}%): “{PARAPHRASE}”" in page


def test_an_edited_answer_is_scored_again_and_a_hidden_one_is_not_suggested(
    phone, delivery, instructor_client
):
    go(delivery, 12)
    send(phone, delivery, key="point:abcdef12-edit", text=PARAPHRASE)
    send(phone, delivery, key="point:abcdef12-edit", text="Lunch break", base_version=1)
    assert not KeyPointMatch.objects.exists()
    send(phone, delivery, key="point:abcdef12-edit", text=PARAPHRASE, base_version=2)
    assert "Probably covered" in console(instructor_client, delivery)
    act(instructor_client, delivery, f"hide:{Submission.objects.get().pk}")
    assert "Probably covered" not in console(instructor_client, delivery)


def test_key_points_are_shown_in_full_on_the_console(phone, delivery, instructor_client):
    go(delivery, 12)
    page = console(instructor_client, delivery)
    ending = "help police to perform its duties more effectively."  # the end of a long point
    assert ending in page
    assert "Not found in the answers" in page


def test_reinforce_these_leaves_out_points_found_or_reinforced_and_says_when_none_is_left(
    phone, delivery, instructor_client
):
    go(delivery, 12)
    first, second = delivery.lesson.activities.get(code="5.1").key_points.order_by("position")
    page = console(instructor_client, delivery)
    assert "Community-oriented Policing recognizes" in reinforce_these(page)

    # Marked from the console by htmx: the partial that comes back already has the new lists.
    response = act(instructor_client, delivery, f"reinforce:{second.pk}", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "Reinforced by you" in page
    assert "Community-oriented Policing recognizes" not in reinforce_these(page)
    assert "Community-oriented Policing is based" in reinforce_these(page)

    page = act(instructor_client, delivery, f"cover:{first.pk}", **HTMX).content.decode()
    assert "Nothing left to reinforce" in reinforce_these(page)
    assert set(KeyPointCoverage.objects.values_list("status", flat=True)) == {
        "covered",
        "reinforced",
    }

    page = act(instructor_client, delivery, f"undecide:{second.pk}", **HTMX).content.decode()
    assert "Community-oriented Policing recognizes" in reinforce_these(page)


def test_the_instructor_s_call_keeps_the_suggested_score(phone, delivery, instructor_client):
    go(delivery, 12)
    send(phone, delivery, key="point:abcdef12-para", text=PARAPHRASE)
    first = delivery.lesson.activities.get(code="5.1").key_points.get(position=1)
    act(instructor_client, delivery, f"cover:{first.pk}")
    coverage = KeyPointCoverage.objects.get()
    assert coverage.suggested_score == KeyPointMatch.objects.get(key_point=first).score


def test_the_report_lists_each_key_point_in_full(phone, delivery, instructor_client):
    go(delivery, 12)
    delivery.close_activity()
    page = instructor_client.get(reverse("activities:report", args=[delivery.pk])).content.decode()
    assert "help police to perform its duties more effectively." in page


def test_an_unknown_key_point_is_refused_with_a_message_and_changes_nothing(
    phone, delivery, instructor_client
):
    go(delivery, 12)
    other = delivery.lesson.activities.get(code="5.3").key_points.first()
    response = act(instructor_client, delivery, f"cover:{other.pk}", **HTMX)
    assert "That key point is not part of this activity." in response.content.decode()
    assert not KeyPointCoverage.objects.exists()
