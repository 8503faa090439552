"""granian (an HTTP server written in Rust, on hyper and tokio) serving the console with the same
shedding as copsite/serving.py's waitress: a candidate measured beside it, not the served one
(COP_SERVER=granian in tests/support/local_server.py; bench/load.py --server granian).

Why not served: granian hands a request to a Python thread as soon as its headers have arrived
and lets the app read the body from the socket as it comes. Sockets that trickle a form body,
with a CSRF cookie so that Django reads it, hold its threads: with 64 of them, /healthz did not
answer in 30 s (COP_SERVER=granian pytest tests/security/test_slow_clients.py). Its headers, on
the other hand, are read in Rust (closed after IDLE_SECONDS, granian's HTTP/1 header read
timeout, which also closes a kept-alive connection that sends nothing), and its HTTP handling
costs less CPU than waitress's (bench/RESULTS.md).

Overload. granian queues requests for its Python threads in Rust, where no wait is seen. So it
is given many more threads than should run Django at once, and RUNNING of them may (`admitted`):
the others wait for a slot, and a phone's background request that has waited
SHED_AFTER_SECONDS is answered 503 with Retry-After, as under waitress.
"""

import os
import threading
from collections.abc import Callable, Iterable

from copsite.serving import (
    MAX_BODY_BYTES,
    SHED_AFTER_SECONDS,
    busy_response,
    is_phone_background_request,
    plain_response,
)

RUNNING = int(os.environ.get("COP_THREADS", "4"))  # requests in Django at once, per process
_slots = threading.BoundedSemaphore(RUNNING)


def too_large(start_response: Callable) -> Iterable[bytes]:
    return plain_response(
        start_response,
        "413 Request Entity Too Large",
        b"Request body too large",
        ("Content-Type", "text/plain"),
        ("Connection", "close"),
    )


def admitted(application: Callable) -> Callable:
    """`application`, run by at most RUNNING threads at once; overdue phone requests shed."""

    def admit(environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return too_large(start_response)
        if is_phone_background_request(environ):
            if not _slots.acquire(timeout=SHED_AFTER_SECONDS):
                return busy_response(start_response)
        else:
            _slots.acquire()
        try:
            return application(environ, start_response)
        finally:
            _slots.release()

    return admit


from copsite.wsgi import application as django_application  # noqa: E402 -- after the guards

application = admitted(django_application)
