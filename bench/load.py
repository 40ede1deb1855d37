"""Load benchmark across the four faces, over real sockets on loopback.

    python bench/load.py            # full run (a few minutes)
    python bench/load.py --quick    # under a minute, tiny sizes: checks the tool works

It starts ``python -m ctiswitch serve`` on a generated company written to a
temp dir, with ``CTISWITCH_BENCH_TRACE`` set so the server stamps each engine
batch with time.monotonic() (ctiswitch/server/benchtrace.py; the same
system-wide clock as this process), and then, with a subscriber on every
face receiving everything (O2G chunk channel and webhook of administrator
subscriptions on ``*``, MTCTI-3 user subscriptions on every user, a Turret
notification receiver for every turret, a Sky stream subscribed for every
DID), drives complete calls (make, answer, release) through each face:

    O2G      POST basicCall {autoAnswer}, basicCall/answer, basicCall/dropme (all O2G, admin session)
    MTCTI-3  MakeCall, CallFunction AnswerCall, DropCall (all MTCTI-3)
    Turret   makeCall, callee answers through the sim API, disconnectCall
    Sky      GET dial, answer (as the callee's DID), release (all Sky)

at a steady 50 calls/s, then flat out (the peak). Latency is the time from
the engine's batch to each subscriber's wire event for that call, matched
by call identity (O2G callRef, MTCTI-3 gcid, Turret callId and Sky Id are
party ids) and phase (make, answer, clear). Loss is counted per channel:
a quiet calibration call gives the events each channel receives per call,
and every phase must deliver exactly calls x that.

A second server with 10,000 users (all monitored the same way) holds 1,000
answered calls and reports RSS and start-up time, then repeats the steady
phase under that load. Baselines in the same run: the switch's HTTP stack
answering a no-op route, its websocket stack echoing, its Thrift codec over
asyncio TCP answering void replies (bench/load_baselines.py), driven by the
same client at the same concurrency, over the same kind of connections and
with the same 3 round trips per call as the face drivers, once before the
switch's phases and once after them (the machine's speed drifts; the
report uses both together and shows each); each face is reported as a
ratio of its baseline, in calls/s and in server CPU per call (the cost
ratio, which holds even when the load generator is the limit).

A face's call is more than 3 round trips: it also delivers every event of
the call to every subscriber (about 35 wire messages). The fan-out floor
(bench/load_baselines.py ``floor``, after the rate server) measures what
that costs on the same stacks with no switch behind them: for each face, a
server answering the same 3 no-op requests as the baseline and sending, for
each call, exactly the messages the calibration captured for that face's
quiet call (same count, kinds and sizes, each serialised again per message)
to the same kinds of subscriber connections, whose receivers here count
every one. Its clock stops only when the last call's messages have all
arrived. Each floor is reported against its baseline, and each face's peak
against its floor: a floor below 0.30 of its baseline means no
implementation delivering those events on these stacks reaches 0.30.
Every loop is bounded in count and in time.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import re
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from thriftpy2.protocol import binary
from thriftpy2.thrift import TMessageType, TType
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo, Message
from ctiswitch.faces.mtcti3.translate_config import user_guid
from ctiswitch.faces.mtcti3.wire import decode, encode
from ctiswitch.faces.turret.idl import load_idl
from ctiswitch.faces.turret.writer import write_message

T = load_idl()
REQ = T.TurretRequestService
NOTE = T.TurretNotificationService
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PIN = "1234"
SKY = "org.m5.apps.v1.cti.ClickToDial."
#: Seconds a single request, or a server's start, may take before the bench fails.
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 60.0
#: Seconds without a new event that show a phase's events have all arrived, and the most we wait.
QUIET = 0.5
DRAIN_LIMIT = 20.0
FACES = ("o2g", "mtcti3", "turret", "sky")
CHANNELS = ("o2g-chunk", "o2g-webhook", "mtcti3", "turret", "sky")
MT_STATES = CallInfo.State
#: MTCTI-3 subscriptions one subscriber connection carries (the face allows 1,000).
MT_PER_CONNECTION = 1000


class BenchError(Exception):
    """The benchmark could not run as designed (a refused request, a timeout)."""


# -- the generated company -------------------------------------------------------------

@dataclass
class Layout:
    """Which users do what: caller/callee pairs per face, turrets, held calls.

    Sky dials only 4-digit extensions or 10-digit NANP numbers, so Sky's
    pairs are 4-digit users (2000+); everyone else is 5-digit (10000+).
    Every user has a DID and PIN (Sky subscriptions) and a MAC (Sky endpoint).
    """

    users: int
    workers: int
    held: int
    numbers: list[str] = field(default_factory=list)
    pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    turrets: list[tuple[str, str, str]] = field(default_factory=list)  # (turret, profile, line number)
    held_pairs: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        sky_users = 2 * self.workers
        need = 2 * self.workers * 3 + self.workers * 2 + 2 * self.held
        if self.users < need:
            raise BenchError(f"{self.users} users cannot hold the layout; need {need}")
        self.numbers = [str(2000 + i) if i < sky_users else str(10000 + i) for i in range(self.users)]
        it = iter(self.numbers)
        for face in ("sky", "o2g", "mtcti3", "turret"):
            self.pairs[face] = [(next(it), next(it)) for _ in range(self.workers)]
        owners = [next(it) for _ in range(self.workers)]
        # Turret calls come from a line; the pair's first number is the turret owner (never in a call).
        self.turrets = [(f"turret{k}", f"Trader{k}", str(60000 + k)) for k in range(self.workers)]
        self.pairs["turret"] = [(owners[k], self.pairs["turret"][k][1]) for k in range(self.workers)]
        self.held_pairs = [(next(it), next(it)) for _ in range(self.held)]

    def did(self, number: str) -> str:
        return f"646{int(number):07d}"

    def yaml(self) -> str:
        """The company as YAML, in the format ``ctiswitch demo-config`` documents."""
        out = ["name: Load benchmark", "users:"]
        for i, number in enumerate(self.numbers):
            mac = ":".join(f"{b:02x}" for b in (0, 0x0A, 0xDD, (i >> 16) & 255, (i >> 8) & 255, i & 255))
            out.append(f'  - {{login: "{number}", first_name: User, last_name: "{i}", secret: "{PIN}", '
                       f'did: "{self.did(number)}", pin: "{PIN}", mailbox: false, '
                       f'devices: [{{number: "{number}", type: deskphone, mac: "{mac}"}}]}}')
        out += ["administrators:", "  - {login: admin, password: admin}", "  - {login: hook, password: hook}",
                "service_users:", "  - {name: cti, password: cti}", "turret_profiles:"]
        for _, profile, line in self.turrets:
            out.append(f'  - {{name: {profile}, password: "{PIN}", lines: [{{name: L{line}, number: "{line}"}}]}}')
        out.append("turrets:")
        for (name, _, _), (owner, _) in zip(self.turrets, self.pairs["turret"], strict=True):
            out.append(f'  - {{name: {name}, user: "{owner}", speech_units: [{{id: 1, type: handset}}]}}')
        licences = self.users + 100
        out += ["external: {numbers: []}", "licenses:"]
        out += [f"  {name}: {licences}" for name in ("TELEPHONY_BASIC", "TELEPHONY_ADVANCED", "MESSAGING",
                                                     "API_PHONESETPROG", "MANAGEMENT", "API_CONTACTCENTER_AGENT")]
        out.append(f"  MTCTI3: {self.users // MT_PER_CONNECTION + 5}")
        return "\n".join(out) + "\n"


# -- processes ---------------------------------------------------------------------------

_LISTENING = re.compile(r"^ctiswitch: (\S+) listening on (\S+)$")
_CERTIFICATE = re.compile(r"^ctiswitch: certificate (.+) \((?:created|reused)\)$")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    urls: dict[str, str]
    trace: Path
    startup: float
    stdout: Path
    certificate: str = ""

    def ssl(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.certificate)

    def port(self, name: str) -> int:
        port = urlsplit(self.urls[name]).port
        assert port is not None
        return port

    def rss_mib(self) -> float:
        return _rss_mib(self.process.pid)

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.process.pid)

    def stop(self) -> None:
        _stop(self.process)


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_switch(workdir: Path, layout: Layout, profile: str | None) -> Server:
    """``ctiswitch serve`` on the layout's company, tracing to workdir/trace.txt.

    With ``profile`` (a path), the server runs under cProfile and writes its
    stats there when it stops.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "company.yaml"
    config.write_text(layout.yaml(), encoding="utf-8")
    trace = workdir / "trace.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTISWITCH_")}
    env["CTISWITCH_BENCH_TRACE"] = str(trace)
    # One subscriber connection per 1,000 users plus the driver's: past the face's default of 10.
    env["CTISWITCH_MTCTI3_MAX_CONNECTIONS"] = str(layout.users // MT_PER_CONNECTION + 5)
    head = [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else []), "-m", "ctiswitch"]
    stdout = workdir / "stdout.txt"
    started = time.monotonic()
    with stdout.open("wb") as out, (workdir / "stderr.txt").open("wb") as err:
        process = subprocess.Popen([*head, "serve", "--https-port", "0", "--http-port", "0", "--turret-port", "0",
                                    "--data-dir", str(workdir / "data"), "--config", str(config)],
                                   cwd=workdir, stdout=out, stderr=err, env=env)
    deadline = started + START_TIMEOUT
    while True:
        lines = stdout.read_text(errors="replace").splitlines()
        if "ctiswitch: ready" in lines:
            break
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise BenchError(f"the switch did not start: {(workdir / 'stderr.txt').read_text()[-2000:]}")
        time.sleep(0.01)
    startup = time.monotonic() - started
    urls = {m[1]: m[2] for line in lines if (m := _LISTENING.match(line))}
    cert = next(m[1] for line in lines if (m := _CERTIFICATE.match(line)))
    return Server(process, urls, trace, startup, stdout, cert)


