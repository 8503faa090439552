"""The app served by the real server (tests/support/local_server.py) in a process of its own, on a
SQLite file, for tests that stop and start the server under a browser (which pytest-django's
in-process live server cannot do)."""

import atexit
import contextlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from tests.support.local_server import LocalServer, manage

# Each manage.py run starts Django afresh (about a second of CPU): the database with the CoP
# lesson is made once per test process and copied, the rest of a set-up is one run.
TEMPLATE_SCRIPT = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
call_command("loadlesson", "content/cop", verbosity=0, skip_checks=True)
"""
# The instructor and the planned delivery, by the same commands an administrator runs; the
# password comes on standard input, as `adduser --password-stdin` reads it.
SETUP_SCRIPT = """
from django.core.management import call_command
call_command("adduser", {instructor!r}, "--role", "instructor", "--password-stdin")
call_command(
    "startdelivery", "--lesson", "cop", "--instructor", {instructor!r}, "--base-url", {base_url!r}
)
"""

_template: Path | None = None


def _database_env(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COP_SQLITE_PATH": str(database),
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "1",  # static files from the source folders, no collectstatic
        "DJANGO_SETTINGS_MODULE": "copsite.settings",
        "PYTHONUNBUFFERED": "1",
    }


def migrated_cop_database() -> Path:
    """A SQLite file, migrated, with the CoP lesson loaded: made on first use, then reused."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="cop-served-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        database = folder / "template.sqlite3"
        manage(_database_env(database), "shell", "-c", TEMPLATE_SCRIPT)
        _template = database
    return _template


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy, whatever of it is still in the write-ahead log."""
    with (
        contextlib.closing(sqlite3.connect(source)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


class ServedApp(LocalServer):
    """`setup()` prepares the database, `start()` and `stop()` the server, `close()` always ends
    it. `url` stays the same across restarts: the pages under test keep polling it."""

    def __init__(self, folder: Path):
        self.database = folder / "db.sqlite3"
        env = _database_env(self.database)
        options = ["--workers", "1", "--threads", "4", "--graceful-timeout", "3"]
        super().__init__(folder, env, options)

    def setup(self, *, instructor: str, password: str) -> str:
        """The CoP lesson migrated and loaded, the instructor added, a delivery planned: its
        console path."""
        copy_database(migrated_cop_database(), self.database)
        script = SETUP_SCRIPT.format(instructor=instructor, base_url=self.url)
        printed = manage(self.env, "shell", "-c", script, stdin=password + "\n")
        console = next(line for line in printed.splitlines() if "console:" in line)
        return console.split("console:", 1)[1].strip().removeprefix(self.url)

    close = LocalServer.stop
