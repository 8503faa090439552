"""The fields of a draft that the editor changes one at a time.

A field is addressed by a key: `lesson:aim`, `section:4:minutes.presentation`,
`slide:13:body`, `activity:5.2:phases`. Each field knows its path in the lesson's YAML (so a
`checklesson` problem can link to it), the schema spec that checks its value (so the editor
refuses what `checklesson` would refuse, with the same message), and how its form inputs map
to that value. Values are read from and written back to the rows through the same YAML-shaped
records that `dump()` writes (lessons/records.py), so what the editor stores is what a download
gives.
"""

import copy
import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from copsite.parsing import parse_int
from lessons.canonical import canonical, to_yaml
from lessons.errors import LessonProblem
from lessons.forms import KINDS, kind_choices
from lessons.models import Activity, Audience, Lesson, Section, Slide
from lessons.records import (
    ACTIVITY_RECORD,
    LESSON_RECORD,
    SECTION_RECORD,
    SLIDE_RECORD,
    PreparedWrite,
    RecordType,
    check_value,
    key_at,
)

# Labels, help and choice labels are the interface's words, translated when shown (lazily,
# as these are built at import); the keys, paths and choice values are the YAML's, never.
Label = str | Promise


class FieldInvalid(ValueError):
    """A value the field refuses; `messages` say why, in the words of `checklesson`."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


class UnknownField(LookupError):
    pass


@dataclass(frozen=True)
class Column:
    """One input of a row in a `rows` field; `name` is empty when the items are plain text."""

    name: str
    label: Label
    widget: str  # line, text, number or lines

    def cell(self, item: object) -> str:
        value = item.get(self.name) if self.name else item
        return form_text(self.widget, value)

    def parse(self, text: str) -> object:
        return parse_text(self.widget, text)


@dataclass(frozen=True)
class FieldSpec:
    """A field of a target (the lesson, a lesson-map row, a slide or an activity)."""

    path: tuple[str, ...]
    label: Label
    widget: str  # line, markdown, number, choice, lines or rows
    help: Label = ""
    columns: tuple[Column, ...] = ()
    choices: tuple[tuple[str, Label], ...] = ()  # (YAML value, label)
    rows: int = 4  # the height of a text box

    @property
    def name(self) -> str:
        return ".".join(self.path)


def text_field(path: str, label: Label, **options) -> FieldSpec:
    return FieldSpec(tuple(path.split(".")), label, "line", **options)


def markdown_field(path: str, label: Label, **options) -> FieldSpec:
    return FieldSpec(tuple(path.split(".")), label, "markdown", **options)


def number_field(path: str, label: Label, **options) -> FieldSpec:
    return FieldSpec(tuple(path.split(".")), label, "number", **options)


def choice_field(
    path: str, label: Label, choices: tuple[tuple[str, Label], ...], **options
) -> FieldSpec:
    return FieldSpec(tuple(path.split(".")), label, "choice", choices=tuple(choices), **options)


def lines_field(path: str, label: Label, **options) -> FieldSpec:
    return FieldSpec(tuple(path.split(".")), label, "lines", **options)


def rows_field(path: str, label: Label, *columns: Column, **options) -> FieldSpec:
    return FieldSpec(tuple(path.split(".")), label, "rows", columns=columns, **options)


LESSON_FIELDS = (
    text_field("title", _("Title")),
    choice_field(
        "language",
        _("Language of the content"),
        (
            ("en", pgettext_lazy("language of the content", "English")),
            ("fr", pgettext_lazy("language of the content", "French")),
        ),
    ),
    markdown_field("aim", _("Aim"), rows=3),
    markdown_field("relevance", _("Relevance"), rows=8),
    text_field("learning_objectives.intro", _("Learning objectives: introduction")),
    rows_field(
        "learning_objectives.items",
        _("Learning objectives"),
        Column("id", _("Id (cited by activities and key points)"), "line"),
        Column("text", _("Objective"), "line"),
    ),
    number_field("minutes.total", _("Total minutes")),
    number_field("minutes.presentation", _("Presentation minutes")),
    number_field("minutes.interaction", _("Interaction minutes")),
    markdown_field("opening.intro", _("Starting the lesson: introduction"), rows=2),
    markdown_field(
        "opening.introduce", _("What to introduce with the introductory slides"), rows=2
    ),
    markdown_field("opening.language_note", _("Note on language"), rows=3),
    rows_field(
        "references",
        _("References"),
        Column("heading", _("Heading"), "line"),
        Column("intro", _("Introduction"), "text"),
        Column("items", _("Items (one a line)"), "lines"),
        Column("outro", _("Closing text"), "text"),
    ),
)
SECTION_FIELDS = (
    text_field("title", _("Title")),
    text_field("slides", _("Slides"), help=_("A slide number or a range such as 5-10.")),
    choice_field("kind", pgettext_lazy("lesson-map row", "Kind"), Section.Kind.choices),
    number_field("minutes.presentation", _("Presentation minutes")),
    number_field("minutes.interaction", _("Interaction minutes")),
)
SLIDE_FIELDS = (
    text_field("title", _("Title")),
    markdown_field("key_message", _("Key message"), rows=3, help=Audience.ROOM.label),
    markdown_field(
        "body",
        _("What the slide shows"),
        rows=10,
        help=_("Projector and phones: the lists it presents."),
    ),
    markdown_field(
        "reveal",
        _("Shown when revealed"),
        rows=6,
        help=_(
            "On the projector only once the instructor presses Reveal, e.g. after a brainstorm."
        ),
    ),
    markdown_field(
        "notes",
        _("Notes to present from"),
        rows=10,
        help=_("Console only: the text behind the slide."),
    ),
    markdown_field(
        "transition", _("Transition by the instructor"), rows=2, help=Audience.CONSOLE.label
    ),
    markdown_field(
        "instructor_notes", _("Note for the instructor"), rows=4, help=Audience.CONSOLE.label
    ),
    rows_field(
        "questions",
        _("Questions to ask"),
        Column("ask", _("Question"), "text"),
        Column("expected_responses", _("Expected responses (one a line)"), "lines"),
    ),
)
ACTIVITY_FIELDS = (
    text_field("title", _("Title")),
    choice_field("kind", pgettext_lazy("activity", "Kind"), Activity.Kind.choices),
    markdown_field("purpose", _("Purpose"), rows=2, help=Audience.ROOM.label),
    markdown_field(
        "task",
        _("Task for the participants"),
        rows=3,
        help=_(
            "Projector and phones: what the groups do, in their words (“In your group, list…”)."
        ),
    ),
    rows_field(
        "instructions",
        _("Instructions"),
        Column("", _("Instruction"), "text"),
        help=_("Console only: what the instructor asks the groups to do."),
    ),
    lines_field("resources", _("Resources"), help=_("One resource a line.")),
    choice_field("grouping.kind", _("Grouping"), Activity.Grouping.choices),
    number_field("grouping.size.min", _("Group size: at least")),
    number_field("grouping.size.max", _("Group size: at most")),
    number_field("grouping.count", _("Number of groups")),
    rows_field(
        "grouping.assignments",
        _("Assignments (one per group)"),
        Column("label", _("Label"), "line"),
        Column("prompt", _("Prompt"), "line"),
    ),
    number_field("minutes", _("Minutes"), help=_("Equals the sum of the phases.")),
    rows_field(
        "phases",
        _("Phases"),
        Column("name", _("Phase"), "line"),
        Column("minutes", _("Minutes"), "number"),
    ),
    choice_field("response_form.kind", _("Groups answer with"), kind_choices()),
    text_field("response_form.prompt", _("Prompt")),
    text_field("response_form.row_heading", _("Heading of the row labels")),
    lines_field(
        "response_form.columns",
        _("Columns"),
        help=_("One column a line: a table's columns, or the columns a list's points go into."),
    ),
    rows_field(
        "response_form.rows",
        _("Table rows"),
        Column("label", _("Row"), "line"),
        Column("expected", _("Expected answers (one a line, one per column)"), "lines"),
    ),
    rows_field(
        "response_form.fields",
        _("Named fields"),
        Column("key", _("Key"), "line"),
        Column("label", _("Label"), "line"),
        Column("prompt", _("Prompt"), "line"),
    ),
    markdown_field("instructor_notes", _("Note for the instructor"), rows=4),
    lines_field(
        "objectives",
        _("Objectives it serves"),
        help=_("One objective id a line, from the lesson's learning objectives."),
    ),
    rows_field(
        "key_points",
        _("Points to reinforce if not mentioned"),
        Column("text", _("Point"), "text"),
        Column("slot", _("Slot"), "line"),
        Column("keywords", _("Matching words (one a line)"), "lines"),
        Column("objectives", _("Objectives (ids, one a line; none: the activity's)"), "lines"),
    ),
)


# Form text <-> values.


def form_text(widget: str, value: object) -> str:
    if value is None:
        return ""
    if widget == "lines":
        return "\n".join(str(item) for item in value)
    return str(value)


def parse_text(widget: str, text: str) -> object:
    """The value a person typed, leniently: the schema check that follows says what is wrong."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if widget == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()] or None
    text = text.strip()
    if not text:
        return None
    if widget == "number" and re.fullmatch(r"[+-]?[0-9]{1,9}", text):
        return int(text)
    return text


