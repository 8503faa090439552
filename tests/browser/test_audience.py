"""What the room sees, slide by slide and activity by activity, as a class would: no line in the
instructor's voice on the projector (1920x1080) or a phone (390x844), slide 35's challenges only
once the instructor reveals them (the console's R key), and the Galasi case on the projector and
the phones while SARA is open. One delivery, one projector, one phone, reused for every slide.
Screenshots are saved under screenshots/audience-*.png to look at."""

import re

import pytest
from playwright.sync_api import expect

from activities.models import delivery_create
from activities.participation import answer_save
from tests.browser.conftest import new_page, screenshot
from tests.browser.test_participants import PHONE, join
from tests.browser.test_projector import answer_text, signed_in_context

INSTRUCTOR_VOICE = re.compile(
    r"Ask participants|Ask groups|Use this slide|Note for the instructor"
    r"|supplement the discussion",
    re.IGNORECASE,
)
GALASI = "In an IDP camp in Galasi"
CHALLENGE = "Lack of political and/or community will"  # the first of slide 35's 14 challenges
SCREENSHOTS = {
    "projector": {6: "slide-6", 13: "slide-13", 14: "slide-14-5.2-running", 28: "slide-28-sara"},
    "phone": {12: "5.1", 14: "5.2", 28: "sara"},
}
# Everything a screen holds, hidden parts included: what the room's screen was sent.
ALL_TEXT = "() => document.body.textContent"
# The slide's main box clips nothing: what does not fit pages inside its own box.
CUT_OFF = """() => {
  const main = document.querySelector(".projector-main");
  return main.scrollHeight > main.clientHeight + 1;
}"""


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction 14", expected_class_size=6
    )


@pytest.fixture
def screens(browser, live_server, transactional_db, instructor, delivery):
    """The instructor's console and projector, and one phone that joined the class."""
    context, projector = signed_in_context(browser, live_server, instructor)
    phone_context, phone = new_page(browser, live_server, device_scale_factor=2, **PHONE)
    join(phone, delivery, "Amina")
    console = context.new_page()
    yield console, projector, phone
    phone_context.close()
    context.close()


def room_text(page, url: str | None, number: int) -> str:
    if url:
        page.goto(url)
    else:
        page.reload()
    return page.evaluate(ALL_TEXT)


def assert_room_voice(text: str, where: str) -> None:
    found = INSTRUCTOR_VOICE.findall(text)
    assert not found, f"{where}: {found}"


def test_the_room_never_sees_the_instructors_lines(screens, delivery):
    console, projector, phone = screens
    projector_url = f"/console/{delivery.pk}/projector/"
    delivery.start()
    numbers = list(delivery.lesson.slides.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(5, 37))
    activities = dict(delivery.lesson.slides.values_list("number", "activity__code"))
    opened = []
    for number in numbers:
        delivery.go_to_slide(number)
        text = room_text(projector, projector_url, number)
        expect(projector.locator(".projector-foot")).to_contain_text(f"Slide {number}")
        assert_room_voice(text, f"projector, slide {number}")
        assert_room_voice(room_text(phone, None, number), f"phone, slide {number}")
        if number == 35:
            assert CHALLENGE not in text  # the answers stay hidden before the brainstorm
        if not activities.get(number):
            if number in SCREENSHOTS["projector"]:
                screenshot(projector, f"audience-projector-{SCREENSHOTS['projector'][number]}")
            continue
        delivery.open_activity()
        delivery.change_timer("start")
        opened.append(activities[number])
        if number in (14, 28):  # a group's first answer, so the wall is not empty
            delivery.refresh_from_db()
            person = delivery.participants.get()
            form = delivery.open_run.activity.response_form
            key = "point:c0-first-answer" if form["kind"] == "list" else "field:S"
            answer_save(participant=person, key=key, text=answer_text(1, 1))
        text = room_text(projector, projector_url, number)
        phone_text = room_text(phone, None, number)
        assert_room_voice(text, f"projector, activity {activities[number]}")
        assert_room_voice(phone_text, f"phone, activity {activities[number]}")
        if number == 28:
            expect(projector.locator(".projector-main")).to_contain_text(GALASI)
            expect(phone.locator("main")).to_contain_text(GALASI)
        if number == 35:
            assert CHALLENGE not in text and CHALLENGE not in phone_text
        if number in SCREENSHOTS["projector"]:
            screenshot(projector, f"audience-projector-{SCREENSHOTS['projector'][number]}")
        if number in SCREENSHOTS["phone"]:
            screenshot(phone, f"audience-phone-{SCREENSHOTS['phone'][number]}", full_page=True)
        delivery.close_activity()
    assert len(opened) == 10  # every activity of the lesson was opened

    # Back on slide 35 after the brainstorm: the instructor presses R on the console and the
    # projector shows the challenges.
    delivery.go_to_slide(35)
    assert CHALLENGE not in room_text(projector, projector_url, 35)
    screenshot(projector, "audience-projector-slide-35-before-reveal")
    console.goto(f"/console/{delivery.pk}/")
    # The console does carry the instructor's lines: the check above reads real text.
    assert INSTRUCTOR_VOICE.search(console.evaluate(ALL_TEXT))
    reveal = console.get_by_role("button", name=re.compile("Reveal on the projector"))
    expect(reveal).to_contain_text("R")
    console.keyboard.press("r")
    hide = console.get_by_role("button", name=re.compile("Hide from the projector"))
    expect(hide).to_be_visible()
    expect(projector.locator(".slide-reveal")).to_contain_text(CHALLENGE, timeout=5_000)
    delivery.refresh_from_db()
    assert delivery.is_revealed
    projector.wait_for_timeout(300)  # fit.js has run on the swapped slide
    assert not projector.evaluate(CUT_OFF)  # 14 challenges: shrunk to fit, or paged, never cut
    size = projector.locator(".slide-reveal li").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 28
    screenshot(projector, "audience-projector-slide-35-revealed")
    phone.reload()
    assert CHALLENGE not in phone.evaluate(ALL_TEXT)  # the reveal is the projector's
    console.keyboard.press("r")  # and R hides it again
    expect(projector.locator(".slide-reveal")).to_have_count(0, timeout=5_000)
    console.keyboard.press("?")
    expect(console.locator("#shortcut-help")).to_contain_text(
        "Reveal or hide the slide's hidden part on the projector"
    )

    delivery.end()
    expect(projector.locator("h1")).to_have_text("The lesson has ended", timeout=5_000)
    assert_room_voice(projector.evaluate(ALL_TEXT), "projector, end screen")
    screenshot(projector, "audience-projector-end")
