"""What a participant's phone shows: the slide in brief, or the group's form for the activity."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from activities.fast_path.caches import kept_for_revision, rendered_once
from activities.models import ActivityRun, Delivery, Participant, Submission
from activities.screens import timer_view
from activities.takeaway import TakeawayState, takeaway_state
from lessons.countdown import epoch_ms
from lessons.models import Slide

# The messages static/js/answers.js shows, in the page's language; the keys are its English.
# Each is written out so that makemessages finds it.
NO_CONNECTION = (
    "No connection. Your answer is kept on this phone and will be sent when the connection is back."
)
ANSWER_MESSAGES = {
    NO_CONNECTION: _(
        "No connection. Your answer is kept on this phone and will be sent when the connection "
        "is back."
    ),
    "You are offline. What you type is kept on this phone.": _(
        "You are offline. What you type is kept on this phone."
    ),
    "Connection lost. Trying again…": _("Connection lost. Trying again…"),
    "Not sent yet": _("Not sent yet"),
    "Sending…": _("Sending…"),
    "Waiting for the connection…": _("Waiting for the connection…"),
    "Sent ✓": _("Sent ✓"),
    "The server is busy. Your answer is kept and will be sent again shortly.": _(
        "The server is busy. Your answer is kept and will be sent again shortly."
    ),
    "Will retry…": _("Will retry…"),
    "Not sent. Try again.": _("Not sent. Try again."),
    "Not saved: see below": _("Not saved: see below"),
    "Not done. Try again.": _("Not done. Try again."),
    "No connection. Try again when the connection is back.": _(
        "No connection. Try again when the connection is back."
    ),
    "Not sent: the activity is closed": _("Not sent: the activity is closed"),
}


class StoredPiece(NamedTuple):
    """What a phone shows of a stored Submission."""

    key: str
    text: str
    version: int


def stored_pieces(run: ActivityRun, group_id: int) -> dict[str, StoredPiece]:
    """The group's stored pieces, in the order the list shows its points. Read at every change
    to the group's answer: columns, not model instances, and no join for the model's ordering."""
    rows = (
        Submission.objects.filter(run=run, group=group_id)
        .order_by("position", "pk")
        .values_list("key", "text", "version")
    )
    return {key: StoredPiece(key, text, version) for key, text, version in rows}


def stage_run(delivery: Delivery) -> ActivityRun | None:
    """The open activity; or, while the class is still on its slide, the one just closed, so
    the group sees its answers frozen rather than losing the page. With its activity, the
    activity's phases and the lesson, which the stage shows. Every group's render asks it: it
    is fetched once per delivery revision."""
    return kept_for_revision(delivery, "stage-run", lambda: find_stage_run(delivery))


def find_stage_run(delivery: Delivery) -> ActivityRun | None:
    runs = ActivityRun.objects.select_related("activity__lesson").prefetch_related(
        "activity__phases"
    )
    if delivery.open_run_id:
        return runs.get(pk=delivery.open_run_id)
    return runs.filter(delivery=delivery, activity__slide__number=delivery.current_slide).first()


@dataclass(frozen=True)
class StageBody:
    """The stage below the phone's header, rendered, and the activity run it shows."""

    run_id: int | None
    html: str


def body_context(
    participant: Participant, run: ActivityRun | None, now: datetime, delivery_key: str
) -> dict:
    delivery = participant.delivery
    group = participant.group
    context = {"participant": participant, "group": group, "run": run}
    if group is None:
        return context
    if run is None:
        slide = Slide.objects.select_related("section", "lesson").get(
            lesson_id=delivery.lesson_id, number=delivery.current_slide
        )
        return context | {"slide": slide, "content_language": slide.lesson.language}
    submissions = stored_pieces(run, group.pk)
    form = run.activity.form_kind
    activity = activity_context(run, now)
    return (
        context
        | activity
        | shared_activity_parts(activity, f"{delivery_key}:activity")
        | {
            "assignment": group.assignment_for(run.activity),
            "form_kind": form.name,
            "form_template": form.phone_template,
            "form": form.phone(submissions),
        }
    )


def activity_context(run: ActivityRun, now: datetime) -> dict:
    return {
        "content_language": run.activity.lesson.language,
        "activity": run.activity,
        "frozen": run.closed_at is not None,
        "timer": timer_view(run, now),
    }


SHARED_ACTIVITY_PARTS = ("activity-head", "activity-task")  # partials of _stage_body.html


def shared_activity_parts(context: dict, key: str) -> dict[str, str]:
    """The open activity's heading, countdown and task, which every group sees alike: rendered
    once per delivery revision and language (`key`), not again for each group's answers.

    They were 40 % of a group's render, which every answer causes: rendered once, a group's
    render of a ten-point list went 1.98 -> 1.15 ms of CPU (`render_body`, in-process)."""

    def render() -> dict[str, str]:
        return {
            part.replace("-", "_"): str(
                render_to_string(f"participants/_stage_body.html#{part}", context)
            )
            for part in SHARED_ACTIVITY_PARTS
        }

    return {name: mark_safe(html) for name, html in rendered_once(key, render).items()}  # noqa: S308


def render_body(
    participant: Participant, run: ActivityRun | None, now: datetime, delivery_key: str
) -> tuple:
    context = body_context(participant, run, now, delivery_key)
    html = render_to_string("participants/_stage_body.html", context)
    return (run.pk if run else None, str(html))


def stage_body(participant: Participant, now: datetime) -> StageBody:
    """Rendered once per group, language and change, not once per phone.

    When an instructor acts, every phone asks for its stage within one poll; when an answer
    arrives, its whole group does. The body depends only on what the delivery's and the group's
    revisions count (the slide, the run and its timer, the group's answers) and on the
    language, so they key it: an entry can never go stale, only unused, and each app process
    may keep its own. While no activity is open, every group sees the same slide in brief: it is
    rendered once for all of them. A running countdown's text is as of the render; the phone's
    clock script redraws it from the end time at once. Before a group is given, the page greets
    the participant by name: that is not shared.
    """
    group = participant.group
    delivery = participant.delivery
    language = translation.get_language()
    delivery_key = f"stage:{delivery.pk}:{delivery.join_code}:{delivery.revision}:{language}"
    if group is None:
        return StageBody(*render_body(participant, None, now, delivery_key))
    group_key = f"{delivery_key}:{group.pk}:{group.revision}"

    def render_for_group() -> tuple:
        run = stage_run(delivery)
        if run is None:
            return rendered_once(
                delivery_key, lambda: render_body(participant, None, now, delivery_key)
            )
        return render_body(participant, run, now, delivery_key)

    run_id, html = rendered_once(group_key, render_for_group)
    return StageBody(run_id=run_id, html=mark_safe(html))  # noqa: S308 -- our own render


def answer_messages() -> dict[str, str]:
    """What static/js/answers.js shows, in the active language: for the page, not each poll."""
    return {text: str(translated) for text, translated in ANSWER_MESSAGES.items()}


def stage_context(participant: Participant) -> dict:
    delivery = participant.delivery
    group = participant.group
    now = timezone.now()
    body = stage_body(participant, now)
    return {
        "participant": participant,
        "delivery": delivery,
        "group": group,
        "revision": f"{delivery.revision}.{group.revision if group else 0}",
        "run_id": body.run_id,
        "body": body.html,
        "server_now_ms": epoch_ms(now),
        "takeaway_available": takeaway_state(delivery, now) == TakeawayState.AVAILABLE,
    }
