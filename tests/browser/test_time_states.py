"""Time up and ended are states the screens say, with only the actions that still make sense."""

import re
import time
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import ActivityRun, Delivery
from tests.browser.conftest import new_page, screenshot
from tests.browser.test_console_projector import (  # noqa: F401 (fixtures)
    delivery,
    screens,
)
from tests.browser.test_participants import PHONE, join


def run_out_in(lesson_delivery: Delivery, seconds: int) -> None:
    """As if the group had worked until `seconds` before the end; the next poll shows it."""
    ActivityRun.objects.filter(pk=lesson_delivery.open_run_id).update(
        ends_at=timezone.now() + timedelta(seconds=seconds)
    )
    Delivery.objects.filter(pk=lesson_delivery.pk).update(revision=F("revision") + 1)


def test_time_up_offers_its_choices_and_the_end_stops_the_clock(
    screens,  # noqa: F811
    delivery,  # noqa: F811
    browser,
    live_server,
):
    console, projector = screens
    delivery.start()
    delivery.go_to_slide(12)
    delivery.open_activity()
    delivery.change_timer("start")
    phone_context, phone = new_page(browser, live_server, device_scale_factor=2, **PHONE)
    join(phone, delivery, "Amina Diallo")
    console.reload()
    timer_box = console.locator("[data-timer-scope]")
    expect(timer_box.locator(".timer-state:visible")).to_have_text("Running")

    run_out_in(delivery, 3)
    expect(timer_box.locator(".timer-state:visible")).to_have_text("Time is up", timeout=8_000)
    expect(timer_box.locator(".countdown")).to_have_text("00:00")
    expect(console.get_by_role("button", name=re.compile("^Pause"))).to_be_hidden()
    expect(console.get_by_role("button", name=re.compile("^Reset"))).to_be_hidden()
    for choice in ("+1 min", "Next phase", "Close activity"):
        expect(timer_box.get_by_role("button", name=re.compile(re.escape(choice)))).to_be_visible()
    expect(timer_box).to_contain_text("Add a minute, go to the next phase, or close the activity.")
    expect(projector.locator(".big-timer .timer-up-label")).to_be_visible()
    expect(phone.locator(".timer-line .timer-up")).to_have_text("Time is up", timeout=8_000)
    screenshot(console, "console-time-up-1920")
    screenshot(phone, "phone-time-up")

    # The server says so too, on a reload: time up is a state, not a red 00:00 beside "Running".
    console.reload()
    expect(timer_box.locator(".timer-state:visible")).to_have_text("Time is up")

    console.keyboard.press("+")
    expect(timer_box.locator(".timer-state:visible")).to_have_text("Running")
    expect(timer_box.locator(".countdown")).to_have_text(re.compile(r"^0[01]:\d\d$"))

    console.on("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End lesson").click()
    expect(console.locator(".status")).to_have_text(re.compile("Ended", re.I))
    elapsed = console.locator(".pacing .mono").first
    final = elapsed.inner_text()
    time.sleep(2.2)
    assert elapsed.inner_text() == final, "the clock kept counting after the end"
    for gone in ("Blank", "Previous", "Next", "Open activity", "Start timer"):
        expect(console.get_by_role("button", name=re.compile(f"^{gone}"))).to_have_count(0)
    expect(console.locator(".rail button")).to_have_count(0)
    expect(console.get_by_role("link", name="Report")).to_be_visible()
    expect(console.locator(".ended-note")).to_contain_text("This delivery ended at")
    screenshot(console, "console-ended-1920")
    phone_context.close()
