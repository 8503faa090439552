"""Fixed-window request counters kept in the database, shared by every app process."""

import time
from collections.abc import Mapping

from django.db import connection

from activities.models import RateCounter

WINDOW_SECONDS = 60


def over_limit(
    key: str, *, limit: int, window_seconds: int, now: float | None = None, count: bool = True
) -> int:
    """Count one request for `key` (or, with count=False, only look); return 0 while within
    the limit, else the seconds until the next window."""
    return over_limits({key: limit}, window_seconds=window_seconds, now=now, count=count)


def over_limits(
    limits: Mapping[str, int],
    *,
    window_seconds: int = WINDOW_SECONDS,
    now: float | None = None,
    count: bool = True,
) -> int:
    """As `over_limit` for several keys at once, each with its own limit (per address, per
    group, per delivery): 0 while every one is within its limit, else the seconds to wait."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    if count:
        seen = count_requests(list(limits), window)
    else:
        seen = dict(
            RateCounter.objects.filter(key__in=list(limits), window=window).values_list(
                "key", "count"
            )
        )
    if all(seen.get(key, 0) <= limit - (0 if count else 1) for key, limit in limits.items()):
        return 0
    return retry_after(now, window, window_seconds)


def count_requests(keys: list[str], window: int) -> dict[str, int]:
    """Add one to each key's counter for `window` and return the counts, in one statement.

    Every answer a phone sends is counted, so this runs hundreds of times a second in a burst;
    on SQLite every write waits for the one database lock. One upsert (SQLite 3.35+,
    PostgreSQL) on the keys' only rows is one short write, whether the window goes on or a new
    one starts, and two processes counting the same key at once cannot collide.
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


def retry_after(now: float, window: int, window_seconds: int) -> int:
    return max(1, int((window + 1) * window_seconds - now))
