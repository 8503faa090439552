"""copsite/serve.py, the command scripts/serve runs: its workers share one socket, a worker that
dies is replaced while the others go on answering, and SIGTERM ends them all promptly."""

import os
import signal
import time
from pathlib import Path

import pytest

from tests.faults.served import base_env
from tests.support.local_server import LocalServer, manage


def workers_of(pid: int) -> set[int]:
    children = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children |= {int(c) for c in (task / "children").read_text().split()}
    return children


@pytest.fixture
def served(tmp_path):
    env = base_env() | {"COP_SQLITE_PATH": str(tmp_path / "db.sqlite3"), "COP_SERVER": "waitress"}
    manage(env, "migrate", "--noinput", "--skip-checks")
    server = LocalServer(tmp_path, env, ["--workers", "2", "--threads", "2"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_dead_worker_is_replaced_while_the_other_answers(served):
    first = workers_of(served.process.pid)
    assert len(first) == 2
    victim = min(first)

    os.kill(victim, signal.SIGKILL)

    assert served.answers()  # the other worker, at once
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = workers_of(served.process.pid)
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"no worker replaced {victim}: {workers_of(served.process.pid)}")
    assert "ended (-9); starting another" in served.log()
    assert served.answers()


def test_sigterm_ends_the_supervisor_and_its_workers(served):
    process = served.process
    workers = workers_of(process.pid)
    started = time.monotonic()

    os.kill(process.pid, signal.SIGTERM)

    assert process.wait(timeout=10) == 0
    assert time.monotonic() - started < 5
    for pid in workers:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
    served.process = None
