"""The app served by the real server (copsite/local_server.py) in a process of its own, on a
SQLite file, for tests that stop and start the server under a browser (which pytest-django's
in-process live server cannot do)."""

import os
from pathlib import Path

from copsite.local_server import LocalServer, manage


class ServedApp(LocalServer):
    """`setup()` prepares the database, `start()` and `stop()` the server, `close()` always ends
    it. `url` stays the same across restarts: the pages under test keep polling it."""

    def __init__(self, folder: Path):
        database = folder / "db.sqlite3"
        env = {
            **os.environ,
            "COP_SQLITE_PATH": str(database),
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_DEBUG": "1",  # static files from the source folders, no collectstatic
            "DJANGO_SETTINGS_MODULE": "copsite.settings",
            "PYTHONUNBUFFERED": "1",
        }
        options = ["--workers", "1", "--threads", "4", "--graceful-timeout", "3"]
        super().__init__(folder, env, options)

    def setup(self, *, instructor: str, password: str) -> str:
        """Migrate, load the CoP lesson, add the instructor, plan a delivery: its console path."""
        manage(self.env, "migrate", "--no-input", "--skip-checks")
        manage(self.env, "loadlesson", "content/cop", "--skip-checks")
        manage(
            self.env,
            "adduser",
            instructor,
            "--role",
            "instructor",
            "--password-stdin",
            "--skip-checks",
            stdin=password,
        )
        printed = manage(
            self.env,
            "startdelivery",
            "--lesson",
            "cop",
            "--instructor",
            instructor,
            "--base-url",
            self.url,
            "--skip-checks",
        )
        console = next(line for line in printed.splitlines() if "console:" in line)
        return console.split("console:", 1)[1].strip().removeprefix(self.url)

    close = LocalServer.stop
