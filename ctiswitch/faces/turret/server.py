"""The Turret face's transport: the request socket of each configured turret.

Every turret of the company gets a Thrift request listener (spec
turret-and-sky.md A2): the first on `--turret-port` (9007), named "turret";
any further one, named "turret-<name>", on the next ports (or on a port the
OS picks when `--turret-port` is 0). Each connection is decoded by
`wire.RequestDecoder`, which tells framed from unframed binary by the first
bytes, and every reply goes back in the client's own dialect.

Only one application may control a turret at a time (S1 §7, C1 A-4): while
`MAX_CONTROLLERS` connections are open, a further one has its first request
answered with TurretApiException(FunctionUnavailable) (or, for the four
methods that declare no exception, a TApplicationException) and is closed.
A malformed message closes only the connection that sent it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from thriftpy2.thrift import TApplicationException

from ctiswitch.server.app import VERSION
from ctiswitch.server.board import Switchboard
from ctiswitch.server.contribution import Contribution, StreamHandler, TcpListener

from .idl import load_idl
from .requests import TurretRequests
from .session import TurretError, Turrets, TurretSession
from .translate import DEVICE_TYPES
from .wire import (
    Call,
    RequestDecoder,
    WireError,
    encode_application_error,
    encode_exception,
    encode_reply,
    turret_api_exception,
)

log = logging.getLogger("ctiswitch.turret")
T = load_idl()

MAX_CONTROLLERS = 1
"""Request connections one turret accepts at once (the vendor's limit)."""
READ_CHUNK = 65536
#: Methods whose IDL declares no exception: a refusal must be an application error.
_NO_THROWS = frozenset({"getProfileList", "snapshotCalls", "getLoginState", "getVersion"})


def contribute(board: Switchboard) -> Contribution:
    """One request listener per configured turret; subscribers stop with the server."""
    company = board.company
    if not company.turrets:
        return Contribution()
    turrets = Turrets(board.switch, company.turret_profiles, _call_soon)
    face = TurretServer(turrets, TurretRequests(turrets, f"ctiswitch {VERSION}"))
    base = board.settings.turret_port
    listeners = []
    for index, cfg in enumerate(company.turrets):
        session = turrets.add(cfg.name, {su.id: DEVICE_TYPES[su.type] for su in cfg.speech_units})
        name = "turret" if index == 0 else f"turret-{cfg.name}"
        port = base + index if base and index else base
        listeners.append(TcpListener(name, port, face.handler(session)))
    return Contribution(listeners=listeners, on_stop=(turrets.stop,))


def _call_soon(callback: Callable[[], None]) -> None:
    """Run `callback` on a later loop iteration, after the reply being written."""
    asyncio.get_running_loop().call_soon(callback)


class TurretServer:
    """Serves request connections for the turrets of one `Turrets`."""

    def __init__(self, turrets: Turrets, requests: TurretRequests) -> None:
        self.turrets = turrets
        self.requests = requests

    def handler(self, session: TurretSession) -> StreamHandler:
        """The connection handler of one turret's listener."""

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self.serve(session, reader, writer)

        return handle

    async def serve(self, session: TurretSession, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer one connection's requests until it closes or misbehaves."""
        peer = writer.get_extra_info("peername")
        controlling = session.controllers < MAX_CONTROLLERS
        if controlling:
            session.controllers += 1
        decoder = RequestDecoder()
        try:
            while data := await reader.read(READ_CHUNK):
                try:
                    calls = decoder.feed(data)
                except WireError as error:
                    log.info("turret %s: closing %s: %s", session.name, peer, error)
                    return
                for call in calls:
                    if not controlling:
                        refusal = self._refusal(call, session)
                        if refusal is not None:
                            writer.write(refusal)
                            await writer.drain()
                        return
                    reply = self.answer(session, call)
                    if reply is not None:
                        writer.write(reply)
                await writer.drain()
        except ConnectionError:
            return
        finally:
            if controlling:
                session.controllers -= 1

    def answer(self, session: TurretSession, call: Call) -> bytes | None:
        """Run one request; the bytes to send back, None for a oneway call."""
        if not call.known:
            return None if call.oneway else encode_application_error(call, f"unknown method {call.method!r}")
        try:
            result = getattr(self.requests, call.method)(session, call)
        except TurretError as error:
            return None if call.oneway else self._error(call, error.code, error.text)
        except Exception:
            log.exception("turret %s: %s failed", session.name, call.method)
            if call.oneway:
                return None
            return encode_application_error(call, "internal error", TApplicationException.INTERNAL_ERROR)
        return None if call.oneway else encode_reply(call, result)

    @staticmethod
    def _error(call: Call, code: int, text: str) -> bytes:
        if call.method in _NO_THROWS:
            return encode_application_error(call, text, TApplicationException.INTERNAL_ERROR)
        return encode_exception(call, turret_api_exception(code, text))

    def _refusal(self, call: Call, session: TurretSession) -> bytes | None:
        if call.oneway:
            return None
        text = f"another application controls turret {session.name}; only {MAX_CONTROLLERS} connection allowed"
        if not call.known:
            return encode_application_error(call, text)
        return self._error(call, T.FunctionUnavailable, text)
