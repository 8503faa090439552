"""Reading a lesson folder and turning its files into checked values.

A lesson document is a mapping of relative file name to bytes: `lesson.yaml` and the section
files its lesson map names. Every problem is collected and raised together as `LessonInvalid`.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import gettext

from lessons import checks, safe_yaml
from lessons.checks import LESSON_FILE
from lessons.errors import LessonInvalid, LessonProblem, grouped
from lessons.schema import LESSON, SECTION, Located, Where

LessonFiles = dict[str, bytes]


@dataclass
class ParsedLesson:
    lesson: Located
    sections: list[Located]
    files: list[str]


def read_folder(folder: Path | str) -> LessonFiles:
    """Every .yaml file under `folder`, keyed by its path relative to it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LessonInvalid([LessonProblem(str(folder), 0, "", gettext("is not a folder"))])
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*.y*ml"))
        if path.is_file()
    }


def decode(name: str, data: bytes, problems: list[LessonProblem]) -> str | None:
    limit = settings.LESSON_FILE_MAX_BYTES
    if len(data) > limit:
        message = gettext("is %(size)s bytes; the limit is %(limit)s bytes") % {
            "size": grouped(len(data)),
            "limit": grouped(limit),
        }
        problems.append(LessonProblem(name, 0, "", message))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            LessonProblem(
                name,
                line,
                "",
                gettext("is not UTF-8 (byte %(byte)s); save it as UTF-8")
                % {"byte": f"{data[error.start]:#04x}"},
            )
        )
        return None
    if not text.strip():
        problems.append(LessonProblem(name, 0, "", gettext("is empty")))
        return None
    for number, line_text in enumerate(text.splitlines(), start=1):
        indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(
                LessonProblem(
                    name, number, "", gettext("is indented with a tab; indent with spaces")
                )
            )
            return None
    return text


def compose(
    name: str, text: str, problems: list[LessonProblem], budget: safe_yaml.Budget
) -> yaml.Node | None:
    try:
        composed = safe_yaml.compose(text, budget)
    except safe_yaml.Refused as refused:
        problems.append(LessonProblem(name, refused.line, refused.path, refused.message))
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = error.problem or str(error)
        problems.append(LessonProblem(name, line, "", not_valid_yaml(reason)))
        return None
    except yaml.YAMLError as error:
        problems.append(LessonProblem(name, 0, "", not_valid_yaml(error)))
        return None
    if composed.problems:
        problems.extend(safe_yaml.problems_of(name, composed))
        return None
    if composed.node is None:
        problems.append(LessonProblem(name, 0, "", gettext("is empty")))
    return composed.node


def not_valid_yaml(reason: object) -> str:
    # The reason is PyYAML's, in English.
    return gettext("is not valid YAML: %(reason)s") % {"reason": reason}


def parse_file(
    name: str, data: bytes, spec, problems: list[LessonProblem], budget: safe_yaml.Budget
) -> Located | None:
    text = decode(name, data, problems)
    if text is None:
        return None
    node = compose(name, text, problems, budget)
    if node is None:
        return None
    return spec.check(node, Where(name, problems), "")


def parse(files: LessonFiles) -> ParsedLesson:
    """Check every file and every rule that spans files; raise `LessonInvalid` on any problem."""
    problems: list[LessonProblem] = []
    if LESSON_FILE not in files:
        raise LessonInvalid([LessonProblem(LESSON_FILE, 0, "", gettext("is missing"))])
    budget = safe_yaml.Budget()  # one for all the files: a lesson's cost is their sum
    lesson = parse_file(LESSON_FILE, files[LESSON_FILE], LESSON, problems, budget)
    if lesson is None:
        raise LessonInvalid(problems)
    sections: list[Located] = []
    used = {LESSON_FILE}
    for index, row in enumerate(lesson.get("lesson_map") or []):
        name = (row or {}).get("file")
        if not name:
            sections.append(None)
            continue
        used.add(name)
        if name not in files:
            problems.append(
                LessonProblem(
                    LESSON_FILE,
                    row.lines["file"],
                    f"lesson_map[{index + 1}].file",
                    gettext("names %(file)s, which does not exist") % {"file": name},
                )
            )
            sections.append(None)
            continue
        sections.append(parse_file(name, files[name], SECTION, problems, budget))
    for name in sorted(set(files) - used):
        problems.append(LessonProblem(name, 0, "", gettext("is not named by any lesson_map row")))
    if not problems:
        checks.check_lesson(lesson, sections, problems)
    if problems:
        raise LessonInvalid(problems)
    return ParsedLesson(lesson=lesson, sections=sections, files=sorted(used))


def lesson_map_files(data: bytes) -> list[str]:
    """The section files `lesson.yaml` names, as far as it can be read; `parse()` says what is
    wrong with it otherwise."""
    problems: list[LessonProblem] = []
    text = decode(LESSON_FILE, data, problems)
    node = compose(LESSON_FILE, text, problems, safe_yaml.Budget()) if text else None
    rows = mapping_value(node, "lesson_map")
    if not isinstance(rows, yaml.SequenceNode):
        return []
    named = (mapping_value(row, "file") for row in rows.value)
    return [file.value for file in named if isinstance(file, yaml.ScalarNode)]


def mapping_value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if name.value == key), None)
