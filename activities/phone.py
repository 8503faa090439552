"""What a participant's phone shows: the slide in brief, or the group's form for the activity."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityRun, Participant, Submission
from activities.screens import epoch_ms, timer_view

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


@dataclass(frozen=True)
class Piece:
    """One editable piece of a group's answer as the phone shows it."""

    key: str
    label: str = ""
    prompt: str = ""
    text: str = ""
    version: int | None = None

    @property
    def dom_id(self) -> str:
        return "piece-" + self.key.replace(":", "-")


def pieces_for(run: ActivityRun, submissions: dict[str, Submission]) -> dict:
    form = run.activity.response_form
    kind = form["kind"]

    def piece(key: str, **labels) -> Piece:
        stored = submissions.get(key)
        return Piece(
            key=key,
            text=stored.text if stored else "",
            version=stored.version if stored else None,
            **labels,
        )

    if kind == "list":
        points = [
            Piece(key=s.key, text=s.text, version=s.version)
            for s in sorted(submissions.values(), key=lambda s: (s.position, s.pk))
        ]
        return {"points": points, "prompt": form.get("prompt", ""), "new_point": Piece(key="new")}
    if kind == "table":
        rows = [
            {
                "label": row["label"],
                "cells": [
                    piece(f"cell:{r}:{c}", label=column) for c, column in enumerate(form["columns"])
                ],
            }
            for r, row in enumerate(form["rows"])
        ]
        return {"rows": rows, "columns": form["columns"], "row_heading": form.get("row_heading")}
    if kind == "fields":
        fields = [
            piece(f"field:{f['key']}", label=f["label"], prompt=f.get("prompt", ""))
            for f in form["fields"]
        ]
        return {"fields": fields}
    return {"text": piece("text", prompt=form.get("prompt", ""))}


def stage_run(participant: Participant) -> ActivityRun | None:
    """The open activity; or, while the class is still on its slide, the one just closed, so
    the group sees its answers frozen rather than losing the page."""
    delivery = participant.delivery
    if delivery.open_run_id:
        return delivery.open_run
    return delivery.slide_run()


def stage_context(participant: Participant) -> dict:
    delivery = participant.delivery
    group = participant.group
    now = timezone.now()
    run = stage_run(participant)
    context = {
        "participant": participant,
        "delivery": delivery,
        "group": group,
        "revision": f"{delivery.revision}.{group.revision if group else 0}",
        "slide": delivery.slide(),
        "run": run,
        "server_now_ms": epoch_ms(now),
        "answer_messages": {text: str(translated) for text, translated in ANSWER_MESSAGES.items()},
    }
    if run is None or group is None:
        return context
    submissions = {s.key: s for s in Submission.objects.filter(run=run, group=group)}
    return context | {
        "activity": run.activity,
        "frozen": run.closed_at is not None,
        "timer": timer_view(run, now),
        "assignment": group.assignment_for(run.activity),
        "form_kind": run.activity.response_form["kind"],
        "form": pieces_for(run, submissions),
    }
