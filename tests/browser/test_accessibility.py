"""WCAG 2.1 AA in a real browser: axe-core on every kind of page, in English and French, and the
phone pages at 200 % text. axe-core is the copy that axe-playwright-python ships (PyPI)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from activities.models import Delivery, delivery_create
from activities.participation import answer_save, participant_join
from lessons.loader import load
from tests.browser.conftest import new_page, screenshot
from tests.lessons.helpers import edited, mini_files

AXE = Axe()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1920, "height": 1080}}
FRENCH = {
    "join": "Rejoindre la classe",
    "waiting": "Quand le formateur ouvre une activité",
    "list": "Ajouter un point",
}


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA violations on the page, readable."""
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    result = AXE.run(page, options=options).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def open_context(browser, live_server, transactional_db):
    """Opens contexts for a test and closes them before its database goes away."""
    opened = []

    def open_one(language: str, options: dict, user=None):
        ctx, page = context(browser, live_server, language, options, user)
        opened.append(ctx)
        return page

    yield open_one
    for ctx in opened:
        ctx.close()


def context(browser, live_server, language: str, options: dict, user=None):
    # No `bypass_csp`: axe comes in through Playwright's evaluate, which the page's CSP does not
    # govern, so every page is checked under the policy it is served with.
    ctx, page = new_page(browser, live_server, **options)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        )
    ctx.add_cookies(cookies)
    return ctx, page


def text_form_lesson():
    """The CoP lesson has no single-text activity: a small lesson with one, to check that form."""
    files = edited(
        mini_files(),
        "sections/02-practice.yaml",
        mini_files()["sections/02-practice.yaml"].decode()[
            mini_files()["sections/02-practice.yaml"].decode().index("    response_form:") :
        ],
        "    response_form:\n      kind: text\n      prompt: What did your group decide?\n",
    )
    return load(files).lesson


def check(page, failures: list[str], where: str) -> None:
    found = serious_violations(page)
    failures.extend(f"{where}: {violation}" for violation in found)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_phone_pages_pass_axe_and_read_at_200_percent(
    open_context, cop_lesson, instructor, language
):
    delivery = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="Access 12", expected_class_size=12
    )
    text_delivery = delivery_create(
        lesson=text_form_lesson(), instructor=instructor, title="Text form", expected_class_size=4
    )
    page = open_context(language, PHONE)
    failures: list[str] = []

    page.goto("/")
    if language == "fr":
        expect(page.get_by_role("heading", level=1)).to_have_text(FRENCH["join"])
    check(page, failures, "join")
    page.goto(f"/j/{delivery.join_code}/")
    check(page, failures, "name")
    page.locator("#name").fill("Amina")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".phone-head .who")).to_have_text("Amina")
    check(page, failures, "waiting")
    # 5.2 (slide 14) is a list in two columns; the CoP lesson has no table form.
    pages = {"waiting": None, "list": 12, "list-columns": 14, "fields": 28}
    amina = delivery.participants.get()
    for kind, slide in pages.items():
        if slide:
            delivery.go_to_slide(slide)
            delivery.open_activity()
            amina.refresh_from_db()
            if kind == "list":
                answer_save(participant=amina, key="point:access-0001", text="Trust and respect")
            page.reload()
            expect(page.locator(f".form-{kind.split('-')[0]}").first).to_be_visible()
            check(page, failures, kind)
        if language == "fr" and kind in FRENCH:
            expect(page.locator("#stage")).to_contain_text(FRENCH[kind])
        screenshot(page, f"phone-{language}-{kind}")
        page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{kind} at 200 % text is {overflow}px wider than the phone"
        screenshot(page, f"phone-{language}-{kind}-200")
        page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
        if slide:
            delivery.close_activity()

    text_delivery.go_to_slide(3)
    text_delivery.open_activity()
    page.goto(f"/j/{text_delivery.join_code}/")
    page.locator("#name").fill("Jean")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".form-text")).to_be_visible()
    check(page, failures, "text")
    assert failures == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_instructor_pages_pass_axe(open_context, cop_lesson, instructor, language):
    delivery = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="Access 12", expected_class_size=12
    )
    amina = participant_join(delivery=delivery, display_name="Amina")
    delivery.start()
    delivery.go_to_slide(12)
    delivery.open_activity()
    delivery.change_timer("toggle")
    amina.refresh_from_db()
    answer_save(participant=amina, key="point:access-0002", text="Improved information about crime")
    Delivery.objects.filter(pk=delivery.pk).update(language=language)
    page = open_context(language, DESKTOP, user=instructor)
    failures: list[str] = []
    for where, url in [
        ("deliveries", "/console/"),
        ("console", f"/console/{delivery.pk}/"),
        ("projector", f"/console/{delivery.pk}/projector/"),
        ("people", f"/console/{delivery.pk}/people/"),
        ("report", f"/console/{delivery.pk}/report/"),
        ("lesson", "/lessons/cop/"),
    ]:
        page.goto(url)
        check(page, failures, where)
        screenshot(page, f"{where}-{language}-1920")
    if language == "fr":
        page.goto(f"/console/{delivery.pk}/")
        expect(page.locator(".bar-actions")).to_contain_text("Terminer la leçon")
        page.goto("/console/")  # the model's labels too: status, grouping, help text
        expect(page.locator("main")).to_contain_text("En cours")
        expect(page.locator("main")).to_contain_text("L'application équilibre des groupes")
        expect(page.locator("main")).to_contain_text("La langue de l'interface des participants")
    assert failures == []


