"""The app served on this machine, in a process group of its own, and manage.py run beside it: for
the load benchmark (bench/load.py) and for the tests that stop, kill and restart a real server,
which pytest-django's live server (inside the test process) cannot be.

The server is the served one (copsite/serve.py: waitress) unless COP_SERVER says otherwise:
COP_SERVER=gunicorn runs gunicorn's gthread worker with the same shedding
(copsite/serving_gunicorn.py), so that the benchmark and the slow-client tests can compare the
two back to back. Both take the same options (--workers, --threads, --backlog,
--graceful-timeout)."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HOST = "127.0.0.1"  # the only address a local server listens on
BASE_DIR = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 180  # seconds for one manage.py command
START_TIMEOUT = 30  # seconds for the server to answer /healthz
STOP_TIMEOUT = 10  # seconds for the server to exit after a signal
LOG_TAIL = 3000  # characters of each log that an error message carries


class ServerFailed(RuntimeError):
    """The server or a manage.py command failed; the message carries what it printed."""


SERVERS = ("waitress", "gunicorn", "granian")


def server_name(env: dict[str, str]) -> str:
    """Which server COP_SERVER in `env` names: waitress (the served one) unless it says gunicorn."""
    name = env.get("COP_SERVER", "") or SERVERS[0]
    if name not in SERVERS:
        raise ServerFailed(f"COP_SERVER={name!r}: choose one of {', '.join(SERVERS)}")
    return name


def server_command(name: str, bind: str, options: Sequence[str], env: dict[str, str]) -> list[str]:
    """The command line that serves copsite.wsgi on `bind` with `name`, in `env`."""
    if name == "gunicorn":
        worker = "copsite.serving_gunicorn.SheddingWorker"
        return [sys.executable, "-m", "gunicorn", "copsite.wsgi", "--worker-class", worker,
                "--bind", bind, *options]  # fmt: skip
    if name == "granian":
        return granian_command(bind, options, env)
    return [sys.executable, "-m", "copsite.serve", "--bind", bind, *options]


def granian_command(bind: str, options: Sequence[str], env: dict[str, str]) -> list[str]:
    """copsite/serving_granian.py under granian, taking copsite.serve's options."""
    given = dict(zip(options[::2], options[1::2], strict=False))
    threads = int(given.get("--threads", "4"))
    host, _, port = bind.rpartition(":")
    idle_ms = int(env.get("COP_IDLE_SECONDS", "10")) * 1000
    return ["env", f"COP_THREADS={threads}", sys.executable, "-m", "granian",
            "--interface", "wsgi", "copsite.serving_granian:application",
            "--host", host, "--port", port, "--workers", given.get("--workers", "2"),
            "--blocking-threads", str(threads * 32), "--backlog", given.get("--backlog", "2048"),
            "--http1-header-read-timeout", str(idle_ms), "--no-access-log",
            "--log-level", "warning"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `manage.py *args` with `env`; what it printed, or ServerFailed with its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if done.returncode:
        raise ServerFailed(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def with_database(url: str, name: str) -> str:
    """A PostgreSQL server's address with another database's name."""
    return url.rsplit("/", 1)[0] + "/" + name


def pg_execute(url: str, *statements: str) -> None:
    """Run statements outside a transaction (CREATE DATABASE, DROP DATABASE)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


class LocalServer:
    """The server (COP_SERVER in `env`) serving copsite.wsgi on HOST:`port` with `options`
    (workers, threads, …).

    `url` stays the same across restarts, so pages under test keep polling it. Each start logs
    to `folder`/server-<n>.log. The server and its workers form one process group: a stop or a
    kill ends all of them, never the process that started them.
    """

    def __init__(self, folder: Path, env: dict[str, str], options: Sequence[str] = ()) -> None:
        self.folder = folder
        self.env = env
        self.options = list(options)
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.server = server_name(env)

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start the server and return once it answers /healthz."""
        assert self.process is None, "the server is already running"
        self.starts += 1
        log = open(self.folder / f"server-{self.starts}.log", "wb")  # noqa: SIM115
        env = self.env | (extra_env or {})
        self.process = subprocess.Popen(
            server_command(self.server, f"{HOST}:{self.port}", self.options, env),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child has its own copy
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None:
                code = self.process.returncode
                raise ServerFailed(f"{self.server} exited with {code}: {self.log()}")
            if time.monotonic() > deadline:
                raise ServerFailed(
                    f"{self.server} did not answer in {START_TIMEOUT} s: {self.log()}"
                )
            time.sleep(0.1)

    def answers(self) -> bool:
        """Whether the server answers /healthz with 200."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=1)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """SIGTERM to the whole group and wait; SIGKILL if it does not end in time."""
        if self.process is None:
            return
        process, self.process = self.process, None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL the supervisor and every worker at once, as a power cut or the OOM killer would,
        and wait until none is left holding the port."""
        process, self.process = self.process, None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def log(self) -> str:
        """The end of each start's log, oldest first."""
        return "\n".join(
            path.read_text(errors="replace")[-LOG_TAIL:]
            for path in sorted(
                self.folder.glob("server-*.log"), key=lambda path: int(path.stem.split("-")[1])
            )
        )
