"""The rate counters' one statement: count a request for several keys and read their counts.

Every answer a phone sends is counted, so this runs hundreds of times a second in a burst, and
on SQLite every write waits for the one database lock. The ORM would take a read and a write
per key; the counter once wrote twice per answer and py-spy showed the workers mostly waiting
for SQLite's lock in it. One upsert made, with the answer's shorter transaction, `bench/load.py
--phones 300` poll p95 1 987 -> 956 ms and submit p95 2 419 -> 1 450 ms
(bench/history/2026-11-sessions-1-4.md, second session, items 3 and 4).
"""

from django.db import connection

from activities.models import RateCounter


def count_requests(keys: list[str], window: int) -> dict[str, int]:
    """Add one to each key's counter for `window` and return the counts, in one statement.

    One upsert (SQLite 3.35+, PostgreSQL) on the keys' only rows is one short write, whether
    the window goes on or a new one starts, and two processes counting the same key at once
    cannot collide.
    """
    quote = connection.ops.quote_name
    table = quote(RateCounter._meta.db_table)
    key_column, window_column, count_column = (
        quote(RateCounter._meta.get_field(name).column) for name in ("key", "window", "count")
    )
    rows = ", ".join(["(%s, %s, 1)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {window_column}, {count_column}) "
            f"VALUES {rows} ON CONFLICT ({key_column}) DO UPDATE SET "
            f"{count_column} = CASE WHEN {table}.{window_column} = excluded.{window_column} "
            f"THEN {table}.{count_column} + 1 ELSE 1 END, "
            f"{window_column} = excluded.{window_column} "
            f"RETURNING {key_column}, {count_column}",
            [value for key in keys for value in (key, window)],
        )
        return dict(cursor.fetchall())
