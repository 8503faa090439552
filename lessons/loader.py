"""`load`: lesson files in, one lesson version out — all of it or, on any problem, nothing."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from lessons.canonical import content_hash, to_yaml
from lessons.checks import slide_bounds
from lessons.document import LESSON_FILE, LessonFiles, ParsedLesson, parse
from lessons.markdown import render_markdown
from lessons.models import Activity, KeyPoint, Lesson, Phase, Section, Slide
from lessons.schema import LESSON, QUESTION, REFERENCE_GROUP, SECTION, ListOf


@dataclass(frozen=True)
class LoadResult:
    lesson: Lesson
    created: bool


def canonical_files(parsed: ParsedLesson) -> dict[str, str]:
    files = {LESSON_FILE: to_yaml(parsed.lesson, LESSON)}
    for row, section in zip(parsed.lesson["lesson_map"], parsed.sections, strict=True):
        files[row["file"]] = to_yaml(section, SECTION)
    return files


def load(
    files: LessonFiles,
    *,
    status: str = Lesson.Status.PUBLISHED,
    created_by: AbstractBaseUser | None = None,
) -> LoadResult:
    """Check `files` and store them as a new version, unless that content is already stored.

    Raises `LessonInvalid` (with every problem) before anything is written.
    """
    parsed = parse(files)
    digest = content_hash(canonical_files(parsed))
    slug = parsed.lesson["slug"]
    with transaction.atomic():
        existing = Lesson.objects.filter(slug=slug, content_hash=digest, status=status).first()
        if existing is not None:
            return LoadResult(existing, created=False)
        latest = Lesson.objects.filter(slug=slug).aggregate(Max("version"))["version__max"]
        lesson = create_lesson(
            parsed, version=(latest or 0) + 1, digest=digest, status=status, created_by=created_by
        )
    return LoadResult(lesson, created=True)


def create_lesson(
    parsed: ParsedLesson,
    *,
    version: int,
    digest: str,
    status: str,
    created_by: AbstractBaseUser | None,
) -> Lesson:
    data = parsed.lesson
    opening = data.get("opening")
    references = data.get("references", [])
    lesson = Lesson.objects.create(
        slug=data["slug"],
        version=version,
        status=status,
        content_hash=digest,
        title=data["title"],
        language=data["language"],
        aim=data["aim"],
        aim_html=render_markdown(data["aim"]),
        relevance=data["relevance"],
        relevance_html=render_markdown(data["relevance"]),
        learning_objectives=dict(data["learning_objectives"]),
        minutes_total=data["minutes"]["total"],
        minutes_presentation=data["minutes"]["presentation"],
        minutes_interaction=data["minutes"]["interaction"],
        opening=opening,
        opening_html=LESSON_OPENING.render(opening) if opening else None,
        references=references,
        references_html=ListOf(REFERENCE_GROUP).render(references),
        derived=dict(data.get("derived", {})),
        created_by=created_by,
    )
    for position, (row, section_data) in enumerate(
        zip(data["lesson_map"], parsed.sections, strict=True), start=1
    ):
        create_section(lesson, position, row, section_data)
    return lesson


LESSON_OPENING = next(key.spec for key in LESSON.keys if key.name == "opening")


def create_section(lesson: Lesson, position: int, row: dict, data: dict) -> None:
    first, last = slide_bounds(row["slides"])
    section = Section.objects.create(
        lesson=lesson,
        position=position,
        title=row["title"],
        slides_label=str(row["slides"]),
        first_slide=first,
        last_slide=last,
        kind=row["kind"],
        minutes_presentation=row["minutes"]["presentation"],
        minutes_interaction=row["minutes"]["interaction"],
        file=row["file"],
        derived=dict(row.get("derived", {})),
    )
    activities = {
        activity_data["code"]: create_activity(lesson, section, index, activity_data)
        for index, activity_data in enumerate(data.get("activities", []), start=1)
    }
    Slide.objects.bulk_create(
        [
            Slide(
                lesson=lesson,
                section=section,
                number=slide["number"],
                title=slide["title"],
                activity=activities.get(slide.get("activity")),
                derived=dict(slide.get("derived", {})),
                questions=slide.get("questions", []),
                questions_html=ListOf(QUESTION).render(slide.get("questions", [])),
                **markdown_fields(slide, "key_message", "body", "instructor_notes", "transition"),
            )
            for slide in data["slides"]
        ]
    )


def create_activity(lesson: Lesson, section: Section, position: int, data: dict) -> Activity:
    activity = Activity.objects.create(
        lesson=lesson,
        section=section,
        position=position,
        code=data["code"],
        kind=data["kind"],
        title=data["title"],
        instructions=data["instructions"],
        instructions_html=[render_markdown(text) for text in data["instructions"]],
        resources=data.get("resources", []),
        grouping=data["grouping"],
        minutes=data["minutes"],
        response_form=data["response_form"],
        derived=dict(data.get("derived", {})),
        **markdown_fields(data, "purpose", "instructor_notes"),
    )
    Phase.objects.bulk_create(
        Phase(activity=activity, position=index, name=phase["name"], minutes=phase["minutes"])
        for index, phase in enumerate(data["phases"], start=1)
    )
    KeyPoint.objects.bulk_create(
        KeyPoint(
            activity=activity,
            position=index,
            text=point["text"],
            text_html=render_markdown(point["text"]),
            slot=point.get("slot", ""),
            keywords=point.get("keywords", []),
        )
        for index, point in enumerate(data.get("key_points", []), start=1)
    )
    return activity


def markdown_fields(data: dict, *names: str) -> dict[str, str]:
    fields = {}
    for name in names:
        text = data.get(name, "")
        fields[name] = text
        fields[f"{name}_html"] = render_markdown(text)
    return fields
