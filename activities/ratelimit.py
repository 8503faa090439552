"""Fixed-window request counters kept in the database, shared by every app process."""

import time

from django.db import connection

from activities.models import RateCounter


def over_limit(
    key: str, *, limit: int, window_seconds: int, now: float | None = None, count: bool = True
) -> int:
    """Count one request for `key` (or, with count=False, only look); return 0 while within
    the limit, else the seconds until the next window."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    if not count:
        seen = RateCounter.objects.filter(key=key, window=window).values_list("count", flat=True)
        return retry_after(now, window, window_seconds) if (seen.first() or 0) >= limit else 0
    if count_request(key, window) <= limit:
        return 0
    return retry_after(now, window, window_seconds)


def count_request(key: str, window: int) -> int:
    """Add one to the key's counter for `window` and return it, in one statement.

    Every answer a phone sends is counted, so this runs hundreds of times a second in a burst;
    on SQLite every write waits for the one database lock. One upsert (SQLite 3.35+,
    PostgreSQL) on the key's only row is one short write, whether the window goes on or a new
    one starts, and two processes counting the same key at once cannot collide.
    """
    quote = connection.ops.quote_name
    table = quote(RateCounter._meta.db_table)
    key_column, window_column, count_column = (
        quote(RateCounter._meta.get_field(name).column) for name in ("key", "window", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {window_column}, {count_column}) "
            f"VALUES (%s, %s, 1) ON CONFLICT ({key_column}) DO UPDATE SET "
            f"{count_column} = CASE WHEN {table}.{window_column} = excluded.{window_column} "
            f"THEN {table}.{count_column} + 1 ELSE 1 END, "
            f"{window_column} = excluded.{window_column} RETURNING {count_column}",
            [key, window],
        )
        return cursor.fetchone()[0]


def retry_after(now: float, window: int, window_seconds: int) -> int:
    return max(1, int((window + 1) * window_seconds - now))
