"""A coordinator's work on lesson versions: drafts, saving a field, validating, publishing.

A draft is a lesson version with status `draft`: a full tree of rows like any other version,
made by loading the files of a version (or of an upload) again, so the editor changes rows and
`dump()` turns them back into files. Publishing checks the dumped files with the same `parse()`
as `checklesson` and turns the draft into the next published version; published versions are
never changed again, so a delivery keeps the version it pinned.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lessons.canonical import content_hash
from lessons.checks import LESSON_FILE
from lessons.compare import LineChange, text_diff
from lessons.document import LessonFiles, parse
from lessons.errors import LessonInvalid, LessonProblem
from lessons.exporter import dump
from lessons.fields import (
    BoundField,
    FieldInvalid,
    Target,
    UnknownField,
    UnsavedActivity,
    activity_target,
    bind,
    bind_all,
    bind_key,
    drop_empty,
    field_anchor,
    lesson_target,
    section_target,
    slide_target,
)
from lessons.loader import canonical_files, render_lesson
from lessons.minutes import (
    LessonMinutes,
    Part,
    RowMinutes,
    opening_minutes,
    phases_gap,
    rows_gaps,
    rows_total,
)
from lessons.models import Activity, Lesson, Section
from lessons.records import PreparedWrite


class EditRefused(Exception):
    """An edit that cannot be made; the message says why and what to do instead."""


@dataclass
class SaveConflict(Exception):
    """Someone saved the field since the editor showed it; nobody's text is lost."""

    field: BoundField
    yours: object
    saved_by: str
    saved_at: datetime | None
    version: int


@dataclass(frozen=True)
class FieldSave:
    field: BoundField
    changed: bool
    version: int


@dataclass(frozen=True)
class LinkedProblem:
    """A `checklesson` problem with the editor field it is about, where one matches."""

    problem: LessonProblem
    where: str
    url: str


class PublishRefused(Exception):
    def __init__(self, problems: list[LinkedProblem]) -> None:
        self.problems = problems
        super().__init__(
            ngettext("%(count)s problem", "%(count)s problems", len(problems))
            % {"count": len(problems)}
        )


def files_of(lesson: Lesson) -> LessonFiles:
    return {name: text.encode() for name, text in dump(lesson).items()}


# Making drafts.


def draft_create_from_files(
    *, files: LessonFiles, user: AbstractBaseUser, based_on: Lesson | None = None
) -> Lesson:
    """A new draft of the lesson in `files`, always a new row (unlike `load()`, which reuses a
    version with the same content): two coordinators may each start a draft from version 1.

    Raises `LessonInvalid` with every problem before anything is written.
    """
    parsed = parse(files)
    digest = content_hash(canonical_files(parsed))
    for _attempt in range(5):
        # Rendered outside the transaction (lessons.loader.RenderedLesson); afresh on each try,
        # as a failed try may have given some of the rows their keys.
        rendered = render_lesson(parsed, digest=digest, status=Lesson.Status.DRAFT, created_by=user)
        rendered.lesson.based_on = based_on
        try:
            with transaction.atomic():
                latest = Lesson.objects.filter(slug=parsed.lesson["slug"]).aggregate(
                    Max("version")
                )["version__max"]
                return rendered.save(version=(latest or 0) + 1)
        except IntegrityError:
            continue  # another draft took the number; take the next one
    raise EditRefused(gettext("Could not number the new draft; please try again."))


def draft_create_from_version(*, lesson: Lesson, user: AbstractBaseUser) -> Lesson:
    return draft_create_from_files(files=files_of(lesson), user=user, based_on=lesson)


# Saving one field.


MULTILINE_ITEMS = _(
    "An item of this list spans several lines, which this form cannot show; "
    "edit it in the YAML files (download, edit, upload)."
)


def field_stamp(lesson: Lesson, key: str) -> dict:
    """The field's save count (`version`), who saved it last (`by`) and when (`at`)."""
    return {"version": 0, "by": "", "at": None} | lesson.edit_versions.get(key, {})


