"""`dump`: one stored lesson version back to the files it was loaded from."""

from pathlib import Path

from lessons.canonical import to_yaml
from lessons.document import LESSON_FILE
from lessons.models import Lesson
from lessons.records import ACTIVITY_RECORD, LESSON_RECORD, SECTION_RECORD, SLIDE_RECORD
from lessons.schema import LESSON, SECTION


def dump(lesson: Lesson) -> dict[str, str]:
    """The lesson as `{relative file name: YAML text}`, in the canonical written form."""
    sections = list(lesson.sections.order_by("position"))
    lesson_data = LESSON_RECORD.read(lesson)
    lesson_data["lesson_map"] = [SECTION_RECORD.read(section) for section in sections]
    files = {LESSON_FILE: to_yaml(lesson_data, LESSON)}
    slides = list(lesson.slides.select_related("activity").order_by("number"))
    activities = list(
        lesson.activities.prefetch_related("phases", "key_points").order_by("position")
    )
    for section in sections:
        section_data = {
            "slides": [SLIDE_RECORD.read(s) for s in slides if s.section_id == section.pk],
            "activities": [
                ACTIVITY_RECORD.read(a) for a in activities if a.section_id == section.pk
            ],
        }
        files[section.file] = to_yaml(section_data, SECTION)
    return files


def write_folder(files: dict[str, str], folder: Path | str) -> list[Path]:
    folder = Path(folder)
    written = []
    for name, text in sorted(files.items()):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
