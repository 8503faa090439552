"""How the projector presents a moment of the class: which groups its wall shows, how large the
join panel is. Presentation only: what the moment is comes from `screens.screen_context`."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation

from activities.models import Delivery
from activities.wall import GroupAnswer


def join_panel_size(delivery: Delivery, *, is_first_slide: bool) -> str:
    """ "large" while people are still arriving, "corner" once the lesson is under way, "" when
    nobody can join (ended, or a rehearsal)."""
    if not delivery.accepts_participants:
        return ""
    if delivery.status == Delivery.Status.PLANNED or is_first_slide:
        return "large"
    return "corner"


def wall_shown(delivery: Delivery, answers: list[GroupAnswer]) -> list[GroupAnswer]:
    """The spotlighted group alone, or every group when none is."""
    chosen = [answer for answer in answers if answer.group.pk == delivery.spotlight_group_id]
    return chosen or answers


def projector_context(delivery: Delivery, context: dict) -> dict:
    return {
        "wall": wall_shown(delivery, context["wall"]),
        "group_is_spotlighted": bool(
            delivery.spotlight_group_id
            and any(a.group.pk == delivery.spotlight_group_id for a in context["wall"])
        ),
        "join_panel": join_panel_size(delivery, is_first_slide=context["is_first_slide"]),
        "has_ended": delivery.status == Delivery.Status.ENDED,
    }


def render_in_class_language(
    request: HttpRequest, delivery: Delivery, template: str, context: dict
) -> HttpResponse:
    """The room reads the class's language, whatever the instructor's interface is in."""
    response = TemplateResponse(request, template, context)
    with translation.override(delivery.language):
        response.render()
    response.headers["Content-Language"] = delivery.language
    return response
