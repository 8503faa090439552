"""The after-action record of a delivery: plan against what happened, and what groups produced."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.debrief import point_text
from activities.models import ActivityRun, Delivery, EventKind, KeyPointCoverage
from activities.objectives import VERDICT_RULE, ObjectiveEvidence, Verdict, objectives_evidence
from activities.wall import GroupAnswer, wall
from lessons.models import Activity

CHART_WIDTH = 480
# An activity's timer stops counting at these, whichever activity they name.
STOPS_EVERY_TIMER = (EventKind.ENDED, EventKind.ACTIVITY_OPENED, EventKind.ACTIVITY_CLOSED)


def minutes(span: timedelta) -> float:
    return round(span.total_seconds() / 60, 1)


class Overrun:
    """For a report line with `planned` and `actual` minutes: how many more were spent than
    planned (negative: fewer), to a tenth."""

    planned: int
    actual: float

    @property
    def overrun(self) -> float:
        return round(self.actual - self.planned, 1)


@dataclass(frozen=True)
class RowReport(Overrun):
    position: int
    title: str
    slides: str
    planned: int
    actual: float
    reached: bool

    @property
    def is_over(self) -> bool:
        return self.reached and self.overrun >= 1

    @property
    def is_under(self) -> bool:
        return self.reached and self.overrun <= -1


@dataclass(frozen=True)
class PhaseReport(Overrun):
    activity: Activity
    name: str
    planned: int
    actual: float


@dataclass(frozen=True)
class ChartBar:
    label: str
    y: int
    planned_width: int
    actual_width: int
    planned: int
    actual: float
    is_over: bool
    reached: bool


@dataclass(frozen=True)
class TimelineEntry:
    slide_number: int
    title: str
    entered_at: datetime
    left_at: datetime | None
    minutes: float


@dataclass(frozen=True)
class PointCoverage:
    label: str
    status: str  # "found", "reinforced" or "missed"

    @property
    def status_label(self) -> str:
        return {
            "found": _("found"),
            "reinforced": _("reinforced"),
            "missed": _("missed"),
        }[self.status]


@dataclass(frozen=True)
class ActivityOutput:
    run: ActivityRun
    groups: list[GroupAnswer]
    coverage: list[PointCoverage]

    @property
    def activity(self) -> Activity:
        return self.run.activity

    @property
    def hidden_count(self) -> int:
        return sum(p.submission.hidden for g in self.groups for p in g.pieces)

    @property
    def spotlighted(self) -> list:
        return [p for g in self.groups for p in g.pieces if p.submission.spotlighted]


@dataclass
class Report:
    delivery: Delivery
    rows: list[RowReport]
    phases: list[PhaseReport]
    timeline: list[TimelineEntry]
    outputs: list[ActivityOutput]
    participant_count: int
    group_count: int
    chart: list[ChartBar] = field(default_factory=list)
    chart_height: int = 0
    objectives: list[ObjectiveEvidence] = field(default_factory=list)
    verdict_rule: str = ""

    @property
    def planned_total(self) -> int:
        return sum(row.planned for row in self.rows)

    @property
    def actual_total(self) -> float:
        return round(sum(row.actual for row in self.rows), 1)


def phase_minutes(delivery: Delivery, run: ActivityRun, now: datetime) -> dict[int, timedelta]:
    """Running time per phase, from the timer events: pauses do not count."""
    spent: dict[int, timedelta] = defaultdict(timedelta)
    running_since: datetime | None = None
    phase = 0
    code = run.activity.code
    for event in delivery.events.order_by("at", "id"):
        mine = event.detail.get("activity") == code
        stops_everything = event.kind in STOPS_EVERY_TIMER
        if running_since and (stops_everything or (mine and event.kind == EventKind.TIMER)):
            spent[phase] += event.at - running_since
            running_since = None
        if mine and event.kind == EventKind.TIMER:
            phase = event.detail.get("phase", phase)
            if event.detail.get("state") == "running":
                running_since = event.at
    if running_since:
        spent[phase] += now - running_since
    return spent


def coverage_for(run: ActivityRun) -> list[PointCoverage]:
    decided = dict(run.coverage.values_list("key_point_id", "status"))
    names = {
        KeyPointCoverage.Status.COVERED: "found",
        KeyPointCoverage.Status.REINFORCED: "reinforced",
    }
    return [
        PointCoverage(point_text(point), names.get(decided.get(point.pk), "missed"))
        for point in run.activity.key_points.all()
    ]


def chart(rows: list[RowReport]) -> tuple[list[ChartBar], int]:
    """Bars for planned and actual minutes per row, scaled to the longest."""
    longest = max([row.planned for row in rows] + [row.actual for row in rows] + [1])
    scale = CHART_WIDTH / longest
    bars = [
        ChartBar(
            label=row.title,
            y=index * 44,
            planned_width=round(row.planned * scale),
            actual_width=round(row.actual * scale),
            planned=row.planned,
            actual=row.actual,
            is_over=row.is_over,
            reached=row.reached,
        )
        for index, row in enumerate(rows)
    ]
    return bars, len(rows) * 44


def build_report(delivery: Delivery, *, now: datetime | None = None) -> Report:
    now = min(now or timezone.now(), delivery.ended_at or now or timezone.now())
    pacing = delivery.pacing(now)
    spent = pacing.spent_by_section if pacing else {}
    sections = list(delivery.lesson.sections.all())
    opening = delivery.lesson.opening_row(sections[0].first_slide) if sections else None
    rows = [
        RowReport(
            position=row.position,
            title=str(row.title),
            slides=row.slides_label,
            planned=row.planned_minutes,
            actual=minutes(spent.get(row.position, timedelta())),
            reached=row.position in spent,
        )
        for row in ([opening] if opening else []) + sections
    ]
    runs = list(
        delivery.runs.select_related("activity")
        .prefetch_related("activity__phases", "activity__key_points")
        .order_by("activity__section__position", "activity__position")
    )
    phases = []
    run_minutes: dict[int, float] = {}
    for run in runs:
        spent_by_phase = phase_minutes(delivery, run, now)
        run_minutes[run.pk] = minutes(sum(spent_by_phase.values(), timedelta()))
        phases.extend(
            PhaseReport(run.activity, phase.name, phase.minutes, minutes(spent_by_phase[index]))
            for index, phase in enumerate(run.activity.phases.all())
        )
    titles = dict(delivery.lesson.slides.values_list("number", "title"))
    timeline = [
        TimelineEntry(
            visit.slide_number,
            titles.get(visit.slide_number, ""),
            visit.entered_at,
            visit.left_at,
            minutes((visit.left_at or now) - visit.entered_at),
        )
        for visit in delivery.visits.order_by("entered_at", "id")
    ]
    outputs = [
        ActivityOutput(run, wall(run, include_hidden=True), coverage_for(run)) for run in runs
    ]
    report = Report(
        delivery=delivery,
        rows=rows,
        phases=phases,
        timeline=timeline,
        outputs=outputs,
        participant_count=delivery.participants.filter(removed=False).count(),
        group_count=delivery.groups.count(),
    )
    report.chart, report.chart_height = chart(rows)
    report.objectives = objectives_evidence(delivery, runs, run_minutes)
    report.verdict_rule = str(VERDICT_RULE)
    return report


@dataclass(frozen=True)
class RowTrend:
    title: str
    planned: int
    overruns: list[float]

    @property
    def average(self) -> float:
        return round(statistics.fmean(self.overruns), 1) if self.overruns else 0.0

    @property
    def spread(self) -> float:
        return round(statistics.pstdev(self.overruns), 1) if len(self.overruns) > 1 else 0.0

    @property
    def low(self) -> float:
        return min(self.overruns, default=0.0)

    @property
    def high(self) -> float:
        return max(self.overruns, default=0.0)


@dataclass(frozen=True)
class ObjectiveTrend:
    """How often one objective went without evidence across deliveries."""

    code: str
    text: str
    not_evidenced: int
    partly: int
    of: int


@dataclass(frozen=True)
class MissedPoint:
    activity: str
    label: str
    missed: int
    of: int


def across_deliveries(
    deliveries: list[Delivery],
) -> tuple[list[RowTrend], list[MissedPoint], list[ObjectiveTrend]]:
    """Per lesson-map row, how far classes ran over; the key points classes miss most; and the
    objectives ranked by how often they were not evidenced."""
    overruns: dict[str, list[float]] = defaultdict(list)
    planned: dict[str, int] = {}
    order: dict[str, int] = {}
    missed: dict[tuple[str, str], list[bool]] = defaultdict(list)
    verdicts: dict[str, list[Verdict]] = defaultdict(list)
    texts: dict[str, str] = {}
    for delivery in deliveries:
        report = build_report(delivery)
        for evidence in report.objectives:
            texts.setdefault(evidence.code, evidence.text)
            verdicts[evidence.code].append(evidence.verdict)
        for row in report.rows:
            order.setdefault(row.title, row.position)
            planned[row.title] = row.planned
            if row.reached:  # a row the class never reached says nothing about its timing
                overruns[row.title].append(row.overrun)
        for output in report.outputs:
            for point in output.coverage:
                key = (f"{output.activity.code} {output.activity.title}", point.label)
                missed[key].append(point.status == "missed")
    trends = [
        RowTrend(title, planned[title], overruns[title]) for title in sorted(order, key=order.get)
    ]
    points = sorted(
        (
            MissedPoint(activity, label, sum(flags), len(flags))
            for (activity, label), flags in missed.items()
        ),
        key=lambda p: (-p.missed, p.activity, p.label),
    )
    objectives = sorted(
        (
            ObjectiveTrend(
                code,
                texts[code],
                found.count(Verdict.NOT_EVIDENCED),
                found.count(Verdict.PARTLY),
                len(found),
            )
            for code, found in verdicts.items()
        ),
        key=lambda o: (-o.not_evidenced, -o.partly, list(texts).index(o.code)),
    )
    return trends, [p for p in points if p.missed], objectives
