import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from activities.models import (
    Delivery,
    GroupingMode,
    KeyPointCoverage,
    Participant,
    Submission,
    delivery_create,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def join(client, delivery, name):
    return client.post(reverse("participants:join", args=[delivery.join_code]), {"name": name})


def send(client, delivery, operation="save", **body):
    return client.post(
        reverse("participants:answer", args=[delivery.join_code, operation]),
        json.dumps(body),
        content_type="application/json",
    )


def go(delivery, slide, *, open_activity=True):
    delivery.go_to_slide(slide)
    if open_activity:
        delivery.open_activity()
    delivery.refresh_from_db()


@pytest.fixture
def phone(client, delivery):
    join(client, delivery, "Amina")
    return client


def stage_text(client, delivery):
    return client.get(reverse("participants:stage", args=[delivery.join_code])).content.decode()


# Joining


def test_the_code_is_found_in_any_case_and_ignoring_spaces(client, delivery):
    code = delivery.join_code
    typed = f" {code[:3].lower()} {code[3:]} "
    response = client.post(reverse("participants:join_page"), {"code": typed})
    assert response.status_code == 302
    assert response.url == reverse("participants:join", args=[code])


@pytest.mark.parametrize(
    "change, message",
    [
        (None, "No class uses the code ZZZZZZ. Check the code on the projector"),
        ("end", "This class has ended; answers can no longer be sent."),
    ],
)
def test_a_wrong_or_ended_code_says_so(client, delivery, change, message):
    code = "zzzzzz"
    if change == "end":
        delivery.end()
        code = delivery.join_code
    response = client.post(reverse("participants:join_page"), {"code": code})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_rehearsal_cannot_be_joined(client, cop_lesson, instructor):
    rehearsal = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="R", is_rehearsal=True
    )
    response = client.get(reverse("participants:join", args=[rehearsal.join_code]))
    assert "This is a rehearsal: participants cannot join it." in response.content.decode()


@pytest.mark.parametrize(
    "name, message", [("   ", "Type the name your group will see."), ("x" * 41, "at most 40")]
)
def test_a_bad_name_is_refused_and_nobody_joins(client, delivery, name, message):
    response = join(client, delivery, name)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Participant.objects.exists()


def test_joining_sets_a_cookie_and_a_reload_returns_to_the_same_participant(client, delivery):
    response = join(client, delivery, "  Amina   K ")
    assert response.url == reverse("participants:stage", args=[delivery.join_code])
    again = client.get(reverse("participants:join", args=[delivery.join_code]))
    assert again.status_code == 302 and again.url == response.url
    participant = Participant.objects.get()
    assert participant.display_name == "Amina K" and participant.group.number == 1
    assert "Amina K" in stage_text(client, delivery)


def test_the_app_balances_groups_of_four_to_five(client_factory, delivery):
    for index in range(12):
        join(client_factory(), delivery, f"P{index}")
    sizes = sorted(g.members.count() for g in delivery.groups.all())
    assert sizes == [2, 2, 2, 3, 3]  # 23 expected: 5 groups filled evenly as people arrive


def test_participants_pick_their_group_when_the_instructor_says_so(client, delivery):
    Delivery.objects.filter(pk=delivery.pk).update(grouping_mode=GroupingMode.PICK)
    form = client.get(reverse("participants:join", args=[delivery.join_code])).content.decode()
    assert "Pick your group" in form and "Group 5" in form
    response = join(client, delivery, "Amina")
    assert "Pick one of the groups." in response.content.decode()
    client.post(reverse("participants:join", args=[delivery.join_code]), {"name": "A", "group": 3})
    assert Participant.objects.get().group.number == 3


# The stage


def test_the_stage_follows_the_slide_then_shows_the_groups_form(phone, delivery):
    assert "What is Community-oriented Policing?" in stage_text(phone, delivery)
    go(delivery, 28)  # the SARA case: named fields for the two steps the groups apply
    page = stage_text(phone, delivery)
    assert "Scanning" in page and "Analysis" in page and "In an IDP camp in Galasi" in page


def test_an_unchanged_poll_is_204_and_a_group_change_is_not(phone, delivery):
    go(delivery, 12)
    participant = Participant.objects.get()
    url = reverse("participants:stage", args=[delivery.join_code])
    revision = f"{delivery.revision}.{participant.group.revision}"
    assert phone.get(f"{url}?rev={revision}", **HTMX).status_code == 204
    send(phone, delivery, key="point:aaaaaaaa-1", text="Trust")
    assert phone.get(f"{url}?rev={revision}", **HTMX).status_code == 200


