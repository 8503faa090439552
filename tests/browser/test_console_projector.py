"""The presenter console and the projector side by side, as an instructor runs the lesson.

Two pages of one browser context (one signed-in instructor) at 1920x1080: keys pressed on the
console must show on the projector within two seconds, timers must agree on both screens through
reloads and a server restart, and the screens are saved as screenshots to look at.
"""

import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from activities.models import Delivery, delivery_create
from tests.browser.conftest import new_page, screenshot
from tests.browser.served_app import ServedApp
from tests.conftest import PASSWORD

FOLLOW_SECONDS = 2.0  # the projector shows what the console did within this
FULL_HD = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}
ACTIVITY_5_2 = "Learning Activity 5.2: Traditional Policing vs. CoP"

# Projector follow latencies measured by this module, for the report at the end of the run.
LATENCIES: list[tuple[str, float]] = []


# --- What the screens show ----------------------------------------------------------------------


def slide_title(page):
    return page.locator("#slide-title")


def projector_title(page):
    return page.locator(".projector-main h1")


def countdown(page):
    """The activity timer: the console's side panel, or the projector's big timer."""
    return page.locator(".timer .countdown, .big-timer .countdown")


def seconds(clock: str) -> int:
    """'09:58' or '1:02:03' as seconds."""
    total = 0
    for part in clock.strip().split(":"):
        total = total * 60 + int(part)
    return total


def clock(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def time_left(page) -> int:
    expect(countdown(page)).to_have_text(re.compile(r"^\d\d:\d\d$"))
    return seconds(countdown(page).inner_text())


@dataclass(frozen=True)
class Reading:
    """A running timer as one screen shows it at one moment."""

    shown: int  # the seconds it shows
    ends_at_ms: int  # the server's stored end of the phase, as this page got it
    left: float  # seconds from this moment to that end: what it should show, to a second


def read_timer(page) -> Reading:
    expect(countdown(page)).to_have_text(re.compile(r"^\d\d:\d\d$"))
    shown, ends_at_ms, left = countdown(page).evaluate(
        """(timer) => {
            const [minutes, seconds] = timer.textContent.split(":").map(Number);
            const end = Number(timer.dataset.endsAt);
            return [minutes * 60 + seconds, end, (end - Date.now()) / 1000];
        }"""
    )
    return Reading(shown, ends_at_ms, left)


def same_time_left(console, projector, *, ends_at_ms: int | None = None) -> list[Reading]:
    """Read both timers; assert they agree to a second, with each other and with the end time
    the server stored (the browser and the server share this machine's clock)."""
    readings = [read_timer(console), read_timer(projector)]
    on_console, on_projector = readings
    assert abs(on_console.shown - on_projector.shown) <= 1, readings
    assert on_console.ends_at_ms == on_projector.ends_at_ms, readings
    if ends_at_ms is not None:
        assert abs(on_console.ends_at_ms - ends_at_ms) <= 1, (readings, ends_at_ms)
    for reading in readings:
        assert abs(reading.shown - reading.left) <= 1, reading
    return readings


def press_and_time(console, key: str, projector, shows: str | None = None) -> float:
    """Press `key` on the console; seconds until the projector's heading reads `shows` (or,
    without `shows`, until the projector is blank).

    Polls the projector's DOM every 50 ms (expect() backs off to a second between checks, too
    coarse to measure with); gives up a little after FOLLOW_SECONDS so that a slow projector
    fails the assertion with its measured time rather than a timeout.
    """
    started = time.monotonic()
    console.keyboard.press(key)
    projector.wait_for_function(
        """(title) => {
            if (title === null) return document.querySelector("#stage.blank") !== null;
            const heading = document.querySelector(".projector-main h1");
            return heading !== null && heading.textContent.trim() === title;
        }""",
        arg=shows,
        polling=50,
        timeout=(FOLLOW_SECONDS + 3) * 1000,
    )
    latency = time.monotonic() - started
    LATENCIES.append((key if shows is not None else f"{key} (blank)", latency))
    return latency


def press_until(console, key: str, locator, text, *, timeout: int = 10_000) -> None:
    console.keyboard.press(key)
    expect(locator).to_have_text(text, timeout=timeout)


def actions_sent(console) -> list[str]:
    """The actions the console posts from now on, in order."""
    sent: list[str] = []

    def record(request) -> None:
        if request.method == "POST" and request.url.endswith("/action/"):
            sent.extend(parse_qs(request.post_data or "").get("action", []))

    console.on("request", record)
    return sent


def watch_for_server_errors(context) -> list[str]:
    """The 5xx answers any page of `context` gets (a failed poll is invisible on screen).

    Except a 503 to a poll: pytest-django's in-process live server shares one in-memory SQLite
    connection between its threads, so a poll that reads while another request (or the test)
    writes can fail with "database table is locked"; the app answers 503 by design and the next
    poll, a second later, gets the change. A file database with separate connections, as served,
    waits on its busy timeout instead.
    """
    errors: list[str] = []

    def record(response) -> None:
        method = response.request.method
        if response.status >= 500 and not (response.status == 503 and method == "GET"):
            errors.append(f"{response.status} {method} {response.url}")

    context.on("response", record)
    return errors


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction 12", expected_class_size=23
    )


