"""Load benchmark: a classroom of simulated phones against a real gunicorn on this machine.

    .venv/bin/python bench/load.py                       # 300 phones, SQLite, 2 workers
    .venv/bin/python bench/load.py --phones 600
    .venv/bin/python bench/load.py --database postgres   # needs PostgreSQL on 127.0.0.1:5432

It sets up everything itself in a temporary folder (a fresh SQLite file, or a PostgreSQL database
it creates and drops): migrate, collectstatic, loadlesson content/cop, adduser, startdelivery,
then gunicorn on a free port of 127.0.0.1. It only ever talks to 127.0.0.1 and stops by itself:
every loop is bounded by --duration and by a hard deadline.

The scenario, as in a classroom:
- N phones join (POST / with the code, POST /j/<code>/ with a name), keeping cookies and CSRF;
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
- finally the database is asked what was stored: lost = acknowledged but not stored, dup = rows
  beyond one per key.

The last line is one summary: phones=… poll_p95_ms=… submit_p95_ms=… errors=… lost=… dup=…
poll_vs_bare=… (then more fields).
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from copsite.local_server import (  # noqa: E402
    HOST,
    LocalServer,
    ServerFailed,
    manage,
    pg_execute,
    with_database,
)
from copsite.serving import SHED_AFTER_SECONDS, SheddingWorker  # noqa: E402

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
    """User + system CPU of a process and its children (gunicorn's master and workers)."""
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


class Server(LocalServer):
    """A fresh database and gunicorn, both gone after close()."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
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
            "COP_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
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

    def setup(self, *, password: str) -> tuple[int, str]:
        """Database, static files, lesson, instructor, delivery: (delivery id, join code)."""
        if self.pg_database:
            pg_execute(self.pg_admin_url, f'CREATE DATABASE "{self.pg_database}"')
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("loadlesson", "content/cop")
        self.manage(
            "adduser", INSTRUCTOR, "--role", "instructor", "--password-stdin", stdin=password
        )
        printed = self.manage(
            "startdelivery",
            "--lesson",
            "cop",
            "--instructor",
            INSTRUCTOR,
            "--class-size",
            str(self.args.phones),
            "--title",
            f"Load benchmark, {self.args.phones} phones",
            "--base-url",
            self.url,
        )
        delivery_id = int(re.search(r"Delivery (\d+):", printed).group(1))
        code = re.search(r"join code: (\w+)", printed).group(1)
        return delivery_id, code

    def stored_keys(self, delivery_id: int) -> list[str]:
        script = (
            "import json; from activities.models import Submission; print(json.dumps(list("
            f"Submission.objects.filter(run__delivery_id={delivery_id})"
            ".values_list('key', flat=True))))"
        )
        return json.loads(self.manage("shell", "-c", script).strip().splitlines()[-1])

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


class Phone:
    __slots__ = ("number", "code", "cookies", "csrf", "rev", "seen", "acked", "sent")

    def __init__(self, number: int, code: str) -> None:
        self.number = number
        self.code = code
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.rev = ""
        self.seen: list[tuple[int, float]] = []  # (delivery revision, when first seen)
        self.sent: list[str] = []
        self.acked: list[str] = []

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
    def __init__(self, args, server: Server, delivery_id: int, code: str, password: str):
        self.args = args
        self.server = server
        self.url = server.url
        self.delivery_id = delivery_id
        self.code = code
        self.password = password
        self.stats = Stats()
        self.phones = [Phone(n, code) for n in range(args.phones)]
        self.actions: list[tuple[str, float, int]] = []  # (action, sent at, delivery revision)
        self.stop_at = 0.0
        self.lag: list[float] = []
        self.submit_e2e: list[float] = []
        self.session: aiohttp.ClientSession | None = None

    # Requests.

    async def call(self, kind: str, method: str, path: str, cookies: dict, **kwargs):
        """One request: (status, headers, body) or None after a network error (counted)."""
        headers = kwargs.pop("headers", {})
        if cookies:
            headers["Cookie"] = cookie_header(cookies)
        started = time.perf_counter()
        try:
            async with self.session.request(
                method, self.url + path, headers=headers, allow_redirects=False, **kwargs
            ) as response:
                body = await response.read()
                keep_cookies(cookies, response)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            self.stats.error(kind, type(error).__name__)
            return None
        self.stats.ok(kind, started)
        return response.status, response.headers, body

    async def join(self, phone: Phone, gate: asyncio.Semaphore) -> bool:
        async with gate:
            for _ in range(20):
                if await self.join_once(phone):
                    return True
                await asyncio.sleep(1 + random.random())
        return False

    async def join_once(self, phone: Phone) -> bool:
        got = await self.call("join", "GET", "/", phone.cookies)
        if not got or got[0] != 200:
            return self.failed("join", got)
        token = FORM_TOKEN.search(got[2])[1].decode()
        form = {"code": phone.code.lower(), "csrfmiddlewaretoken": token}
        got = await self.call("join", "POST", "/", phone.cookies, data=form)
        if not got or got[0] != 302:
            return self.failed("join", got)
        got = await self.call("join", "GET", f"/j/{phone.code}/", phone.cookies)
        if not got or got[0] != 200:
            return self.failed("join", got)
        token = FORM_TOKEN.search(got[2])[1].decode()
        form = {"name": f"Phone {phone.number + 1}", "csrfmiddlewaretoken": token}
        got = await self.call("join", "POST", f"/j/{phone.code}/", phone.cookies, data=form)
        if not got or got[0] != 302 or f"cop_{phone.code}" not in phone.cookies:
            return self.failed("join", got)
        got = await self.call("join", "GET", f"/p/{phone.code}/", phone.cookies)
        if not got or got[0] != 200:
            return self.failed("join", got)
        phone.csrf = HEADER_TOKEN.search(got[2])[1].decode()
        phone.see(got[2])
        return True

    def failed(self, kind: str, got) -> bool:
        if got is not None:
            self.stats.error(kind, str(got[0]), retry_after="Retry-After" in got[1])
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
            kind,
            "GET",
            f"/p/{phone.code}/?rev={phone.rev}",
            phone.cookies,
            headers={"HX-Request": "true"},
        )

    async def poll(self, phone: Phone) -> None:
        got = await self.ask_stage("poll", phone)
        if got is None:
            return
        status, response_headers, body = got
        if status == 204:
            if body:
                self.stats.bad_204 += 1
            if "HX-Redirect" in response_headers:
                self.stats.error("poll", "HX-Redirect")
        elif status == 200:
            self.stats.changed += 1
            phone.see(body)
        else:
            self.failed("poll", got)

    async def submit(self, phone: Phone, burst: int) -> None:
        # The form shows on each phone at its next poll: the sends spread over that window.
        await asyncio.sleep(random.uniform(0, self.args.burst_window))
        key = f"point:{uuid.uuid4()}"
        body = json.dumps(
            {"key": key, "text": f"Point {burst} from phone {phone.number + 1}: trust first."}
        )
        headers = {"Content-Type": "application/json", "X-CSRFToken": phone.csrf}
        phone.sent.append(key)
        first = time.perf_counter()
        give_up = first + SUBMIT_GIVE_UP_SECONDS
        while time.perf_counter() < give_up:
            got = await self.call(
                "submit",
                "POST",
                f"/p/{phone.code}/answer/save/",
                phone.cookies,
                data=body,
                headers=dict(headers),
            )
            wait = 0.5 + random.random()
            if got is not None:
                status, response_headers, response_body = got
                if status == 200:
                    phone.acked.append(key)
                    self.submit_e2e.append((time.perf_counter() - first) * 1000)
                    phone.see(json.loads(response_body)["stage"].encode(), only_later=True)
                    return
                self.failed("submit", got)
                if status not in (429, 503):
                    return  # refused for good (4xx): a person would read the message
                with contextlib.suppress(ValueError):
                    wait = float(response_headers.get("Retry-After", wait)) + random.random()
            await asyncio.sleep(wait)

    # The instructor.

    async def login(self, cookies: dict) -> None:
        got = await self.call("console", "GET", "/accounts/login/", cookies)
        token = FORM_TOKEN.search(got[2])[1].decode()
        form = {"username": INSTRUCTOR, "password": self.password, "csrfmiddlewaretoken": token}
        got = await self.call("console", "POST", "/accounts/login/", cookies, data=form)
        if not got or got[0] != 302 or "sessionid" not in cookies:
            raise SystemExit(f"the instructor could not log in: {got and got[0]}")

    async def screen_poll(self, cookies: dict, path: str) -> None:
        got = await self.call("screen", "GET", path, cookies)
        rev = SCREEN_POLL_REV.search(got[2])[1].decode() if got and got[0] == 200 else ""
        while time.perf_counter() < self.stop_at:
            await asyncio.sleep(SCREEN_POLL_SECONDS)
            got = await self.call(
                "screen", "GET", f"{path}?rev={rev}", cookies, headers={"HX-Request": "true"}
            )
            if got and got[0] == 200:
                match = SCREEN_POLL_REV.search(got[2])
                rev = match[1].decode() if match else rev
            elif got and got[0] != 204:
                self.failed("screen", got)

    async def instructor(self, cookies: dict, started: float, bursts: list) -> None:
        path = f"/console/{self.delivery_id}/action/"
        for fraction, action, burst in SCRIPT:
            await asyncio.sleep(
                max(0.0, started + fraction * self.args.duration - time.perf_counter())
            )
            sent = time.perf_counter()
            got = await self.call(
                "action",
                "POST",
                path,
                cookies,
                data={"action": action},
                headers={"HX-Request": "true", "X-CSRFToken": cookies.get("csrftoken", "")},
            )
            if not got or got[0] != 200 or b'class="alert error' in got[2]:
                self.failed("action", got)
                continue
            revision = int(SCREEN_REV.search(got[2])[1])
            self.actions.append((action, sent, revision))
            if burst:
                number = len(bursts) + 1
                bursts += [asyncio.create_task(self.submit(p, number)) for p in self.phones]

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
                    async with self.session.get(self.url + path, headers=headers) as response:
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

    async def run(self) -> dict:
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=self.args.client_keepalive)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as self.session:
            load_before = load_average()
            join_started = time.perf_counter()
            gate = asyncio.Semaphore(self.args.join_concurrency)
            joined = await asyncio.gather(*(self.join(p, gate) for p in self.phones))
            join_seconds = time.perf_counter() - join_started
            if not all(joined):
                raise SystemExit(f"only {sum(joined)} of {len(joined)} phones could join")
            console: dict[str, str] = {}
            await self.login(console)

            # The scenario's figures only from here; the joins' are kept apart.
            self.stats.latency = defaultdict(list, {"join": self.stats.latency["join"]})
            join_requests = self.stats.requests
            cpu_server = cpu_seconds(self.server.process.pid)
            cpu_database = postgres_cpu_seconds()
            cpu_client = time.process_time()
            started = time.perf_counter()
            self.stop_at = started + self.args.duration
            bursts: list[asyncio.Task] = []
            await asyncio.gather(
                self.instructor(console, started, bursts),
                self.screen_poll(console, f"/console/{self.delivery_id}/"),
                self.screen_poll(console, f"/console/{self.delivery_id}/projector/"),
                self.lag_monitor(),
                *(self.poll_loop(p) for p in self.phones),
            )
            await asyncio.gather(*bursts)
            elapsed = time.perf_counter() - started
            cpu_server = cpu_seconds(self.server.process.pid) - cpu_server
            cpu_database = postgres_cpu_seconds() - cpu_database
            cpu_client = time.process_time() - cpu_client
            scenario_requests = self.stats.requests - join_requests

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
            "bare_rps": bare_rps,
            "poll_rps": poll_rps,
            "saturation_errors": bare_errors + poll_errors,
        }

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


def report(args, bench: Bench, figures: dict, stored: list[str]) -> str:
    stats = bench.stats
    out = []

    def line(text: str = "") -> None:
        out.append(text)
        print(text, flush=True)

    python = sys.version.split()[0]
    gunicorn = (
        f"gunicorn --workers {args.workers} --threads {args.threads} ({SheddingWorker.__name__}"
        f", sheds phone requests queued over {SHED_AFTER_SECONDS:g} s); {args.settings}"
    )
    gunicorn += f"; burst window {args.burst_window:g} s"
    line(f"machine: {os.cpu_count()} cores; python {python}; {args.database}; {gunicorn}")
    line(
        f"load average (other processes share these cores): {figures['load_before']} before, "
        f"{load_average()} after"
    )
    line(f"joined {args.phones} phones in {figures['join_seconds']:.1f} s")
    database_cpu = (
        f"PostgreSQL {figures['cpu_database']:.1f} s, " if args.database == "postgres" else ""
    )
    line(
        f"scenario {figures['elapsed']:.1f} s: {figures['scenario_requests']} requests, "
        f"{figures['scenario_requests'] / figures['elapsed']:.0f} req/s; CPU used: server "
        f"{figures['cpu_server']:.1f} s, {database_cpu}this client {figures['cpu_client']:.1f} s "
        f"(of {2 * figures['elapsed']:.0f} core-seconds)"
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
    if bench.submit_e2e:
        e2e = bench.submit_e2e
        line(
            f"submit, first send to acknowledgement (with retries): p50 "
            f"{percentile(e2e, 50):.0f} ms, p95 {percentile(e2e, 95):.0f} ms, "
            f"max {max(e2e):.0f} ms"
        )
    line(
        f"client event-loop lag: p99 {percentile(bench.lag, 99):.1f} ms, "
        f"max {max(bench.lag, default=0):.1f} ms"
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
    currency = bench.currency()
    for action, latest, missing in currency:
        line(
            f"action {action:<14} last phone current after {latest:.2f} s"
            + (f"; {missing} phones never saw it" if missing else "")
        )
    sent = {k for p in bench.phones for k in p.sent}
    acked = {k for p in bench.phones for k in p.acked}
    rows = Counter(stored)
    lost = len(acked - rows.keys())
    dup = sum(n - 1 for n in rows.values())
    unacked = sent - acked
    line(
        f"answers: sent {len(sent)}, acknowledged {len(acked)}, stored {len(rows.keys() & sent)} "
        f"({len(stored)} rows, {len(rows)} keys); lost {lost}, duplicated {dup}, never "
        f"acknowledged {len(unacked)} (of which stored {len(unacked & rows.keys())})"
    )
    ratio = figures["poll_rps"] / figures["bare_rps"] if figures["bare_rps"] else float("nan")
    saturation_errors = figures["saturation_errors"]
    line(
        f"throughput at concurrency {args.concurrency}, closed loop, {args.saturate:.0f} s each: "
        f"bare view {figures['bare_rps']:.0f} req/s, unchanged poll {figures['poll_rps']:.0f} "
        f"req/s, ratio {ratio:.2f}"
        + (f"; errors {dict(saturation_errors)}" if saturation_errors else "")
    )
    current_max = max((latest for _, latest, _ in currency), default=float("nan"))
    never = sum(missing for _, _, missing in currency)
    poll = stats.latency.get("poll", [])
    submit = stats.latency.get("submit", [])
    summary = (
        f"phones={args.phones} poll_p95_ms={percentile(poll, 95):.0f} "
        f"submit_p95_ms={percentile(submit, 95):.0f} errors={errors} lost={lost} dup={dup} "
        f"poll_vs_bare={ratio:.2f} shed={shed} not_shed={errors - shed} "
        f"current_max_s={current_max:.2f} "
        f"never_current={never} rps={figures['scenario_requests'] / figures['elapsed']:.0f} "
        f"database={args.database} workers={args.workers} threads={args.threads}"
    )
    line(summary)
    return summary


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--duration", type=float, default=60, help="seconds of lesson")
    parser.add_argument("--saturate", type=float, default=5, help="seconds per throughput run")
    parser.add_argument(
        "--concurrency", type=int, help="clients in the throughput runs (default: --phones)"
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
    args.concurrency = args.concurrency or args.phones
    if not 1 <= args.phones <= 5000 or not 5 <= args.duration <= 900:
        parser.error("--phones must be 1–5000 and --duration 5–900 s")
    local = re.compile(r"postgres(ql)?://([^@/]*@)?(127\.0\.0\.1|localhost)[:/]")
    if args.database == "postgres" and not local.match(args.postgres_url):
        parser.error("--postgres-url must point at this machine (127.0.0.1)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    password = secrets.token_urlsafe(16)
    server = Server(args)
    try:
        print(f"setting up in {server.folder} ({args.database}) …", flush=True)
        delivery_id, code = server.setup(password=password)
        server.start()
        bench = Bench(args, server, delivery_id, code, password)
        hard_limit = args.duration + args.phones * 0.5 + 2 * args.saturate + 240
        figures = asyncio.run(asyncio.wait_for(bench.run(), timeout=hard_limit))
        stored = server.stored_keys(delivery_id)
        report(args, bench, figures, stored)
        if "Traceback" in server.log():
            print("gunicorn logged a traceback:\n" + server.log(), file=sys.stderr)
    except ServerFailed as failed:
        raise SystemExit(str(failed)) from None
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
