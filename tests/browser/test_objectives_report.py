"""The report's objectives section and the editor's objective links, as a browser shows them."""

import pytest
from django.urls import reverse

from activities.debrief import coverage_decide
from activities.models import KeyPointCoverage
from lessons.editing import draft_create_from_version
from tests.activities.test_objectives import PARAPHRASE, teach
from tests.browser.conftest import screenshot
from tests.browser.test_editor import sign_in


def test_the_report_shows_a_verdict_and_its_evidence_per_objective(
    desktop_page, live_server, cop_lesson, instructor
):
    delivery = teach(cop_lesson, instructor, "Course 9", answer_5_1=True)
    run = delivery.runs.get(activity__code="5.2")
    point = run.activity.key_points.get(position=1)
    coverage_decide(run=run, key_point_id=point.pk, status=KeyPointCoverage.Status.COVERED)
    sign_in(desktop_page, instructor, live_server)
    desktop_page.goto(reverse("activities:report", args=[delivery.pk]))
    section = desktop_page.locator("section.objectives")
    section.scroll_into_view_if_needed()
    benefits = section.locator("article", has_text="Describe the benefits of CoP")
    assert benefits.locator(".verdict").inner_text().lower() == "evidenced"
    assert PARAPHRASE in benefits.inner_text()
    concept = section.locator("article", has_text="Explain the concept of CoP")
    assert concept.locator(".verdict").inner_text().lower() == "partly evidenced"
    desktop_page.evaluate("document.querySelector('section.objectives').scrollIntoView()")
    screenshot(desktop_page, "report-objectives")


def test_the_editor_shows_the_objective_links(desktop_page, live_server, cop_lesson, coordinator):
    draft = draft_create_from_version(lesson=cop_lesson, user=coordinator)
    sign_in(desktop_page, coordinator, live_server)
    desktop_page.goto(reverse("content:activity", args=[draft.pk, "5.1"]))
    field = desktop_page.get_by_label("Objectives it serves")
    assert field.input_value() == "concept\nbenefits"
    field.scroll_into_view_if_needed()
    desktop_page.evaluate("window.scrollBy(0, -200)")
    screenshot(desktop_page, "editor-objective-links")


def test_the_reports_page_ranks_objectives_beside_the_overrun_rows(
    desktop_page, live_server, cop_lesson, instructor, coordinator
):
    teach(cop_lesson, instructor, "Course 1", answer_5_1=True)
    teach(cop_lesson, instructor, "Course 2", answer_5_1=False)
    sign_in(desktop_page, coordinator, live_server)
    desktop_page.goto(reverse("activities:lesson_reports", args=["cop"]))
    ranking = desktop_page.locator("table.objective-ranking")
    overrun = desktop_page.get_by_role("heading", name="Overrun per lesson-map row")
    assert ranking.bounding_box()["y"] == pytest.approx(
        overrun.bounding_box()["y"] + overrun.bounding_box()["height"], abs=200
    )  # side by side: the ranking beside the overrun table, not below it
    assert ranking.bounding_box()["x"] < overrun.bounding_box()["x"]
    rows = ranking.locator("tbody tr")
    assert rows.last.inner_text().startswith("5\tDescribe the benefits of CoP")
    desktop_page.evaluate("document.querySelector('.side-by-side').scrollIntoView()")
    screenshot(desktop_page, "reports-objective-ranking")
