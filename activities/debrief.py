"""Debrief: which of an activity's key points the groups' answers already cover.

The app suggests, the instructor decides. A key point is matched by its keywords when the
content gives them, otherwise by its label: its bold heading, or its first words.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz

from activities.models import ActivityRun, KeyPointCoverage, Submission
from lessons.models import KeyPoint

SUGGEST_AT = 70
LABEL_WORDS = 12


@dataclass(frozen=True)
class PointDebrief:
    key_point: KeyPoint
    label: str
    score: int
    matched_text: str
    status: str  # "covered", "reinforced" or "" while undecided

    @property
    def suggested(self) -> bool:
        return self.score >= SUGGEST_AT

    @property
    def needs_reinforcing(self) -> bool:
        return self.status != KeyPointCoverage.Status.COVERED


def point_label(point: KeyPoint) -> str:
    bold = re.search(r"\*\*(.+?)\*\*", point.text)
    text = bold[1] if bold else point.text
    text = re.sub(r"^\d+\.\s*", "", re.sub(r"[*_`#>]", "", text)).strip()
    words = text.split()
    return " ".join(words[:LABEL_WORDS]) + ("…" if len(words) > LABEL_WORDS else "")


MIN_WORDS_AGAINST_TEXT = 3


def match(point: KeyPoint, label: str, answers: list[str]) -> tuple[int, str]:
    """The best score of any answer against the point, and that answer.

    An answer is matched against the point's keywords (or, without keywords, its label); and an
    answer of a few words or more also against the point's whole text, since key points are
    often paragraphs whose wording a group echoes from the middle.
    """
    best, best_text = 0, ""
    text = re.sub(r"[*_`#>]", "", point.text).lower()
    for answer in answers:
        lowered = answer.lower()
        # A word or two says too little to judge a point by its label or its text.
        substantial = len(lowered.split()) >= MIN_WORDS_AGAINST_TEXT
        scores = [fuzz.partial_ratio(keyword.lower(), lowered) for keyword in point.keywords]
        if substantial:
            scores.append(fuzz.token_set_ratio(label.lower().rstrip("…"), lowered))
            scores.append(fuzz.partial_ratio(lowered, text))
        score = round(max(scores, default=0))
        if score > best:
            best, best_text = score, answer
    return best, best_text


def debrief(run: ActivityRun) -> list[PointDebrief]:
    answers = list(Submission.objects.filter(run=run, hidden=False).values_list("text", flat=True))
    decided = dict(run.coverage.values_list("key_point_id", "status"))
    points = []
    for point in run.activity.key_points.all():
        label = point_label(point)
        score, text = match(point, label, answers)
        points.append(PointDebrief(point, label, score, text, decided.get(point.pk, "")))
    return points


def coverage_decide(*, run: ActivityRun, key_point_id: int, status: str) -> None:
    """Record the instructor's call on a key point; `status` "" takes the call back."""
    point = run.activity.key_points.get(pk=key_point_id)
    with transaction.atomic():
        if not status:
            KeyPointCoverage.objects.filter(run=run, key_point=point).delete()
            return
        if status not in KeyPointCoverage.Status.values:
            raise ValueError(status)
        score, _ = match(
            point,
            point_label(point),
            list(Submission.objects.filter(run=run, hidden=False).values_list("text", flat=True)),
        )
        KeyPointCoverage.objects.update_or_create(
            run=run,
            key_point=point,
            defaults={"status": status, "suggested_score": score, "decided_at": timezone.now()},
        )
