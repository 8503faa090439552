"""The minutes rules of a lesson, in one place: `checklesson` (lessons/checks.py) reports them as
problems in the YAML, the editor (lessons/editing.py) as running warnings on a draft. Each says
it in its own words and links to its own place; what adds up to what is decided only here.
"""

from dataclasses import dataclass
from enum import StrEnum

# Lesson-map rows are numbered from 1; the opening, before them, is row 0 where rows are counted.
OPENING_POSITION = 0


class Part(StrEnum):
    PRESENTATION = "presentation"
    INTERACTION = "interaction"


@dataclass(frozen=True)
class Gap:
    """Two figures that should be equal and are not: what is planned and what is counted."""

    planned: int
    counted: int


@dataclass(frozen=True)
class LessonMinutes:
    total: int
    presentation: int
    interaction: int
    # The opening (the interactive start and the introductory slides 1-4) is presented before
    # the lesson map's first row: its minutes count as presentation.
    opening: int = 0

    def parts_gap(self) -> Gap | None:
        """Presentation + interaction against the total."""
        return gap(self.total, self.presentation + self.interaction)

    def planned(self, part: Part) -> int:
        return self.presentation if part == Part.PRESENTATION else self.interaction


@dataclass(frozen=True)
class RowMinutes:
    """One row of the lesson map: what it plans, and what its activities take."""

    presentation: int
    interaction: int
    activities: int

    def minutes(self, part: Part) -> int:
        return self.presentation if part == Part.PRESENTATION else self.interaction

    def activities_gap(self) -> Gap | None:
        return gap(self.interaction, self.activities)


def gap(planned: int, counted: int) -> Gap | None:
    return None if planned == counted else Gap(planned, counted)


def rows_total(lesson: LessonMinutes, rows: list[RowMinutes], part: Part) -> int:
    """What the rows count for `part`, the opening included in the presentation."""
    counted = sum(row.minutes(part) for row in rows)
    return counted + (lesson.opening if part == Part.PRESENTATION else 0)


def rows_gaps(lesson: LessonMinutes, rows: list[RowMinutes]) -> dict[Part, Gap]:
    """For each part whose rows do not add up to the lesson's plan: the plan and the rows' sum."""
    gaps = {part: gap(lesson.planned(part), rows_total(lesson, rows, part)) for part in Part}
    return {part: found for part, found in gaps.items() if found}


def phases_gap(activity_minutes: int, phase_minutes: list[int]) -> Gap | None:
    """An activity's minutes against the sum of its phases."""
    return gap(activity_minutes, sum(phase_minutes))


def opening_minutes(opening: dict | None) -> int:
    return (opening or {}).get("minutes", 0)
