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
    """Add one to the window's counter and return it, in one statement.

    Every answer a phone sends is counted, so this runs hundreds of times a second in a burst;
    on SQLite each write transaction waits for the one database lock. One upsert (SQLite 3.35+,
    PostgreSQL) is one short write instead of a transaction of three or four statements, and
    two processes counting the same key at once cannot collide.
    """
    quote = connection.ops.quote_name
    table = quote(RateCounter._meta.db_table)
    key_column, window_column, count_column = (
        quote(RateCounter._meta.get_field(name).column) for name in ("key", "window", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {window_column}, {count_column}) "
            f"VALUES (%s, %s, 1) ON CONFLICT ({key_column}, {window_column}) "
            f"DO UPDATE SET {count_column} = {table}.{count_column} + 1 RETURNING {count_column}",
            [key, window],
        )
        seen = cursor.fetchone()[0]
    if seen == 1:  # the first request of a new window: the key's older windows are done with
        RateCounter.objects.filter(key=key, window__lt=window).delete()
    return seen


def retry_after(now: float, window: int, window_seconds: int) -> int:
    return max(1, int((window + 1) * window_seconds - now))
