"""`fields`: one box per named field (`field:<key>`), such as SARA's Scanning and Analysis."""

from collections.abc import Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lessons.forms.registry import FormKind, StoredAnswer, register
from lessons.schema import PLAIN, Key, ListOf, Record, Text, Where, unique_within


@register
class NamedFieldsForm(FormKind):
    name = "fields"
    title = _("Named fields")
    keys = (
        Key(
            "fields",
            ListOf(
                Record(
                    [
                        Key(
                            "key",
                            Text(pattern=r"[A-Za-z0-9_-]{1,30}", pattern_hint=_("a short key")),
                            required=True,
                        ),
                        Key("label", PLAIN, required=True),
                        Key("prompt", PLAIN),
                    ]
                ),
                min_items=1,
                max_items=20,
            ),
        ),
    )
    required = ("fields",)
    phone_template = "participants/forms/fields.html"
    reader_template = "lessons/forms/fields.html"

    def check(self, where: Where, path: str) -> None:
        unique_within("fields", "key")(self.form, where, path)

    def field_keys(self) -> list[str]:
        return [field["key"] for field in self.form["fields"]]

    def accepts(self, key: str) -> bool:
        return key in {f"field:{name}" for name in self.field_keys()}

    def phone(self, stored: Mapping[str, StoredAnswer]) -> dict:
        fields = [
            self.piece(f"field:{f['key']}", stored, label=f["label"], prompt=f.get("prompt", ""))
            for f in self.form["fields"]
        ]
        return {"fields": fields}

    def piece_label(self, key: str) -> str:
        name = key.removeprefix("field:")
        return next((f["label"] for f in self.form["fields"] if f["key"] == name), name)

    def piece_order(self, key: str) -> tuple:
        keys = self.field_keys()
        name = key.removeprefix("field:")
        return (keys.index(name) if name in keys else len(keys),)

    def slots(self) -> set[str]:
        return {field["key"] for field in self.form.get("fields", [])}

    def summary(self) -> str:
        return gettext("Named fields: %(labels)s") % {
            "labels": " / ".join(f["label"] for f in self.form["fields"])
        }
