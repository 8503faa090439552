"""The proof that the pieces fit: a whole lesson, slides 5 to 36, run quickly by an instructor
with three phones (one in French), every group task answered, ending in a report that has every
activity's outputs."""

import time

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from activities.models import Delivery, Submission, delivery_create
from tests.browser.conftest import new_page, screenshot

DESKTOP = {"viewport": {"width": 1920, "height": 1080}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def contexts(browser, live_server, transactional_db):
    opened = []

    def open_one(options: dict, cookies: dict):
        ctx, page = new_page(browser, live_server, **options)
        ctx.add_cookies(
            [{"name": k, "value": v, "url": live_server.url} for k, v in cookies.items()]
        )
        opened.append(ctx)
        return page

    yield open_one
    for ctx in opened:
        ctx.close()


def wait_until(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


def answer(phone, kind: str, text: str) -> None:
    """One piece of the group's answer, the way the form asks for it."""
    if kind == "list":
        # A new point's box: "new", or "new:c0" for the first of a list's columns (5.2).
        piece = phone.locator('[data-piece][data-slot^="new"]').first
    else:
        piece = phone.locator(".answer-form [data-piece]").first
    piece.locator("textarea").fill(text)
    piece.locator("[data-send]").click()


def test_a_whole_lesson_rehearsed_quickly_ends_in_a_report_with_every_activity(
    contexts, cop_lesson, instructor
):
    delivery = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="Full rehearsal", expected_class_size=12
    )
    client = Client()
    client.force_login(instructor)
    console = contexts(DESKTOP, {settings.SESSION_COOKIE_NAME: client.cookies["sessionid"].value})
    phones = []
    for name, language in [("Amina", "en"), ("Jean", "fr"), ("Priya", "en")]:
        phone = contexts(PHONE, {settings.LANGUAGE_COOKIE_NAME: language})
        phone.goto(f"/j/{delivery.join_code}/")
        phone.locator("#name").fill(name)
        phone.locator("form.stack button[type=submit]").click()
        expect(phone.locator(".phone-head .who")).to_have_text(name)
        phones.append(phone)
    expect(phones[1].locator(".slide-brief")).to_contain_text("Quand le formateur")

    console.goto(f"/console/{delivery.pk}/")
    console.keyboard.press("s")
    expect(console.locator(".status")).to_have_text("Live")
    activities = dict(
        cop_lesson.slides.filter(activity__isnull=False).values_list("number", "activity__code")
    )
    for number in range(5, 37):
        expect(console.locator("#stage")).to_have_attribute("data-slide", str(number))
        if number in activities:
            console.keyboard.press("o")
            expect(console.locator(".timer-controls")).to_be_visible()
            console.keyboard.press("t")  # the timer runs; the rehearsal skips through its phases
            run = Delivery.objects.get(pk=delivery.pk).open_run
            kind = run.activity.response_form["kind"]
            for index, phone in enumerate(phones):
                # The phone follows within its 2 s poll; until then it may show the last form.
                expect(phone.locator("#activity-title")).to_contain_text(
                    run.activity.title, timeout=5_000
                )
                expect(phone.locator(f".form-{kind}")).to_be_visible()
                answer(phone, kind, f"{activities[number]} answer from group {index + 1}")
            wait_until(
                lambda run=run: (
                    Submission.objects.filter(run=run).values("group").distinct().count() == 3
                ),
                seconds=10,
                what=f"three groups' answers to {activities[number]}",
            )
            while not console.locator("button[value='timer:next_phase']").is_disabled():
                # Each action bumps the delivery's revision: the stage it sends back shows it.
                revision = console.locator("#stage").get_attribute("data-revision")
                console.keyboard.press("n")
                expect(console.locator("#stage")).not_to_have_attribute("data-revision", revision)
            expect(console.locator(".wall-group").first).not_to_contain_text("Nothing yet")
            console.locator("button[value=close_activity]").first.click()
            expect(console.locator(".timer-controls")).to_have_count(0)
        if number < 36:
            console.keyboard.press("ArrowRight")

    console.on("dialog", lambda dialog: dialog.accept())
    console.locator("button[value=end]").click()
    expect(console.locator(".status")).to_have_text("Ended")

    console.goto(f"/console/{delivery.pk}/report/")
    screenshot(console, "report-full-rehearsal-1920", full_page=True)
    outputs = console.locator("section.output")
    expect(outputs).to_have_count(len(activities))
    for index in range(len(activities)):
        section = outputs.nth(index)
        expect(section.locator(".output-group")).to_have_count(3)
        expect(section).not_to_contain_text("No answer.")
    for code in activities.values():
        for group in (1, 2, 3):
            expect(console.locator("main")).to_contain_text(f"{code} answer from group {group}")
    assert Submission.objects.filter(run__delivery=delivery).count() == 3 * len(activities)
