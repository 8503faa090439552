"""A clicker's fast presses: every one counts, in order, on the console and the projector."""

import time

from playwright.sync_api import expect

from activities.models import Delivery
from tests.browser.test_console_projector import (  # noqa: F401 (fixtures)
    delivery,
    projector_title,
    screens,
    slide_title,
)

TRIALS = 3


def test_five_presses_50_ms_apart_move_exactly_five_slides(screens, delivery):  # noqa: F811
    console, projector = screens
    numbers = list(delivery.lesson.slides.order_by("number").values_list("number", flat=True))
    at = numbers.index(delivery.current_slide)
    seen_on_projector: list[str] = []
    projector.expose_function("seen", lambda text: seen_on_projector.append(text))
    # Every heading the projector shows, in order, to check it never goes past the target and
    # never shows a slide twice on the way.
    projector.evaluate(
        """() => new MutationObserver(() => {
            const heading = document.querySelector(".projector-main h1");
            const text = heading ? heading.textContent.trim() : "";
            if (text && text !== window.lastSeen) { window.lastSeen = text; window.seen(text); }
        }).observe(document.body, { childList: true, subtree: true })"""
    )
    for trial in range(TRIALS):
        for _press in range(5):
            console.keyboard.press("ArrowRight")
            time.sleep(0.05)
        target = numbers[at + 5 * (trial + 1)]
        title = delivery.lesson.slides.get(number=target).title
        expect(console.locator(".console-stage")).to_have_attribute("data-slide", str(target))
        expect(slide_title(console)).to_have_text(title)
        expect(projector_title(projector)).to_have_text(title)
        expect(console.locator("[data-slide-label]")).to_have_text(f"Slide {target}")
        assert Delivery.objects.get(pk=delivery.pk).current_slide == target, f"trial {trial}"
    assert len(seen_on_projector) == len(set(seen_on_projector)), seen_on_projector
    final = delivery.lesson.slides.get(number=numbers[at + 5 * TRIALS]).title
    assert seen_on_projector[-1] == final
