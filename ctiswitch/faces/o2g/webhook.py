"""Webhook delivery: each event POSTed on its own to the subscription's URL.

ALE's Node SDK subscribes with ``webHookUrl`` instead of ``timeout`` and
hands each received body to its dispatcher, so each POST carries one event
object exactly as a channel line would (o2g-wire.md §2). One sender task per
subscription drains its queue in order; a POST that fails (network error or
non-2xx) is tried MAX_ATTEMPTS times in all, RETRY_DELAY seconds apart,
then the event is dropped and counted in ``Subscription.webhook_failures``.
The queue bound and overflow rule are the hub's.

Why not httpx: one event per POST, one POST at a time, cost about 1 ms of
CPU and a round trip each, so a call's burst of events (O2G sends three or
four per phase) reached its receiver 5-15 ms after the engine emitted it,
and a few hundred calls/s filled the queue. Each subscription now keeps one
persistent HTTP/1.1 connection of its own (``Connection``) and, once the
receiver has shown it keeps connections alive, pipelines up to PIPELINE
queued events in order: the requests go out in one write and the answers
are read back in the same order (RFC 9112 §9.3.2). Each event is still its
own POST. A receiver that closes after each answer (an HTTP/1.0 server)
gets one request per connection, as before.

Order: every event reaches the receiver in queue order on its first
attempt. An event whose pipelined POST fails is retried after the others
of its window (at most PIPELINE - 1 of them) were tried, since they were
already on the wire; a receiver that is down fails them all alike.
"""
from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from .hub import Hub, Subscription

MAX_ATTEMPTS = 3
RETRY_DELAY = 0.5
#: Seconds one POST may take before it counts as failed.
POST_TIMEOUT = 5.0
#: Events one subscription may have on the wire, unanswered, at once. The
#: sender drains at most PIPELINE events per round trip, and a round trip
#: through two busy event loops took 20-50 ms at 200 calls/s (2,000 events/s),
#: so 32 let the queue reach MAX_QUEUE; 256 drains 5,000-12,000 events/s at
#: those round trips while keeping what is on the wire bounded.
PIPELINE = 256
#: Largest response head accepted from a receiver, in bytes.
MAX_HEAD = 65536


class ReceiverError(Exception):
    """The receiver's answer could not be read as HTTP/1.1."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a webhook URL's POSTs go, and the request head they all share."""

    host: str
    port: int
    tls: bool
    head: bytes

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        host = parts.hostname or ""
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        authority = parts.netloc.rsplit("@", 1)[-1]
        head = (f"POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n"
                f"User-Agent: ctiswitch\r\nAccept: */*\r\n").encode("latin-1")
        return cls(host, port, tls, head)

    def request(self, body: bytes) -> bytes:
        return self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body


class Connection:
    """One subscription's HTTP/1.1 connection to its receiver.

    ``persistent`` becomes true once an answer said the connection stays
    open; until then one request at a time goes out, so a receiver that
    closes after each answer never has requests cut off behind it.
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.persistent = False

    def window(self) -> int:
        return PIPELINE if self.persistent and self.writer is not None else 1

    async def post(self, bodies: list[bytes]) -> list[bool]:
        """POST each body in order on this connection; whether each got a 2xx.

        A failure of the connection fails the request it happened on and
        every one after it, and closes the connection (the next call opens
        a new one).
        """
        results: list[bool] = []
        try:
            await asyncio.wait_for(self._exchange(bodies, results), POST_TIMEOUT)
        except (TimeoutError, OSError, EOFError, ReceiverError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError, ValueError):
            self.close()
        return results + [False] * (len(bodies) - len(results))

    async def _exchange(self, bodies: list[bytes], results: list[bool]) -> None:
        if self.writer is None or self.reader is None or self.writer.is_closing() or self.reader.at_eof():
            self.close()
            context = ssl.create_default_context() if self.target.tls else None
            self.reader, self.writer = await asyncio.open_connection(
                self.target.host, self.target.port, ssl=context, limit=MAX_HEAD)
            self.persistent = False
        reader, writer = self.reader, self.writer
        writer.write(b"".join(self.target.request(body) for body in bodies))
        await writer.drain()
        for _ in bodies:
            status, keep_alive = await _read_response(reader)
            results.append(200 <= status < 300)
            self.persistent = keep_alive
            if not keep_alive:
                self.close()
                return

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
        self.persistent = False


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one answer (head and body); its status and whether the
    connection stays open after it."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ReceiverError(f"not an HTTP/1.x answer: {status_line[:80]!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    for header in lines:
        name, sep, value = header.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip().lower()
    connection = headers.get("connection", "")
    keep_alive = "keep-alive" in connection if parts[0] == "HTTP/1.0" else "close" not in connection
    if status in (204, 304) or 100 <= status < 200:
        return status, keep_alive
    if headers.get("transfer-encoding", "") not in ("", "identity"):
        await _skip_chunked(reader)
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()  # the body runs to the end of the connection
        keep_alive = False
    return status, keep_alive


async def _skip_chunked(reader: asyncio.StreamReader) -> None:
    """Read a chunked body to its end; bounded by the reader's own limits
    and the caller's timeout."""
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return
        await reader.readexactly(size + 2)


class WebhookSender:
    """One sender task, and one connection, per webhook subscription."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.tasks: dict[str, asyncio.Task[None]] = {}
        hub.on_terminate.append(self._stop)

    def start(self, subscription: Subscription) -> None:
        self.tasks[subscription.id] = asyncio.get_running_loop().create_task(self._run(subscription))

    def _stop(self, subscription: Subscription) -> None:
        task = self.tasks.pop(subscription.id, None)
        if task is not None:
            task.cancel()

    async def _run(self, subscription: Subscription) -> None:
        assert subscription.webhook_url is not None
        connection = Connection(Target.of(subscription.webhook_url))
        try:
            while not subscription.closed:
                if not subscription.queue:
                    subscription.wakeup.clear()
                    await subscription.wakeup.wait()
                    continue
                queue = subscription.queue
                bodies = [queue.popleft().rstrip(b"\n") for _ in range(min(len(queue), connection.window()))]
                results = await connection.post(bodies)
                for body, ok in zip(bodies, results, strict=True):
                    if ok or await self._retry(connection, body):
                        subscription.delivered += 1
                    else:
                        subscription.webhook_failures += 1
        finally:
            connection.close()

    @staticmethod
    async def _retry(connection: Connection, body: bytes) -> bool:
        """The attempts after the first, RETRY_DELAY seconds apart."""
        for _ in range(MAX_ATTEMPTS - 1):
            await asyncio.sleep(RETRY_DELAY)
            if (await connection.post([body]))[0]:
                return True
        return False

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()
