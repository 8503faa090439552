"""`load`: lesson files in, one lesson version out — all of it or, on any problem, nothing."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from lessons.canonical import content_hash, to_yaml
from lessons.document import LESSON_FILE, LessonFiles, ParsedLesson, parse
from lessons.models import Activity, KeyPoint, Lesson, Objective, Phase, Section, Slide
from lessons.records import ACTIVITY_RECORD, LESSON_RECORD, SECTION_RECORD, SLIDE_RECORD
from lessons.schema import LESSON, SECTION


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
    # Rendered before the transaction: the writers' lock is held only while rows are written.
    rendered = render_lesson(parsed, digest=digest, status=status, created_by=created_by)
    slug = parsed.lesson["slug"]
    with transaction.atomic():
        existing = Lesson.objects.filter(slug=slug, content_hash=digest, status=status).first()
        if existing is not None:
            return LoadResult(existing, created=False)
        latest = Lesson.objects.filter(slug=slug).aggregate(Max("version"))["version__max"]
        lesson = rendered.save(version=(latest or 0) + 1)
    return LoadResult(lesson, created=True)


@dataclass
class RenderedActivity:
    activity: Activity
    phases: list[Phase]
    key_points: list[KeyPoint]


@dataclass
class RenderedSection:
    section: Section
    activities: list[RenderedActivity]
    slides: list[Slide]


@dataclass
class RenderedLesson:
    """A lesson version's rows with every Markdown text rendered, none of them stored yet: the
    rendering, which can take seconds, happens outside any transaction (render first, then
    write), so no phone's answer waits for it."""

    lesson: Lesson
    objectives: list[Objective]
    sections: list[RenderedSection]

    def save(self, *, version: int) -> Lesson:
        self.lesson.version = version
        self.lesson.save(force_insert=True)
        Objective.objects.bulk_create(self.objectives)
        for rendered in self.sections:
            rendered.section.save(force_insert=True)  # each row takes its parent's new key
            for item in rendered.activities:
                item.activity.save(force_insert=True)
                Phase.objects.bulk_create(item.phases)
                KeyPoint.objects.bulk_create(item.key_points)
            Slide.objects.bulk_create(rendered.slides)
        return self.lesson


def render_lesson(
    parsed: ParsedLesson, *, digest: str, status: str, created_by: AbstractBaseUser | None
) -> RenderedLesson:
    data = parsed.lesson
    lesson = LESSON_RECORD.build(data, status=status, content_hash=digest, created_by=created_by)
    sections = [
        render_section(lesson, position, row, section_data)
        for position, (row, section_data) in enumerate(
            zip(data["lesson_map"], parsed.sections, strict=True), start=1
        )
    ]
    objectives = LESSON_RECORD.child_rows(lesson, data)["objectives"]
    return RenderedLesson(lesson, objectives, sections)


def render_section(lesson: Lesson, position: int, row: dict, data: dict) -> RenderedSection:
    section = SECTION_RECORD.build(row, lesson=lesson, position=position)
    activities = [
        render_activity(lesson, section, position, activity_data)
        for position, activity_data in enumerate(data.get("activities", []), start=1)
    ]
    links = {"activity": {item.activity.code: item.activity for item in activities}}
    slides = [
        SLIDE_RECORD.build(slide, links=links, lesson=lesson, section=section)
        for slide in data["slides"]
    ]
    return RenderedSection(section, activities, slides)


def render_activity(
    lesson: Lesson, section: Section, position: int, data: dict
) -> RenderedActivity:
    activity = ACTIVITY_RECORD.build(data, lesson=lesson, section=section, position=position)
    rows = ACTIVITY_RECORD.child_rows(activity, data)
    return RenderedActivity(activity, rows["phases"], rows["key_points"])
