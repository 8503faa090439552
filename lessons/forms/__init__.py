"""Response-form kinds, one module each; `registry.py` says what a kind is and how to add one."""

# isort: off
# Imported for their registration, in the order the editor offers the kinds.
from lessons.forms import point_list, table, named_fields, single_text  # noqa: F401

# isort: on
from lessons.forms.registry import (
    KINDS,
    FormKind,
    Piece,
    StoredAnswer,
    check_response_form,
    form_keys,
    form_kind,
    kind_choices,
    kind_names,
    register,
)

__all__ = [
    "KINDS",
    "FormKind",
    "Piece",
    "StoredAnswer",
    "check_response_form",
    "form_keys",
    "form_kind",
    "kind_choices",
    "kind_names",
    "register",
]