@dataclass
class BaselineProcess:
    """A baseline server process, measured like the switch (CPU seconds used)."""

    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.process.pid)


def start_baseline(*kind: str) -> tuple[subprocess.Popen[bytes], str]:
    """A baseline server; returns it and the rest of its "listening on" line (port [certificate])."""
    process = subprocess.Popen([sys.executable, str(BENCH / "load_baselines.py"), *kind],
                               stdout=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    if not line.startswith("baseline listening on "):
        _stop(process)
        raise BenchError(f"the {kind} baseline did not start")
    return process, line.strip().split(" ", 3)[3]


# -- a small HTTP/1.1 client (keep-alive, Content-Length or chunked) ----------------------------

class Http:
    """One keep-alive HTTP/1.1 connection: request, then read the whole answer.

    httpx costs more client CPU per request than the switch spends serving
    it; this client keeps the load generator from being the bottleneck.
    """

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """One request; a connection the server closed while idle (uvicorn's
        keep-alive timeout is 5 s) is reopened once before the request."""
        if self.writer is None or self.reader is None or self.reader.at_eof() or self.writer.is_closing():
            self.close()
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        data = b"" if body is None else json.dumps(body).encode()
        kind = "Content-Type: application/json\r\n" if body is not None else ""
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.headers}{kind}"
                          f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        return await asyncio.wait_for(_read_response(self.reader), REQUEST_TIMEOUT)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = None


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        for _ in range(1_000_000):
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    return status, b""


def _ok(status: int, body: bytes, what: str) -> bytes:
    if not 200 <= status < 300:
        raise BenchError(f"{what}: HTTP {status} {body[:300]!r}")
    return body


# -- receiving: every subscriber records (channel, key kind, key, phase, time) -------------------

@dataclass
class Received:
    """Everything the subscribers got: counts per channel, and timed records."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    records: list[tuple[str, str, str, str, float, str]] = field(default_factory=list)
    label: str = "setup"
    last: float = 0.0
    #: When set, every counted message's bytes, per channel (the calibration's samples for the floor).
    capture: dict[str, list[bytes]] | None = None

    def event(self, channel: str, raw: bytes) -> None:
        self.counts[channel] += 1
        self.last = time.monotonic()
        if self.capture is not None:
            self.capture[channel].append(raw)

    def timed(self, channel: str, kind: str, key: str, phase: str, at: float) -> None:
        self.records.append((self.label, channel, kind, key, at, phase))


async def read_o2g_channel(port: int, url_path: str, got: Received, ready: asyncio.Event) -> None:
    """The O2G chunk channel: newline-delimited JSON over a chunked POST response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST {url_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")
    pending = b""
    try:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await reader.readexactly(size + 2)
            at = time.monotonic()
            if size == 0:
                return
            pending += data[:-2]
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    _o2g_event(line, "o2g-chunk", got, at, ready)
    finally:
        writer.close()


def _o2g_event(raw: bytes, channel: str, got: Received, at: float, ready: asyncio.Event | None) -> None:
    event = json.loads(raw)
    name = event.get("eventName", "")
    if name == "OnChannelInformation":
        if ready is not None:
            ready.set()
        return
    got.event(channel, raw)
    ref = event.get("callRef")
    if ref:
        phase = {"OnCallCreated": "make", "OnCallRemoved": "clear"}.get(name, "")
        got.timed(channel, "call", str(ref), phase, at)


class Receiver(ABC):
    """A TCP server the switch (or a floor) connects to and writes to."""

    def __init__(self, got: Received) -> None:
        self.got = got
        self.server: asyncio.Server | None = None
        self.port = 0
        self.connections: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.connections.add(task)
        try:
            await self._serve(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
        finally:
            self.connections.discard(task)

    @abstractmethod
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read the peer's messages until it closes the connection."""

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    async def ended(self) -> None:
        """Wait (at most REQUEST_TIMEOUT) for the connections to end once
        their peer has stopped: cancelling them instead makes Python 3.11's
        asyncio log each one."""
        if self.connections:
            await asyncio.wait(self.connections, timeout=REQUEST_TIMEOUT)


class WebhookReceiver(Receiver):
    """The O2G webhook target: a minimal HTTP server answering 200 to each POST."""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head)[1])  # type: ignore[index]
            body = await reader.readexactly(length)
            at = time.monotonic()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            _o2g_event(body, "o2g-webhook", self.got, at, None)


async def open_wss(url: str, context: ssl.SSLContext) -> ClientConnection:
    """A wss connection as the MTCTI-3 driver opens one: subprotocol openapi,
    the service user's Basic credentials, no bound on what it buffers."""
    token = base64.b64encode(b"cti:cti").decode()
    return await connect(url, ssl=context, subprotocols=["openapi"],  # type: ignore[list-item]
                         additional_headers={"Authorization": f"Basic {token}"}, max_queue=None)


