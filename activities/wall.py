"""The live wall: each group's answer to an activity, in the shape of the activity's form."""

from dataclasses import dataclass

from activities.models import ActivityRun, Group, Submission
from lessons.models import list_point_column


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


def piece_label(form: dict, key: str) -> str:
    kind, _, rest = key.partition(":")
    if kind == "cell":
        row, column = (int(part) for part in rest.split(":"))
        return f"{form['rows'][row]['label']} · {form['columns'][column]}"
    if kind == "field":
        return next((f["label"] for f in form["fields"] if f["key"] == rest), rest)
    column = list_point_column(form, key)
    return form["columns"][column] if column is not None else ""


def form_order(form: dict, key: str) -> tuple:
    kind, _, rest = key.partition(":")
    if kind == "cell":
        return tuple(int(part) for part in rest.split(":"))
    if kind == "field":
        keys = [f["key"] for f in form["fields"]]
        return (keys.index(rest) if rest in keys else len(keys),)
    column = list_point_column(form, key)
    return (column,) if column is not None else ()


def wall(run: ActivityRun, *, include_hidden: bool) -> list[GroupAnswer]:
    """Every group of the delivery, those with nothing yet included, so the instructor sees them."""
    form = run.activity.response_form
    submissions = Submission.objects.filter(run=run).select_related("group")
    if not include_hidden:
        submissions = submissions.filter(hidden=False)
    by_group: dict[int, list[Submission]] = {}
    for submission in submissions:
        by_group.setdefault(submission.group_id, []).append(submission)
    answers = []
    for group in run.delivery.groups.order_by("number"):
        pieces = sorted(
            by_group.get(group.pk, []),
            key=lambda s: (form_order(form, s.key), s.position, s.pk),
        )
        answers.append(GroupAnswer(group, [WallPiece(s, piece_label(form, s.key)) for s in pieces]))
    return answers


def spotlighted(run: ActivityRun) -> WallPiece | None:
    submission = (
        Submission.objects.filter(run=run, spotlighted=True, hidden=False)
        .select_related("group")
        .first()
    )
    if submission is None:
        return None
    return WallPiece(submission, piece_label(run.activity.response_form, submission.key))
