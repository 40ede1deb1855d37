"""Baseline and fan-out floor servers for bench/load.py, each in its own process.

    python bench/load_baselines.py http     # Starlette + uvicorn: POST/GET /noop, websocket /echo
    python bench/load_baselines.py https DIR  # the same over TLS, certificate made in DIR
    python bench/load_baselines.py thrift   # asyncio TCP + the turret wire codec: void replies
    python bench/load_baselines.py floor SPEC DIR  # the fan-out floor (below), certificate made in DIR

Each prints ``baseline listening on <port>`` (the floor: ``<http port>
<https port> <thrift port> <certificate>``) and serves until SIGTERM.

Baselines: the same HTTP stack with the flags the switch uses
(ctiswitch.server.listeners._config, imported so they cannot drift), the
same websocket implementation, the same Thrift codec over asyncio TCP, with
no switch behind them. A face's calls/s divided by its baseline's says how
much of the transport's capacity the face's own work leaves.

The fan-out floor: what a face's call costs on these stacks when nothing
but its wire traffic is done. A face's call is 3 requests plus delivering
its events to every subscriber; the floor answers the 3 requests as the
baselines do (a no-op POST on /noop/o2g or /noop/sky, an echoed
websocket message on /mtcti3, a void Thrift reply) and, with no switch
behind it, sends for each call exactly the messages the switch's subscribers
received for one quiet call of that face (bench/load.py's calibration
captures them and writes them to SPEC): lines on a chunked HTTP channel
(/events), webhook POSTs to the bench's receiver on one persistent
HTTP/1.1 connection pipelined by the switch's own webhook client
(ctiswitch.faces.o2g.webhook.Connection), Notifies over wss
(/subscriber) each kept outstanding until its NotifyAck arrives,
documents on a Sky-like chunked stream (/bobl/bobl), and ONEWAY Thrift
notifications on one callback TCP connection. The i-th request of a face
(counted per face, so every 3 requests carry exactly one call's messages
whatever the interleaving of workers) sends the (i mod 3)-th third of them.

What the floor pays per message, as any implementation must: serialising
it from structured data (json.dumps of the event's dict, shared by the
chunk line and the webhook POST as the switch's O2G hub shares it; the
protobuf Notify serialised with a fresh notify_id; the Thrift notification
written by the turret's own writer; the Sky document rendered from its
markup and escaped field values), queueing it, writing it on its
connection through the same stack, reading the webhook answers and the
NotifyAcks. What it does not pay: the engine, working out which events a
call causes and for whom, building them from call state, filtering
subscriptions, retries, overflow rules, the per-subscription NotifyAck
window (every Notify goes out at once and the ack is only checked off), and
the Notifies of the MTCTI-3 driver's own subscriptions. Its requests are
the baseline's, so the Turret floor makes 3 Thrift calls where the Turret
driver makes 2 and answers through the sim API over HTTP. So its cost per
call is what any implementation delivering these messages on these stacks
pays at least, with one exception: the switch merges a subscription's
changes while its NotifyAck window is full, so at its peak it sends fewer
MTCTI-3 Notifies per call than the calibrated count the floor always sends.
"""
from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import signal
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from thriftpy2.protocol import binary
from thriftpy2.thrift import TMessageType, TType

from ctiswitch.faces.mtcti3.mtcti3_pb2 import Message
from ctiswitch.faces.mtcti3.wire import WireError as Mtcti3WireError
from ctiswitch.faces.mtcti3.wire import decode, encode
from ctiswitch.faces.o2g.webhook import Connection, Target
from ctiswitch.faces.turret.idl import notification_service
from ctiswitch.faces.turret.wire import RequestDecoder, WireError, encode_reply
from ctiswitch.faces.turret.writer import write_message
from ctiswitch.server.listeners import _config, _Server, bind
from ctiswitch.server.tls import ensure_certificate

READ_CHUNK = 65536
#: Messages one floor subscriber connection may have waiting (a bound, far
#: above what a phase queues); past it new ones are dropped, and the bench
#: counts them lost.
MAX_WAITING = 100_000
#: Requests a face's call makes, each sending its share of the call's messages.
REQUESTS_PER_CALL = 3
#: Where the Sky stream's markup ends and a field's text begins, and back.
_XML_TEXT = re.compile(r"(?<=>)([^<]+)(?=<)")


