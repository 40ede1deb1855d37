"""The Sessions service (o2g.md §1.4, §2.1; o2g-wire.md §1.1, §3.1).

A session is opened with the ``AlcUserId`` credential of ``/authenticate``:
a user's credential opens a user session, an administrator's an
administrator session, or with ``supervisedAccount`` a session that behaves
as the supervised user's (or administrator's). One session per credential:
opening a second one answers 403.
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .api import O2GApi, Session
from .errors import O2GError, bad_parameter

SUPERVISED_TYPES = ("LOGIN_NAME", "PHONE_NUMBER")


def iso(wall: float) -> str:
    """O2G's dateTime: ``yyyy-MM-ddTHH:mm:ss.SSSZ`` in UTC (o2g.md §1.7)."""
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def session_info(api: O2GApi, session: Session, request: Request) -> dict[str, Any]:
    base = f"{api.base_url(request)}/1.0"
    info: dict[str, Any] = {
        "admin": session.is_admin,
        "timeToLive": session.ttl,
        "publicBaseUrl": base,
        "privateBaseUrl": base,
        "services": [{"serviceName": s.name, "serviceVersion": s.version, "relativeUrl": s.relative_url}
                     for s in api.services],
        "creationDate": iso(session.created),
        "otherSessions": [],
    }
    if session.login is not None:
        info["login"] = session.login
    return info


def _supervised(api: O2GApi, kind: str, identifier: str) -> tuple[str | None, bool]:
    """(login, is_admin) of the supervised account; 400 when there is none."""
    switch = api.board.switch
    if kind == "LOGIN_NAME":
        if identifier in switch.users:
            return identifier, False
        if any(admin.login == identifier for admin in api.board.company.administrators):
            return None, True
    else:
        device = switch.devices.get(identifier)
        if device is not None and device.user is not None:
            return device.user.login, False
    raise bad_parameter("supervisedAccount.id", f"no account with {kind} {identifier!r}")


def install(api: O2GApi) -> None:
    async def open_session(request: Request) -> Response:
        """Open a user, administrator or supervised session."""
        credential = api.credential(request)
        if credential.token in api.sessions:
            raise O2GError(403, "NOT_ALLOWED", "a session is already open with this credential")
        body = await api.json_body(request)
        application = body.string("applicationName")
        body.string("applicationAddress", required=False, empty=True)
        supervised = body.object("supervisedAccount", required=False)
        login: str | None = None if credential.is_admin else credential.account
        is_admin = credential.is_admin
        if supervised is not None:
            kind = supervised.string("type")
            identifier = supervised.string("id")
            if kind not in SUPERVISED_TYPES:
                raise bad_parameter("supervisedAccount.type", f"must be one of {', '.join(SUPERVISED_TYPES)}")
            if not credential.is_admin:
                raise O2GError(403, "NOT_ALLOWED", "only an administrator may open a supervised session")
            login, is_admin = _supervised(api, kind, identifier)
        session = api.open_session(credential, application, login, is_admin)
        session.jsessionid = f"{secrets.token_hex(16).upper()}.tomcat"
        response = JSONResponse(session_info(api, session, request))
        response.set_cookie("JSESSIONID", session.jsessionid, path="/api", httponly=True)
        return response

    async def get_session(request: Request) -> Response:
        """Information on the current session."""
        return JSONResponse(session_info(api, await api.session(request), request))

    async def close_session(request: Request) -> Response:
        """Close the session: its subscriptions, channels and licences go with it."""
        api.close_session(await api.session(request))
        return Response(status_code=204)

    async def keepalive(request: Request) -> Response:
        """Restart the session timer."""
        await api.session(request)
        return Response(status_code=204)

    api.add_service("Sessions", [
        Route("/sessions", open_session, methods=["POST"]),
        Route("/sessions", get_session, methods=["GET"]),
        Route("/sessions", close_session, methods=["DELETE"]),
        Route("/sessions/keepalive", keepalive, methods=["POST"]),
    ])
