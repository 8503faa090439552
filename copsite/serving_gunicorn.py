"""gunicorn's threaded worker with the same shedding as copsite/serving.py: kept only so that
bench/load.py and the slow-client tests can compare it with the served waitress
(COP_SERVER=gunicorn in tests/support/local_server.py). gunicorn is a test dependency, not a runtime
one: gthread hands a connection to a thread before its request has arrived, so a few dozen
sockets that send an incomplete request stall every thread (tests/security/test_slow_clients.py).
"""

import threading
import time
from collections.abc import Callable, Iterable

from gunicorn.workers.gthread import ThreadWorker

from copsite.serving import SHED_AFTER_SECONDS, busy_response, is_phone_background_request


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
        # Measured when a thread takes the request up, before it is read.
        self.waited.seconds = time.monotonic() - getattr(conn, "queued_at", time.monotonic())
        return super().handle(conn)
