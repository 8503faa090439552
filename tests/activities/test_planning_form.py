"""The planning form in French: the date a browser's date picker is given is ISO, so it shows."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from activities.models import Delivery, GroupingMode

pytestmark = pytest.mark.django_db


@pytest.fixture
def french_instructor(instructor_client):
    """The instructor, with French picked (the language picker sets this cookie)."""
    instructor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return instructor_client


def as_a_browser_sends(value: str) -> str:
    """A date input whose value is not YYYY-MM-DD shows empty and sends "" (HTML's value
    sanitisation), which is what French instructors met: "required" under an empty date."""
    return value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""


def date_value(page: str) -> str:
    field = re.search(r'<input type="date" name="date"[^>]*>', page)
    assert field, "the planning form has no date input"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


def test_a_french_planning_form_gives_the_date_input_an_iso_date(french_instructor):
    page = french_instructor.get(reverse("activities:deliveries")).content.decode()
    assert '<html lang="fr">' in page and "Planifier une séance" in page
    assert date_value(page) == timezone.localdate().isoformat()


def test_a_french_instructor_plans_a_delivery_without_re_picking_the_date(
    french_instructor, cop_lesson
):
    page = french_instructor.get(reverse("activities:deliveries")).content.decode()
    response = french_instructor.post(
        reverse("activities:deliveries"),
        {
            "lesson": cop_lesson.pk,
            "title": "Cours 7",
            "date": as_a_browser_sends(date_value(page)),
            "place": "Salle 2",
            "expected_class_size": "20",
            "grouping_mode": GroupingMode.AUTO,
            "language": "fr",
            "takeaway_enabled": "on",  # the form's defaults, as the browser sends them
            "takeaway_days": "7",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Delivery.objects.get().date == timezone.localdate()


def test_a_french_form_sent_back_with_an_error_keeps_its_iso_date(french_instructor, cop_lesson):
    response = french_instructor.post(
        reverse("activities:deliveries"),
        {"lesson": cop_lesson.pk, "title": "Cours 7", "date": "2026-12-02"},
    )
    page = response.content.decode()
    assert date_value(page) == date(2026, 12, 2).isoformat()
    assert not Delivery.objects.exists()
