"""One lesson record ↔ its database row, said once per record type.

A record is a YAML mapping of the lesson (the lesson itself, an objective, a lesson-map row, a
slide, an activity, a phase, a key point); its row is the model instance that stores it. Each
`RecordType` lists the record's keys as `Column`s: which model field(s) a key is stored in and
how its value is converted each way. A Markdown key has a rendered `<field>_html` column, filled
by `render_html` whenever the key is filled: callers fill rows before they open a write
transaction (rendering can take seconds, and on SQLite the transaction holds every phone).

- the loader builds rows from records: `LESSON_RECORD.build(data, ...)`, `.child_rows(...)`;
- the exporter reads them back: `SLIDE_RECORD.read(slide)`, so `dump(load(doc)) == doc`;
- the editor sets one key: `SLIDE_RECORD.prepare(slide, record, "body")` renders it before the
  write transaction, `PreparedWrite.save` stores that key's columns inside it; the preview
  fills a row in memory with `fill(row, record, keys=...)`;
- `check_value` checks a value the editor holds with the schema's own checks.
"""

import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import yaml
from django.db import models

from lessons.canonical import LessonDumper, canonical
from lessons.checks import slide_bounds
from lessons.errors import LessonProblem
from lessons.models import Activity, KeyPoint, Lesson, Objective, Phase, Section, Slide
from lessons.schema import ACTIVITY, LESSON, LESSON_MAP_ROW, SLIDE, Key, Record, Spec, Where

# Rows a record may point at by a YAML value: a slide's `activity: 5.2` names an activity of
# the same section file.
Links = Mapping[str, Mapping[str, models.Model]]


def key_at(record: Record, path: Iterable[str]) -> Key:
    """The schema's key at `path` inside `record`, e.g. `("grouping", "size", "min")`."""
    spec: Spec = record
    for name in path:
        key = next(key for key in spec.resolved().keys if key.name == name)
        spec = key.spec
    return key


def spec_of(record: Record, path: Iterable[str]) -> Spec:
    return key_at(record, path).spec


def render_html(spec: Spec, value: object) -> object:
    """`value` with every Markdown text rendered to safe HTML, in the shape of `value`: the one
    function that fills the `*_html` columns."""
    return spec.render(value)


@dataclass(frozen=True)
class Column:
    """A YAML key of a record and how it is stored: `read` gives the YAML value of a row,
    `fill` puts a YAML value (None when the key is absent) into a row, in memory only."""

    key: str
    read: Callable[[models.Model], object]
    fill: Callable[[models.Model, object, Links], None]
    fields: tuple[str, ...]  # the model fields it is stored in


def plain(
    key: str,
    field: str = "",
    *,
    default: object = None,
    copy: Callable[[object], object] | None = None,
) -> Column:
    """A key stored as it is in one field (`field`, by default the key's own name)."""
    name = field or key
    convert = copy or (lambda value: value)

    def fill(row: models.Model, value: object, links: Links) -> None:
        setattr(row, name, convert(default if value is None else value))

    return Column(key, lambda row: getattr(row, name), fill, (name,))


def derived() -> Column:
    """`derived:`, the reasons a value is not in the source; kept as a copy of the mapping."""
    return plain("derived", default={}, copy=dict)


def listed(key: str, field: str = "") -> Column:
    return plain(key, field, default=[], copy=list)


def rendered(record: Record, key: str, *, default: object = "") -> Column:
    """A key with Markdown in it, stored as written in `<key>` and as HTML in `<key>_html`.
    An absent value is stored as `default` (its HTML: the same, for `None`)."""
    spec = spec_of(record, [key])

    def fill(row: models.Model, value: object, links: Links) -> None:
        value = value or default
        setattr(row, key, value)
        setattr(row, f"{key}_html", None if value is None else render_html(spec, value))

    return Column(key, lambda row: getattr(row, key), fill, (key, f"{key}_html"))


def parts(key: str, **fields: str) -> Column:
    """A mapping of numbers kept in one field each: `minutes: {total: …}` in `minutes_total`."""

    def read(row: models.Model) -> dict:
        return {part: getattr(row, field) for part, field in fields.items()}

    def fill(row: models.Model, value: object, links: Links) -> None:
        for part, field in fields.items():
            setattr(row, field, (value or {}).get(part, 0))

    return Column(key, read, fill, tuple(fields.values()))


