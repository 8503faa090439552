"""The live wall: each group's answer to an activity, in the shape of the activity's form.

How a piece is labelled and ordered is its form kind's (lessons/forms/); the report and the
exports show the same labels.
"""

from dataclasses import dataclass

from activities.models import ActivityRun, Group, Submission


@dataclass(frozen=True)
class WallPiece:
    submission: Submission
    label: str


@dataclass(frozen=True)
class GroupAnswer:
    group: Group
    pieces: list[WallPiece]

    @property
    def is_empty(self) -> bool:
        return not self.pieces


def wall(run: ActivityRun, *, include_hidden: bool) -> list[GroupAnswer]:
    """Every group of the delivery, those with nothing yet included, so the instructor sees them."""
    form = run.activity.form_kind
    # Sorted below, per group: no ORDER BY, whose default (the group's number) costs a join.
    submissions = Submission.objects.filter(run=run).order_by()
    if not include_hidden:
        submissions = submissions.filter(hidden=False)
    by_group: dict[int, list[Submission]] = {}
    for submission in submissions:
        by_group.setdefault(submission.group_id, []).append(submission)
    answers = []
    for group in run.delivery.groups.order_by("number"):
        pieces = sorted(
            by_group.get(group.pk, []),
            key=lambda s: (form.piece_order(s.key), s.position, s.pk),
        )
        for submission in pieces:
            submission.group = group  # the one row, not a join's copy for each of its answers
        answers.append(GroupAnswer(group, [WallPiece(s, form.piece_label(s.key)) for s in pieces]))
    return answers


def spotlighted(run: ActivityRun) -> WallPiece | None:
    submission = (
        Submission.objects.filter(run=run, spotlighted=True, hidden=False)
        .select_related("group")
        .first()
    )
    if submission is None:
        return None
    return WallPiece(submission, run.activity.form_kind.piece_label(submission.key))
