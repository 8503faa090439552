"""A participant's take-away: their own group's answers, the lesson's key messages, the points
the instructor decided; reachable after the end for the days the instructor sets, then gone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from activities.debrief import coverage_decide
from activities.models import Delivery, KeyPointCoverage, KeyPointMatch, delivery_create
from activities.participant_views import cookie_name
from activities.participation import answer_save, participant_join
from activities.takeaway import (
    TakeawayState,
    takeaway_for,
    takeaway_markdown,
    takeaway_state,
)

pytestmark = pytest.mark.django_db
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ENDED = NINE + timedelta(minutes=40)
OWN_POINT = "Our group: patrols that listen to the market traders"
OTHER_POINT = "Other group: a hotline to the mayor for noise complaints"
OWN_REFLECTION = "Our group noticed that trust comes before information"
OTHER_REFLECTION = "Other group wants more foot patrols at night"
# The lesson's first key message (slide 1).
FIRST_KEY_MESSAGE = "Conflict and post-conflict environments are often characterized"


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


@pytest.fixture
def taught(cop_lesson, instructor):
    """Two groups answered 5.1 and the take-away reflection; the instructor confirmed one of
    5.1's key points and reinforced another; the lesson ended at 9:40."""
    with time_machine.travel(NINE, tick=False) as clock:
        delivery = delivery_create(
            lesson=cop_lesson, instructor=instructor, title="Course 7", expected_class_size=10
        )
        own = participant_join(delivery=delivery, display_name="Amina")
        other = participant_join(delivery=delivery, display_name="Bruno")
        assert own.group_id != other.group_id
        delivery.start(now=at(0))
        delivery.go_to_slide(12, now=at(15))
        delivery.open_activity(now=at(15))
        clock.move_to(at(18))
        answer_save(participant=own, key="point:own-00000001", text=OWN_POINT)
        answer_save(participant=other, key="point:other-0000001", text=OTHER_POINT)
        run = delivery.runs.get(activity__code="5.1")
        points = list(run.activity.key_points.order_by("position"))
        # The other group's answer is stored as the best match of the first point: the
        # take-away must show the point, never that answer.
        KeyPointMatch.objects.create(
            submission=run.submissions.get(group=other.group),
            run=run,
            key_point=points[0],
            score=90,
        )
        coverage_decide(run=run, key_point_id=points[0].pk, status=KeyPointCoverage.Status.COVERED)
        coverage_decide(
            run=run, key_point_id=points[1].pk, status=KeyPointCoverage.Status.REINFORCED
        )
        delivery.close_activity(now=at(30))
        delivery.go_to_slide(36, now=at(35))
        delivery.open_activity(now=at(35))
        clock.move_to(at(36))
        answer_save(participant=own, key="field:what", text=OWN_REFLECTION)
        answer_save(participant=other, key="field:what", text=OTHER_REFLECTION)
        delivery.end(now=ENDED)
    own.refresh_from_db()
    other.refresh_from_db()
    return delivery, own, other


def phone(client, participant):
    client.cookies[cookie_name(participant.delivery.join_code)] = participant.token
    return client


def takeaway_url(delivery: Delivery) -> str:
    return reverse("participants:takeaway", args=[delivery.join_code])


def download_url(delivery: Delivery) -> str:
    return reverse("participants:takeaway_download", args=[delivery.join_code])


def get(client, url: str, when: datetime):
    with time_machine.travel(when, tick=False):
        return client.get(url)


# --- What it holds ------------------------------------------------------------------------------


def test_the_take_away_shows_the_groups_own_answers_and_nothing_of_another_group(client, taught):
    delivery, own, other = taught
    response = get(phone(client, own), takeaway_url(delivery), ENDED + timedelta(hours=1))
    assert response.status_code == 200
    page = response.content.decode()
    assert OWN_POINT in page and OWN_REFLECTION in page
    assert OTHER_POINT not in page and OTHER_REFLECTION not in page
    assert "Mayor" not in page and "mayor" not in page
    assert FIRST_KEY_MESSAGE in page
    assert "Learning Activity 5.1" in page
    assert "What?:" in page  # the reflection's field label, from the form kind
    assert "Found by the class, confirmed by the instructor" in page
    assert "Reinforced by the instructor" in page
    assert "Print" in page and "Download (Markdown)" in page