def constant(key: str, value: object) -> Column:
    """A key every record of the type has with the same value, not stored (`format: 1`)."""
    return Column(key, lambda row: value, lambda row, given, links: None, ())


def slide_range() -> Column:
    """A lesson-map row's `slides: 5-10` (or `11`): as written, and its first and last slide."""

    def read(section: Section) -> object:
        label = section.slides_label
        return int(label) if label.isdigit() else label

    def fill(section: Section, value: object, links: Links) -> None:
        section.slides_label = str(value)
        section.first_slide, section.last_slide = slide_bounds(value)

    return Column("slides", read, fill, ("slides_label", "first_slide", "last_slide"))


def linked(key: str, field: str, by: str) -> Column:
    """A key that names another row by its `by` value (a slide's `activity: 5.2`); `links[key]`
    holds the rows it may name."""

    def read(row: models.Model) -> object:
        other = getattr(row, field)
        return getattr(other, by) if other is not None else None

    def fill(row: models.Model, value: object, links: Links) -> None:
        setattr(row, field, links.get(key, {}).get(value))

    return Column(key, read, fill, (field,))


def objectives_intro() -> Column:
    """`learning_objectives:` keeps its `intro` on the lesson; its `items` are `Objective` rows."""
    return Column(
        "learning_objectives",
        lambda lesson: {"intro": lesson.learning_objectives.get("intro", "")},
        lambda lesson, value, links: setattr(
            lesson, "learning_objectives", {"intro": (value or {}).get("intro", "")}
        ),
        ("learning_objectives",),
    )


@dataclass(frozen=True)
class Children:
    """A list of a record kept as rows of their own (an activity's `phases`), each row
    numbered by its `position` and pointing at its parent by `parent`."""

    path: tuple[str, ...]
    type: "RecordType"
    related_name: str
    parent: str

    def items(self, data: Mapping) -> list:
        value: object = data
        for name in self.path:
            value = value.get(name) if isinstance(value, Mapping) else None
        return list(value or [])

    def rows(self, parent: models.Model, data: Mapping) -> list[models.Model]:
        return [
            self.type.build(item, position=position, **{self.parent: parent})
            for position, item in enumerate(self.items(data), start=1)
        ]

    def read(self, parent: models.Model) -> list[dict]:
        return [self.type.read(row) for row in getattr(parent, self.related_name).all()]


@dataclass(frozen=True)
class RecordType:
    model: type[models.Model]
    spec: Record
    columns: tuple[Column, ...]
    children: tuple[Children, ...] = ()

    def build(self, data: Mapping, *, links: Links | None = None, **fields) -> models.Model:
        """A new row (not saved) for the record `data`; `fields` are those outside the YAML
        (its parent, position, status…)."""
        row = self.model(**fields)
        self.fill(row, data, links=links)
        return row

    def fill(
        self,
        row: models.Model,
        data: Mapping,
        *,
        keys: Iterable[str] | None = None,
        links: Links | None = None,
    ) -> None:
        """Put the record's values (or those of `keys` only) into `row`, in memory."""
        wanted = None if keys is None else set(keys)
        for column in self.columns:
            if wanted is None or column.key in wanted:
                column.fill(row, data.get(column.key), links or {})

    def read(self, row: models.Model) -> dict:
        """The record as the YAML says it, empty values included (`canonical` drops them)."""
        data = {column.key: column.read(row) for column in self.columns}
        for children in self.children:
            parent = data
            for name in children.path[:-1]:
                parent = parent.setdefault(name, {})
            parent[children.path[-1]] = children.read(row)
        return data

    def child_rows(self, row: models.Model, data: Mapping) -> dict[str, list[models.Model]]:
        """The rows of the record's lists, by related name (`phases`), not saved."""
        return {children.related_name: children.rows(row, data) for children in self.children}

    def fields_of(self, key: str) -> list[str]:
        return [name for column in self.columns if column.key == key for name in column.fields]

    def prepare(self, row: models.Model, data: Mapping, key: str) -> "PreparedWrite":
        """The key `key` of the record `data` put into `row` and its child rows, rendered and
        ready to store: prepared before the write transaction, saved inside it."""
        self.fill(row, data, keys=[key])
        children = [(item, item.rows(row, data)) for item in self.children if item.path[0] == key]
        return PreparedWrite(self, row, key, children)


