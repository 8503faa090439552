"""Evidence of the lesson's learning objectives in one delivery.

An objective is evidenced by its key points: a point counts when the groups' answers make it
(the debrief's stored match reaches the suggestion score and the instructor did not overrule
it) or when the instructor confirmed the groups found it. A point the instructor reinforced does
not count: the class heard it, it did not produce it. `verdict()` is the rule, `VERDICT_RULE`
says it in words beside every verdict.
"""

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from activities.matching import SUGGEST_AT
from activities.models import ActivityRun, Delivery, KeyPointCoverage, KeyPointMatch
from lessons.models import Activity, KeyPoint

# At least this share of an objective's key points found makes it evidenced.
EVIDENCED_FROM = 2 / 3


class Verdict(StrEnum):
    EVIDENCED = "evidenced"
    PARTLY = "partly"
    NOT_EVIDENCED = "not_evidenced"

    @property
    def label(self) -> str:
        return str(VERDICT_LABELS[self])


VERDICT_LABELS = {
    Verdict.EVIDENCED: _("evidenced"),
    Verdict.PARTLY: _("partly evidenced"),
    Verdict.NOT_EVIDENCED: _("not evidenced"),
}
VERDICT_RULE = _(
    "Evidenced: at least two thirds of its key points were found in the groups' answers or "
    "confirmed by the instructor. Partly: at least one, fewer than two thirds. Not evidenced: "
    "none, or none of its activities was run. Points the instructor reinforced do not count."
)


def verdict(*, found: int, total: int, activities_run: int) -> Verdict:
    """The rule of VERDICT_RULE: `found` of the `total` key points of the objective's activities
    that were run."""
    if activities_run == 0 or total == 0 or found == 0:
        return Verdict.NOT_EVIDENCED
    if found / total >= EVIDENCED_FROM:
        return Verdict.EVIDENCED
    return Verdict.PARTLY


@dataclass(frozen=True)
class Quote:
    group: str
    text: str
    point: str


@dataclass(frozen=True)
class ObjectiveEvidence:
    code: str
    text: str
    activities: list[str]  # the headings of every activity serving it
    activities_run: list[str]
    points_total: int  # key points of the activities that were run
    points_found: int
    points_reinforced: int
    planned_minutes: int  # of the activities that were run
    actual_minutes: float
    quotes: list[Quote]
    # Key points the instructor marked as found that no group's answer shows.
    confirmed: list[str]
    verdict: Verdict

    @property
    def share(self) -> int:
        """Per cent of its key points found; 0 when there was none to find."""
        return round(100 * self.points_found / self.points_total) if self.points_total else 0

    @property
    def verdict_label(self) -> str:
        return self.verdict.label

    @property
    def minutes_over(self) -> float:
        return round(self.actual_minutes - self.planned_minutes, 1)


def serves(activity: Activity, point: KeyPoint | None, code: str) -> bool:
    if point is not None:
        return code in point.served_objective_codes
    return code in activity.objective_codes or any(
        code in p.objective_codes for p in activity.key_points.all()
    )


def point_found(status: str, best_score: int) -> bool:
    if status == KeyPointCoverage.Status.COVERED:
        return True
    return status == "" and best_score >= SUGGEST_AT


def best_quotes(runs: list[ActivityRun]) -> dict[int, list[tuple[int, int, str, str]]]:
    """Per key point, each group's best visible answer: (score, group number, group, text)."""
    rows = (
        KeyPointMatch.objects.filter(run__in=runs, submission__hidden=False)
        .select_related("submission__group")
        .order_by("-score", "submission_id")
    )
    best: dict[int, dict[int, tuple[int, int, str, str]]] = defaultdict(dict)
    for match in rows:
        group = match.submission.group
        best[match.key_point_id].setdefault(
            group.number, (match.score, group.number, group.name, match.submission.text)
        )
    return {point: sorted(groups.values(), key=lambda q: q[1]) for point, groups in best.items()}


def objectives_evidence(
    delivery: Delivery, runs: list[ActivityRun], run_minutes: dict[int, float]
) -> list[ObjectiveEvidence]:
    """Per objective of the delivery's lesson, what the class produced for it. `run_minutes`
    is the running time of each run (by run id), as the report measured it."""
    lesson = delivery.lesson
    activities = list(
        lesson.activities.select_related("section")
        .prefetch_related("key_points")
        .order_by("section__position", "position")
    )
    run_of = {run.activity_id: run for run in runs}
    decided = dict(
        KeyPointCoverage.objects.filter(run__in=runs).values_list("key_point_id", "status")
    )
    quotes = best_quotes(runs)
    evidence = []
    for objective in lesson.objectives.all():
        code = objective.code
        serving = [a for a in activities if serves(a, None, code)]
        ran = [a for a in serving if a.pk in run_of]
        points = [p for a in ran for p in a.key_points.all() if serves(a, p, code)]
        found, reinforced, cited, confirmed = [], 0, [], []
        for point in points:
            status = decided.get(point.pk, "")
            answers = quotes.get(point.pk, [])
            best = max((q[0] for q in answers), default=0)
            if status == KeyPointCoverage.Status.REINFORCED:
                reinforced += 1
            if point_found(status, best):
                found.append(point)
                strong = [q for q in answers if q[0] >= SUGGEST_AT] or answers[:1]
                cited.extend(Quote(q[2], q[3], short(point.text)) for q in strong)
                if not strong:
                    confirmed.append(short(point.text))
        evidence.append(
            ObjectiveEvidence(
                code=code,
                text=objective.text,
                activities=[a.heading for a in serving],
                activities_run=[a.heading for a in ran],
                points_total=len(points),
                points_found=len(found),
                points_reinforced=reinforced,
                planned_minutes=sum(a.minutes for a in ran),
                actual_minutes=round(sum(run_minutes.get(run_of[a.pk].pk, 0) for a in ran), 1),
                quotes=cited,
                confirmed=confirmed,
                verdict=verdict(found=len(found), total=len(points), activities_run=len(ran)),
            )
        )
    return evidence


def short(text: str, limit: int = 90) -> str:
    line = " ".join(text.replace("*", "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