def test_the_other_group_sees_its_own_answers(client, taught):
    delivery, own, other = taught
    page = get(phone(client, other), takeaway_url(delivery), ENDED).content.decode()
    assert OTHER_POINT in page and OTHER_REFLECTION in page
    assert OWN_POINT not in page and OWN_REFLECTION not in page


def test_the_reflection_comes_first_and_activities_in_lesson_order(taught):
    delivery, own, _other = taught
    takeaway = takeaway_for(own)
    assert takeaway.reflection.activity.code == "take-away"
    assert [(p.label, p.text) for p in takeaway.reflection.pieces] == [("What?", OWN_REFLECTION)]
    assert [entry.activity.code for entry in takeaway.activities] == ["5.1"]
    assert [p.text for p in takeaway.activities[0].pieces] == [OWN_POINT]
    assert len(takeaway.activities[0].points) == 2
    numbers = [message.slide_number for message in takeaway.key_messages]
    assert numbers == sorted(numbers) and len(numbers) == 20


# --- Who may see it, and when -------------------------------------------------------------------


def test_the_state_follows_the_end_the_switch_and_the_days():
    """Plain arithmetic on an unsaved delivery, the clock passed in."""
    live = Delivery(status=Delivery.Status.LIVE, takeaway_days=3)
    assert takeaway_state(live, ENDED) == TakeawayState.NOT_YET
    ended = Delivery(status=Delivery.Status.ENDED, ended_at=ENDED, takeaway_days=3)
    assert takeaway_state(ended, ENDED) == TakeawayState.AVAILABLE
    assert takeaway_state(ended, ENDED + timedelta(days=3, seconds=-1)) == TakeawayState.AVAILABLE
    assert takeaway_state(ended, ENDED + timedelta(days=3)) == TakeawayState.EXPIRED
    ended.takeaway_enabled = False
    assert takeaway_state(ended, ENDED) == TakeawayState.OFF


