"""One stream-mode connection: requests in from the POST body, responses and
pushes out on the chunked response, each as soon as it is ready.

The session keeps only what the transport needs: its subscriptions (the
subscribe Id and the last views pushed, per DID) and a bounded outbox.

Outbox bounds (DESIGN.md: a face never blocks the engine)
    Replies wait for room, which stops reading the client's requests: a
    client that does not read its responses slows only itself. Pushes come
    from the engine's listener, which must not wait: if the outbox is full,
    the subscription is dropped and error 17 is queued past the bound (at
    most one per subscription), which is what the guide tells clients to
    expect and recover from by subscribing again and calling listCalls.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import Message, Receive, Send

from ctiswitch.engine.directory import User

from .service import SkyService, SubscribeGranted
from .tracking import CallTracker
from .wire import (
    FORCED_UNSUBSCRIPTION,
    ParseFailure,
    Request,
    RequestStream,
    render_call_event,
    render_response,
)

log = logging.getLogger("ctiswitch.sky")

#: Documents an outbox holds before replies wait and pushes unsubscribe.
OUTBOX_LIMIT = 256
CONTENT_TYPE = "text/xml; charset=UTF-8"
#: Every reply is 200 with the API's errors in the body (spec C2 B-4); the
#: response is chunked because it has no Content-Length.
_RESPONSE_START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", CONTENT_TYPE.encode())],
}


class Outbox:
    """A bounded FIFO of rendered documents, read by the session's writer."""

    def __init__(self, limit: int = OUTBOX_LIMIT) -> None:
        self._items: deque[bytes] = deque()
        self.limit = limit
        self._changed = asyncio.Event()
        self.closed = False

    def __len__(self) -> int:
        return len(self._items)

    def offer(self, document: bytes) -> bool:
        """Queue a push if there is room; never waits."""
        if len(self._items) >= self.limit or self.closed:
            return False
        self._append(document)
        return True

    def force(self, document: bytes) -> None:
        """Queue past the bound: for the one error 17 that ends a subscription."""
        if not self.closed:
            self._append(document)

    async def put(self, document: bytes) -> None:
        """Queue a reply, waiting while the outbox is full."""
        while len(self._items) >= self.limit and not self.closed:
            self._changed.clear()
            await self._changed.wait()
        if not self.closed:
            self._append(document)

    async def get(self) -> bytes | None:
        """The next document; None once closed and empty."""
        while not self._items:
            if self.closed:
                return None
            self._changed.clear()
            await self._changed.wait()
        document = self._items.popleft()
        self._changed.set()
        return document

    def close(self) -> None:
        """Take nothing more; what is queued is still delivered."""
        self.closed = True
        self._changed.set()

    def _append(self, document: bytes) -> None:
        self._items.append(document)
        self._changed.set()


@dataclass(slots=True)
class Subscription:
    """A user's subscription on one stream: pushes carry the subscribe Id (spec C2 B-8)."""

    id: str
    tracker: CallTracker