@pytest.fixture
def screens(browser, live_server, transactional_db, instructor, delivery):
    """(console, projector): two 1920x1080 pages of one signed-in browser context."""
    client = Client()
    client.force_login(instructor)
    context, console = new_page(browser, live_server, viewport=FULL_HD)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    server_errors = watch_for_server_errors(context)
    projector = context.new_page()
    console.goto(f"/console/{delivery.pk}/")
    projector.goto(f"/console/{delivery.pk}/projector/")
    first = delivery.slide().title
    expect(slide_title(console)).to_have_text(first)
    expect(projector_title(projector)).to_have_text(first)
    yield console, projector
    context.close()
    assert not server_errors, f"the server failed: {server_errors}"


@pytest.fixture(scope="module", autouse=True)
def _report_latencies():
    yield
    if LATENCIES:
        figures = ", ".join(f"{key} {latency:.2f} s" for key, latency in LATENCIES)
        worst = max(latency for _, latency in LATENCIES)
        print(f"\nprojector follow latency: {figures}; worst {worst:.2f} s")


# --- 1. The console's keys drive the projector ------------------------------------------------


def test_console_keys_drive_the_projector_within_two_seconds(screens, delivery):
    console, projector = screens
    titles = {n: delivery.slide(n).title for n in (5, 6, 7)}
    sent = actions_sent(console)

    # → and PageDown (what clickers send) go forward, ← and PageUp back.
    for key, number in (("ArrowRight", 6), ("PageDown", 7), ("ArrowLeft", 6), ("PageUp", 5)):
        latency = press_and_time(console, key, projector, titles[number])
        assert latency < FOLLOW_SECONDS, f"{key}: the projector took {latency:.2f} s"
        expect(slide_title(console)).to_have_text(titles[number])
        expect(projector.locator(".projector-foot")).to_contain_text(f"Slide {number}")
        expect(console.locator(".console-stage")).to_have_attribute("data-slide", str(number))
    assert Delivery.objects.get(pk=delivery.pk).current_slide == 5
    # On the first slide, Previous is disabled and ← does nothing.
    expect(console.get_by_role("button", name="Previous")).to_be_disabled()

    # ? opens the shortcut help; while it is open, keys do not act on the lesson.
    help_dialog = console.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_hidden()
    console.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Next slide (clickers send these)")
    expect(help_dialog).to_contain_text("Blank or unblank the projector")
    console.keyboard.press("ArrowRight")
    console.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    expect(slide_title(console)).to_have_text(titles[5])

    # b blanks the projector, b again brings the slide back.
    stage = projector.locator("#stage")
    latency = press_and_time(console, "b", projector)
    assert latency < FOLLOW_SECONDS, f"blanking took {latency:.2f} s"
    expect(stage).to_have_css("background-color", "rgb(0, 0, 0)")
    expect(projector_title(projector)).to_have_count(0)
    expect(projector.locator(".join-panel, .projector-foot")).to_have_count(0)
    # Black from corner to corner: every point of the screen is the blank stage.
    corners = projector.evaluate(
        """() => {
            const [right, bottom] = [innerWidth - 2, innerHeight - 2];
            return [[1, 1], [right, 1], [1, bottom], [right, bottom]]
                .map(([x, y]) => document.elementFromPoint(x, y).id);
        }"""
    )
    assert corners == ["stage"] * 4
    expect(console.get_by_role("button", name=re.compile("^Unblank"))).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot(projector, "projector-blank-1920")
    screenshot(console, "console-blank-1920")

    latency = press_and_time(console, "b", projector, titles[5])
    assert latency < FOLLOW_SECONDS, f"unblanking took {latency:.2f} s"
    expect(stage).not_to_have_class(re.compile(r"\bblank\b"))
    expect(console.get_by_role("button", name=re.compile("^Blank"))).to_have_attribute(
        "aria-pressed", "false"
    )
    # One action per key, and none for the → pressed while the help was open.
    assert sent == ["next", "next", "prev", "prev", "blank", "blank"]


# --- 2. The activity timer agrees on both screens -----------------------------------------------