def spans_lines(items: object) -> bool:
    return any("\n" in str(item) for item in items or [])


def drop_empty(value: object) -> object:
    if value in (None, "", [], {}):
        return None
    return value


# Targets: the record a field belongs to.


@dataclass
class Target:
    """The lesson, a lesson-map row, a slide or an activity of one lesson version."""

    kind: str
    ident: str
    row: Lesson | Section | Slide | Activity
    type: RecordType
    fields: tuple[FieldSpec, ...]

    @property
    def key(self) -> str:
        return self.kind if self.kind == "lesson" else f"{self.kind}:{self.ident}"

    @property
    def label(self) -> str:
        if self.kind == "lesson":
            return gettext("Lesson")
        if self.kind == "section":
            return gettext("Lesson map row %(number)s") % {"number": self.ident}
        if self.kind == "slide":
            return gettext("Slide %(number)s") % {"number": self.ident}
        return gettext("Activity %(code)s") % {"code": self.ident}

    def record(self) -> dict:
        """The target as the YAML-shaped mapping `dump()` writes, empty values left out."""
        return canonical(self.type.read(self.row), self.type.spec)

    def preview(self, data) -> "Preview":
        """The row filled, in memory only, with the values the form `data` holds, for a preview
        rendered exactly as the console renders the stored row. A value the field would refuse
        is left out of the preview; the notes say which and why."""
        record = self.record()
        notes = []
        for spec in self.fields:
            bound = BoundField(self, spec, get_path(record, spec.path))
            if not bound.present_in(data):
                continue
            try:
                value = bound.check(bound.parse(data))
            except FieldInvalid as invalid:
                notes.append(
                    gettext("%(field)s: %(problem)s")
                    % {"field": spec.label, "problem": invalid.messages[0]}
                )
                continue
            set_path(record, spec.path, value)
        if self.kind == "activity":
            # The summaries need a whole size and the parts of the form's kind.
            size = record.get("grouping", {}).get("size", {})
            if not ("min" in size and "max" in size):
                record.get("grouping", {}).pop("size", None)
            form = record.setdefault("response_form", {})
            form.setdefault("columns", [])
            form.setdefault("rows", [])
            form.setdefault("fields", [])
        self.type.fill(self.row, record, keys=[spec.path[0] for spec in self.fields])
        shown = self.row
        if self.kind == "activity":
            shown = UnsavedActivity(self.row, self.type.child_rows(self.row, record))
        return Preview(shown, notes)