def draft_save_field(
    *, lesson: Lesson, key: str, data, version: int, user: AbstractBaseUser
) -> FieldSave:
    """Save one field of a draft from form `data`, if nobody saved it since `version`.

    Raises `EditRefused` (not a draft, no such field), `SaveConflict` (stale `version`) or
    `fields.FieldInvalid` (the schema's messages); nothing is written when it raises.
    """
    prepared = prepare_save(lesson, key, data)
    with transaction.atomic():
        locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if not locked.is_draft:
            raise EditRefused(
                gettext(
                    "Version %(version)s is %(status)s: published versions never change. "
                    "Make a new draft from it to edit."
                )
                % {"version": locked.version, "status": locked.get_status_display().lower()}
            )
        bound = bind_key(locked, key)
        if not bound.representable:
            raise EditRefused(str(MULTILINE_ITEMS))
        yours = bound.parse(data)
        stamp = field_stamp(locked, key)
        if version != stamp["version"]:
            if drop_empty(yours) == bound.value:
                return FieldSave(bound, changed=False, version=stamp["version"])
            raise SaveConflict(
                field=bound,
                yours=yours,
                saved_by=stamp["by"],
                saved_at=parse_time(stamp["at"]),
                version=stamp["version"],
            )
        clean = bound.check(yours)
        if clean == bound.value:
            return FieldSave(bound, changed=False, version=stamp["version"])
        # The write rendered before the lock, unless the record changed in between.
        bound.write(clean, prepared.write if prepared and prepared.fits(bound, clean) else None)
        locked.edit_versions[key] = {
            "version": stamp["version"] + 1,
            "by": user.get_username(),
            "at": timezone.now().isoformat(),
        }
        locked.save(update_fields=["edit_versions"])
    return FieldSave(bound, changed=True, version=stamp["version"] + 1)


@dataclass(frozen=True)
class PreparedSave:
    """A field's save rendered before the write transaction, from the rows as read then."""

    record: dict
    clean: object
    write: PreparedWrite

    def fits(self, bound: BoundField, clean: object) -> bool:
        """Whether it is the save to make under the lock: the same value onto the same record."""
        return clean == self.clean and bound.target.record() == self.record


def prepare_save(lesson: Lesson, key: str, data) -> PreparedSave | None:
    """The save of `data` into field `key`, its Markdown rendered, outside any transaction
    (rendering can take seconds; a write transaction on SQLite holds every phone's answer).
    None when there is nothing to write or the field refuses the value: the save then says why,
    under the lock, in its own order."""
    try:
        bound = bind_key(Lesson.objects.get(pk=lesson.pk), key)
        if not bound.representable:
            return None
        clean = bound.check(bound.parse(data))
    except (UnknownField, FieldInvalid):
        return None
    if clean == bound.value:
        return None
    record = bound.target.record()
    return PreparedSave(record, clean, bound.prepare(clean))


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# Validating and publishing.


def draft_problems(lesson: Lesson) -> list[LinkedProblem]:
    """What `checklesson` would say about the files of this version, each linked to its field."""
    try:
        parse(files_of(lesson))
    except LessonInvalid as invalid:
        return locate_problems(lesson, invalid.problems)
    return []


def draft_publish(*, lesson: Lesson, user: AbstractBaseUser) -> Lesson:
    """Make the draft the next published version, or raise `PublishRefused` with its problems
    (or `EditRefused`); on refusal nothing changes."""
    with transaction.atomic():
        draft = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if not draft.is_draft:
            raise EditRefused(
                gettext("Version %(version)s is already %(status)s.")
                % {"version": draft.version, "status": draft.get_status_display().lower()}
            )
        try:
            parsed = parse(files_of(draft))
        except LessonInvalid as invalid:
            raise PublishRefused(locate_problems(draft, invalid.problems)) from None
        digest = content_hash(canonical_files(parsed))
        same = Lesson.objects.published().filter(slug=draft.slug, content_hash=digest).first()
        if same is not None:
            raise EditRefused(
                gettext(
                    "This draft says exactly what published version %(version)s says; "
                    "there is nothing new to publish."
                )
                % {"version": same.version}
            )
        latest = Lesson.objects.filter(slug=draft.slug).aggregate(Max("version"))["version__max"]
        # Versions are numbered in the order they are published: a draft that another was
        # published after takes the next number.
        if draft.version != latest:
            draft.version = latest + 1
        draft.status = Lesson.Status.PUBLISHED
        draft.content_hash = digest
        draft.published_at = timezone.now()
        draft.published_by = user
        draft.save()
    return draft


def draft_discard(*, lesson: Lesson) -> None:
    with transaction.atomic():
        draft = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if not draft.is_draft:
            raise EditRefused(gettext("Only drafts can be discarded; published versions are kept."))
        try:
            draft.delete()
        except ProtectedError:
            raise EditRefused(gettext("A delivery uses this draft, so it is kept.")) from None


def version_retire(*, lesson: Lesson) -> Lesson:
    """A published version stops being offered for new deliveries; running ones keep it."""
    with transaction.atomic():
        version = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if version.status != Lesson.Status.PUBLISHED:
            raise EditRefused(gettext("Only a published version can be retired."))
        version.status = Lesson.Status.RETIRED
        version.save(update_fields=["status"])
    return version