class Mtcti3:
    """One MTCTI-3 connection: requests matched to responses, every Notify
    acknowledged at once; notifies also go to per-subscription queues when
    a driver listens, and to the Received record when this is the subscriber."""

    def __init__(self, ws: ClientConnection, got: Received | None) -> None:
        self.ws = ws
        self.got = got
        self.next_request = 1
        self.waiting: dict[int, asyncio.Future[int]] = {}
        self.queues: dict[int, asyncio.Queue[Any]] = {}
        self.gcids: dict[tuple[int, int], str] = {}
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, server: Server, got: Received | None) -> Mtcti3:
        """wss on the HTTPS listener: the face refuses plain ws (as IP Office does)."""
        return cls(await open_wss(f"wss://127.0.0.1:{server.port('https')}/tpkt/openapi", server.ssl()), got)

    async def _read(self) -> None:
        """Until the connection closes, cleanly or not (the server may stop first)."""
        try:
            async for data in self.ws:
                await self._receive(data, time.monotonic())  # type: ignore[arg-type]
        except ConnectionClosed:
            return

    async def _receive(self, data: bytes, at: float) -> None:
        message = decode(data, True)
        kind = message.WhichOneof("payload")
        if kind == "response":
            future = self.waiting.pop(message.response.requestid, None)
            if future is not None and not future.done():
                future.set_result(message.response.result)
        elif kind == "notify":
            notify = message.notify
            await self.ws.send(encode(Message(notifyack={"subscribe_id": notify.subscribe_id,
                                                         "notify_id": notify.notify_id}), True))
            if self.got is not None:
                self._record(notify, at, data)
            queue = self.queues.get(notify.subscribe_id)
            if queue is not None:
                queue.put_nowait(notify)

    def _record(self, notify: Any, at: float, raw: bytes) -> None:
        assert self.got is not None
        self.got.event("mtcti3", raw)
        if notify.WhichOneof("payload") != "callcontrol":
            return
        sid = notify.subscribe_id
        for info in notify.callcontrol.callinfo:
            if info.gcid:
                self.gcids[(sid, info.callid)] = info.gcid.hex()
            gcid = self.gcids.get((sid, info.callid))
            if gcid:
                phase = {MT_STATES.CONNECTED: "answer", MT_STATES.DISCONNECTED: "clear",
                         MT_STATES.RINGING: "make", MT_STATES.RINGBACK: "make"}.get(info.state, "")
                self.got.timed("mtcti3", "gcid", gcid, phase, at)
        for lost in notify.callcontrol.calllost:
            gcid = self.gcids.pop((sid, lost.callid), None)
            if gcid:
                self.got.timed("mtcti3", "gcid", gcid, "clear", at)

    def send_request(self, **payload: Any) -> asyncio.Future[int]:
        """Send a request (its ``requestid`` filled in); the future is its result."""
        requestid = self.next_request
        self.next_request += 1
        kind, body = next(iter(payload.items()))
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiting[requestid] = future
        asyncio.ensure_future(self.ws.send(encode(Message(**{kind: {"requestid": requestid, **body}}), True)))
        return future

    async def request(self, **payload: Any) -> int:
        return await asyncio.wait_for(self.send_request(**payload), REQUEST_TIMEOUT)

    async def subscribe_users(self, numbers: list[str], first_sid: int, window: int = 200) -> None:
        """User subscriptions with call notifications, ``window`` in flight at once."""
        for start in range(0, len(numbers), window):
            futures = [self.send_request(subscribe={"subscribe_id": first_sid + start + i,
                                                    "user": {"guid": user_guid(n), "flags": 3, "ccflags": 0x99}})
                       for i, n in enumerate(numbers[start:start + window])]
            results = await asyncio.wait_for(asyncio.gather(*futures), REQUEST_TIMEOUT * 3)
            if any(results):
                raise BenchError(f"MTCTI-3 subscribe refused: {results[:5]}")

    async def close(self) -> None:
        await self.ws.close()
        self.task.cancel()


class TurretReceiver(Receiver):
    """The TurretNotificationService server every turret connects back to."""

    def __init__(self, got: Received) -> None:
        super().__init__(got)
        self.line_call: dict[tuple[str, str], str] = {}
        self.notes: dict[str, asyncio.Queue[tuple[str, Any]]] = defaultdict(asyncio.Queue)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            size = int.from_bytes(await reader.readexactly(4), "big")
            frame = await reader.readexactly(size)
            at = time.monotonic()
            buf = io.BytesIO(frame)
            method, _, _ = binary.read_message_begin(buf)
            args = binary.read_val(buf, TType.STRUCT, getattr(NOTE, f"{method}_args"))
            self._record(method, args, at, frame)

    def _record(self, method: str, args: Any, at: float, raw: bytes) -> None:
        turret = args.turretName
        self.notes[turret].put_nowait((method, args))
        if method in ("onLoginResponse", "onLoginStateChanged"):
            return
        self.got.event("turret", raw)
        if method == "onCallDataChangedEx":
            data = args.callData
            self.line_call[(turret, data.lineName)] = data.callId
            self.got.timed("turret", "party", data.callId, "", at)
        elif method == "onLineStatesChanged":
            states = set(args.states.basicLineStates)
            call = self.line_call.get((turret, args.states.lineName))
            # Only Idle is timed: other line states of a new call arrive before its
            # callId does, while the line still names the previous call.
            if call and states == {T.BasicLineState.Idle}:
                self.got.timed("turret", "party", call, "clear", at)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


