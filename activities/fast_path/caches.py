"""Values kept per app process under the revisions they were made from.

A revision is bumped by every change the value depends on, so an entry never goes stale, only
unused, and each process may keep its own (copsite/settings.py, `CACHES`).
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache, caches

from activities.models import Delivery

T = TypeVar("T")

STAGE_CACHE = "stages"
"""The renders of phones' stages and of their pieces: bounded, apart from the default cache."""


def kept_for_revision(delivery: Delivery, name: str, make: Callable[[], T]) -> T:
    """`make()`, kept under the delivery's revision, which every instructor action bumps (the
    slide, which activity is open, its timer).

    Phones ask for the same state hundreds of times between two actions: half of every group's
    render fetched the run, its activity, phases and lesson again, and every answer the open run
    and activity. Kept, the render after an answer went 6.2 -> 2.7 ms (`bench/request_cost.py`;
    bench/history/2026-11-sessions-1-4.md, third session, item 2).
    """
    return cache.get_or_set(f"{name}:{delivery.pk}:{delivery.revision}", make)


def rendered_once(key: str, render: Callable[[], T]) -> T:
    """`render()`, kept in the stage cache under `key`, which must name everything it is made of.

    When the instructor acts, every phone asks for its stage within one poll; when an answer
    arrives, its whole group does. Rendered once per group rather than once per phone, a
    changed poll went 10.8 -> 1.9 ms of CPU, and a slide in brief shared by every group and a
    piece of an answer kept under what it shows took a ten-point stage 2.8 -> 0.75 ms
    (`bench/request_cost.py`, "changed poll, the group's render cached"; `bench/load.py
    --phones 300`: poll p95 2 482 -> 1 757 ms then; bench/history/2026-11-sessions-1-4.md,
    second session, items 1, 2 and 7).
    """
    return caches[STAGE_CACHE].get_or_set(key, render)
