"""The Turret face's transport: the request socket of each configured turret.

Every turret of the company gets a Thrift request listener (spec
turret-and-sky.md A2): the first on `--turret-port` (9007), named "turret";
any further one, named "turret-<name>", on the next ports (or on a port the
OS picks when `--turret-port` is 0). Each connection is decoded by
`wire.RequestDecoder`, which tells framed from unframed binary by the first
bytes, and every reply goes back in the client's own dialect.

Only one application may control a turret at a time (S1 §7, C1 A-4): while
`turret.max_controllers` (default 1) connections are open, a further one has
its first request answered with TurretApiException(FunctionUnavailable) (or,
for the four methods that declare no exception, a TApplicationException) and
is closed. A malformed message closes only the connection that sent it.

TLS (S1 §5.1, C1 A-9): with `turret.tls.enabled` every request listener
speaks TLS with the configured certificate (by default the switch's own),
and with `client_ca` demands a client certificate signed by it. With
`turret.notify_tls.enabled` the turret connects to subscribers over TLS; a
context that cannot be loaded does not stop the switch but makes
`requestNotifications` answer LoadTLSCertError (407), as the real turret does.

The face also adds one sim route, for the person at the turret:

    POST /sim/turrets/{turret}/keys/{action}   {"event"?}  -> 200 {"events": [...]}

`event` is press (default; Pressed then Released), down or up for a push
key, click (default; Clicked) for a switch key.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import ssl
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from thriftpy2.thrift import TApplicationException

from ctiswitch.config.model import NotifyTls, TurretSettings
from ctiswitch.server.app import VERSION
from ctiswitch.server.board import Switchboard
from ctiswitch.server.contribution import Contribution, StreamHandler, TcpListener
from ctiswitch.server.errors import StartupError
from ctiswitch.server.jsonapi import ApiError, Body, error_response, read_object

from .errors import TurretError
from .idl import load_idl
from .requests import KeyRefused, TurretRequests
from .session import Turrets, TurretSession
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

READ_CHUNK = 65536
#: Methods whose IDL declares no exception: a refusal must be an application error.
_NO_THROWS = frozenset({"getProfileList", "snapshotCalls", "getLoginState", "getVersion"})


def contribute(board: Switchboard) -> Contribution:
    """One request listener per configured turret, the key sim route;
    subscribers stop with the server."""
    company = board.company
    if not company.turrets:
        return Contribution()
    settings = company.turret
    notify_ssl, notify_error = notify_context(settings.notify_tls)
    turrets = Turrets(board.switch, company.turret_profiles, _call_soon, settings, notify_ssl, notify_error)
    requests = TurretRequests(turrets, f"ctiswitch {VERSION}")
    face = TurretServer(turrets, requests)
    request_ssl = request_context(settings, board)
    base = board.settings.turret_port
    listeners = []
    for index, cfg in enumerate(company.turrets):
        session = turrets.add(cfg.name, {su.id: DEVICE_TYPES[su.type] for su in cfg.speech_units})
        name = "turret" if index == 0 else f"turret-{cfg.name}"
        port = base + index if base and index else base
        listeners.append(TcpListener(name, port, face.handler(session), request_ssl))
    keys = KeyRoute(requests, board.settings.sim_token)
    return Contribution(routes=[keys.route()], listeners=listeners, on_stop=(turrets.stop,))


def request_context(settings: TurretSettings, board: Switchboard) -> ssl.SSLContext | None:
    """The request sockets' TLS context, None when TLS is off; a broken one stops the start."""
    tls = settings.tls
    if not tls.enabled:
        return None
    cert = tls.cert or str(board.certificate.cert_path)
    key = tls.key or str(board.certificate.key_path)
    try:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if tls.client_ca is not None:
            context.load_verify_locations(tls.client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
    except (OSError, ValueError) as error:
        raise StartupError(f"turret TLS: cannot load {cert} / {key}: {error}") from error
    return context


def notify_context(tls: NotifyTls) -> tuple[ssl.SSLContext | None, str | None]:
    """The notification connections' TLS context, or why it failed to load."""
    if not tls.enabled:
        return None, None
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=tls.ca)
        if tls.cert is not None and tls.key is not None:
            context.load_cert_chain(tls.cert, tls.key)
    except (OSError, ValueError) as error:
        log.error("turret notification TLS cannot be used: %s", error)
        return None, str(error)
    return context, None


class KeyRoute:
    """`POST /sim/turrets/{turret}/keys/{action}`: a person presses a turret key.

    It belongs to the sim API's family (same token, same error shape) but
    lives with the face, which alone knows turrets and their keys.
    """

    def __init__(self, requests: TurretRequests, token: str | None) -> None:
        self.requests = requests
        self._token = token.encode() if token else None

    def route(self) -> Route:
        return Route("/sim/turrets/{turret}/keys/{action}", self.press, methods=["POST"])

    async def press(self, request: Request) -> Response:
        if not self._authorized(request):
            return error_response(401, "unauthorized", "this API needs 'Authorization: Bearer <sim token>'",
                                  {"WWW-Authenticate": 'Bearer realm="ctiswitch-sim"'})
        turret, action = request.path_params["turret"], request.path_params["action"]
        try:
            event = Body(await read_object(request), ("event",)).optional_string("event")
            events = self.requests.press_key(turret, action, event)
        except ApiError as error:
            return error.response()
        except KeyRefused as error:
            return error_response(error.status, error.error, error.message)
        return JSONResponse({"turret": turret, "action": action, "events": events})

    def _authorized(self, request: Request) -> bool:
        if self._token is None:
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._token)


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
        controlling = session.controllers < self.turrets.settings.max_controllers
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
        except (ConnectionError, ssl.SSLError):
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
        limit = self.turrets.settings.max_controllers
        text = f"another application controls turret {session.name}; only {limit} connection(s) allowed"
        if not call.known:
            return encode_application_error(call, text)
        return self._error(call, T.FunctionUnavailable, text)
