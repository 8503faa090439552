"""The editor's preview promises to show a slide and an activity exactly as the projector will:
both render the same partials, so for the same slide the same HTML comes out."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.test.html import Element, parse_html
from django.urls import reverse

from activities.models import delivery_create

SLIDE = 22  # it has a revealable part and opens the positive-contact activity
ACTIVITY = "positive-contact"
MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def first_with_class(node: Element, css_class: str) -> Element | None:
    """The first element (depth first) whose class attribute holds `css_class`."""
    for child in node.children:
        if not isinstance(child, Element):
            continue
        classes = dict(child.attributes).get("class") or ""
        if css_class in classes.split():
            return child
        found = first_with_class(child, css_class)
        if found is not None:
            return found
    return None


def part(response, css_class: str) -> Element:
    assert response.status_code == 200
    element = first_with_class(parse_html(response.content.decode()), css_class)
    assert element is not None, f"no .{css_class} in the page"
    return element


@pytest.fixture
def screens(cop_lesson, instructor, coordinator):
    """The projector of a delivery on SLIDE (its reveal shown) and the editor, side by side."""
    delivery = delivery_create(
        lesson=cop_lesson, instructor=instructor, title="Same HTML", expected_class_size=12
    )
    delivery.start()
    delivery.go_to_slide(SLIDE)
    delivery.toggle_reveal()
    projector, editor = Client(), Client()
    projector.force_login(instructor)
    editor.force_login(coordinator)
    return delivery, projector, editor


def test_the_slide_preview_is_the_projector_slide(screens, cop_lesson):
    delivery, projector, editor = screens
    shown = part(
        projector.get(reverse("activities:projector", args=[delivery.pk])), "projector-main"
    )
    preview = part(
        editor.get(reverse("content:slide", args=[cop_lesson.pk, SLIDE])), "projector-main"
    )
    assert "slide-reveal" in str(shown)  # the comparison covers the revealed part too
    assert preview == shown, f"preview:\n{preview}\n\nprojector:\n{shown}"


def test_the_activity_preview_is_the_projector_with_the_activity_just_opened(screens, cop_lesson):
    delivery, projector, editor = screens
    with time_machine.travel(MOMENT, tick=False):
        delivery.open_activity()
        shown = part(
            projector.get(reverse("activities:projector", args=[delivery.pk])),
            "projector-activity",
        )
        preview = part(
            editor.get(reverse("content:activity", args=[cop_lesson.pk, ACTIVITY])),
            "projector-activity",
        )
        preview_partial = part(
            editor.post(reverse("content:activity_preview", args=[cop_lesson.pk, ACTIVITY]), {}),
            "projector-activity",
        )
    assert "data-countdown" in str(shown)  # the big timer is part of what is compared
    assert preview == shown, f"preview:\n{preview}\n\nprojector:\n{shown}"
    assert preview_partial == shown
