"""Every bad input gets a message naming file, line and field, and changes nothing stored."""

import pytest

from lessons.errors import LessonInvalid
from lessons.exporter import dump
from lessons.loader import load
from lessons.models import Activity, KeyPoint, Lesson, Phase, Section, Slide
from tests.lessons.helpers import edited, mini_files

pytestmark = pytest.mark.django_db

INTRO = "sections/01-introduction.yaml"
PRACTICE = "sections/02-practice.yaml"


def replace(name, old, new):
    return lambda files: edited(files, name, old, new)


def set_bytes(name, data):
    return lambda files: {**files, name: data}


CASES = {
    "malformed YAML": (
        replace("lesson.yaml", "title: A small lesson", "title: [A small lesson"),
        "lesson.yaml:4:",
        "is not valid YAML",
    ),
    "tab in indentation": (
        replace("lesson.yaml", "  total: 10", "\ttotal: 10"),
        "lesson.yaml:18:",
        "is indented with a tab; indent with spaces",
    ),
    "unknown key": (
        replace(INTRO, "key_message:", "key_mesage:"),
        f"{INTRO}:4: slides[1].key_mesage:",
        "unknown key 'key_mesage'; did you mean 'key_message'?",
    ),
    "wrong type": (
        replace(PRACTICE, "minutes: 6", "minutes: six"),
        f"{PRACTICE}:18: activities[1].minutes:",
        "expected a whole number, found text",
    ),
    "missing required field": (
        replace(PRACTICE, "    title: Practice\n    activity", "    activity"),
        f"{PRACTICE}:2: slides[1].title:",
        "is required",
    ),
    "duplicate slide number": (
        replace(INTRO, "number: 2", "number: 1"),
        f"{INTRO}:15: slides[2].number:",
        "slide 1 is defined twice",
    ),
    "slide outside its lesson-map row": (
        replace(PRACTICE, "number: 3", "number: 4"),
        f"{PRACTICE}:2: slides[1].number:",
        "slide 4 is outside its lesson-map row 'Learning Activity 1.1: Practice' (slides 3)",
    ),
    "lesson-map rows overlap": (
        replace("lesson.yaml", "    slides: 3\n", "    slides: 2-3\n"),
        "lesson.yaml:32: lesson_map[2].slides:",
        "overlap the previous row, which ends at slide 2",
    ),
    "lesson-map rows leave a gap": (
        lambda files: edited(
            edited(files, "lesson.yaml", "    slides: 3\n", "    slides: 4\n"),
            PRACTICE,
            "number: 3",
            "number: 4",
        ),
        "lesson.yaml:32: lesson_map[2].slides:",
        "leaves a gap: slide(s) 3 belong to no row",
    ),
    "activity referenced but not defined": (
        replace(PRACTICE, "    activity: '1.1'", "    activity: '1.2'"),
        f"{PRACTICE}:4: slides[1].activity:",
        "activity '1.2' is not defined in this file (defined here: 1.1)",
    ),
    "phase minutes do not add up": (
        replace(
            PRACTICE,
            "      - name: Presentations\n        minutes: 2",
            "      - name: Presentations\n        minutes: 3",
        ),
        f"{PRACTICE}:19: activities[1].phases:",
        "the phases add up to 7 minutes, but the activity's minutes are 6",
    ),
    "lesson minutes do not add up": (
        replace(
            "lesson.yaml",
            "  presentation: 4\n  interaction: 6",
            "  presentation: 5\n  interaction: 6",
        ),
        "lesson.yaml:17: minutes.total:",
        "is 10, but presentation 5 + interaction 6 = 11",
    ),
    "non-UTF-8 file": (
        lambda files: {
            **files,
            INTRO: files[INTRO].replace(b"What the format is", b"What the f\xe9rmat is"),
        },
        f"{INTRO}:3:",
        "is not UTF-8 (byte 0xe9); save it as UTF-8",
    ),
    "empty file": (
        set_bytes(PRACTICE, b"  \n"),
        f"{PRACTICE}:",
        "is empty",
    ),
    "file over the size limit": (
        lambda files: {**files, "lesson.yaml": files["lesson.yaml"] + b"#" * 600_000},
        "lesson.yaml:",
        "the limit is 524,288 bytes",
    ),
    "file named by the lesson map is missing": (
        lambda files: {k: v for k, v in files.items() if k != PRACTICE},
        "lesson.yaml:37: lesson_map[2].file:",
        f"names {PRACTICE}, which does not exist",
    ),
    "file named by no row": (
        lambda files: {**files, "sections/03-stray.yaml": b"slides: []\n"},
        "sections/03-stray.yaml:",
        "is not named by any lesson_map row",
    ),
    "key point for a slot that does not exist": (
        replace(PRACTICE, "slot: Who writes it?", "slot: Who reads it?"),
        f"{PRACTICE}:38: activities[1].key_points[1].slot:",
        "'Who reads it?' names no assignment, field or table row of this activity",
    ),
}


def stored_state():
    counts = tuple(m.objects.count() for m in (Lesson, Section, Slide, Activity, Phase, KeyPoint))
    return counts, dump(Lesson.objects.get(slug="mini"))


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_refused_with_file_line_field_and_nothing_changes(case):
    mutate, location, message = CASES[case]
    load(mini_files())
    before = stored_state()

    with pytest.raises(LessonInvalid) as raised:
        load(mutate(mini_files()))

    reported = [str(problem) for problem in raised.value.problems]
    assert any(p.startswith(location) and message in p for p in reported), reported
    assert stored_state() == before


def test_every_problem_is_reported_at_once():
    files = edited(mini_files(), INTRO, "key_message:", "key_mesage:")
    files = edited(files, PRACTICE, "minutes: 6", "minutes: six")
    with pytest.raises(LessonInvalid) as raised:
        load(files)
    assert {p.file for p in raised.value.problems} == {INTRO, PRACTICE}
