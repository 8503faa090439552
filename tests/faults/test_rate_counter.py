"""The shared request counter under load: one upsert per request, one row per key."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import RateCounter
from activities.ratelimit import over_limit

pytestmark = pytest.mark.django_db


def test_a_request_is_counted_with_one_statement_and_refused_past_the_limit():
    for now in (600.0, 610.0):
        with CaptureQueriesContext(connection) as queries:
            assert over_limit("answer:1", limit=2, window_seconds=60, now=now) == 0
        assert len(queries) == 1

    assert over_limit("answer:1", limit=2, window_seconds=60, now=615.0) == 45
    assert over_limit("answer:2", limit=2, window_seconds=60, now=615.0) == 0
    assert over_limit("answer:1", limit=2, window_seconds=60, now=615.0, count=False) == 45
    assert RateCounter.objects.get(key="answer:1", window=10).count == 3


def test_a_new_window_starts_from_zero_and_drops_the_old_one():
    for _ in range(3):
        over_limit("join-failures:10.0.0.9", limit=2, window_seconds=60, now=600.0)

    assert over_limit("join-failures:10.0.0.9", limit=2, window_seconds=60, now=660.0) == 0
    assert over_limit("join-failures:10.0.0.9", limit=2, window_seconds=60, now=661.0) == 0
    assert over_limit("join-failures:10.0.0.9", limit=2, window_seconds=60, now=662.0) == 58
    windows = RateCounter.objects.filter(key="join-failures:10.0.0.9")
    assert list(windows.values_list("window", "count")) == [(11, 3)]