class UnsavedRows(list):
    """Rows that are not stored, read as a template reads a related manager: `rows.all`."""

    def all(self) -> list:
        return self


class UnsavedActivity:
    """An activity as the form says it, not stored: the row (filled in memory) for everything
    but its phases and key points, which are the form's, unsaved."""

    def __init__(self, activity: Activity, children: dict[str, list]) -> None:
        self.activity = activity
        self.phases = UnsavedRows(children["phases"])
        self.key_points = UnsavedRows(children["key_points"])

    def __getattr__(self, name: str) -> object:
        return getattr(self.activity, name)


@dataclass(frozen=True)
class Preview:
    """What the editor's preview renders (`row`) and what it left out (`notes`)."""

    row: Lesson | Section | Slide | UnsavedActivity
    notes: list[str]


def lesson_target(lesson: Lesson) -> Target:
    return Target("lesson", "", lesson, LESSON_RECORD, LESSON_FIELDS)


def section_target(section: Section) -> Target:
    return Target("section", str(section.position), section, SECTION_RECORD, SECTION_FIELDS)


def slide_target(slide: Slide) -> Target:
    return Target("slide", str(slide.number), slide, SLIDE_RECORD, SLIDE_FIELDS)


def activity_target(activity: Activity) -> Target:
    return Target("activity", activity.code, activity, ACTIVITY_RECORD, ACTIVITY_FIELDS)


