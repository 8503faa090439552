"""Pacing against the lesson plan: where the class should be by now, and when it will finish.

Each slide gets a planned share of time: its lesson-map row's presentation minutes spread evenly
over the row's slides, plus the minutes of the activity it opens. The opening (the interactive
start, the video, the introductory slides) happens before the lesson map's first row while the
first slide is up, so its minutes are planned on the first slide too. The plan at this point is
the planned time of every slide before the current one, plus the time spent on the current one up
to its own share.

Time spent is counted per lesson-map row; the lesson's first visit, on the first slide, counts
for the opening (under `OPENING_POSITION`) up to the opening's minutes, the rest for its row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lessons.minutes import OPENING_POSITION


@dataclass(frozen=True)
class SlidePlan:
    number: int
    section_position: int
    planned: timedelta
    opening: timedelta = timedelta()  # the part of `planned` that is the opening


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
    in_opening: bool = False

    @property
    def opening_spent(self) -> timedelta:
        return self.spent_by_section.get(OPENING_POSITION, timedelta())

    @property
    def behind_minutes(self) -> int:
        """Whole minutes behind the plan (negative when ahead), rounded towards zero."""
        return int(self.behind.total_seconds() / 60)


def plan_slides(
    rows: Iterable[RowPlan], activity_minutes: dict[int, int], *, opening_minutes: int = 0
) -> list[SlidePlan]:
    plan = []
    opening = timedelta(minutes=opening_minutes)
    for row in rows:
        numbers = range(row.first_slide, row.last_slide + 1)
        row_minutes = timedelta(minutes=row.presentation_minutes)
        for index, number in enumerate(numbers):
            # Cut at running totals, so the shares add up to the row's minutes to the
            # microsecond (8 min / 9 slides does not) and the planned finish stays on the minute.
            share = row_minutes * (index + 1) / len(numbers) - row_minutes * index / len(numbers)
            extra = timedelta(minutes=activity_minutes.get(number, 0))
            first = not plan
            plan.append(
                SlidePlan(
                    number,
                    row.position,
                    share + extra + (opening if first else timedelta()),
                    opening if first else timedelta(),
                )
            )
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
    opening = opening_share(plan, visits)
    spent: dict[int, timedelta] = {}
    for index, visit in enumerate(visits):
        length = visit_length(visit, now)
        if index == 0 and opening:
            spent[OPENING_POSITION] = min(length, opening)
            length -= spent[OPENING_POSITION]
            if not length:
                continue  # the first row starts once the opening's time is used up
        position = section_of.get(visit.slide_number)
        if position is not None:
            spent[position] = spent.get(position, timedelta()) + length
    planned_finish = started_at + planned_total
    length_of_first = visit_length(visits[0], now) if visits else timedelta()
    return Pacing(
        elapsed=elapsed,
        planned_elapsed=planned_elapsed,
        behind=behind,
        planned_finish=planned_finish,
        projected_finish=planned_finish + behind,
        spent_by_section=spent,
        in_opening=bool(opening) and visits[0].left_at is None and length_of_first < opening,
    )


def opening_share(plan: list[SlidePlan], visits: list[Visit]) -> timedelta:
    """The opening's planned time, when the lesson began on the slide that carries it."""
    if not plan or not visits or visits[0].slide_number != plan[0].number:
        return timedelta()
    return plan[0].opening
