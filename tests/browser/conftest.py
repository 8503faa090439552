"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Every test in this folder is marked `browser`: `scripts/test -m 'not browser'` leaves them out.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an event loop running in this thread; Django would refuse ORM
# calls from a thread with a running loop. The tests call the ORM only between page actions.
# Set for the whole process, not per test: the session's browser keeps its loop running.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Only ever Debian's Chromium: Playwright must not fetch a browser build of its own.
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach Google's hosts from a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: scripts/test installs it (apt-get install chromium)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, **context_options)
    # Fail in seconds, not Playwright's default 30, when a page does not show what is expected.
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def desktop_page(browser, live_server, transactional_db):
    """A 1920x1080 page (console, projector); `page.goto("/path")` is on the live server."""
    context, page = new_page(browser, live_server, viewport={"width": 1920, "height": 1080})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, transactional_db):
    """A 390x844 touch phone at twice the pixel density (participants)."""
    context, page = new_page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    context.close()


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save what the page shows as screenshots/NAME.png (gitignored) and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
