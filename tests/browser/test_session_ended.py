"""The instructor's session ends during the lesson (signed out elsewhere, or the sessions
cleared): the console and the projector keep the slide they show, say so in a banner with a
sign-in link that comes back to the page, and never show the sign-in page inside the stage."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from playwright.sync_api import expect

from activities.models import delivery_create
from tests.browser.conftest import new_page, screenshot
from tests.conftest import PASSWORD

FULL_HD = {"width": 1920, "height": 1080}
FIRST_SLIDE = "What is Community-oriented Policing?"


@pytest.fixture
def delivery(cop_lesson, instructor):
    return delivery_create(lesson=cop_lesson, instructor=instructor, title="UNPOL induction 12")


@pytest.fixture
def signed_in(browser, live_server, transactional_db, instructor):
    client = Client()
    client.force_login(instructor)
    context, page = new_page(browser, live_server, viewport=FULL_HD)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    yield context, page
    context.close()


def test_console_and_projector_show_the_banner_and_keep_the_slide(signed_in, delivery):
    context, console = signed_in
    projector = context.new_page()
    console_path = f"/console/{delivery.pk}/"
    console.goto(console_path)
    projector.goto(f"{console_path}projector/")
    expect(console.locator("#slide-title")).to_have_text(FIRST_SLIDE)
    expect(projector.locator(".projector-main h1")).to_have_text(FIRST_SLIDE)
    expect(console.locator("#session-ended")).to_be_hidden()

    Session.objects.all().delete()

    for page, path in [(console, console_path), (projector, f"{console_path}projector/")]:
        banner = page.locator("#session-ended")
        expect(banner).to_be_visible(timeout=5_000)
        expect(banner).to_contain_text("Your session has ended — sign in again")
        link = banner.get_by_role("link", name="Sign in")
        expect(link).to_have_attribute("href", f"/accounts/login/?next={path.replace('/', '%2F')}")
        assert page.locator("#stage input[name=password]").count() == 0
        assert page.locator("#stage").count() == 1
    expect(console.locator("#slide-title")).to_have_text(FIRST_SLIDE)
    expect(projector.locator(".projector-main h1")).to_have_text(FIRST_SLIDE)
    shot = screenshot(console, "session-ended-console")
    screenshot(projector, "session-ended-projector")
    assert shot.exists()

    # The link signs in and comes back; the projector, in the same browser, follows again.
    console.locator("#session-ended a").click()
    console.locator("input[name=username]").fill("instructor")
    console.locator("input[name=password]").fill(PASSWORD)
    console.locator("form:has(input[name=password]) [type=submit]").click()
    console.wait_for_url(f"**{console_path}")
    expect(console.locator("#slide-title")).to_have_text(FIRST_SLIDE)
    expect(console.locator("#session-ended")).to_be_hidden()
    expect(projector.locator("#session-ended")).to_be_hidden(timeout=5_000)
