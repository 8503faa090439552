"""Load benchmark: classes of simulated phones against a real server on this machine.

    .venv/bin/python bench/load.py                       # 300 phones, SQLite, 2 workers, 3 runs
    .venv/bin/python bench/load.py --phones 600 --runs 5
    .venv/bin/python bench/load.py --database postgres   # needs PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/load.py --knee                # the largest phone count that holds
    .venv/bin/python bench/load.py --phones 400 --deliveries 10 --database postgres
    .venv/bin/python bench/load.py --server gunicorn     # or granian: tests/support/local_server.py

It sets up everything itself in a temporary folder (a fresh SQLite file, or a PostgreSQL database
it creates and drops): migrate, collectstatic, loadlesson content/cop, one instructor and one
delivery per class, then the server on a free port of 127.0.0.1. It only ever talks to
127.0.0.1 and stops by itself: every loop is bounded by --duration and by a hard deadline.

How the client keeps out of the server's figures (it shares the same cores):
- every run's client is a child process at a lower priority (os.nice +10), so when the cores
  are short the server is served first; the server is started by the parent, at normal priority;
- the client's event loop is uvloop where it is installed (the test extras install it);
- the client measures its own event-loop lag (a 50 ms sleep, every 50 ms): a run whose lag p99
  exceeds --max-lag-ms measured the client, not the server; it is discarded and run again (at
  most --retries times in all), and the report says how many were discarded;
- each scenario runs --runs times (default 3), each on a fresh database and server, and the last
  lines are the median of the kept runs and their spread (min-max).

The scenario, as in a classroom (with --deliveries N, in each of N classes at once):
- the phones join (POST / with the code, POST /j/<code>/ with a name), keeping cookies and CSRF;
- each phone polls /p/<code>/?rev=R.G every 2 s with HX-Request (204 while nothing changed; on
  200 the new revision is read from the stage's hx-get); the console and the projector poll too;
- the instructor starts the delivery, moves slides, goes to slide 12, opens activity 5.1 (every
  phone sends a point at once: the burst), starts its timer (a second burst), moves on;
- each point has its own idempotency key (point:<uuid>) and is resent with the same key after a
  network error, a 429 or a 503, after the Retry-After the server asked for; the answer's
  response carries the group's stage, which the phone takes if it is later than the one it
  shows, as static/js/answers.js does;
- afterwards, the same concurrency hammers the unchanged poll and a bare "ok" view in turn, and
  the poll's throughput is printed as a ratio of the bare view's;
- finally the database is asked what was stored: lost = acknowledged but not stored (in its own
  class), dup = rows beyond one per key; leaks = a class's phone, console or projector showing
  an answer written in another class.

Each run ends with one summary line: phones=… poll_p95_ms=… submit_p95_ms=… errors=… lost=…
dup=… poll_vs_bare=… (then more fields); then "median of N runs" and "targets: …". With --knee,
the phone count is stepped up (doubling) and then bisected to --knee-step, and the last line is
"knee: N phones": the largest count at which the median of the runs met every target.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from copsite.serving import SHED_AFTER_SECONDS  # noqa: E402
from tests.support.local_server import (  # noqa: E402
    HOST,
    SERVERS,
    LocalServer,
    ServerFailed,
    manage,
    pg_execute,
    with_database,
)

ROOT = Path(__file__).resolve().parent.parent
INSTRUCTOR = "bench-instructor"
POLL_SECONDS = 2.0
SCREEN_POLL_SECONDS = 1.0  # the console and the projector poll every second
SUBMIT_GIVE_UP_SECONDS = 90  # a phone keeps resending an answer this long at most
STAGE_REV = re.compile(rb'hx-get="/p/[A-Za-z0-9]+/\?rev=(\d+)\.(\d+)"')
SCREEN_REV = re.compile(rb'data-revision="(\d+)"')
SCREEN_POLL_REV = re.compile(rb'hx-get="[^"?]+\?rev=([0-9.]+)"')
FORM_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_TOKEN = re.compile(rb'"X-CSRFToken": "([^"]+)"')
# The instructor's actions, at these fractions of --duration; "burst" marks those after which
# every phone sends a point.
SCRIPT = [
    (0.05, "start", False),
    (0.10, "next", False),
    (0.17, "goto:12", False),
    (0.23, "open_activity", True),
    (0.37, "timer:start", True),
    (0.55, "next", False),
    (0.72, "prev", False),
]


# --- Measurements ------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)  # kind -> milliseconds
        self.errors: Counter[str] = Counter()  # "kind status" or "kind Exception" -> count
        self.shed: Counter[str] = Counter()  # 429/503 that carried a Retry-After
        self.requests = 0
        self.bad_204 = 0  # a 204 with a body
        self.changed = 0  # polls answered 200: a new stage to show

    def ok(self, kind: str, started: float) -> float:
        elapsed = (time.perf_counter() - started) * 1000
        self.latency[kind].append(elapsed)
        self.requests += 1
        return elapsed

    def error(self, kind: str, what: str, *, retry_after: bool = False) -> None:
        self.errors[f"{kind} {what}"] += 1
        if retry_after:
            self.shed[f"{kind} {what}"] += 1


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def proc_stat(process: Path) -> tuple[str, list[str]] | None:
    """A process's name and the fields of its /proc/<pid>/stat that follow the name (state,
    parent pid, …); None once it has ended."""
    try:
        name, rest = (process / "stat").read_text().split("(", 1)[1].rsplit(")", 1)
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None
    return name, rest.split()


def cpu_fields(fields: list[str], first: int) -> float:
    """Seconds of user + system CPU from two stat fields: 11 for the process's own, 13 for its
    reaped children's."""
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the server's supervisor and workers)."""
    total = 0.0
    pending = [pid]
    while pending:
        process = Path(f"/proc/{pending.pop()}")
        stat = proc_stat(process)
        if stat is None:
            continue
        total += cpu_fields(stat[1], 11)
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            for task in (process / "task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    return total


def postgres_cpu_seconds() -> float:
    """User + system CPU used so far by this machine's PostgreSQL: its live processes, and the
    backends that have ended, which the server counts as its reaped children (gunicorn closes
    a connection after CONN_MAX_AGE and opens another: backends come and go during a run)."""
    processes = {}  # pid -> (parent pid, own CPU, reaped children's CPU)
    for process in Path("/proc").glob("[0-9]*"):
        stat = proc_stat(process)
        if stat is not None and stat[0] == "postgres":
            fields = stat[1]
            processes[int(process.name)] = (
                int(fields[1]),
                cpu_fields(fields, 11),
                cpu_fields(fields, 13),
            )
    return sum(
        own + (reaped if parent not in processes else 0.0)
        for parent, own, reaped in processes.values()
    )


# --- The server under test ---------------------------------------------------------------------

# One instructor and one delivery per class, in one manage.py process (a command per class
# would take a second or two each). The password comes on stdin, never on a command line.
SETUP_CLASSES = """
import io, json, sys
from django.contrib.auth import get_user_model
from django.core.management import call_command
from copsite.roles import grant_role
password = sys.stdin.readline().rstrip("\\n")
classes = []
for number, size in enumerate(json.loads({sizes!r}), start=1):
    name = "{instructor}-%d" % number
    user = get_user_model().objects.create_user(name, password=password)
    grant_role(user, "instructor")
    printed = io.StringIO()
    call_command("startdelivery", "--lesson", "cop", "--instructor", name,
        "--class-size", str(size), "--title", "Load benchmark, class %d" % number,
        "--base-url", {url!r}, stdout=printed)
    classes.append([name, printed.getvalue()])
print(json.dumps(classes))
"""


def class_sizes(phones: int, deliveries: int) -> list[int]:
    """`phones` spread as evenly as they go over `deliveries` classes."""
    return [phones // deliveries + (1 if n < phones % deliveries else 0) for n in range(deliveries)]


class Server(LocalServer):
    """A fresh database and the server, both gone after close()."""

    def __init__(self, args: argparse.Namespace, phones: int) -> None:
        self.args = args
        self.phones = phones
        self.pg_admin_url = ""
        self.pg_database = ""
        folder = Path(tempfile.mkdtemp(prefix="cop-bench-"))
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "COP_SQLITE_PATH"}}
        env |= {
            "DJANGO_SETTINGS_MODULE": args.settings,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "COP_BENCH": "1",
            # One bench class may hold all the phones; a real one is 20-60 (the per-class
            # limit's 200 a minute). The per-address limit stays: each phone has its own.
            "COP_JOINS_PER_CLASS_PER_MINUTE": str(max(200, phones)),
            "COP_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        if args.server:
            env["COP_SERVER"] = args.server
        if args.database == "postgres":
            self.pg_admin_url = args.postgres_url
            self.pg_database = f"cop_bench_{secrets.token_hex(4)}"
            env["DATABASE_URL"] = with_database(self.pg_admin_url, self.pg_database)
        else:
            env["COP_SQLITE_PATH"] = str(folder / "db.sqlite3")
        options = ["--workers", str(args.workers), "--threads", str(args.threads)]
        super().__init__(folder, env, [*options, "--backlog", "2048"])

    def manage(self, *args: str, stdin: str | None = None) -> str:
        return manage(self.env, *args, stdin=stdin)

    def setup(self, *, password: str) -> list[tuple[str, int, str]]:
        """Database, static files, lesson; per class an instructor and a delivery:
        [(instructor, delivery id, join code)]."""
        if self.pg_database:
            pg_execute(self.pg_admin_url, f'CREATE DATABASE "{self.pg_database}"')
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("loadlesson", "content/cop")
        sizes = json.dumps(class_sizes(self.phones, self.args.deliveries))
        script = SETUP_CLASSES.format(sizes=sizes, instructor=INSTRUCTOR, url=self.url)
        printed = self.manage("shell", "-c", script, stdin=password + "\n")
        classes = []
        for instructor, text in json.loads(printed.strip().splitlines()[-1]):
            delivery_id = int(re.search(r"Delivery (\d+):", text).group(1))
            code = re.search(r"join code: (\w+)", text).group(1)
            classes.append((instructor, delivery_id, code))
        return classes

    def stored_keys(self) -> dict[int, list[str]]:
        """Delivery id -> the keys of every answer stored in it."""
        script = (
            "import json; from activities.models import Submission; print(json.dumps(list("
            "Submission.objects.values_list('run__delivery_id', 'key'))))"
        )
        stored: dict[int, list[str]] = defaultdict(list)
        for delivery_id, key in json.loads(self.manage("shell", "-c", script).splitlines()[-1]):
            stored[delivery_id].append(key)
        return stored

    def close(self) -> None:
        self.stop()
        if self.pg_database:
            with contextlib.suppress(Exception):
                pg_execute(
                    self.pg_admin_url, f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)'
                )
        if not self.args.keep:
            for path in sorted(self.folder.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            self.folder.rmdir()


# --- Clients -----------------------------------------------------------------------------------


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def keep_cookies(cookies: dict[str, str], response: aiohttp.ClientResponse) -> None:
    for name, morsel in response.cookies.items():
        cookies[name] = morsel.value


# Every point says which class wrote it, so a screen that shows another class's is caught.
POINT_CLASS = re.compile(rb"in class (\d+):")
PHONE_KINDS = frozenset({"join", "poll", "submit"})


class Classroom:
    """One delivery: its instructor, its phones and everything measured in it."""

    def __init__(self, number: int, instructor: str, delivery_id: int, code: str) -> None:
        self.number = number
        self.instructor = instructor
        self.delivery_id = delivery_id
        self.code = code
        self.stats = Stats()
        self.phones: list[Phone] = []
        self.console: dict[str, str] = {}  # the instructor's cookies
        self.actions: list[tuple[str, float, int]] = []  # (action, sent at, delivery revision)
        self.submit_e2e: list[float] = []
        self.leaks = 0  # responses that showed a point written in another class
        self.own_points_seen = 0  # responses that showed this class's points: the check saw some
        self.phone_bytes = 0  # received by this class's phones: headers and bodies

    def currency(self) -> list[tuple[str, float, int]]:
        """Per action: (action, seconds until the last phone saw it, phones that never did)."""
        result = []
        for action, sent, revision in self.actions:
            latest, missing = 0.0, 0
            for phone in self.phones:
                when = next((t for r, t in phone.seen if r >= revision), None)
                if when is None:
                    missing += 1
                else:
                    latest = max(latest, when - sent)
            result.append((action, latest, missing))
        return result


def phone_address(index: int) -> str:
    """A loopback address of the phone's own (all of 127/8 is this machine on Linux): each phone
    on a classroom's Wi-Fi or hotspot has an address of its own, and the join limits are counted
    per address (activities/participant_views.py)."""
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


class Phone:
    __slots__ = (
        "number", "room", "code", "cookies", "csrf", "rev", "seen", "acked", "sent", "session"
    )  # fmt: skip

    def __init__(self, number: int, room: Classroom) -> None:
        self.number = number
        self.room = room
        self.code = room.code
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.rev = ""
        self.seen: list[tuple[int, float]] = []  # (delivery revision, when first seen)
        self.sent: list[str] = []
        self.acked: list[str] = []
        self.session: aiohttp.ClientSession | None = None  # from the phone's own address

    def see(self, body: bytes, *, only_later: bool = False) -> None:
        match = STAGE_REV.search(body)
        if match is None:
            return
        revision = (int(match[1]), int(match[2]))
        if only_later and self.rev and revision <= tuple(map(int, self.rev.split("."))):
            return
        self.rev = "{}.{}".format(*revision)
        delivery_revision = revision[0]
        if not self.seen or self.seen[-1][0] != delivery_revision:
            self.seen.append((delivery_revision, time.perf_counter()))


class Bench:
    def __init__(self, args, server: Server, classes: list[tuple[str, int, str]], password: str):
        self.args = args
        self.server = server
        self.url = server.url
        self.password = password
        self.rooms = [
            Classroom(number, instructor, delivery_id, code)
            for number, (instructor, delivery_id, code) in enumerate(classes, start=1)
        ]
        sizes = class_sizes(server.phones, len(self.rooms))
        for room, size in zip(self.rooms, sizes, strict=True):
            room.phones = [Phone(n, room) for n in range(size)]
        self.phones = [phone for room in self.rooms for phone in room.phones]
        self.stop_at = 0.0
        self.lag: list[float] = []
        self.session: aiohttp.ClientSession | None = None

    # Requests.

    async def call(
        self, room: Classroom, kind: str, method: str, path: str, cookies, *, via=None, **kwargs
    ):
        """One request: (status, headers, body) or None after a network error (counted); `via`
        a phone's session (from its own address), else the instructors' shared one."""
        headers = kwargs.pop("headers", {})
        if cookies:
            headers["Cookie"] = cookie_header(cookies)
        started = time.perf_counter()
        try:
            async with (via or self.session).request(
                method, self.url + path, headers=headers, allow_redirects=False, **kwargs
            ) as response:
                body = await response.read()
                keep_cookies(cookies, response)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            room.stats.error(kind, type(error).__name__)
            return None
        room.stats.ok(kind, started)
        if kind in PHONE_KINDS:
            room.phone_bytes += len(body) + sum(
                len(k) + len(v) + 4 for k, v in response.raw_headers
            )
        if body and kind != "join":
            written_in = {int(number) for number in POINT_CLASS.findall(body)}
            room.leaks += len(written_in - {room.number})
            room.own_points_seen += room.number in written_in
        return response.status, response.headers, body

    async def join(self, phone: Phone, gate: asyncio.Semaphore) -> bool:
        async with gate:
            for _ in range(20):
                if await self.join_once(phone):
                    return True
                await asyncio.sleep(1 + random.random())
        return False

    async def join_once(self, phone: Phone) -> bool:
        room = phone.room

        async def ask(method: str, path: str, **kwargs):
            return await self.call(
                room, "join", method, path, phone.cookies, via=phone.session, **kwargs
            )

        got = await ask("GET", "/")
        if not got or got[0] != 200:
            return self.failed(room, "join", got)
        token = FORM_TOKEN.search(got[2])[1].decode()
        form = {"code": phone.code.lower(), "csrfmiddlewaretoken": token}
        got = await ask("POST", "/", data=form)
        if not got or got[0] != 302:
            return self.failed(room, "join", got)
        got = await ask("GET", f"/j/{phone.code}/")
        if not got or got[0] != 200:
            return self.failed(room, "join", got)
        token = FORM_TOKEN.search(got[2])[1].decode()
        form = {"name": f"Phone {phone.number + 1}", "csrfmiddlewaretoken": token}
        got = await ask("POST", f"/j/{phone.code}/", data=form)
        if not got or got[0] != 302 or f"cop_{phone.code}" not in phone.cookies:
            return self.failed(room, "join", got)
        got = await ask("GET", f"/p/{phone.code}/")
        if not got or got[0] != 200:
            return self.failed(room, "join", got)
        phone.csrf = HEADER_TOKEN.search(got[2])[1].decode()
        phone.see(got[2])
        return True

    @staticmethod
    def failed(room: Classroom, kind: str, got) -> bool:
        if got is not None:
            room.stats.error(kind, str(got[0]), retry_after="Retry-After" in got[1])
        return False

    # The phones during the lesson.

    async def poll_loop(self, phone: Phone) -> None:
        next_at = time.perf_counter() + random.uniform(0, POLL_SECONDS)
        while True:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            if time.perf_counter() >= self.stop_at:
                return
            await self.poll(phone)
            next_at = max(next_at + POLL_SECONDS, time.perf_counter())

    async def ask_stage(self, kind: str, phone: Phone):
        """The stage, asked as htmx asks it, with the revision the phone shows."""
        return await self.call(
            phone.room,
            kind,
            "GET",
            f"/p/{phone.code}/?rev={phone.rev}",
            phone.cookies,
            via=phone.session,
            headers={"HX-Request": "true"},
        )

    async def poll(self, phone: Phone) -> None:
        got = await self.ask_stage("poll", phone)
        if got is None:
            return
        status, response_headers, body = got
        stats = phone.room.stats
        if status == 204:
            if body:
                stats.bad_204 += 1
            if "HX-Redirect" in response_headers:
                stats.error("poll", "HX-Redirect")
        elif status == 200:
            stats.changed += 1
            phone.see(body)
        else:
            self.failed(phone.room, "poll", got)

    async def submit(self, phone: Phone, burst: int) -> None:
        # The form shows on each phone at its next poll: the sends spread over that window.
        await asyncio.sleep(random.uniform(0, self.args.burst_window))
        room = phone.room
        key = f"point:{uuid.uuid4()}"
        text = f"Point {burst} from phone {phone.number + 1} in class {room.number}: trust first."
        body = json.dumps({"key": key, "text": text})
        headers = {"Content-Type": "application/json", "X-CSRFToken": phone.csrf}
        phone.sent.append(key)
        first = time.perf_counter()
        give_up = first + SUBMIT_GIVE_UP_SECONDS
        while time.perf_counter() < give_up:
            got = await self.call(
                room,
                "submit",
                "POST",
                f"/p/{phone.code}/answer/save/",
                phone.cookies,
                via=phone.session,
                data=body,
                headers=dict(headers),
            )
            wait = 0.5 + random.random()
            if got is not None:
                status, response_headers, response_body = got
                if status == 200:
                    phone.acked.append(key)
                    room.submit_e2e.append((time.perf_counter() - first) * 1000)
                    phone.see(json.loads(response_body)["stage"].encode(), only_later=True)
                    return
                self.failed(room, "submit", got)
                if status not in (429, 503):
                    return  # refused for good (4xx): a person would read the message
                with contextlib.suppress(ValueError):
                    wait = float(response_headers.get("Retry-After", wait)) + random.random()
            await asyncio.sleep(wait)

    # The instructors.

    async def login(self, room: Classroom) -> None:
        cookies = room.console
        got = await self.call(room, "console", "GET", "/accounts/login/", cookies)
        token = FORM_TOKEN.search(got[2])[1].decode()
        form = {"username": room.instructor, "password": self.password}
        form["csrfmiddlewaretoken"] = token
        got = await self.call(room, "console", "POST", "/accounts/login/", cookies, data=form)
        if not got or got[0] != 302 or "sessionid" not in cookies:
            raise SystemExit(f"the instructor could not log in: {got and got[0]}")

    async def screen_poll(self, room: Classroom, path: str) -> None:
        cookies = room.console
        got = await self.call(room, "screen", "GET", path, cookies)
        rev = SCREEN_POLL_REV.search(got[2])[1].decode() if got and got[0] == 200 else ""
        while time.perf_counter() < self.stop_at:
            await asyncio.sleep(SCREEN_POLL_SECONDS)
            got = await self.call(
                room, "screen", "GET", f"{path}?rev={rev}", cookies, headers={"HX-Request": "true"}
            )
            if got and got[0] == 200:
                match = SCREEN_POLL_REV.search(got[2])
                rev = match[1].decode() if match else rev
            elif got and got[0] != 204:
                self.failed(room, "screen", got)

    async def instructor(self, room: Classroom, started: float, bursts: list) -> None:
        path = f"/console/{room.delivery_id}/action/"
        for fraction, action, burst in SCRIPT:
            await asyncio.sleep(
                max(0.0, started + fraction * self.args.duration - time.perf_counter())
            )
            sent = time.perf_counter()
            got = await self.call(
                room,
                "action",
                "POST",
                path,
                room.console,
                data={"action": action},
                headers={"HX-Request": "true", "X-CSRFToken": room.console.get("csrftoken", "")},
            )
            if not got or got[0] != 200 or b'class="alert error' in got[2]:
                self.failed(room, "action", got)
                continue
            revision = int(SCREEN_REV.search(got[2])[1])
            room.actions.append((action, sent, revision))
            if burst:
                number = sum(
                    1 for _, _, b in SCRIPT[: SCRIPT.index((fraction, action, burst))] if b
                )
                bursts += [asyncio.create_task(self.submit(p, number + 1)) for p in room.phones]

    async def lag_monitor(self) -> None:
        while time.perf_counter() < self.stop_at:
            before = time.perf_counter()
            await asyncio.sleep(0.05)
            self.lag.append((time.perf_counter() - before - 0.05) * 1000)

    # Throughput: the unchanged poll against a bare view, same concurrency, closed loop.

    async def catch_up(self) -> None:
        """Let the server drain and every phone learn the last revision, so that the throughput
        runs measure the unchanged poll and not the renders of a late change."""
        gate = asyncio.Semaphore(8)

        async def one(phone: Phone) -> None:
            async with gate:
                for _ in range(5):
                    got = await self.ask_stage("catch-up", phone)
                    if got is None or got[0] != 200:
                        return
                    phone.see(got[2])

        await asyncio.gather(*(one(p) for p in self.phones))
        await asyncio.sleep(1)

    async def saturate(self, kind: str, seconds: float) -> tuple[float, Counter]:
        counted = 0
        errors: Counter[str] = Counter()
        begin = time.perf_counter()
        measure_from = begin + 0.5  # warm-up not counted
        until = measure_from + seconds

        async def worker(phone: Phone) -> None:
            nonlocal counted
            if kind == "bare":
                path, headers = "/bench/bare", {}
            else:
                path, headers = f"/p/{phone.code}/?rev={phone.rev}", {"HX-Request": "true"}
            headers["Cookie"] = cookie_header(phone.cookies)
            while (now := time.perf_counter()) < until:
                try:
                    async with phone.session.get(self.url + path, headers=headers) as response:
                        body = await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError, OSError) as error:
                    errors[type(error).__name__] += 1
                    continue
                expected = 200 if kind == "bare" else 204
                if kind == "poll" and status == 200:  # a late answer changed its group
                    phone.see(body)
                    path = f"/p/{phone.code}/?rev={phone.rev}"
                    continue
                if status != expected:
                    errors[str(status)] += 1
                elif now >= measure_from and time.perf_counter() <= until:
                    counted += 1

        await asyncio.gather(*(worker(p) for p in self.phones[: self.args.concurrency]))
        return counted / seconds, errors

    # The whole run.

    def open_session(self, address: str | None = None) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=0,
            keepalive_timeout=self.args.client_keepalive,
            local_addr=(address, 0) if address else None,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=30),
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def run(self) -> dict:
        async with contextlib.AsyncExitStack() as sessions:
            self.session = await sessions.enter_async_context(self.open_session())
            for index, phone in enumerate(self.phones):
                phone.session = await sessions.enter_async_context(
                    self.open_session(phone_address(index))
                )
            load_before = load_average()
            join_started = time.perf_counter()
            gate = asyncio.Semaphore(self.args.join_concurrency)
            joined = await asyncio.gather(*(self.join(p, gate) for p in self.phones))
            join_seconds = time.perf_counter() - join_started
            if not all(joined):
                raise SystemExit(f"only {sum(joined)} of {len(joined)} phones could join")
            for room in self.rooms:
                await self.login(room)

            # The scenario's figures only from here; the joins' are kept apart.
            join_requests = 0
            for room in self.rooms:
                room.stats.latency = defaultdict(list, {"join": room.stats.latency["join"]})
                join_requests += room.stats.requests
                room.phone_bytes = 0
            cpu_server = cpu_seconds(self.server.process.pid)
            cpu_database = postgres_cpu_seconds()
            cpu_client = time.process_time()
            started = time.perf_counter()
            self.stop_at = started + self.args.duration
            bursts: list[asyncio.Task] = []
            tasks = [self.lag_monitor(), *(self.poll_loop(p) for p in self.phones)]
            for room in self.rooms:
                tasks += [
                    self.instructor(room, started, bursts),
                    self.screen_poll(room, f"/console/{room.delivery_id}/"),
                    self.screen_poll(room, f"/console/{room.delivery_id}/projector/"),
                ]
            await asyncio.gather(*tasks)
            await asyncio.gather(*bursts)
            elapsed = time.perf_counter() - started
            cpu_server = cpu_seconds(self.server.process.pid) - cpu_server
            cpu_database = postgres_cpu_seconds() - cpu_database
            cpu_client = time.process_time() - cpu_client
            scenario_requests = sum(room.stats.requests for room in self.rooms) - join_requests
            phone_bytes = sum(room.phone_bytes for room in self.rooms)

            await self.catch_up()
            bare_rps, bare_errors = await self.saturate("bare", self.args.saturate)
            poll_rps, poll_errors = await self.saturate("poll", self.args.saturate)
        return {
            "load_before": load_before,
            "join_seconds": join_seconds,
            "elapsed": elapsed,
            "scenario_requests": scenario_requests,
            "cpu_server": cpu_server,
            "cpu_client": cpu_client,
            "cpu_database": cpu_database,
            "phone_bytes": phone_bytes,
            "bare_rps": bare_rps,
            "poll_rps": poll_rps,
            "saturation_errors": bare_errors + poll_errors,
        }


