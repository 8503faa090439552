"""The lesson's learning objectives as references: every id an activity or a key point cites
must be one the lesson lists (a problem), and every objective should be served by some activity
(a warning: the lesson is still valid, but nothing in it would show the objective reached)."""

import difflib

from django.utils.translation import gettext

from lessons.errors import LessonProblem
from lessons.schema import Located

LESSON_FILE = "lesson.yaml"


def objective_ids(lesson: Located) -> list[str]:
    items = (lesson.get("learning_objectives") or {}).get("items") or []
    return [item["id"] for item in items if item and "id" in item]


def unknown_objective(code: str, known: list[str]) -> str:
    nearest = difflib.get_close_matches(code, known, n=1, cutoff=0.5)
    names = {"code": code, "known": ", ".join(known)}
    if nearest:
        return gettext(
            "%(code)r is not an objective of this lesson; did you mean %(nearest)r? "
            "(objectives: %(known)s)"
        ) % (names | {"nearest": nearest[0]})
    return gettext("%(code)r is not an objective of this lesson (objectives: %(known)s)") % names


def check_objective_references(
    lesson: Located, files: list[str], sections: list[Located | None], problems: list[LessonProblem]
) -> None:
    """A problem for every cited id that `learning_objectives.items` does not list."""
    known = objective_ids(lesson)
    for file, section in zip(files, sections, strict=True):
        for index, activity in enumerate((section or {}).get("activities") or []):
            if not activity:
                continue
            path = f"activities[{index + 1}]"
            cite(file, path, activity, known, problems)
            for position, point in enumerate(activity.get("key_points") or []):
                if point:
                    cite(file, f"{path}.key_points[{position + 1}]", point, known, problems)


def cite(
    file: str, path: str, record: Located, known: list[str], problems: list[LessonProblem]
) -> None:
    codes = record.get("objectives") or []
    for index, code in enumerate(codes):
        if code is not None and code not in known:
            problems.append(
                LessonProblem(
                    file,
                    codes.lines[index],
                    f"{path}.objectives[{index + 1}]",
                    unknown_objective(code, known),
                )
            )


def unserved_objectives(lesson: dict, sections: list[dict]) -> list[LessonProblem]:
    """A warning for every objective no activity names (directly or through a key point)."""
    served: set[str] = set()
    for section in sections:
        for activity in section.get("activities") or []:
            served.update(activity.get("objectives") or [])
            for point in activity.get("key_points") or []:
                served.update(point.get("objectives") or [])
    items = lesson["learning_objectives"]["items"]
    lines = getattr(items, "lines", [0] * len(items))
    return [
        LessonProblem(
            LESSON_FILE,
            lines[index],
            f"learning_objectives.items[{index + 1}]",
            gettext("no activity serves objective %(code)r") % {"code": item["id"]},
        )
        for index, item in enumerate(items)
        if item["id"] not in served
    ]
