"""The engine's Clock on the running asyncio loop.

The engine never sleeps or reads time itself (ctiswitch.engine.clock); in the
server its timers (no-answer, auto-answer, park recall) become loop timers,
so they fire between requests on the one thread that owns the switch.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RealClock:
    """Monotonic time from the loop, wall time from the system.

    ``now()`` is ``loop.time()`` so that it and ``call_later`` share one time
    base: a timer armed for 15 s fires when ``now()`` has moved 15 s.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def now(self) -> float:
        return self._loop.time()

    def wall(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        """A loop timer; even a zero delay runs on a later loop iteration,
        never inside the current call, as the Clock protocol requires."""
        return self._loop.call_later(max(0.0, delay), callback)
