"""The projector at 1920x1080, as the back row of the room reads it: answers at 28 px or more,
group names at 24 px or more, every answer on screen whole at some point of the wall's paging,
the class's language whatever the instructor's, and a lesson-ended screen. Screenshots of the
slides the room sees are saved under screenshots/ to look at."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from activities.models import delivery_create
from activities.participation import answer_save, participant_join
from tests.browser.conftest import new_page, screenshot

FULL_HD = {"width": 1920, "height": 1080}
GROUPS = 6
ANSWERS_PER_GROUP = 3
ROTATE_MS = 10_000  # data-rotate-seconds on the projector's wall

# For every answer on the wall: its text's size, its group name's size, and whether the whole
# answer is on screen now: inside the window and the wall's box, not under its group's sticky
# name (the point at each corner of its text belongs to the answer).
MEASURE = """() => {
  const wall = document.querySelector(".projector [data-rotate]").getBoundingClientRect();
  return Array.from(document.querySelectorAll(".projector .wall-group li")).map((li) => {
    const text = li.querySelector(".piece-text");
    const box = text.getBoundingClientRect();
    const inside = box.top >= Math.max(0, wall.top) - 0.5 && box.left >= 0
      && box.bottom <= Math.min(innerHeight, wall.bottom) + 0.5 && box.right <= innerWidth + 0.5;
    const owns = (x, y) => {
      const hit = document.elementFromPoint(x, y);
      return Boolean(hit && hit.closest("li") === li);
    };
    return {
      key: li.dataset.rotateKey,
      text: text.textContent.trim(),
      size: parseFloat(getComputedStyle(text).fontSize),
      group: parseFloat(getComputedStyle(li.closest(".wall-group").querySelector("h3")).fontSize),
      whole: inside && owns(box.left + 2, box.top + 2) && owns(box.right - 2, box.bottom - 2),
    };
  });
}"""


def answer_text(group: int, number: int) -> str:
    """A 120-character answer, told apart by its group and point."""
    words = (
        f"Group {group}, point {number}: people tell the police early about the threats they "
        "see, so patrols can prevent violence before it starts in the camp"
    )
    return words[:119] + "."


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction 12", expected_class_size=30
    )


def signed_in_context(browser, live_server, instructor, *, language: str | None = None):
    client = Client()
    client.force_login(instructor)
    context, page = new_page(browser, live_server, viewport=FULL_HD)
    cookies = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }
    ]
    if language:
        cookies.append(
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
        )
    context.add_cookies(cookies)
    return context, page


@pytest.fixture
def projector(browser, live_server, transactional_db, instructor, delivery):
    context, page = signed_in_context(browser, live_server, instructor)
    yield page
    context.close()


def fill_wall_5_1(delivery) -> list[str]:
    delivery.start()
    delivery.go_to_slide(12)
    delivery.open_activity()
    delivery.change_timer("start")
    texts = []
    for group in range(1, GROUPS + 1):
        person = participant_join(delivery=delivery, display_name=f"Person {group}")
        assert person.group.number == group
        for number in range(1, ANSWERS_PER_GROUP + 1):
            text = answer_text(group, number)
            answer_save(participant=person, key=f"point:g{group}-answer-{number}", text=text)
            texts.append(text)
    return texts


def test_every_answer_of_six_groups_is_read_whole_at_28px_in_turn(projector, delivery):
    texts = fill_wall_5_1(delivery)
    assert len(texts) == GROUPS * ANSWERS_PER_GROUP and {len(t) for t in texts} == {120}
    projector.clock.install()
    projector.goto(f"/console/{delivery.pk}/projector/")
    expect(projector.locator(".projector .wall-group li")).to_have_count(len(texts))
    seen: set[str] = set()
    pages = 0
    while pages < 8 and len(seen) < len(texts):
        answers = projector.evaluate(MEASURE)
        assert sorted(a["text"] for a in answers) == sorted(texts)
        small = [a for a in answers if a["size"] < 28]
        assert not small, f"answers below 28 px: {small[:2]}"
        assert min(a["group"] for a in answers) >= 24
        whole = {a["key"] for a in answers if a["whole"]}
        assert whole, "no answer is on screen whole"
        seen |= whole
        if pages == 0:
            screenshot(projector, "projector-5.1-six-groups-page-1")
        projector.clock.run_for(ROTATE_MS + 500)
        pages += 1
    assert len(seen) == len(texts), f"{len(texts) - len(seen)} answers never shown whole"
    print(f"\n5.1 wall: {len(texts)} answers read whole over {pages} pages")


def test_a_spotlighted_group_fills_the_wall(projector, delivery):
    fill_wall_5_1(delivery)
    delivery.spotlight_group_toggle(3)
    projector.goto(f"/console/{delivery.pk}/projector/")
    groups = projector.locator(".projector .wall-group")
    expect(groups).to_have_count(1)
    expect(groups.locator("h3")).to_have_text("Group 3")
    answers = projector.evaluate(MEASURE)
    assert len(answers) == ANSWERS_PER_GROUP
    assert all(a["whole"] and a["size"] >= 28 for a in answers), answers
    screenshot(projector, "projector-5.1-group-3-spotlighted")


def test_a_french_instructors_english_class_sees_english(
    browser, live_server, transactional_db, instructor, delivery
):
    context, console = signed_in_context(browser, live_server, instructor, language="fr")
    console.goto(f"/console/{delivery.pk}/")
    expect(console.locator("html")).to_have_attribute("lang", "fr")
    projector = context.new_page()
    projector.goto(f"/console/{delivery.pk}/projector/")
    expect(projector.locator("html")).to_have_attribute("lang", "en")
    expect(projector.locator(".join-url")).to_contain_text("Join at")
    expect(projector.locator(".projector-foot")).to_contain_text("Slide 5")
    expect(projector.locator("body")).not_to_contain_text("Rejoindre")
    delivery.start()
    delivery.advance()  # a poll re-renders the stage: still in the class's language
    expect(projector.locator(".projector-foot")).to_contain_text("Slide 6", timeout=5_000)
    expect(projector.locator(".join-corner .join-code")).to_contain_text("Code")
    context.close()


def text_sizes(page) -> list[float]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
          ".projector-main p, .projector-main li, .projector-main td, .projector-main h1"
        )).filter((e) => e.textContent.trim())
          .map((e) => parseFloat(getComputedStyle(e).fontSize))"""
    )


