from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from activities.timer import Timer, TimerError, TimerState

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_fresh_timer_is_ready_with_the_first_phase_in_full():
    timer = Timer.fresh((5, 10))
    assert timer.state is TimerState.READY
    assert timer.seconds_left(at(999)) == 300


def test_running_counts_down_from_the_stored_end():
    timer = Timer.fresh((5, 10)).start(at(0))
    assert timer.ends_at == at(300)
    assert timer.seconds_left(at(90)) == 210
    assert not timer.is_up(at(299))
    assert timer.is_up(at(300)) and timer.seconds_left(at(400)) == 0


def test_pause_keeps_what_is_left_and_resume_continues_from_it():
    paused = Timer.fresh((5,)).start(at(0)).pause(at(100))
    assert paused.state is TimerState.PAUSED and paused.ends_at is None
    assert paused.seconds_left(at(10_000)) == 200
    resumed = paused.start(at(500))
    assert resumed.ends_at == at(700)


def test_extend_adds_a_minute_whether_running_paused_or_already_up():
    assert Timer.fresh((5,)).start(at(0)).extend(at(10)).ends_at == at(360)
    assert Timer.fresh((5,)).start(at(0)).pause(at(60)).extend(at(61)).remaining_seconds == 300
    # At zero, the minute counts from now, not from when time ran out.
    assert Timer.fresh((1,)).start(at(0)).extend(at(200)).ends_at == at(260)


def test_next_phase_starts_the_next_phase_in_full():
    timer = Timer.fresh((5, 10)).start(at(0)).next_phase(at(120))
    assert timer.phase_index == 1 and timer.state is TimerState.RUNNING
    assert timer.ends_at == at(120 + 600)
    assert timer.is_last_phase
    with pytest.raises(TimerError, match="last phase"):
        timer.next_phase(at(130))


def test_reset_returns_the_current_phase_to_its_full_length():
    timer = Timer.fresh((5, 10)).start(at(0)).next_phase(at(10)).reset()
    assert (timer.state, timer.phase_index, timer.remaining_seconds) == (TimerState.READY, 1, 600)


def test_actions_that_do_not_apply_say_why():
    with pytest.raises(TimerError, match="not running"):
        Timer.fresh((5,)).pause(at(0))
    with pytest.raises(TimerError, match="already running"):
        Timer.fresh((5,)).start(at(0)).start(at(1))


def test_a_french_instructor_reads_why_in_french():
    with translation.override("fr"), pytest.raises(TimerError, match="ne tourne pas"):
        Timer.fresh((5,)).pause(at(0))
    with translation.override("fr"), pytest.raises(TimerError, match="dernière phase"):
        Timer.fresh((5,)).next_phase(at(0))
