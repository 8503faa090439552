"""Serve the console: one listening socket, a few waitress processes sharing it.

    python -m copsite.serve --bind 0.0.0.0:8000 [--workers 2] [--threads 4]

Several processes, because one Python process runs Django on one core at a time. The parent
binds the socket once and forks the workers, which accept from it in turn (copsite/serving.py:
how each serves). The parent runs no Django: it restarts a worker that died, and on SIGTERM or
SIGINT (Ctrl+C) tells every worker to stop; a worker stops accepting, finishes the requests it
has (at most --graceful-timeout seconds) and exits.
"""

import argparse
import contextlib
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Sequence

DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
DEFAULT_BACKLOG = 2048
DEFAULT_GRACE_SECONDS = 5.0
OPEN_FILES = 4096  # above copsite/serving.py's CONNECTION_LIMIT, with room for the rest
# A worker that dies this soon after it started, this many times in a row, will not do better
# the next time (an import error, a broken setting): the server gives up and says so.
EARLY_DEATH_SECONDS = 5.0
EARLY_DEATHS_TO_GIVE_UP = 5


def say(text: str) -> None:
    print(f"copsite.serve[{os.getpid()}]: {text}", file=sys.stderr, flush=True)


def listen(bind: str, backlog: int) -> socket.socket:
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(backlog)
    return listener


def run_worker(listener: socket.socket, *, threads: int, backlog: int, grace: float) -> None:
    """One worker process: waitress on the shared socket until told to stop. Never returns."""
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getppid()

    import logging

    from waitress import wasyncore

    from copsite.serving import guarded_server
    from copsite.wsgi import application

    # "Task queue depth is N" on every queued request: the shedding's business, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = guarded_server(application, listener, threads=threads, backlog=backlog)
    connections = server._map
    while not stopping and os.getppid() == parent:
        wasyncore.loop(timeout=0.5, map=connections, use_poll=True, count=1)
    # Stop accepting (the other workers' copies of the socket stay open), answer what is in
    # hand, then go.
    server.accepting = False
    server.del_channel()
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(
        channel.requests or channel.total_outbufs_len for channel in server.active_channels.values()
    ):
        wasyncore.loop(timeout=0.1, map=connections, use_poll=True, count=1)
    server.task_dispatcher.shutdown(timeout=1)
    os._exit(0)


class Supervisor:
    def __init__(self, listener: socket.socket, args: argparse.Namespace) -> None:
        self.listener = listener
        self.args = args
        self.workers: dict[int, float] = {}  # pid -> when it started
        self.stopping = False
        self.early_deaths = 0

    def spawn(self) -> None:
        pid = os.fork()
        if pid == 0:
            try:
                run_worker(
                    self.listener,
                    threads=self.args.threads,
                    backlog=self.args.backlog,
                    grace=self.args.graceful_timeout,
                )
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(1)
        self.workers[pid] = time.monotonic()

    def stop(self, signum, frame) -> None:
        self.stopping = True
        for pid in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for _ in range(self.args.workers):
            self.spawn()
        say(
            f"serving on {self.args.bind} with {self.args.workers} workers of "
            f"{self.args.threads} threads"
        )
        stop_by = None
        while self.workers:
            if self.stopping and stop_by is None:
                stop_by = time.monotonic() + self.args.graceful_timeout + 2
            if stop_by is not None and time.monotonic() > stop_by:
                for pid in self.workers:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.1)
                continue
            started = self.workers.pop(pid, None)
            if started is None or self.stopping:
                continue
            code = os.waitstatus_to_exitcode(status)
            say(f"worker {pid} ended ({code}); starting another")
            if time.monotonic() - started < EARLY_DEATH_SECONDS:
                self.early_deaths += 1
                if self.early_deaths >= EARLY_DEATHS_TO_GIVE_UP:
                    say("workers keep dying as they start; giving up (their errors are above)")
                    self.stop(signal.SIGTERM, None)
                    continue
            else:
                self.early_deaths = 0
            self.spawn()
        return 1 if self.early_deaths >= EARLY_DEATHS_TO_GIVE_UP else 0


def allow_open_files(wanted: int) -> None:
    """Raise this process's limit of open files towards `wanted` (as far as the hard limit lets
    it): each worker may hold CONNECTION_LIMIT sockets, and many systems allow 1,024 files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m copsite.serve", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="processes")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="threads per process")
    parser.add_argument("--backlog", type=int, default=DEFAULT_BACKLOG, help="listen() backlog")
    parser.add_argument(
        "--graceful-timeout",
        type=float,
        default=DEFAULT_GRACE_SECONDS,
        help="seconds a stopping worker may take to answer what it has",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsite.settings")
    allow_open_files(OPEN_FILES)
    try:
        listener = listen(args.bind, args.backlog)
    except OSError as error:
        say(f"cannot listen on {args.bind} ({error.strerror})")
        return 1
    return Supervisor(listener, args).run()


if __name__ == "__main__":
    sys.exit(main())
