import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from activities.models import JOIN_CODE_ALPHABET, Delivery, DeliveryEvent, delivery_create
from copsite.roles import INSTRUCTOR, grant_role

pytestmark = pytest.mark.django_db
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


def console_url(delivery, name="console"):
    return reverse(f"activities:{name}", args=[delivery.pk])


def act(client, delivery, action, **headers):
    return client.post(console_url(delivery, "action"), {"action": action}, **headers)


def test_a_new_delivery_is_planned_on_the_first_slide_with_an_unambiguous_code(delivery):
    assert (delivery.status, delivery.current_slide) == ("planned", 5)
    assert len(delivery.join_code) == 6 and set(delivery.join_code) <= set(JOIN_CODE_ALPHABET)
    assert delivery.suggested_group_count == 5  # 23 people: groups of 4-5


def test_the_console_shows_the_slide_notes_and_next_slide(instructor_client, delivery):
    page = instructor_client.get(console_url(delivery)).content.decode()
    assert "What is Community-oriented Policing?" in page
    assert "Conflict and post-conflict environments are often characterized" in page
    assert "Slide 6" in page and "Next" in page
    assert delivery.join_code in page


def test_another_instructors_delivery_is_not_found(client, delivery, django_user_model):
    other = django_user_model.objects.create_user("other", password="x" * 12)
    grant_role(other, INSTRUCTOR)
    client.force_login(other)
    for name in ("console", "projector"):
        assert client.get(console_url(delivery, name)).status_code == 404
    assert act(client, delivery, "next").status_code == 404
    assert Delivery.objects.get(pk=delivery.pk).current_slide == 5


def test_only_instructors_reach_the_console(client, delivery, coordinator):
    assert client.get(console_url(delivery)).status_code == 302  # to the login page
    client.force_login(coordinator)
    assert client.get(console_url(delivery)).status_code == 403


def test_an_unchanged_poll_is_an_empty_204_and_a_changed_one_the_partial(
    instructor_client, delivery
):
    for name in ("console", "projector"):
        url = console_url(delivery, name)
        current = f"{delivery.revision}.{delivery.answers_revision}"
        unchanged = instructor_client.get(f"{url}?rev={current}", **HTMX)
        assert unchanged.status_code == 204 and unchanged.content == b""
        changed = instructor_client.get(f"{url}?rev={delivery.revision - 1}.1", **HTMX)
        assert changed.status_code == 200
        assert changed.content.decode().lstrip().startswith('<div id="stage"')


def test_next_slide_by_htmx_renders_the_stage_and_bumps_the_revision(instructor_client, delivery):
    response = act(instructor_client, delivery, "next", **HTMX)
    assert response.status_code == 200
    assert "CoP Is a Strategy" in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.current_slide, delivery.revision) == (6, 2)


def test_a_plain_post_redirects_back_to_the_console(instructor_client, delivery):
    response = act(instructor_client, delivery, "goto:13")
    assert response.status_code == 302 and response.url == console_url(delivery)
    assert Delivery.objects.get(pk=delivery.pk).current_slide == 13


def test_a_refused_action_says_why_and_changes_nothing(instructor_client, delivery):
    act(instructor_client, delivery, "goto:36")
    delivery.refresh_from_db()
    response = act(instructor_client, delivery, "next", **HTMX)
    assert "This is the last slide." in response.content.decode()
    assert Delivery.objects.get(pk=delivery.pk).revision == delivery.revision
    response = act(instructor_client, delivery, "timer:toggle", **HTMX)
    assert "Open the activity before using its timer." in response.content.decode()


def test_pacing_against_the_plan_with_a_frozen_clock(instructor_client, delivery):
    with time_machine.travel(NINE, tick=False) as clock:
        act(instructor_client, delivery, "start")
        clock.move_to(NINE + timedelta(minutes=5))
        act(instructor_client, delivery, "next")  # slide 6 after 5 min; plan: 8/6 per slide
        clock.move_to(NINE + timedelta(minutes=6))
        page = instructor_client.get(console_url(delivery)).content.decode()
    # Plan at slide 6: 9:20 for slide 5 (the opening's 8 min + 1:20), plus 1:00 on slide 6
    # (within its 1:20 + 2 min brainstorm share).
    assert "10:20" in page
    assert "4 min ahead" in page
    assert "06:00" in page  # elapsed
    assert "10:55" in page and "(plan 11:00)" in page  # 4 min 20 s ahead of a 120-minute plan
    # The map starts with the opening, which took the 5 minutes on slide 5.
    rail = page[page.index('class="rail"') :]
    assert rail.index("Opening") < rail.index("What is Community-oriented Policing?")
    assert 'Slides 1-4 · plan 8 min · <span class="">spent 5 min' in rail
    assert 'Slides 5-10 · plan 10 min · <span class="">spent 1 min' in rail


