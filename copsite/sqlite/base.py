"""Django's SQLite backend, with the database's writers queued with little sleeping, and every
write waiting at most SQLite's busy timeout in all.

SQLite lets one writer at a time hold its lock. A writer that finds it taken sleeps in steps that
grow to 100 ms before it tries again, and a writer arriving just as the lock is let go takes it
before the sleepers wake: in a burst of answers most wait a millisecond, a few half a second
(bench/history/2026-11-sessions-1-4.md, third session, item 5). Here each write transaction
first takes two locks, in order:

1. the process's lock for this database (a `threading.Lock`, timed): the waiting threads of one
   process sleep in the kernel, and the next one wakes as soon as it is let go;
2. an exclusive `flock` on a file next to the database, which queues the processes. Linux has no
   timed flock, so only the holder of (1) tries it, without blocking, every millisecond: one
   poller per process, never one per waiting thread. The kernel lets it go if the process dies.

Both waits, and then SQLite's own wait for its lock (held by another program, e.g. a backup),
share one deadline, the busy timeout (`OPTIONS["timeout"]`): a writer gives up after it, with an
OperationalError that copsite.middleware turns into 503 + Retry-After, rather than after k times
it behind k others (tests/faults/test_writer_queue.py).
"""

import contextlib
import fcntl
import os
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

FLOCK_POLL_SECONDS = 0.001
DEFAULT_TIMEOUT_SECONDS = 5.0  # sqlite3.connect's own default

process_locks: dict[str, threading.Lock] = {}
process_locks_guard = threading.Lock()
# A forked worker starts with no writer inside it, whatever its parent's locks were at fork.
os.register_at_fork(after_in_child=process_locks.clear)


def process_lock(path: str) -> threading.Lock:
    with process_locks_guard:
        return process_locks.setdefault(path, threading.Lock())


class WriterLockTimeout(OperationalError):
    """No turn to write came within the busy timeout: the database is locked."""


class DatabaseWrapper(base.DatabaseWrapper):
    writer_lock_fd: int | None = None
    holds_writer_lock = False
    busy_timeout_ms: int | None = None  # what this connection's SQLite waits for its lock

    def writer_lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        name = str(self.settings_dict["NAME"])
        if name.startswith("file:"):  # a URI, as for a read-only database
            name = name.removeprefix("file:").split("?", 1)[0]
        return f"{name}-writer.lock"

    def busy_timeout_seconds(self) -> float:
        return float(self.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT_SECONDS))

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # As sqlite3.connect(timeout=) set it (settings' init_command sets the same).
        self.busy_timeout_ms = int(self.busy_timeout_seconds() * 1000)
        path = self.writer_lock_path()
        if path and self.writer_lock_fd is None:
            # One open file per connection: a flock belongs to an open file, so two threads'
            # connections sharing one would not exclude each other. Where the file cannot be
            # made (a read-only folder), SQLite's own lock is all there is.
            with contextlib.suppress(OSError):
                self.writer_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return connection

    def _start_transaction_under_autocommit(self):
        timeout = self.busy_timeout_seconds()
        deadline = time.monotonic() + timeout
        if self.writer_lock_fd is not None and not self.holds_writer_lock:
            self.take_writer_lock(deadline, timeout)
        try:
            # SQLite waits for its own lock only for what is left of the deadline.
            self.set_busy_timeout(max(1, int((deadline - time.monotonic()) * 1000)))
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.release_writer_lock()
            raise

    def set_busy_timeout(self, milliseconds: int) -> None:
        # Within a few ms of the full timeout, the one already set will do: no extra statement
        # on a write that did not wait.
        if self.busy_timeout_ms is not None and abs(self.busy_timeout_ms - milliseconds) < 50:
            return
        self.connection.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        self.busy_timeout_ms = milliseconds

    def take_writer_lock(self, deadline: float, timeout: float) -> None:
        in_process = process_lock(self.writer_lock_path())
        if not in_process.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise WriterLockTimeout(self.lock_timeout_message(timeout))
        try:
            while True:
                try:
                    fcntl.flock(self.writer_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WriterLockTimeout(self.lock_timeout_message(timeout)) from None
                    time.sleep(FLOCK_POLL_SECONDS)
        except BaseException:
            in_process.release()
            raise
        self.holds_writer_lock = True

    @staticmethod
    def lock_timeout_message(timeout: float) -> str:
        return f"database is locked: no turn to write within {timeout:g} s"

    def release_writer_lock(self) -> None:
        if self.holds_writer_lock:
            self.holds_writer_lock = False
            fcntl.flock(self.writer_lock_fd, fcntl.LOCK_UN)
            process_lock(self.writer_lock_path()).release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self.release_writer_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self.release_writer_lock()
            if self.writer_lock_fd is not None:
                os.close(self.writer_lock_fd)
                self.writer_lock_fd = None
