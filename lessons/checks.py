"""Rules that span records and files: the lesson map, slide numbers, activities and minutes."""

from dataclasses import replace

from django.utils.translation import gettext

from lessons.errors import LessonProblem
from lessons.forms import form_kind
from lessons.minutes import LessonMinutes, RowMinutes, opening_minutes, phases_gap, rows_gaps
from lessons.objectives import check_objective_references
from lessons.schema import Located

LESSON_FILE = "lesson.yaml"


def slide_bounds(slides: int | str) -> tuple[int, int]:
    if isinstance(slides, int):
        return slides, slides
    first, last = slides.split("-")
    return int(first), int(last)


def check_lesson(
    lesson: Located, sections: list[Located | None], problems: list[LessonProblem]
) -> None:
    rows = lesson["lesson_map"]
    check_minutes(lesson, problems)
    check_lesson_map(rows, problems)
    activity_files: dict[str, str] = {}
    slide_files: dict[int, str] = {}
    for index, (row, section) in enumerate(zip(rows, sections, strict=True)):
        if section is None:
            continue
        check_section(
            row, index, section, problems, slide_files=slide_files, activity_files=activity_files
        )
    check_objective_references(lesson, [row["file"] for row in rows], sections, problems)


def lesson_minutes(lesson: Located) -> LessonMinutes:
    minutes = lesson["minutes"]
    return LessonMinutes(
        total=minutes["total"],
        presentation=minutes["presentation"],
        interaction=minutes["interaction"],
        opening=opening_minutes(lesson.get("opening")),
    )


def check_minutes(lesson: Located, problems: list[LessonProblem]) -> None:
    plan = lesson_minutes(lesson)
    parts = plan.parts_gap()
    if parts:
        problems.append(
            LessonProblem(
                LESSON_FILE,
                lesson.lines["minutes"],
                "minutes.total",
                gettext(
                    "is %(total)s, but presentation %(presentation)s + interaction "
                    "%(interaction)s = %(sum)s"
                )
                % {
                    "total": plan.total,
                    "presentation": plan.presentation,
                    "interaction": plan.interaction,
                    "sum": parts.counted,
                },
            )
        )
    rows = [
        RowMinutes(row["minutes"]["presentation"], row["minutes"]["interaction"], activities=0)
        for row in lesson["lesson_map"]
    ]
    for part, found in rows_gaps(plan, rows).items():
        problems.append(
            LessonProblem(
                LESSON_FILE,
                lesson.lines["lesson_map"],
                f"lesson_map.minutes.{part}",
                rows_add_up_to(part) % {"planned": found.counted, "minutes": found.planned},
            )
        )


def rows_add_up_to(part: str) -> str:
    if part == "presentation":
        return gettext(
            "the rows add up to %(planned)s minutes of presentation, "
            "but minutes.presentation is %(minutes)s"
        )
    return gettext(
        "the rows add up to %(planned)s minutes of interaction, "
        "but minutes.interaction is %(minutes)s"
    )


def check_lesson_map(rows: list[Located], problems: list[LessonProblem]) -> None:
    files: set[str] = set()
    previous_last = None
    for index, row in enumerate(rows):
        path = f"lesson_map[{index + 1}]"
        first, last = slide_bounds(row["slides"])
        if previous_last is not None and first <= previous_last:
            problems.append(
                LessonProblem(
                    LESSON_FILE,
                    row.lines["slides"],
                    f"{path}.slides",
                    gettext(
                        "slides %(slides)s overlap the previous row, which ends at slide %(last)s"
                    )
                    % {"slides": row["slides"], "last": previous_last},
                )
            )
        elif previous_last is not None and first > previous_last + 1:
            missing = (
                f"{previous_last + 1}"
                if first == previous_last + 2
                else f"{previous_last + 1}-{first - 1}"
            )
            problems.append(
                LessonProblem(
                    LESSON_FILE,
                    row.lines["slides"],
                    f"{path}.slides",
                    gettext("leaves a gap: slide(s) %(missing)s belong to no row")
                    % {"missing": missing},
                )
            )
        previous_last = last
        if row["file"] in files:
            problems.append(
                LessonProblem(
                    LESSON_FILE,
                    row.lines["file"],
                    f"{path}.file",
                    gettext("%(file)s is named by two rows") % {"file": row["file"]},
                )
            )
        files.add(row["file"])


def defined_once(
    files_by_key: dict,
    key,
    where: LessonProblem,
    message: str,
    values: dict,
    problems: list[LessonProblem],
) -> None:
    """Note the file that defines `key` first; a second definition is a problem at `where`,
    whose message names the first file as `%(file)s`."""
    if key in files_by_key:
        text = message % {**values, "file": files_by_key[key]}
        problems.append(replace(where, message=text))
    files_by_key.setdefault(key, where.file)


