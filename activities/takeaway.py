"""A participant's take-away: what the lesson said and what their own group wrote, kept for a
while after the lesson ends. Plain functions, the clock passed in (like activities/timer.py).

Nothing here reads another group's answers: submissions are read by the participant's group
only, and the key points come from the instructor's decisions (`KeyPointCoverage`), never from
the matched answer text stored on `KeyPointMatch`, which may be another group's.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from activities.exports import markdown_escape
from activities.models import (
    TAKEAWAY_DAYS_MAX,
    ActivityRun,
    Delivery,
    Group,
    KeyPointCoverage,
    Participant,
    Submission,
)
from lessons.models import Activity

# The lesson's closing What? / So What? / Now What? activity (content/cop, slide 36): shown
# first, as the participant's own summary of the lesson.
REFLECTION_ACTIVITY_CODE = "take-away"


class TakeawayState(enum.StrEnum):
    AVAILABLE = "available"
    NOT_YET = "not_yet"  # the lesson has not ended
    OFF = "off"  # the instructor turned it off
    EXPIRED = "expired"  # more than `takeaway_days` after the end


def takeaway_expires_at(delivery: Delivery) -> datetime | None:
    if delivery.ended_at is None:
        return None
    return delivery.ended_at + timedelta(days=delivery.takeaway_days)


def takeaway_state(delivery: Delivery, now: datetime) -> TakeawayState:
    if not delivery.takeaway_enabled:
        return TakeawayState.OFF
    expires_at = takeaway_expires_at(delivery)
    if not delivery.is_ended or expires_at is None:
        return TakeawayState.NOT_YET
    if now >= expires_at:
        return TakeawayState.EXPIRED
    return TakeawayState.AVAILABLE


def when(moment: datetime) -> str:
    """A date and time in the active language, in the site's time zone."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def instructor_summary(delivery: Delivery, now: datetime) -> str:
    """What the instructor's settings page says of the take-away as it stands."""
    state = takeaway_state(delivery, now)
    expires_at = takeaway_expires_at(delivery)
    if state == TakeawayState.OFF:
        return gettext("Turned off: participants get no take-away.")
    if state == TakeawayState.NOT_YET:
        return ngettext(
            "When the lesson ends, each participant gets a take-away for %(days)s day.",
            "When the lesson ends, each participant gets a take-away for %(days)s days.",
            delivery.takeaway_days,
        ) % {"days": delivery.takeaway_days}
    if state == TakeawayState.EXPIRED:
        return gettext(
            "Keep the take-away for more days to open it again: it was open until %(date)s"
        ) % {"date": when(expires_at)}
    return gettext("Participants can open their take-away until %(date)s") % {
        "date": when(expires_at)
    }


@dataclass(frozen=True)
class Refusal:
    """Why a phone cannot see the take-away: the page's message and its HTTP status."""

    message: str
    status: int


def refusal(delivery: Delivery | None, now: datetime) -> Refusal | None:
    """None when the phone may see its take-away; `delivery` None when the phone is not a
    participant of the class."""
    if delivery is None:
        return Refusal(
            gettext(
                "This take-away opens only on the phone that took part in the class, "
                "with the link it was given."
            ),
            404,
        )
    state = takeaway_state(delivery, now)
    if state == TakeawayState.NOT_YET:
        return Refusal(
            gettext("Your take-away is ready when the lesson ends. Come back to this page then."),
            404,
        )
    if state == TakeawayState.OFF:
        return Refusal(gettext("There is no take-away for this class."), 404)
    if state == TakeawayState.EXPIRED:
        return Refusal(
            gettext("This take-away is gone: it was kept until %(date)s")
            % {"date": when(takeaway_expires_at(delivery))},
            410,
        )
    return None


def participant_link_kept_until(delivery: Delivery) -> datetime | None:
    """How long a phone keeps its participant link once the lesson has ended: as long as any
    take-away of the class could last, so that a period the instructor lengthens later still
    reaches the phone, and an expired take-away says so (410) instead of "not found"."""
    if delivery.ended_at is None or not delivery.takeaway_enabled:
        return None
    return delivery.ended_at + timedelta(days=TAKEAWAY_DAYS_MAX)


COVERAGE_LABELS = {
    KeyPointCoverage.Status.COVERED: _("Found by the class, confirmed by the instructor"),
    KeyPointCoverage.Status.REINFORCED: _("Reinforced by the instructor"),
}


@dataclass(frozen=True)
class KeyMessage:
    slide_number: int
    title: str
    text: str  # Markdown, as the lesson wrote it
    html: str  # sanitised when the lesson was loaded


