"""Participants answer group activities from their phones while the instructor runs the lesson.

Every phone is a browser context of its own (its own cookie and localStorage) at 390x844 with
touch; the instructor's console and projector are two pages of one signed-in context at
1920x1080. Phones poll every 2 s and the instructor's screens every 1 s, so every wait for
something another screen did is bounded by a few seconds. The tests assert on what people see
and on what the database stored, and save screenshots under screenshots/ to look at.
"""

import json
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import (
    ActivityRun,
    Delivery,
    KeyPointCoverage,
    Participant,
    Submission,
    delivery_create,
)
from activities.participation import answer_save, participant_join
from tests.browser.conftest import new_page, screenshot

FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PHONE_FOLLOWS = 3.0  # seconds: a phone shows what the instructor or its group did (2 s poll)
WALL_FOLLOWS = 3.0  # seconds: the projector's wall shows a sent answer (1 s poll)
RETRY_SECONDS = 3.0  # answers.js resends a kept answer this often
ACTIVITY_5_1 = "Learning Activity 5.1: Importance of Enlisting the Community"
ACTIVITY_5_2 = "Learning Activity 5.2: Traditional Policing vs. CoP"
SARA = "Group task: Practical Application of the SARA Process"
KEY_POINT_1 = "Community-oriented Policing is based on the recognition that police"
KEY_POINT_2 = "Community-oriented Policing recognizes that the ability of the police"
# The groups apply SARA's first two steps to the Galasi case; slides 29-30 then show the rest.
SARA_FIELDS = {"S": "Scanning", "A": "Analysis"}


# --- Time limits --------------------------------------------------------------------------------


class Within:
    """One time limit shared by several waits: `within.ms` is what is left of it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()

    @property
    def ms(self) -> float:
        # Playwright reads a timeout of 0 as "no limit": never hand it one.
        return max(1.0, (self.seconds - (time.monotonic() - self.started)) * 1000)


# --- What a phone shows -------------------------------------------------------------------------


def piece(page, slot: str):
    """One editable piece of the group's answer: "new", "point:…", "field:S", "cell:0:1"."""
    return page.locator(f'[data-piece][data-slot="{slot}"]')


def new_point_box(page):
    return page.get_by_label("Add a point")


def point_boxes(page):
    """The group's sent points, in order (each in its own box, to edit or move)."""
    return page.locator("ol.points [data-piece] textarea")


def expect_points(page, expected: list[str], *, timeout: float = 5.0) -> None:
    """The group's points on this phone are `expected`, in order, within `timeout` seconds."""
    within = Within(timeout)
    expect(point_boxes(page)).to_have_count(len(expected), timeout=within.ms)
    for index, text in enumerate(expected):
        expect(point_boxes(page).nth(index)).to_have_value(text, timeout=within.ms)


def field_box(page, key: str):
    return page.get_by_label(SARA_FIELDS[key], exact=True)


def status_of(page, slot: str):
    return piece(page, slot).locator(".piece-status")


