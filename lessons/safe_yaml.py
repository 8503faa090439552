"""Composing lesson YAML into nodes, with limits an uploaded file cannot get past.

PyYAML's safe loader still lets a file cost far more than its size: an alias (`*name`) repeats
what its anchor names, so a few KB of nested aliases expand to millions of values that the
schema check and the Markdown renderer then walk one by one; nesting thousands of brackets deep
exhausts Python's recursion; a tag (`!!int abc`, `!!binary`, `!!python/...`) or a number YAML
reads in another base (`0x1`, `010`, `1:30`) or a 5,000-digit number breaks `int()`. Here every
value, the copies aliases make included, is counted against one budget per lesson, nesting has
a depth limit, and tags and odd numbers are refused, each with the line and the field.
"""

import re
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext
from yaml.events import AliasEvent

from lessons.errors import LessonProblem, grouped

# The CoP lesson: 1,700 values, 90,000 characters, nesting 8 deep (content/cop). The limits
# leave ten times that and more, and bound the worst upload's CPU (tests/lessons/test_yaml_safety).
MAX_DEPTH = 20
MAX_VALUES = 20_000
MAX_CHARACTERS = 500_000
MAX_DIGITS = 18
STANDARD_TAG = "tag:yaml.org,2002:"
ALLOWED_TAGS = {None, "!", f"{STANDARD_TAG}str"}  # "!" and !!str: "this is text"
INT_TAG = f"{STANDARD_TAG}int"
STR_TAG = f"{STANDARD_TAG}str"
DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)")


@dataclass
class Budget:
    """What the lesson's files may still hold, their aliases expanded."""

    values: int = MAX_VALUES
    characters: int = MAX_CHARACTERS


class Refused(Exception):
    """A file that cannot be composed within the limits: nothing more is read of it."""

    def __init__(self, line: int, path: str, message: str) -> None:
        super().__init__(message)
        self.line, self.path, self.message = line, path, message


@dataclass
class Composed:
    node: yaml.Node | None
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, path, message)


def shown_tag(tag: str) -> str:
    return tag.replace(STANDARD_TAG, "!!", 1)


class LessonLoader(yaml.SafeLoader):
    def __init__(self, text: str, budget: Budget) -> None:
        super().__init__(text)
        self.budget = budget
        self.depth = 0
        self.paths: list[str] = [""]
        self.expanded: dict[yaml.Node, tuple[int, int]] = {}  # values, characters
        self.problems: list[tuple[int, str, str]] = []

    def child_path(self, parent: yaml.Node | None, index: object) -> str:
        path = self.paths[-1]
        if isinstance(parent, yaml.SequenceNode) and isinstance(index, int):
            return f"{path}[{index + 1}]"
        if isinstance(index, yaml.ScalarNode):  # a mapping's value, under its key
            return f"{path}.{index.value}" if path else str(index.value)
        return path

    def charge(self, values: int, characters: int, event) -> None:
        self.budget.values -= values
        self.budget.characters -= characters
        if self.budget.values < 0:
            limit = grouped(MAX_VALUES)
            message = gettext("the lesson holds more than %(limit)s values") % {"limit": limit}
        elif self.budget.characters < 0:
            limit = grouped(MAX_CHARACTERS)
            message = gettext("the lesson holds more than %(limit)s characters of text") % {
                "limit": limit
            }
        else:
            return
        message += " " + gettext("(an alias such as *name counts as a copy of what it names)")
        raise Refused(event.start_mark.line + 1, self.paths[-1], message)

    def compose_node(self, parent, index):
        path = self.child_path(parent, index)
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            if node not in self.expanded:
                raise Refused(
                    event.start_mark.line + 1,
                    path,
                    gettext("the alias *%(name)s is inside what it names, so it never ends")
                    % {"name": event.anchor},
                )
            self.paths.append(path)
            try:
                self.charge(*self.expanded[node], event)
            finally:
                self.paths.pop()
            return node
        if self.depth >= MAX_DEPTH:
            raise Refused(
                event.start_mark.line + 1,
                path,
                gettext("nests more than %(limit)s levels deep") % {"limit": MAX_DEPTH},
            )
        tag = getattr(event, "tag", None)
        if tag not in ALLOWED_TAGS:
            self.problems.append(
                (
                    event.start_mark.line + 1,
                    path,
                    gettext(
                        "has the tag %(tag)s; lesson YAML takes no tags: write the value "
                        "plainly, or put text in quotes"
                    )
                    % {"tag": shown_tag(tag)},
                )
            )
        before = (self.budget.values, self.budget.characters)
        self.depth += 1
        self.paths.append(path)
        try:
            self.charge(1, len(getattr(event, "value", "")), event)
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
            self.paths.pop()
        self.expanded[node] = (
            before[0] - self.budget.values,
            before[1] - self.budget.characters,
        )
        return node

    def compose_scalar_node(self, anchor):
        tagged = self.peek_event().tag not in ALLOWED_TAGS  # compose_node said so already
        node = super().compose_scalar_node(anchor)
        if node.tag == INT_TAG and tagged:
            node.tag = STR_TAG
        elif node.tag == INT_TAG:
            message = self.number_problem(node.value)
            if message:
                self.problems.append((node.start_mark.line + 1, self.paths[-1], message))
                node.tag = STR_TAG  # never handed to int()
        return node

    @staticmethod
    def number_problem(value: str) -> str | None:
        if not DECIMAL.fullmatch(value):
            return gettext(
                "%(value)s is a number YAML reads in another base (hexadecimal, octal, binary "
                "or base 60) or with underscores; write it with the digits 0-9 only, or put "
                "text in quotes"
            ) % {"value": value[:40]}
        digits = len(value.lstrip("+-"))
        if digits > MAX_DIGITS:
            return gettext("is a number %(digits)s digits long; the limit is %(limit)s") % {
                "digits": grouped(digits),
                "limit": MAX_DIGITS,
            }
        return None


def compose(text: str, budget: Budget) -> Composed:
    """The file's one document as nodes, and every tag or number it refuses.

    Raises `Refused` past the depth or the budget, `yaml.YAMLError` where it is not YAML."""
    loader = LessonLoader(text, budget)
    try:
        return Composed(loader.get_single_node(), loader.problems)
    finally:
        loader.dispose()


def problems_of(name: str, composed: Composed) -> list[LessonProblem]:
    return [LessonProblem(name, line, path, message) for line, path, message in composed.problems]
