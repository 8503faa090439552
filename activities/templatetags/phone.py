"""{% piece %}: one editable piece of a group's answer, rendered once for every phone that shows
it (activities/fast_path/caches.py keeps it; activities/phone.py has the stage it is part of)."""

import hashlib

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from activities.fast_path.caches import rendered_once
from activities.participation import MAX_ANSWER_LENGTH
from lessons.forms import Piece

register = template.Library()


@register.simple_tag(takes_context=True)
def piece(context: template.Context, piece: Piece, **options) -> SafeString:
    """participants/_piece.html for `piece`, with `options` (label, rows, movable, …).

    A group's stage is rendered again at every change to its answer, and a list of points is
    mostly the same points: each is kept rendered under everything it is made of, so a change
    renders only what changed.
    """
    frozen = bool(context.get("frozen"))
    made_of = repr((piece, frozen, translation.get_language(), sorted(options.items())))
    key = "piece:" + hashlib.blake2b(made_of.encode(), digest_size=16).hexdigest()
    html = rendered_once(
        key,
        lambda: str(
            render_to_string(
                "participants/_piece.html",
                {"piece": piece, "frozen": frozen, "limit": MAX_ANSWER_LENGTH, **options},
            )
        ),
    )
    return mark_safe(html)  # noqa: S308 -- our own template's output
