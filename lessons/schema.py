"""The shape of lesson YAML, checked node by node so every problem names its line.

A spec is a small tree of `Spec` objects. `Spec.check(node, where)` turns a composed YAML node
into plain Python values (`Located` dicts and lists keep the line of every key and item) and
adds a `LessonProblem` for every mismatch, so one pass reports everything that is wrong.
`Spec.render(value)` gives the same shape with every Markdown string rendered to HTML.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from yaml import MappingNode, Node, ScalarNode, SequenceNode

from lessons.errors import LessonProblem
from lessons.markdown import render_markdown

MAX_TEXT_LENGTH = 20_000
# The messages are the editor's too, so they are translated; `checklesson` and the tests run in
# English, where every message reads exactly as before.


class Located(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int
    lines: dict[str, int]


class LocatedList(list):
    line: int
    lines: list[int]


@dataclass
class Where:
    """The file being checked and the problems found so far."""

    file: str
    problems: list[LessonProblem]

    def problem(self, node: Node, path: str, message: str) -> None:
        self.problems.append(LessonProblem(self.file, line_of(node), path, message))


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return gettext("a mapping")
    if isinstance(node, SequenceNode):
        return gettext("a list")
    if node.tag.endswith(":null"):
        return gettext("nothing (null)")
    if node.tag.endswith(":int"):
        return gettext("a number")
    if node.tag.endswith(":bool"):
        return gettext("true/false")
    return gettext("text")


def expected_found(description: object, found: str) -> str:
    return gettext("expected %(expected)s, found %(found)s") % {
        "expected": description,
        "found": found,
    }


def is_not(value: object, description: object) -> str:
    return gettext("%(value)r is not %(description)s") % {
        "value": value,
        "description": description,
    }


class Spec:
    description = _("a value")

    def check(self, node: Node, where: Where, path: str) -> object:
        raise NotImplementedError

    def render(self, value: object) -> object:
        return value

    def resolved(self, value: object = None) -> "Spec":
        """The spec that describes `value`: itself, but for a spec decided by the value."""
        return self


@dataclass
class Text(Spec):
    markdown: bool = False
    max_length: int = MAX_TEXT_LENGTH
    pattern: str | None = None
    pattern_hint: object = ""  # a lazily translated text

    @property
    def description(self) -> str:
        return gettext("Markdown text") if self.markdown else gettext("text")

    def check(self, node: Node, where: Where, path: str) -> object:
        if not isinstance(node, ScalarNode) or node.tag.endswith((":null", ":bool")):
            where.problem(node, path, expected_found(self.description, kind_of(node)))
            return None
        value = str(node.value).strip()
        if not value:
            where.problem(node, path, gettext("must not be empty"))
            return None
        if len(value) > self.max_length:
            where.problem(
                node,
                path,
                gettext("is %(length)s characters long; the limit is %(limit)s")
                % {"length": len(value), "limit": self.max_length},
            )
            return None
        if self.pattern and not re.fullmatch(self.pattern, value):
            where.problem(node, path, is_not(value, self.pattern_hint))
            return None
        return value

    def render(self, value: object) -> object:
        return render_markdown(value) if self.markdown else value


@dataclass
class Integer(Spec):
    minimum: int = 0
    maximum: int = 10_000
    description = _("a whole number")

    def check(self, node: Node, where: Where, path: str) -> object:
        if not isinstance(node, ScalarNode) or not node.tag.endswith(":int"):
            where.problem(node, path, expected_found(self.description, kind_of(node)))
            return None
        value = int(node.value)
        if not self.minimum <= value <= self.maximum:
            where.problem(
                node,
                path,
                gettext("%(value)s is outside %(minimum)s–%(maximum)s")
                % {"value": value, "minimum": self.minimum, "maximum": self.maximum},
            )
            return None
        return value


@dataclass
class Choice(Spec):
    choices: tuple[str, ...]

    @property
    def description(self) -> str:
        return gettext("one of %(choices)s") % {"choices": ", ".join(self.choices)}

    def check(self, node: Node, where: Where, path: str) -> object:
        value = Text().check(node, where, path)
        if value is None:
            return None
        if value not in self.choices:
            where.problem(node, path, is_not(value, self.description))
            return None
        return value


@dataclass
class SlideRange(Spec):
    """`5-10` or `11`: the slides a lesson-map row covers, kept as the author wrote it."""

    description = _("a slide number or a range such as 5-10")

    def check(self, node: Node, where: Where, path: str) -> object:
        if isinstance(node, ScalarNode):
            match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", str(node.value))
            if match:
                first = int(match[1])
                last = int(match[2] or first)
                if first <= last:
                    return f"{first}-{last}" if match[2] else first
                where.problem(
                    node,
                    path,
                    gettext("range %(range)r ends before it starts") % {"range": node.value},
                )
                return None
        where.problem(node, path, expected_found(self.description, repr(node.value)))
        return None


@dataclass
class ListOf(Spec):
    item: Spec
    min_items: int = 0
    max_items: int = 500

    @property
    def description(self) -> str:
        return gettext("a list")

    def check(self, node: Node, where: Where, path: str) -> object:
        if not isinstance(node, SequenceNode):
            where.problem(node, path, expected_found(self.description, kind_of(node)))
            return None
        if len(node.value) < self.min_items:
            where.problem(
                node,
                path,
                gettext("needs at least %(count)s item(s)") % {"count": self.min_items},
            )
        if len(node.value) > self.max_items:
            where.problem(
                node,
                path,
                gettext("has %(count)s items; the limit is %(limit)s")
                % {"count": len(node.value), "limit": self.max_items},
            )
            return None
        result = LocatedList()
        result.line = line_of(node)
        result.lines = []
        for index, child in enumerate(node.value):
            result.append(self.item.check(child, where, f"{path}[{index + 1}]"))
            result.lines.append(line_of(child))
        return result

    def render(self, value: object) -> object:
        return [self.item.render(item) for item in value]


@dataclass
class Key:
    name: str
    spec: Spec
    required: bool = False


@dataclass
class Record(Spec):
    keys: list[Key]
    extra_check: Callable[[Located, Where, str], None] | None = None
    description = _("a mapping")

    def key_names(self) -> list[str]:
        return [key.name for key in self.keys]

    def check(self, node: Node, where: Where, path: str) -> object:
        if not isinstance(node, MappingNode):
            where.problem(node, path, expected_found(self.description, kind_of(node)))
            return None
        known = {key.name: key for key in self.keys}
        result = Located()
        result.line = line_of(node)
        result.lines = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            field_path = f"{path}.{name}" if path else name
            if name not in known:
                where.problem(key_node, field_path, unknown_key_message(name, known))
                continue
            if name in result.lines:
                where.problem(key_node, field_path, gettext("appears twice"))
                continue
            result.lines[name] = line_of(key_node)
            value = known[name].spec.check(value_node, where, field_path)
            if value is not None:
                result[name] = value
        for key in self.keys:
            if key.required and key.name not in result and key.name not in result.lines:
                where.problem(
                    node, f"{path}.{key.name}" if path else key.name, gettext("is required")
                )
        if self.extra_check:
            self.extra_check(result, where, path)
        return result

    def render(self, value: object) -> object:
        specs = {key.name: key.spec for key in self.keys}
        return {name: specs[name].render(item) for name, item in value.items()}


@dataclass
class TextMap(Spec):
    """`derived:` — field name to the reason its value is not in the source."""

    description = _("a mapping of field name to reason")
    reason: Text = field(default_factory=Text)

    def check(self, node: Node, where: Where, path: str) -> object:
        if not isinstance(node, MappingNode):
            where.problem(node, path, expected_found(self.description, kind_of(node)))
            return None
        result = Located()
        result.line = line_of(node)
        result.lines = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            result.lines[name] = line_of(key_node)
            reason = self.reason.check(value_node, where, f"{path}.{name}")
            if reason is not None:
                result[name] = reason
        return result


def unknown_key_message(name: str, known: dict[str, Key]) -> str:
    nearest = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    names = {"name": name, "known": ", ".join(known)}
    if nearest:
        message = gettext("unknown key %(name)r; did you mean %(nearest)r? (known keys: %(known)s)")
        return message % (names | {"nearest": nearest[0]})
    return gettext("unknown key %(name)r (known keys: %(known)s)") % names


def unique_within(list_key: str, item_key: str) -> Callable[[Located, Where, str], None]:
    """A check that the items of `list_key` have distinct `item_key` values."""

    def check(record: Located, where: Where, path: str) -> None:
        seen: set[str] = set()
        items = record.get(list_key) or []
        for index, item in enumerate(items):
            if not item or item_key not in item:
                continue
            if item[item_key] in seen:
                where.problems.append(
                    LessonProblem(
                        where.file,
                        items.lines[index],
                        f"{path}.{list_key}[{index + 1}].{item_key}",
                        gettext("%(value)r is used twice") % {"value": item[item_key]},
                    )
                )
            seen.add(item[item_key])

    return check


# The lesson format (see content/FORMAT.md).

PLAIN = Text()
MARKDOWN = Text(markdown=True)
DERIVED = Key("derived", TextMap())

# Learning objectives: the lesson lists them with short ids; activities and key points cite the
# ids (lessons/objectives.py checks that each cited id exists).
OBJECTIVE_ID = Text(
    pattern=r"[a-z0-9][a-z0-9-]{0,29}", pattern_hint=_("a short id: lower-case letters, digits, -")
)
LEARNING_OBJECTIVES = Record(
    [
        Key("intro", PLAIN, required=True),
        Key(
            "items",
            ListOf(
                Record([Key("id", OBJECTIVE_ID, required=True), Key("text", PLAIN, required=True)]),
                min_items=1,
                max_items=50,
            ),
            required=True,
        ),
    ],
    extra_check=unique_within("items", "id"),
)
OBJECTIVE_REFERENCES = Key("objectives", ListOf(OBJECTIVE_ID, max_items=50))

QUESTION = Record(
    [Key("ask", MARKDOWN, required=True), Key("expected_responses", ListOf(MARKDOWN))]
)

LESSON_MAP_ROW = Record(
    [
        Key("title", PLAIN, required=True),
        Key("slides", SlideRange(), required=True),
        Key("kind", Choice(("presentation", "activity")), required=True),
        Key(
            "minutes",
            Record(
                [
                    Key("presentation", Integer(maximum=600), required=True),
                    Key("interaction", Integer(maximum=600), required=True),
                ]
            ),
            required=True,
        ),
        Key(
            "file",
            Text(pattern=r"[A-Za-z0-9_./-]+\.ya?ml", pattern_hint=_("a relative .yaml path")),
            required=True,
        ),
        DERIVED,
    ]
)

REFERENCE_GROUP = Record(
    [
        Key("heading", PLAIN, required=True),
        Key("intro", MARKDOWN),
        Key("items", ListOf(MARKDOWN)),
        Key("outro", MARKDOWN),
    ]
)

LESSON = Record(
    [
        Key("format", Integer(minimum=1, maximum=1), required=True),
        Key(
            "slug",
            Text(
                pattern=r"[a-z0-9][a-z0-9-]{0,49}", pattern_hint=_("lower-case letters, digits, -")
            ),
            required=True,
        ),
        Key("title", PLAIN, required=True),
        Key("language", Choice(("en", "fr")), required=True),
        Key("aim", MARKDOWN, required=True),
        Key("relevance", MARKDOWN, required=True),
        Key("learning_objectives", LEARNING_OBJECTIVES, required=True),
        Key(
            "minutes",
            Record(
                [
                    Key("total", Integer(minimum=1, maximum=1440), required=True),
                    Key("presentation", Integer(maximum=1440), required=True),
                    Key("interaction", Integer(maximum=1440), required=True),
                ]
            ),
            required=True,
        ),
        Key(
            "opening",
            Record(
                [
                    Key("intro", MARKDOWN),
                    Key(
                        "options",
                        ListOf(
                            Record(
                                [
                                    Key("text", MARKDOWN, required=True),
                                    Key("questions", ListOf(QUESTION)),
                                ]
                            )
                        ),
                    ),
                    Key("introduce", MARKDOWN),
                    Key("language_note", MARKDOWN),
                    Key("minutes", Integer(minimum=0, maximum=600)),
                ]
            ),
        ),
        Key("lesson_map", ListOf(LESSON_MAP_ROW, min_items=1), required=True),
        Key("references", ListOf(REFERENCE_GROUP)),
        DERIVED,
    ]
)

SLIDE = Record(
    [
        Key("number", Integer(minimum=1, maximum=999), required=True),
        Key("title", PLAIN, required=True),
        Key("key_message", MARKDOWN),
        Key("body", MARKDOWN),
        Key("reveal", MARKDOWN),
        Key("notes", MARKDOWN),
        Key("instructor_notes", MARKDOWN),
        Key("transition", MARKDOWN),
        Key("questions", ListOf(QUESTION)),
        Key("activity", PLAIN),
        DERIVED,
    ]
)


def response_form_spec(value: object = None) -> Record:
    """The `response_form` mapping: its `kind`, then the keys of every registered kind, each
    kind saying which of them it needs and uses (lessons/forms/). For a form of a known kind,
    its own keys come first, in its order: the order they are written in."""
    from lessons import forms  # the kinds' modules build their keys from this module's specs

    keys = forms.form_keys()
    kind = forms.KINDS.get(value.get("kind")) if isinstance(value, dict) else None
    if kind is not None:
        keys = [*kind.keys, *(key for key in keys if key.name not in kind.parts())]
    return Record(
        [Key("kind", Choice(forms.kind_names()), required=True), *keys],
        extra_check=forms.check_response_form,
    )


@dataclass
class Deferred(Spec):
    """A spec built when it is used, from what is registered by then and from the value."""

    build: Callable[[object], Spec]

    @property
    def description(self) -> str:
        return self.build(None).description

    def check(self, node: Node, where: Where, path: str) -> object:
        return self.build(None).check(node, where, path)

    def render(self, value: object) -> object:
        return self.build(value).render(value)

    def resolved(self, value: object = None) -> Spec:
        return self.build(value)


RESPONSE_FORM = Deferred(response_form_spec)

GROUPING = Record(
    [
        Key("kind", Choice(("groups", "pairs_or_groups", "class")), required=True),
        Key(
            "size",
            Record(
                [
                    Key("min", Integer(minimum=1, maximum=50), required=True),
                    Key("max", Integer(minimum=1, maximum=50), required=True),
                ]
            ),
        ),
        Key("count", Integer(minimum=1, maximum=50)),
        Key(
            "assignments",
            ListOf(
                Record([Key("label", PLAIN, required=True), Key("prompt", PLAIN, required=True)])
            ),
        ),
    ],
    extra_check=unique_within("assignments", "label"),
)

ACTIVITY = Record(
    [
        Key(
            "code",
            Text(
                pattern=r"[A-Za-z0-9][A-Za-z0-9.-]{0,29}", pattern_hint=_("a short code like 5.1")
            ),
            required=True,
        ),
        Key("kind", Choice(("learning_activity", "group_task", "brainstorm")), required=True),
        Key("title", PLAIN, required=True),
        Key("purpose", MARKDOWN),
        Key("task", MARKDOWN),
        Key("instructions", ListOf(MARKDOWN, min_items=1), required=True),
        Key("resources", ListOf(PLAIN)),
        Key("grouping", GROUPING, required=True),
        Key("minutes", Integer(minimum=1, maximum=600), required=True),
        Key(
            "phases",
            ListOf(
                Record(
                    [
                        Key("name", PLAIN, required=True),
                        Key("minutes", Integer(minimum=1, maximum=600), required=True),
                    ]
                ),
                min_items=1,
                max_items=10,
            ),
            required=True,
        ),
        Key("response_form", RESPONSE_FORM, required=True),
        Key("instructor_notes", MARKDOWN),
        OBJECTIVE_REFERENCES,
        Key(
            "key_points",
            ListOf(
                Record(
                    [
                        Key("text", MARKDOWN, required=True),
                        Key("slot", PLAIN),
                        Key("keywords", ListOf(PLAIN)),
                        OBJECTIVE_REFERENCES,
                    ]
                )
            ),
        ),
        DERIVED,
    ]
)

SECTION = Record(
    [
        Key("slides", ListOf(SLIDE, min_items=1), required=True),
        Key("activities", ListOf(ACTIVITY)),
    ]
)
