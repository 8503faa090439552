"""Fixed-window request counters kept in the database, shared by every app process."""

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from activities.models import RateCounter


def over_limit(key: str, *, limit: int, window_seconds: int, now: float | None = None) -> int:
    """Count one request for `key`; return 0 if allowed, else the seconds until the next window."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    for _ in range(2):
        try:
            with transaction.atomic():
                updated = RateCounter.objects.filter(key=key, window=window).update(
                    count=F("count") + 1
                )
                if not updated:
                    RateCounter.objects.filter(key=key, window__lt=window).delete()
                    RateCounter.objects.create(key=key, window=window, count=1)
                count = RateCounter.objects.get(key=key, window=window).count
            break
        except IntegrityError:  # another process created this window's row first
            continue
    if count <= limit:
        return 0
    return max(1, int((window + 1) * window_seconds - now))
