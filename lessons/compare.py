"""What changed between two versions of a lesson, by slide and field, for a person to read.

Both versions are dumped to their files and read back as plain data, so the comparison sees
exactly what a download of each would hold. Each slide, activity and lesson-map row is matched
by its identity (slide number, activity code, section file), its fields are flattened to
labelled texts (`questions 2 · ask`), and a changed text is shown line by line with the
changed words marked.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import zip_longest

import yaml
from django.utils.translation import gettext, pgettext_lazy

from lessons.checks import LESSON_FILE
from lessons.exporter import dump
from lessons.models import Lesson

# Unchanged lines shown around a change; longer unchanged stretches are folded.
CONTEXT_LINES = 1
# The word for each kind of change, as its badge shows it.
CHANGE_LABELS = {
    "changed": pgettext_lazy("a change between versions", "changed"),
    "added": pgettext_lazy("a change between versions", "added"),
    "removed": pgettext_lazy("a change between versions", "removed"),
}
# Below this share of equal words, a changed line is shown as removed and added whole.
WORD_DIFF_MIN_RATIO = 0.3
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    kind: str  # same, del or ins
    text: str


@dataclass(frozen=True)
class LineChange:
    kind: str  # same, changed, removed, added or folded
    old: tuple[Segment, ...] = ()
    new: tuple[Segment, ...] = ()
    folded: int = 0


@dataclass(frozen=True)
class FieldChange:
    label: str  # the YAML's key names, as in the files: `questions 2 · ask`
    kind: str  # changed, added or removed
    lines: tuple[LineChange, ...]

    @property
    def kind_label(self) -> str:
        return str(CHANGE_LABELS[self.kind])


@dataclass
class EntityChange:
    key: str
    name: str  # Slide 13, in the interface's language
    own_title: str  # The Benefits of CoP …, in the lesson's
    kind: str  # changed, added or removed
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.name} · {self.own_title}"

    @property
    def anchor(self) -> str:
        return "c-" + re.sub(r"[^A-Za-z0-9]+", "-", self.key).strip("-")

    @property
    def kind_label(self) -> str:
        return str(CHANGE_LABELS[self.kind])

    @property
    def summary(self) -> str:
        """`changed: body, key message`, or `added`."""
        if self.kind != "changed":
            return self.kind_label
        return gettext("%(change)s: %(fields)s") % {
            "change": self.kind_label,
            "fields": ", ".join(change.label for change in self.fields),
        }


@dataclass(frozen=True)
class Comparison:
    old: Lesson
    new: Lesson
    entities: list[EntityChange]

    @property
    def field_count(self) -> int:
        return sum(len(entity.fields) for entity in self.entities)

    @property
    def old_label(self) -> str:
        return gettext("Version %(version)s") % {"version": self.old.version}

    @property
    def new_label(self) -> str:
        return gettext("Version %(version)s") % {"version": self.new.version}


def compare_versions(old: Lesson, new: Lesson) -> Comparison:
    return Comparison(old, new, compare_files(dump(old), dump(new)))


def compare_files(old_files: dict[str, str], new_files: dict[str, str]) -> list[EntityChange]:
    old, new = entities(old_files), entities(new_files)
    changes = []
    for key in [*new, *(key for key in old if key not in new)]:
        if key not in old:
            name, title, fields = new[key]
            change = EntityChange(key, name, title, "added")
            change.fields = [
                FieldChange(label, "added", text_diff("", text)) for label, text in fields.items()
            ]
        elif key not in new:
            name, title, fields = old[key]
            change = EntityChange(key, name, title, "removed")
            change.fields = [
                FieldChange(label, "removed", text_diff(text, "")) for label, text in fields.items()
            ]
        else:
            name, title, new_fields = new[key]
            old_fields = old[key][2]
            change = EntityChange(key, name, title, "changed")
            for label in [*new_fields, *(name for name in old_fields if name not in new_fields)]:
                before, after = old_fields.get(label), new_fields.get(label)
                if before == after:
                    continue
                kind = "added" if before is None else "removed" if after is None else "changed"
                change.fields.append(FieldChange(label, kind, text_diff(before or "", after or "")))
        if change.fields:
            changes.append(change)
    return changes


def entities(files: dict[str, str]) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Each part of the lesson by identity: its name (the interface's: `Slide 13`), its own
    title (the lesson's) and its fields as texts."""
    lesson = yaml.safe_load(files[LESSON_FILE])
    rows = lesson.pop("lesson_map", [])
    name = gettext("Lesson")
    found = {"lesson": (name, lesson["title"], flatten(lesson))}
    for position, row in enumerate(rows, start=1):
        name = gettext("Lesson map row %(number)s") % {"number": position}
        found[f"row:{row['file']}"] = (name, row["title"], flatten(row))
    slides, activities = {}, {}
    for row in rows:
        section = yaml.safe_load(files.get(row["file"], "")) or {}
        for slide in section.get("slides", []):
            number = slide.pop("number")
            name = gettext("Slide %(number)s") % {"number": number}
            slides[f"slide:{number}"] = (name, slide["title"], flatten(slide))
        for activity in section.get("activities", []):
            code = activity.pop("code")
            name = gettext("Activity %(code)s") % {"code": code}
            activities[f"activity:{code}"] = (name, activity["title"], flatten(activity))
    return found | slides | activities