def test_an_answer_comes_back_with_the_groups_stage_as_the_change_left_it(client_factory, delivery):
    Delivery.objects.filter(pk=delivery.pk).update(grouping_mode=GroupingMode.PICK)
    go(delivery, 12)
    amina, ben = client_factory(), client_factory()
    for each, name in [(amina, "Amina"), (ben, "Ben")]:
        each.post(
            reverse("participants:join", args=[delivery.join_code]), {"name": name, "group": 1}
        )
    url = reverse("participants:stage", args=[delivery.join_code])
    response = send(amina, delivery, key="point:aaaaaaaa-1", text="Trust comes first").json()
    assert "Trust comes first" in response["stage"]
    assert f'data-revision="{response["revision"]}"' in response["stage"]
    # The revision it carries is the group's now: a poll with it has nothing new.
    assert amina.get(f"{url}?rev={response['revision']}", **HTMX).status_code == 204
    moved = send(ben, delivery, key="point:aaaaaaaa-2", text="Listen")
    assert amina.get(f"{url}?rev={response['revision']}", **HTMX).status_code == 200
    later, earlier = (
        tuple(map(int, r.split("."))) for r in (moved.json()["revision"], response["revision"])
    )
    assert later > earlier
    for operation, body in [("move", {"step": -1}), ("delete", {})]:
        done = send(ben, delivery, operation, key="point:aaaaaaaa-2", **body).json()
        assert ben.get(f"{url}?rev={done['revision']}", **HTMX).status_code == 204
    assert "Listen" not in done["stage"] and "Trust comes first" in done["stage"]


def test_a_refused_answer_carries_no_stage(phone, delivery):
    go(delivery, 12)
    refused = send(phone, delivery, key="point:aaaaaaaa-1", text="  ").json()
    assert refused == {"error": "Write something before sending."}


def test_the_consultation_task_shows_the_groups_assignment(client_factory, delivery):
    go(delivery, 16)
    phones = [client_factory() for _ in range(3)]
    for index, each in enumerate(phones):
        join(each, delivery, f"P{index}")
    assert "Your group's question: WHAT?" in stage_text(phones[0], delivery)
    assert "Your group's question: WHO?" in stage_text(phones[1], delivery)
    assert "Your group's question: HOW?" in stage_text(phones[2], delivery)


# Answers


def test_a_point_resent_with_the_same_key_is_stored_once(phone, delivery):
    go(delivery, 12)
    for _ in range(3):
        response = send(phone, delivery, key="point:abcdef12-retry", text="Better information")
        assert response.status_code == 200
    assert Submission.objects.get().text == "Better information"


@pytest.mark.parametrize(
    "text, status, message",
    [
        ("   ", 400, "Write something before sending."),
        ("x" * 1001, 400, "Your answer is 1,001 characters long; the limit is 1,000."),
    ],
)
def test_bad_answers_are_refused_with_a_message(phone, delivery, text, status, message):
    go(delivery, 12)
    response = send(phone, delivery, key="point:abcdef12-bad", text=text)
    assert response.status_code == status and message in response.json()["error"]
    assert not Submission.objects.exists()


def test_hostile_html_is_stored_as_text_and_shown_escaped(phone, delivery, instructor_client):
    go(delivery, 12)
    send(
        phone,
        delivery,
        key="point:abcdef12-xss",
        text="<script>alert(1)</script><img src=x onerror=alert(2)>",
    )
    for page in (
        stage_text(phone, delivery),
        instructor_client.get(reverse("activities:console", args=[delivery.pk])).content.decode(),
        instructor_client.get(reverse("activities:projector", args=[delivery.pk])).content.decode(),
    ):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_key_outside_the_form_is_refused(phone, delivery):
    go(delivery, 14)  # 5.2: a list with two columns, Traditional Policing and CoP
    for key in ("cell:9:1", "point:c2-0123456789ab", "point:0123456789ab"):
        assert send(phone, delivery, key=key, text="x").status_code == 404
    sent = send(phone, delivery, key="point:c1-0123456789ab", text="As one tool among many")
    assert sent.status_code == 200


def test_two_members_editing_the_same_piece_never_overwrite_each_other(client_factory, delivery):
    Delivery.objects.filter(pk=delivery.pk).update(grouping_mode=GroupingMode.PICK)
    go(delivery, 28)
    first, second = client_factory(), client_factory()
    for each, name in ((first, "A"), (second, "B")):
        each.post(
            reverse("participants:join", args=[delivery.join_code]), {"name": name, "group": 1}
        )
    assert send(first, delivery, key="field:S", text="Women arrested").json()["version"] == 1
    # Both saw version 1; A saves first, then B's save from version 1 is refused with A's text.
    assert (
        send(
            first, delivery, key="field:S", text="Women arrested for brewing", base_version=1
        ).status_code
        == 200
    )
    conflict = send(second, delivery, key="field:S", text="Vagrant children", base_version=1)
    assert conflict.status_code == 409
    assert conflict.json()["current_text"] == "Women arrested for brewing"
    assert Submission.objects.get().text == "Women arrested for brewing"
    # B keeps theirs on purpose, from the version they were shown.
    kept = send(second, delivery, key="field:S", text="Vagrant children", base_version=2)
    assert kept.status_code == 200 and Submission.objects.get().text == "Vagrant children"


