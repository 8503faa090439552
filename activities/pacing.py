"""Pacing against the lesson plan: where the class should be by now, and when it will finish.

Each slide gets a planned share of time: its lesson-map row's presentation minutes spread evenly
over the row's slides, plus the minutes of the activity it opens. The plan at this point is the
planned time of every slide before the current one, plus the time spent on the current one up to
its own share.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SlidePlan:
    number: int
    section_position: int
    planned: timedelta


@dataclass(frozen=True)
class Visit:
    slide_number: int
    entered_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class RowPlan:
    position: int
    first_slide: int
    last_slide: int
    presentation_minutes: int


@dataclass(frozen=True)
class Pacing:
    elapsed: timedelta
    planned_elapsed: timedelta
    behind: timedelta
    planned_finish: datetime
    projected_finish: datetime
    spent_by_section: dict[int, timedelta]

    @property
    def behind_minutes(self) -> int:
        """Whole minutes behind the plan (negative when ahead), rounded towards zero."""
        return int(self.behind.total_seconds() / 60)


def plan_slides(rows: Iterable[RowPlan], activity_minutes: dict[int, int]) -> list[SlidePlan]:
    plan = []
    for row in rows:
        numbers = range(row.first_slide, row.last_slide + 1)
        share = timedelta(minutes=row.presentation_minutes) / len(numbers)
        for number in numbers:
            extra = timedelta(minutes=activity_minutes.get(number, 0))
            plan.append(SlidePlan(number, row.position, share + extra))
    return plan


def visit_length(visit: Visit, now: datetime) -> timedelta:
    return (visit.left_at or now) - visit.entered_at


def compute_pacing(
    plan: list[SlidePlan],
    visits: list[Visit],
    *,
    current_slide: int,
    started_at: datetime,
    now: datetime,
) -> Pacing:
    planned_total = sum((slide.planned for slide in plan), timedelta())
    before = sum((s.planned for s in plan if s.number < current_slide), timedelta())
    current_plan = next((s.planned for s in plan if s.number == current_slide), timedelta())
    open_visits = [v for v in visits if v.left_at is None and v.slide_number == current_slide]
    on_current = visit_length(open_visits[-1], now) if open_visits else timedelta()
    elapsed = now - started_at
    planned_elapsed = before + min(on_current, current_plan)
    behind = elapsed - planned_elapsed
    section_of = {slide.number: slide.section_position for slide in plan}
    spent: dict[int, timedelta] = {}
    for visit in visits:
        position = section_of.get(visit.slide_number)
        if position is not None:
            spent[position] = spent.get(position, timedelta()) + visit_length(visit, now)
    planned_finish = started_at + planned_total
    return Pacing(
        elapsed=elapsed,
        planned_elapsed=planned_elapsed,
        behind=behind,
        planned_finish=planned_finish,
        projected_finish=planned_finish + behind,
        spent_by_section=spent,
    )
