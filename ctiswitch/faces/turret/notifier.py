"""Notification delivery: the turret as a Thrift client of each subscriber.

`requestNotifications(SubscriberInfo)` makes the turret connect back to the
subscriber's address and port and send every `TurretNotificationService`
call there as a ONEWAY message (spec turret-and-sky.md A2 item 2). Each
subscriber gets its own bounded queue and its own sender task, so a slow or
dead subscriber never holds up the engine or the other subscribers.

- Connection life (spec C1 A-6): one persistent connection per subscriber,
  opened on the first message and reopened after an error.
- TLS (A-9): with notify TLS on, each connection is TLS with the
  subscriber's certificate checked against its IP address; a failed
  handshake counts as a failed delivery.
- Batching: the sender writes everything queued in one write and waits for
  the socket to take it once. One message per write, each followed by its
  own drain, took one event-loop turn per notification, so at a few hundred
  calls/s the queue ran seconds deep; the bytes on the wire are the same.
- Failures (A-5): messages that cannot be written stay at the head of the
  queue; the sender retries with exponential backoff, and after
  `MAX_FAILURES` consecutive failures the subscriber is dropped.
- Overflow: when a subscriber's queue would exceed `MAX_QUEUED` messages,
  its pending messages are discarded and `overflowed()` tells the owner to
  re-send the whole current state instead (login state, every line, every
  call, the queue head), which is what those messages would have led to.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections import deque
from collections.abc import Callable, Iterable

from .translate import Notification, TurretView
from .wire import Dialect, encode_notification

log = logging.getLogger("ctiswitch.turret")

MAX_QUEUED = 1000
"""Notifications waiting for one subscriber before its queue overflows."""
MAX_FAILURES = 5
"""Consecutive failed deliveries after which a subscriber is dropped."""
CONNECT_TIMEOUT = 3.0
"""Seconds to open a notification connection or to flush one message."""
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 5.0


class Subscriber:
    """One notification receiver: where to connect, how to speak, what is pending.

    `last` is the view this subscriber was last brought up to (None: nothing
    known yet), so the owner can send it only the difference.
    """

    def __init__(
        self,
        host: str,
        port: int,
        turret_name: str,
        dialect: Dialect,
        on_drop: Callable[[Subscriber], None],
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """`tls` wraps the notification connection (the turret as TLS client)."""
        self.host = host
        self.tls = tls
        self.port = port
        self.turret_name = turret_name
        self.dialect = dialect
        self.last: TurretView | None = None
        self.overflows = 0
        self._on_drop = on_drop
        self._queue: deque[bytes] = deque()
        #: Counts overflows' discards, so a sender that was writing while the
        #: queue was cleared does not pop messages queued after the discard.
        self._discards = 0
        self._wake = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None
        self._reader: asyncio.StreamReader | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def start(self) -> None:
        """Start the sender task (on the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"turret-notify-{self.host}:{self.port}")

    def enqueue(self, notes: Iterable[Notification]) -> bool:
        """Queue notifications; False (and nothing queued) on overflow, after
        discarding what was pending: the owner must then re-send the state."""
        encoded = [
            encode_notification(method, self.turret_name, *args, dialect=self.dialect) for method, args in notes
        ]
        if len(self._queue) + len(encoded) > MAX_QUEUED:
            self._queue.clear()
            self._discards += 1
            self.overflows += 1
            log.warning("turret subscriber %s:%s overflowed; resending its state", self.host, self.port)
            return False
        self._queue.extend(encoded)
        if encoded:
            self._wake.set()
        return True

    async def stop(self) -> None:
        """End the sender task and close the connection."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._disconnect()

    async def _run(self) -> None:
        failures = 0
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch, discards = len(self._queue), self._discards
            try:
                await self._send(b"".join(self._queue))
            except (TimeoutError, OSError) as error:
                self._disconnect()
                failures += 1
                if failures >= MAX_FAILURES:
                    log.warning("turret subscriber %s:%s dropped after %d failures: %s",
                                self.host, self.port, failures, error)
                    self._on_drop(self)
                    return
                await asyncio.sleep(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (failures - 1)))
                continue
            if discards == self._discards:
                for _ in range(batch):
                    self._queue.popleft()
            failures = 0

    async def _send(self, data: bytes) -> None:
        if self._writer is None or self._writer.is_closing() or (self._reader is not None and self._reader.at_eof()):
            self._disconnect()
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=self.tls,
                                        server_hostname=self.host if self.tls is not None else None),
                CONNECT_TIMEOUT,
            )
        self._writer.write(data)
        await asyncio.wait_for(self._writer.drain(), CONNECT_TIMEOUT)

    def _disconnect(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