def test_timer_survives_reloads_and_counts_from_the_stored_end(instructor_client, delivery):
    with time_machine.travel(NINE, tick=False) as clock:
        act(instructor_client, delivery, "start")
        act(instructor_client, delivery, "goto:12")
        act(instructor_client, delivery, "open_activity")
        act(instructor_client, delivery, "timer:toggle")
        clock.move_to(NINE + timedelta(seconds=90))
        console = instructor_client.get(console_url(delivery)).content.decode()
        projector = instructor_client.get(console_url(delivery, "projector")).content.decode()
        assert "03:30" in console and "03:30" in projector  # 5 min group discussion
        act(instructor_client, delivery, "timer:extend")
        act(instructor_client, delivery, "timer:next_phase")
        clock.move_to(NINE + timedelta(seconds=150))
        projector = instructor_client.get(console_url(delivery, "projector")).content.decode()
    assert "Presentations" in projector and "09:00" in projector
    kinds = list(DeliveryEvent.objects.filter(delivery=delivery).values_list("kind", flat=True))
    assert kinds == ["started", "slide", "activity_opened", "timer", "timer", "timer"]


def test_time_is_up_on_the_projector(instructor_client, delivery):
    with time_machine.travel(NINE, tick=False) as clock:
        act(instructor_client, delivery, "goto:12")
        act(instructor_client, delivery, "open_activity")
        act(instructor_client, delivery, "timer:toggle")
        clock.move_to(NINE + timedelta(minutes=6))
        projector = instructor_client.get(console_url(delivery, "projector")).content.decode()
    assert 'class="big-timer time-up"' in projector


def test_slide_visits_record_entering_and_leaving(instructor_client, delivery):
    with time_machine.travel(NINE, tick=False) as clock:
        act(instructor_client, delivery, "start")
        clock.move_to(NINE + timedelta(minutes=3))
        act(instructor_client, delivery, "next")
        clock.move_to(NINE + timedelta(minutes=4))
        act(instructor_client, delivery, "end")
    visits = list(delivery.visits.values_list("slide_number", "entered_at", "left_at"))
    assert visits == [
        (5, NINE, NINE + timedelta(minutes=3)),
        (6, NINE + timedelta(minutes=3), NINE + timedelta(minutes=4)),
    ]


def test_an_ended_delivery_refuses_changes(instructor_client, delivery):
    act(instructor_client, delivery, "end")
    response = act(instructor_client, delivery, "next", **HTMX)
    assert "This delivery has ended" in response.content.decode()
    assert Delivery.objects.get(pk=delivery.pk).current_slide == 5


def test_the_projector_can_be_blanked(instructor_client, delivery):
    act(instructor_client, delivery, "blank")
    projector = instructor_client.get(console_url(delivery, "projector")).content.decode()
    assert "The screen is blank." in projector
    assert "Conflict and post-conflict" not in projector


def test_a_rehearsal_shows_no_join_code(instructor_client, cop_lesson, instructor):
    rehearsal = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="Dry run", is_rehearsal=True
    )
    projector = instructor_client.get(console_url(rehearsal, "projector")).content.decode()
    assert rehearsal.join_code not in projector


def test_instructors_plan_deliveries_from_the_list(instructor_client, cop_lesson):
    response = instructor_client.post(
        reverse("activities:deliveries"),
        {
            "lesson": cop_lesson.pk,
            "title": "Course 7",
            "date": "2026-12-01",
            "place": "Room 2",
            "expected_class_size": "0",
        },
    )
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not Delivery.objects.exists()


def test_startdelivery_json_tells_a_script_the_delivery_and_its_addresses(
    cop_lesson, instructor, capsys
):
    call_command(
        "startdelivery",
        "--lesson",
        "cop",
        "--instructor",
        "instructor",
        "--json",
        "--base-url",
        "http://127.0.0.1:9999/",
    )
    planned = json.loads(capsys.readouterr().out)
    delivery = Delivery.objects.get()
    assert planned == {
        "delivery": delivery.pk,
        "join_code": delivery.join_code,
        "join_url": f"http://127.0.0.1:9999/j/{delivery.join_code}/",
        "console_url": f"http://127.0.0.1:9999/console/{delivery.pk}/",
        "lesson_version": cop_lesson.version,
    }


def test_startdelivery_prints_the_join_code_and_console(cop_lesson, instructor, capsys):
    call_command("startdelivery", "--lesson", "cop", "--instructor", "instructor")
    out = capsys.readouterr().out
    delivery = Delivery.objects.get()
    assert f"join code: {delivery.join_code}" in out
    assert f"/console/{delivery.pk}/" in out
