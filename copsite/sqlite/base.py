"""Django's SQLite backend, with the database's writers queued in the kernel rather than on
SQLite's busy timeout.

SQLite lets one writer at a time hold its lock. A writer that finds it taken sleeps in steps that
grow to 100 ms before it tries again, and a writer arriving just as the lock is let go takes it
before the sleepers wake: in a burst of answers most wait a millisecond, a few half a second
(bench/RESULTS.md). Here each write transaction first takes an exclusive `flock` on a file next
to the database: the waiting threads, of every app process, sleep in the kernel, and the next
one wakes as soon as the lock is let go, so a wait is the queue's true length. The kernel lets
the lock go if its process dies. SQLite's own lock and busy timeout still guard what does not
come through here (another program, a statement outside a transaction).
"""

import contextlib
import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    writer_lock_fd: int | None = None
    holds_writer_lock = False

    def writer_lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        name = str(self.settings_dict["NAME"])
        if name.startswith("file:"):  # a URI, as for a read-only database
            name = name.removeprefix("file:").split("?", 1)[0]
        return f"{name}-writer.lock"

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        path = self.writer_lock_path()
        if path and self.writer_lock_fd is None:
            # One open file per connection: a flock belongs to an open file, so two threads'
            # connections sharing one would not exclude each other. Where the file cannot be
            # made (a read-only folder), SQLite's own lock is all there is.
            with contextlib.suppress(OSError):
                self.writer_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return connection

    def _start_transaction_under_autocommit(self):
        if self.writer_lock_fd is not None and not self.holds_writer_lock:
            fcntl.flock(self.writer_lock_fd, fcntl.LOCK_EX)
            self.holds_writer_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.release_writer_lock()
            raise

    def release_writer_lock(self) -> None:
        if self.holds_writer_lock:
            self.holds_writer_lock = False
            fcntl.flock(self.writer_lock_fd, fcntl.LOCK_UN)

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
