"""The one Starlette application, served over HTTPS and HTTP alike.

It holds /health and whatever the contributors (the sim API, the faces)
add. Two safety nets sit around every route: unmatched paths and methods
answer JSON instead of Starlette's plain text, and an exception no handler
caught is logged and answered as a JSON 500, never as a traceback.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .board import Switchboard
from .jsonapi import error_response, status_code_name

log = logging.getLogger("ctiswitch.server")


def _version() -> str:
    """The installed package's version; a source tree run without
    ``pip install`` still serves /health."""
    try:
        return version("ctiswitch")
    except PackageNotFoundError:
        return "unknown"


VERSION = _version()


def build_app(board: Switchboard, routes: Sequence[BaseRoute]) -> Starlette:
    """/health first, then the contributed routes in the order given."""

    async def health(request: Request) -> Response:
        switch = board.switch
        return JSONResponse({
            "status": "ok",
            "version": VERSION,
            "uptime": round(board.uptime(), 3),
            "clock": "virtual" if board.virtual_clock is not None else "real",
            "users": len(switch.users),
            "devices": len(switch.devices),
            "calls": len(switch.calls),
        })

    return Starlette(
        routes=[Route("/health", health, methods=["GET"]), *routes],
        middleware=[Middleware(CatchAll)],
        exception_handlers={HTTPException: _http_error},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's routing errors (404, 405) in the server's JSON shape."""
    assert isinstance(exc, HTTPException)
    message = f"no route for {request.method} {request.url.path}" if exc.status_code in (404, 405) else exc.detail
    return error_response(exc.status_code, status_code_name(exc.status_code), message, exc.headers)


class CatchAll:
    """Answer a JSON 500 for any exception that escapes a route.

    Starlette's own handler for ``Exception`` re-raises after answering, so
    uvicorn would log the same traceback a second time; this middleware logs
    once and swallows. If the response had already started there is nothing
    left to answer: the failure is logged and the connection ends. Websocket
    failures are left to uvicorn, which logs them and closes with 1011.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(500, "internal_error", "the server failed on this request; see its log")
                await response(scope, receive, send)