def nothing_cut_off(page) -> None:
    """The slide's main box never clips its text; a body taller than the screen pages."""
    clipped = page.evaluate(
        """() => {
          const main = document.querySelector(".projector-main");
          return main.scrollHeight > main.clientHeight + 1;
        }"""
    )
    assert not clipped


@pytest.mark.parametrize(
    ("number", "activity", "name"),
    [
        (6, False, "projector-slide-6"),
        (13, False, "projector-slide-13"),
        (14, True, "projector-slide-14-5.2-running"),
        (28, True, "projector-slide-28-sara-running"),
        (35, False, "projector-slide-35"),
    ],
)
def test_the_slides_the_room_sees(projector, delivery, number, activity, name):
    delivery.start()
    delivery.go_to_slide(number)
    if activity:
        delivery.open_activity()
        delivery.change_timer("start")
        person = participant_join(delivery=delivery, display_name="Amina")
        form = delivery.open_run.activity.response_form
        key = {
            "table": "cell:0:0",
            "fields": f"field:{form['fields'][0]['key']}" if form["kind"] == "fields" else "",
            "list": "point:c0-first-answer" if form.get("columns") else "point:first-answer",
        }[form["kind"]]
        answer_save(participant=person, key=key, text=answer_text(1, 1))
    projector.goto(f"/console/{delivery.pk}/projector/")
    expect(projector.locator(".projector-foot")).to_contain_text(f"Slide {number}")
    projector.wait_for_timeout(300)  # fit.js has run
    assert min(text_sizes(projector)) >= 24
    nothing_cut_off(projector)
    corner = projector.locator(".join-corner .join-code strong")
    expect(corner).to_have_text(delivery.join_code)
    assert float(corner.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 36
    screenshot(projector, name)


def test_the_first_slide_has_a_large_join_panel(projector, delivery):
    projector.goto(f"/console/{delivery.pk}/projector/")
    qr = projector.locator(".join-large .qr svg").bounding_box()
    assert qr["width"] >= 300
    screenshot(projector, "projector-slide-5-joining")


def test_the_end_screen_says_the_lesson_has_ended(projector, delivery):
    delivery.start()
    projector.goto(f"/console/{delivery.pk}/projector/")
    delivery.end()
    expect(projector.locator("h1")).to_have_text("The lesson has ended", timeout=5_000)
    foot = projector.locator(".projector-foot").bounding_box()
    assert foot["x"] == 0 and foot["width"] == FULL_HD["width"]
    assert abs(foot["y"] + foot["height"] - FULL_HD["height"]) <= 1
    expect(projector.locator(".projector-foot")).to_contain_text("Lesson ended")
    expect(projector.locator(".join-panel")).to_have_count(0)
    screenshot(projector, "projector-end")
