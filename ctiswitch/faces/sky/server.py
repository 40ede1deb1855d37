"""The Sky transport: ``/bobl/bobl`` on the HTTPS and HTTP listeners.

    GET  /bobl/bobl?name=...&user=<DID>&password=<PIN>&args=...   one request, one XML reply
    POST /bobl/bobl   XML requests in the body (chunked or not), replies and
                      pushes on a chunked response, correlated by Id
    POST /sim/sky/{did}/unsubscribe   sim API: force error 17 on every
                      subscription of the DID, so clients can test re-subscribing

Every reply is HTTP 200 with ``text/xml; charset=UTF-8`` and the API's own
errors in the body (spec C2 B-4): the guide's clients check ``ErrorCount``,
never the status.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import random

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ctiswitch.engine.events import Batch
from ctiswitch.faces.affected import Affected
from ctiswitch.server.board import Switchboard
from ctiswitch.server.contribution import Contribution
from ctiswitch.server.jsonapi import error_response

from .service import SkyService, SubscribeGranted
from .session import CONTENT_TYPE, StreamSession
from .wire import parse_query, random_response_id, render_response

log = logging.getLogger("ctiswitch.sky")

PATH = "/bobl/bobl"


def contribute(board: Switchboard) -> Contribution:
    """The Sky face: its endpoint, its sim hook, and a stop hook that closes streams."""
    face = SkyFace(board)
    return Contribution(
        routes=[
            Route(PATH, face),
            Route("/sim/sky/{did}/unsubscribe", face.force_unsubscribe, methods=["POST"]),
        ],
        on_stop=[face.stop],
    )


class SkyFace:
    """The ASGI app for /bobl/bobl and the one engine listener for all streams."""

    def __init__(self, board: Switchboard) -> None:
        self._board = board
        self._service = SkyService(board.switch, board.clock, board.company.sky)
        self._rng = random.Random()
        self._sessions: set[StreamSession] = set()
        self._affected = Affected(board.switch)
        self._unlisten = board.switch.subscribe(self._on_batch)

    def _new_id(self) -> str:
        return str(random_response_id(self._rng))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "GET":
            await self._get(scope, receive, send)
        elif method == "POST":
            await self._stream(scope, receive, send)
        else:
            response = Response(f"{method} is not supported here; use GET or POST\n", 405,
                                headers={"Allow": "GET, POST"}, media_type="text/plain")
            await response(scope, receive, send)

    async def _get(self, scope: Scope, receive: Receive, send: Send) -> None:
        """GET mode: the query is one request; subscribe is not offered here."""
        request = parse_query(scope["query_string"].decode("latin-1"))
        outcome = self._service.execute(request, over_get=True)
        assert not isinstance(outcome, SubscribeGranted), "resolve_method refuses subscribe over GET"
        body = render_response(self._new_id(), outcome)
        await Response(body, media_type=CONTENT_TYPE)(scope, receive, send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Stream mode: read requests and write replies concurrently until the session ends."""
        chunked = any(
            name == b"transfer-encoding" and b"chunked" in value.lower() for name, value in scope["headers"]
        )
        session = StreamSession(self._service, self._board.clock.now, self._new_id, chunked)
        self._sessions.add(session)
        reader = asyncio.create_task(session.read(receive))
        writer = asyncio.create_task(session.write(send))
        try:
            done, _ = await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
            if reader in done:
                reader.result()  # a failure here is a bug: let the server log it
                await writer
        finally:
            self._sessions.discard(session)
            session.abort()
            for task in (reader, writer):
                task.cancel()
            await asyncio.gather(reader, writer, return_exceptions=True)

    def _on_batch(self, batch: Batch) -> None:
        """The engine's listener: recompute views per subscription, never wait.

        A failure while serving one session is logged and ends that session
        only, so neither the engine nor the other clients feel it.
        """
        logins = self._affected.of_batch(batch)
        for session in list(self._sessions):
            try:
                session.on_batch(batch.time, logins)
            except Exception:
                log.exception("sky: a stream failed on batch %s; closing it", batch.seq)
                session.abort()

    async def force_unsubscribe(self, request: HttpRequest) -> Response:
        """Sim API: error 17 on each subscription of the DID, as the real service does at times."""
        token = self._board.settings.sim_token
        if token is not None:
            scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode(), token.encode()):
                return error_response(401, "unauthorized", "this API needs 'Authorization: Bearer <sim token>'",
                                      {"WWW-Authenticate": 'Bearer realm="ctiswitch-sim"'})
        did = request.path_params["did"]
        if did not in self._board.switch.dids:
            return error_response(404, "did_not_found", f"no user has the DID {did!r}")
        count = sum(session.unsubscribe(did) for session in list(self._sessions))
        return JSONResponse({"did": did, "unsubscribed": count})

    async def stop(self) -> None:
        """At shutdown: stop listening and let every stream finish its pending replies."""
        self._unlisten()
        for session in list(self._sessions):
            session.finish()