def check_section(
    row: Located,
    index: int,
    section: Located,
    problems: list[LessonProblem],
    *,
    slide_files: dict[int, str],
    activity_files: dict[str, str],
) -> None:
    file = row["file"]
    first, last = slide_bounds(row["slides"])
    activities = {
        activity["code"]: activity for activity in section.get("activities") or [] if activity
    }
    for position, activity in enumerate(section.get("activities") or []):
        path = f"activities[{position + 1}]"
        line = section["activities"].lines[position]
        code = activity["code"]
        defined_once(
            activity_files,
            code,
            LessonProblem(file, line, f"{path}.code", ""),
            gettext("activity %(code)s is already defined in %(file)s"),
            {"code": code},
            problems,
        )
        check_activity(file, path, activity, problems)

    opened: dict[str, int] = {}
    numbers: list[int] = []
    for position, slide in enumerate(section["slides"]):
        path = f"slides[{position + 1}]"
        number = slide["number"]
        line = slide.lines["number"]
        defined_once(
            slide_files,
            number,
            LessonProblem(file, line, f"{path}.number", ""),
            gettext("slide %(number)s is defined twice (also in %(file)s)"),
            {"number": number},
            problems,
        )
        if not first <= number <= last:
            problems.append(
                LessonProblem(
                    file,
                    line,
                    f"{path}.number",
                    gettext(
                        "slide %(number)s is outside its lesson-map row '%(title)s' "
                        "(slides %(slides)s)"
                    )
                    % {"number": number, "title": row["title"], "slides": row["slides"]},
                )
            )
        if numbers and number <= numbers[-1]:
            problems.append(
                LessonProblem(
                    file,
                    line,
                    f"{path}.number",
                    gettext("slide %(number)s comes after slide %(previous)s")
                    % {"number": number, "previous": numbers[-1]},
                )
            )
        numbers.append(number)
        code = slide.get("activity")
        if code is None:
            continue
        if code not in activities:
            problems.append(
                LessonProblem(
                    file,
                    slide.lines["activity"],
                    f"{path}.activity",
                    gettext(
                        "activity %(code)r is not defined in this file (defined here: %(here)s)"
                    )
                    % {"code": code, "here": ", ".join(activities) or gettext("none")},
                )
            )
        elif code in opened:
            problems.append(
                LessonProblem(
                    file,
                    slide.lines["activity"],
                    f"{path}.activity",
                    gettext("activity %(code)s is already opened on slide %(number)s")
                    % {"code": code, "number": opened[code]},
                )
            )
        opened.setdefault(code, number)

    missing = sorted(set(range(first, last + 1)) - set(numbers))
    if missing:
        problems.append(
            LessonProblem(
                LESSON_FILE,
                row.lines["slides"],
                f"lesson_map[{index + 1}].slides",
                gettext("slide(s) %(missing)s of this row are not in %(file)s")
                % {"missing": ", ".join(map(str, missing)), "file": file},
            )
        )
    for position, activity in enumerate(section.get("activities") or []):
        if activity["code"] not in opened:
            problems.append(
                LessonProblem(
                    file,
                    section["activities"].lines[position],
                    f"activities[{position + 1}].code",
                    gettext("activity %(code)s is not opened on any slide")
                    % {"code": activity["code"]},
                )
            )
    row_minutes = RowMinutes(
        row["minutes"]["presentation"],
        row["minutes"]["interaction"],
        activities=sum(activity["minutes"] for activity in activities.values()),
    )
    if found := row_minutes.activities_gap():
        problems.append(
            LessonProblem(
                LESSON_FILE,
                row.lines["minutes"],
                f"lesson_map[{index + 1}].minutes.interaction",
                gettext("is %(planned)s, but the activities in %(file)s take %(minutes)s minutes")
                % {
                    "planned": found.planned,
                    "file": file,
                    "minutes": found.counted,
                },
            )
        )


def check_activity(file: str, path: str, activity: Located, problems: list[LessonProblem]) -> None:
    if found := phases_gap(activity["minutes"], [phase["minutes"] for phase in activity["phases"]]):
        problems.append(
            LessonProblem(
                file,
                activity.lines["phases"],
                f"{path}.phases",
                gettext(
                    "the phases add up to %(phases)s minutes, "
                    "but the activity's minutes are %(minutes)s"
                )
                % {"phases": found.counted, "minutes": found.planned},
            )
        )
    slots = {assignment["label"] for assignment in activity["grouping"].get("assignments", [])}
    slots |= form_kind(activity["response_form"]).slots()
    for position, point in enumerate(activity.get("key_points") or []):
        slot = point.get("slot")
        if slot is not None and slot not in slots:
            problems.append(
                LessonProblem(
                    file,
                    point.lines["slot"],
                    f"{path}.key_points[{position + 1}].slot",
                    gettext(
                        "%(slot)r names no assignment, field or table row of this activity "
                        "(%(slots)s)"
                    )
                    % {"slot": slot, "slots": ", ".join(sorted(slots)) or gettext("it has none")},
                )
            )
