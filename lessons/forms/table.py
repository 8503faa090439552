"""`table`: one box per cell, rows by columns (`cell:<row>:<column>`, counted from 0)."""

from collections.abc import Mapping

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lessons.forms.parts import COLUMNS
from lessons.forms.registry import FormKind, StoredAnswer, register
from lessons.schema import PLAIN, Key, ListOf, Record, Where


@register
class TableForm(FormKind):
    name = "table"
    title = _("A table")
    keys = (
        Key("row_heading", PLAIN),
        COLUMNS,
        Key(
            "rows",
            ListOf(
                Record([Key("label", PLAIN, required=True), Key("expected", ListOf(PLAIN))]),
                min_items=1,
                max_items=50,
            ),
        ),
    )
    required = ("columns", "rows")
    phone_template = "participants/forms/table.html"
    reader_template = "lessons/forms/table.html"

    def check(self, where: Where, path: str) -> None:
        columns = self.form.get("columns") or []
        for index, row in enumerate(self.form.get("rows") or []):
            expected = (row or {}).get("expected")
            if expected and len(expected) != len(columns):
                self.problem(
                    where,
                    row.lines["expected"],
                    f"{path}.rows[{index + 1}].expected",
                    gettext("has %(answers)s answers for %(columns)s columns")
                    % {"answers": len(expected), "columns": len(columns)},
                )

    def cell_keys(self) -> set[str]:
        return {
            f"cell:{row}:{column}"
            for row in range(len(self.form["rows"]))
            for column in range(len(self.form["columns"]))
        }

    def accepts(self, key: str) -> bool:
        return key in self.cell_keys()

    def phone(self, stored: Mapping[str, StoredAnswer]) -> dict:
        columns = self.form["columns"]
        rows = [
            {
                "label": row["label"],
                "cells": [
                    self.piece(f"cell:{r}:{c}", stored, label=column)
                    for c, column in enumerate(columns)
                ],
            }
            for r, row in enumerate(self.form["rows"])
        ]
        return {"rows": rows, "columns": columns, "row_heading": self.form.get("row_heading")}

    def cell(self, key: str) -> tuple[int, int]:
        row, column = (int(part) for part in key.removeprefix("cell:").split(":"))
        return row, column

    def piece_label(self, key: str) -> str:
        row, column = self.cell(key)
        return f"{self.form['rows'][row]['label']} · {self.form['columns'][column]}"

    def piece_order(self, key: str) -> tuple:
        return self.cell(key)

    def slots(self) -> set[str]:
        return {row["label"] for row in self.form.get("rows", [])}

    def summary(self) -> str:
        rows = len(self.form["rows"])
        return ngettext(
            "A table: %(rows)s row × %(columns)s", "A table: %(rows)s rows × %(columns)s", rows
        ) % {"rows": rows, "columns": ", ".join(self.form["columns"])}
