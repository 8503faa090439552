"""A database that is locked, full or read-only: the answer endpoint and the pages that write
answer 503 with a clear message and Retry-After, never a 500; nothing partial is stored; the
same answer goes through once the database is back.

Served by the real server (copsite.middleware turns an outage into the 503). The phone keeps
its text: the JSON says so, and static/js/answers.js keeps the draft until a 200.

The served settings give up on a lock after 10 s (SQLite's busy timeout, PostgreSQL's
lock_timeout); these tests shorten it (COP_FAULT_BUSY_MS) so that the 503 comes at once.
"""

import contextlib
import json
import sqlite3
import threading
import uuid

import pytest
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from activities.models import RateCounter
from tests.faults.served import FORM_TOKEN, Phone, ServedApp, pg_execute, postgres_url

MESSAGE = "The server cannot store anything right now"
NAME = "Late Arrival"


def assert_unavailable(response, *, kind: str) -> None:
    status, headers, body = response
    assert status == 503, (status, body[:500])
    assert int(headers["Retry-After"]) > 0
    if kind == "json":
        assert headers["Content-Type"] == "application/json"
        error = json.loads(body)["error"]
        assert error.startswith(MESSAGE)
        assert "Nothing you typed is lost" in error
    else:
        assert headers["Content-Type"].startswith("text/html")
        assert MESSAGE in body.decode()


def attempt_everything(app: ServedApp, phone: Phone, newcomer: Phone, key: str) -> None:
    """An answer and a join (a page that writes) are refused with 503; reads still work."""
    assert_unavailable(phone.save(key, "Trust comes first."), kind="json")
    response = newcomer.request(
        "POST",
        f"/j/{app.prepared.code}/",
        f"name={NAME.replace(' ', '+')}&csrfmiddlewaretoken={newcomer.form_token}",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_unavailable(response, kind="html")


def ready_phones(app: ServedApp) -> tuple[Phone, Phone]:
    """A member of a group with the activity open, and someone about to join, both with their
    pages (and CSRF tokens) loaded before the database goes bad."""
    phone = Phone(app, app.prepared.tokens[0])
    phone.open_stage()
    newcomer = Phone(app, "")
    status, _, body = newcomer.request("GET", f"/j/{app.prepared.code}/")
    assert status == 200
    newcomer.form_token = FORM_TOKEN.search(body.decode())[1]
    return phone, newcomer


def assert_nothing_stored(app: ServedApp, key: str, *, cause: str) -> None:
    """Nothing of the refused answer or join is in the database, and the 503s had `cause`."""
    assert app.query("SELECT COUNT(*) FROM activities_submission WHERE key = ?", (key,)) == [(0,)]
    joined = app.query(
        "SELECT COUNT(*) FROM activities_participant WHERE display_name = ?", (NAME,)
    )
    assert joined == [(0,)]
    assert cause in app.log()  # what copsite.middleware logged: the database's own words
    assert "Traceback" not in app.log()
    assert "Internal Server Error" not in app.log()


def assert_integrity(app: ServedApp) -> None:
    if app.is_sqlite:
        assert app.query("PRAGMA integrity_check") == [("ok",)]


def test_a_locked_database_answers_503_and_the_resend_goes_through(served_app):
    app = served_app
    app.start(BUSY_MS="300")
    phone, newcomer = ready_phones(app)
    key = f"point:{uuid.uuid4()}"
    locked = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        # Another program (a backup tool, a second server) holds the write lock throughout.
        if app.is_sqlite:
            with contextlib.closing(sqlite3.connect(app.sqlite_file, isolation_level=None)) as db:
                db.execute("BEGIN IMMEDIATE")
                locked.set()
                release.wait(30)
                db.execute("ROLLBACK")
        else:
            import psycopg

            with psycopg.connect(app.database_url) as db:
                db.execute(
                    "LOCK TABLE activities_submission, activities_participant, activities_group "
                    "IN ACCESS EXCLUSIVE MODE"
                )
                locked.set()
                release.wait(30)
                db.rollback()

    holder = threading.Thread(target=hold_the_lock, daemon=True)
    holder.start()
    assert locked.wait(10)
    try:
        attempt_everything(app, phone, newcomer, key)
        if app.is_sqlite:  # WAL: readers are not blocked by a writer, so the phone still reads
            assert phone.request("GET", f"/p/{app.prepared.code}/")[0] == 200
    finally:
        release.set()
        holder.join(10)
    assert_nothing_stored(app, key, cause="locked" if app.is_sqlite else "lock timeout")

    status, _, body = phone.save(key, "Trust comes first.")
    assert status == 200, body
    assert app.query("SELECT text FROM activities_submission WHERE key = ?", (key,)) == [
        ("Trust comes first.",)
    ]
    assert_integrity(app)


def test_a_read_only_database_answers_503_and_still_shows_the_pages(served_app):
    app = served_app
    if app.is_sqlite:
        app.start(READ_ONLY="1")
    else:
        pg_execute(
            app.pg_admin,
            f'ALTER DATABASE "{app.pg_database}" SET default_transaction_read_only = on',
        )
        app.start()
    phone, newcomer = ready_phones(app)
    key = f"point:{uuid.uuid4()}"

    attempt_everything(app, phone, newcomer, key)
    assert "Your group" in phone.open_stage()

    cause = "readonly database" if app.is_sqlite else "read-only transaction"
    assert_nothing_stored(app, key, cause=cause)
    assert_integrity(app)


def fill_up(database, cap_pages: int) -> None:
    """Fill the tables an answer or a join writes to, up to the page cap, leaving no room in
    any of their pages: rows of decreasing size until not even the smallest one fits."""
    submission = (
        "INSERT INTO activities_submission (run_id, group_id, key, position, text, version,"
        " hidden, spotlighted, created_at, updated_at)"
        " VALUES (-1, -1, ?, 0, ?, 1, 0, 0, '2000-01-01', '2000-01-01')"
    )
    participant = (
        "INSERT INTO activities_participant (delivery_id, display_name, token, joined_at,"
        " removed) VALUES (-1, ?, ?, '2000-01-01', 0)"
    )
    counter = "INSERT INTO activities_ratecounter (key, window, count) VALUES (?, -1, 0)"
    fillers = [
        (submission, lambda size: (uuid.uuid4().hex, "x" * size)),
        (participant, lambda size: ("x" * min(size, 40), uuid.uuid4().hex)),
        (counter, lambda size: (uuid.uuid4().hex + "x" * min(size, 80),)),
    ]
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as db:
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"PRAGMA max_page_count={cap_pages}")
        for statement, params in fillers:
            for size in (3000, 600, 120, 24, 1):
                while True:
                    try:
                        db.execute(statement, params(size))
                    except sqlite3.OperationalError as error:
                        assert "full" in str(error)
                        break
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.mark.skipif(
    postgres_url() is not None,
    reason="SQLite only: PostgreSQL has no per-database size cap that a test can fill; a full "
    "disk under PostgreSQL is the database server's own error, not exercised here",
)
def test_a_full_database_answers_503_and_stores_nothing(served_app):
    app = served_app
    with contextlib.closing(sqlite3.connect(app.sqlite_file)) as db:
        cap = db.execute("PRAGMA page_count").fetchone()[0] + 8
    fill_up(app.sqlite_file, cap)
    app.start(MAX_PAGES=str(cap))
    phone, newcomer = ready_phones(app)
    key = f"point:{uuid.uuid4()}"

    attempt_everything(app, phone, newcomer, key)
    assert "Your group" in phone.open_stage()

    assert_nothing_stored(app, key, cause="database or disk is full")
    assert_integrity(app)


