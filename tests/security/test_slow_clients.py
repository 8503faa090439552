"""Slow and idle clients on the open classroom network cannot starve the real served app
(tests/support/local_server.py: scripts/serve's server; COP_SERVER=gunicorn runs the same tests
against gunicorn's gthread, which fails them).

A request reaches a Python thread only once it has fully arrived, so sockets that send part of a
request and wait, or trickle a body a byte a second, leave /healthz (and every phone) answered at
once; the server closes them after a short time (copsite/serving.py: IDLE_SECONDS with nothing
arriving, REQUEST_SECONDS for a whole request); a body over the limit is refused by the server,
before Django. Run with -s to see the figures.
"""

import contextlib
import http.client
import selectors
import socket
import threading
import time

import pytest

from copsite.serving import CLEANUP_SECONDS, MAX_BODY_BYTES
from tests.faults.served import base_env
from tests.support.local_server import HOST, LocalServer, manage

HELD_SOCKETS = 64
TRICKLERS = 8
ANSWERED_WITHIN = 2.0  # seconds for /healthz under attack; it takes milliseconds
CLOSED_WITHIN = 30.0  # seconds: the longest a held or trickling socket may stay open
SLACK = CLEANUP_SECONDS + 2.0  # the server looks for sockets to close every CLEANUP_SECONDS
HUGE_BODY = 20 * 1024 * 1024
# The served app's timeouts, shorter than scripts/serve's (10 s idle, 20 s for a request) so the
# tests need not wait that long for the server to close the sockets; the mechanism is the same.
IDLE_SECONDS = 2
REQUEST_SECONDS = 4


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app as scripts/serve serves it: 2 processes of 4 threads, on a fresh database."""
    folder = tmp_path_factory.mktemp("slow-clients")
    # At WARNING, Django logs every 4xx it answers ("Payload Too Large: /healthz").
    env = base_env() | {
        "COP_SQLITE_PATH": str(folder / "db.sqlite3"),
        "COP_LOG_LEVEL": "WARNING",
        "COP_IDLE_SECONDS": str(IDLE_SECONDS),
        "COP_REQUEST_SECONDS": str(REQUEST_SECONDS),
    }
    manage(env, "migrate", "--noinput", "--skip-checks")
    server = LocalServer(folder, env, ["--workers", "2", "--threads", "4"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def django_log(server: LocalServer) -> str:
    return (server.folder / f"server-{server.starts}.log").read_text(errors="replace")


def healthz_seconds(server: LocalServer) -> float:
    """How long GET /healthz took to answer 200; fails if it did not within 10 s."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert response.status == 200, response.status
        response.read()
    except TimeoutError:
        pytest.fail(f"/healthz did not answer within 10 s ({server.server})")
    finally:
        connection.close()
    return time.monotonic() - started


def healthz_under_attack(server: LocalServer, what: str) -> None:
    took = [healthz_seconds(server) for _ in range(3)]
    print(f"\n{server.server}: /healthz with {what}: {', '.join(f'{t:.3f}' for t in took)} s")
    assert max(took) < ANSWERED_WITHIN


def connect(server: LocalServer, first_bytes: bytes) -> socket.socket:
    sock = socket.create_connection((HOST, server.port), timeout=5)
    sock.sendall(first_bytes)
    return sock


def seconds_until_closed(sockets: list[socket.socket], started: float, limit: float) -> list:
    """For each socket, the seconds since `started` after which the server closed it, or None if
    it was still open `limit` seconds after `started`."""
    closed_at: dict[socket.socket, float] = {}
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        while len(closed_at) < len(sockets):
            left = started + limit - time.monotonic()
            if left <= 0:
                break
            for key, _ in selector.select(timeout=left):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:  # reset
                    data = b""
                if not data:
                    closed_at[key.fileobj] = time.monotonic() - started
                    selector.unregister(key.fileobj)
    return [closed_at.get(sock) for sock in sockets]


