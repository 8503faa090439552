"""A real server serving the app on a database of its own, and phones that talk to it over HTTP.
The server is tests/support/local_server.py's: waitress, or gunicorn with COP_SERVER=gunicorn.

The database is prepared once per test session (migrate, the CoP lesson, an instructor, a live
delivery on slide 12 with activity 5.1 open and its timer running, PHONES participants) and each
test gets a copy: a SQLite file, or a PostgreSQL database made from it as a template. The test
suite's own database (pytest-django's) is never touched.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from tests.support.local_server import HOST, LocalServer, manage, pg_execute, with_database

PHONES = 20
INSTRUCTOR = "fault-instructor"
PASSWORD = "fault-instructor-password"
SETUP_SCRIPT = f"""
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from activities.models import delivery_create
from activities.participation import participant_join
from copsite.roles import INSTRUCTOR, grant_role
from lessons.models import Lesson

call_command("migrate", interactive=False, verbosity=0)
call_command("loadlesson", "content/cop", verbosity=0)
user = get_user_model().objects.create_user("{INSTRUCTOR}", password="{PASSWORD}")
grant_role(user, INSTRUCTOR)
delivery = delivery_create(
    lesson=Lesson.objects.latest_published("cop"), instructor=user, title="Faults",
    expected_class_size={PHONES},
)
delivery.start()
delivery.go_to_slide(12)
delivery.open_activity()
delivery.change_timer("start")
tokens = [participant_join(delivery=delivery, display_name=f"Phone {{n}}").token
          for n in range({PHONES})]
delivery.refresh_from_db()
print(json.dumps({{"delivery": delivery.pk, "code": delivery.join_code, "tokens": tokens,
                  "run": delivery.open_run_id}}))
"""


def postgres_url() -> str | None:
    """The PostgreSQL server of the test run (DATABASE_URL) as its maintenance database
    `postgres`, where databases are created and dropped; None on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return url.rsplit("/", 1)[0] + "/postgres"


@dataclass
class Prepared:
    """The template database and what is in it."""

    delivery: int
    code: str
    tokens: list[str]
    run: int
    sqlite_file: Path | None = None
    pg_template: str | None = None


def base_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "COP_SQLITE_PATH"} and not k.startswith("COP_FAULT_")
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "tests.faults.fault_settings",
        "DJANGO_SECRET_KEY": "fault-tests-" + "k" * 50,
        "DJANGO_DEBUG": "0",
        "COP_LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }


def prepare(folder: Path) -> Prepared:
    env = base_env()
    pg = postgres_url()
    template = None
    if pg:
        template = f"cop_faults_tpl_{secrets.token_hex(4)}"
        pg_execute(pg, f'CREATE DATABASE "{template}"')
        env["DATABASE_URL"] = with_database(pg, template)
    else:
        env["COP_SQLITE_PATH"] = str(folder / "template.sqlite3")
    printed = manage(env, "shell", "-c", SETUP_SCRIPT)
    facts = json.loads(printed.strip().splitlines()[-1])
    return Prepared(
        **facts,
        sqlite_file=None if pg else folder / "template.sqlite3",
        pg_template=template,
    )


class ServedApp(LocalServer):
    """The server on a copy of the prepared database; `url` stays the same across restarts."""

    def __init__(self, prepared: Prepared, folder: Path, *, workers: int = 2, threads: int = 4):
        self.prepared = prepared
        env = base_env()
        self.pg_admin = postgres_url()
        if self.pg_admin:
            self.pg_database = f"cop_faults_{secrets.token_hex(4)}"
            pg_execute(
                self.pg_admin,
                f'CREATE DATABASE "{self.pg_database}" TEMPLATE "{prepared.pg_template}"',
            )
            self.database_url = with_database(self.pg_admin, self.pg_database)
            env["DATABASE_URL"] = self.database_url
            self.sqlite_file = None
        else:
            self.sqlite_file = folder / "db.sqlite3"
            shutil.copyfile(prepared.sqlite_file, self.sqlite_file)
            env["COP_SQLITE_PATH"] = str(self.sqlite_file)
        options = ["--workers", str(workers), "--threads", str(threads), "--graceful-timeout", "2"]
        super().__init__(folder, env, options)

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_file is not None

    def start(self, **knobs: str) -> None:
        """Start the server; knobs are COP_FAULT_* settings, e.g. start(BUSY_MS="300")."""
        super().start({f"COP_FAULT_{k}": v for k, v in knobs.items()})

    def close(self) -> None:
        self.stop()
        if self.pg_admin:
            pg_execute(self.pg_admin, f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')

    def hold_writes(self, seconds: float) -> threading.Thread:
        """Keep every answer from being written for `seconds`, as another program holding the
        database's lock would (SQLite's write lock; on PostgreSQL the groups' rows, which an
        answer locks): a request that writes keeps its server thread until then. Returns once
        the lock is held; the returned thread lets it go."""
        held = threading.Event()

        def hold() -> None:
            if self.is_sqlite:
                connection = sqlite3.connect(self.sqlite_file, isolation_level=None)
                try:
                    connection.execute("BEGIN IMMEDIATE")
                    held.set()
                    time.sleep(seconds)
                    connection.execute("COMMIT")
                finally:
                    connection.close()
                return
            import psycopg

            with psycopg.connect(self.database_url) as connection, connection.transaction():
                connection.execute("SELECT id FROM activities_group FOR UPDATE")
                held.set()
                time.sleep(seconds)

        thread = threading.Thread(target=hold, daemon=True)
        thread.start()
        assert held.wait(10), "the database's lock could not be taken"
        return thread

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the served database directly, as an administrator would."""
        if self.is_sqlite:
            with contextlib.closing(sqlite3.connect(self.sqlite_file)) as connection:
                return connection.execute(sql, params).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(sql.replace("?", "%s"), params).fetchall()


FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
ENDS_AT = re.compile(r'data-ends-at="(\d*)"')


class Phone:
    """A browser, as far as the server can tell: cookies, CSRF, one request at a time."""

    def __init__(self, app: ServedApp, token: str):
        self.app = app
        self.code = app.prepared.code
        self.cookies: dict[str, str] = {f"cop_{self.code}": token} if token else {}
        self.csrf = ""

    def request(self, method, path, body=None, headers=None, timeout=10):
        connection = http.client.HTTPConnection(HOST, self.app.port, timeout=timeout)
        try:
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, data
        finally:
            connection.close()

    def open_stage(self) -> str:
        """The phone's page, as a person opens it; keeps the CSRF token the page carries."""
        status, _, body = self.request("GET", f"/p/{self.code}/")
        assert status == 200, (status, body[:500])
        page = body.decode()
        self.csrf = HEADER_TOKEN.search(page)[1]
        return page

    def save(self, key: str, text: str, timeout: float = 10):
        body = json.dumps({"key": key, "text": text})
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf}
        status, response_headers, data = self.request(
            "POST", f"/p/{self.code}/answer/save/", body, headers, timeout
        )
        return status, response_headers, data

    def post_form(self, path: str, fields: dict[str, str]):
        """GET the form for its CSRF token, then POST it, as a person filling it in."""
        status, _, body = self.request("GET", path)
        assert status == 200, (status, body[:500])
        fields = fields | {"csrfmiddlewaretoken": FORM_TOKEN.search(body.decode())[1]}
        from urllib.parse import urlencode

        return self.request(
            "POST",
            path,
            urlencode(fields),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


def ends_at(page: str) -> str:
    return ENDS_AT.search(page)[1]