def test_the_timer_shows_the_same_time_left_on_console_and_projector(screens, delivery):
    console, projector = screens

    press_until(console, "s", console.locator(".bar-title .status"), "Live")
    console.get_by_role("button", name=re.compile(r"^Learning Activity 5\.2")).click()
    expect(slide_title(console)).to_have_text(ACTIVITY_5_2)
    expect(projector_title(projector)).to_have_text(ACTIVITY_5_2)

    press_until(console, "o", console.locator(".timer-state:not(.only-up)"), "Ready")
    expect(countdown(console)).to_have_text("10:00")
    expect(countdown(projector)).to_have_text("10:00")
    expect(projector.locator(".big-timer .timer-phase")).to_have_text("Group work")

    press_until(console, "t", console.locator(".timer-state:not(.only-up)"), "Running")
    expect(countdown(projector)).not_to_have_text("10:00", timeout=FOLLOW_SECONDS * 1000 + 1500)
    before, _ = same_time_left(console, projector)
    read_at = time.monotonic()
    assert 590 <= before.shown <= 600, before

    console.reload()
    projector.reload()
    expect(console.locator(".timer-state:not(.only-up)")).to_have_text("Running")
    after = same_time_left(console, projector, ends_at_ms=before.ends_at_ms)
    expected = before.left - (time.monotonic() - read_at)
    for reading in after:
        assert abs(reading.shown - expected) <= 1, (reading, expected)

    press_until(console, "t", console.locator(".timer-state:not(.only-up)"), "Paused")
    expect(projector.locator(".big-timer .timer-state")).to_have_text(
        "Paused", timeout=FOLLOW_SECONDS * 1000
    )
    frozen = time_left(console)
    expect(countdown(projector)).to_have_text(clock(frozen))
    console.wait_for_timeout(1_200)  # long enough for a running clock to tick at least once
    expect(countdown(console)).to_have_text(clock(frozen))
    expect(countdown(projector)).to_have_text(clock(frozen))

    press_until(console, "+", countdown(console), clock(frozen + 60))
    expect(countdown(projector)).to_have_text(clock(frozen + 60), timeout=FOLLOW_SECONDS * 1000)
    run = Delivery.objects.get(pk=delivery.pk).open_run
    assert (run.timer_state, run.remaining_seconds) == ("paused", frozen + 60)


# --- 3. A server restart under both screens ------------------------------------------------------


@pytest.fixture
def served_app(tmp_path):
    """The app in a server process of its own (SQLite in tmp_path); always stopped after."""
    app = ServedApp(tmp_path)
    try:
        yield app
    finally:
        app.close()
        print(f"the server's last log:\n{app.log()}")  # shown when the test failed


def test_after_a_server_restart_both_screens_show_the_same_time_left(browser, served_app):
    console_path = served_app.setup(instructor="instructor", password=PASSWORD)
    served_app.start()
    context = browser.new_context(base_url=served_app.url, viewport=FULL_HD)
    context.set_default_timeout(10_000)
    server_errors = watch_for_server_errors(context)
    try:
        console = context.new_page()
        console.goto(f"/accounts/login/?next={console_path}")
        console.locator("input[name=username]").fill("instructor")
        console.locator("input[name=password]").fill(PASSWORD)
        console.locator("form:has(input[name=password]) [type=submit]").click()
        expect(slide_title(console)).to_have_text("What is Community-oriented Policing?")
        projector = context.new_page()
        projector.goto(f"{console_path}projector/")
        press_until(console, "s", console.locator(".bar-title .status"), "Live")
        console.get_by_role("button", name=re.compile(r"^Learning Activity 5\.2")).click()
        expect(slide_title(console)).to_have_text(ACTIVITY_5_2)
        press_until(console, "o", console.locator(".timer-state:not(.only-up)"), "Ready")
        press_until(console, "t", console.locator(".timer-state:not(.only-up)"), "Running")
        expect(countdown(projector)).not_to_have_text(re.compile("^10:00$|^$"))
        before, _ = same_time_left(console, projector)

        # Count the polls that fail while the server is down.
        for page in (console, projector):
            page.evaluate(
                """() => {
                    window.failedPolls = 0;
                    document.body.addEventListener("htmx:sendError", () => window.failedPolls++);
                }"""
            )
        served_app.stop()
        assert not served_app.answers()
        for page in (console, projector):
            page.wait_for_function("() => window.failedPolls > 0", timeout=10_000)
        served_app.start()

        # Not reloaded: both clocks went on counting to the same end while the server was down.
        same_time_left(console, projector, ends_at_ms=before.ends_at_ms)
        # A change made after the restart reaches both screens through their polls alone.
        token = console.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))")
        answer = context.request.post(
            f"{console_path}action/", form={"action": "timer:extend"}, headers=token
        )
        assert answer.ok, answer.status
        extended = before.ends_at_ms + 60_000
        started = time.monotonic()
        for page in (console, projector):
            page.wait_for_function(
                """(end) => Math.abs(Number(
                    document.querySelector(".timer .countdown, .big-timer .countdown")
                        .dataset.endsAt) - end) <= 1""",
                arg=extended,
                polling=50,
                timeout=5_000,
            )
        LATENCIES.append(("+1 min after restart (polls only)", time.monotonic() - started))
        same_time_left(console, projector, ends_at_ms=extended)

        console.reload()
        projector.reload()
        same_time_left(console, projector, ends_at_ms=extended)
        assert not server_errors, f"the server failed: {server_errors}"
    finally:
        context.close()


