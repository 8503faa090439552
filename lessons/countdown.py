"""What an activity's countdown shows, as plain values for `templates/content/screens.html`'s
`countdown` partial: the console, the projector and the phone during a delivery
(`activities.screens.timer_view`, from the running timer of `activities/timer.py`), and the
editor's preview before any delivery (`ready_countdown`)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lessons.models import Phase


class TimerState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(frozen=True)
class TimerView:
    state: str
    seconds_left: int
    ends_at_ms: int | None
    phase_index: int
    phases: list[Phase]
    is_up: bool
    is_last_phase: bool

    @property
    def phase(self) -> Phase:
        return self.phases[self.phase_index]

    @property
    def clock(self) -> str:
        return clock(self.seconds_left)

    @property
    def is_running(self) -> bool:
        return self.state == TimerState.RUNNING

    @property
    def is_paused(self) -> bool:
        return self.state == TimerState.PAUSED

    @property
    def is_ready(self) -> bool:
        return self.state == TimerState.READY


def ready_countdown(phases: list[Phase]) -> TimerView | None:
    """The countdown as it reads when the activity has just been opened (`Timer.fresh`: the
    first phase, all its minutes, not running); None without phases. The editor's preview
    renders it, so it shows what the projector will show at that moment
    (`tests/lessons/test_preview_same_html.py`)."""
    if not phases:
        return None
    return TimerView(
        state=TimerState.READY,
        seconds_left=phases[0].minutes * 60,
        ends_at_ms=None,
        phase_index=0,
        phases=phases,
        is_up=False,
        is_last_phase=len(phases) == 1,
    )


def clock(seconds: int) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60:02d}:{rest % 60:02d}"


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
