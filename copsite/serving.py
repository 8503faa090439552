"""gunicorn's threaded worker, turning away phone requests that waited too long for a thread.

With more phones than the cores can serve, gthread's queue of requests grows without bound: every
request waits longer than the last, polls pile up behind polls, and an answer acknowledged after
half a minute helps nobody. Instead, a phone's background request (a poll, an answer) that has
already waited SHED_AFTER_SECONDS for a thread is answered at once with 503 and Retry-After,
before Django runs: the queue stays short, the requests that are served are served promptly, and
the phone tries again by itself (static/js/answers.js resends the answer with the same key after
Retry-After; htmx polls again at its next interval). Page loads and the instructor's requests are
always served.
"""

import os
import random
import threading
import time
from collections.abc import Callable, Iterable

from gunicorn.workers.gthread import ThreadWorker

SHED_AFTER_SECONDS = float(os.environ.get("COP_SHED_AFTER_SECONDS", "1.5"))
RETRY_AFTER_SECONDS = (2, 5)  # spread, so turned-away phones do not all come back at once
PHONE_PATH_PREFIX = "/p/"  # activities/participant_urls.py: the stage and the answers


def is_phone_background_request(environ: dict) -> bool:
    if not environ.get("PATH_INFO", "").startswith(PHONE_PATH_PREFIX):
        return False
    return environ.get("REQUEST_METHOD") == "POST" or "HTTP_HX_REQUEST" in environ


def busy_response(start_response: Callable) -> Iterable[bytes]:
    # No message of our own: the phone shows its own, in the participant's language.
    body = b'{"busy": true}'
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(random.randint(*RETRY_AFTER_SECONDS))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


class SheddingWorker(ThreadWorker):
    """gthread, noting when each request was queued, and shedding the overdue ones."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.waited = threading.local()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        application = self.wsgi

        def shedding(environ: dict, start_response: Callable) -> Iterable[bytes]:
            waited = getattr(self.waited, "seconds", 0.0)
            if waited > SHED_AFTER_SECONDS and is_phone_background_request(environ):
                return busy_response(start_response)
            return application(environ, start_response)

        self.wsgi = shedding

    def enqueue_req(self, conn) -> None:
        conn.queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn):
        # Measured when a thread takes the request up, before it is read: a phone on a slow
        # network sending its answer slowly has not waited in our queue.
        self.waited.seconds = time.monotonic() - getattr(conn, "queued_at", time.monotonic())
        return super().handle(conn)