# --- 4. Screenshots -----------------------------------------------------------------------------


def assert_fits(page, *, projector: bool = False) -> None:
    """What the screen shows fits it: nothing runs off sideways or is cut in two."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
    if projector:
        layout = page.evaluate(
            """() => {
                const main = document.querySelector(".projector-main");
                const body = document.querySelector(".projector-main .slide-body");
                const code = document.querySelector(".join-code strong");
                const panel = document.querySelector(".join-panel");
                return {
                    clipped: main.scrollHeight - main.clientHeight,
                    bodyPx: body ? parseFloat(getComputedStyle(body).fontSize) : null,
                    codeLines: code.getBoundingClientRect().height
                        / parseFloat(getComputedStyle(code).lineHeight),
                    codeOverflow: code.scrollWidth - panel.clientWidth,
                };
            }"""
        )
        assert layout["clipped"] <= 1, f"the slide runs {layout['clipped']}px off the bottom"
        # fit.js never shrinks below 1.1rem; the slide's text must not start smaller.
        assert layout["bodyPx"] is None or layout["bodyPx"] >= 1.1 * 16, layout
        assert round(layout["codeLines"]) == 1, f"the join code wraps: {layout}"
        assert layout["codeOverflow"] <= 0, f"the join code is cut off: {layout}"
    else:
        gap = page.evaluate(
            """() => document.querySelector(".current-slide").getBoundingClientRect().bottom
                   - document.querySelector(".slide-nav").getBoundingClientRect().bottom"""
        )
        # Slide text scrolls behind the Previous/Next bar, never shows below it.
        assert abs(gap) <= 1, f"{gap}px of slide text show below Previous/Next"
        bar = page.locator(".console-bar").bounding_box()["height"]
        assert bar <= 120, f"the console's top bar is {bar}px tall"


def fitted(projector) -> None:
    """Wait for fit.js, which shrinks the slide on htmx:afterSettle, after the heading shows."""
    try:
        projector.wait_for_function(
            """() => {
                const main = document.querySelector(".projector-main");
                return main === null || main.scrollHeight <= main.clientHeight + 1;
            }""",
            polling=50,
            timeout=3_000,
        )
    except PlaywrightTimeoutError:
        pytest.fail("the projected slide still runs off the bottom after fit.js")


def show_on_both(console, projector, *, slide: str, heading: str) -> None:
    expect(slide_title(console)).to_have_text(slide, timeout=5_000)
    expect(projector_title(projector)).to_have_text(heading, timeout=5_000)


def test_screenshots_of_console_and_projector(screens, delivery):
    console, projector = screens

    def shoot(name: str, *, laptop_screenshot: bool = False) -> None:
        fitted(projector)
        assert_fits(console)
        assert_fits(projector, projector=True)
        screenshot(console, f"console-{name}-1920")
        screenshot(projector, f"projector-{name}-1920")
        console.set_viewport_size(LAPTOP)
        assert_fits(console)
        if laptop_screenshot:
            screenshot(console, f"console-{name}-1366")
        console.set_viewport_size(FULL_HD)

    delivery.start()
    show_on_both(console, projector, slide=delivery.slide().title, heading=delivery.slide().title)
    expect(console.locator(".bar-title .status")).to_have_text("Live")
    shoot("slide-05", laptop_screenshot=True)

    delivery.go_to_slide(14)
    delivery.open_activity()
    delivery.change_timer("start")
    show_on_both(console, projector, slide=ACTIVITY_5_2, heading=ACTIVITY_5_2)
    expect(console.locator(".timer-state:not(.only-up)")).to_have_text("Running")
    expect(countdown(projector)).to_have_text(re.compile(r"^(10:00|09:5\d)$"))
    shoot("slide-14-activity-5-2", laptop_screenshot=True)

    delivery.go_to_slide(28)
    title = delivery.slide().title
    show_on_both(console, projector, slide=title, heading=title)
    # Activity 5.2 stays open while the lesson moves on to slide 28, which has a group task of
    # its own: the console shows both, so the running timer is never out of sight.
    still_open = console.locator(".still-open")
    expect(still_open).to_contain_text("Still open")
    expect(still_open).to_contain_text(ACTIVITY_5_2)
    expect(still_open.locator("[data-countdown]")).to_have_text(re.compile(r"^(10:00|09:\d\d)$"))
    expect(console.get_by_role("button", name=re.compile("^Open activity"))).to_be_visible()
    shoot("slide-28")
