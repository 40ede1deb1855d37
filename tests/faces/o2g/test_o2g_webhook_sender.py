"""The webhook sender against a raw HTTP/1.1 receiver: one POST per event,
in order, pipelined on one kept-alive connection, with the bounded retry and
the failure count unchanged (ctiswitch/faces/o2g/webhook.py)."""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable

import pytest

from ctiswitch.engine.clock import VirtualClock
from ctiswitch.faces.o2g import webhook
from ctiswitch.faces.o2g.hub import Hub, Selector, Subscription
from ctiswitch.faces.o2g.webhook import WebhookSender

EVENTS = 300
#: Seconds the whole exchange may take.
LIMIT = 20.0


class Receiver:
    """Answers each POST in order; ``refuse`` holds the event numbers that get
    a 503 (each once), ``always_refuse`` makes every answer a 503."""

    def __init__(self, refuse: set[int] | None = None, always_refuse: bool = False) -> None:
        self.bodies: list[int] = []
        self.connections = 0
        self.largest_read = 0
        self.refuse = refuse or set()
        self.always_refuse = always_refuse
        self.port = 0

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        pending = b""
        try:
            while chunk := await reader.read(65536):
                pending += chunk
                requests = 0
                while (end := pending.find(b"\r\n\r\n")) >= 0:
                    length = int(re.search(rb"(?i)content-length:\s*(\d+)", pending[:end])[1])  # type: ignore[index]
                    if len(pending) < end + 4 + length:
                        break
                    body, pending = pending[end + 4:end + 4 + length], pending[end + 4 + length:]
                    requests += 1
                    number = json.loads(body)["n"]
                    if self.always_refuse or number in self.refuse:
                        self.refuse.discard(number)
                        writer.write(b"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy")
                    else:
                        self.bodies.append(number)
                        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                self.largest_read = max(self.largest_read, requests)
                await writer.drain()
        finally:
            writer.close()


async def _deliver(receiver: Receiver, events: int, done: Callable[[Subscription], bool]) -> Subscription:
    server = await receiver.start()
    hub = Hub(VirtualClock())
    sender = WebhookSender(hub)
    subscription = hub.add("token", [Selector(None, frozenset({"telephony"}))], "1.0", 0,
                           f"http://127.0.0.1:{receiver.port}/events?x=1")
    sender.start(subscription)
    for n in range(events):
        hub.publish({"eventName": "OnCallCreated", "n": n}, login="1000", package="telephony")
    deadline = asyncio.get_running_loop().time() + LIMIT
    while not done(subscription) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    await sender.close()
    server.close()
    return subscription


def test_events_arrive_in_order_pipelined_on_one_connection() -> None:
    receiver = Receiver()
    subscription = asyncio.run(_deliver(receiver, EVENTS, lambda s: s.delivered >= EVENTS))
    assert receiver.bodies == list(range(EVENTS))
    assert subscription.delivered == EVENTS and subscription.webhook_failures == 0
    assert receiver.connections == 1
    assert receiver.largest_read > 1  # several POSTs were on the wire at once


def test_a_refused_post_is_retried_and_still_delivered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "RETRY_DELAY", 0.01)
    receiver = Receiver(refuse={0, 7})
    subscription = asyncio.run(_deliver(receiver, 20, lambda s: s.delivered >= 20))
    assert sorted(receiver.bodies) == list(range(20))
    assert subscription.delivered == 20 and subscription.webhook_failures == 0


def test_a_receiver_that_always_refuses_counts_each_event_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "RETRY_DELAY", 0.01)
    receiver = Receiver(always_refuse=True)
    subscription = asyncio.run(_deliver(receiver, 5, lambda s: s.webhook_failures >= 5))
    assert subscription.webhook_failures == 5 and subscription.delivered == 0
    assert receiver.bodies == []


def test_a_receiver_that_is_down_counts_each_event_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "RETRY_DELAY", 0.01)

    async def run() -> Subscription:
        hub = Hub(VirtualClock())
        sender = WebhookSender(hub)
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        subscription = hub.add("token", [Selector(None, frozenset({"telephony"}))], "1.0", 0,
                               f"http://127.0.0.1:{port}/")
        sender.start(subscription)
        for n in range(3):
            hub.publish({"eventName": "OnCallCreated", "n": n}, login="1000", package="telephony")
        deadline = asyncio.get_running_loop().time() + LIMIT
        while subscription.webhook_failures < 3 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        await sender.close()
        return subscription

    subscription = asyncio.run(run())
    assert subscription.webhook_failures == 3 and subscription.delivered == 0
