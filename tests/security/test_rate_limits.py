"""Joins, code guesses and answers are limited per address and per class, so that a flood from
one phone is refused while a whole class behind one NAT address joins and answers unrefused."""

import json
import secrets
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from activities import participant_views
from activities.models import JOIN_CODE_ALPHABET, GroupingMode, Participant, Submission
from activities.models import delivery_create as make_delivery

pytestmark = pytest.mark.django_db
NAT = "192.0.2.10"
# One minute's window, however slow the machine: the clock stands still.
IN_ONE_MINUTE = datetime(2026, 11, 26, 9, 0, 5, tzinfo=UTC)


@pytest.fixture
def delivery(cop_lesson, instructor):
    return make_delivery(lesson=cop_lesson, instructor=instructor, title="NAT class")


def phone() -> Client:
    return Client(REMOTE_ADDR=NAT)


def join_as(client: Client, delivery, name: str):
    return client.post(reverse("participants:join", args=[delivery.join_code]), {"name": name})


def wrong_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(6))


def test_a_class_of_sixty_behind_one_address_joins_within_a_minute_unrefused(delivery):
    statuses = []
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        for number in range(60):
            client = phone()
            typed = client.post(reverse("participants:join_page"), {"code": delivery.join_code})
            page = client.get(typed.url)
            joined = join_as(client, delivery, f"Officer {number}")
            statuses += [typed.status_code, page.status_code, joined.status_code]
    assert statuses.count(429) == 0
    assert Participant.objects.filter(delivery=delivery).count() == 60


def test_four_hundred_joins_a_minute_from_one_address_are_refused_with_retry_after(delivery):
    refused = []
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        for number in range(400):
            response = join_as(phone(), delivery, f"Bot {number}")
            if response.status_code == 429:
                refused.append(response)
    limit = participant_views.JOINS_PER_ADDRESS_PER_MINUTE
    assert len(refused) == 400 - limit
    assert Participant.objects.filter(delivery=delivery).count() == limit
    assert 0 < int(refused[-1]["Retry-After"]) <= 60
    assert "Too many people joined from this network" in refused[-1].content.decode()


def test_joins_for_one_class_are_limited_across_addresses(delivery, monkeypatch):
    monkeypatch.setattr(participant_views, "JOINS_PER_DELIVERY_PER_MINUTE", 5)
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        statuses = [
            join_as(Client(REMOTE_ADDR=f"10.1.0.{n}"), delivery, f"P{n}").status_code
            for n in range(8)
        ]
    assert statuses == [302] * 5 + [429] * 3


def test_four_hundred_code_guesses_by_link_are_refused_and_the_class_still_joins(delivery):
    guesser = phone()
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        statuses = [
            guesser.get(reverse("participants:join", args=[wrong_code()])).status_code
            for _ in range(400)
        ]
        last = guesser.get(reverse("participants:join", args=[wrong_code()]))
        # The guesser shares the school's address with the class, which still gets in.
        classmate = phone()
        typed = classmate.post(reverse("participants:join_page"), {"code": delivery.join_code})
        page = classmate.get(reverse("participants:join", args=[delivery.join_code]))
        joined = join_as(classmate, delivery, "Amina")
    limit = participant_views.WRONG_CODES_PER_MINUTE
    assert statuses.count(404) == limit and statuses.count(429) == 400 - limit
    assert last.status_code == 429 and 0 < int(last["Retry-After"]) <= 60
    assert "Too many wrong codes from this network" in last.content.decode()
    assert (typed.status_code, page.status_code, joined.status_code) == (302, 200, 302)


def test_four_hundred_typed_code_guesses_get_429(delivery):
    guesser = phone()
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        statuses = [
            guesser.post(reverse("participants:join_page"), {"code": wrong_code()}).status_code
            for _ in range(400)
        ]
    assert statuses.count(429) == 400 - participant_views.WRONG_CODES_PER_MINUTE


def test_every_code_lookup_from_one_address_has_a_ceiling(delivery, monkeypatch):
    monkeypatch.setattr(participant_views, "CODE_LOOKUPS_PER_MINUTE", 3)
    client = phone()
    url = reverse("participants:join", args=[delivery.join_code])
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def answer(client: Client, delivery, key: str, text: str):
    return client.post(
        reverse("participants:answer", args=[delivery.join_code, "save"]),
        json.dumps({"key": key, "text": text}),
        content_type="application/json",
    )


def pick_groups(delivery, groups: list[int]) -> list[Client]:
    """One phone per entry, each joined to that group, with slide 12's activity open."""
    delivery.grouping_mode = GroupingMode.PICK
    delivery.save(update_fields=["grouping_mode"])
    delivery.go_to_slide(12)
    delivery.open_activity()
    phones = []
    for number, group in enumerate(groups):
        client = phone()
        url = reverse("participants:join", args=[delivery.join_code])
        client.post(url, {"name": f"Phone {number}", "group": str(group)})
        phones.append(client)
    return phones


def test_new_tokens_do_not_multiply_a_groups_answer_limit(delivery, monkeypatch):
    """Five tokens in one group (what rotating one phone's cookie gives) share one limit."""
    # About the rate limit, not the cap on a group's points: that has its own test.
    monkeypatch.setattr("activities.participation.MAX_POINTS_PER_GROUP", 1000)
    phones = pick_groups(delivery, [1] * 5)
    assert len({p.group_id for p in Participant.objects.filter(delivery=delivery)}) == 1
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        statuses = [
            answer(client, delivery, f"point:abcdef12-{number}-{n}", "Trust").status_code
            for number, client in enumerate(phones)
            for n in range(40)
        ]
    limit = participant_views.ANSWERS_PER_GROUP_PER_MINUTE
    assert statuses.count(429) == 200 - limit
    assert Submission.objects.count() == limit


def test_answers_from_one_address_to_one_class_share_a_limit_across_groups(delivery, monkeypatch):
    monkeypatch.setattr(participant_views, "ANSWERS_PER_ADDRESS_PER_MINUTE", 12)
    phones = pick_groups(delivery, [1, 2, 3])
    assert len({p.group_id for p in Participant.objects.filter(delivery=delivery)}) == 3
    with time_machine.travel(IN_ONE_MINUTE, tick=False):
        statuses = [
            answer(client, delivery, f"point:abcdef12-{i}-{n}", "Trust").status_code
            for i, client in enumerate(phones)
            for n in range(5)
        ]
    assert statuses.count(429) == 3
    assert Submission.objects.count() == 12