@dataclass(frozen=True)
class GroupPiece:
    """One piece of the group's answer: `Victim · Needs`, `What?`, a column, or no label."""

    label: str
    text: str


@dataclass(frozen=True)
class ConfirmedPoint:
    text: str  # Markdown, as the lesson wrote it
    html: str
    status_label: str


@dataclass(frozen=True)
class ActivityTakeaway:
    activity: Activity
    pieces: list[GroupPiece]
    points: list[ConfirmedPoint]

    @property
    def heading(self) -> str:
        return self.activity.heading


@dataclass(frozen=True)
class Takeaway:
    delivery: Delivery
    group: Group | None
    expires_at: datetime
    key_messages: list[KeyMessage]
    reflection: ActivityTakeaway | None
    activities: list[ActivityTakeaway]

    @property
    def content_language(self) -> str:
        return self.delivery.lesson.language


def key_messages(delivery: Delivery) -> list[KeyMessage]:
    slides = delivery.lesson.slides.exclude(key_message="").order_by("number")
    return [
        KeyMessage(slide.number, slide.title, slide.key_message, slide.key_message_html)
        for slide in slides
    ]


def group_pieces(run: ActivityRun, group: Group | None) -> list[GroupPiece]:
    """The group's answer to the run, labelled and ordered as the wall and the report do."""
    if group is None:
        return []
    form = run.activity.form_kind
    submissions = sorted(
        Submission.objects.filter(run=run, group=group),
        key=lambda s: (form.piece_order(s.key), s.position, s.pk),
    )
    return [GroupPiece(form.piece_label(s.key), s.text) for s in submissions]


def confirmed_points(run: ActivityRun) -> list[ConfirmedPoint]:
    """The key points the instructor decided on in this run: found (confirmed) or reinforced."""
    decided = run.coverage.select_related("key_point").order_by("key_point__position")
    return [
        ConfirmedPoint(
            coverage.key_point.text,
            coverage.key_point.text_html,
            str(COVERAGE_LABELS[coverage.status]),
        )
        for coverage in decided
        if coverage.status in COVERAGE_LABELS
    ]


def takeaway_for(participant: Participant) -> Takeaway:
    """What `participant` keeps of the lesson: key messages, their group's answers to every
    activity the class ran (the reflection first), and the key points the instructor decided."""
    delivery = participant.delivery
    runs = (
        ActivityRun.objects.filter(delivery=delivery)
        .select_related("activity")
        .order_by("activity__section__position", "activity__position")
    )
    reflection = None
    activities = []
    for run in runs:
        entry = ActivityTakeaway(
            run.activity, group_pieces(run, participant.group), confirmed_points(run)
        )
        if run.activity.code == REFLECTION_ACTIVITY_CODE:
            reflection = entry
        else:
            activities.append(entry)
    return Takeaway(
        delivery=delivery,
        group=participant.group,
        expires_at=takeaway_expires_at(delivery),
        key_messages=key_messages(delivery),
        reflection=reflection,
        activities=activities,
    )


def indented(markdown: str) -> str:
    """Lesson Markdown (trusted content) as the body of a list item."""
    return "\n  ".join(markdown.strip().splitlines())


def takeaway_markdown(takeaway: Takeaway) -> str:
    """The take-away as a Markdown file: a heading per activity with the group's answers as a
    list (the reflection first), then the lesson's key messages. Participants' text is escaped;
    the lesson's is kept as written."""
    d = takeaway.delivery
    lines = [
        "# " + gettext("Your take-away: %(lesson)s") % {"lesson": d.lesson.title},
        "",
        "- " + gettext("Class: %(title)s") % {"title": d.title},
        "- " + gettext("Date: %(date)s") % {"date": f"{d.date:%Y-%m-%d}"},
    ]
    if takeaway.group:
        lines.append(f"- {takeaway.group.name}")
    sections = ([takeaway.reflection] if takeaway.reflection else []) + takeaway.activities
    for entry in sections:
        lines += ["", f"## {entry.heading}", ""]
        if not entry.pieces:
            lines.append(gettext("Your group sent no answer."))
        for piece in entry.pieces:
            label = f"**{markdown_escape(piece.label)}:** " if piece.label else ""
            lines.append(f"- {label}{markdown_escape(piece.text)}")
        if entry.points:
            lines += ["", f"### {gettext('Points the instructor confirmed or reinforced')}", ""]
            lines += [f"- *{point.status_label}:* {indented(point.text)}" for point in entry.points]
    lines += ["", f"## {gettext('Key messages of the lesson')}", ""]
    lines += [f"- {indented(message.text)}" for message in takeaway.key_messages]
    return "\n".join(lines).rstrip() + "\n"