def test_every_console_control_is_reachable_by_keyboard_with_a_visible_focus(
    open_context, cop_lesson, instructor
):
    delivery = delivery_create(lesson=cop_lesson, instructor=instructor, title="Keys")
    page = open_context("en", DESKTOP, user=instructor)
    page.goto(f"/console/{delivery.pk}/")
    reached = set()
    for _press in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const e = document.activeElement;
                const style = getComputedStyle(e);
                return {text: (e.innerText || e.value || '').trim().split('\\n')[0],
                        outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
                        style: style.outlineStyle + ' ' + style.outlineWidth + ' ' + e.tagName
                            + ' ' + e.matches(':focus-visible')};
            }"""
        )
        # Past the last control, focus leaves the page and comes back through <body>.
        if focused["text"] and not focused["style"].endswith("BODY false"):
            assert focused["outline"], f"no visible focus on {focused['text']!r}: {focused}"
            reached.add(focused["text"])
    for control in ["Start lesson S", "Projector P", "Blank B", "Next →"]:
        assert any(text.startswith(control.split(" ")[0]) for text in reached), control


def test_the_countdown_is_announced_a_minute_before_the_end_and_at_the_end_only(
    open_context, cop_lesson, instructor
):
    from datetime import timedelta

    from django.utils import timezone

    from activities.models import ActivityRun

    delivery = delivery_create(lesson=cop_lesson, instructor=instructor, title="Announce")
    delivery.go_to_slide(12)
    delivery.open_activity()
    delivery.change_timer("toggle")
    # As if most of the phase had gone: a little over a minute left, with room for a page load
    # on a busy machine (at 64 s a 4-second load already met the minute).
    ActivityRun.objects.filter(delivery=delivery).update(
        ends_at=timezone.now() + timedelta(seconds=72)
    )
    Delivery.objects.filter(pk=delivery.pk).update(revision=delivery.revision + 1)
    page = open_context("en", DESKTOP, user=instructor)
    page.goto(f"/console/{delivery.pk}/projector/")
    region = page.locator("#timer-announcer")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("", timeout=500)
    expect(region).to_have_text("One minute left", timeout=16_000)
    changes = page.evaluate(
        """() => new Promise((done) => {
            let count = 0;
            const region = document.getElementById('timer-announcer');
            new MutationObserver(() => count++).observe(
                region, {childList: true, characterData: true, subtree: true});
            setTimeout(() => done(count), 3000);
        })"""
    )
    assert changes == 0  # silent between the two moments, though the clock ticks every second


# A French word each editor page shows only when its translation is there.
COORDINATOR_FRENCH = {
    "content": ("h1", "Contenu des leçons"),
    "version": ("#map-title", "Plan de la leçon"),
    "slide editor": ("#preview-title", "Aperçu"),
    "activity editor": (".projector-main h1", "Activité d'apprentissage 5.2 :"),
    "compare": (".compare-summary", "Diapositive 13 · The Benefits of CoP"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_coordinator_pages_pass_axe(open_context, cop_lesson, coordinator, language):
    from lessons.editing import draft_create_from_version
    from lessons.fields import bind_key

    draft = draft_create_from_version(lesson=cop_lesson, user=coordinator)
    # A change, so that the comparison has its badges and a diff table to check.
    body = bind_key(draft, "slide:13:body")
    body.write(body.value.replace("- Community trust\n", "- Community trust and **legitimacy**\n"))
    page = open_context(language, DESKTOP, user=coordinator)
    failures: list[str] = []
    for where, url in [
        ("content", "/content/"),
        ("version", f"/content/{draft.pk}/"),
        ("slide editor", f"/content/{draft.pk}/slides/13/"),
        ("activity editor", f"/content/{draft.pk}/activities/5.2/"),
        ("compare", f"/content/cop/compare/?old={cop_lesson.version}&new={draft.version}"),
    ]:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if language == "fr":
            selector, french = COORDINATOR_FRENCH[where]
            expect(page.locator(selector).first).to_contain_text(french)
        check(page, failures, where)
        screenshot(page, f"{where.replace(' ', '-')}-{language}-1920")
    assert failures == []
