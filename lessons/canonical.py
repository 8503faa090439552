"""The one written form of lesson YAML: keys in schema order, empty values left out.

`dumplesson` writes this form and the content hash is taken over it, so two documents that say
the same thing hash the same however they were laid out.
"""

import hashlib

import yaml

from lessons.schema import ListOf, Record, Spec, TextMap


def canonical(value: object, spec: Spec) -> object:
    """`value` with mapping keys in the order the spec lists them and empty values dropped."""
    spec = spec.resolved(value)
    if isinstance(spec, Record):
        specs = {key.name: key.spec for key in spec.keys}
        return {
            name: canonical(
                in_field_order(value[name], spec.key_names())
                if isinstance(specs[name], TextMap)
                else value[name],
                specs[name],
            )
            for name in spec.key_names()
            if name in value and value[name] not in (None, "", [], {})
        }
    if isinstance(spec, ListOf):
        return [canonical(item, spec.item) for item in value]
    if isinstance(value, dict):
        return dict(value)
    return value


def in_field_order(reasons: dict, field_names: list[str]) -> dict:
    """`derived:` names fields of its record: list them in the record's order (any other name
    after, sorted). PostgreSQL's jsonb does not keep the order of a mapping's keys, so the
    written form must not depend on it."""
    known = [name for name in field_names if name in reasons]
    others = sorted(name for name in reasons if name not in field_names)
    return {name: reasons[name] for name in known + others}


class LessonDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write YAML by hand.
        return super().increase_indent(flow, False)


def represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


LessonDumper.add_representer(str, represent_text)


def to_yaml(value: object, spec: Spec) -> str:
    return yaml.dump(
        canonical(value, spec),
        Dumper=LessonDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100_000,
        indent=2,
        default_flow_style=False,
    )


def content_hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()
