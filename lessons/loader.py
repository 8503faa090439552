"""`load`: lesson files in, one lesson version out — all of it or, on any problem, nothing."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from lessons.canonical import content_hash, to_yaml
from lessons.checks import slide_bounds
from lessons.document import LESSON_FILE, LessonFiles, ParsedLesson, parse
from lessons.markdown import render_markdown
from lessons.models import (
    ACTIVITY_MARKDOWN,
    SLIDE_MARKDOWN,
    Activity,
    KeyPoint,
    Lesson,
    Objective,
    Phase,
    Section,
    Slide,
)
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
    opening = data.get("opening")
    references = data.get("references", [])
    lesson = Lesson(
        slug=data["slug"],
        status=status,
        content_hash=digest,
        title=data["title"],
        language=data["language"],
        aim=data["aim"],
        aim_html=render_markdown(data["aim"]),
        relevance=data["relevance"],
        relevance_html=render_markdown(data["relevance"]),
        learning_objectives={"intro": data["learning_objectives"]["intro"]},
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
    sections = [
        render_section(lesson, position, row, section_data)
        for position, (row, section_data) in enumerate(
            zip(data["lesson_map"], parsed.sections, strict=True), start=1
        )
    ]
    objectives = [
        Objective(lesson=lesson, position=index, code=item["id"], text=item["text"])
        for index, item in enumerate(data["learning_objectives"]["items"], start=1)
    ]
    return RenderedLesson(lesson, objectives, sections)


LESSON_OPENING = next(key.spec for key in LESSON.keys if key.name == "opening")


def render_section(lesson: Lesson, position: int, row: dict, data: dict) -> RenderedSection:
    first, last = slide_bounds(row["slides"])
    section = Section(
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
        activity_data["code"]: render_activity(lesson, section, index, activity_data)
        for index, activity_data in enumerate(data.get("activities", []), start=1)
    }
    by_code = {code: rendered.activity for code, rendered in activities.items()}
    slides = [
        Slide(
            lesson=lesson,
            section=section,
            number=slide["number"],
            title=slide["title"],
            activity=by_code.get(slide.get("activity")),
            derived=dict(slide.get("derived", {})),
            questions=slide.get("questions", []),
            questions_html=ListOf(QUESTION).render(slide.get("questions", [])),
            **markdown_fields(slide, *SLIDE_MARKDOWN),
        )
        for slide in data["slides"]
    ]
    return RenderedSection(section, list(activities.values()), slides)


def render_activity(
    lesson: Lesson, section: Section, position: int, data: dict
) -> RenderedActivity:
    activity = Activity(
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
        objective_codes=list(data.get("objectives", [])),
        derived=dict(data.get("derived", {})),
        **markdown_fields(data, *ACTIVITY_MARKDOWN),
    )
    phases = [
        Phase(activity=activity, position=index, name=phase["name"], minutes=phase["minutes"])
        for index, phase in enumerate(data["phases"], start=1)
    ]
    key_points = [
        KeyPoint(
            activity=activity,
            position=index,
            text=point["text"],
            text_html=render_markdown(point["text"]),
            slot=point.get("slot", ""),
            keywords=point.get("keywords", []),
            objective_codes=list(point.get("objectives", [])),
        )
        for index, point in enumerate(data.get("key_points", []), start=1)
    ]
    return RenderedActivity(activity, phases, key_points)


def markdown_fields(data: dict, *names: str) -> dict[str, str]:
    fields = {}
    for name in names:
        text = data.get(name, "")
        fields[name] = text
        fields[f"{name}_html"] = render_markdown(text)
    return fields
