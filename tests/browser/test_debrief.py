"""The console's debrief in sight while the instructor talks, at 1920x1080 and 1366x768."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from activities.models import delivery_create
from activities.participation import answer_save, participant_join
from tests.browser.conftest import new_page, screenshot

PARAPHRASE = "Set up a neighbourhood watch so residents report suspicious activity"


@pytest.fixture
def class_at_5_3(cop_lesson, instructor):
    """Activity 5.3 (21 key points) open, four groups with answers on the wall."""
    delivery = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction", expected_class_size=20
    )
    delivery.start()
    delivery.go_to_slide(24)
    delivery.open_activity()
    delivery.refresh_from_db()
    for number in range(8):
        person = participant_join(delivery=delivery, display_name=f"Person {number}")
        for point in range(3):
            answer_save(
                participant=person,
                key=f"point:aaaaaaaa-{number}-{point}",
                text=PARAPHRASE if number == point == 0 else f"Idea {point} of person {number}",
            )
    return delivery


def console_at(browser, live_server, instructor, delivery, width: int, height: int):
    client = Client()
    client.force_login(instructor)
    context, page = new_page(browser, live_server, viewport={"width": width, "height": height})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"/console/{delivery.pk}/")
    return context, page


def in_viewport(page, selector: str) -> bool:
    """Whether the first element `selector` finds is wholly on screen."""
    return page.eval_on_selector(
        selector,
        """element => {
            const box = element.getBoundingClientRect();
            return box.top >= 0 && box.left >= 0 && box.height > 0
                && box.bottom <= innerHeight && box.right <= innerWidth;
        }""",
    )


@pytest.mark.parametrize("width, height", [(1920, 1080), (1366, 768)])
def test_the_open_activity_s_debrief_is_in_sight_without_scrolling(
    browser, live_server, transactional_db, instructor, class_at_5_3, width, height
):
    context, page = console_at(browser, live_server, instructor, class_at_5_3, width, height)
    try:
        debrief = page.locator(".debrief")
        expect(debrief).to_be_visible()
        screenshot(page, f"console-debrief-5-3-{width}")
        assert page.evaluate("document.querySelector('.current-slide').scrollTop") == 0
        assert in_viewport(page, ".debrief")  # scrolling within itself if it must
        assert in_viewport(page, ".reinforce-these h3")
        assert in_viewport(page, ".reinforce-these li")
        watch = page.locator(".debrief-point").filter(has_text="Neighbourhood watch")
        expect(watch.locator(".suggestion")).to_contain_text("Probably covered")

        # Marked from the console: the lists change in place, the debrief stays in sight.
        watch.get_by_role("button", name="Reinforced").click()
        expect(watch.locator(".suggestion")).to_contain_text("Reinforced by you")
        expect(page.locator(".reinforce-these")).not_to_contain_text("Neighbourhood watch")
        assert in_viewport(page, ".debrief")
        screenshot(page, f"console-debrief-5-3-{width}-marked")
    finally:
        context.close()