async def noop(request: Request) -> Response:
    """Reads the body, as a face would, and answers a small JSON body."""
    await request.body()
    return Response(b'"1"', status_code=200, media_type="application/json")


async def echo(ws: WebSocket) -> None:
    """Echoes every binary message until the client leaves."""
    await _echo_each(ws, None)


async def _echo_each(ws: WebSocket, then: Callable[[], None] | None) -> None:
    """Echo every binary message, calling ``then`` after each (the floor's fan-out)."""
    await ws.accept(subprotocol="openapi")
    try:
        while True:
            await ws.send_bytes(await ws.receive_bytes())
            if then is not None:
                then()
    except WebSocketDisconnect:
        return


def _tls(tls_dir: str) -> tuple[dict[str, str], Path]:
    """uvicorn's TLS arguments for a certificate made as the switch makes its own, and its path."""
    cert = ensure_certificate(Path(tls_dir), "127.0.0.1")
    return {"ssl_certfile": str(cert.cert_path), "ssl_keyfile": str(cert.key_path)}, cert.cert_path


async def serve_http(tls_dir: str | None) -> None:
    """Plain HTTP, or HTTPS (MTCTI-3 is served over wss only, so its baseline must pay TLS too)."""
    app = Starlette(routes=[Route("/noop", noop, methods=["GET", "POST"]), WebSocketRoute("/echo", echo)])
    sock = bind("127.0.0.1", 0)
    tls: dict[str, str] = {}
    extra = ""
    if tls_dir is not None:
        tls, cert_path = _tls(tls_dir)
        extra = f" {cert_path}"
    server = uvicorn.Server(_config(app, **tls))
    print(f"baseline listening on {sock.getsockname()[1]}{extra}", flush=True)
    task = asyncio.create_task(server.serve([sock]))
    await _until_signal()
    server.should_exit = True
    await task