def test_a_participant_cannot_touch_another_groups_answer(client_factory, delivery):
    go(delivery, 12)
    first, second = client_factory(), client_factory()
    join(first, delivery, "A")
    join(second, delivery, "B")  # balanced into group 2
    send(first, delivery, key="point:abcdef12-mine", text="Ours")
    response = send(second, delivery, operation="delete", key="point:abcdef12-mine")
    assert response.status_code == 404
    assert "not in your group" in response.json()["error"]
    assert Submission.objects.get().text == "Ours"


def test_another_deliverys_phone_cannot_send(client, delivery, cop_lesson, instructor):
    other = delivery_create(lesson=cop_lesson, instructor=instructor, title="Other")
    join(client, other, "Intruder")
    go(delivery, 12)
    response = send(client, delivery, key="point:abcdef12-nope", text="x")
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_closing_the_activity_freezes_answers(phone, delivery):
    go(delivery, 12)
    send(phone, delivery, key="point:abcdef12-one", text="Kept")
    delivery.close_activity()
    response = send(phone, delivery, key="point:abcdef12-two", text="Too late")
    assert response.status_code == 423
    assert "answers are frozen" in response.json()["error"]
    page = stage_text(phone, delivery)
    assert "This activity is closed" in page and "Kept" in page
    assert list(Submission.objects.values_list("text", flat=True)) == ["Kept"]


def test_a_flood_of_sends_is_refused_per_participant(phone, delivery, monkeypatch):
    # About the rate limit, not the cap on a group's points: that has its own test.
    monkeypatch.setattr("activities.participation.MAX_POINTS_PER_GROUP", 1000)
    go(delivery, 12)
    with time_machine.travel(datetime(2026, 11, 26, 9, 0, 10, tzinfo=UTC), tick=False):
        statuses = [
            send(phone, delivery, key=f"point:abcdef12-{n:03d}", text=f"n{n}").status_code
            for n in range(62)
        ]
        refused = send(phone, delivery, key="point:abcdef12-more", text="more")
    assert statuses.count(429) == 2
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert Submission.objects.count() == 60


def test_points_can_be_reordered_and_removed(phone, delivery):
    go(delivery, 12)
    for name in ("one", "two", "three"):
        send(phone, delivery, key=f"point:abcdef12-{name}", text=name)
    send(phone, delivery, operation="move", key="point:abcdef12-three", step=-1)
    send(phone, delivery, operation="delete", key="point:abcdef12-one")
    texts = list(Submission.objects.order_by("position").values_list("text", flat=True))
    assert texts == ["three", "two"]


# The wall, debrief and roster


def test_the_wall_shows_group_names_never_participant_names(phone, delivery, instructor_client):
    go(delivery, 12)
    send(phone, delivery, key="point:abcdef12-wall", text="Improved information about crime")
    projector = instructor_client.get(reverse("activities:projector", args=[delivery.pk]))
    page = projector.content.decode()
    assert "Group 1" in page and "Improved information about crime" in page
    assert "Amina" not in page
    console = instructor_client.get(reverse("activities:console", args=[delivery.pk]))
    assert "Nothing yet" in console.content.decode()  # the groups with no answer


def test_hide_and_spotlight_change_what_the_projector_shows(phone, delivery, instructor_client):
    go(delivery, 12)
    send(phone, delivery, key="point:abcdef12-hide", text="Hide me")
    send(phone, delivery, key="point:abcdef12-star", text="Show me big")
    hide, star = Submission.objects.order_by("position")
    url = reverse("activities:action", args=[delivery.pk])
    instructor_client.post(url, {"action": f"hide:{hide.pk}"})
    instructor_client.post(url, {"action": f"spotlight:{star.pk}"})
    page = instructor_client.get(
        reverse("activities:projector", args=[delivery.pk])
    ).content.decode()
    assert "Hide me" not in page
    assert 'class="spotlight-text">Show me big' in page