def flatten(value: object, prefix: str = "") -> dict[str, str]:
    """`{"questions": [{"ask": "Why?"}]}` -> `{"questions 1 · ask": "Why?"}`; a list of texts
    stays one field, a line per item, so an inserted item reads as one added line."""
    if isinstance(value, dict):
        flat = {}
        for name, item in value.items():
            label = name.replace("_", " ")
            flat.update(flatten(item, f"{prefix} · {label}" if prefix else label))
        return flat
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return {prefix: "\n".join(str(item) for item in value)}
        flat = {}
        for index, item in enumerate(value, start=1):
            flat.update(flatten(item, f"{prefix} {index}"))
        return flat
    return {prefix: str(value)}


def text_diff(old: str, new: str) -> tuple[LineChange, ...]:
    """The lines of two texts, unchanged stretches folded, changed lines marked word by word."""
    before = [line for line in old.split("\n") if line.strip()]
    after = [line for line in new.split("\n") if line.strip()]
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    lines: list[LineChange] = []
    for position, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            lines.extend(
                folded(before[i1:i2], first=position == 0, last=position == len(opcodes) - 1)
            )
            continue
        removed, added = before[i1:i2], after[j1:j2]
        if tag == "replace":
            for old_line, new_line in zip_longest(removed, added):
                lines.extend(line_change(old_line, new_line))
            continue
        lines.extend(LineChange("removed", old=(Segment("del", text),)) for text in removed)
        lines.extend(LineChange("added", new=(Segment("ins", text),)) for text in added)
    if not lines and old != new:
        lines.append(LineChange("folded", folded=0))
    return tuple(lines)


def folded(same: list[str], *, first: bool, last: bool) -> list[LineChange]:
    """An unchanged stretch: the lines next to a change are shown, the rest folded away."""
    keep_head = 0 if first else CONTEXT_LINES  # the lines after the change before it
    keep_tail = 0 if last else CONTEXT_LINES  # the lines before the change after it
    if len(same) <= keep_head + keep_tail + 1:
        return unchanged(same)
    tail = same[len(same) - keep_tail :] if keep_tail else []
    return [
        *unchanged(same[:keep_head]),
        LineChange("folded", folded=len(same) - keep_head - keep_tail),
        *unchanged(tail),
    ]


def unchanged(texts: list[str]) -> list[LineChange]:
    return [
        LineChange("same", old=(Segment("same", text),), new=(Segment("same", text),))
        for text in texts
    ]


def line_change(old: str | None, new: str | None) -> list[LineChange]:
    if old is None:
        return [LineChange("added", new=(Segment("ins", new),))]
    if new is None:
        return [LineChange("removed", old=(Segment("del", old),))]
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    if matcher.ratio() < WORD_DIFF_MIN_RATIO:
        return [
            LineChange("removed", old=(Segment("del", old),)),
            LineChange("added", new=(Segment("ins", new),)),
        ]
    old_segments: list[Segment] = []
    new_segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            text = "".join(old_tokens[i1:i2])
            append(old_segments, Segment("same", text))
            append(new_segments, Segment("same", text))
            continue
        if i2 > i1:
            append(old_segments, Segment("del", "".join(old_tokens[i1:i2])))
        if j2 > j1:
            append(new_segments, Segment("ins", "".join(new_tokens[j1:j2])))
    return [LineChange("changed", old=tuple(old_segments), new=tuple(new_segments))]


def append(segments: list[Segment], segment: Segment) -> None:
    """Add a segment, merging it with the last one of the same kind."""
    if segments and segments[-1].kind == segment.kind:
        segments[-1] = Segment(segment.kind, segments[-1].text + segment.text)
    else:
        segments.append(segment)