# --- What a run shows --------------------------------------------------------------------------


def merged(rooms: list[Classroom]) -> Stats:
    total = Stats()
    for room in rooms:
        for kind, values in room.stats.latency.items():
            total.latency[kind] += values
        total.errors += room.stats.errors
        total.shed += room.stats.shed
        total.requests += room.stats.requests
        total.bad_204 += room.stats.bad_204
        total.changed += room.stats.changed
    return total


def answers(room: Classroom, stored: list[str]) -> dict:
    sent = {k for p in room.phones for k in p.sent}
    acked = {k for p in room.phones for k in p.acked}
    rows = Counter(stored)
    unacked = sent - acked
    return {
        "sent": len(sent),
        "acked": len(acked),
        "stored": len(rows.keys() & sent),
        "rows": len(stored),
        "keys": len(rows),
        "lost": len(acked - rows.keys()),
        "dup": sum(n - 1 for n in rows.values()),
        "unacked": len(unacked),
        "unacked_stored": len(unacked & rows.keys()),
    }


def report(args, bench: Bench, figures: dict, stored: dict[int, list[str]]) -> dict:
    """Print a run's figures; its summary as numbers, for the median and the targets."""
    stats = merged(bench.rooms)
    phones = len(bench.phones)

    def line(text: str = "") -> None:
        print(text, flush=True)

    python = sys.version.split()[0]
    served = (
        f"{bench.server.server} --workers {args.workers} --threads {args.threads} (sheds phone"
        f" requests queued over {SHED_AFTER_SECONDS:g} s); {args.settings}"
    )
    served += f"; burst window {args.burst_window:g} s"
    line(f"machine: {os.cpu_count()} cores; python {python}; {args.database}; {served}")
    line(
        f"load average (other processes share these cores): {figures['load_before']} before, "
        f"{load_average()} after"
    )
    line(f"joined {phones} phones in {len(bench.rooms)} classes in {figures['join_seconds']:.1f} s")
    database_cpu = (
        f"PostgreSQL {figures['cpu_database']:.1f} s, " if args.database == "postgres" else ""
    )
    elapsed = figures["elapsed"]
    line(
        f"scenario {elapsed:.1f} s: {figures['scenario_requests']} requests, "
        f"{figures['scenario_requests'] / elapsed:.0f} req/s; CPU used: server "
        f"{figures['cpu_server']:.1f} s, {database_cpu}this client {figures['cpu_client']:.1f} s "
        f"(of {2 * elapsed:.0f} core-seconds)"
    )
    line(f"{'kind':<8} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in ("join", "poll", "submit", "action", "screen"):
        values = stats.latency.get(kind, [])
        if values:
            line(
                f"{kind:<8} {len(values):>7} {percentile(values, 50):>8.1f} "
                f"{percentile(values, 95):>8.1f} {percentile(values, 99):>8.1f} "
                f"{max(values):>8.1f}"
            )
    polls = len(stats.latency.get("poll", []))
    line(f"polls answered 200 (a new stage, rendered): {stats.changed} of {polls}; the rest 204")
    e2e = [ms for room in bench.rooms for ms in room.submit_e2e]
    if e2e:
        line(
            f"submit, first send to acknowledgement (with retries): p50 "
            f"{percentile(e2e, 50):.0f} ms, p95 {percentile(e2e, 95):.0f} ms, "
            f"max {max(e2e):.0f} ms"
        )
    lag_p99 = percentile(bench.lag, 99)
    line(
        f"client event-loop lag: p99 {lag_p99:.1f} ms, max {max(bench.lag, default=0):.1f} ms"
        f" (a run over {args.max_lag_ms:g} ms p99 is discarded)"
    )
    errors = sum(stats.errors.values())
    shed = sum(stats.shed.values())
    if stats.errors:
        line("errors: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.errors.items())))
        if shed:
            line(f"  of which 429/503 with Retry-After (load shed, resent): {shed}")
    else:
        line("errors: none")
    if stats.bad_204:
        line(f"204 responses with a body: {stats.bad_204}")
    currency = [item for room in bench.rooms for item in room.currency()]
    if len(bench.rooms) == 1:
        for action, latest, missing in currency:
            line(
                f"action {action:<14} last phone current after {latest:.2f} s"
                + (f"; {missing} phones never saw it" if missing else "")
            )
    counted = {room.number: answers(room, stored.get(room.delivery_id, [])) for room in bench.rooms}
    total = {name: sum(c[name] for c in counted.values()) for name in next(iter(counted.values()))}
    line(
        f"answers: sent {total['sent']}, acknowledged {total['acked']}, stored {total['stored']} "
        f"({total['rows']} rows, {total['keys']} keys); lost {total['lost']}, duplicated "
        f"{total['dup']}, never acknowledged {total['unacked']} (of which stored "
        f"{total['unacked_stored']})"
    )
    leaks = sum(room.leaks for room in bench.rooms)
    if len(bench.rooms) > 1:
        line(
            f"{'class':>5} {'phones':>6} {'poll p95':>8} {'submit p95':>10} {'errors':>6} "
            f"{'lost':>4} {'dup':>4} {'current s':>9} {'leaks':>5}"
        )
        for room in bench.rooms:
            latency = room.stats.latency
            current = max((latest for _, latest, _ in room.currency()), default=float("nan"))
            line(
                f"{room.number:>5} {len(room.phones):>6} "
                f"{percentile(latency.get('poll', []), 95):>8.0f} "
                f"{percentile(latency.get('submit', []), 95):>10.0f} "
                f"{sum(room.stats.errors.values()):>6} {counted[room.number]['lost']:>4} "
                f"{counted[room.number]['dup']:>4} {current:>9.2f} {room.leaks:>5}"
            )
        own = sum(room.own_points_seen for room in bench.rooms)
        line(
            f"answers of another class seen: {leaks} (must be 0); responses that showed their "
            f"own class's answers: {own}"
        )
    ratio = figures["poll_rps"] / figures["bare_rps"] if figures["bare_rps"] else float("nan")
    saturation_errors = figures["saturation_errors"]
    line(
        f"throughput at concurrency {args.concurrency or phones}, closed loop, "
        f"{args.saturate:.0f} s each: bare view {figures['bare_rps']:.0f} req/s, unchanged poll "
        f"{figures['poll_rps']:.0f} req/s, ratio {ratio:.2f}"
        + (f"; errors {dict(saturation_errors)}" if saturation_errors else "")
    )
    cpu_total = figures["cpu_server"] + figures["cpu_database"]
    class_hour = cpu_total / elapsed * 3600 / len(bench.rooms)
    bytes_minute = figures["phone_bytes"] / phones / (elapsed / 60)
    line(
        f"cost: {class_hour:.0f} server CPU-seconds per class-hour (app + database), "
        f"{bytes_minute / 1000:.1f} kB per phone per minute received"
    )
    current_max = max((latest for _, latest, _ in currency), default=float("nan"))
    summary = {
        "phones": phones,
        "poll_p95_ms": percentile(stats.latency.get("poll", []), 95),
        "submit_p95_ms": percentile(stats.latency.get("submit", []), 95),
        "errors": errors,
        "lost": total["lost"],
        "dup": total["dup"],
        "poll_vs_bare": ratio,
        "shed": shed,
        "not_shed": errors - shed,
        "current_max_s": current_max,
        "never_current": sum(missing for _, _, missing in currency),
        "leaks": leaks,
        "rps": figures["scenario_requests"] / elapsed,
        "cpu_server_s": figures["cpu_server"],
        "cpu_database_s": figures["cpu_database"],
        "cpu_s_per_class_hour": class_hour,
        "kb_per_phone_minute": bytes_minute / 1000,
        "lag_p99_ms": lag_p99,
    }
    line(summary_line(args, summary))
    return summary


INTEGERS = {"phones", "errors", "lost", "dup", "shed", "not_shed", "never_current", "leaks"}


def summary_line(args, summary: dict, spread: dict | None = None) -> str:
    def shown(name: str) -> str:
        value = summary[name]
        text = f"{value:.0f}" if name in INTEGERS or name.endswith("_ms") else f"{value:.2f}"
        if spread and name in spread and spread[name][0] != spread[name][1]:
            low, high = spread[name]
            text += f"[{low:.0f}-{high:.0f}]" if name in INTEGERS else f"[{low:.2f}-{high:.2f}]"
        return f"{name}={text}"

    return " ".join(shown(name) for name in summary) + (
        f" database={args.database} workers={args.workers} threads={args.threads}"
        f" deliveries={args.deliveries} server={args.server or 'waitress'}"
    )


def missed_targets(summary: dict) -> list[str]:
    """The targets a run's figures miss; none when it meets them all."""
    checks = [
        (summary["poll_p95_ms"] < 100, "poll p95 < 100 ms"),
        (summary["submit_p95_ms"] < 300, "submit p95 < 300 ms"),
        (summary["errors"] == 0, "0 errors"),
        (summary["lost"] == 0, "0 lost"),
        (summary["dup"] == 0, "0 duplicated"),
        (
            summary["current_max_s"] < 3 and summary["never_current"] == 0,
            "every phone current < 3 s",
        ),
        (summary["poll_vs_bare"] >= 0.7, "poll >= 0.7 x bare view"),
        (summary["leaks"] == 0, "no class sees another's answers"),
    ]
    return [target for held, target in checks if not held]


# --- Runs, medians, the knee -------------------------------------------------------------------


def client_run(args, server: Server, classes, password: str, results) -> None:
    """One run's client, in a child process below the server's priority."""
    os.nice(args.client_nice)
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        bench = Bench(args, server, classes, password)
        hard_limit = args.duration + server.phones * 0.5 + 2 * args.saturate + 240
        figures = asyncio.run(asyncio.wait_for(bench.run(), timeout=hard_limit))
        results.send(report(args, bench, figures, server.stored_keys()))
    except BaseException as failure:  # noqa: BLE001 - the parent says what went wrong
        results.send({"failed": f"{type(failure).__name__}: {failure}"})
    finally:
        results.close()


def one_run(args, phones: int) -> dict:
    """A fresh database and server, the scenario against it; its summary (or {"failed": …})."""
    password = secrets.token_urlsafe(16)
    server = Server(args, phones)
    try:
        print(f"setting up in {server.folder} ({args.database}, {phones} phones) …", flush=True)
        classes = server.setup(password=password)
        server.start()
        receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
        child = multiprocessing.get_context("fork").Process(
            target=client_run, args=(args, server, classes, password, sending)
        )
        child.start()
        sending.close()
        limit = args.duration + phones * 0.5 + 2 * args.saturate + 360
        summary = receiving.recv() if receiving.poll(limit) else {"failed": "no result in time"}
        child.join(timeout=30)
        if child.is_alive():
            child.kill()
        if "Traceback" in server.log():
            print("the server logged a traceback:\n" + server.log(), file=sys.stderr)
        return summary
    except ServerFailed as failed:
        return {"failed": str(failed)}
    finally:
        server.close()


def scenario(args, phones: int) -> tuple[dict, bool]:
    """--runs kept runs at `phones`: their median, and whether it met every target."""
    kept: list[dict] = []
    discarded = 0
    for attempt in range(args.runs + args.retries):
        if len(kept) == args.runs:
            break
        print(f"--- run {len(kept) + 1} of {args.runs} (attempt {attempt + 1}) ---", flush=True)
        summary = one_run(args, phones)
        if "failed" in summary:
            raise SystemExit(f"the run failed: {summary['failed']}")
        if summary["lag_p99_ms"] > args.max_lag_ms:
            discarded += 1
            print(
                f"discarded: the client's event loop lagged {summary['lag_p99_ms']:.0f} ms (p99),"
                f" over {args.max_lag_ms:g} ms; it measured the client, not the server",
                flush=True,
            )
            continue
        kept.append(summary)
    if not kept:
        raise SystemExit(f"every run was discarded ({discarded}): the client cannot keep up")
    median = {name: statistics.median(run[name] for run in kept) for name in kept[0]}
    spread = {name: (min(r[name] for r in kept), max(r[name] for r in kept)) for name in kept[0]}
    met = sum(not missed_targets(run) for run in kept)
    print(
        f"median of {len(kept)} runs ({discarded} discarded for client lag) [min-max]: "
        + summary_line(args, median, spread),
        flush=True,
    )
    missed = missed_targets(median)
    print(
        f"targets: {met} of {len(kept)} runs met every target; the median "
        + ("met every target" if not missed else "missed: " + ", ".join(missed)),
        flush=True,
    )
    return median, met == len(kept)


def find_knee(args) -> None:
    """Double the phones from --phones while every run holds, then bisect to --knee-step."""
    held: dict[int, bool] = {}

    def holds(phones: int) -> bool:
        if phones not in held:
            print(f"=== knee: trying {phones} phones ===", flush=True)
            held[phones] = scenario(args, phones)[1]
        return held[phones]

    low = high = None
    phones = args.phones
    while phones <= args.knee_max and holds(phones):
        low, phones = phones, phones * 2
    if low is None:
        high = phones
        phones //= 2
        while phones >= args.knee_step and not holds(phones):
            high, phones = phones, phones // 2
        low = phones if phones >= args.knee_step else None
    elif phones <= args.knee_max:
        high = phones
    while low is not None and high is not None and high - low > args.knee_step:
        middle = (low + high) // 2 // args.knee_step * args.knee_step
        middle = middle if low < middle < high else (low + high) // 2
        low, high = (middle, high) if holds(middle) else (low, middle)
    tried = ", ".join(f"{n}: {'held' if ok else 'missed'}" for n, ok in sorted(held.items()))
    if low is None:
        print(f"knee: below {args.knee_step} phones (tried {tried})")
    elif high is None:
        print(f"knee: {low} phones or more (--knee-max {args.knee_max}; tried {tried})")
    else:
        print(f"knee: {low} phones (every run met every target; {high} did not; tried {tried})")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=300, help="in all classes together")
    parser.add_argument("--deliveries", type=int, default=1, help="classes at the same time")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--server",
        choices=SERVERS,
        help="COP_SERVER for the served app (tests/support/local_server.py); default waitress",
    )
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--duration", type=float, default=60, help="seconds of lesson")
    parser.add_argument("--runs", type=int, default=3, help="kept runs per scenario")
    parser.add_argument(
        "--retries", type=int, default=3, help="runs that may be discarded for client lag"
    )
    parser.add_argument(
        "--max-lag-ms",
        type=float,
        default=50,
        help="a run whose client event-loop lag p99 is over this is discarded and rerun",
    )
    parser.add_argument("--client-nice", type=int, default=10, help="the client's os.nice")
    parser.add_argument("--knee", action="store_true", help="find the largest count that holds")
    parser.add_argument("--knee-step", type=int, default=50, help="the knee's resolution")
    parser.add_argument("--knee-max", type=int, default=1600, help="the most phones the knee tries")
    parser.add_argument("--saturate", type=float, default=5, help="seconds per throughput run")
    parser.add_argument(
        "--concurrency", type=int, help="clients in the throughput runs (default: all phones)"
    )
    parser.add_argument(
        "--burst-window",
        type=float,
        default=POLL_SECONDS,
        help="seconds over which the phones send after an activity opens (0: all at once)",
    )
    parser.add_argument("--join-concurrency", type=int, default=16)
    parser.add_argument(
        "--client-keepalive",
        type=float,
        default=1.5,
        help="seconds an idle connection is kept (below gunicorn's 2 s, as a browser would)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="an administrative connection; the benchmark creates and drops its own database",
    )
    parser.add_argument(
        "--settings", default="copsite.settings", help="the server's DJANGO_SETTINGS_MODULE"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if not 1 <= args.phones <= 5000 or not 5 <= args.duration <= 900:
        parser.error("--phones must be 1–5000 and --duration 5–900 s")
    if not 1 <= args.deliveries <= min(args.phones, 100):
        parser.error("--deliveries must be 1–100 and at most --phones")
    if not 1 <= args.runs <= 20 or not 0 <= args.retries <= 20:
        parser.error("--runs must be 1–20 and --retries 0–20")
    if not 0 <= args.client_nice <= 19 or args.knee_step < 1 or args.knee_max > 5000:
        parser.error("--client-nice must be 0–19, --knee-step ≥ 1, --knee-max ≤ 5000")
    if args.server is not None and not re.fullmatch(r"[a-z][a-z0-9_-]{0,30}", args.server):
        parser.error("--server must be a server's name, e.g. gunicorn")
    local = re.compile(r"postgres(ql)?://([^@/]*@)?(127\.0\.0\.1|localhost)[:/]")
    if args.database == "postgres" and not local.match(args.postgres_url):
        parser.error("--postgres-url must point at this machine (127.0.0.1)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.knee:
        find_knee(args)
    else:
        scenario(args, args.phones)
    return 0


if __name__ == "__main__":
    sys.exit(main())