def find_target(lesson: Lesson, key: str) -> Target:
    """The target named by the start of a field key, e.g. `slide:13` of `slide:13:body`."""
    kind, _, ident = key.partition(":")
    try:
        if kind == "lesson":
            return lesson_target(lesson)
        if kind == "section" and parse_int(ident) is not None:
            return section_target(lesson.sections.get(position=parse_int(ident)))
        if kind == "slide" and parse_int(ident) is not None:
            return slide_target(lesson.slides.get(number=parse_int(ident)))
        if kind == "activity":
            return activity_target(
                lesson.activities.prefetch_related("phases", "key_points").get(code=ident)
            )
    except (Section.DoesNotExist, Slide.DoesNotExist, Activity.DoesNotExist):
        pass
    raise UnknownField(gettext("This version has no %(part)s.") % {"part": key.replace(":", " ")})


def field_anchor(target: Target, name: str) -> str:
    """The id of a field's form on its page, e.g. `f-slide-13-body`."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", f"{target.key}:{name}").strip("-")


def split_key(key: str) -> tuple[str, str]:
    """`slide:13:body` -> (`slide:13`, `body`); `lesson:aim` -> (`lesson`, `aim`)."""
    head, _, name = key.rpartition(":")
    return head, name


# A field bound to its target: read, parse, check and write one value.


@dataclass
class BoundField:
    target: Target
    spec: FieldSpec
    value: object = None

    @property
    def key(self) -> str:
        return f"{self.target.key}:{self.spec.name}"

    @property
    def anchor(self) -> str:
        return field_anchor(self.target, self.spec.name)

    @property
    def label(self) -> str:
        return str(self.spec.label)

    @property
    def widget(self) -> str:
        return self.spec.widget

    @property
    def representable(self) -> bool:
        """Whether the form can show the value: an item of a one-a-line list that spans several
        lines cannot be, and such a field is left to the YAML files."""
        if self.spec.widget == "lines":
            return not spans_lines(self.value)
        if self.spec.widget == "rows":
            return not any(
                spans_lines(item.get(column.name))
                for item in self.value or []
                for column in self.spec.columns
                if column.widget == "lines" and isinstance(item, dict)
            )
        return True

    @property
    def autosaves(self) -> bool:
        """A one-line value is saved as soon as it changes; longer texts with their button."""
        return self.spec.widget in ("line", "number", "choice")

    def text(self, value: object = None) -> str:
        """The value as the text of its input (not for `rows`)."""
        return form_text(self.spec.widget, self.value if value is None else value)

    def cells(self, value: object = None) -> list[list[tuple[Column, str]]]:
        """The value of a `rows` field as rows of (column, cell text)."""
        items = (self.value if value is None else value) or []
        return [[(column, column.cell(item)) for column in self.spec.columns] for item in items]

    def as_yaml(self, value: object = None) -> str:
        """A value as readable text: what the field shows when two saves collide."""
        value = self.value if value is None else value
        if value is None:
            return ""
        if self.spec.widget != "rows":
            return self.text(value)
        return to_yaml(value, key_at(self.target.type.spec, self.spec.path).spec).rstrip("\n")

    def present_in(self, data) -> bool:
        if self.spec.widget == "rows":
            return f"{self.key}.{self.spec.columns[0].name}" in data
        return self.key in data

    def parse(self, data) -> object:
        """The value the form `data` (a QueryDict) holds for this field, unchecked."""
        if self.spec.widget != "rows":
            return parse_text(self.spec.widget, data.get(self.key, ""))
        cells = [data.getlist(f"{self.key}.{column.name}") for column in self.spec.columns]
        if len({len(column_cells) for column_cells in cells}) > 1:
            raise FieldInvalid([gettext("the form was incomplete; reload the page and try again")])
        items = []
        for row in zip(*cells, strict=True):
            parsed = [
                column.parse(text) for column, text in zip(self.spec.columns, row, strict=True)
            ]
            if all(value is None for value in parsed):
                continue
            if self.spec.columns[0].name == "":
                items.append(parsed[0])
            else:
                items.append(
                    {
                        column.name: value
                        for column, value in zip(self.spec.columns, parsed, strict=True)
                        if value is not None
                    }
                )
        return items or None

    def check(self, value: object) -> object:
        """`value` as the schema cleans it, or `FieldInvalid` with the schema's messages."""
        key = key_at(self.target.type.spec, self.spec.path)
        if drop_empty(value) is None:
            if key.required:
                raise FieldInvalid([gettext("is required")])
            return None
        clean, problems = check_value(key.spec, value, file=self.target.key, path=self.spec.name)
        if problems:
            raise FieldInvalid([self.problem_text(problem) for problem in problems])
        return clean

    def prepare(self, value: object) -> PreparedWrite:
        """The target's rows with the field set to `value`, rendered, not yet stored."""
        record = copy.deepcopy(self.target.record())
        set_path(record, self.spec.path, value)
        return self.target.type.prepare(self.target.row, record, self.spec.path[0])

    def write(self, value: object, prepared: PreparedWrite | None = None) -> None:
        """Store `value`; `prepared` is the same write rendered before the transaction."""
        (prepared or self.prepare(value)).save(self.target.row)
        self.value = value

    @property
    def applies(self) -> bool:
        """Whether the editor shows the field: a response-form part only for its kind of form,
        or while it still holds a value (which validation then reports as misplaced)."""
        return not self.misplaced_part or self.value is not None

    @property
    def misplaced(self) -> bool:
        return self.misplaced_part and self.value is not None

    @property
    def misplaced_part(self) -> bool:
        if self.spec.path[0] != "response_form" or self.spec.path[1] == "kind":
            return False
        kind = KINDS.get(self.target.row.response_form.get("kind"))
        return kind is None or self.spec.path[1] not in kind.parts()

    def problem_text(self, problem: LessonProblem) -> str:
        """`phases[2].minutes: …` said from inside the field: `row 2 · minutes: …`."""
        inside = problem.field.removeprefix(self.spec.name)
        row = gettext("row %(number)s")
        inside = re.sub(r"\[(\d+)\]", lambda match: " " + row % {"number": match[1]} + ".", inside)
        inside = re.sub(r"( · )+", " · ", inside.replace(".", " · ").strip(" ·"))
        if not inside:
            return problem.message
        return gettext("%(field)s: %(problem)s") % {"field": inside, "problem": problem.message}


