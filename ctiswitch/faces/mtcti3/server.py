"""The MTCTI-3 transport: a secure WebSocket on the switch's HTTPS listener.

    wss://host:port/tpkt/openapi             frames: 00 00 00 01 + Message
    wss://host:port/tpkt/openapinoframing    bare Message bytes

The upgrade is checked before it is accepted (spec/mtcti3.md §1.3, A2):
plain ws:// gets 403 (IP Office serves MTCTI-3 over HTTPS only), missing or
wrong Basic credentials of a service user get 401 with WWW-Authenticate, and
a connection beyond the limit gets 503. The limit is 10 (the DOC's) unless
CTISWITCH_MTCTI3_MAX_CONNECTIONS says otherwise. Subprotocol `openapi` (or
`openapinoframing`) is echoed when offered; a client offering none is still
accepted. A request without Host is accepted (the websockets server does not
require it). Pings are answered by the WebSocket layer.

Bounds: each connection has an outbound queue of OUTBOUND_LIMIT messages.
Notifies are already limited by the one-Notify window per subscription, so
only a client that keeps sending requests without reading the answers can
fill it; that connection is closed (1008) and nobody else is affected.
Bytes that are not a Message are logged and ignored (A3).
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import os

from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from ctiswitch.engine.events import (
    Batch,
    CallCleared,
    ConnectionCleared,
    MessageDeposited,
)
from ctiswitch.engine.states import Cause
from ctiswitch.server.board import Switchboard
from ctiswitch.server.contribution import Contribution

from .constants import (
    MAX_CONNECTIONS,
    PATH,
    PATH_NOFRAMING,
    SUBPROTOCOL,
    SUBPROTOCOL_NOFRAMING,
)
from .mtcti3_pb2 import Message
from .session import Session
from .subscriptions import AppHandlers, Changes
from .translate_calls import Counts, Seen
from .wire import WireError, decode, encode

log = logging.getLogger("ctiswitch.mtcti3")

MAX_CONNECTIONS_ENV = "CTISWITCH_MTCTI3_MAX_CONNECTIONS"
OUTBOUND_LIMIT = 1024
REALM = 'Basic realm="IPOffice"'


def connection_limit() -> int:
    """The configured connection limit (1..1000), else the DOC's 10."""
    raw = os.environ.get(MAX_CONNECTIONS_ENV, "")
    if raw.isdigit() and 1 <= int(raw) <= 1000:
        return int(raw)
    if raw:
        log.warning("%s=%r is not 1..1000; using %d", MAX_CONNECTIONS_ENV, raw, MAX_CONNECTIONS)
    return MAX_CONNECTIONS


class Hub:
    """Every MTCTI-3 connection of the server, and the one engine listener.

    The listener only records the batch and schedules `process` on the event
    loop, so the engine is never held up and a request's RequestResponse
    always goes out before the Notifies it causes.
    """

    def __init__(self, board: Switchboard, limit: int) -> None:
        self.board = board
        self.limit = limit
        self.sessions: set[Session] = set()
        self.changes = Changes()
        #: Kept up to date by every session as its subscriptions change.
        self.handlers = AppHandlers()
        #: Voicemail counts read from the store, per login, until a message
        #: is deposited for it (the one event that changes them).
        self.mailboxes: dict[str, Counts] = {}
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe = board.switch.subscribe(self._on_batch)

    def _on_batch(self, batch: Batch) -> None:
        if not self.sessions:
            self.mailboxes.clear()
            return
        first_normal = True
        for event in batch.events:
            if isinstance(event, MessageDeposited):
                self.mailboxes.pop(event.login, None)
            elif isinstance(event, ConnectionCleared):
                this_end = first_normal and event.cause is Cause.NORMAL
                first_normal = first_normal and event.cause is not Cause.NORMAL
                self.changes.party_cleared.setdefault(event.party, (event.cause, this_end))
            elif isinstance(event, CallCleared):
                self.changes.call_cleared[event.call] = event.cause
        self.schedule()

    def schedule(self) -> None:
        if not self._scheduled and self._loop is not None:
            self._scheduled = True
            self._loop.call_soon(self.process)

    def process(self) -> None:
        """Recompute every subscription's view once for all batches since."""
        self._scheduled = False
        changes, self.changes = self.changes, Changes()
        seen = Seen(self.app_handlers(), self.mailbox)
        for session in list(self.sessions):
            try:
                session.refresh(seen, changes)
            except Exception:
                log.exception("mtcti3 %s: failed to compute notifications", session.peer)

    def mailbox(self, login: str) -> Counts:
        """(new, old, saved) voicemail counts of `login`'s mailbox: unread
        messages are new, read ones old; the store has no saved folder. The
        store is read after the batch that deposited a message was written
        (process runs after every engine listener, persistence included)."""
        counts = self.mailboxes.get(login)
        if counts is None:
            messages = self.board.store.messages.for_user(login, "voicemail")
            unread = sum(1 for m in messages if not m.read)
            counts = self.mailboxes[login] = (unread, len(messages) - unread, 0)
        return counts

    def app_handlers(self) -> frozenset[str]:
        """Logins whose app presence a live user subscription handles, on
        any connection: presence shows "Offline" for the others (§4.1)."""
        return self.handlers.logins()

    def stop(self) -> None:
        self._unsubscribe()


