"""Nothing typed on a phone is lost when the instructor moves on, and limits speak.

Each form kind (list, table, fields, text): a participant types without sending, the
instructor closes the activity from the console, and the phone still shows the text, with the
notice that it was not sent and a way to copy it.
"""

import re

import pytest
from playwright.sync_api import expect

from activities.models import Activity, Delivery, Submission
from tests.browser.conftest import screenshot
from tests.browser.test_participants import (  # noqa: F401 (fixtures)
    PHONE_FOLLOWS,
    assert_fits_phone,
    go_to_activity,
    instructor_context,
    one_group,
    open_console,
    open_phone,
    phone_on,
    piece,
)

KINDS = {
    # kind: (slide, the piece typed into)
    "list": (12, "new"),
    "table": (14, "cell:0:0"),  # 5.2 made a table: the CoP lesson has none of its own
    "fields": (28, "field:S"),
    "text": (12, "text"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_text_typed_but_not_sent_stays_on_the_phone_when_the_activity_closes(
    kind,
    open_phone,  # noqa: F811
    instructor_context,  # noqa: F811
    one_group,  # noqa: F811
):
    delivery = one_group
    slide, slot = KINDS[kind]
    forms = {
        "text": {"kind": "text"},
        "table": {
            "kind": "table",
            "columns": ["Traditional Policing", "CoP"],
            "rows": [{"label": "Who decides what the problem is?"}],
        },
    }
    if kind in forms:
        Activity.objects.filter(slide__lesson=delivery.lesson, slide__number=slide).update(
            response_form=forms[kind]
        )
    go_to_activity(delivery, slide)
    console = open_console(instructor_context, delivery)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    box = piece(phone, slot).locator("textarea")
    typed = f"Trust grows when patrols listen ({kind})"
    box.click()
    box.press_sequentially(typed)

    console.get_by_role("button", name="Close activity").click()
    expect(console.get_by_role("button", name=re.compile("^Open activity"))).to_be_visible()
    kept = piece(phone, slot).locator("textarea")
    expect(kept).to_have_value(typed, timeout=PHONE_FOLLOWS * 1000)
    expect(kept).not_to_be_editable()
    expect(piece(phone, slot).locator(".piece-status")).to_have_text(
        "Not sent: the activity is closed"
    )
    expect(piece(phone, slot).get_by_role("button", name="Copy the text")).to_be_visible()
    assert not Submission.objects.exists()
    assert_fits_phone(phone)
    screenshot(phone, f"phone-not-sent-{kind}")


def test_text_typed_for_an_activity_the_instructor_left_is_shown_with_the_reason(
    open_phone,  # noqa: F811
    instructor_context,  # noqa: F811
    one_group,  # noqa: F811
):
    delivery = one_group
    go_to_activity(delivery, 14)
    console = open_console(instructor_context, delivery)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    typed = "Police decide alone what the problem is"
    box = piece(phone, "new:c0").locator("textarea")  # 5.2's Traditional Policing column
    box.click()
    box.press_sequentially(typed)

    # The instructor moves on to the SARA case and opens it: 5.2 closes on the way.
    numbers = list(delivery.lesson.slides.order_by("number").values_list("number", flat=True))
    for _ in range(numbers.index(28) - numbers.index(14)):
        console.keyboard.press("ArrowRight")
    expect(console.locator(".console-stage")).to_have_attribute("data-slide", "28")
    console.keyboard.press("o")
    expect(phone.get_by_label("Scanning", exact=True)).to_be_visible(timeout=PHONE_FOLLOWS * 1000)
    notice = phone.locator("#not-sent")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("heading")).to_have_text("Not sent: the activity closed")
    expect(notice.locator("textarea")).to_have_value(typed)
    expect(notice).to_contain_text("The activity is closed")
    expect(notice.get_by_role("button", name="Copy the text")).to_be_visible()
    assert not Submission.objects.exists()
    assert Delivery.objects.get(pk=delivery.pk).open_run.activity.slide.number == 28
    assert_fits_phone(phone)
    screenshot(phone, "phone-not-sent-after-moving-on")
    notice.get_by_role("button", name="Dismiss").click()
    expect(notice).to_be_hidden()


def test_an_over_long_answer_is_refused_on_the_phone_and_never_cut(
    open_phone,  # noqa: F811
    one_group,  # noqa: F811
):
    delivery = one_group
    go_to_activity(delivery, 12)
    phone = phone_on(open_phone, delivery, "Amina Diallo")
    pasted = ("Police and community meet every week to agree what matters. " * 40)[:2226]
    box = phone.get_by_label("Add a point")
    box.click()
    box.fill(pasted)  # one input event, as a paste is
    counter = piece(phone, "new").locator("[data-char-count]")
    message = "Too long: 2,226 characters, the limit is 1,000. Shorten it by 1,226 to send it."
    expect(counter).to_have_text(message)
    piece(phone, "new").get_by_role("button", name="Add").click()
    expect(piece(phone, "new").locator(".piece-status")).to_have_text(message)
    expect(box).to_have_value(pasted)  # all of it: nothing was cut
    assert not Submission.objects.exists()
    screenshot(phone, "phone-too-long")

    box.fill(pasted[:995])
    expect(counter).to_have_text("995 of 1,000 characters")
    piece(phone, "new").get_by_role("button", name="Add").click()
    expect(piece(phone, "new").locator(".piece-status")).to_have_text("Sent ✓")
    assert [s.text for s in Submission.objects.all()] == [pasted[:995].strip()]
