"""Small things a real class met: each is seen in Chromium at the sizes it is used at."""

from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Delivery
from activities.participation import participant_join
from tests.browser.conftest import new_page, screenshot
from tests.browser.test_console_projector import (  # noqa: F401 (fixtures)
    FULL_HD,
    delivery,
    screens,
)
from tests.browser.test_editor import sign_in
from tests.browser.test_participants import banner, go_to_activity, join, piece, write
from tests.browser.test_time_states import run_out_in

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


def test_the_offline_banner_leaves_the_name_and_group_in_sight(
    phone_page,
    delivery: Delivery,  # noqa: F811
):
    delivery.start()
    go_to_activity(delivery, 14)  # 5.2's table: a page longer than the phone's screen
    join(phone_page, delivery, "Amina Diallo")
    assert phone_page.evaluate("() => document.documentElement.scrollHeight") > 844 + 120
    head = phone_page.locator(".phone-head")
    phone_page.context.set_offline(True)
    expect(banner(phone_page)).to_have_text("You are offline. What you type is kept on this phone.")
    for scrolled in (0, 40, 120):
        phone_page.evaluate(f"() => window.scrollTo(0, {scrolled})")
        phone_page.wait_for_timeout(100)
        screenshot(phone_page, f"phone-offline-{scrolled}")
        shown, header = banner(phone_page).bounding_box(), head.bounding_box()
        assert shown["height"] > 0 and header["height"] > 0
        overlap = min(shown["y"] + shown["height"], header["y"] + header["height"]) - max(
            shown["y"], header["y"]
        )
        assert overlap <= 0, (
            f"scrolled {scrolled} px: the banner covers {overlap:.0f} px of the header"
        )
        expect(head).to_contain_text("Amina Diallo")
    phone_page.context.set_offline(False)
    expect(banner(phone_page)).to_be_hidden(timeout=5_000)

    # A live update replaces the stage, header and all: the banner stays under the new header.
    phone_page.route("**/answer/save/**", lambda route: route.abort())
    write(phone_page.get_by_label("Add a point").first, "Police listen to the community")
    piece(phone_page, "new:c0").get_by_role("button", name="Add").click()
    expect(banner(phone_page)).to_contain_text("Your answer is kept on this phone")
    before = phone_page.locator("#stage").get_attribute("data-revision")
    Delivery.objects.filter(pk=delivery.pk).update(revision=F("revision") + 1)
    expect(phone_page.locator("#stage")).not_to_have_attribute("data-revision", before)
    expect(banner(phone_page)).to_be_visible()
    assert (
        phone_page.evaluate(
            "() => document.querySelector('#stage .phone-head').nextElementSibling.id"
        )
        == "offline-banner"
    )
    screenshot(phone_page, "phone-offline-after-update")


def test_the_projector_says_time_is_up_in_the_class_language_readable_from_the_back(
    screens,  # noqa: F811
    delivery: Delivery,  # noqa: F811
):
    _, projector = screens
    Delivery.objects.filter(pk=delivery.pk).update(language="fr")
    delivery.refresh_from_db()
    delivery.start()
    delivery.go_to_slide(12)
    delivery.open_activity()
    delivery.change_timer("start")
    projector.reload()
    label = projector.locator(".big-timer .timer-up-label")
    expect(label).to_be_hidden()

    run_out_in(delivery, 2)
    expect(label).to_be_visible(timeout=8_000)
    expect(label).to_have_text("Le temps est écoulé")
    expect(projector.locator(".big-timer .countdown")).to_have_text("00:00")
    screenshot(projector, "projector-time-up-fr-1920")
    for reloaded in (False, True):
        if reloaded:  # the server says so too, not only the page's clock
            projector.reload()
            expect(label).to_be_visible()
        size = label.evaluate("(element) => parseFloat(getComputedStyle(element).fontSize)")
        assert size >= 28, f"'Time is up' is {size} px: too small to read from the back"
        box = label.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 1080, "off the projected screen"


def test_a_french_instructor_plans_a_delivery_with_the_date_already_picked(
    browser, live_server, transactional_db, instructor, cop_lesson
):
    # A French browser, as a French instructor has: its date picker writes 03/12/2026.
    context, console = new_page(browser, live_server, viewport=FULL_HD, locale="fr-FR")
    sign_in(console, instructor, live_server)
    console.goto("/console/")
    console.get_by_role("button", name="Français").click()
    date_box = console.get_by_label("Date", exact=True)
    expect(date_box).to_have_value(timezone.localdate().isoformat())
    console.get_by_label("Classe", exact=True).fill("Cours de Goma")
    screenshot(console, "planning-form-fr-1920")
    console.get_by_role("button", name="Créer la séance").click()
    expect(console.locator("#slide-title")).to_be_visible()
    planned = Delivery.objects.get(title="Cours de Goma")
    assert planned.date == timezone.localdate()
    context.close()
