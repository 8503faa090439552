"""The app served by gunicorn in a process of its own, on a SQLite file, for tests that stop and
start the server under a browser (which pytest-django's in-process live server cannot do)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
COMMAND_TIMEOUT = 60  # seconds for one manage.py command
START_TIMEOUT = 15  # seconds for gunicorn to answer /healthz
STOP_TIMEOUT = 10  # seconds for gunicorn to exit after SIGTERM before it is killed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedApp:
    """`setup()` prepares the database, `start()` and `stop()` the server, `close()` always ends
    it. `url` stays the same across restarts: the pages under test keep polling it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.database = folder / "db.sqlite3"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "COP_SQLITE_PATH": str(self.database),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DJANGO_DEBUG": "1",  # static files from the source folders, no collectstatic
            "DJANGO_SETTINGS_MODULE": "copsite.settings",
            "PYTHONUNBUFFERED": "1",
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def manage(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args, "--skip-checks"],
            cwd=BASE_DIR,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        if done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def setup(self, *, instructor: str, password: str) -> str:
        """Migrate, load the CoP lesson, add the instructor, plan a delivery: its console path."""
        self.manage("migrate", "--no-input")
        self.manage("loadlesson", "content/cop")
        self.manage(
            "adduser", instructor, "--role", "instructor", "--password-stdin", stdin=password
        )
        printed = self.manage(
            "startdelivery", "--lesson", "cop", "--instructor", instructor, "--base-url", self.url
        )
        console = next(line for line in printed.splitlines() if "console:" in line)
        return console.split("console:", 1)[1].strip().removeprefix(self.url)

    def start(self) -> None:
        assert self.process is None, "the server is already running"
        self.starts += 1
        log = open(self.folder / f"gunicorn-{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "copsite.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--graceful-timeout",
                "3",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers end with it, never with the test runner
        )
        log.close()  # the child has its own copy
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None:
                code = self.process.returncode
                raise AssertionError(f"gunicorn exited with {code}: {self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not answer in {START_TIMEOUT} s: {self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM, wait for the exit; SIGKILL the whole process group if it does not come."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)

    close = stop

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log(self) -> str:
        logs = sorted(self.folder.glob("gunicorn-*.log"))
        return logs[-1].read_text(errors="replace")[-3000:] if logs else ""
