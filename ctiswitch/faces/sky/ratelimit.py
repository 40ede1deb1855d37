"""The listCalls rate limit: a token bucket per DID on the switch's clock.

The guide publishes no threshold ("subject to change without notice"), so
the rate is the company's ``sky.list_calls_per_minute``. A bucket holds a
minute's worth of calls and refills continuously, so a client may burst a
minute's allowance and then keeps the rate. The switch's clock is used so
that a virtual-clock test refills it by advancing time, never by sleeping.
"""
from __future__ import annotations

from ctiswitch.engine.clock import Clock


class RateLimiter:
    """Admits at most ``per_minute`` calls per key in any minute, on average."""

    def __init__(self, clock: Clock, per_minute: int) -> None:
        self._clock = clock
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        #: key -> (tokens, time they were counted); one entry per DID that asked.
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; False when none is left."""
        now = self._clock.now()
        tokens, then = self._buckets.get(key, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - then) * self._rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True