def banner(page):
    return page.locator("#offline-banner")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def assert_fits_phone(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def write(box, text: str) -> None:
    """Put `text` in a box: one input event, as a phone's keyboard suggestion does. (The tests
    about typing itself, where every key matters, press the keys one by one.)"""
    box.click()
    box.fill(text)


def add_point(page, text: str) -> None:
    """Write a point in "Add a point" and press Add, as a participant does."""
    write(new_point_box(page), text)
    piece(page, "new").get_by_role("button", name="Add").click()


def fill_field(page, key: str, text: str) -> None:
    write(field_box(page, key), text)
    piece(page, f"field:{key}").get_by_role("button", name=re.compile("^(Send|Save)$")).click()


# --- What the instructor's screens show ---------------------------------------------------------


def wall_group(projector, number: int):
    return projector.get_by_role("article", name=f"Group {number}")


def press(console, key: str) -> None:
    """Press a console shortcut once the console's last live update has settled.

    htmx wires up swapped-in content when it settles, 20 ms after the swap: a key pressed in
    between submits the console's form without htmx, which reloads the whole page, and a key
    pressed during that reload is lost (see the report: a clicker pressed twice does this).
    """
    console.wait_for_function(
        "() => document.readyState === 'complete' && !document.querySelector('.htmx-settling')",
        timeout=5_000,
    )
    console.keyboard.press(key)


def debrief_point(console, label_start: str):
    return console.locator(".debrief-point").filter(has_text=label_start)


# --- Database -----------------------------------------------------------------------------------


def stored(delivery: Delivery, **filters) -> list[tuple[int, str, str]]:
    """(group number, key, text) of every stored piece of answer, in the wall's order."""
    return list(
        Submission.objects.filter(run__delivery=delivery, **filters)
        .order_by("group__number", "position", "id")
        .values_list("group__number", "key", "text")
    )


def texts(delivery: Delivery, **filters) -> list[str]:
    return [text for _, _, text in stored(delivery, **filters)]


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def class_of_12(cop_lesson, instructor):
    """12 expected: three groups, filled evenly as phones join."""
    return delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction 12", expected_class_size=12
    )


@pytest.fixture
def one_group(cop_lesson, instructor):
    """5 expected: one group, so every phone that joins is in Group 1."""
    return delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction 5", expected_class_size=5
    )


@pytest.fixture
def open_phone(browser, live_server, transactional_db):
    """Each call is another phone: a new 390x844 touch context with its own cookies/storage."""
    contexts = []

    def open_phone():
        context, page = new_page(browser, live_server, device_scale_factor=2, **PHONE)
        contexts.append(context)
        return page

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def instructor_context(browser, live_server, transactional_db, instructor):
    """A signed-in 1920x1080 context; its pages are the console and the projector."""
    client = Client()
    client.force_login(instructor)
    context, page = new_page(browser, live_server, viewport=FULL_HD)
    page.close()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    yield context
    context.close()


def open_console(context, delivery):
    console = context.new_page()
    console.goto(f"/console/{delivery.pk}/")
    expect(console.locator("#slide-title")).to_have_text(delivery.slide().title)
    return console


def open_projector(context, delivery):
    projector = context.new_page()
    projector.goto(f"/console/{delivery.pk}/projector/")
    expect(projector.locator(".projector-main h1")).to_be_visible()
    return projector


def join(page, delivery: Delivery, name: str, *, shoot: str = "") -> None:
    """Join as a participant does: the code typed in lower case with a space, then a name."""
    code = delivery.join_code
    page.goto("/")
    page.get_by_label("Class code").press_sequentially(f"{code[:3].lower()} {code[3:].lower()}")
    if shoot:
        assert_fits_phone(page)
        screenshot(page, shoot)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(delivery.title)
    write(page.get_by_label("Your name"), name)
    page.get_by_role("button", name=f"Join {delivery.title}").click()
    expect(page.locator(".phone-head .who")).to_have_text(name)


def phone_on(open_phone, delivery: Delivery, name: str):
    """A phone that joined `delivery`; the stage shows what the class is on."""
    page = open_phone()
    join(page, delivery, name)
    return page


def go_to_activity(delivery: Delivery, slide: int) -> None:
    """The instructor's moves done on the server, for tests about phones only."""
    delivery.go_to_slide(slide)
    delivery.open_activity()
    delivery.refresh_from_db()


# --- 1. A class answers 5.1, 5.2 and the SARA case ----------------------------------------------


