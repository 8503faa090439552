"""How the console is served: waitress, guarded against slow clients, shedding overdue phone
requests. copsite/serve.py runs it in a few processes; scripts/serve starts that.

Slow clients. The console is served on an open classroom network. waitress reads every request
in one I/O thread, so a request reaches a Python thread only once its headers and body have
fully arrived: a phone (or an attacker) sending slowly ties up nothing but a socket. Such sockets
do not stay open for long either: a connection with no request in progress that sends nothing
for IDLE_SECONDS is closed (waitress's channel_timeout), and so is a request that has not fully
arrived REQUEST_SECONDS after its first byte, however steadily it trickles (GuardedServer). A
body larger than MAX_BODY_BYTES is refused with 413 before the app sees any of it.

Overload. With more phones than the cores can serve, the queue of requests waiting for a thread
grows: every request waits longer than the last, polls pile up behind polls, and an answer
acknowledged after half a minute helps nobody. Instead, a phone's background request (a poll, an
answer) that has already waited SHED_AFTER_SECONDS for a thread is answered at once with 503 and
Retry-After, before Django runs: the queue stays short, the requests that are served are served
promptly, and the phone tries again by itself (static/js/answers.js resends the answer with the
same key after Retry-After; htmx polls again at its next interval). Page loads and the
instructor's requests are always served. The wait is counted from the moment the request had
fully arrived (QueueTimingDispatcher), so a phone on a slow network has not waited in our queue.
"""

import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

SHED_AFTER_SECONDS = float(os.environ.get("COP_SHED_AFTER_SECONDS", "1.5"))
RETRY_AFTER_SECONDS = (2, 5)  # spread, so turned-away phones do not all come back at once
PHONE_PATH_PREFIX = "/p/"  # activities/participant_urls.py: the stage and the answers

# A phone polls every 2 s on a kept-alive connection, far inside IDLE_SECONDS. A lesson upload
# (at most 5 MB, lessons/archive.py) arrives within REQUEST_SECONDS at 2 Mbit/s.
IDLE_SECONDS = int(os.environ.get("COP_IDLE_SECONDS", "10"))
REQUEST_SECONDS = float(os.environ.get("COP_REQUEST_SECONDS", "20"))
# Twice the largest body Django takes (copsite/middleware.py's body_limit: a lesson upload and its
# form), which it refuses with a message of its own, in the user's language; bodies past this
# never reach it.
MAX_BODY_BYTES = int(os.environ.get("COP_MAX_BODY_BYTES", str(16 * 1024 * 1024)))
# Open connections per process, held or not. Many more than a class's phones, so that sockets
# held by an attacker (closed after IDLE_SECONDS) do not stop the server accepting; poll()
# rather than select(), which cannot watch more than 1,024 sockets.
CONNECTION_LIMIT = int(os.environ.get("COP_CONNECTION_LIMIT", "1000"))
CLEANUP_SECONDS = 1  # how often the I/O thread looks for connections to close


def is_phone_background_request(environ: dict) -> bool:
    if not environ.get("PATH_INFO", "").startswith(PHONE_PATH_PREFIX):
        return False
    return environ.get("REQUEST_METHOD") == "POST" or "HTTP_HX_REQUEST" in environ


def plain_response(
    start_response: Callable, status: str, body: bytes, *headers: tuple[str, str]
) -> list[bytes]:
    """A short answer made by the server itself, before or instead of Django."""
    start_response(status, [("Content-Length", str(len(body))), *headers])
    return [body]


def busy_response(start_response: Callable) -> Iterable[bytes]:
    # No message of our own: the phone shows its own, in the participant's language.
    return plain_response(
        start_response,
        "503 Service Unavailable",
        b'{"busy": true}',
        ("Content-Type", "application/json"),
        ("Retry-After", str(random.randint(*RETRY_AFTER_SECONDS))),
        ("Cache-Control", "no-store"),
    )


_waited = threading.local()  # seconds the request this thread serves waited for it


def shedding(application: Callable) -> Callable:
    """`application`, turning away phone background requests that waited too long for a thread."""

    def shed_overdue(environ: dict, start_response: Callable) -> Iterable[bytes]:
        waited = getattr(_waited, "seconds", 0.0)
        if waited > SHED_AFTER_SECONDS and is_phone_background_request(environ):
            return busy_response(start_response)
        return application(environ, start_response)

    return shed_overdue


class _TimedTask:
    """A queued task and the moment it was queued: when its request had fully arrived."""

    __slots__ = ("task", "queued_at")

    def __init__(self, task: Any) -> None:
        self.task = task
        self.queued_at = time.monotonic()

    def service(self) -> None:
        _waited.seconds = time.monotonic() - self.queued_at
        try:
            self.task.service()
        finally:
            _waited.seconds = 0.0

    def cancel(self) -> None:
        self.task.cancel()


class QueueTimingDispatcher(ThreadedTaskDispatcher):
    """waitress's thread pool, noting how long each request waited in its queue."""

    def add_task(self, task: Any) -> None:
        super().add_task(_TimedTask(task))


class GuardedChannel(HTTPChannel):
    """A connection, noting when the request it is receiving began to arrive."""

    request_started = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.monotonic()
        return super().received(data)


class GuardedServer(TcpWSGIServer):
    """waitress on a listening socket it was handed, closing requests that arrive too slowly."""

    channel_class = GuardedChannel

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections: channel_timeout
        cutoff = time.monotonic() - REQUEST_SECONDS
        for channel in self.active_channels.values():
            if channel.request is not None and channel.request_started < cutoff:
                channel.will_close = True


def adjustments(listener: Any, *, threads: int, backlog: int) -> Adjustments:
    return Adjustments(
        sockets=[listener],
        threads=threads,
        backlog=backlog,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=CLEANUP_SECONDS,
        max_request_body_size=MAX_BODY_BYTES,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
        ident="",
        # Headers reach Django as they came, as under gunicorn: behind a TLS proxy
        # (DJANGO_BEHIND_TLS_PROXY) Django reads X-Forwarded-Proto; waitress 3 would drop it.
        clear_untrusted_proxy_headers=False,
    )


def guarded_server(
    application: Callable, listener: Any, *, threads: int, backlog: int
) -> GuardedServer:
    """The app served on `listener` (bound and listening, shared with other processes)."""
    dispatcher = QueueTimingDispatcher()
    dispatcher.set_thread_count(threads)
    family, kind, proto = listener.family, listener.type, listener.proto
    return GuardedServer(
        shedding(application),
        map={},
        _sock=listener,
        dispatcher=dispatcher,
        adj=adjustments(listener, threads=threads, backlog=backlog),
        bind_socket=False,
        sockinfo=(family, kind, proto, listener.getsockname()),
    )
