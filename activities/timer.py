"""Activity timer arithmetic, kept apart from the database so it can be tested with a clock.

The server stores when the running phase ends (or, while paused, how much is left); every
screen counts down locally from that, so a reload, a second screen or a restart agree.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from lessons.countdown import TimerState


class TimerError(ValueError):
    """An action that does not apply to the timer as it is; the message says why."""


@dataclass(frozen=True)
class Timer:
    phase_minutes: tuple[int, ...]
    phase_index: int = 0
    state: TimerState = TimerState.READY
    ends_at: datetime | None = None
    remaining_seconds: int = 0

    @classmethod
    def fresh(cls, phase_minutes: tuple[int, ...]) -> "Timer":
        return cls(phase_minutes=phase_minutes, remaining_seconds=phase_minutes[0] * 60)

    def seconds_left(self, now: datetime) -> int:
        if self.state is TimerState.RUNNING:
            return max(0, round((self.ends_at - now).total_seconds()))
        return self.remaining_seconds

    def is_up(self, now: datetime) -> bool:
        return self.state is TimerState.RUNNING and self.seconds_left(now) == 0

    @property
    def is_last_phase(self) -> bool:
        return self.phase_index == len(self.phase_minutes) - 1

    def start(self, now: datetime) -> "Timer":
        if self.state is TimerState.RUNNING:
            raise TimerError(_("The timer is already running."))
        return replace(
            self,
            state=TimerState.RUNNING,
            ends_at=now + timedelta(seconds=self.remaining_seconds),
            remaining_seconds=0,
        )

    def pause(self, now: datetime) -> "Timer":
        if self.state is not TimerState.RUNNING:
            raise TimerError(_("The timer is not running."))
        return replace(
            self, state=TimerState.PAUSED, ends_at=None, remaining_seconds=self.seconds_left(now)
        )

    def toggle(self, now: datetime) -> "Timer":
        return self.pause(now) if self.state is TimerState.RUNNING else self.start(now)

    def extend(self, now: datetime, seconds: int = 60) -> "Timer":
        if self.state is TimerState.RUNNING:
            # A timer already at zero restarts from now, not from the moment it ran out.
            base = max(self.ends_at, now)
            return replace(self, ends_at=base + timedelta(seconds=seconds))
        return replace(self, remaining_seconds=self.remaining_seconds + seconds)

    def next_phase(self, now: datetime) -> "Timer":
        if self.is_last_phase:
            raise TimerError(_("This is the activity's last phase."))
        index = self.phase_index + 1
        return replace(
            self,
            phase_index=index,
            state=TimerState.RUNNING,
            ends_at=now + timedelta(minutes=self.phase_minutes[index]),
            remaining_seconds=0,
        )

    def reset(self) -> "Timer":
        return replace(
            self,
            state=TimerState.READY,
            ends_at=None,
            remaining_seconds=self.phase_minutes[self.phase_index] * 60,
        )