# Where a problem is in the editor.

PATH_PART = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def path_parts(field: str) -> list[tuple[str, int | None]]:
    return [(match[1], int(match[2]) if match[2] else None) for match in PATH_PART.finditer(field)]


def version_url(lesson: Lesson, anchor: str = "") -> str:
    return reverse("content:version", args=[lesson.pk]) + (f"#{anchor}" if anchor else "")


def target_url(lesson: Lesson, target: Target, anchor: str = "") -> str:
    suffix = f"#{anchor}" if anchor else ""
    if target.kind == "slide":
        return reverse("content:slide", args=[lesson.pk, target.row.number]) + suffix
    if target.kind == "activity":
        return reverse("content:activity", args=[lesson.pk, target.row.code]) + suffix
    if target.kind == "section":
        return version_url(lesson, anchor or f"row-{target.ident}")
    return version_url(lesson, anchor or "lesson-details")


def link_to_field(lesson: Lesson, target: Target, names: list[str]) -> tuple[str, str]:
    """The label and address of the field of `target` whose path starts `names` the longest."""
    best = None
    for spec in target.fields:
        length = len(spec.path)
        if tuple(names[:length]) == spec.path and (best is None or length > len(best.path)):
            best = spec
    if best is None:
        return target.label, target_url(lesson, target)
    bound = bind(target, best)
    return f"{target.label} · {bound.label}", target_url(lesson, target, bound.anchor)


def locate_problems(lesson: Lesson, problems: list[LessonProblem]) -> list[LinkedProblem]:
    sections = list(lesson.sections.order_by("position"))
    by_file = {section.file: section for section in sections}
    slides = list(lesson.slides.select_related("section").order_by("number"))
    activities = list(lesson.activities.select_related("section").order_by("position"))
    linked = []
    for problem in problems:
        parts = path_parts(problem.field)
        names = [name for name, _ in parts]
        head, index = parts[0] if parts else ("", None)
        where, url = problem.file, version_url(lesson)
        if problem.file == LESSON_FILE:
            if head == "lesson_map" and index and index <= len(sections):
                where, url = link_to_field(lesson, section_target(sections[index - 1]), names[1:])
            elif head == "lesson_map":
                where, url = gettext("Lesson map"), version_url(lesson, "lesson-map")
            elif parts:
                where, url = link_to_field(lesson, lesson_target(lesson), names)
        elif problem.file in by_file:
            section = by_file[problem.file]
            mine = {
                "slides": [slide for slide in slides if slide.section_id == section.pk],
                "activities": [item for item in activities if item.section_id == section.pk],
            }.get(head, [])
            if index and index <= len(mine):
                row = mine[index - 1]
                target = slide_target(row) if head == "slides" else activity_target(row)
                where, url = link_to_field(lesson, target, names[1:])
            else:
                where, url = (
                    f"{section.title} ({problem.file})",
                    version_url(lesson, f"row-{section.position}"),
                )
        linked.append(LinkedProblem(problem, where, url))
    return linked


# Running totals of minutes.


@dataclass(frozen=True)
class MinutesWarning:
    text: str
    url: str


@dataclass(frozen=True)
class MinutesSummary:
    plan: LessonMinutes
    rows_presentation: int
    rows_interaction: int
    warnings: list[MinutesWarning]

    @property
    def adds_up(self) -> bool:
        return not self.warnings

    @property
    def rows_total(self) -> int:
        return self.rows_presentation + self.rows_interaction