def report_closes(server: LocalServer, what: str, closes: list, bound: float) -> None:
    shown = [c for c in closes if c is not None]
    still_open = len(closes) - len(shown)
    span = f"{min(shown):.1f}–{max(shown):.1f} s" if shown else "none"
    print(f"{server.server}: {what} closed by the server after {span}; {still_open} still open")
    assert still_open == 0, f"{still_open} of {len(closes)} still open after {CLOSED_WITHIN} s"
    assert max(shown) <= bound


def test_sockets_holding_an_incomplete_request_neither_stall_the_server_nor_stay_open(served):
    started = time.monotonic()
    held = [
        connect(served, f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nX-Held: ".encode())
        for _ in range(HELD_SOCKETS)
    ]
    try:
        time.sleep(0.5)  # every one has reached the server

        healthz_under_attack(served, f"{HELD_SOCKETS} sockets holding an incomplete header")

        closes = seconds_until_closed(held, started, CLOSED_WITHIN)
        report_closes(served, f"{HELD_SOCKETS} held headers", closes, IDLE_SECONDS + SLACK)
    finally:
        for sock in held:
            sock.close()


def test_bodies_trickled_a_byte_a_second_neither_stall_the_server_nor_stay_open(served):
    body_length = 1000
    # With a CSRF cookie, Django reads the form for its token: a server that hands a request to a
    # thread before its body has arrived would leave that thread waiting on the trickle.
    head = (
        f"POST / HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Cookie: csrftoken={'c' * 32}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {body_length}\r\n\r\nc"
    ).encode()
    started = time.monotonic()
    tricklers = [connect(served, head) for _ in range(TRICKLERS)]
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(1.0):
            for sock in tricklers:
                with contextlib.suppress(OSError):  # closed by the server: what we expect
                    sock.send(b"x")

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        time.sleep(1.5)  # a byte or two of each body has arrived

        healthz_under_attack(served, f"{TRICKLERS} bodies trickling at 1 byte/s")

        closes = seconds_until_closed(tricklers, started, CLOSED_WITHIN)
        report_closes(served, f"{TRICKLERS} trickling bodies", closes, REQUEST_SECONDS + SLACK)
    finally:
        stop.set()
        sender.join(5)
        for sock in tricklers:
            sock.close()


def response_or_reset(sock: socket.socket) -> bytes:
    """What the server answered before closing; b"" if it reset the connection instead."""
    sock.settimeout(10)
    received = b""
    with contextlib.suppress(ConnectionResetError, BrokenPipeError):
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_a_declared_20_mb_body_is_refused_before_django(served):
    # Django would refuse it too (copsite/middleware.py), but in a thread of the server, which
    # would have read the request for it; Django logs what it refuses, the server does not.
    assert HUGE_BODY > MAX_BODY_BYTES
    head = (
        f"POST /healthz HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {HUGE_BODY}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with connect(served, head + b"x" * 1024) as sock:
        answer = response_or_reset(sock)
    took = time.monotonic() - started
    print(f"\n{served.server}: 20 MB declared body: {answer[:40]!r} after {took:.3f} s")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert healthz_seconds(served) < ANSWERED_WITHIN
    assert "/healthz" not in django_log(served)  # Django never saw it
    assert took < ANSWERED_WITHIN  # and the server closed the connection at once


def test_a_chunked_body_growing_past_the_limit_is_refused_before_django(served):
    head = (
        f"POST /healthz HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/octet-stream\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"%x\r\n" % (1024 * 1024) + b"x" * (1024 * 1024) + b"\r\n"
    sent, up_to = 0, 4 * MAX_BODY_BYTES
    with connect(served, head) as sock:
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            while sent < up_to:
                sock.sendall(chunk)
                sent += 1024 * 1024
            sock.sendall(b"0\r\n\r\n")
        answer = response_or_reset(sock)
    print(f"\n{served.server}: chunked body: {answer[:40]!r} after {sent >> 20} MB sent")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert sent < up_to  # cut off long before all of it was sent
    assert healthz_seconds(served) < ANSWERED_WITHIN
    assert "/healthz" not in django_log(served)