def credentials_ok(board: Switchboard, header: str) -> bool:
    """HTTP Basic against the configured service users (§1.1)."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        name, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    if not sep:
        return False
    ok = False
    for user in board.company.service_users:
        ok |= hmac.compare_digest(user.name.encode(), name.encode()) & hmac.compare_digest(
            user.password.encode(), password.encode())
    return ok


class Endpoint:
    """The WebSocket handler for both paths."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def serve(self, websocket: WebSocket) -> None:
        hub = self.hub
        if websocket.url.scheme != "wss":
            await websocket.send_denial_response(PlainTextResponse("MTCTI-3 is served over wss only", 403))
            return
        if not credentials_ok(hub.board, websocket.headers.get("authorization", "")):
            await websocket.send_denial_response(
                PlainTextResponse("unauthorized", 401, headers={"WWW-Authenticate": REALM}))
            return
        if len(hub.sessions) >= hub.limit:
            await websocket.send_denial_response(PlainTextResponse("too many MTCTI-3 connections", 503))
            return
        offered = websocket.scope.get("subprotocols", [])
        subprotocol = next((p for p in (SUBPROTOCOL, SUBPROTOCOL_NOFRAMING) if p in offered), None)
        framed = websocket.url.path == PATH and subprotocol != SUBPROTOCOL_NOFRAMING
        hub._loop = asyncio.get_running_loop()
        outbound: asyncio.Queue[bytes | None] = asyncio.Queue(OUTBOUND_LIMIT)
        client = websocket.client
        peer = f"{client.host}:{client.port}" if client else "?"

        def send(message: Message) -> None:
            try:
                outbound.put_nowait(encode(message, framed))
            except asyncio.QueueFull:
                log.warning("mtcti3 %s: outbound queue full; closing the connection", peer)
                hub.sessions.discard(session)
                outbound.get_nowait()
                outbound.put_nowait(None)

        session = Session(hub.board.switch, hub.board.clock, send, hub.schedule, peer, hub.handlers)
        hub.sessions.add(session)  # counted before the first await: the limit holds
        try:
            await websocket.accept(subprotocol=subprotocol)
            writer = asyncio.create_task(self._write(websocket, outbound))
            try:
                await self._read(websocket, session, framed, writer)
            finally:
                writer.cancel()
        except WebSocketDisconnect:
            pass
        finally:
            hub.sessions.discard(session)
            session.close()
            hub.schedule()  # its app-presence handlers are gone for the others

    async def _write(self, websocket: WebSocket, outbound: asyncio.Queue[bytes | None]) -> None:
        while (data := await outbound.get()) is not None:
            await websocket.send_bytes(data)
        await websocket.close(1008, "not reading")

    async def _read(self, websocket: WebSocket, session: Session, framed: bool, writer: asyncio.Task[None]) -> None:
        while not writer.done():
            event = await websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
            data = event.get("bytes")
            if data is None:
                text = event.get("text")
                data = text.encode("utf-8") if text is not None else b""  # A30: text as binary
            try:
                message = decode(data, framed)
            except WireError as error:
                log.info("mtcti3 %s: ignored a malformed message: %s", session.peer, error.reason)
                continue
            try:
                session.handle(message)
            except Exception:
                log.exception("mtcti3 %s: failed on a %s message", session.peer, message.WhichOneof("payload"))


def contribute(board: Switchboard) -> Contribution:
    """The two MTCTI-3 WebSocket routes, and the hub's engine listener."""
    hub = Hub(board, connection_limit())
    endpoint = Endpoint(hub)

    async def stop() -> None:
        hub.stop()

    return Contribution(
        routes=[WebSocketRoute(PATH, endpoint.serve), WebSocketRoute(PATH_NOFRAMING, endpoint.serve)],
        on_stop=[stop],
    )
