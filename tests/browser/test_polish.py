"""Small things a real class met: each is seen in Chromium at the sizes it is used at."""

from playwright.sync_api import expect

from activities.models import Delivery
from activities.participation import participant_join
from tests.browser.conftest import screenshot
from tests.browser.test_console_projector import (  # noqa: F401 (fixtures)
    delivery,
    screens,
)

PEOPLE_WIDTHS = {1920: 1080, 1366: 768, 390: 844}
NAMES = ["Amina Diallo", "Jean-Baptiste Nkurunziza", "Sara Haile", "Marie-Thérèse Okonkwo-Mbeki"]


def boxes_outside_their_card(page) -> list[str]:
    """Each Apply button that pokes out of its card or cuts its own text, as 'name: why'."""
    return page.evaluate(
        """() => [...document.querySelectorAll(".person button")].flatMap((button) => {
            const card = button.closest(".card").getBoundingClientRect();
            const box = button.getBoundingClientRect();
            const name = button.closest(".person").querySelector(".person-name").textContent;
            const out = [];
            if (box.left < card.left || box.right > card.right
                || box.top < card.top || box.bottom > card.bottom) {
                out.push(`${name}: ${box.left}-${box.right} not in ${card.left}-${card.right}`);
            }
            if (button.scrollWidth > button.clientWidth) {
                out.push(`${name}: text cut (${button.scrollWidth} > ${button.clientWidth})`);
            }
            return out;
        })"""
    )


def test_every_apply_button_fits_its_group_card(screens, delivery: Delivery):  # noqa: F811
    console, _ = screens
    for name in NAMES:
        participant_join(delivery=delivery, display_name=name)
    waiting = participant_join(delivery=delivery, display_name="Kwame Mensah-Boateng")
    waiting.group = None
    waiting.save(update_fields=["group"])
    console.goto(f"/console/{delivery.pk}/people/")
    expect(console.locator(".person button")).to_have_count(len(NAMES) + 1)
    for width, height in PEOPLE_WIDTHS.items():
        console.set_viewport_size({"width": width, "height": height})
        expect(console.locator(".person").first).to_be_visible()
        screenshot(console, f"people-{width}", full_page=True)
        assert boxes_outside_their_card(console) == [], f"at {width} px"
        overflow = console.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the people page scrolls sideways at {width} px"

    # "Appliquer" is longer than "Apply": the French page must fit the narrowest card too.
    console.get_by_role("button", name="Français").click()
    expect(console.locator(".person button").first).to_contain_text("Appliquer")
    for width, height in PEOPLE_WIDTHS.items():
        console.set_viewport_size({"width": width, "height": height})
        assert boxes_outside_their_card(console) == [], f"in French at {width} px"
    screenshot(console, "people-fr-390", full_page=True)


def test_the_report_prints_from_a_button_the_paper_does_not_show(
    screens,  # noqa: F811
    delivery: Delivery,  # noqa: F811
):
    console, _ = screens
    delivery.start()
    delivery.end()
    console.goto(f"/console/{delivery.pk}/report/")
    button = console.get_by_role("button", name="Print or save as PDF (A4)")
    expect(button).to_be_visible()
    screenshot(console, "report-print-button-1920")
    # The browser's own dialog cannot be driven headless: count the calls instead.
    console.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button.click()
    assert console.evaluate("() => window.printed") == 1
    console.emulate_media(media="print")
    expect(button).to_be_hidden()
    expect(console.get_by_role("heading", level=1)).to_have_text(delivery.title)
    console.emulate_media(media="screen")
    expect(button).to_be_visible()
