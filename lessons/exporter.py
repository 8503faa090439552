"""`dump`: one stored lesson version back to the files it was loaded from."""

from pathlib import Path

from lessons.canonical import to_yaml
from lessons.document import LESSON_FILE
from lessons.models import Activity, Lesson, Section, Slide
from lessons.schema import LESSON, SECTION


def dump(lesson: Lesson) -> dict[str, str]:
    """The lesson as `{relative file name: YAML text}`, in the canonical written form."""
    files = {LESSON_FILE: to_yaml(lesson_data(lesson), LESSON)}
    slides = list(lesson.slides.select_related("activity").order_by("number"))
    activities = list(
        lesson.activities.prefetch_related("phases", "key_points").order_by("position")
    )
    for section in lesson.sections.order_by("position"):
        section_data = {
            "slides": [slide_data(s) for s in slides if s.section_id == section.pk],
            "activities": [activity_data(a) for a in activities if a.section_id == section.pk],
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


def lesson_data(lesson: Lesson) -> dict:
    return {
        "format": 1,
        "slug": lesson.slug,
        "title": lesson.title,
        "language": lesson.language,
        "aim": lesson.aim,
        "relevance": lesson.relevance,
        "learning_objectives": learning_objectives_data(lesson),
        "minutes": {
            "total": lesson.minutes_total,
            "presentation": lesson.minutes_presentation,
            "interaction": lesson.minutes_interaction,
        },
        "opening": lesson.opening,
        "lesson_map": [lesson_map_row(section) for section in lesson.sections.order_by("position")],
        "references": lesson.references,
        "derived": lesson.derived,
    }


def learning_objectives_data(lesson: Lesson) -> dict:
    return {
        "intro": lesson.learning_objectives.get("intro", ""),
        "items": [{"id": o.code, "text": o.text} for o in lesson.objectives.order_by("position")],
    }


def lesson_map_row(section: Section) -> dict:
    return {
        "title": section.title,
        "slides": int(section.slides_label)
        if section.slides_label.isdigit()
        else section.slides_label,
        "kind": section.kind,
        "minutes": {
            "presentation": section.minutes_presentation,
            "interaction": section.minutes_interaction,
        },
        "file": section.file,
        "derived": section.derived,
    }


def slide_data(slide: Slide) -> dict:
    return {
        "number": slide.number,
        "title": slide.title,
        "key_message": slide.key_message,
        "body": slide.body,
        "reveal": slide.reveal,
        "notes": slide.notes,
        "instructor_notes": slide.instructor_notes,
        "transition": slide.transition,
        "questions": slide.questions,
        "activity": slide.activity.code if slide.activity else None,
        "derived": slide.derived,
    }


def activity_data(activity: Activity) -> dict:
    return {
        "code": activity.code,
        "kind": activity.kind,
        "title": activity.title,
        "purpose": activity.purpose,
        "task": activity.task,
        "instructions": activity.instructions,
        "resources": activity.resources,
        "grouping": activity.grouping,
        "minutes": activity.minutes,
        "phases": [{"name": p.name, "minutes": p.minutes} for p in activity.phases.all()],
        "response_form": activity.response_form,
        "instructor_notes": activity.instructor_notes,
        "objectives": activity.objective_codes,
        "key_points": [
            {
                "text": point.text,
                "slot": point.slot,
                "keywords": point.keywords,
                "objectives": point.objective_codes,
            }
            for point in activity.key_points.all()
        ],
        "derived": activity.derived,
    }
