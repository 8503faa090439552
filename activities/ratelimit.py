"""Fixed-window request counters kept in the database, shared by every app process."""

import time

from django.db import IntegrityError, transaction
from django.db.models import F

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
    for _ in range(2):
        try:
            with transaction.atomic():
                updated = RateCounter.objects.filter(key=key, window=window).update(
                    count=F("count") + 1
                )
                if not updated:
                    RateCounter.objects.filter(key=key, window__lt=window).delete()
                    RateCounter.objects.create(key=key, window=window, count=1)
                seen = RateCounter.objects.get(key=key, window=window).count
            break
        except IntegrityError:  # another process created this window's row first
            continue
    if seen <= limit:
        return 0
    return retry_after(now, window, window_seconds)


def retry_after(now: float, window: int, window_seconds: int) -> int:
    return max(1, int((window + 1) * window_seconds - now))
