"""On SQLite, write transactions queue on a lock file in the kernel (copsite/sqlite), every app
process and thread alike: held from BEGIN to COMMIT or ROLLBACK, let go on any way out."""

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction

from activities.models import RateCounter
from tests.faults.served import Phone, ServedApp

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


LOCKED_FOR = 25  # seconds another program holds the database's write lock
SERVED_LIMIT = 10  # seconds: copsite.settings' busy timeout, which the served app keeps
PHONES_AT_ONCE = 8


def test_while_another_program_locks_the_database_every_answer_waits_one_limit_at_most(
    prepared, tmp_path
):
    """Eight phones send an answer at once while a backup tool holds SQLite's write lock for
    25 s: each gets its 503 after about the busy timeout, not the k-th after k timeouts."""
    app = ServedApp(prepared, tmp_path, workers=2, threads=PHONES_AT_ONCE)
    try:
        app.start()
        phones = [Phone(app, token) for token in app.prepared.tokens[:PHONES_AT_ONCE]]
        for phone in phones:
            phone.open_stage()
        waits: list[tuple[float, int]] = []
        all_answered = threading.Event()

        def answer(phone: Phone) -> None:
            started = time.monotonic()
            status, headers, _ = phone.save(
                f"point:{uuid.uuid4()}", "Trust.", timeout=LOCKED_FOR + 20
            )
            waits.append((time.monotonic() - started, status))
            if status == 503:
                assert int(headers["Retry-After"]) > 0
            if len(waits) == PHONES_AT_ONCE:
                all_answered.set()

        with contextlib.closing(sqlite3.connect(app.sqlite_file, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            senders = [threading.Thread(target=answer, args=(phone,)) for phone in phones]
            for sender in senders:
                sender.start()
            all_answered.wait(LOCKED_FOR)
            db.execute("ROLLBACK")
        for sender in senders:
            sender.join(30)
    finally:
        app.close()

    longest = max(wait for wait, _ in waits)
    print(f"waits of the answers, database locked for {LOCKED_FOR} s: {sorted(waits)}")
    assert longest < SERVED_LIMIT + 3, sorted(waits)
    assert sorted(status for _, status in waits) == [503] * PHONES_AT_ONCE, waits
    assert app.query("SELECT COUNT(*) FROM activities_submission WHERE key LIKE 'point:%'") == [
        (0,)
    ]
