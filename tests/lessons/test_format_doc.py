"""content/FORMAT.md against the code: every key the schema accepts is documented, and the
audience column says what lessons.models decides."""

import re
from pathlib import Path

from lessons import forms
from lessons.models import ACTIVITY_AUDIENCE, SLIDE_AUDIENCE
from lessons.schema import (
    ACTIVITY,
    GROUPING,
    LESSON,
    LESSON_MAP_ROW,
    QUESTION,
    REFERENCE_GROUP,
    SLIDE,
    Key,
    ListOf,
    Record,
)

FORMAT = (Path(__file__).resolve().parents[2] / "content" / "FORMAT.md").read_text("utf-8")


def key_names(spec, seen=None) -> set[str]:
    """Every key name of a record spec and of the records inside it."""
    names: set[str] = set()
    if isinstance(spec, ListOf):
        return key_names(spec.item)
    if isinstance(spec, Record):
        for key in spec.keys:
            names.add(key.name)
            names |= key_names(key.spec)
    return names


def table_rows(heading: str) -> dict[str, list[str]]:
    """The rows of the first table after `heading`: first cell's key name -> the other cells."""
    text = FORMAT[FORMAT.index(heading) :]
    table = re.search(r"(^\|.*\|\n)+", text, re.M)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_key_the_schema_accepts_is_documented():
    specs = [LESSON, LESSON_MAP_ROW, REFERENCE_GROUP, QUESTION, SLIDE, ACTIVITY, GROUPING]
    names = set().union(*(key_names(spec) for spec in specs))
    names |= {key.name for key in forms.form_keys()} | set(forms.kind_names())
    assert len(names) > 50  # the walk found the nested records, not only the top
    in_code = {
        word for span in re.findall(r"`([^`]+)`", FORMAT) for word in re.findall(r"\w+", span)
    }
    missing = sorted(names - in_code)
    assert missing == []


def test_the_audience_columns_say_what_the_models_decide():
    for heading, audiences, spec in (
        ("A slide:", SLIDE_AUDIENCE, SLIDE),
        ("An activity:", ACTIVITY_AUDIENCE, ACTIVITY),
    ):
        rows = table_rows(heading)
        assert set(rows) == {key.name for key in spec.keys if isinstance(key, Key)}, heading
        documented = {name: cells[2] for name, cells in rows.items() if cells[2]}
        assert documented == {name: str(a.value) for name, a in audiences.items()}, heading