def test_debrief_suggests_covered_points_and_keeps_the_instructors_call(
    phone, delivery, instructor_client
):
    go(delivery, 24)  # 5.3: the 21 ways of mobilizing communities
    send(phone, delivery, key="point:abcdef12-watch", text="set up a neighbourhood watch")
    page = instructor_client.get(reverse("activities:console", args=[delivery.pk])).content.decode()
    assert "Probably covered" in page and "set up a neighbourhood watch" in page
    watch = delivery.lesson.activities.get(code="5.3").key_points.get(position=16)
    instructor_client.post(
        reverse("activities:action", args=[delivery.pk]), {"action": f"cover:{watch.pk}"}
    )
    coverage = KeyPointCoverage.objects.get()
    assert (coverage.key_point, coverage.status) == (watch, "covered")
    assert coverage.suggested_score >= 70
    page = instructor_client.get(reverse("activities:console", args=[delivery.pk])).content.decode()
    start = page.index("Reinforce these")
    reinforce = page[start : page.index("</ul>", start)]
    assert "Neighbourhood watch" not in reinforce and "Advising individuals" in reinforce


def test_the_instructor_moves_and_removes_people(client_factory, delivery, instructor_client):
    joined = client_factory()
    join(joined, delivery, "Amina")
    participant = Participant.objects.get()
    url = reverse("activities:people", args=[delivery.pk])
    assert "Amina" in instructor_client.get(url).content.decode()
    instructor_client.post(url, {"participant": participant.pk, "group": "4"})
    participant.refresh_from_db()
    assert participant.group.number == 4
    instructor_client.post(url, {"participant": participant.pk, "group": "remove"})
    stage = joined.get(reverse("participants:stage", args=[delivery.join_code]))
    assert stage.status_code == 302  # back to joining: the removed phone is no longer in


def test_a_whole_class_on_one_network_joins_without_limit(client, delivery):
    url = reverse("participants:join_page")
    statuses = {client.post(url, {"code": delivery.join_code}).status_code for _ in range(45)}
    assert statuses == {302}


def test_guessing_codes_is_refused_after_sixty_wrong_codes_from_one_network(client, delivery):
    url = reverse("participants:join_page")
    # All within one minute's window, however slow the machine (a new window starts afresh).
    with time_machine.travel(datetime(2026, 11, 26, 9, 0, 10, tzinfo=UTC), tick=False):
        for _ in range(60):
            assert client.post(url, {"code": "ZZZZZZ"}).status_code == 400
        refused = client.post(url, {"code": "QQQQQQ"})
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert "Too many wrong codes from this network" in refused.content.decode()
    other_network = client.post(url, {"code": delivery.join_code}, REMOTE_ADDR="10.0.0.9")
    assert other_network.status_code == 302


def test_phones_start_in_the_classes_language_and_keep_their_own_choice(client, delivery):
    Delivery.objects.filter(pk=delivery.pk).update(language="fr")
    page = client.get(reverse("participants:join", args=[delivery.join_code])).content.decode()
    assert "Votre nom" in page and 'lang="fr"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("participants:join", args=[delivery.join_code])).content.decode()
    assert "Your name" in page


def test_the_join_page_offers_both_languages(client):
    page = client.get(reverse("participants:join_page"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rejoindre la classe" in page
    assert 'value="en"' in page and 'value="fr"' in page


def test_debrief_finds_an_answer_that_echoes_the_middle_of_a_paragraph_point(delivery):
    from activities.debrief import debrief
    from activities.participation import answer_save, participant_join

    go(delivery, 12)  # 5.1: both key points are paragraphs
    amina = participant_join(delivery=delivery, display_name="Amina")
    answer_save(participant=amina, key="point:aaaaaaaa-1", text="Improved information about crime")
    answer_save(participant=amina, key="point:aaaaaaaa-2", text="police")  # too short to judge
    first, second = debrief(delivery.slide_run())
    assert first.suggested and first.matched_text == "Improved information about crime"
    assert not second.suggested


def test_an_answer_typed_for_a_closed_activity_is_not_filed_under_the_next_one(phone, delivery):
    go(delivery, 12)
    first_run = delivery.open_run_id
    delivery.close_activity()
    go(delivery, 22)  # another list activity opens
    late = send(phone, delivery, key="point:abcdef12-late", text="For 5.1", run=first_run)
    assert late.status_code == 423
    assert not Submission.objects.exists()


def test_the_phone_numbers_slides_as_the_lesson_prints_them(phone, delivery):
    """The lesson's first slide is its slide 5: the phone says so, not "1 of 32"."""
    delivery.start()
    assert "Slide 5 ·" in stage_text(phone, delivery)
    go(delivery, 13, open_activity=False)
    page = stage_text(phone, delivery)
    assert "Slide 13 ·" in page
    assert not re.search(r"\b\d+ (of|sur) \d+\b", page)