@dataclass(slots=True, eq=False)
class StreamSession:
    """Serves one POST to /bobl/bobl.

    ``chunked`` tells how the body was sent. A chunked body's zero-length
    chunk ends the session (spec C2 B-14): pending responses are written, the
    subscriptions end, the response closes. A plain body (Content-Length, as
    the ``ehainer/shoretel`` gem sends) has no such signal, so when it held
    a subscribe the response stays open for pushes until the client goes.
    """

    service: SkyService
    now: Callable[[], float]
    new_id: Callable[[], str]
    chunked: bool
    outbox: Outbox = field(default_factory=Outbox)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    aborted: bool = False
    #: Pushes produced while this session's own command runs: they follow its reply.
    _deferred: list[tuple[str, bytes]] | None = field(default=None, init=False)
    _unsubscribed: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    #: The DIDs each login subscribed on this stream (some may have ended
    #: since), so a batch that concerns a few users finds their
    #: subscriptions without walking all of them.
    _dids_of: dict[str, set[str]] = field(default_factory=dict, init=False)
    #: When each DID became a key of ``subscriptions``: its place in that
    #: dict's order, which is the order pushes of one batch go out in.
    _rank: dict[str, int] = field(default_factory=dict, init=False)
    _next_rank: int = field(default=0, init=False)

    # --- requests -------------------------------------------------------------

    async def handle(self, item: Request | ParseFailure) -> None:
        """Answer one request (or error 19 for one that could not be read)."""
        if isinstance(item, ParseFailure):
            await self.outbox.put(render_response(self.new_id(), item.error))
            return
        response_id = item.id if item.id is not None else self.new_id()
        self._deferred = []
        try:
            outcome = self.service.execute(item, over_get=False)
            if isinstance(outcome, SubscribeGranted):
                self._subscribe(outcome.user, response_id)
            # subscribe's Result is the integer 0 (the guide: "a result of '0'").
            result = 0 if isinstance(outcome, SubscribeGranted) else outcome
            await self.outbox.put(render_response(response_id, result))
        finally:
            # Pushes stay deferred while the reply waits for room, so they keep their order.
            deferred, self._deferred = self._deferred, None
        for did, document in deferred:
            self._push(did, document)

    def _subscribe(self, user: User, response_id: str) -> None:
        """(Re)subscribe: a new Id, and the calls as they are now count as told."""
        did = user.did or ""
        if did not in self.subscriptions:
            self._rank[did] = self._next_rank
            self._next_rank += 1
        self._dids_of.setdefault(user.login, set()).add(did)
        self.subscriptions[did] = Subscription(response_id, CallTracker(user, self.now()))
        self._unsubscribed.clear()

    # --- pushes -----------------------------------------------------------------

    def on_batch(self, now: float, logins: set[str] | None = None) -> None:
        """Called from the engine's listener: queue each subscription's changes.

        ``logins`` are the users the batch concerns (ctiswitch/faces/affected.py),
        None for anyone: only their trackers are recomputed, since a tracker
        of a user the batch did not concern has nothing to say (recomputing
        all of them made each batch O(subscriptions)).
        """
        for did, subscription in self._concerned(logins):
            changes = subscription.tracker.changes(now)
            if not changes:
                continue
            document = render_call_event(subscription.id, changes)
            if self._deferred is None:
                self._push(did, document)
            elif len(self._deferred) < self.outbox.limit:
                self._deferred.append((did, document))
            else:
                self._overflow(did)

    def _concerned(self, logins: set[str] | None) -> list[tuple[str, Subscription]]:
        """The subscriptions of ``logins`` (all for None), in the order of
        ``subscriptions``; looked up by login, so a batch about two users
        costs the same with 10 subscriptions or 10,000."""
        if logins is None or len(logins) >= len(self.subscriptions):
            return [(did, sub) for did, sub in self.subscriptions.items()
                    if logins is None or sub.tracker.user.login in logins]
        found = [did for login in logins for did in self._dids_of.get(login, ())
                 if (sub := self.subscriptions.get(did)) is not None and sub.tracker.user.login == login]
        found.sort(key=self._rank.__getitem__)
        return [(did, self.subscriptions[did]) for did in found]

    def _push(self, did: str, document: bytes) -> None:
        if did in self.subscriptions and not self.outbox.offer(document):
            self._overflow(did)

    def _overflow(self, did: str) -> None:
        log.warning("sky: a stream is not reading its pushes; unsubscribing %s with error 17", did)
        self.unsubscribe(did)

    def unsubscribe(self, did: str) -> bool:
        """Force the DID's subscription off with error 17; False if there was none."""
        subscription = self.subscriptions.pop(did, None)
        if subscription is None:
            return False
        self.outbox.force(render_response(subscription.id, FORCED_UNSUBSCRIPTION))
        if not self.subscriptions:
            self._unsubscribed.set()
        return True

    # --- lifecycle ----------------------------------------------------------------

    def finish(self) -> None:
        """End the session in order: no more subscriptions, write what is queued, close."""
        self.subscriptions.clear()
        self._unsubscribed.set()
        self.outbox.close()

    def abort(self) -> None:
        """The client is gone: drop everything at once."""
        self.aborted = True
        self.finish()

    async def read(self, receive: Receive) -> None:
        """Feed the body to the request reader and answer each request in turn."""
        stream = RequestStream()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.abort()
                return
            for item in stream.feed(message.get("body", b"")):
                await self.handle(item)
            if not message.get("more_body", False):
                break
        for failure in stream.close():
            await self.handle(failure)
        if not self.chunked and self.subscriptions:
            await self._await_end(receive)
        self.finish()

    async def _await_end(self, receive: Receive) -> None:
        """After a plain body: serve pushes until the client leaves or is unsubscribed."""
        left = asyncio.ensure_future(receive())
        idle = asyncio.ensure_future(self._unsubscribed.wait())
        try:
            await asyncio.wait({left, idle}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (left, idle):
                task.cancel()
        if left.done() and not left.cancelled():
            self.abort()

    async def write(self, send: Send) -> None:
        """Write the response head, queued documents as chunks, then the final
        chunk unless aborted.

        The head waits for the first document (which exists only after the
        body was first read) so that a client sending ``Expect: 100-continue``
        (.NET's HttpWebRequest does) gets its ``100 Continue`` before the head
        rather than in the middle of the response.
        """
        started = False
        while (document := await self.outbox.get()) is not None:
            if self.aborted:
                return
            if not started:
                await send(_RESPONSE_START)
                started = True
            await send({"type": "http.response.body", "body": document, "more_body": True})
        if not self.aborted:
            if not started:
                await send(_RESPONSE_START)
            await send({"type": "http.response.body", "body": b"", "more_body": False})

