"""The registry of response-form kinds: what the groups answer an activity with.

Each kind is one small class (one module in this package) that holds everything the app knows
of it: the YAML keys of its `response_form` and their rules, the answer keys it accepts
(`point:<id>`, `cell:<row>:<column>`, `field:<key>`, `text`), how one of its answers is labelled
and ordered on the wall, in the report and the exports, the summary the console shows, and the
phone's partial with what it needs. The schema, the editor, the phone, answer saving and the
wall ask the kind of a form through `form_kind(form)`; none of them names a kind.

Adding a kind is one class decorated with `@register` plus its phone template.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext

from lessons.errors import LessonProblem
from lessons.schema import Key, Located, Where


@dataclass(frozen=True)
class Piece:
    """One editable piece of a group's answer as the phone shows it."""

    key: str
    label: str = ""
    prompt: str = ""
    text: str = ""
    version: int | None = None

    @property
    def dom_id(self) -> str:
        return "piece-" + self.key.replace(":", "-")


class StoredAnswer(Protocol):
    """What the phone needs of a stored piece of an answer."""

    key: str
    text: str
    version: int


class FormKind:
    """One kind of response form, bound to an activity's `response_form` mapping."""

    name: ClassVar[str]
    title: ClassVar[str | Promise]
    # The YAML keys of the form besides `kind`, and those among them it cannot do without.
    keys: ClassVar[tuple[Key, ...]] = ()
    required: ClassVar[tuple[str, ...]] = ()
    phone_template: ClassVar[str]
    # What the instructor's reading of the activity adds about its form (console, lesson page).
    reader_template: ClassVar[str | None] = None

    def __init__(self, form: Mapping) -> None:
        self.form = form

    @classmethod
    def parts(cls) -> frozenset[str]:
        return frozenset(key.name for key in cls.keys)

    def check(self, where: Where, path: str) -> None:
        """Rules across the form's keys, beyond what each key's spec checks."""

    def accepts(self, key: str) -> bool:
        raise NotImplementedError

    def phone(self, stored: Mapping[str, StoredAnswer]) -> dict:
        """What the kind's phone partial shows, given the group's stored pieces by key."""
        raise NotImplementedError

    def piece_label(self, key: str) -> str:
        """The piece's label on the wall, in the report and the exports (`Victim · Needs`)."""
        return ""

    def piece_order(self, key: str) -> tuple:
        """Where the piece stands in the form, before the order the group gave its pieces."""
        return ()

    def slots(self) -> set[str]:
        """The names a key point's `slot` may give for this form."""
        return set()

    def summary(self) -> str:
        """What the groups answer with, as the console's lesson page says it."""
        return str(self.title)

    def list_columns(self) -> list[str]:
        """The named columns the form's points go into, if it has any."""
        return []

    @staticmethod
    def piece(key: str, stored: Mapping[str, StoredAnswer], **labels: str) -> Piece:
        answer = stored.get(key)
        return Piece(
            key=key,
            text=answer.text if answer else "",
            version=answer.version if answer else None,
            **labels,
        )

    def problem(self, where: Where, line: int, field: str, message: str) -> None:
        where.problems.append(LessonProblem(where.file, line, field, message))


KINDS: dict[str, type[FormKind]] = {}


def register(kind: type[FormKind]) -> type[FormKind]:
    KINDS[kind.name] = kind
    return kind


def form_kind(form: Mapping) -> FormKind:
    """The kind of a valid `response_form` (as stored), bound to it."""
    return KINDS[form["kind"]](form)


def kind_names() -> tuple[str, ...]:
    return tuple(KINDS)


def kind_choices() -> list[tuple[str, str | Promise]]:
    return [(name, kind.title) for name, kind in KINDS.items()]


def form_keys() -> list[Key]:
    """Every kind's YAML keys, once each by name: kinds that share a key share its spec."""
    return list({key.name: key for kind in KINDS.values() for key in kind.keys}.values())


def check_response_form(form: Located, where: Where, path: str) -> None:
    """The keys a kind needs and those it has no use for, then the kind's own rules. An unknown
    kind is reported by the `kind` key's spec."""
    kind = KINDS.get(form.get("kind"))
    if kind is None:
        return
    bound = kind(form)
    for name in kind.required:
        if name not in form:
            bound.problem(
                where,
                form.line,
                f"{path}.{name}",
                gettext("is required for a %(kind)s") % {"kind": kind.name},
            )
    for name in set(form) - kind.parts() - {"kind"}:
        bound.problem(
            where,
            form.lines[name],
            f"{path}.{name}",
            gettext("does not apply to a %(kind)s form") % {"kind": kind.name},
        )
    bound.check(where, path)
