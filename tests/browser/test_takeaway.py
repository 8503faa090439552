"""The participant's take-away on a phone: the instructor ends the lesson on the console, the
phone's stage offers "Your take-away", and the page shows the group's own answers and the
lesson's key messages, never another group's; printed, it is black on white without buttons."""

from pathlib import Path

from playwright.sync_api import expect

from activities.debrief import coverage_decide
from activities.models import Delivery, KeyPointCoverage, Participant, delivery_create
from activities.participation import answer_save
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_participants import (  # noqa: F401 (fixtures)
    add_point,
    assert_fits_phone,
    expect_points,
    go_to_activity,
    instructor_context,
    open_console,
    open_phone,
    phone_on,
)

OWN_POINT = "Traders at the market tell the patrol where thefts happen"
OTHER_POINT = "Night buses would keep students off the dark road"
OWN_REFLECTION = "Trust has to be earned before people share information"
OTHER_REFLECTION = "We will hold a monthly meeting with the village elders"
FIRST_KEY_MESSAGE = "Conflict and post-conflict environments are often characterized"


def test_a_phone_opens_its_groups_take_away_when_the_lesson_ends(
    open_phone,  # noqa: F811
    instructor_context,  # noqa: F811
    cop_lesson,
    instructor,
):
    delivery = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="UNPOL induction 10", expected_class_size=10
    )
    amina = phone_on(open_phone, delivery, "Amina")
    bruno = phone_on(open_phone, delivery, "Bruno")
    delivery.start()
    go_to_activity(delivery, 12)  # 5.1: a list of points
    add_point(amina, OWN_POINT)
    add_point(bruno, OTHER_POINT)
    expect_points(amina, [OWN_POINT])
    expect_points(bruno, [OTHER_POINT])
    run = delivery.runs.get(activity__code="5.1")
    reinforced = run.activity.key_points.order_by("position").first()
    coverage_decide(run=run, key_point_id=reinforced.pk, status=KeyPointCoverage.Status.REINFORCED)
    go_to_activity(delivery, 36)  # the take-away reflection: What? / So What? / Now What?
    for name, text in (("Amina", OWN_REFLECTION), ("Bruno", OTHER_REFLECTION)):
        answer_save(
            participant=Participant.objects.get(display_name=name), key="field:what", text=text
        )

    console = open_console(instructor_context, Delivery.objects.get(pk=delivery.pk))
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End lesson").click()
    expect(console.locator(".ended-note")).to_be_visible()

    link = amina.get_by_role("link", name="Your take-away")
    expect(link).to_be_visible(timeout=5_000)  # the phone's next poll after the end
    assert serious_violations(amina) == []
    screenshot(amina, "takeaway-stage")
    link.click()
    expect(amina.get_by_role("heading", level=1)).to_have_text("Community-oriented Policing")
    page = amina.locator("article.takeaway")
    expect(page).to_contain_text(OWN_POINT)
    expect(page).to_contain_text(OWN_REFLECTION)
    expect(page).to_contain_text(FIRST_KEY_MESSAGE)
    expect(page).to_contain_text("Reinforced by the instructor")
    text = page.inner_text()
    assert OTHER_POINT not in text and OTHER_REFLECTION not in text
    expect(amina.get_by_role("button", name="Print")).to_be_visible()
    expect(amina.get_by_role("link", name="Download (Markdown)")).to_be_visible()
    assert_fits_phone(amina)
    assert serious_violations(amina) == []
    screenshot(amina, "takeaway-phone")
    amina.locator(".takeaway-activity").nth(1).scroll_into_view_if_needed()
    screenshot(amina, "takeaway-phone-activity")
    screenshot(amina, "takeaway-phone-full", full_page=True)

    with amina.expect_download() as download:
        amina.get_by_role("link", name="Download (Markdown)").click()
    saved = download.value
    assert saved.suggested_filename == f"takeaway-{delivery.join_code}-{delivery.date}.md"
    markdown = Path(saved.path()).read_text(encoding="utf-8")
    assert OWN_POINT in markdown and OTHER_POINT not in markdown

    amina.emulate_media(media="print")
    expect(amina.get_by_role("button", name="Print")).to_be_hidden()
    expect(amina.get_by_role("link", name="Download (Markdown)")).to_be_hidden()
    colours = amina.evaluate(
        """() => [getComputedStyle(document.documentElement).backgroundColor,
                  getComputedStyle(document.querySelector('article.takeaway')).color,
                  getComputedStyle(document.querySelector('.takeaway-section')).breakBefore,
                  getComputedStyle(document.querySelectorAll('.takeaway-section')[1]).breakBefore]"""
    )
    # Each section of the take-away after the first starts a page of its own.
    assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)", "auto", "page"]
    screenshot(amina, "takeaway-print")
    screenshot(amina, "takeaway-print-full", full_page=True)

    bruno.get_by_role("link", name="Your take-away").click()
    expect(bruno.locator("article.takeaway")).to_contain_text(OTHER_POINT)
    assert OWN_POINT not in bruno.locator("article.takeaway").inner_text()

    # After the end the instructor still sets how long it stays: a bad number is refused.
    console.get_by_role("link", name="Take-away", exact=True).click()
    expect(console.locator("#takeaway-summary")).to_contain_text(
        "Participants can open their take-away until"
    )
    days = console.get_by_label("Keep the take-away for (days)")
    days.fill("0")
    console.get_by_role("button", name="Save", exact=True).click()
    expect(console.locator(".field-error")).to_have_text("Keep the take-away for 1 to 90 days.")
    screenshot(console, "takeaway-settings-refused")
    assert serious_violations(console) == []
    assert Delivery.objects.get(pk=delivery.pk).takeaway_days == 7
    console.get_by_label("Keep the take-away for (days)").fill("14")
    console.get_by_role("button", name="Save", exact=True).click()
    expect(console.get_by_role("status")).to_have_text("The take-away settings are saved.")
    assert Delivery.objects.get(pk=delivery.pk).takeaway_days == 14
