"""On SQLite, write transactions queue on a lock file in the kernel (copsite/sqlite), every app
process and thread alike: held from BEGIN to COMMIT or ROLLBACK, let go on any way out."""

import fcntl
import os
import threading

import pytest
from django.db import connection, connections, transaction

from activities.models import RateCounter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="SQLite only: PostgreSQL has row locks"
    ),
]


def lock_is_free() -> bool:
    """Whether another open file (as another process would) can take the writers' lock now."""
    descriptor = os.open(connection.writer_lock_path(), os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # closing lets go of a lock taken here
    return True


def test_a_write_transaction_holds_the_queue_until_it_commits_or_rolls_back():
    with transaction.atomic():
        RateCounter.objects.create(key="first", window=1)
        assert not lock_is_free()
    assert lock_is_free()

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        RateCounter.objects.create(key="second", window=1)
        assert not lock_is_free()
        1 / 0  # noqa: B018
    assert lock_is_free()
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["first"]


def test_a_second_writer_waits_for_the_first_and_then_sees_its_write():
    inside = threading.Event()
    release = threading.Event()
    seen_by_second: list[list[str]] = []

    def first() -> None:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key="first", window=1)
                inside.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            with transaction.atomic():
                seen_by_second.append(list(RateCounter.objects.values_list("key", flat=True)))
                RateCounter.objects.create(key="second", window=1)
        finally:
            connections.close_all()

    writer = threading.Thread(target=first)
    writer.start()
    assert inside.wait(10)
    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive(), "the second writer went ahead while the first held the lock"
    release.set()
    writer.join(10)
    waiting.join(10)

    assert seen_by_second == [["first"]]
    assert sorted(RateCounter.objects.values_list("key", flat=True)) == ["first", "second"]