def get_path(record: dict, path: tuple[str, ...]) -> object:
    value: object = record
    for name in path:
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
    return value


def set_path(record: dict, path: tuple[str, ...], value: object) -> None:
    """Set or (for an empty value) remove `path`, removing mappings it leaves empty."""
    parents = [record]
    for name in path[:-1]:
        parents.append(parents[-1].setdefault(name, {}))
    if drop_empty(value) is None:
        parents[-1].pop(path[-1], None)
    else:
        parents[-1][path[-1]] = value
    for parent, name in zip(reversed(parents[:-1]), reversed(path[:-1]), strict=True):
        if parent.get(name) == {}:
            parent.pop(name)


def bind(target: Target, spec: FieldSpec) -> BoundField:
    return BoundField(target, spec, get_path(target.record(), spec.path))


def bind_all(target: Target) -> list[BoundField]:
    record = target.record()
    return [BoundField(target, spec, get_path(record, spec.path)) for spec in target.fields]


def bind_key(lesson: Lesson, key: str) -> BoundField:
    head, name = split_key(key)
    target = find_target(lesson, head)
    spec = next((spec for spec in target.fields if spec.name == name), None)
    if spec is None:
        raise UnknownField(
            gettext("%(part)s has no field %(name)r the editor can change.")
            % {"part": target.label, "name": name}
        )
    return bind(target, spec)