class Thrift:
    """A framed binary Thrift client over asyncio, encoding with the turret's own writer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.seqid = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, method: str, *args: Any) -> Any:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.seqid += 1
        self.writer.write(write_message(method, TMessageType.CALL, self.seqid,
                                        getattr(REQ, f"{method}_args")(*args), True))
        size = int.from_bytes(await asyncio.wait_for(self.reader.readexactly(4), REQUEST_TIMEOUT), "big")
        buf = io.BytesIO(await self.reader.readexactly(size))
        _, mtype, _ = binary.read_message_begin(buf)
        if mtype == TMessageType.EXCEPTION:
            raise BenchError(f"turret {method}: application exception")
        result = binary.read_val(buf, TType.STRUCT, getattr(REQ, f"{method}_result"))
        if getattr(result, "ex", None) is not None:
            raise BenchError(f"turret {method}: {result.ex}")
        return getattr(result, "success", None)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


_SKY_ITEM = re.compile(rb"<item [^>]*>(.*?)</item>", re.S)
_SKY_ID = re.compile(rb"<Id>(\d+)</Id>")
_SKY_STATE = re.compile(rb"<State>([A-Z_]+)</State>")
_SKY_END = b"</org.m5.api.v1.Response>"


class SkyStream:
    """One Sky stream (chunked POST both ways) subscribed for many DIDs."""

    def __init__(self, port: int, got: Received) -> None:
        self.port = port
        self.got = got
        self.sub_ids: set[bytes] = set()
        self.replies = 0
        self.task: asyncio.Task[None] | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self, dids: list[str]) -> None:
        reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(b"POST /bobl/bobl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n")
        self.task = asyncio.create_task(self._read(reader))
        for start in range(0, len(dids), 200):
            for i, did in enumerate(dids[start:start + 200], start + 1):
                self.sub_ids.add(str(i).encode())
                doc = (f'<?xml version="1.0" encoding="UTF-8"?><Command><Id>{i}</Id><Name>{SKY}subscribe</Name>'
                       f"<User>{did}</User><Password>{PIN}</Password></Command>").encode()
                self.writer.write(b"%x\r\n" % len(doc) + doc + b"\r\n")
            await self.writer.drain()
            await _until(lambda s=start: self.replies >= min(len(dids), s + 200), REQUEST_TIMEOUT * 3,
                         "Sky subscribe replies")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await reader.readexactly(size + 2)
            at = time.monotonic()
            if size == 0:
                return
            body += data[:-2]
            while (end := body.find(_SKY_END)) >= 0:
                document, body = body[:end + len(_SKY_END)], body[end + len(_SKY_END):]
                self._document(document, at)

    def _document(self, document: bytes, at: float) -> None:
        items = _SKY_ITEM.findall(document)
        if not items:
            self.replies += 1  # a subscribe reply
            return
        self.got.event("sky", document)
        for item in items:
            ident, state = _SKY_ID.search(item), _SKY_STATE.search(item)
            if ident is None:
                continue
            name = state[1].decode() if state else ""
            phase = "clear" if "DELETE" in name else "answer" if name == "CONNECTED" else \
                "make" if name in ("RINGING", "DIALING", "OFFERING", "PENDING", "INITIATED") else ""
            self.got.timed("sky", "party", ident[1].decode(), phase, at)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.task is not None:
            self.task.cancel()


async def _until(test: Callable[[], bool], limit: float, what: str) -> None:
    if not await _wait_for(test, limit):
        raise BenchError(f"timed out waiting for {what}")


async def _wait_for(test: Callable[[], bool], limit: float) -> bool:
    """Poll ``test`` every 10 ms for at most ``limit`` seconds; whether it came true."""
    deadline = time.monotonic() + limit
    while not test():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


# -- driving: one complete call per face ------------------------------------------------------

class Drivers:
    """The four faces' call drivers on one server; ``call(face, i)`` runs one
    complete call on pair i of that face."""

    def __init__(self, server: Server, layout: Layout) -> None:
        self.server = server
        self.layout = layout
        self.http_port = server.port("http")
        self.o2g: list[Http] = []
        self.o2g_base = ""
        self.cookie = ""
        self.sky: list[Http] = []
        self.sim: list[Http] = []
        self.mt: Mtcti3 | None = None
        self.turrets: list[Thrift] = []
        self.references = 0

    async def open(self, receiver: TurretReceiver) -> None:
        workers = self.layout.workers
        self.cookie, self.o2g_base = await o2g_login(self.http_port, "admin", "admin")
        self.o2g = [Http(self.http_port, {"Cookie": self.cookie}) for _ in range(workers)]
        self.sky = [Http(self.http_port) for _ in range(workers)]
        self.sim = [Http(self.http_port) for _ in range(workers)]
        self.mt = await Mtcti3.open(self.server, None)
        numbers = [n for pair in self.layout.pairs["mtcti3"] for n in pair]
        await self.mt.subscribe_users(numbers, 1)
        for sid in range(1, len(numbers) + 1):
            self.mt.queues[sid] = asyncio.Queue()
        for k, (name, profile, _) in enumerate(self.layout.turrets):
            client = Thrift(self.server.port("turret" if k == 0 else f"turret-{name}"))
            await client.call("requestNotifications", T.SubscriberInfo("127.0.0.1", receiver.port, name))
            await client.call("login", profile, PIN)
            await _until(lambda n=name: any(m == "onLoginStateChanged" for m, _ in list(receiver.notes[n]._queue)),
                         REQUEST_TIMEOUT, "turret login")
            self.turrets.append(client)

    async def call(self, face: str, i: int) -> None:
        await getattr(self, f"_{face}")(i)

    async def _o2g(self, i: int) -> None:
        a, b = self.layout.pairs["o2g"][i]
        http, base = self.o2g[i], self.o2g_base
        _ok(*await http.request("POST", f"{base}/telephony/basicCall",
                                {"deviceId": a, "callee": b, "autoAnswer": True}), "O2G basicCall")
        _ok(*await http.request("POST", f"{base}/telephony/basicCall/answer", {"deviceId": b}), "O2G answer")
        _ok(*await http.request("POST", f"{base}/telephony/basicCall/dropme?loginName={a}", {}), "O2G dropme")

    async def _sky(self, i: int) -> None:
        a, b = self.layout.pairs["sky"][i]
        http = self.sky[i]
        for did, method, args in ((self.layout.did(a), "dial", (b, "")), (self.layout.did(b), "answer", ("", "")),
                                  (self.layout.did(a), "release", ("",))):
            query = f"name={SKY}{method}&user={did}&password={PIN}" + "".join(f"&args={quote(x)}" for x in args)
            body = _ok(*await http.request("GET", f"/bobl/bobl?{query}"), f"Sky {method}")
            if b"<ErrorCount>0</ErrorCount>" not in body or b">false<" in body:
                raise BenchError(f"Sky {method} refused: {body[:400]!r}")

    async def _mtcti3(self, i: int) -> None:
        assert self.mt is not None
        a, b = self.layout.pairs["mtcti3"][i]
        sid_a, sid_b = 2 * i + 1, 2 * i + 2
        self.references += 1  # MakeCall needs a client-chosen referencecallid
        result = await self.mt.request(subscribecmd={"subscribe_id": sid_a, "callcontrol": {
            "referencecallid": self.references, "makecall": {"target": b}}})
        if result:
            raise BenchError(f"MTCTI-3 MakeCall: result {result}")
        ringing = await self._mt_state(sid_b, MT_STATES.RINGING)
        result = await self.mt.request(subscribecmd={"subscribe_id": sid_b, "callcontrol": {
            "callid": ringing, "callfunction": {"action": 2}}})
        if result:
            raise BenchError(f"MTCTI-3 AnswerCall: result {result}")
        connected = await self._mt_state(sid_a, MT_STATES.CONNECTED)
        result = await self.mt.request(subscribecmd={"subscribe_id": sid_a, "callcontrol": {
            "callid": connected, "callfunction": {"action": 1}}})
        if result:
            raise BenchError(f"MTCTI-3 DropCall: result {result}")
        await self._mt_gone(sid_a, connected)
        await self._mt_gone(sid_b, ringing)

    async def _mt_state(self, sid: int, state: int) -> int:
        """The callid of the next appearance on ``sid`` reported in ``state``."""
        assert self.mt is not None
        queue = self.mt.queues[sid]
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while time.monotonic() < deadline:
            notify = await asyncio.wait_for(queue.get(), REQUEST_TIMEOUT)
            if notify.WhichOneof("payload") == "callcontrol":
                for info in notify.callcontrol.callinfo:
                    if info.state == state:
                        return int(info.callid)
        raise BenchError(f"MTCTI-3: no call in state {state} on subscription {sid}")

    async def _mt_gone(self, sid: int, callid: int) -> None:
        """Wait until the appearance is lost, so the pair is free for its next call."""
        assert self.mt is not None
        queue = self.mt.queues[sid]
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while time.monotonic() < deadline:
            notify = await asyncio.wait_for(queue.get(), REQUEST_TIMEOUT)
            if notify.WhichOneof("payload") == "callcontrol":
                if any(lost.callid == callid for lost in notify.callcontrol.calllost) or any(
                        info.callid == callid and info.state == MT_STATES.DISCONNECTED
                        for info in notify.callcontrol.callinfo):
                    return
        raise BenchError(f"MTCTI-3: call {callid} never left subscription {sid}")

    async def _turret(self, i: int) -> None:
        _, b = self.layout.pairs["turret"][i]
        client = self.turrets[i]
        await client.call("makeCall", 1, b)
        _ok(*await self.sim[i].request("POST", f"/sim/devices/{b}/answer", {}), "sim answer")
        await client.call("disconnectCall", 1)

    def close(self) -> None:
        for http in (*self.o2g, *self.sky, *self.sim):
            http.close()
        for client in self.turrets:
            client.close()


async def o2g_login(port: int, login: str, password: str) -> tuple[str, str]:
    """Authenticate and open a session; returns (cookie header, privateBaseUrl path)."""
    http = Http(port)
    try:
        token = base64.b64encode(f"{login}:{password}".encode()).decode()
        reader_writer = http
        status, body = await reader_writer.request("GET", "/api/rest")
        version = next(v for v in json.loads(_ok(status, body, "O2G descriptor"))["versions"] if v["id"] == "1.0")
        auth_path = urlsplit(version["internalUrl"])
        http.headers = f"Authorization: Basic {token}\r\n"
        writer = http.writer
        assert writer is not None and http.reader is not None
        path = auth_path.path + (f"?{auth_path.query}" if auth_path.query else "")
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {token}\r\n"
                     f"Content-Length: 0\r\n\r\n".encode())
        head = await http.reader.readuntil(b"\r\n\r\n")
        cookie = re.search(rb"(?i)set-cookie:\s*([^;\r\n]+)", head)
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        if cookie is None or length is None:
            raise BenchError(f"O2G authenticate: {head!r}")
        sessions = urlsplit(json.loads(await http.reader.readexactly(int(length[1])))["internalUrl"]).path
        http.headers = f"Cookie: {cookie[1].decode()}\r\n"
        info = json.loads(_ok(*await http.request("POST", sessions, {"applicationName": "load-bench"}), "O2G session"))
        return cookie[1].decode(), urlsplit(info["privateBaseUrl"]).path
    finally:
        http.close()


# -- subscribers ---------------------------------------------------------------------------------

@dataclass
class Subscribers:
    got: Received
    webhook: WebhookReceiver
    turret: TurretReceiver
    tasks: list[asyncio.Task[None]]
    mt: list[Mtcti3]
    sky: SkyStream

    def close(self) -> None:
        self.webhook.close()
        self.turret.close()
        self.sky.close()
        for task in self.tasks:
            task.cancel()

    async def ended(self) -> None:
        """Once the server has stopped: its connections to the receivers have ended."""
        await self.webhook.ended()
        await self.turret.ended()


async def subscribe_everything(server: Server, layout: Layout) -> Subscribers:
    """A subscriber on every face, receiving every user's events."""
    got = Received()
    port = server.port("http")
    webhook, turret = WebhookReceiver(got), TurretReceiver(got)
    await webhook.start()
    await turret.start()
    tasks = []
    selectors = {"filter": {"selectors": [{"ids": ["*"], "names": ["telephony"]}]}, "version": "1.0"}
    cookie, base = await o2g_login(port, "admin", "admin")
    http = Http(port, {"Cookie": cookie})
    sub = json.loads(_ok(*await http.request("POST", f"{base}/subscriptions", {**selectors, "timeout": 0}),
                         "O2G subscribe"))
    if sub.get("status") != "ACCEPTED":
        raise BenchError(f"O2G subscription refused: {sub}")
    ready = asyncio.Event()
    tasks.append(asyncio.create_task(read_o2g_channel(port, urlsplit(sub["privatePollingUrl"]).path, got, ready)))
    await asyncio.wait_for(ready.wait(), REQUEST_TIMEOUT)
    cookie, base = await o2g_login(port, "hook", "hook")
    hook = Http(port, {"Cookie": cookie})
    sub = json.loads(_ok(*await hook.request("POST", f"{base}/subscriptions", {
        **selectors, "webHookUrl": f"http://127.0.0.1:{webhook.port}/events"}), "O2G webhook subscribe"))
    if sub.get("status") != "ACCEPTED":
        raise BenchError(f"O2G webhook subscription refused: {sub}")
    mt = []  # a connection holds at most 1,000 subscriptions (mtcti3 session.MAX_SUBSCRIPTIONS)
    for start in range(0, len(layout.numbers), MT_PER_CONNECTION):
        connection = await Mtcti3.open(server, got)
        await connection.subscribe_users(layout.numbers[start:start + MT_PER_CONNECTION], 1)
        mt.append(connection)
    sky = SkyStream(port, got)
    await sky.open([layout.did(n) for n in layout.numbers])
    await asyncio.sleep(QUIET)
    return Subscribers(got, webhook, turret, tasks, mt, sky)