def minutes_summary(lesson: Lesson) -> MinutesSummary:
    """The lesson's minutes against the rows, the rows against their activities and each
    activity against its phases: the rules of `checklesson`, counted as the editor goes."""
    sections = list(
        lesson.sections.annotate(activity_minutes=Sum("activities__minutes")).order_by("position")
    )
    plan = LessonMinutes(
        total=lesson.minutes_total,
        presentation=lesson.minutes_presentation,
        interaction=lesson.minutes_interaction,
        opening=opening_minutes(lesson.opening),
    )
    rows = [
        RowMinutes(
            section.minutes_presentation,
            section.minutes_interaction,
            activities=section.activity_minutes or 0,
        )
        for section in sections
    ]
    warnings = []
    if parts := plan.parts_gap():
        warnings.append(
            MinutesWarning(
                gettext(
                    "Presentation %(presentation)s + interaction %(interaction)s = %(parts)s "
                    "minutes, but the lesson's total is %(total)s."
                )
                % {
                    "presentation": plan.presentation,
                    "interaction": plan.interaction,
                    "parts": parts.counted,
                    "total": plan.total,
                },
                version_url(lesson, "f-lesson-minutes-total"),
            )
        )
    rows_add_up_to = {
        Part.PRESENTATION: _(
            "The lesson-map rows add up to %(minutes)s minutes of presentation, but the lesson "
            "plans %(planned)s."
        ),
        Part.INTERACTION: _(
            "The lesson-map rows add up to %(minutes)s minutes of interaction, but the lesson "
            "plans %(planned)s."
        ),
    }
    for part, found in rows_gaps(plan, rows).items():
        warnings.append(
            MinutesWarning(
                str(rows_add_up_to[part]) % {"minutes": found.counted, "planned": found.planned},
                version_url(lesson, "lesson-map"),
            )
        )
    for section, row in zip(sections, rows, strict=True):
        if found := row.activities_gap():
            anchor = field_anchor(section_target(section), "minutes.interaction")
            warnings.append(
                MinutesWarning(
                    gettext(
                        "Row %(position)s ‘%(title)s’ plans %(planned)s interaction minutes, "
                        "but its activities take %(minutes)s."
                    )
                    % {
                        "position": section.position,
                        "title": section.title,
                        "planned": found.planned,
                        "minutes": found.counted,
                    },
                    version_url(lesson, anchor),
                )
            )
    activities = lesson.activities.annotate(phase_minutes=Sum("phases__minutes")).order_by(
        "section__position", "position"
    )
    for activity in activities:
        if found := phases_gap(activity.minutes, [activity.phase_minutes or 0]):
            target = activity_target(activity)
            warnings.append(
                MinutesWarning(
                    gettext(
                        "Activity %(code)s: the phases add up to %(phases)s minutes, "
                        "but the activity takes %(minutes)s."
                    )
                    % {
                        "code": activity.code,
                        "phases": found.counted,
                        "minutes": found.planned,
                    },
                    target_url(lesson, target, field_anchor(target, "phases")),
                )
            )
    return MinutesSummary(
        plan=plan,
        rows_presentation=rows_total(plan, rows, Part.PRESENTATION),
        rows_interaction=rows_total(plan, rows, Part.INTERACTION),
        warnings=warnings,
    )


def phases_note(activity: Activity | UnsavedActivity) -> str:
    """What the preview says when the phases (as typed) no longer add up to the minutes."""
    found = phases_gap(activity.minutes, [phase.minutes for phase in activity.phases.all()])
    if found is None:
        return ""
    return gettext(
        "The phases add up to %(phases)s minutes, but the activity takes %(minutes)s."
    ) % {"phases": found.counted, "minutes": found.planned}


def lesson_sections(lesson: Lesson) -> list[Section]:
    return list(
        lesson.sections.prefetch_related("slides__activity", "activities").order_by("position")
    )


# What the editor shows for a field.


@dataclass
class FieldState:
    """A field as its form shows it: the value (or what the person typed, when it was refused),
    its save count for the stale-save check, and what happened to the last save."""

    field: BoundField
    version: int
    editable: bool = True
    yours: object = None
    errors: tuple[str, ...] = ()
    conflict: SaveConflict | None = None
    saved: bool = False
    unchanged: bool = False
    last_saved_by: str = ""
    last_saved_at: datetime | None = None

    @property
    def shown(self) -> object:
        return self.yours if self.yours is not None else self.field.value

    @property
    def text(self) -> str:
        return self.field.text(self.shown) if self.shown is not None else ""

    @property
    def rows(self) -> list[list[tuple]]:
        """The rows of a `rows` field and, in a draft, one empty row to add another."""
        rows = self.field.cells(self.shown)
        if self.editable:
            rows.append([(column, "") for column in self.field.spec.columns])
        return rows

    @property
    def theirs_text(self) -> str:
        return self.field.as_yaml(self.conflict.field.value) if self.conflict else ""

    @property
    def yours_text(self) -> str:
        return self.field.as_yaml(self.conflict.yours) if self.conflict else ""

    @property
    def conflict_lines(self) -> tuple[LineChange, ...]:
        return text_diff(self.theirs_text, self.yours_text) if self.conflict else ()


def field_state(lesson: Lesson, field: BoundField, **state) -> FieldState:
    stamp = field_stamp(lesson, field.key)
    return FieldState(
        field,
        version=state.pop("version", stamp["version"]),
        editable=lesson.is_draft and field.representable,
        last_saved_by=stamp["by"],
        last_saved_at=parse_time(stamp["at"]),
        **state,
    )


def field_states(lesson: Lesson, target: Target) -> list[FieldState]:
    return [field_state(lesson, field) for field in bind_all(target) if field.applies]