async def _thrift_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                             then: Callable[[], None] | None) -> None:
    """Decode each request with the turret's decoder and answer a void reply; ``then`` after each."""
    decoder = RequestDecoder()
    try:
        while data := await reader.read(READ_CHUNK):
            for call in decoder.feed(data):
                writer.write(encode_reply(call, None))
                if then is not None:
                    then()
            await writer.drain()
    except (WireError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def _thrift_server(then: Callable[[], None] | None) -> asyncio.Server:
    """The Thrift listener, on a port of its own."""
    return await asyncio.start_server(lambda reader, writer: _thrift_connection(reader, writer, then),
                                      sock=bind("127.0.0.1", 0))


async def serve_thrift() -> None:
    server = await _thrift_server(None)
    print(f"baseline listening on {server.sockets[0].getsockname()[1]}", flush=True)
    await _until_signal()
    server.close()


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


# -- the fan-out floor -----------------------------------------------------------------------------

class Outbox:
    """The messages waiting for one subscriber connection, in order."""

    def __init__(self) -> None:
        self.items: deque[bytes] = deque()
        self.ready = asyncio.Event()

    def put(self, item: bytes) -> None:
        if len(self.items) < MAX_WAITING:
            self.items.append(item)
            self.ready.set()

    async def take(self, most: int) -> list[bytes]:
        """Up to ``most`` waiting messages, oldest first; waits for the first one."""
        while not self.items:
            self.ready.clear()
            await self.ready.wait()
        return [self.items.popleft() for _ in range(min(most, len(self.items)))]


@dataclass
class Phase:
    """What one of a call's requests sends: its third of the call's messages, as structured data."""

    o2g: list[tuple[dict[str, Any], bool, bool]]  # event, to the chunk channel, to the webhook
    mtcti3: list[Message]
    turret: list[tuple[str, Any]]  # method, its args struct
    sky: list[tuple[list[str], list[str]]]  # markup around the fields, the fields' texts


def _thirds(items: list[Any]) -> list[list[Any]]:
    """``items`` cut in REQUESTS_PER_CALL consecutive parts, as even as they go."""
    n = len(items)
    return [items[k * n // REQUESTS_PER_CALL:(k + 1) * n // REQUESTS_PER_CALL] for k in range(REQUESTS_PER_CALL)]


def _phases(samples: dict[str, list[bytes]]) -> list[Phase]:
    """A face's call, from the messages each channel received for one quiet call of it."""
    chunk, hook = samples.get("o2g-chunk", []), samples.get("o2g-webhook", [])
    events = [(json.loads(chunk[i] if i < len(chunk) else hook[i]), i < len(chunk), i < len(hook))
              for i in range(max(len(chunk), len(hook)))]
    notifies = [decode(data, True) for data in samples.get("mtcti3", [])]
    notes = [_notification(frame) for frame in samples.get("turret", [])]
    documents = [_markup_and_texts(document.decode()) for document in samples.get("sky", [])]
    return [Phase(*parts) for parts in zip(_thirds(events), _thirds(notifies), _thirds(notes), _thirds(documents),
                                           strict=True)]


def _notification(frame: bytes) -> tuple[str, Any]:
    buf = io.BytesIO(frame)
    method, _, _ = binary.read_message_begin(buf)
    return method, binary.read_val(buf, TType.STRUCT, getattr(notification_service(), f"{method}_args"))


def _markup_and_texts(document: str) -> tuple[list[str], list[str]]:
    pieces = _XML_TEXT.split(document)
    return pieces[0::2], [unescape(text) for text in pieces[1::2]]


def _render_xml(markup: list[str], texts: list[str]) -> bytes:
    """A Sky document from its markup and field texts, each escaped as the switch escapes them."""
    return ("".join(chain.from_iterable(zip(markup, map(escape, texts)))) + markup[-1]).encode()


async def _disconnect(receive: Receive) -> None:
    """Return when the client goes away (any request body is read and dropped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class Stream:
    """ASGI endpoint: a chunked response carrying an outbox, one HTTP chunk
    per message (the O2G channel's and the Sky stream's framing), until the
    client leaves."""

    def __init__(self, outbox: Outbox, content_type: bytes, opening: bytes) -> None:
        self.outbox = outbox
        self.content_type = content_type
        self.opening = opening

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", self.content_type)]})
        if self.opening:
            await send({"type": "http.response.body", "body": self.opening, "more_body": True})
        gone = asyncio.ensure_future(_disconnect(receive))
        pump = asyncio.ensure_future(self._pump(send))
        try:
            await asyncio.wait({gone, pump}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            pump.cancel()

    async def _pump(self, send: Send) -> None:
        while True:
            for item in await self.outbox.take(MAX_WAITING):
                await send({"type": "http.response.body", "body": item, "more_body": True})


class Floor:
    """The floor's fan-out: per face, the messages of one call in 3 phases,
    and one outbox per subscriber connection."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.phases = {face: _phases({channel: [base64.b64decode(s) for s in samples]
                                      for channel, samples in channels.items()})
                       for face, channels in spec["faces"].items()}
        self.requests = dict.fromkeys(self.phases, 0)
        self.webhook_url: str = spec["webhook"]
        self.turret_port: int = spec["turret"]
        self.chunks, self.webhook, self.notifies, self.turret, self.sky = (Outbox() for _ in range(5))
        self.unacked: set[int] = set()
        self.last_notify = 0
        self.tasks: list[asyncio.Task[None]] = []

    def routes(self) -> list[Route | WebSocketRoute]:
        opened = json.dumps({"eventName": "OnChannelInformation", "text": "channel established"}).encode() + b"\n"
        return [Route("/noop/{face}", self.request, methods=["POST"]),
                Route("/events", Stream(self.chunks, b"application/json; charset=utf-8", opened),
                      methods=["POST"]),
                Route("/bobl/bobl", Stream(self.sky, b"text/xml; charset=utf-8", b""), methods=["POST"]),
                Route("/stats", self.stats, methods=["GET"]),
                WebSocketRoute("/mtcti3", self.mtcti3_requests),
                WebSocketRoute("/subscriber", self.mtcti3_subscriber)]

    async def start(self) -> None:
        """Open the turret's callback connection and start the webhook and turret senders."""
        _, writer = await asyncio.open_connection("127.0.0.1", self.turret_port)
        self.tasks = [asyncio.create_task(self._post_webhooks()), asyncio.create_task(self._notify_turret(writer))]

    async def request(self, request: Request) -> Response:
        response = await noop(request)
        self.fan_out(request.path_params["face"])
        return response

    async def mtcti3_requests(self, ws: WebSocket) -> None:
        await _echo_each(ws, lambda: self.fan_out("mtcti3"))

    async def stats(self, request: Request) -> Response:
        """How many Notifies have had no NotifyAck yet (the bench asks once a phase has drained)."""
        return JSONResponse({"unacked": len(self.unacked)})

    def fan_out(self, face: str) -> None:
        """One of a face's calls' requests arrived: serialise and queue its phase's messages."""
        count = self.requests[face]
        self.requests[face] = count + 1
        phase = self.phases[face][count % REQUESTS_PER_CALL]
        for event, to_channel, to_webhook in phase.o2g:
            body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
            if to_channel:
                self.chunks.put(body + b"\n")
            if to_webhook:
                self.webhook.put(body)
        for message in phase.mtcti3:
            self.last_notify += 1
            message.notify.notify_id = self.last_notify
            self.unacked.add(self.last_notify)
            self.notifies.put(encode(message, True))
        for method, args in phase.turret:
            self.turret.put(write_message(method, TMessageType.ONEWAY, 0, args, True))
        for markup, texts in phase.sky:
            self.sky.put(_render_xml(markup, texts))

    async def _post_webhooks(self) -> None:
        """One event per POST, pipelined on one persistent connection, as the switch's webhook sender."""
        connection = Connection(Target.of(self.webhook_url))
        while True:
            await connection.post(await self.webhook.take(connection.window()))

    async def _notify_turret(self, writer: asyncio.StreamWriter) -> None:
        """Everything queued in one write, as the turret's notifier."""
        while True:
            writer.write(b"".join(await self.turret.take(MAX_WAITING)))
            await writer.drain()

    async def mtcti3_subscriber(self, ws: WebSocket) -> None:
        """Send every Notify; each NotifyAck settles its own."""
        await ws.accept(subprotocol="openapi")
        sender = asyncio.create_task(self._send_notifies(ws))
        try:
            while True:
                message = decode(await ws.receive_bytes(), True)
                if message.WhichOneof("payload") == "notifyack":
                    self.unacked.discard(message.notifyack.notify_id)
        except (WebSocketDisconnect, Mtcti3WireError):
            return
        finally:
            sender.cancel()

    async def _send_notifies(self, ws: WebSocket) -> None:
        while True:
            for data in await self.notifies.take(MAX_WAITING):
                await ws.send_bytes(data)


