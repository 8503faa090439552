"""{% wall_piece %}: one answer on the live wall, rendered once for every screen that shows it."""

import hashlib

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from activities.fast_path.caches import rendered_once
from activities.wall import WallPiece

register = template.Library()


@register.simple_tag
def wall_piece(piece: WallPiece, *, controls: bool) -> SafeString:
    """activities/_wall_piece.html for `piece`, with the instructor's buttons if `controls`.

    The console and the projector poll every second and render the whole wall again after each
    answer. Most of a wall is the same answers: each is kept rendered under everything it shows
    (its text, label, hidden and spotlighted flags, the buttons and the language), so a change
    renders only what changed. It takes about a third off the console's render after an answer
    (bench/request_cost.py console-after-answer; figures in bench/RESULTS.md).
    """
    submission = piece.submission
    made_of = repr(
        (
            submission.pk,
            submission.text,
            submission.hidden,
            submission.spotlighted,
            piece.label,
            bool(controls),
            translation.get_language(),
        )
    )
    key = "wall-piece:" + hashlib.blake2b(made_of.encode(), digest_size=16).hexdigest()

    def render() -> str:
        html = render_to_string(
            "activities/_wall_piece.html", {"piece": piece, "controls": controls}
        )
        return str(html)

    return mark_safe(rendered_once(key, render))  # noqa: S308 -- our own template's output
