"""Time for the engine. The engine never reads the wall clock or sleeps: it
asks a Clock, so tests run in virtual time and a 30 s no-answer timer expires
in a microsecond."""
from __future__ import annotations

import heapq
import itertools
from typing import Callable, Protocol


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds; only differences mean anything."""

    def wall(self) -> float:
        """UTC epoch seconds, for records people read (call log, messages)."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Run callback after delay seconds, never inside the current call."""


class _VirtualTimer:
    __slots__ = ("due", "seq", "callback", "cancelled")

    def __init__(self, due: float, seq: int, callback: Callable[[], None]) -> None:
        self.due = due
        self.seq = seq
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: "_VirtualTimer") -> bool:
        return (self.due, self.seq) < (other.due, other.seq)


class VirtualClock:
    """A clock that moves only when told; timers fire in (due, arming) order."""

    def __init__(self, start: float = 0.0, wall_start: float = 1_767_225_600.0) -> None:
        self._now = start
        self._wall_offset = wall_start - start
        self._heap: list[_VirtualTimer] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._now + self._wall_offset

    def call_later(self, delay: float, callback: Callable[[], None]) -> _VirtualTimer:
        timer = _VirtualTimer(self._now + max(0.0, delay), next(self._seq), callback)
        heapq.heappush(self._heap, timer)
        return timer

    def pending(self) -> int:
        """Live (not cancelled) timers: a leak check for tests."""
        return sum(1 for t in self._heap if not t.cancelled)

    def advance(self, seconds: float) -> None:
        """Move time forward, firing every timer that falls due on the way."""
        target = self._now + seconds
        while self._heap and self._heap[0].due <= target:
            timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            self._now = max(self._now, timer.due)
            timer.callback()
        self._now = target

    def settle(self) -> None:
        """Fire what is due now (zero-delay timers) without moving time."""
        self.advance(0.0)