async def serve_floor(spec_path: str, tls_dir: str) -> None:
    """The floor's HTTP and HTTPS servers on one app (as the switch serves both) and its Thrift listener."""
    floor = Floor(json.loads(Path(spec_path).read_text(encoding="utf-8")))
    await floor.start()
    app = Starlette(routes=floor.routes())
    tls, cert_path = _tls(tls_dir)
    sockets = [bind("127.0.0.1", 0), bind("127.0.0.1", 0)]
    servers = [_Server(_config(app)), _Server(_config(app, **tls))]
    thrift = await _thrift_server(lambda: floor.fan_out("turret"))
    ports = [sock.getsockname()[1] for sock in (*sockets, *thrift.sockets)]
    print(f"baseline listening on {' '.join(map(str, ports))} {cert_path}", flush=True)
    tasks = [asyncio.create_task(server.serve([sock])) for server, sock in zip(servers, sockets, strict=True)]
    await _until_signal()
    thrift.close()
    for server in servers:
        server.should_exit = True
    for task in floor.tasks:
        task.cancel()
    await asyncio.gather(*tasks, *floor.tasks, return_exceptions=True)


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind == "http":
        asyncio.run(serve_http(None))
    elif kind == "https":
        asyncio.run(serve_http(sys.argv[2]))
    elif kind == "thrift":
        asyncio.run(serve_thrift())
    elif kind == "floor":
        asyncio.run(serve_floor(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: load_baselines.py http|https DIR|thrift|floor SPEC DIR")


if __name__ == "__main__":
    main()