# Which failures are outages, and who gets JSON: views that fail for real, served in-process.


@transaction.atomic
def store_twice(request):
    RateCounter.objects.create(key="twice", window=1)
    RateCounter.objects.create(key="twice", window=1)  # IntegrityError: the key is unique
    return HttpResponse("stored")


@transaction.atomic
def store_a_nul(request):
    RateCounter.objects.create(key="first", window=1)
    RateCounter.objects.create(key="a\x00b", window=1)  # PostgreSQL: DataError
    return HttpResponse("stored")


def find_the_database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("twice/", store_twice),
    path("nul/", store_a_nul),
    path("gone/", find_the_database_gone),
]
in_this_module = override_settings(ROOT_URLCONF=__name__)


@in_this_module
@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/twice/",
        pytest.param(
            "/nul/",
            marks=pytest.mark.skipif(
                postgres_url() is None, reason="SQLite stores a NUL; PostgreSQL refuses it"
            ),
        ),
    ],
)
def test_a_refused_value_or_a_broken_rule_is_not_reported_as_a_busy_database(url):
    response = Client(raise_request_exception=False).post(url, {"name": "x"})

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert MESSAGE not in response.content.decode()
    assert RateCounter.objects.count() == 0


@in_this_module
@pytest.mark.parametrize(
    ("sent", "kind"),
    [
        ({"headers": {"Accept": "application/json"}}, "json"),
        ({"data": "{}", "content_type": "application/json"}, "json"),
        ({"headers": {"Accept": "application/json;q=0.5, text/html"}}, "html"),
        ({"headers": {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}}, "html"),
        ({}, "html"),
    ],
)
def test_an_outage_answers_json_or_html_as_the_request_asks(sent, kind):
    response = Client().post("/gone/", **sent)

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    if kind == "json":
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"].startswith(MESSAGE)
    else:
        assert response["Content-Type"].startswith("text/html")
        assert MESSAGE in response.content.decode()
