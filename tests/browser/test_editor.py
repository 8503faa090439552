"""The coordinator's editor in Chromium: typing updates the preview, saving, validating,
publishing, the comparison, the stale-save conflict and the unsaved-changes warning."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from copsite.roles import COORDINATOR, grant_role
from lessons.editing import draft_create_from_version
from lessons.models import Lesson
from tests.browser.conftest import new_page, screenshot

OLD_BENEFIT = "- Community trust\n"
NEW_BENEFIT = "- Community trust and **legitimacy**\n"


def has_class(name: str) -> re.Pattern:
    return re.compile(rf"(^|\s){name}(\s|$)")


def sign_in(page, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def server_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "response",
        lambda response: (
            response.status >= 500 and errors.append(f"{response.status} {response.url}")
        ),
    )
    return errors


@pytest.fixture
def draft(cop_lesson, coordinator):
    return draft_create_from_version(lesson=cop_lesson, user=coordinator)


def test_a_coordinator_edits_slide_13_with_the_preview_open_then_publishes(
    desktop_page, live_server, coordinator, draft
):
    page = desktop_page
    errors = server_errors(page)
    sign_in(page, coordinator, live_server)
    page.goto(f"/content/{draft.pk}/slides/13/")
    preview = page.locator("#preview")
    body = page.locator("#f-slide-13-body textarea")
    expect(preview.locator(".current-slide li", has_text="Community trust").first).to_be_visible()

    # Typing shows in the preview, rendered as the console will, before anything is saved.
    body.fill(body.input_value().replace(OLD_BENEFIT, NEW_BENEFIT))
    expect(preview.locator(".current-slide li strong", has_text="legitimacy")).to_be_visible()
    expect(preview.locator(".projector-main li strong", has_text="legitimacy")).to_be_attached()
    expect(page.locator("#f-slide-13-body")).to_have_class(has_class("is-dirty"))
    expect(page.locator("[data-unsaved-count]")).to_have_text("1 field not saved")
    assert "legitimacy" not in Lesson.objects.get(pk=draft.pk).slides.get(number=13).body
    page.locator("#f-slide-13-body textarea").evaluate("(box) => box.scrollTo(0, 0)")
    screenshot(page, "editor-slide-13")

    page.locator("#f-slide-13-body button.save").click()
    expect(page.locator("#f-slide-13-body .field-status")).to_have_text("✓ Saved")
    expect(page.locator("[data-unsaved-count]")).to_be_hidden()
    assert NEW_BENEFIT in Lesson.objects.get(pk=draft.pk).slides.get(number=13).body

    key_message = page.locator("#f-slide-13-key-message textarea")
    key_message.fill(key_message.input_value().replace("especially in", "above all in"))
    page.locator("#f-slide-13-key-message button.save").click()
    expect(page.locator("#f-slide-13-key-message .field-status")).to_have_text("✓ Saved")

    page.get_by_role("link", name="Validate").click()
    expect(page.locator("#problems")).to_contain_text("Valid: checklesson finds no problem")

    page.get_by_role("link", name="Compare…").click()
    expect(
        page.get_by_role("heading", name="What changed from version 1 to version 2")
    ).to_be_visible()
    expect(page.locator("ins", has_text="and **legitimacy**")).to_be_visible()
    page.locator("#c-slide-13").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "editor-compare-versions")

    page.get_by_role("link", name="Back to draft 2").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".alert.success")).to_contain_text("Published as version 2")
    assert Lesson.objects.latest_published("cop").pk == draft.pk
    assert not errors, errors


def test_the_editor_pages_look_right(desktop_page, live_server, coordinator, draft):
    page = desktop_page
    errors = server_errors(page)
    sign_in(page, coordinator, live_server)

    page.goto("/content/")
    expect(page.get_by_role("heading", name="Lesson content")).to_be_visible()
    screenshot(page, "editor-index")

    page.goto(f"/content/{draft.pk}/")
    # Row 4 (Benefits) plans 5 presentation minutes: 7 makes the rows 47, two over the 45.
    page.locator("#f-section-4-minutes-presentation-input").fill("7")
    page.locator("#f-section-4-minutes-presentation-input").press("Tab")
    expect(page.locator("#minutes-totals")).to_contain_text("1 total no longer adds up")
    expect(page.locator("#minutes-totals")).to_contain_text(
        "The lesson-map rows add up to 47 minutes of presentation"
    )
    page.get_by_role("link", name="Validate").click()
    expect(page.locator("#problems")).to_contain_text("1 problem to fix")
    screenshot(page, "editor-version")

    page.goto(f"/content/{draft.pk}/activities/5.2/")
    phases = page.locator("#f-activity-5-2-phases")
    phases.get_by_role("button", name="Add a row").click()
    phases.locator("tbody tr").last.locator("input").first.fill("Debrief")
    phases.locator("tbody tr").last.locator("input").last.fill("5")
    expect(page.locator("#preview")).to_contain_text("Debrief 5 min")
    screenshot(page, "editor-activity")
    assert not errors, errors


def test_a_stale_save_shows_both_texts_in_the_browser(
    browser, desktop_page, live_server, coordinator, draft, django_user_model
):
    other = django_user_model.objects.create_user("second-coordinator", password="x" * 12)
    grant_role(other, COORDINATOR)
    mine = desktop_page
    sign_in(mine, coordinator, live_server)
    context, theirs = new_page(browser, live_server, viewport={"width": 1920, "height": 1080})
    sign_in(theirs, other, live_server)
    url = f"/content/{draft.pk}/slides/13/"
    mine.goto(url)
    theirs.goto(url)

    field = "#f-slide-13-key-message"
    theirs.locator(f"{field} textarea").fill("Trust takes years to build.")
    theirs.locator(f"{field} button.save").click()
    expect(theirs.locator(f"{field} .field-status")).to_have_text("✓ Saved")
    context.close()

    mine.locator(f"{field} textarea").fill("Start by listening to the community.")
    mine.locator(f"{field} button.save").click()
    conflict = mine.locator(f"{field} .conflict")
    expect(conflict).to_contain_text("second-coordinator saved this field")
    expect(conflict.locator(".conflict-theirs")).to_have_text("Trust takes years to build.")
    expect(conflict.locator(".conflict-yours")).to_have_text("Start by listening to the community.")
    expect(mine.locator(f"{field} textarea")).to_have_value("Start by listening to the community.")
    conflict.scroll_into_view_if_needed()
    screenshot(mine, "editor-stale-save")

    mine.locator(f"{field} button.save").click()  # "Save mine over theirs"
    expect(mine.locator(f"{field} .field-status")).to_have_text("✓ Saved")
    slide = Lesson.objects.get(pk=draft.pk).slides.get(number=13)
    assert slide.key_message == "Start by listening to the community."


def test_leaving_with_unsaved_changes_asks_first(desktop_page, live_server, coordinator, draft):
    page = desktop_page
    sign_in(page, coordinator, live_server)
    page.goto(f"/content/{draft.pk}/slides/13/")
    page.locator("#f-slide-13-title-input").click()
    page.keyboard.type(" (edited)")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_the_language_picker_turns_the_editor_and_its_scripts_french(
    desktop_page, live_server, coordinator, draft
):
    page = desktop_page
    errors = server_errors(page)
    sign_in(page, coordinator, live_server)
    page.goto(f"/content/{draft.pk}/slides/13/")
    picker = page.get_by_role("form", name="Language")
    expect(picker.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    picker.get_by_role("button", name="Français").click()

    # The same page, now in French; the slide's own text stays as written.
    expect(page).to_have_url(re.compile(rf"/content/{draft.pk}/slides/13/$"))
    expect(page.locator("#editor-title")).to_have_text("Diapositive 13")
    expect(
        page.get_by_role("form", name="Langue").get_by_role("button", name="Français")
    ).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#preview .current-slide h2")).to_have_text(
        draft.slides.get(number=13).title
    )
    # The words the scripts show come from the page, so they are French too.
    body = page.locator("#f-slide-13-body textarea")
    body.fill(body.input_value().replace(OLD_BENEFIT, NEW_BENEFIT))
    expect(page.locator("[data-unsaved-count]")).to_have_text("1 champ non enregistré")
    page.locator("#f-slide-13-body button.save").click()
    expect(page.locator("#f-slide-13-body .field-status")).to_have_text("✓ Enregistré")

    page.goto(f"/content/{draft.pk}/activities/5.2/")
    phases = page.locator("#f-activity-5-2-phases")
    expect(phases.locator(".rows-help")).to_have_text(
        "Les lignes vides sont ignorées à l'enregistrement."
    )
    phases.get_by_role("button", name="Ajouter une ligne").click()
    phases.locator("tbody tr").last.locator("input").first.fill("Débriefing")
    phases.locator("tbody tr").last.locator("input").last.fill("cinq")
    expect(page.locator("#preview .preview-notes")).to_contain_text(
        "Absent de l'aperçu : Phases : ligne 3 · minutes : attendu : un nombre entier"
    )
    page.locator("#f-activity-5-2-phases button.save").click()
    expect(phases.locator(".field-errors")).to_contain_text("ligne 3 · minutes")
    expect(phases.locator(".field-status")).to_have_text("Non enregistré")
    assert Lesson.objects.get(pk=draft.pk).activities.get(code="5.2").phases.count() == 2
    screenshot(page, "editor-activity-fr-refused")
    assert not errors, errors
