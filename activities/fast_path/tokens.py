"""What a phone's token names: the revision its poll compares, or the participant with its
delivery and group, each in one hand-written query on the token's unique index.

Every poll and every answer starts here. Built by the ORM, the three-table join cost many times
more to compile than to run: 0.57 ms of CPU with the delivery and group, against 0.02 ms for the
same SQL written out (`bench/request_cost.py`; bench/history/2026-11-sessions-1-4.md, third
session, item 1). The SQL is written out once per database, and the participant's row becomes
model instances through Django's own converters and `from_db`, as the ORM would make them
(`tests/activities/test_tokens.py` compares them with the ORM's).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col

from activities.models import Delivery, Group, Participant


@dataclass(frozen=True)
class Columns:
    """One model's columns in the query: their attribute names and each value's converters."""

    model: type[Model]
    names: tuple[str, ...]
    converters: tuple[tuple[int, Col, tuple[Callable, ...]], ...]

    def instance(self, values: tuple) -> Model:
        values = list(values)
        for index, column, converters in self.converters:
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        return self.model.from_db(connection.alias, self.names, values)


@dataclass(frozen=True)
class TokenQuery:
    sql: str
    participant: Columns
    delivery: Columns
    group: Columns


def columns(model: type[Model], alias: str) -> tuple[list[str], Columns]:
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, column, tuple(found)))
    selected = [f"{alias}.{quote(field.column)}" for field in fields]
    names = tuple(field.attname for field in fields)
    return selected, Columns(model, names, tuple(converters))


@cache
def token_join(vendor: str) -> str:
    """FROM and WHERE: the participant holding the token in the class with the code, with its
    delivery and (if it has one) its group."""
    quote = connection.ops.quote_name
    table = {model: quote(model._meta.db_table) for model in (Participant, Delivery, Group)}
    return (
        f" FROM {table[Participant]} p"
        f" INNER JOIN {table[Delivery]} d ON d.{quote('id')} = p.{quote('delivery_id')}"
        f" LEFT OUTER JOIN {table[Group]} g ON g.{quote('id')} = p.{quote('group_id')}"
        f" WHERE p.{quote('token')} = %s AND d.{quote('join_code')} = %s"
        f" AND NOT p.{quote('removed')}"
    )


@cache
def token_query(vendor: str) -> TokenQuery:
    p_columns, participant = columns(Participant, "p")
    d_columns, delivery = columns(Delivery, "d")
    g_columns, group = columns(Group, "g")
    sql = f"SELECT {', '.join(p_columns + d_columns + g_columns)}{token_join(vendor)}"
    return TokenQuery(sql, participant, delivery, group)


@cache
def revision_query(vendor: str) -> str:
    quote = connection.ops.quote_name
    return f"SELECT d.{quote('revision')}, g.{quote('revision')}{token_join(vendor)}"


def poll_revision(*, token: str, code: str) -> str | None:
    """The revision a participant's phone polls with, "<delivery>.<group>"; None when the
    token is not a participant of that class. Every phone asks it every 2 s: two columns, no
    more (on PostgreSQL every column of a wider row is converted: bench/history/
    2026-11-sessions-1-4.md, third session, item 7)."""
    with connection.cursor() as cursor:
        cursor.execute(revision_query(connection.vendor), [token, code])
        row = cursor.fetchone()
    return None if row is None else f"{row[0]}.{row[1] or 0}"


def participant_for_token(token: str, code: str) -> Participant | None:
    """The class's participant holding `token`, with `delivery` and `group` filled in; None for
    a token that is not one of that class's (or was removed)."""
    query = token_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [token, code])
        row = cursor.fetchone()
    if row is None:
        return None
    p_end = len(query.participant.names)
    d_end = p_end + len(query.delivery.names)
    participant = query.participant.instance(row[:p_end])
    participant.delivery = query.delivery.instance(row[p_end:d_end])
    participant.group = None if row[d_end] is None else query.group.instance(row[d_end:])
    return participant
