"""The app is killed (SIGKILL, master and workers) in the middle of a burst of answers and
restarted: phones resend what was not acknowledged, with the same keys, as static/js/answers.js
does, and no acknowledged answer is lost or stored twice."""

import http.client
import threading
import time
import uuid

from tests.faults.served import PHONES, Phone, ends_at

ANSWERS_PER_PHONE = 6
KILL_AFTER_ACKS = 25  # of PHONES * ANSWERS_PER_PHONE: well inside the burst
RESEND_FOR_SECONDS = 45


class ResendingPhone(threading.Thread):
    """Sends its points one after the other; a point is resent with the same key until the
    server acknowledges it: after a dropped connection, a refused one, a 429 or a 503."""

    def __init__(self, phone: Phone, number: int, acked: list, lock: threading.Lock):
        super().__init__(daemon=True)
        self.phone = phone
        self.keys = [f"point:{uuid.uuid4()}" for _ in range(ANSWERS_PER_PHONE)]
        self.texts = {key: f"Point {i} of phone {number}" for i, key in enumerate(self.keys)}
        self.acked = acked
        self.lock = lock
        self.failures: list[str] = []
        self.refused: list[tuple[str, int, bytes]] = []

    def run(self) -> None:
        give_up = time.monotonic() + RESEND_FOR_SECONDS
        for key in self.keys:
            while time.monotonic() < give_up:
                try:
                    status, headers, body = self.phone.save(key, self.texts[key], timeout=5)
                # Refused, reset, timed out, or cut in the middle of the answer (the server may
                # have stored the point but the phone cannot know): the server is down.
                except (OSError, http.client.HTTPException) as error:
                    self.failures.append(type(error).__name__)
                    time.sleep(0.2)
                    continue
                if status == 200:
                    with self.lock:
                        self.acked.append(key)
                    break
                if status in (429, 503):
                    self.failures.append(str(status))
                    time.sleep(min(float(headers.get("Retry-After", 1)), 2))
                    continue
                self.refused.append((key, status, body[:300]))
                break


def test_a_kill_mid_burst_loses_no_acknowledged_answer_and_the_timer_goes_on(served_app):
    app = served_app
    app.start()
    phones = [Phone(app, token) for token in app.prepared.tokens]
    timer_before = ends_at(phones[0].open_stage())
    for phone in phones[1:]:
        phone.open_stage()
    assert timer_before, "the prepared activity's timer should be running"

    acked: list[str] = []
    lock = threading.Lock()
    senders = [ResendingPhone(p, n, acked, lock) for n, p in enumerate(phones)]
    for sender in senders:
        sender.start()
    deadline = time.monotonic() + 30
    while len(acked) < KILL_AFTER_ACKS and time.monotonic() < deadline:
        time.sleep(0.005)
    acked_before_kill = len(acked)
    assert acked_before_kill >= KILL_AFTER_ACKS, f"the burst stalled: {app.log()}"

    app.kill()
    time.sleep(0.5)  # phones find the server gone
    app.start()
    for sender in senders:
        sender.join(timeout=RESEND_FOR_SECONDS + 10)

    sent = [key for sender in senders for key in sender.keys]
    assert not [s.refused for s in senders if s.refused], app.log()
    assert acked_before_kill < PHONES * ANSWERS_PER_PHONE, "the kill came after the burst"
    assert sum(len(s.failures) for s in senders) > 0, "no phone noticed the kill"
    assert sorted(acked) == sorted(sent), "every phone recovered and got every point through"
    rows = app.query(
        "SELECT key, COUNT(*) FROM activities_submission WHERE run_id = ? GROUP BY key",
        (app.prepared.run,),
    )
    stored = dict(rows)
    assert set(acked) <= set(stored), "an acknowledged answer was lost"
    assert {k: n for k, n in stored.items() if n != 1} == {}, "an answer was stored twice"
    assert set(stored) == set(sent)

    timer_after = ends_at(phones[0].open_stage())
    assert timer_after == timer_before, "the server-side timer kept its end time"
    if app.is_sqlite:
        assert app.query("PRAGMA integrity_check") == [("ok",)]
        assert app.query("PRAGMA foreign_key_check") == []
