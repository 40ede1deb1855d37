"""The O2G face's transport: everything under ``/api/rest`` on the shared listener.

``contribute(board)`` builds one O2GApi, runs every installer of INSTALLERS
(each ``install(api)`` registers a service, see api.py) and mounts one
Starlette sub-application whose every answer, including unknown paths
(404) and wrong methods (405), is a RestErrorInfo. Before routing, a path
is normalised (``//`` collapsed, trailing ``/`` dropped), since ALE's Java
SDK and the O2G tutorial produce both (o2g-wire.md §1.2).

Pre-session endpoints (o2g.md §1.2-1.3):

    GET /api/rest                               RoxeRestApiDescriptor
    GET /api/rest/authenticate?version=1.0      Basic auth -> AlcUserId cookie
    GET /api/rest/openapi.json                  this face, generated from the routes
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ctiswitch.server.board import Switchboard
from ctiswitch.server.contribution import Contribution

from . import comlog, eventsummary, openapi, routing, sessions, subscriptions, users
from .api import COOKIE, O2GApi
from .errors import O2GError
from .telephony import service as telephony

PREFIX = "/api/rest"
API_VERSION = "1.0"
#: Every service, in SessionInfo order; the telephony helper appends its own.
INSTALLERS: tuple[Callable[[O2GApi], None], ...] = (
    sessions.install,
    subscriptions.install,
    users.install,
    telephony.install,
    routing.install,
    comlog.install,
    eventsummary.install,
)
_SLASHES = re.compile(r"/{2,}")


def contribute(board: Switchboard) -> Contribution:
    api = O2GApi(board)
    for install in INSTALLERS:
        install(api)
    return Contribution(routes=[FaceRoute(PREFIX, build_app(api))], on_stop=tuple(api.on_stop))


class FaceRoute(BaseRoute):
    """Hands every HTTP request under ``prefix`` (and ``prefix`` itself) to
    the face's sub-application, with its path normalised."""

    def __init__(self, prefix: str, app: ASGIApp) -> None:
        self.prefix = prefix
        self.app = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            path = _SLASHES.sub("/", scope["path"])
            if path.rstrip("/") == self.prefix or path.startswith(self.prefix + "/"):
                return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: object) -> object:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _SLASHES.sub("/", scope["path"])
        if len(path) > 1:
            path = path.rstrip("/")
        await self.app({**scope, "path": path, "raw_path": path.encode()}, receive, send)


def build_app(api: O2GApi) -> Starlette:
    """The sub-application: pre-session endpoints, then every service under /1.0."""

    async def descriptor(request: Request) -> Response:
        """The API descriptor: product and available versions."""
        authenticate = f"{api.base_url(request)}/authenticate?version={API_VERSION}"
        return JSONResponse({
            "serverInfo": {"productName": "O2G Solution", "productType": "O2G",
                           "productVersion": {"major": "2.3", "minor": "000.041"}, "haMode": False},
            "versions": [{"id": API_VERSION, "status": "CURRENT", "publicUrl": authenticate,
                          "internalUrl": authenticate}],
        })

    async def authenticate(request: Request) -> Response:
        """Authenticate a user (login + secret code) or an administrator with HTTP Basic."""
        version = request.query_params.get("version")
        if version != API_VERSION:
            raise O2GError(400, "BAD_PARAMETER", f"version: must be {API_VERSION}")
        login, password = _basic(request)
        credential = api.authenticate(login, password)
        if credential is None:
            raise O2GError(401, "NOT_ALLOWED", "bad login or password", headers=_CHALLENGE)
        sessions_url = f"{api.base_url(request)}/{API_VERSION}/sessions"
        response = JSONResponse({"credential": credential.token, "publicUrl": sessions_url,
                                 "internalUrl": sessions_url, "loginName": credential.account,
                                 "expired": False})
        response.set_cookie(COOKIE, credential.token, path="/", httponly=True)
        return response

    async def openapi_json(request: Request) -> Response:
        """This face as an OpenAPI document."""
        return JSONResponse(openapi.document(api.services, API_VERSION))

    app = Starlette(
        routes=[
            Route(PREFIX, descriptor, methods=["GET"]),
            Route(f"{PREFIX}/authenticate", authenticate, methods=["GET"]),
            Route(f"{PREFIX}/openapi.json", openapi_json, methods=["GET"]),
            Mount(f"{PREFIX}/{API_VERSION}", routes=[route for s in api.services for route in s.routes]),
        ],
        exception_handlers={O2GError: _o2g_error, HTTPException: _http_error, Exception: _server_error},
    )
    app.router.redirect_slashes = False
    return app


_CHALLENGE = {"WWW-Authenticate": 'Basic realm="O2G"'}


def _basic(request: Request) -> tuple[str, str]:
    """Login and password of an ``Authorization: Basic`` header; 401 otherwise."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise O2GError(401, "NOT_ALLOWED", "HTTP Basic authentication is required", headers=_CHALLENGE)
    try:
        login, colon, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        colon = ""
    if not colon:
        raise O2GError(401, "NOT_ALLOWED", "malformed Basic credentials", headers=_CHALLENGE)
    return login, password


async def _o2g_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, O2GError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    """Routing errors (unknown path, wrong method) as RestErrorInfo."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = O2GError(405, "NOT_SUPPORTED", f"{request.method} is not allowed on {request.url.path}",
                         headers=dict(exc.headers or {}))
    elif exc.status_code == 404:
        error = O2GError(404, "NOT_FOUND", f"no resource at {request.url.path}")
    else:
        error = O2GError(exc.status_code, "BAD_PARAMETER", str(exc.detail))
    return error.response()


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug, not bad input: SERVER_PROBLEM in O2G's format; the server logs it."""
    return O2GError(500, "SERVER_PROBLEM", "internal error; see the server log").response()
