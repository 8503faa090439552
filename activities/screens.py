"""What the console and the projector show at a moment: plain values for templates to render."""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.debrief import debrief
from activities.models import ActivityRun, Delivery
from activities.pacing import Pacing
from activities.timer import Timer
from activities.wall import spotlighted, wall
from lessons.countdown import TimerView, clock, epoch_ms
from lessons.models import OpeningRow, Phase, Section, Slide


@dataclass(frozen=True)
class MapRow:
    section: Section | OpeningRow
    spent_minutes: int
    is_current: bool
    is_done: bool

    @property
    def is_over(self) -> bool:
        return self.spent_minutes > self.section.planned_minutes


@dataclass(frozen=True)
class PacingView:
    pacing: Pacing
    started_at_ms: int

    @property
    def elapsed_clock(self) -> str:
        return clock(self.pacing.elapsed.total_seconds())

    @property
    def planned_clock(self) -> str:
        return clock(self.pacing.planned_elapsed.total_seconds())

    @property
    def verdict(self) -> str:
        minutes = self.pacing.behind_minutes
        if minutes > 0:
            return _("%(minutes)s min behind") % {"minutes": minutes}
        if minutes < 0:
            return _("%(minutes)s min ahead") % {"minutes": -minutes}
        return _("on time")

    @property
    def status(self) -> str:
        minutes = self.pacing.behind_minutes
        return "behind" if minutes > 0 else "ahead" if minutes < 0 else "on-time"

    @property
    def arrow(self) -> str:
        """The sign beside the verdict, readable without colour."""
        return {"behind": "▼", "ahead": "▲"}.get(self.status, "●")


def timer_view(run: ActivityRun, now: datetime) -> TimerView:
    return view_of_timer(run.timer, list(run.activity.phases.all()), now)


def view_of_timer(timer: Timer, phases: list[Phase], now: datetime) -> TimerView:
    return TimerView(
        state=timer.state,
        seconds_left=timer.seconds_left(now),
        ends_at_ms=epoch_ms(timer.ends_at) if timer.ends_at else None,
        phase_index=timer.phase_index,
        phases=phases,
        is_up=timer.is_up(now),
        is_last_phase=timer.is_last_phase,
    )


def map_rows(delivery: Delivery, slide: Slide, pacing: Pacing | None) -> list[MapRow]:
    """The lesson map's rows, the opening first when it has minutes: it is current while its
    time lasts on the first slide (or, before the start, while the first slide is up)."""
    spent = pacing.spent_by_section if pacing else {}
    sections = list(delivery.lesson.sections.all())
    opening = delivery.lesson.opening_row(sections[0].first_slide) if sections else None
    in_opening = bool(opening) and (
        pacing.in_opening if pacing else slide.number == opening.first_slide
    )
    rows = [
        MapRow(
            section=section,
            spent_minutes=spent_minutes(spent, section.position),
            is_current=section.pk == slide.section_id and not in_opening,
            is_done=section.last_slide < slide.number,
        )
        for section in sections
    ]
    if opening:
        done = not in_opening and (pacing is not None or slide.number != opening.first_slide)
        opening_row = MapRow(opening, spent_minutes(spent, opening.position), in_opening, done)
        rows.insert(0, opening_row)
    return rows


def spent_minutes(spent: dict[int, timedelta], position: int) -> int:
    return round(spent.get(position, timedelta()).total_seconds() / 60)


@functools.lru_cache(maxsize=64)
def join_qr_svg(join_url: str) -> str:
    # The same code for the whole lesson, and the projector asks for it at every change.
    # A viewBox, no fixed size: the projector draws it large while people join, small after.
    return segno.make(join_url, error="m").svg_inline(
        scale=8, border=2, dark="#000", light="#fff", omitsize=True
    )


def poll_revision(delivery: Delivery) -> str:
    """What the console and projector poll: slide and timer changes, and answer changes."""
    return f"{delivery.revision}.{delivery.answers_revision}"


def screen_context(
    delivery: Delivery, *, include_hidden: bool, now: datetime | None = None
) -> dict:
    """Everything the console and projector render, computed once per request."""
    now = now or timezone.now()
    slide_run = delivery.slide_run()
    slide = delivery.slide()
    pacing = delivery.pacing(now)
    run = delivery.open_run
    next_number = delivery.neighbour_slide_number(+1)
    numbers = list(delivery.lesson.slides.values_list("number", flat=True))
    return {
        "delivery": delivery,
        "slide": slide,
        "next_slide": delivery.slide(next_number) if next_number else None,
        "is_first_slide": numbers[0] == slide.number,
        "slide_position": numbers.index(slide.number) + 1,
        "slide_count": len(numbers),
        "slide_numbers": " ".join(map(str, numbers)),
        "rows": map_rows(delivery, slide, pacing),
        "pacing": PacingView(pacing, epoch_ms(delivery.started_at)) if pacing else None,
        "run": run,
        "timer": timer_view(run, now) if run else None,
        "slide_activity_is_open": bool(run and slide.activity_id == run.activity_id),
        "server_now_ms": epoch_ms(now),
        "poll_revision": poll_revision(delivery),
        "slide_run": slide_run,
        "wall": wall(slide_run, include_hidden=include_hidden) if slide_run else [],
        "spotlight": spotlighted(slide_run) if slide_run else None,
        "debrief": debrief(slide_run) if slide_run and include_hidden else [],
        "participant_count": delivery.participants.filter(removed=False).count(),
    }
