"""Debrief: which of an activity's key points the groups' answers already cover.

The app suggests, the instructor decides. Each answer is scored against the activity's key
points once, when it is stored (`answer_matches`, before the write transaction; the rows are
written with the answer); the console only reads the best stored answer per point, so its cost
does not grow with the number of answers.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from activities.fast_path.caches import kept_for_revision
from activities.matching import SUGGEST_AT, PointSource, matches
from activities.models import (
    ActivityRun,
    Delivery,
    KeyPointCoverage,
    KeyPointMatch,
    Submission,
)
from lessons.models import KeyPoint

MARKUP = re.compile(r"[*_`#>]")


@dataclass(frozen=True)
class PointDebrief:
    key_point: KeyPoint
    label: str
    score: int
    matched_text: str
    status: str  # a KeyPointCoverage.Status, or "" while undecided

    @property
    def suggested(self) -> bool:
        return self.score >= SUGGEST_AT

    @property
    def is_covered(self) -> bool:
        return self.status == KeyPointCoverage.Status.COVERED

    @property
    def is_reinforced(self) -> bool:
        return self.status == KeyPointCoverage.Status.REINFORCED

    @property
    def needs_reinforcing(self) -> bool:
        """Still to be said: neither found by the groups nor already reinforced."""
        return not self.status


def point_text(point: KeyPoint) -> str:
    """The point's whole text without its Markdown, on one line."""
    return " ".join(MARKUP.sub("", point.text).split())


def point_label(point: KeyPoint) -> str:
    """The point's name: its bold heading (without its number) when it has one, else its
    whole text. Never cut: the instructor reads it out."""
    bold = re.search(r"\*\*(.+?)\*\*", point.text)
    if not bold:
        return point_text(point)
    return re.sub(r"^\d+\.\s*", "", " ".join(MARKUP.sub("", bold[1]).split())).strip()


def sources(activity_id: int) -> tuple[PointSource, ...]:
    rows = KeyPoint.objects.filter(activity_id=activity_id).order_by("position", "pk")
    return tuple(
        (pk, text, tuple(keywords or ()))
        for pk, text, keywords in rows.values_list("pk", "text", "keywords")
    )


def answer_matches(run: ActivityRun, text: str, *, delivery: Delivery) -> list[KeyPointMatch]:
    """The key points `text` may make, scored: unsaved rows for `matches_store`. Called before
    the answer's write transaction, so no matching happens while the database is locked."""
    # Every answer of a burst scores against the same key points: read once per revision, they
    # took a tenth off an answer's CPU (bench/request_cost.py answer).
    points = kept_for_revision(
        delivery, f"key-point-sources:{run.activity_id}", lambda: sources(run.activity_id)
    )
    return [
        KeyPointMatch(run=run, key_point_id=pk, score=score)
        for pk, score in matches(text, points, KeyPointMatch.STORED_FROM)
    ]


def matches_store(submission: Submission, found: list[KeyPointMatch], *, replace: bool) -> None:
    """Inside the answer's write transaction: the scores of its new text."""
    if replace:
        KeyPointMatch.objects.filter(submission=submission).delete()
    for match in found:
        match.submission = submission
    if found:
        KeyPointMatch.objects.bulk_create(found)


def best_answers(run: ActivityRun):
    """The run's key points, each with its best-scored visible answer: one query, whose cost is
    an index read per point however many answers there are."""
    best = KeyPointMatch.objects.filter(
        run=run, key_point=OuterRef("pk"), submission__hidden=False
    ).order_by("-score", "submission_id")
    return run.activity.key_points.annotate(
        best_score=Subquery(best.values("score")[:1]),
        best_text=Subquery(best.values("submission__text")[:1]),
    )


@dataclass(frozen=True)
class Debrief:
    """An activity's key points as the console shows them; iterates over its points."""

    points: list[PointDebrief]

    def __iter__(self) -> Iterator[PointDebrief]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def to_reinforce(self) -> list[PointDebrief]:
        return [point for point in self.points if point.needs_reinforcing]


def debrief(run: ActivityRun) -> Debrief:
    decided = dict(run.coverage.values_list("key_point_id", "status"))
    return Debrief(
        [
            PointDebrief(
                point,
                point_label(point),
                point.best_score or 0,
                point.best_text or "",
                decided.get(point.pk, ""),
            )
            for point in best_answers(run)
        ]
    )


def coverage_decide(*, run: ActivityRun, key_point_id: int, status: str) -> None:
    """Record the instructor's call on a key point; `status` "" takes the call back."""
    point = best_answers(run).get(pk=key_point_id)
    with transaction.atomic():
        if not status:
            KeyPointCoverage.objects.filter(run=run, key_point=point).delete()
            return
        if status not in KeyPointCoverage.Status.values:
            raise ValueError(status)
        KeyPointCoverage.objects.update_or_create(
            run=run,
            key_point=point,
            defaults={
                "status": status,
                "suggested_score": point.best_score or 0,
                "decided_at": timezone.now(),
            },
        )
