"""Evidence of the learning objectives in the after-action report, on deliveries with known
answers, and the ranking of objectives across deliveries."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from activities.debrief import coverage_decide
from activities.models import KeyPointCoverage, KeyPointMatch, delivery_create
from activities.objectives import Verdict, short, verdict
from activities.participation import answer_save, participant_join
from activities.report import across_deliveries, build_report

NINE = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PARAPHRASE = "Police get better information about crime and more respect"


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


# The rule, without a database.


@pytest.mark.parametrize(
    ("found", "total", "run", "expected"),
    [
        (1, 1, 1, Verdict.EVIDENCED),
        (2, 3, 1, Verdict.EVIDENCED),  # two thirds is enough
        (1, 2, 1, Verdict.PARTLY),
        (1, 11, 2, Verdict.PARTLY),
        (0, 4, 1, Verdict.NOT_EVIDENCED),
        (0, 0, 0, Verdict.NOT_EVIDENCED),  # none of its activities was run
        (0, 0, 1, Verdict.NOT_EVIDENCED),  # run, but no key point to find
    ],
)
def test_the_verdict_rule(found, total, run, expected):
    assert verdict(found=found, total=total, activities_run=run) == expected


# A delivery with known answers.


def teach(lesson, instructor, title, *, answer_5_1: bool):
    """5.1 runs 10 timed minutes (planned 15); 5.2 runs 12 (planned 20); nothing else runs."""
    with time_machine.travel(NINE, tick=False) as clock:
        delivery = delivery_create(
            lesson=lesson, instructor=instructor, title=title, expected_class_size=8
        )
        people = [participant_join(delivery=delivery, display_name=n) for n in ("Ana", "Bo")]
        delivery.start(now=at(0))
        delivery.go_to_slide(12, now=at(10))
        delivery.open_activity(now=at(10))
        delivery.change_timer("toggle", now=at(10))
        clock.move_to(at(15))
        texts = [PARAPHRASE if answer_5_1 else "Lunch break", "We need the community"]
        for person, text in zip(people, texts, strict=True):
            person.refresh_from_db()
            answer_save(participant=person, key=f"point:{person.pk:08d}-0001", text=text)
        delivery.close_activity(now=at(20))
        delivery.go_to_slide(14, now=at(20))
        delivery.open_activity(now=at(20))
        delivery.change_timer("toggle", now=at(20))
        delivery.close_activity(now=at(32))
        delivery.end(now=at(40))
    return delivery


@pytest.fixture
def taught(cop_lesson, instructor):
    delivery = teach(cop_lesson, instructor, "Course 9", answer_5_1=True)
    run_5_1 = delivery.runs.get(activity__code="5.1")
    run_5_2 = delivery.runs.get(activity__code="5.2")
    second_5_1 = run_5_1.activity.key_points.get(position=2)
    coverage_decide(
        run=run_5_1, key_point_id=second_5_1.pk, status=KeyPointCoverage.Status.REINFORCED
    )
    first_5_2 = run_5_2.activity.key_points.get(position=1)
    coverage_decide(run=run_5_2, key_point_id=first_5_2.pk, status=KeyPointCoverage.Status.COVERED)
    return delivery


@pytest.mark.django_db
def test_each_objective_has_its_activities_points_minutes_quotes_and_verdict(taught):
    report = build_report(taught)
    by_code = {o.code: o for o in report.objectives}
    assert list(by_code) == ["concept", "benefits", "elements", "problem-solving", "challenges"]

    benefits = by_code["benefits"]  # 5.1's first point, made by Ana's group's answer
    assert KeyPointMatch.objects.get(submission__text=PARAPHRASE).score >= 70
    assert benefits.activities == ["Learning Activity 5.1: Importance of Enlisting the Community"]
    assert (benefits.points_found, benefits.points_total, benefits.share) == (1, 1, 100)
    assert (benefits.planned_minutes, benefits.actual_minutes) == (15, 10)
    assert [(q.group, q.text) for q in benefits.quotes] == [("Group 1", PARAPHRASE)]
    assert benefits.verdict == Verdict.EVIDENCED

    concept = by_code["concept"]  # 5.1's second point reinforced; one of 5.2's ten confirmed
    assert concept.activities_run == [
        "Learning Activity 5.1: Importance of Enlisting the Community",
        "Learning Activity 5.2: Traditional Policing vs. CoP",
    ]
    assert "Group task: Take-away Reflection" in concept.activities  # served, not run
    assert (concept.points_found, concept.points_total, concept.points_reinforced) == (1, 11, 1)
    assert (concept.planned_minutes, concept.actual_minutes) == (35, 22)
    assert concept.quotes == []  # confirmed by the instructor, with no matching answer
    first_5_2 = taught.runs.get(activity__code="5.2").activity.key_points.get(position=1)
    assert concept.confirmed == [short(first_5_2.text)]
    assert concept.verdict == Verdict.PARTLY

    elements = by_code["elements"]
    assert elements.activities_run == [] and elements.points_total == 0
    assert elements.verdict == Verdict.NOT_EVIDENCED
    assert "two thirds" in report.verdict_rule


@pytest.mark.django_db
def test_the_instructor_overrules_a_matched_answer_by_reinforcing_its_point(taught):
    run_5_1 = taught.runs.get(activity__code="5.1")
    first = run_5_1.activity.key_points.get(position=1)
    coverage_decide(run=run_5_1, key_point_id=first.pk, status=KeyPointCoverage.Status.REINFORCED)
    benefits = {o.code: o for o in build_report(taught).objectives}["benefits"]
    assert (benefits.points_found, benefits.points_reinforced) == (0, 1)
    assert benefits.verdict == Verdict.NOT_EVIDENCED


@pytest.mark.django_db
def test_the_report_page_and_every_export_carry_the_objectives(client, taught, instructor):
    client.force_login(instructor)
    page = client.get(reverse("activities:report", args=[taught.pk])).content.decode()
    section = page[page.index('id="objectives-title"') : page.index('id="timeline-title"')]
    assert "How the verdict is decided:" in section and "two thirds" in section
    assert "Describe the benefits of CoP" in section and "1 of 1 (100 %)" in section
    assert "10.0 spent of 15 planned" in section
    assert f"Group 1</span> “{PARAPHRASE}”" in section
    assert section.count("not evidenced") == 3  # elements, problem-solving, challenges
    # elements, problem-solving and challenges were not run: said, not "0 of 0 (0 %)"
    assert section.count("None of its activities was run: no key point could be found.") == 3
    assert "0 of 0" not in section
    concept = section[: section.index('id="objective-benefits"')]
    assert "Confirmed by the instructor, no answer quoted:" in concept
    assert "No answer evidences it." not in concept

    export = client.get(reverse("activities:report_export", args=[taught.pk, "objectives.csv"]))
    assert export["Content-Disposition"].endswith(f'delivery-{taught.pk}-objectives.csv"')
    assert export.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [(r["objective"], r["verdict"]) for r in rows] == [
        ("concept", "partly"),
        ("benefits", "evidenced"),
        ("elements", "not_evidenced"),
        ("problem-solving", "not_evidenced"),
        ("challenges", "not_evidenced"),
    ]
    assert rows[1]["evidence"] == f"Group 1: {PARAPHRASE}"
    assert "two thirds" in rows[0]["rule"]
    assert rows[0]["confirmed by the instructor"] and not rows[1]["confirmed by the instructor"]

    md = client.get(reverse("activities:report_export", args=[taught.pk, "md"])).content.decode()
    assert "### Describe the benefits of CoP (`benefits`): evidenced" in md
    assert "- Key points found: 1 of 11 (9 %); reinforced by the instructor: 1" in md
    assert "  - Group 1: “Police get better information about crime and more respect”" in md

    data = json.loads(
        client.get(reverse("activities:report_export", args=[taught.pk, "json"])).content
    )
    benefits = data["objectives"]["items"][1]
    assert (benefits["id"], benefits["verdict"], benefits["actual_minutes"]) == (
        "benefits",
        "evidenced",
        10.0,
    )
    assert benefits["evidence"][0]["group"] == "Group 1"
    assert len(data["objectives"]["items"][0]["confirmed_by_instructor"]) == 1
    assert "- Confirmed by the instructor, no answer quoted:" in md


@pytest.mark.django_db
def test_an_unknown_export_is_a_404(client, taught, instructor):
    client.force_login(instructor)
    response = client.get(reverse("activities:report_export", args=[taught.pk, "objectives.xls"]))
    assert response.status_code == 404


# Across deliveries.


@pytest.mark.django_db
def test_objectives_are_ranked_by_how_often_they_were_not_evidenced(cop_lesson, instructor):
    first = teach(cop_lesson, instructor, "Course 1", answer_5_1=True)
    second = teach(cop_lesson, instructor, "Course 2", answer_5_1=False)
    _, _, ranking = across_deliveries([first, second])
    assert [(o.code, o.not_evidenced, o.partly, o.of) for o in ranking] == [
        ("concept", 2, 0, 2),
        ("elements", 2, 0, 2),
        ("problem-solving", 2, 0, 2),
        ("challenges", 2, 0, 2),
        ("benefits", 1, 0, 2),
    ]


@pytest.mark.django_db
def test_the_lesson_reports_page_shows_the_ranking_beside_the_overrun_rows(
    client, cop_lesson, instructor, coordinator
):
    teach(cop_lesson, instructor, "Course 1", answer_5_1=True)
    client.force_login(coordinator)
    page = client.get(reverse("activities:lesson_reports", args=["cop"])).content.decode()
    side = page[page.index('class="side-by-side"') : page.index("Key points classes miss most")]
    assert side.index("Objectives least often evidenced") < side.index("Overrun per lesson-map row")
    concept = '<code>concept</code></th><td class="num not-evidenced">1 of 1'
    assert f"Explain the concept of CoP {concept}" in side
    assert side.index("<code>challenges</code>") < side.index("<code>benefits</code>")