def test_an_htmx_poll_after_the_end_brings_the_link(client, taught):
    delivery, own, _other = taught
    stage_url = reverse("participants:stage", args=[delivery.join_code])
    phone(client, own)
    with time_machine.travel(ENDED, tick=False):
        response = client.get(f"{stage_url}?rev=1.1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert takeaway_url(delivery) in response.content.decode()
    assert "<html" not in response.content.decode()  # the stage partial only


def test_a_phone_that_is_not_a_participant_of_the_class_gets_404(client, taught, cop_lesson):
    delivery, own, _other = taught
    response = get(client, takeaway_url(delivery), ENDED)
    assert response.status_code == 404
    assert "only on the phone that took part in the class" in response.content.decode()
    elsewhere = delivery_create(lesson=cop_lesson, instructor=delivery.instructor, title="B")
    stranger = participant_join(delivery=elsewhere, display_name="Chen")
    client.cookies[cookie_name(delivery.join_code)] = stranger.token
    assert get(client, takeaway_url(delivery), ENDED).status_code == 404
    assert get(client, download_url(delivery), ENDED).status_code == 404


def test_before_the_end_the_take_away_is_not_there_yet(client, cop_lesson, instructor):
    delivery = delivery_create(lesson=cop_lesson, instructor=instructor, title="Live")
    person = participant_join(delivery=delivery, display_name="Dana")
    delivery.start()
    response = phone(client, person).get(takeaway_url(delivery))
    assert response.status_code == 404
    assert "ready when the lesson ends" in response.content.decode()
    assert client.get(download_url(delivery)).status_code == 404
    assert takeaway_state(delivery, NINE) == TakeawayState.NOT_YET
    assert (
        "Your take-away"
        not in client.get(reverse("participants:stage", args=[delivery.join_code])).content.decode()
    )


def test_turned_off_the_take_away_is_404_and_the_stage_shows_no_link(client, taught):
    delivery, own, _other = taught
    delivery.change_takeaway(enabled=False, days=7)
    phone(client, own)
    response = get(client, takeaway_url(delivery), ENDED)
    assert response.status_code == 404
    assert "There is no take-away for this class." in response.content.decode()
    assert get(client, download_url(delivery), ENDED).status_code == 404
    stage = get(client, reverse("participants:stage", args=[delivery.join_code]), ENDED)
    assert "Your take-away" not in stage.content.decode()


def test_after_its_days_the_take_away_is_gone_410(client, taught):
    delivery, own, _other = taught
    phone(client, own)
    last_moment = ENDED + timedelta(days=7, seconds=-1)
    assert get(client, takeaway_url(delivery), last_moment).status_code == 200
    response = get(client, takeaway_url(delivery), ENDED + timedelta(days=7))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This take-away is gone: it was kept until Dec. 3, 2026" in page
    assert OWN_POINT not in page
    assert get(client, download_url(delivery), ENDED + timedelta(days=8)).status_code == 410


def test_the_stage_links_the_take_away_and_the_cookie_lasts_as_long(client, taught):
    delivery, own, _other = taught
    phone(client, own)
    stage = get(client, reverse("participants:stage", args=[delivery.join_code]), ENDED)
    assert "Your take-away" in stage.content.decode()
    assert takeaway_url(delivery) in stage.content.decode()
    cookie = stage.cookies[cookie_name(delivery.join_code)]
    # The join cookie lasts 24 h; once the lesson ended it lasts as long as any take-away may.
    assert int(cookie["max-age"]) == 90 * 24 * 3600
    assert cookie.value == own.token
    page = get(client, takeaway_url(delivery), ENDED + timedelta(days=3))
    assert int(page.cookies[cookie_name(delivery.join_code)]["max-age"]) == 87 * 24 * 3600


# --- The Markdown download ----------------------------------------------------------------------


def test_the_markdown_download_is_an_utf8_attachment_with_the_groups_answers(client, taught):
    delivery, own, _other = taught
    response = get(phone(client, own), download_url(delivery), ENDED)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="takeaway-{delivery.join_code}-2026-11-26.md"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("# Your take-away: Community-oriented Policing")
    assert "## Key messages of the lesson" in text
    assert "## Learning Activity 5.1: Importance of Enlisting the Community" in text
    assert "## Group task: Take-away Reflection" in text
    assert "- **What?:** Our group noticed that trust comes before information" in text
    assert "- Our group: patrols that listen to the market traders" in text
    assert "### Points the instructor confirmed or reinforced" in text
    assert "- *Reinforced by the instructor:*" in text
    assert OTHER_POINT not in text and OTHER_REFLECTION not in text and "mayor" not in text


def test_participants_text_is_escaped_in_markdown(taught):
    _delivery, own, _other = taught
    submission = own.group.submissions.get(key="point:own-00000001")
    submission.text = "[click](http://evil) <img src=x> # not a heading"
    submission.save()
    text = takeaway_markdown(takeaway_for(own))
    assert "[click](http://evil)" not in text
    assert " <img" not in text  # only escaped, as \<img
    assert r"\[click\]\(http://evil\) \<img src=x\> \# not a heading" in text


def test_a_french_class_gets_french_labels(client, taught):
    delivery, own, _other = taught
    Delivery.objects.filter(pk=delivery.pk).update(language="fr")
    page = get(phone(client, own), takeaway_url(delivery), ENDED).content.decode()
    assert "Votre bilan" in page
    assert "Messages clés de la leçon" in page
    assert "Activité d'apprentissage 5.1" in page or "Activité d&#x27;apprentissage 5.1" in page
    assert "Imprimer" in page and "Télécharger (Markdown)" in page
    assert "Renforcé par le formateur" in page
    text = get(client, download_url(delivery), ENDED).content.decode()
    assert text.startswith("# Votre bilan : Community-oriented Policing")
    gone = get(client, takeaway_url(delivery), ENDED + timedelta(days=9))
    assert gone.status_code == 410 and "plus disponible" in gone.content.decode()
    assert '<html lang="fr">' in gone.content.decode()


# --- The instructor's settings ------------------------------------------------------------------


def settings_url(delivery: Delivery) -> str:
    return reverse("activities:takeaway_settings", args=[delivery.pk])


@pytest.mark.parametrize("days", ["0", "91", "²", "١٢", "", "7.5", "-3"])
def test_days_out_of_range_are_refused_with_a_clear_message(client, taught, instructor, days):
    delivery, _own, _other = taught
    client.force_login(instructor)
    response = client.post(
        settings_url(delivery), {"takeaway_enabled": "on", "takeaway_days": days}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep the take-away for 1 to 90 days." in page or "This field is required." in page
    delivery.refresh_from_db()
    assert delivery.takeaway_days == 7 and delivery.takeaway_enabled


def test_the_setting_can_be_changed_after_the_end(client, taught, instructor):
    delivery, own, _other = taught
    revision = delivery.revision
    client.force_login(instructor)
    response = client.post(
        settings_url(delivery), {"takeaway_enabled": "on", "takeaway_days": "30"}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.takeaway_days == 30 and delivery.revision == revision + 1
    assert delivery.events.filter(kind="takeaway").get().detail == {"enabled": True, "days": 30}
    page = client.get(settings_url(delivery)).content.decode()
    assert "The take-away settings are saved." in page
    assert "Participants can open their take-away until" in page or "was open until" in page
    # Lengthened after the end: the phone that would have lost it on day 7 still has it.
    assert (
        get(phone(client, own), takeaway_url(delivery), ENDED + timedelta(days=20)).status_code
        == 200
    )
    client.post(settings_url(delivery), {"takeaway_days": "30"})  # the box unticked: off
    delivery.refresh_from_db()
    assert not delivery.takeaway_enabled


def test_only_the_deliverys_own_instructor_changes_the_setting(client, taught, django_user_model):
    from tests.conftest import make_user

    delivery, _own, _other = taught
    someone = make_user(django_user_model, "other-instructor", "instructor")
    client.force_login(someone)
    response = client.post(settings_url(delivery), {"takeaway_days": "30"})
    assert response.status_code == 404
    client.logout()
    assert client.post(settings_url(delivery), {"takeaway_days": "30"}).status_code == 302
    assert client.post(settings_url(delivery), {"takeaway_days": "30"})["Location"].startswith(
        "/accounts/login/"
    )
    delivery.refresh_from_db()
    assert delivery.takeaway_days == 7 and delivery.takeaway_enabled


def test_the_plan_form_sets_the_take_away_and_refuses_bad_days(client, cop_lesson, instructor):
    client.force_login(instructor)
    form = {
        "lesson": cop_lesson.pk,
        "title": "Course 9",
        "date": "2026-12-10",
        "expected_class_size": "20",
        "grouping_mode": "auto",
        "language": "en",
        "takeaway_days": "91",
    }
    refused = client.post(reverse("activities:deliveries"), form)
    assert "Keep the take-away for 1 to 90 days." in refused.content.decode()
    assert not Delivery.objects.exists()
    client.post(reverse("activities:deliveries"), form | {"takeaway_days": "14"})
    delivery = Delivery.objects.get()
    assert delivery.takeaway_days == 14 and not delivery.takeaway_enabled  # the box unticked


@pytest.mark.parametrize("code", ["%00", "AB%00CD", "٣٣٣٣٣٣", "x" * 7])
def test_a_code_no_class_can_have_is_not_found_on_every_database(client, code):
    # PostgreSQL cannot compare a NUL: the look-up must not reach it (it was a 500 there).
    for suffix in ("takeaway/", "takeaway.md"):
        response = client.get(f"/p/{code}/{suffix}", raise_request_exception=False)
        assert response.status_code == 404