async def shut_down(server: Server, subs: Subscribers | None, drivers: Drivers | None) -> None:
    """Close the bench's connections, stop the switch, and let its connections to the receivers end."""
    if drivers is not None:
        drivers.close()
    if subs is not None:
        subs.close()
    server.stop()
    if subs is not None:
        await subs.ended()


async def drain(got: Received) -> None:
    """Wait until no event has arrived for QUIET seconds (at most DRAIN_LIMIT)."""
    deadline = time.monotonic() + DRAIN_LIMIT
    got.last = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - got.last < QUIET:
        await asyncio.sleep(0.05)


# -- phases ------------------------------------------------------------------------------------------

@dataclass
class PhaseResult:
    label: str
    face: str
    calls: int
    seconds: float
    errors: int
    received: dict[str, int]
    server_cpu: float
    #: CPU seconds this process (the load generator and every subscriber) used meanwhile.
    bench_cpu: float

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_call_us(self) -> float:
        """Server CPU per completed call, in microseconds: the cost per call
        whether or not the load generator was the limit."""
        return 1e6 * self.server_cpu / self.calls if self.calls else 0.0


async def run_phase(label: str, face: str, call: Callable[[int], Awaitable[None]], workers: int, count: int,
                    limit: float, rate: float | None, got: Received,
                    server: Server | BaselineProcess | None, deliver: dict[str, int] | None = None) -> PhaseResult:
    """``count`` complete calls (at most ``limit`` seconds): flat out on
    ``workers`` pairs, or started at ``rate`` per second from a pool of pairs.

    With ``deliver`` (messages per call, per channel), the clock and the
    server's CPU count stop only once the subscribers have every completed
    call's messages (at most DRAIN_LIMIT seconds more): a floor answers its
    requests before its fan-out is on the wire, and the fan-out is what it
    measures.
    """
    got.label = label
    before = dict(got.counts)
    cpu = server.cpu_seconds() if server else 0.0
    bench_cpu = time.process_time()
    done = errors = 0
    first_error: list[BaseException] = []
    start = time.monotonic()
    deadline = start + limit

    async def one(i: int) -> None:
        nonlocal done, errors
        try:
            await call(i)
            done += 1
        except (BenchError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as error:
            errors += 1
            first_error.append(error)

    if rate is None:
        share = [count // workers + (1 if k < count % workers else 0) for k in range(workers)]

        async def worker(i: int) -> None:
            for _ in range(share[i]):
                if time.monotonic() > deadline or errors > 10:
                    return
                await one(i)

        await asyncio.gather(*(worker(i) for i in range(workers)))
    else:
        pool: asyncio.Queue[int] = asyncio.Queue()
        for i in range(workers):
            pool.put_nowait(i)

        async def paced() -> None:
            i = await pool.get()
            try:
                await one(i)
            finally:
                pool.put_nowait(i)

        tasks = []
        for n in range(count):
            due = start + n / rate
            if due > deadline or errors > 10:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(paced()))
        await asyncio.wait_for(asyncio.gather(*tasks), limit + REQUEST_TIMEOUT)
    if deliver is not None:
        await _wait_for(lambda: all(got.counts[c] - before[c] >= deliver[c] * done for c in CHANNELS), DRAIN_LIMIT)
    seconds = time.monotonic() - start
    used = (server.cpu_seconds() - cpu) if server else 0.0
    bench_cpu = time.process_time() - bench_cpu
    await drain(got)
    if first_error:
        print(f"  {label}: {errors} failed calls, first: {first_error[0]!r}", file=sys.stderr)
    return PhaseResult(label, face, done, seconds, errors,
                       {c: got.counts[c] - before[c] for c in CHANNELS}, used, bench_cpu)


# -- latency from the trace --------------------------------------------------------------------------------

class Trace:
    """The server's batch stamps, indexed for matching wire events."""

    def __init__(self, path: Path) -> None:
        self.batches: dict[int, list[tuple[float, str]]] = defaultdict(list)
        self.by_gcid: dict[str, int] = {}
        self.by_party: dict[int, int] = {}
        for line in path.read_text(encoding="ascii").splitlines():
            _, at, phase, *items = line.split(" ")
            for item in items:
                call_s, gcid, parties = item.split(":")
                call = int(call_s)
                self.batches[call].append((float(at), phase))
                if gcid != "-":
                    self.by_gcid[gcid] = call
                if parties != "-":
                    for party in parties.split(","):
                        self.by_party[int(party)] = call

    def latency(self, kind: str, key: str, phase: str, at: float) -> float | None:
        call = int(key) if kind == "call" else self.by_gcid.get(key) if kind == "gcid" else \
            self.by_party.get(int(key))
        batches = self.batches.get(call) if call is not None else None
        if not batches:
            return None
        if phase:
            for emitted, batch_phase in batches:
                if batch_phase == phase:
                    return at - emitted if at >= emitted else None
        best = None
        for emitted, _ in batches:
            if emitted <= at:
                best = emitted
        return at - best if best is not None else None


def latencies(trace: Trace, got: Received) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for label, channel, kind, key, at, phase in got.records:
        value = trace.latency(kind, key, phase, at)
        if value is not None:
            out[(label, channel)].append(value)
    return out


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3  # type: ignore[return-value]
    ordered = sorted(values)
    return (statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            ordered[-1] * 1000)


# -- baselines and floors: 3 no-op round trips a call ----------------------------------------------------------

#: The no-op baseline each face is measured against.
BASELINE_OF = {"o2g": "http", "sky": "http", "mtcti3": "websocket", "turret": "thrift"}
#: What the no-op requests carry: about an O2G basicCall's body.
NOOP_BODY = {"deviceId": "10000", "callee": "10001"}
ROUND_TRIPS = 3


class HttpNoops:
    """3 no-op POSTs a call, one keep-alive connection per worker (as the O2G and Sky drivers)."""

    def __init__(self, port: int, path: str, workers: int) -> None:
        self.path = path
        self.clients = [Http(port) for _ in range(workers)]

    async def call(self, i: int) -> None:
        for _ in range(ROUND_TRIPS):
            _ok(*await self.clients[i].request("POST", self.path, NOOP_BODY), self.path)

    async def close(self) -> None:
        for client in self.clients:
            client.close()


class WsEchoes:
    """3 echoed MTCTI-3 requests a call, every worker on one shared wss
    connection (as the MTCTI-3 driver). Echoes come back in the order sent,
    so each waits in a FIFO for its own."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.message = encode(Message(subscribecmd={"requestid": 1, "subscribe_id": 1,
                                                    "callcontrol": {"makecall": {"target": "10001"}}}), True)
        self.echoes: deque[asyncio.Future[None]] = deque()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, cafile: str) -> WsEchoes:
        return cls(await open_wss(url, ssl.create_default_context(cafile=cafile)))

    async def _read(self) -> None:
        async for _ in self.ws:
            self.echoes.popleft().set_result(None)

    async def call(self, i: int) -> None:
        for _ in range(ROUND_TRIPS):
            echo: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.echoes.append(echo)
            await self.ws.send(self.message)
            await asyncio.wait_for(echo, REQUEST_TIMEOUT)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


class ThriftNoops:
    """3 void Thrift calls a call, one connection per worker (as the Turret driver)."""

    def __init__(self, port: int, workers: int) -> None:
        self.clients = [Thrift(port) for _ in range(workers)]

    async def call(self, i: int) -> None:
        for _ in range(ROUND_TRIPS):
            await self.clients[i].call("disconnectCall", 1)

    async def close(self) -> None:
        for client in self.clients:
            client.close()


async def baseline_rates(workers: int, count: int, limit: float) -> dict[str, PhaseResult]:
    """Each baseline driven as the faces are: ``workers`` concurrent callers,
    3 round trips a call, over the same kind of connections (HTTP: one
    keep-alive connection per worker, as the O2G and Sky drivers; websocket:
    one wss connection shared by every worker, as the MTCTI-3 driver; Thrift:
    one connection per worker, as the Turret driver)."""
    http_proc, http_line = start_baseline("http")
    thrift_proc, thrift_line = start_baseline("thrift")
    tls_dir = tempfile.TemporaryDirectory(prefix="ctiswitch-baseline-")
    https_proc, https_line = start_baseline("https", tls_dir.name)
    https_port, cert = https_line.split(" ", 1)
    got = Received()
    try:
        trips = {"http": HttpNoops(int(http_line), "/noop", workers),
                 "websocket": await WsEchoes.open(f"wss://127.0.0.1:{https_port}/echo", cert),
                 "thrift": ThriftNoops(int(thrift_line), workers)}
        processes = {"http": http_proc, "websocket": https_proc, "thrift": thrift_proc}
        results = {}
        for name, trip in trips.items():
            results[name] = await run_phase(f"baseline {name}", name, trip.call, workers, count, limit, None, got,
                                            BaselineProcess(processes[name]))
        for trip in trips.values():
            await trip.close()
        return results
    finally:
        _stop(http_proc)
        _stop(thrift_proc)
        _stop(https_proc)
        tls_dir.cleanup()


@dataclass
class Calibration:
    """Messages each channel received for one quiet call of each face: how
    many (``per_call``) and their bytes (``samples``, what the floor sends)."""

    per_call: dict[str, dict[str, int]]
    samples: dict[str, dict[str, list[bytes]]]


@dataclass
class FloorRun:
    results: dict[str, PhaseResult]
    #: Per face: messages not received, per channel, and Notifies the floor saw no NotifyAck for.
    lost: dict[str, dict[str, int]]


async def floor_rates(calibration: Calibration, workers: int, count: int, limit: float, workdir: Path) -> FloorRun:
    """Each face's fan-out floor (bench/load_baselines.py ``floor``), driven
    like its baseline, with a subscriber of each kind receiving everything:
    an O2G chunk channel, the webhook receiver, an MTCTI-3 connection acking
    every Notify, a Sky stream and the turret notification receiver.

    One quiet call per face first checks that the floor sends exactly the
    switch's messages per call; then ``count`` calls per face, flat out.
    """
    got = Received()
    webhook, turret = WebhookReceiver(got), TurretReceiver(got)
    await webhook.start()
    await turret.start()
    spec = workdir / "floor.json"
    spec.write_text(json.dumps({
        "webhook": f"http://127.0.0.1:{webhook.port}/events", "turret": turret.port,
        "faces": {face: {channel: [base64.b64encode(raw).decode() for raw in samples]
                         for channel, samples in channels.items()}
                  for face, channels in calibration.samples.items()}}), encoding="utf-8")
    tls_dir = workdir / "floor-tls"
    tls_dir.mkdir(exist_ok=True)
    process, line = start_baseline("floor", str(spec), str(tls_dir))
    http_port, https_port, thrift_port, cert = line.split(" ", 3)
    sky = SkyStream(int(http_port), got)
    stats = Http(int(http_port))
    channel: asyncio.Task[None] | None = None
    subscriber: Mtcti3 | None = None
    trips: dict[str, HttpNoops | WsEchoes | ThriftNoops] = {}
    try:
        ready = asyncio.Event()
        channel = asyncio.create_task(read_o2g_channel(int(http_port), "/events", got, ready))
        await asyncio.wait_for(ready.wait(), REQUEST_TIMEOUT)
        await sky.open([])
        subscriber = Mtcti3(await open_wss(f"wss://127.0.0.1:{https_port}/subscriber",
                                           ssl.create_default_context(cafile=cert)), got)
        trips = {"o2g": HttpNoops(int(http_port), "/noop/o2g", workers),
                 "mtcti3": await WsEchoes.open(f"wss://127.0.0.1:{https_port}/mtcti3", cert),
                 "turret": ThriftNoops(int(thrift_port), workers),
                 "sky": HttpNoops(int(http_port), "/noop/sky", workers)}
        for face in FACES:
            check = await run_phase(f"floor check {face}", face, trips[face].call, 1, 1, REQUEST_TIMEOUT, None,
                                    got, None)
            if check.calls != 1 or check.received != calibration.per_call[face]:
                raise BenchError(f"the {face} floor sent {check.received} for a call, "
                                 f"the switch {calibration.per_call[face]}")
        results, lost = {}, {}
        for face in FACES:
            result = await run_phase(f"floor {face}", face, trips[face].call, workers, count, limit, None, got,
                                     BaselineProcess(process), calibration.per_call[face])
            unacked = json.loads(_ok(*await stats.request("GET", "/stats"), "floor stats"))["unacked"]
            results[face] = result
            lost[face] = {**lost_events(result, calibration.per_call, got, merged=False), "NotifyAcks": unacked}
        return FloorRun(results, lost)
    finally:
        for trip in trips.values():
            await trip.close()
        if subscriber is not None:
            await subscriber.close()
        sky.close()
        stats.close()
        if channel is not None:
            channel.cancel()
            await asyncio.gather(channel, return_exceptions=True)
        await asyncio.sleep(0)  # the sockets closed above go before the floor stops, so its streams end at once
        webhook.close()
        turret.close()
        _stop(process)
        await webhook.ended()
        await turret.ended()


# -- the run ---------------------------------------------------------------------------------------------------

@dataclass
class Sizes:
    users: int
    workers: int
    peak_calls: int
    steady_rate: float
    steady_calls: int
    scale_users: int
    scale_held: int
    phase_limit: float


QUICK = Sizes(users=40, workers=2, peak_calls=20, steady_rate=20, steady_calls=10, scale_users=60,
              scale_held=10, phase_limit=15)
FULL = Sizes(users=400, workers=16, peak_calls=2000, steady_rate=50, steady_calls=250, scale_users=10_000,
             scale_held=1_000, phase_limit=60)


@dataclass
class Report:
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    lost: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, value: str, target: str = "") -> None:
        self.rows.append((name, value, target))


async def calibrate(drivers: Drivers, got: Received) -> Calibration:
    """Events each channel receives for one quiet call of each face (checked
    twice), and the second call's messages as the floor's samples."""
    per_call: dict[str, dict[str, int]] = {}
    samples: dict[str, dict[str, list[bytes]]] = {}
    for face in FACES:
        seen = []
        for _ in range(2):
            got.capture = defaultdict(list)
            result = await run_phase(f"calibrate {face}", face, lambda i, f=face: drivers.call(f, i), 1, 1,
                                     REQUEST_TIMEOUT, None, got, None)
            if result.calls != 1:
                raise BenchError(f"the calibration call through {face} failed")
            seen.append(result.received)
        if seen[0] != seen[1]:
            raise BenchError(f"{face}: events per call differ between two quiet calls: {seen}")
        per_call[face] = seen[0]
        samples[face] = {c: got.capture.get(c, []) for c in CHANNELS}
        got.capture = None
    return Calibration(per_call, samples)


def lost_events(result: PhaseResult, per_call: dict[str, dict[str, int]], got: Received,
                merged: bool = True) -> dict[str, int]:
    """Expected minus received per channel (negative: more than expected).

    MTCTI-3 merges changes into fewer Notifies while a subscription's
    NotifyAck window is full (its API's own back-pressure), so its count per
    call varies with load; there (``merged``: the switch, not a floor, which
    sends every Notify), each call counts once when the subscriber saw it
    end (calllost or DISCONNECTED), which a lost Notify would prevent.
    """
    lost = {c: per_call[result.face][c] * result.calls - result.received[c] for c in CHANNELS}
    if merged and per_call[result.face]["mtcti3"]:
        ended = {key for label, channel, _, key, _, phase in got.records
                 if label == result.label and channel == "mtcti3" and phase == "clear"}
        lost["mtcti3"] = result.calls - len(ended)
    return lost


@dataclass
class RateRun:
    """The rate server's calibration and phases, and the latencies of its wire events."""

    calibration: Calibration
    results: list[PhaseResult]
    latency: dict[tuple[str, str], list[float]]
    got: Received


async def rate_server(workdir: Path, sizes: Sizes, profile: str | None) -> RateRun:
    layout = Layout(sizes.users, sizes.workers, 0)
    server = start_switch(workdir / "rate", layout, profile)
    subs: Subscribers | None = None
    drivers: Drivers | None = None
    try:
        subs = await subscribe_everything(server, layout)
        drivers = Drivers(server, layout)
        await drivers.open(subs.turret)
        await drain(subs.got)
        calibration = await calibrate(drivers, subs.got)
        results: list[PhaseResult] = []
        for face in FACES:
            fn = (lambda i, f=face: drivers.call(f, i))  # type: ignore[union-attr]
            results.append(await run_phase(f"steady {face}", face, fn, sizes.workers, sizes.steady_calls,
                                           sizes.phase_limit, sizes.steady_rate, subs.got, server))
        for face in FACES:
            fn = (lambda i, f=face: drivers.call(f, i))  # type: ignore[union-attr]
            results.append(await run_phase(f"peak {face}", face, fn, sizes.workers, sizes.peak_calls,
                                           sizes.phase_limit, None, subs.got, server))
    finally:
        await shut_down(server, subs, drivers)
    return RateRun(calibration, results, latencies(Trace(server.trace), subs.got), subs.got)


def bracket(before: PhaseResult, after: PhaseResult) -> PhaseResult:
    """One baseline from its runs before and after the switch's phases: the
    machine's speed drifts over a run (on a shared 2-core VM, by tens of
    per cent within minutes), and the switch and floor phases fall between
    the two, so their sum is a fairer yardstick than either alone."""
    received = dict(before.received)
    for channel, n in after.received.items():
        received[channel] = received.get(channel, 0) + n
    return PhaseResult(before.label, before.face, before.calls + after.calls, before.seconds + after.seconds,
                       before.errors + after.errors, received, before.server_cpu + after.server_cpu,
                       before.bench_cpu + after.bench_cpu)


BASELINE_COST = "baseline's cost"
FLOOR_COST = "floor's cost"


def _of(part: float, whole: float, what: str) -> str:
    """`` = part/whole of what``, or nothing when either is unknown."""
    return f" = {part / whole:.2f} of {what}" if part and whole else ""


def _bench_cpu(result: PhaseResult) -> str:
    """This process's CPU during the phase: near 100%, the load generator, not the server, was the limit."""
    return f"load generator CPU {result.bench_cpu / result.seconds:.0%}"


def _fan_out(per_call: dict[str, int]) -> int:
    return sum(per_call.values())


def add_floor_rows(report: Report, floors: FloorRun, calibration: Calibration, baselines: dict[str, PhaseResult],
                   workers: int) -> None:
    for face in FACES:
        result, base = floors.results[face], baselines[BASELINE_OF[face]]
        report.add(f"floor {face} (calls/s: {ROUND_TRIPS} no-op requests + the call's "
                   f"{_fan_out(calibration.per_call[face])} fan-out messages, {workers} workers)",
                   f"{result.rate:,.0f}{_of(result.rate, base.rate, 'baseline')}; server CPU "
                   f"{result.server_cpu / result.seconds:.0%}, {result.cpu_per_call_us:,.0f} us a call"
                   f"{_of(base.cpu_per_call_us, result.cpu_per_call_us, BASELINE_COST)}; {_bench_cpu(result)}")
    for face in FACES:
        lost = floors.lost[face]
        for name, n in lost.items():
            report.lost[f"floor {face} {name}"] = n
        report.add(f"floor {face}: lost events", " ".join(f"{name}={n}" for name, n in lost.items()), "0")


def add_rate_rows(report: Report, run: RateRun, sizes: Sizes, baselines: dict[str, PhaseResult],
                  floors: FloorRun) -> None:
    per_call = run.calibration.per_call
    report.add("events per call (chunk/webhook/mtcti3/turret/sky)",
               "; ".join(f"{f}: {'/'.join(str(per_call[f][c]) for c in CHANNELS)}" for f in FACES))
    for result in run.results:
        kind = result.label.split()[0]
        lost = lost_events(result, per_call, run.got)
        for channel, n in lost.items():
            report.lost[f"{result.label} {channel}"] = n
        if kind == "peak":
            base, floor = baselines[BASELINE_OF[result.face]], floors.results[result.face]
            report.add(f"{result.face} calls/s (peak, {sizes.workers} pairs)",
                       f"{result.rate:,.0f}{_of(result.rate, base.rate, 'baseline')}"
                       f"{_of(result.rate, floor.rate, 'floor')}; server CPU {result.server_cpu / result.seconds:.0%}; "
                       f"server CPU {result.cpu_per_call_us:,.0f} us a call"
                       f"{_of(base.cpu_per_call_us, result.cpu_per_call_us, BASELINE_COST)}"
                       f"{_of(floor.cpu_per_call_us, result.cpu_per_call_us, FLOOR_COST)}",
                       ">= 300; >= 0.30 of baseline")
        else:
            report.add(f"{result.face} calls/s (steady)", f"{result.rate:,.1f} of {sizes.steady_rate:g}")
        add_latency(report, result.label, run.latency, "< 10 ms p99" if kind == "steady" else "")
        report.add(f"{result.label}: lost events", " ".join(f"{c}={lost[c]}" for c in CHANNELS), "0")


def add_latency(report: Report, label: str, lat: dict[tuple[str, str], list[float]], target: str) -> None:
    for channel in CHANNELS:
        values = lat.get((label, channel), [])
        if not values:
            continue
        p50, p99, top = percentiles(values)
        report.add(f"{label} latency {channel} (ms, n={len(values)})", f"p50 {p50:.2f} p99 {p99:.2f} max {top:.2f}",
                   target)


async def scale_server(workdir: Path, sizes: Sizes, report: Report) -> None:
    layout = Layout(sizes.scale_users, sizes.workers, sizes.scale_held)
    server = start_switch(workdir / "scale", layout, None)
    report.add(f"start-up with {sizes.scale_users:,} users (s)", f"{server.startup:.2f}", "< 5")
    report.add("RSS idle (MiB)", f"{server.rss_mib():.0f}")
    subs: Subscribers | None = None
    drivers: Drivers | None = None
    try:
        started = time.monotonic()
        subs = await subscribe_everything(server, layout)
        report.add(f"subscribe all {sizes.scale_users:,} users on every face (s)", f"{time.monotonic() - started:.1f}")
        drivers = Drivers(server, layout)
        await drivers.open(subs.turret)
        http = Http(server.port("http"))
        cookie, base = await o2g_login(server.port("http"), "admin", "admin")
        o2g = Http(server.port("http"), {"Cookie": cookie})
        for a, b in layout.held_pairs:
            _ok(*await o2g.request("POST", f"{base}/telephony/basicCall", {"deviceId": a, "callee": b,
                                                                           "autoAnswer": True}), "held call")
            _ok(*await o2g.request("POST", f"{base}/telephony/basicCall/answer", {"deviceId": b}), "held answer")
        state = json.loads(_ok(*await http.request("GET", "/sim/state"), "sim state"))
        held = len(state["calls"])
        await drain(subs.got)
        report.add("calls held", f"{held:,}", f">= {sizes.scale_held:,}")
        report.add(f"RSS with {sizes.scale_users:,} monitored users, {held:,} calls (MiB)",
                   f"{server.rss_mib():.0f}", "< 1024")
        per_call = (await calibrate(drivers, subs.got)).per_call
        results = []
        for face in FACES:
            fn = (lambda i, f=face: drivers.call(f, i))  # type: ignore[union-attr]
            results.append(await run_phase(f"scale-steady {face}", face, fn, sizes.workers, sizes.steady_calls,
                                           sizes.phase_limit, sizes.steady_rate, subs.got, server))
        http.close()
        o2g.close()
    finally:
        await shut_down(server, subs, drivers)
    lat = latencies(Trace(server.trace), subs.got)
    for result in results:
        lost = lost_events(result, per_call, subs.got)
        for channel, n in lost.items():
            report.lost[f"{result.label} {channel}"] = n
        report.add(f"{result.face} calls/s (steady, under scale load)", f"{result.rate:,.1f}")
        add_latency(report, result.label, lat, "< 10 ms p99")
        report.add(f"{result.label}: lost events", " ".join(f"{c}={lost[c]}" for c in CHANNELS), "0")


async def main_async(args: argparse.Namespace) -> Report:
    sizes = QUICK if args.quick else FULL
    if args.users:
        sizes.users = args.users
    if args.scale_users:
        sizes.scale_users = args.scale_users
    report = Report()
    with tempfile.TemporaryDirectory(prefix="ctiswitch-load-") as tmp:
        work = Path(tmp)
        before = await baseline_rates(sizes.workers, sizes.peak_calls, sizes.phase_limit)
        run = await rate_server(work, sizes, args.profile)
        floors = await floor_rates(run.calibration, sizes.workers, sizes.peak_calls, sizes.phase_limit, work)
        after = await baseline_rates(sizes.workers, sizes.peak_calls, sizes.phase_limit)
        baselines = {name: bracket(before[name], after[name]) for name in before}
        for name, base in baselines.items():
            report.add(f"baseline {name} (calls/s at {ROUND_TRIPS} round trips a call, {sizes.workers} workers)",
                       f"{base.rate:,.0f}; server CPU {base.server_cpu / base.seconds:.0%}, "
                       f"{base.cpu_per_call_us:,.0f} us a call; {_bench_cpu(base)}; "
                       f"before the switch {before[name].rate:,.0f}, after {after[name].rate:,.0f}")
        add_floor_rows(report, floors, run.calibration, baselines, sizes.workers)
        add_rate_rows(report, run, sizes, baselines, floors)
        if not args.skip_scale:
            await scale_server(work, sizes, report)
    return report


def print_report(report: Report, quick: bool) -> None:
    print(f"ctiswitch load benchmark{' (quick)' if quick else ''} (Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores)")
    print("| Measure | Result | Target |")
    print("|---|---|---|")
    for name, value, target in report.rows:
        print(f"| {name} | {value} | {target} |")
    total = sum(max(0, n) for n in report.lost.values())
    print(f"\nlost events in all: {total}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, under a minute")
    parser.add_argument("--users", type=int, default=0, help="users of the rate server")
    parser.add_argument("--scale-users", type=int, default=0, help="users of the scale server")
    parser.add_argument("--skip-scale", action="store_true", help="no 10,000-user server")
    parser.add_argument("--profile", default=None, help="run the rate server under cProfile, stats to this file")
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    print_report(report, args.quick)
    if any(n != 0 for n in report.lost.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
