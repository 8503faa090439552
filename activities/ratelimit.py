"""Fixed-window request counters kept in the database, shared by every app process."""

import time
from collections.abc import Mapping

from activities.fast_path.rate_counter import count_requests
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


def retry_after(now: float, window: int, window_seconds: int) -> int:
    return max(1, int((window + 1) * window_seconds - now))
