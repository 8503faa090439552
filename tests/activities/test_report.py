import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from activities.models import delivery_create
from activities.participation import answer_save, participant_join
from activities.report import build_report

pytestmark = pytest.mark.django_db
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


@pytest.fixture
def taught(cop_lesson, instructor):
    """A class of three groups: the opening on time, row 1 3 min under, row 2 2 min under, row 3
    3 min over."""
    with time_machine.travel(NINE, tick=False) as clock:
        delivery = delivery_create(
            lesson=cop_lesson, instructor=instructor, title="Course 7", expected_class_size=12
        )
        people = [participant_join(delivery=delivery, display_name=n) for n in "ABC"]
        delivery.start(now=at(0))
        delivery.go_to_slide(11, now=at(15))
        delivery.go_to_slide(12, now=at(16))
        delivery.open_activity(now=at(16))
        delivery.change_timer("toggle", now=at(16))
        clock.move_to(at(20))
        for person, text in zip(
            people,
            ['=HYPERLINK("http://evil")', "Improved information about crime", "<b>Trust</b>"],
            strict=True,
        ):
            person.refresh_from_db()
            answer_save(participant=person, key=f"point:{person.display_name}-00000001", text=text)
        delivery.change_timer("next_phase", now=at(22))
        delivery.close_activity(now=at(34))
        delivery.go_to_slide(13, now=at(34))
        delivery.end(now=at(40))
    return delivery


def test_planned_and_actual_minutes_per_row_and_phase(taught):
    report = build_report(taught)
    rows = {row.title: row for row in report.rows}
    assert report.rows[0].title == "Opening" and report.rows[0].slides == "1-4"
    # 15 min on slide 5: the opening's 8 first, then 7 for row 1.
    assert (rows["Opening"].planned, rows["Opening"].actual) == (8, 8)
    assert rows["Opening"].reached and not (rows["Opening"].is_over or rows["Opening"].is_under)
    assert rows["What is Community-oriented Policing?"].actual == 7  # planned 10: 3 under
    assert rows["What is Community-oriented Policing?"].is_under
    assert rows["Main Guiding Documents"].actual == 1  # planned 3: 2 under
    assert rows["Main Guiding Documents"].is_under
    assert rows["Learning Activity 5.1: Importance of Enlisting Community"].overrun == 3
    assert rows["The Benefits of CoP"].actual == 6  # on time
    assert not rows["Problem Solving"].reached and not rows["Problem Solving"].is_under
    assert [(p.name, p.planned, p.actual) for p in report.phases] == [
        ("Group discussion", 5, 6),
        ("Presentations", 10, 12),
    ]
    assert report.actual_total == 40 and report.planned_total == 120
    assert [e.slide_number for e in report.timeline] == [5, 11, 12, 13]
    assert report.participant_count == 3 and report.group_count == 3


def test_the_report_page_shows_figures_outputs_and_coverage(client, taught, instructor):
    client.force_login(instructor)
    page = client.get(reverse("activities:report", args=[taught.pk])).content.decode()
    assert "+3.0 over" in page and "-2.0 under" in page and "on time" in page
    assert "not reached" in page
    assert "<svg" in page and "Planned and actual minutes per lesson-map row" in page
    assert "Improved information about crime" in page
    assert "&lt;b&gt;Trust&lt;/b&gt;" in page
    assert "missed" in page  # no key point was confirmed


def test_answers_csv_has_one_row_per_answer_and_no_formulas(client, taught, instructor):
    client.force_login(instructor)
    response = client.get(reverse("activities:report_export", args=[taught.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["activity"], r["group"], r["slot"]) for r in rows] == [
        ("5.1", "Group 1", "point"),
        ("5.1", "Group 2", "point"),
        ("5.1", "Group 3", "point"),
    ]
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["text"] == "Improved information about crime"
    assert rows[1]["created"] == "2026-11-26 09:20:00"


def test_markdown_report_reads_as_a_document(client, taught, instructor):
    client.force_login(instructor)
    text = client.get(reverse("activities:report_export", args=[taught.pk, "md"])).content.decode()
    assert text.startswith("# After-action report: Course 7\n")
    table = text[text.index("| Lesson-map row |") :]
    assert table.splitlines()[2] == "| Opening | 1-4 | 8 | 8 | +0 |"  # the first row
    assert "| What is Community-oriented Policing? | 5-10 | 10 | 7 | -3 |" in text
    assert "| **Total** | | 120 | 40 | |" in text
    assert "| Main Guiding Documents | 11 | 3 | 1 | -2 |" in text
    assert "| 5.1 Importance of Enlisting the Community | Presentations | 10 | 12 |" in text
    assert "- Improved information about crime" in text
    assert "- \\<b\\>Trust\\</b\\>" in text  # participants' markup stays literal
    assert "- missed:" in text


def test_json_export_carries_the_whole_record(client, taught, instructor):
    client.force_login(instructor)
    data = json.loads(
        client.get(reverse("activities:report_export", args=[taught.pk, "json"])).content
    )
    assert data["delivery"]["lesson"] == {"slug": "cop", "version": 1}
    assert len(data["rows"]) == 12
    assert data["rows"][0] == {"title": "Opening", "slides": "1-4", "planned": 8, "actual": 8}
    assert data["activities"][0]["groups"][2]["answers"][0]["text"] == "<b>Trust</b>"


def test_coordinators_read_every_report_other_instructors_none(
    client, taught, coordinator, django_user_model
):
    client.force_login(coordinator)
    assert client.get(reverse("activities:report", args=[taught.pk])).status_code == 200
    from copsite.roles import INSTRUCTOR, grant_role

    other = django_user_model.objects.create_user("other", password="x" * 12)
    grant_role(other, INSTRUCTOR)
    client.force_login(other)
    assert client.get(reverse("activities:report", args=[taught.pk])).status_code == 404


def test_across_deliveries_average_and_spread_of_overrun(client, taught, coordinator, cop_lesson):
    with time_machine.travel(NINE, tick=False):
        second = delivery_create(lesson=cop_lesson, instructor=taught.instructor, title="Course 8")
        second.start(now=at(0))
        second.go_to_slide(11, now=at(20))  # the opening's 8 on time, row 1: 12 of 10, 2 over
        second.end(now=at(21))
    client.force_login(coordinator)
    page = client.get(reverse("activities:lesson_reports", args=["cop"])).content.decode()
    assert "Course 7" in page and "Course 8" in page
    start = page.index("What is Community-oriented Policing?</th>")
    row = page[start : page.index("</tr>", start)]
    assert "-0.5" in row  # (-3 + 2) / 2
    assert "2.5" in row  # population standard deviation of -3 and 2
    assert "-3 to +2" in row
    assert page.index("Opening</th>") < start  # the opening's row comes first
    assert "Missed in" in page


def test_the_report_has_a_print_button_not_a_line_of_text(client, taught, instructor):
    client.force_login(instructor)
    page = client.get(reverse("activities:report", args=[taught.pk])).content.decode()
    assert (
        '<button type="button" class="primary print-button" data-print hidden>'
        "Print or save as PDF (A4)</button>" in page
    )
    assert 'src="/static/js/print.js"' in page
    assert "print for a PDF" not in page


def test_the_opening_row_reads_in_french(taught):
    from django.utils import translation

    with translation.override("fr"):
        assert build_report(taught).rows[0].title == "Ouverture"