def test_a_class_answers_activities_from_their_phones_and_the_wall_shows_them(
    open_phone, instructor_context, class_of_12
):
    delivery = class_of_12
    console = open_console(instructor_context, delivery)
    projector = open_projector(instructor_context, delivery)

    # Four participants join; the app balances them over the three groups.
    amina = open_phone()
    join(amina, delivery, "Amina Diallo", shoot="phone-join")
    kofi = phone_on(open_phone, delivery, "Kofi Mensah")
    lena = phone_on(open_phone, delivery, "Lena Petrova")
    ravi = phone_on(open_phone, delivery, "Ravi Sharma")
    phones = {"Amina Diallo": amina, "Kofi Mensah": kofi, "Lena Petrova": lena, "Ravi Sharma": ravi}
    groups = dict(Participant.objects.values_list("display_name", "group__number"))
    assert groups == {"Amina Diallo": 1, "Kofi Mensah": 2, "Lena Petrova": 3, "Ravi Sharma": 1}
    for name, page in phones.items():
        expect(page.locator(".phone-head .group-name")).to_have_text(f"Group {groups[name]}")
    first = delivery.slide()
    expect(amina.locator("#slide-title")).to_have_text(first.title)
    expect(amina.locator(".slide-brief .key-message")).to_be_visible()
    assert_fits_phone(amina)
    screenshot(amina, "phone-waiting-slide-brief")

    # The instructor starts, clicks 5.1 in the lesson map, opens it (O) and starts its timer (T).
    press(console, "s")
    expect(console.locator(".bar-title .status")).to_have_text("Live")
    console.get_by_role("button", name=re.compile(r"^Learning Activity 5\.1")).click()
    expect(console.locator("#slide-title")).to_have_text(ACTIVITY_5_1)
    within = Within(PHONE_FOLLOWS)
    for page in phones.values():
        expect(page.locator("#slide-title")).to_have_text(ACTIVITY_5_1, timeout=within.ms)
        expect(new_point_box(page)).to_have_count(0)
    press(console, "o")
    expect(console.locator(".timer-state:not(.only-up)")).to_have_text("Ready")
    within = Within(PHONE_FOLLOWS)
    for page in phones.values():
        expect(new_point_box(page)).to_be_visible(timeout=within.ms)
        expect(page.locator("#activity-title")).to_have_text(ACTIVITY_5_1)
        expect(page.locator(".points")).to_contain_text("No points yet. Add the first one.")
    expect(amina.locator("[data-countdown]")).to_have_text("05:00")
    press(console, "t")
    expect(console.locator(".timer-state:not(.only-up)")).to_have_text("Running")
    within = Within(PHONE_FOLLOWS + 1)  # the count down shows its first tick after a second
    for page in phones.values():
        expect(page.locator("[data-countdown]")).to_have_text(
            re.compile(r"^04:5\d$"), timeout=within.ms
        )

    # Each group sends a point; the wall shows it under the group's name, never who wrote it.
    sent = {
        1: "Improved information about crime from the public",
        2: "There are not enough police to be everywhere",
        3: "Moral support and respect for the police",
    }
    add_point(amina, sent[1])
    add_point(kofi, sent[2])
    add_point(lena, sent[3])
    for page, number in ((amina, 1), (kofi, 2), (lena, 3)):
        expect(point_boxes(page)).to_have_count(1)
        expect(point_boxes(page).first).to_have_value(sent[number])
        expect(new_point_box(page)).to_have_value("")
        expect(page.get_by_role("heading", name="Your group's points (1)")).to_be_visible()
    run = Delivery.objects.get(pk=delivery.pk).open_run
    assert [(g, t) for g, _, t in stored(delivery)] == sorted(sent.items())
    within = Within(WALL_FOLLOWS)
    for number, text in sent.items():
        article = wall_group(projector, number)
        expect(article.locator(".piece-text")).to_have_text([text], timeout=within.ms)
        expect(article.get_by_role("heading")).to_have_text(f"Group {number}")

    # Ravi, also in Group 1, sees Amina's point appear, and adds one Amina sees in turn.
    expect_points(ravi, [sent[1]], timeout=PHONE_FOLLOWS)
    add_point(ravi, "People report problems early when they trust us")
    expect_points(
        amina, [sent[1], "People report problems early when they trust us"], timeout=PHONE_FOLLOWS
    )
    expect(wall_group(projector, 1).locator(".piece-text")).to_have_text(
        [sent[1], "People report problems early when they trust us"], timeout=WALL_FOLLOWS * 1000
    )
    for name in phones:
        expect(projector.locator("body")).not_to_contain_text(name)
        expect(projector.locator("body")).not_to_contain_text(name.split()[0])
    assert_fits_phone(amina)
    screenshot(amina, "phone-list-5-1")
    screenshot(projector, "projector-wall-5-1-1920")

    # The debrief lists the key points; the instructor marks the first as found by the groups.
    first_point = debrief_point(console, KEY_POINT_1)
    expect(first_point).to_be_visible()
    expect(debrief_point(console, KEY_POINT_2)).to_be_visible()
    reinforce = console.locator(".reinforce-these li")
    expect(reinforce).to_have_count(2)
    first_point.get_by_role("button", name="Covered").click()
    expect(first_point.locator(".suggestion")).to_have_text("✓ Found by the groups")
    expect(first_point.get_by_role("button", name="Covered")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(reinforce).to_have_count(1)
    expect(reinforce).to_contain_text(KEY_POINT_2)
    coverage = KeyPointCoverage.objects.get(run=run)
    assert coverage.status == "covered"
    assert coverage.key_point.text.startswith(KEY_POINT_1)
    screenshot(console, "console-debrief-5-1-1920")

    # 5.2 (slide 14): two free columns, Traditional Policing and CoP, one Add per point.
    console.get_by_role("button", name=re.compile(r"^Learning Activity 5\.2")).click()
    expect(console.locator("#slide-title")).to_have_text(ACTIVITY_5_2)
    press(console, "o")
    expect(console.locator(".timer-state:not(.only-up)")).to_have_text("Ready")
    column = piece(amina, "new:c0")
    expect(column).to_be_visible(timeout=PHONE_FOLLOWS * 1000)
    expect(amina.get_by_role("heading", name="Traditional Policing (0)")).to_be_visible()
    expect(amina.get_by_role("heading", name="CoP (0)")).to_be_visible()
    write(column.locator("textarea"), "A government agency that enforces the law")
    column.get_by_role("button", name="Add").click()
    expect(amina.get_by_role("heading", name="Traditional Policing (1)")).to_be_visible()
    [(group, key, text)] = stored(delivery, run__activity__code="5.2")
    assert (group, text) == (1, "A government agency that enforces the law")
    assert key.startswith("point:c0-")
    expect(wall_group(projector, 1)).to_contain_text(
        "Traditional Policing", timeout=WALL_FOLLOWS * 1000
    )
    expect(wall_group(projector, 1)).to_contain_text("A government agency that enforces the law")
    assert_fits_phone(amina)
    screenshot(amina, "phone-columns-5-2")

    # The SARA case (slide 28): the case and two named fields, shown on the wall under their labels.
    console.get_by_role("button", name=re.compile(r"^Problem Solving")).click()
    expect(console.locator(".console-stage")).to_have_attribute("data-slide", "25")
    for number in (26, 27, 28):
        press(console, "ArrowRight")
        expect(console.locator(".console-stage")).to_have_attribute("data-slide", str(number))
    press(console, "o")
    expect(console.locator(".timer-state:not(.only-up)")).to_have_text("Ready")
    within = Within(PHONE_FOLLOWS)
    for page in (amina, kofi, lena):
        expect(page.locator("#activity-title")).to_have_text(SARA, timeout=within.ms)
        for label in SARA_FIELDS.values():
            expect(page.get_by_label(label, exact=True)).to_be_visible()
        expect(page.locator("#stage")).to_contain_text("In an IDP camp in Galasi, Carana")
    sara = {
        (1, "S"): "Women brewing beer are arrested; their children are left alone",
        (1, "A"): "The women have few other ways to earn a living in the camp",
        (2, "S"): "Children left alone in the camp while their mothers are arrested",
        (3, "A"): "Brewing beer is the only income the women know how to earn",
    }
    by_group = {1: amina, 2: kofi, 3: lena}
    for (number, key), text in sara.items():
        fill_field(by_group[number], key, text)
        expect(piece(by_group[number], f"field:{key}").get_by_role("button")).to_have_text(
            "Save", timeout=PHONE_FOLLOWS * 1000
        )
    assert stored(delivery, run__activity__code="sara") == [
        (number, f"field:{key}", text) for (number, key), text in sara.items()
    ]
    within = Within(WALL_FOLLOWS)
    for number, pairs in {
        1: [("Scanning", sara[1, "S"]), ("Analysis", sara[1, "A"])],
        2: [("Scanning", sara[2, "S"])],
        3: [("Analysis", sara[3, "A"])],
    }.items():
        article = wall_group(projector, number)
        expect(article.locator(".piece-text")).to_have_text(
            [text for _, text in pairs], timeout=within.ms
        )
        expect(article.locator(".piece-label")).to_have_text([label for label, _ in pairs])
    for name in phones:
        expect(projector.locator("body")).not_to_contain_text(name)
    # Ravi sees what Amina wrote for their group.
    expect(field_box(ravi, "S")).to_have_value(sara[1, "S"], timeout=PHONE_FOLLOWS * 1000)
    assert_fits_phone(amina)
    screenshot(amina, "phone-fields-sara")
    screenshot(amina, "phone-fields-sara-full", full_page=True)
    screenshot(projector, "projector-wall-sara-1920")


def test_the_debrief_suggests_a_paragraph_key_point_that_an_answer_covers(
    instructor_context, class_of_12
):
    delivery = class_of_12
    go_to_activity(delivery, 12)
    amina = participant_join(delivery=delivery, display_name="Amina Diallo")
    answer_save(
        participant=amina,
        key="point:aaaaaaaa-1",
        text="Improved information about crime",
        base_version=None,
    )
    console = open_console(instructor_context, delivery)
    expect(debrief_point(console, KEY_POINT_1).locator(".suggestion")).to_contain_text(
        "Probably covered", timeout=2_000
    )


# --- 2. The network drops while sending ---------------------------------------------------------


def test_a_point_sent_while_the_network_drops_is_kept_and_stored_once(open_phone, one_group):
    delivery = one_group
    go_to_activity(delivery, 12)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    expect(new_point_box(phone)).to_be_visible()
    sent_keys: list[str] = []
    phone.on(
        "request",
        lambda request: (
            request.method == "POST"
            and "/answer/save/" in request.url
            and sent_keys.append(json.loads(request.post_data)["key"])
        ),
    )

    # The first try never reaches the server.
    text = "Community members tell police about crime they see"
    tries = []

    def cut(route):
        tries.append("cut")
        route.abort()

    phone.route("**/answer/save/**", cut)
    add_point(phone, text)
    expect(banner(phone)).to_have_text(
        "No connection. Your answer is kept on this phone and will be sent when the connection "
        "is back."
    )
    expect(new_point_box(phone)).to_have_value(text)
    assert tries == ["cut"]
    assert stored(delivery) == []
    assert_fits_phone(phone)
    screenshot(phone, "phone-offline-banner")

    # The retry reaches the server, but its answer is lost on the way back.
    def lose_answer(route):
        route.fetch()
        route.abort()
        tries.append("lost")

    phone.unroute("**/answer/save/**")
    phone.route("**/answer/save/**", lose_answer)
    deadline = Within(RETRY_SECONDS + 2)
    while "lost" not in tries and deadline.ms > 1:
        phone.wait_for_timeout(100)
    assert "lost" in tries, "answers.js did not retry within 5 s"
    assert texts(delivery) == [text]
    expect(banner(phone)).to_be_visible()
    expect(new_point_box(phone)).to_have_value(text)

    # The connection is back: the next retry is acknowledged, and still one point is stored.
    phone.unroute("**/answer/save/**")
    expect(banner(phone)).to_be_hidden(timeout=(RETRY_SECONDS + 2) * 1000)
    expect_points(phone, [text], timeout=PHONE_FOLLOWS)
    expect(new_point_box(phone)).to_have_value("")
    assert texts(delivery) == [text]
    assert len(sent_keys) >= 3 and len(set(sent_keys)) == 1, sent_keys
    assert stored(delivery)[0][1] == sent_keys[0]

    # Offline altogether: the phone says so, keeps the point, and sends it when back online.
    second = "Police get new resources from the community"
    phone.context.set_offline(True)
    expect(banner(phone)).to_have_text("You are offline. What you type is kept on this phone.")
    add_point(phone, second)
    expect(banner(phone)).to_contain_text("Your answer is kept on this phone")
    # A poll that fails meanwhile does not take the reassurance away.
    phone.evaluate(
        """() => { window.failedPolls = 0;
           document.addEventListener("htmx:sendError", () => window.failedPolls++); }"""
    )
    phone.wait_for_function("() => window.failedPolls > 0", timeout=3_000)
    expect(banner(phone)).to_contain_text("Your answer is kept on this phone")
    expect(new_point_box(phone)).to_have_value(second)
    assert texts(delivery) == [text]
    phone.context.set_offline(False)
    expect_points(phone, [text, second], timeout=PHONE_FOLLOWS)
    expect(banner(phone)).to_be_hidden(timeout=PHONE_FOLLOWS * 1000)
    assert texts(delivery) == [text, second]


def test_a_change_shows_at_once_from_the_answers_response_without_asking_again(
    open_phone, one_group
):
    """The answer's response carries the group's stage: the phone shows it even when it cannot
    ask for its stage at all (every poll fails here)."""
    delivery = one_group
    go_to_activity(delivery, 12)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    expect(new_point_box(phone)).to_be_visible()
    stage_requests = []

    def no_stage(route):
        stage_requests.append(route.request.url)
        route.abort()

    phone.route(re.compile(r"/p/\w+/\?rev="), no_stage)
    deadline = Within(PHONE_FOLLOWS)
    while not stage_requests and deadline.ms > 1:
        phone.wait_for_timeout(50)
    assert stage_requests, "the phone did not poll: the test would prove nothing"
    add_point(phone, "Trust")
    expect_points(phone, ["Trust"], timeout=1.0)
    expect(status_of(phone, "new")).to_have_text("Sent ✓")
    expect(new_point_box(phone)).to_have_value("")
    add_point(phone, "Listen first")
    expect_points(phone, ["Trust", "Listen first"], timeout=1.0)
    point_boxes(phone).nth(1).locator("xpath=ancestor::*[@data-piece]").get_by_role(
        "button", name="Move up"
    ).click()
    expect_points(phone, ["Listen first", "Trust"], timeout=1.0)
    point_boxes(phone).nth(1).locator("xpath=ancestor::*[@data-piece]").get_by_role(
        "button", name="Remove this point"
    ).click()
    expect_points(phone, ["Listen first"], timeout=1.0)
    assert texts(delivery) == ["Listen first"]
    assert_fits_phone(phone)
    screenshot(phone, "phone-shown-from-answer")


def test_sending_one_field_keeps_the_text_and_focus_of_the_box_being_typed_in(
    open_phone, one_group
):
    delivery = one_group
    go_to_activity(delivery, 28)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    held = []
    phone.route("**/answer/save/**", lambda route: held.append(route))
    fill_field(phone, "S", "Vagrant children in the camp")
    deadline = Within(3)
    while not held and deadline.ms > 1:
        phone.wait_for_timeout(20)
    assert held, "the send never left the phone"
    # While Scanning is on its way, Amina writes Analysis.
    field_box(phone, "A").click()
    phone.keyboard.type("No school")
    held.pop().continue_()
    expect(piece(phone, "field:S").get_by_role("button", name="Save")).to_be_visible(
        timeout=PHONE_FOLLOWS * 1000
    )
    expect(status_of(phone, "field:S")).to_have_text("Sent ✓")
    expect(field_box(phone, "A")).to_have_value("No school")
    assert focused_id(phone) == "piece-field-A"
    phone.keyboard.type(" nearby")
    expect(field_box(phone, "A")).to_have_value("No school nearby")
    assert texts(delivery) == ["Vagrant children in the camp"]


# --- 3. A reload keeps what was typed -----------------------------------------------------------


def test_a_reload_while_typing_keeps_the_unsent_text(open_phone, one_group):
    delivery = one_group
    go_to_activity(delivery, 28)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    draft = "The women have limited skills to earn money in the camp"
    field_box(phone, "A").click()
    field_box(phone, "A").press_sequentially(draft)
    expect(status_of(phone, "field:A")).to_have_text("Not sent yet")

    phone.reload()
    expect(field_box(phone, "A")).to_have_value(draft)
    expect(status_of(phone, "field:A")).to_have_text("Not sent yet")
    assert stored(delivery) == []
    # A new tab of the same phone (no form state for the browser to restore) shows it too.
    tab = phone.context.new_page()
    tab.goto(phone.url)
    expect(field_box(tab, "A")).to_have_value(draft)
    tab.close()

    piece(phone, "field:A").get_by_role("button", name="Send").click()
    expect(piece(phone, "field:A").get_by_role("button", name="Save")).to_be_visible(
        timeout=PHONE_FOLLOWS * 1000
    )
    assert stored(delivery) == [(1, "field:A", draft)]
    phone.reload()
    expect(field_box(phone, "A")).to_have_value(draft)
    expect(status_of(phone, "field:A")).to_have_text("")


# --- 4. A live update while typing --------------------------------------------------------------


def test_a_live_update_keeps_the_text_and_focus_of_the_box_being_typed_in(open_phone, one_group):
    delivery = one_group
    go_to_activity(delivery, 12)
    amina = phone_on(open_phone, delivery, "Amina Diallo")
    ravi = phone_on(open_phone, delivery, "Ravi Sharma")
    expect(new_point_box(amina)).to_be_visible()

    new_point_box(amina).click()
    typed = "Trust"
    amina.keyboard.type(typed)
    add_point(ravi, "Ravi's point")
    # Amina goes on typing, a key every 10 ms, through the update that brings Ravi's point.
    more = iter(" grows when police listen to what people say " * 10)
    deadline = Within(PHONE_FOLLOWS + 1)
    while point_boxes(amina).count() == 0 and deadline.ms > 1:
        key = next(more)
        amina.keyboard.type(key)
        typed += key
        amina.wait_for_timeout(10)
    expect_points(amina, ["Ravi's point"], timeout=0.5)
    for _ in range(10):  # and a few keys after it
        key = next(more)
        amina.keyboard.type(key)
        typed += key
        amina.wait_for_timeout(10)

    expect(new_point_box(amina)).to_have_value(typed)
    assert focused_id(amina) == "piece-new"
    expect(status_of(amina, "new")).to_have_text("Not sent yet")
    assert texts(delivery) == ["Ravi's point"]

    piece(amina, "new").get_by_role("button", name="Add").click()
    expect_points(amina, ["Ravi's point", typed.strip()])
    assert texts(delivery) == ["Ravi's point", typed.strip()]


# --- 5. Two members edit the same field ---------------------------------------------------------


def test_the_second_to_save_a_field_sees_the_conflict_and_keeps_their_text(open_phone, one_group):
    delivery = one_group
    go_to_activity(delivery, 28)
    amina = phone_on(open_phone, delivery, "Amina Diallo")
    ravi = phone_on(open_phone, delivery, "Ravi Sharma")
    amina_text = "Vagrant children in the camp"
    ravi_text = "Women arrested for brewing beer; their children left unattended"

    write(field_box(ravi, "S"), ravi_text)
    fill_field(amina, "S", amina_text)
    expect(piece(amina, "field:S").get_by_role("button", name="Save")).to_be_visible()
    assert stored(delivery) == [(1, "field:S", amina_text)]

    piece(ravi, "field:S").get_by_role("button", name=re.compile("^(Send|Save)$")).click()
    conflict = piece(ravi, "field:S").locator(".conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Someone in your group changed this while you were typing.")
    expect(conflict.locator(".conflict-theirs")).to_have_text(amina_text)
    expect(field_box(ravi, "S")).to_have_value(ravi_text)
    expect(status_of(ravi, "field:S")).to_have_text("Not saved: see below")
    conflict.scroll_into_view_if_needed()
    assert_fits_phone(ravi)
    screenshot(ravi, "phone-conflict")

    # The group goes on working: the update it brings leaves Ravi's choice on his screen.
    fill_field(amina, "A", "Few ways to earn money")
    expect(field_box(ravi, "A")).to_have_value("Few ways to earn money", timeout=3_000)
    expect(conflict).to_be_visible()
    expect(conflict.locator(".conflict-theirs")).to_have_text(amina_text)
    expect(field_box(ravi, "S")).to_have_value(ravi_text)

    conflict.get_by_role("button", name="Keep mine").click()
    expect(conflict).to_be_hidden()
    # Amina's phone shows Ravi's text once it is stored.
    expect(field_box(amina, "S")).to_have_value(ravi_text, timeout=PHONE_FOLLOWS * 1000)
    saved = Submission.objects.get(key="field:S")
    assert (saved.text, saved.version, saved.author.display_name) == (ravi_text, 2, "Ravi Sharma")
    expect(field_box(ravi, "S")).to_have_value(ravi_text)
    expect(status_of(ravi, "field:S")).not_to_have_text(re.compile("Not s"))
    expect(piece(ravi, "field:S").locator(".conflict")).to_be_hidden()


# --- 6. Closing the activity --------------------------------------------------------------------


def test_closing_the_activity_freezes_the_phone_and_keeps_unsent_text_visible(
    open_phone, instructor_context, one_group
):
    delivery = one_group
    go_to_activity(delivery, 12)
    console = open_console(instructor_context, delivery)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    add_point(phone, "Better information about crime")
    expect_points(phone, ["Better information about crime"])
    unsent = "Respect for the police grows"
    new_point_box(phone).click()
    new_point_box(phone).press_sequentially(unsent)

    console.get_by_role("button", name="Close activity").click()
    expect(console.get_by_role("button", name=re.compile("^Open activity"))).to_be_visible()
    notice = phone.get_by_role("status").filter(has_text="This activity is closed")
    expect(notice).to_be_visible(timeout=PHONE_FOLLOWS * 1000)
    expect_points(phone, ["Better information about crime"])
    expect(point_boxes(phone).first).not_to_be_editable()
    kept = phone.get_by_label("Your point (not sent)")
    expect(kept).to_be_visible()
    expect(kept).to_have_value(unsent)
    expect(kept).not_to_be_editable()
    expect(status_of(phone, "new")).to_have_text("Not sent: the activity is closed")
    expect(phone.get_by_role("button", name=re.compile("^(Add|Send|Save)$"))).to_have_count(0)
    assert Delivery.objects.get(pk=delivery.pk).open_run is None
    assert texts(delivery) == ["Better information about crime"]
    assert_fits_phone(phone)
    screenshot(phone, "phone-closed")


# --- 7. The phone's count down ------------------------------------------------------------------


def test_the_phone_count_down_turns_red_when_the_time_is_up(open_phone, one_group):
    delivery = one_group
    go_to_activity(delivery, 12)
    delivery.change_timer("start")
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    countdown = phone.locator("[data-countdown]")
    expect(countdown).to_have_text(re.compile(r"^04:5\d$"))
    # Five seconds left, as if the group had worked for 4:55; the phone's next poll shows it.
    ActivityRun.objects.filter(pk=delivery.open_run_id).update(
        ends_at=timezone.now() + timedelta(seconds=5)
    )
    Delivery.objects.filter(pk=delivery.pk).update(revision=F("revision") + 1)
    expect(countdown).to_have_text(re.compile(r"^00:0[1-5]$"), timeout=PHONE_FOLLOWS * 1000)
    expect(countdown).to_have_css("color", "rgb(27, 36, 48)")  # --ink
    expect(countdown).to_have_text("00:00", timeout=6_000)
    expect(phone.locator(".timer-line")).to_have_class(re.compile(r"\btime-up\b"))
    expect(countdown).to_have_css("color", "rgb(164, 22, 26)")  # --danger
