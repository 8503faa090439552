"""More phones than the server can answer: a phone's poll or answer that waited too long for a
thread is turned away at once with 503 and Retry-After (copsite/serving.py), and the phone's
next try is served. Page loads are never turned away.

The server here has one thread, held busy by a phone's answer that waits for the database while
another program holds its lock; the requests queued behind it wait as long as the test chooses.
(A phone sending its answer slowly would not do: the server reads a request in full before a
thread takes it up, tests/security/test_slow_clients.py.)
"""

import json
import socket
import threading
import time
import uuid

import pytest

from tests.faults.served import HOST, Phone, ServedApp

SHED_AFTER = 0.5  # seconds; the served default is longer
HELD_FOR = 1.2  # how long the slow answer keeps the only thread


@pytest.fixture
def one_thread_app(prepared, tmp_path):
    app = ServedApp(prepared, tmp_path, workers=1, threads=1)
    app.env["COP_SHED_AFTER_SECONDS"] = str(SHED_AFTER)
    app.start()
    try:
        yield app
    finally:
        app.close()


def send_held(phone: Phone, key: str, text: str) -> dict:
    """An answer that cannot be written for HELD_FOR seconds: the server's only thread waits for
    the database. Returns what the server answered, once it has."""
    body = json.dumps({"key": key, "text": text}).encode()
    cookies = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
    head = (
        f"POST /p/{phone.code}/answer/save/ HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Content-Type: application/json\r\nX-CSRFToken: {phone.csrf}\r\n"
        f"Cookie: {cookies}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    result = {}
    phone.app.hold_writes(HELD_FOR)

    def run() -> None:
        with socket.create_connection((HOST, phone.app.port), timeout=10) as connection:
            connection.sendall(head + body)
            result["response"] = connection.makefile("rb").read()

    thread = threading.Thread(target=run)
    thread.start()
    result["thread"] = thread
    return result


def behind_a_slow_answer(app: ServedApp, request) -> tuple[tuple, float]:
    """Make `request` (a function of no arguments) wait behind a slow answer; return what it got
    and how long it took."""
    writer = Phone(app, app.prepared.tokens[0])  # the same participant, on another tab
    writer.open_stage()
    slow = send_held(writer, f"point:{uuid.uuid4()}", "Listen before acting.")
    time.sleep(0.2)  # the slow answer has the thread
    started = time.monotonic()
    response = request()
    took = time.monotonic() - started
    slow["thread"].join(10)
    assert slow["response"].startswith(b"HTTP/1.1 200"), slow["response"][:300]
    return response, took


def test_a_poll_that_waited_too_long_is_turned_away_and_the_next_one_is_served(one_thread_app):
    app = one_thread_app
    phone = Phone(app, app.prepared.tokens[0])
    page = phone.open_stage()
    revision = page.split("?rev=", 1)[1].split('"', 1)[0]
    poll = f"/p/{app.prepared.code}/?rev={revision}"
    htmx = {"HX-Request": "true"}

    (status, headers, body), took = behind_a_slow_answer(
        app, lambda: phone.request("GET", poll, headers=htmx)
    )

    assert status == 503
    assert 2 <= int(headers["Retry-After"]) <= 5
    assert json.loads(body) == {"busy": True}  # no words: the phone shows its own, translated
    assert took < HELD_FOR + 0.5  # answered as soon as a thread took it up, not after Django
    # The slow answer changed the group: the next poll is served, with the new stage.
    status, _, body = phone.request("GET", poll, headers=htmx)
    assert status == 200
    assert b"Listen before acting." in body
    assert "Traceback" not in app.log()


def test_an_answer_turned_away_is_stored_once_when_it_is_sent_again(one_thread_app):
    app = one_thread_app
    phone = Phone(app, app.prepared.tokens[0])
    phone.open_stage()
    key = f"point:{uuid.uuid4()}"

    (status, headers, _), _ = behind_a_slow_answer(app, lambda: phone.save(key, "Be visible."))
    assert status == 503
    assert int(headers["Retry-After"]) >= 2
    assert app.query("SELECT COUNT(*) FROM activities_submission WHERE key = ?", (key,)) == [(0,)]

    status, _, body = phone.save(key, "Be visible.")
    assert status == 200, body
    assert app.query("SELECT text FROM activities_submission WHERE key = ?", (key,)) == [
        ("Be visible.",)
    ]


def test_a_page_load_that_waited_is_still_served(one_thread_app):
    app = one_thread_app
    phone = Phone(app, app.prepared.tokens[0])

    (status, _, body), took = behind_a_slow_answer(
        app, lambda: phone.request("GET", f"/p/{app.prepared.code}/")
    )

    assert status == 200
    assert took > SHED_AFTER  # it did wait, and was served all the same
    assert b'id="stage"' in body