@dataclass(frozen=True)
class PreparedWrite:
    type: RecordType
    row: models.Model
    key: str
    children: list[tuple[Children, list[models.Model]]]

    def save(self, onto: models.Model) -> None:
        """Store the prepared values in the row `onto` (the same row, as read under the lock):
        only the key's own columns, so no other column is written from an earlier read."""
        fields = self.type.fields_of(self.key)
        for name in fields:
            setattr(onto, name, getattr(self.row, name))
        if fields:
            onto.save(update_fields=fields)
        for children, rows in self.children:
            getattr(onto, children.related_name).all().delete()
            for row in rows:
                setattr(row, children.parent, onto)
            children.type.model.objects.bulk_create(rows)


OBJECTIVE = RecordType(
    Objective,
    spec_of(LESSON, ["learning_objectives", "items"]).item,
    (plain("id", "code"), plain("text")),
)
LESSON_RECORD = RecordType(
    Lesson,
    LESSON,
    (
        constant("format", 1),
        plain("slug"),
        plain("title"),
        plain("language"),
        rendered(LESSON, "aim"),
        rendered(LESSON, "relevance"),
        objectives_intro(),
        parts(
            "minutes",
            total="minutes_total",
            presentation="minutes_presentation",
            interaction="minutes_interaction",
        ),
        rendered(LESSON, "opening", default=None),
        rendered(LESSON, "references", default=[]),
        derived(),
    ),
    (Children(("learning_objectives", "items"), OBJECTIVE, "objectives", "lesson"),),
)
SECTION_RECORD = RecordType(
    Section,
    LESSON_MAP_ROW,
    (
        plain("title"),
        slide_range(),
        plain("kind"),
        parts("minutes", presentation="minutes_presentation", interaction="minutes_interaction"),
        plain("file"),
        derived(),
    ),
)
SLIDE_RECORD = RecordType(
    Slide,
    SLIDE,
    (
        plain("number"),
        plain("title"),
        *(
            rendered(SLIDE, name)
            for name in ("key_message", "body", "reveal", "notes", "instructor_notes", "transition")
        ),
        rendered(SLIDE, "questions", default=[]),
        linked("activity", "activity", by="code"),
        derived(),
    ),
)
PHASE = RecordType(Phase, spec_of(ACTIVITY, ["phases"]).item, (plain("name"), plain("minutes")))
KEY_POINT_SPEC = spec_of(ACTIVITY, ["key_points"]).item
KEY_POINT = RecordType(
    KeyPoint,
    KEY_POINT_SPEC,
    (
        rendered(KEY_POINT_SPEC, "text"),
        plain("slot", default=""),
        listed("keywords"),
        listed("objectives", "objective_codes"),
    ),
)
ACTIVITY_RECORD = RecordType(
    Activity,
    ACTIVITY,
    (
        plain("code"),
        plain("kind"),
        plain("title"),
        rendered(ACTIVITY, "purpose"),
        rendered(ACTIVITY, "task"),
        rendered(ACTIVITY, "instructions", default=[]),
        listed("resources"),
        plain("grouping", default={}, copy=dict),
        plain("minutes", default=0),
        plain("response_form", default={}, copy=dict),
        rendered(ACTIVITY, "instructor_notes"),
        listed("objectives", "objective_codes"),
        derived(),
    ),
    (
        Children(("phases",), PHASE, "phases", "activity"),
        Children(("key_points",), KEY_POINT, "key_points", "activity"),
    ),
)


# Checking a value the editor holds, with the schema's own checks.


def check_value(spec: Spec, value: object, *, file: str, path: str) -> tuple[object, list]:
    """`value` as `spec` cleans it, with the problems `checklesson` would report for it.

    The schema checks YAML nodes (they carry the lines its problems name); a value from a form
    is turned into the nodes it would be written as, numbered in written order, not into text
    to parse again. The clean value is plain JSON (the schema's values remember their lines).
    """
    problems: list[LessonProblem] = []
    node = LessonDumper(io.StringIO(), sort_keys=False).represent_data(canonical(value, spec))
    number_lines(node, itertools.count())
    clean = spec.check(node, Where(file, problems), path)
    return json.loads(json.dumps(clean)), sorted(problems)


def number_lines(node: yaml.Node, lines: Iterator[int]) -> None:
    node.start_mark = yaml.Mark("", 0, next(lines), 0, None, None)
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            number_lines(item, lines)
    elif isinstance(node, yaml.MappingNode):
        for key, item in node.value:
            number_lines(key, lines)
            number_lines(item, lines)
