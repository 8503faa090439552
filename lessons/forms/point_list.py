"""`list`: the group adds points one by one, into named columns if the form has them (5.2's
Traditional Policing / CoP). A point's key is `point:<id>`, the id being the phone's idempotency
key; in a form with columns the id starts with the column, `point:c1-…` for the second."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lessons.forms.parts import COLUMNS, PROMPT
from lessons.forms.registry import FormKind, Piece, StoredAnswer, register

POINT_KEY = re.compile(r"point:[A-Za-z0-9-]{8,64}")
POINT_COLUMN = re.compile(r"point:c(\d{1,2})-")


@dataclass(frozen=True)
class PointList:
    """The points of one column (the whole list if the form names no columns), with the box
    that adds the next one: one screen, one send per point."""

    label: str
    points: list[Piece]
    new_point: Piece


@register
class PointListForm(FormKind):
    name = "list"
    title = _("A list of points")
    keys = (PROMPT, COLUMNS)
    phone_template = "participants/forms/list.html"
    reader_template = "lessons/forms/list.html"

    def column_of(self, key: str) -> int | None:
        match = POINT_COLUMN.match(key)
        if match is None or int(match[1]) >= len(self.list_columns()):
            return None
        return int(match[1])

    def accepts(self, key: str) -> bool:
        return bool(POINT_KEY.fullmatch(key)) and (
            not self.list_columns() or self.column_of(key) is not None
        )

    def list_columns(self) -> list[str]:
        return list(self.form.get("columns") or [])

    def phone(self, stored: Mapping[str, StoredAnswer]) -> dict:
        return {"lists": self.point_lists(stored.values()), "prompt": self.form.get("prompt", "")}

    def point_lists(self, stored) -> list[PointList]:
        columns = self.list_columns()
        points = [Piece(key=s.key, text=s.text, version=s.version) for s in stored]
        if not columns:
            return [PointList("", points, Piece(key="new"))]
        by_column: dict[int | None, list[Piece]] = {}
        for point in points:
            by_column.setdefault(self.column_of(point.key), []).append(point)
        return [
            PointList(label, by_column.get(index, []), Piece(key=f"new:c{index}", label=label))
            for index, label in enumerate(columns)
        ]

    def piece_label(self, key: str) -> str:
        column = self.column_of(key)
        return self.list_columns()[column] if column is not None else ""

    def piece_order(self, key: str) -> tuple:
        column = self.column_of(key)
        return (column,) if column is not None else ()
