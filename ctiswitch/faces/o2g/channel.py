"""The chunked event channel at a subscription's polling URL (o2g-wire.md §2).

``POST`` (or ``GET``, as browsers do) on the polling URL answers 200 with
headers at once, then streams newline-delimited JSON: ``OnChannelInformation``
first, then the subscription's events one line per HTTP chunk, and a
``keepalive`` OnChannelInformation every TICK_SECONDS on the engine clock.
The URL carries its own credential (the unguessable subscription id), since
ALE's SDKs send no cookies on it.

A channel ends by aborting the connection, never with the terminating
chunk: ALE's Java SDK reconnects after an I/O error but spins for ever on a
clean end (o2g-wire.md §2). It is aborted when the subscription is deleted,
its session closes, its queue overflows (hub.py), another channel takes over
the same URL, or it stayed idle longer than the subscription's timeout. A
client that disconnects loses nothing: undelivered events stay queued.
"""
from __future__ import annotations

import asyncio
import logging

from starlette.types import Receive, Scope, Send

from .errors import O2GError
from .hub import CHANNEL_OPENED, KEEPALIVE, Hub, Subscription

#: uvicorn's complaint when an app returns mid-response, which is how a
#: channel aborts on purpose.
_ABORT_MESSAGE = "ASGI callable returned without completing response."


class _DeliberateAborts(logging.Filter):
    """Silences uvicorn's error line for channels this module aborted on
    purpose (one per abort, in order), and for nothing else."""

    def __init__(self) -> None:
        super().__init__()
        self.pending = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if self.pending and record.getMessage() == _ABORT_MESSAGE:
            self.pending -= 1
            return False
        return True


_aborts = _DeliberateAborts()
logging.getLogger("uvicorn.error").addFilter(_aborts)


async def _disconnect(receive: Receive) -> None:
    """Return when the client goes away (the request body is read and dropped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class ChannelEndpoint:
    """ASGI endpoint of ``/api/rest/1.0/events/{subscriptionId}``."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscription = self.hub.subscriptions.get(scope["path_params"]["subscriptionId"])
        if subscription is None or subscription.webhook_url is not None:
            error = O2GError(404, "NOT_FOUND", "no chunk-mode subscription with this id; subscribe again")
            await error.response()(scope, receive, send)
            return
        generation = self.hub.connect(subscription)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"cache-control", b"no-cache")]})
        await send({"type": "http.response.body", "body": CHANNEL_OPENED, "more_body": True})
        gone = asyncio.ensure_future(_disconnect(receive))
        try:
            if await self._pump(subscription, generation, gone, send):
                _aborts.pending += 1
        finally:
            gone.cancel()
            if subscription.generation == generation:
                subscription.connected = False

    async def _pump(self, subscription: Subscription, generation: int, gone: asyncio.Future[None],
                    send: Send) -> bool:
        """Send until the channel must end; True to abort, False when the client left."""
        while True:
            if subscription.closed or subscription.generation != generation or subscription.idle_abort:
                return True
            if subscription.queue:
                chunk = subscription.queue[0]
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if subscription.generation == generation and subscription.queue and subscription.queue[0] is chunk:
                    subscription.queue.popleft()
                    subscription.delivered += 1
                    subscription.last_activity = self.hub.clock.now()
                continue
            if subscription.keepalive_due:
                subscription.keepalive_due = False
                await send({"type": "http.response.body", "body": KEEPALIVE, "more_body": True})
                continue
            subscription.wakeup.clear()
            woken = asyncio.ensure_future(subscription.wakeup.wait())
            await asyncio.wait({woken, gone}, return_when=asyncio.FIRST_COMPLETED)
            woken.cancel()
            if gone.done():
                return False
