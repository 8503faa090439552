"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Every test in this folder is marked `browser`: `scripts/test -m 'not browser'` leaves them out.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
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


# Contexts given back by `close()`, by browser and options, for the next test to reuse: a new
# context and its first page cost Chromium about 0.9 s of CPU, a page in a kept one about 0.35 s.
_KEPT_CONTEXTS: dict[tuple, list] = {}


def new_page(browser, live_server, **context_options):
    """A fresh page in a context of its own: no cookies, no local storage, online.

    The context may be one an earlier test closed: `close()` clears it (pages, cookies, local
    storage, listeners, offline) and keeps it for reuse; one it cannot clear is closed for good.
    """
    key = (id(browser), live_server.url, repr(sorted(context_options.items())))
    kept = _KEPT_CONTEXTS.setdefault(key, [])
    context = kept.pop() if kept else _new_context(browser, live_server, key, context_options)
    # Fail in seconds, not Playwright's default 30, when a page does not show what is expected.
    context.set_default_timeout(10_000)
    return context, context.new_page()


def _new_context(browser, live_server, key: tuple, context_options: dict):
    context = browser.new_context(base_url=live_server.url, **context_options)
    close_for_good = context.close
    subscribe = context.on
    listeners: list[tuple] = []

    def on(event, handler):
        listeners.append((event, handler))
        return subscribe(event, handler)

    def close(**kwargs) -> None:
        """Clear and keep; close for good when the storage cannot be cleared."""
        if context in _KEPT_CONTEXTS[key]:
            return  # closed twice
        try:
            pages = [page for page in context.pages if not page.is_closed()]
            on_server = [page for page in pages if page.url.startswith(live_server.url)]
            if not on_server or kwargs:
                raise LookupError("no page left to clear the local storage from")
            on_server[0].evaluate("() => localStorage.clear()")
            for page in pages:
                page.close()
            for event, handler in listeners:
                context.remove_listener(event, handler)
            listeners.clear()
            context.clear_cookies()
            context.set_offline(False)
        except (LookupError, PlaywrightError):
            close_for_good(**kwargs)
            return
        _KEPT_CONTEXTS[key].append(context)

    context.on = on
    context.close = close
    return context


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
