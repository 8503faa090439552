"""`text`: one box for the group's whole answer (key `text`)."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from lessons.forms.parts import PROMPT
from lessons.forms.registry import FormKind, StoredAnswer, register


@register
class SingleTextForm(FormKind):
    name = "text"
    title = _("A single text")
    keys = (PROMPT,)
    phone_template = "participants/forms/text.html"

    def accepts(self, key: str) -> bool:
        return key == "text"

    def phone(self, stored: Mapping[str, StoredAnswer]) -> dict:
        return {"text": self.piece("text", stored, prompt=self.form.get("prompt", ""))}
