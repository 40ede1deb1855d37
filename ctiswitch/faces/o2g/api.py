"""The contract every O2G service module is written against.

A service module exposes ``install(api: O2GApi) -> None`` (listed in
``server.INSTALLERS``) and, inside it, calls

* ``api.add_service(name, routes)``: its Starlette routes, with paths
  relative to ``/api/rest/1.0`` (``Route("/telephony/calls", ...)``). The
  service then appears in ``SessionInfo.services`` and in
  ``/api/rest/openapi.json``, whose summary for a route is the first line of
  its endpoint's docstring.
* ``await api.session(request)`` at the top of every endpoint: the
  authenticated session, or O2GError 401/403 in O2G's format. It restarts the
  session timer, as every request does on a real O2G.
* ``api.acting_login(session, request)``: the user a request acts for (the
  ``loginName`` rule of o2g.md, legend †).
* ``await api.json_body(request)``: the body as a ``Body`` whose getters
  raise 400 BAD_PARAMETER naming the field (see body.py).
* ``api.require_licence(session, login, *names)``: take one of the licences.
* ``api.publish(event, login=..., package=...)``: hand an event to every
  subscription whose filter selects it; never blocks.
* raise ``O2GError`` for any error answer.

Everything runs on the event loop's thread; nothing here blocks.
"""
from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from ctiswitch.engine.clock import TimerHandle
from ctiswitch.server.board import Switchboard

from .body import Body, read_body
from .errors import O2GError, invalid_session
from .hub import Hub, canonical_package
from .licences import Licences

__all__ = ["Body", "Credential", "O2GApi", "O2GError", "Service", "Session", "canonical_package"]

#: SessionInfo.timeToLive, seconds without a request before a session ends.
SESSION_TTL = 1800
#: Seconds an authentication credential stays usable without opening a session.
CREDENTIAL_TTL = 600
#: Credentials kept at most; the oldest unused ones go first.
MAX_CREDENTIALS = 10_000
#: The session cookie of o2g.md §1.3.
COOKIE = "AlcUserId"


@dataclass(frozen=True, slots=True)
class Credential:
    """What a successful ``/authenticate`` issued: the token and whose it is."""

    token: str
    account: str
    is_admin: bool
    issued: float


@dataclass(eq=False, slots=True)
class Session:
    """One open O2G session, keyed by the credential that opened it.

    ``account`` is who authenticated; ``login`` the user the session acts as
    (the supervised user for a supervised session), None for an
    administrator session.
    """

    token: str
    account: str
    login: str | None
    is_admin: bool
    application_name: str
    created: float
    ttl: int
    last_seen: float
    #: The JSESSIONID cookie set at creation; accepted instead of AlcUserId.
    jsessionid: str = ""
    timer: TimerHandle | None = None
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Service:
    """A service as SessionInfo lists it, with the routes that serve it."""

    name: str
    relative_url: str
    version: str
    routes: tuple[BaseRoute, ...]


@dataclass(eq=False)
class O2GApi:
    """The face's shared state: credentials, sessions, services, licences and
    the event hub. Built once per server by ``server.contribute``."""

    board: Switchboard
    services: list[Service] = field(default_factory=list)
    credentials: dict[str, Credential] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    licences: Licences = field(init=False)
    hub: Hub = field(init=False)

    def __post_init__(self) -> None:
        self.licences = Licences(self.board.company.licenses)
        self.hub = Hub(self.board.clock)
        self.on_stop.append(self.hub.close)

    # -- services ------------------------------------------------------------

    def add_service(self, name: str, routes: Sequence[BaseRoute], *, relative_url: str | None = None,
                    version: str = "1.0") -> None:
        """Register a service: its routes (relative to ``/api/rest/1.0``) and
        its SessionInfo entry. ``relative_url`` defaults to the first path
        segment of the first route (``/users/{loginName}`` gives ``/users``);
        give it where an SDK needs more (``/comlog/records``)."""
        if relative_url is None:
            first = getattr(routes[0], "path", "/")
            relative_url = "/" + first.strip("/").split("/")[0]
        self.services.append(Service(name, relative_url, version, tuple(routes)))

    # -- credentials and sessions --------------------------------------------------

    def authenticate(self, login: str, password: str) -> Credential | None:
        """A new credential for a user (login + secret code) or an
        administrator, or None when they do not match."""
        company = self.board.company
        user = self.board.switch.users.get(login)
        if user is not None and secrets.compare_digest(user.secret.encode(), password.encode()):
            return self._issue(login, False)
        for admin in company.administrators:
            if admin.login == login and secrets.compare_digest(admin.password.encode(), password.encode()):
                return self._issue(login, True)
        return None

    def _issue(self, account: str, is_admin: bool) -> Credential:
        now = self.board.clock.now()
        for token in [t for t, c in self.credentials.items()
                      if now - c.issued > CREDENTIAL_TTL and t not in self.sessions]:
            del self.credentials[token]
        unused = [t for t in self.credentials if t not in self.sessions]
        for token in unused[:max(0, len(self.credentials) - MAX_CREDENTIALS + 1)]:
            del self.credentials[token]
        credential = Credential(secrets.token_urlsafe(32), account, is_admin, now)
        self.credentials[credential.token] = credential
        return credential

    def credential(self, request: Request) -> Credential:
        """The credential of the request's ``AlcUserId`` cookie (or of the
        session its ``JSESSIONID`` names, as the O2G document's example
        sends only that); 401 without one."""
        token = request.cookies.get(COOKIE)
        jsessionid = request.cookies.get("JSESSIONID")
        if not token and jsessionid:
            token = next((s.token for s in self.sessions.values() if s.jsessionid == jsessionid), None)
        if not token:
            raise O2GError(401, "INVALID_SESSION", f"no {COOKIE} cookie: authenticate first")
        credential = self.credentials.get(token)
        if credential is None:
            raise O2GError(401, "INVALID_SESSION", f"unknown or expired {COOKIE} credential: authenticate again")
        return credential

    async def session(self, request: Request) -> Session:
        """The open session of the request's credential, its timer restarted.

        401 INVALID_SESSION without a valid credential; 403 INVALID_SESSION
        when the credential has no open session (never opened, closed or
        expired), as the O2G document's example shows.
        """
        credential = self.credential(request)
        session = self.sessions.get(credential.token)
        if session is None:
            raise invalid_session(f"No framework session in API with this ID : {credential.token[-10:]}")
        self.touch(session)
        return session

    def open_session(self, credential: Credential, application_name: str, login: str | None,
                     is_admin: bool) -> Session:
        clock = self.board.clock
        session = Session(credential.token, credential.account, login, is_admin, application_name,
                          clock.wall(), SESSION_TTL, clock.now())
        self.sessions[session.token] = session
        self._arm(session, SESSION_TTL)
        return session

    def touch(self, session: Session) -> None:
        """Restart the session's time-to-live."""
        session.last_seen = self.board.clock.now()

    def _arm(self, session: Session, delay: float) -> None:
        """One timer per session: on expiry it re-arms for the time left
        since the last request, or ends the session."""

        def expire() -> None:
            if session.closed:
                return
            left = session.last_seen + session.ttl - self.board.clock.now()
            if left > 0:
                self._arm(session, left)
            else:
                self.close_session(session)

        session.timer = self.board.clock.call_later(delay, expire)

    def close_session(self, session: Session) -> None:
        """End a session: its subscriptions and channels, its licences. The
        credential stays (until CREDENTIAL_TTL prunes it), so a late request
        gets 403 INVALID_SESSION rather than 401."""
        if session.closed:
            return
        session.closed = True
        if session.timer is not None:
            session.timer.cancel()
        self.sessions.pop(session.token, None)
        self.hub.drop_session(session.token)
        self.licences.release(session.token)

    # -- request helpers --------------------------------------------------------------

    async def json_body(self, request: Request) -> Body:
        """The request body as a Body (``{}`` when empty); 400 BAD_PARAMETER
        for anything that is not one JSON object."""
        return await read_body(request)

    def acting_login(self, session: Session, request: Request) -> str:
        """The user a request acts for: the session's user in a user session
        (``loginName`` ignored); in an administrator session the mandatory
        ``loginName`` query parameter, which must name a user."""
        if not session.is_admin:
            assert session.login is not None
            return session.login
        login = request.query_params.get("loginName")
        if not login:
            raise O2GError(400, "BAD_PARAMETER", "loginName: is mandatory in an administrator session")
        self.require_user(login)
        return login

    def require_user(self, login: str) -> None:
        """404 NOT_FOUND unless ``login`` is a user of the switch."""
        if login not in self.board.switch.users:
            raise O2GError(404, "NOT_FOUND", f"loginName: no user {login!r}")

    def require_licence(self, session: Session, login: str, *names: str) -> str:
        """Take the first of ``names`` available for ``login``, preferring one
        the user already holds; 403 NOT_ALLOWED when none is available."""
        held = [name for name in names if login in self.licences.holders(name)]
        for name in [*held, *names]:
            if self.licences.take(name, login, session.token):
                return name
        raise O2GError(403, "NOT_ALLOWED", f"no {' or '.join(names)} licence available for {login}")

    def base_url(self, request: Request) -> str:
        """``https://<Host>/api/rest``: URLs handed to clients are built
        from the Host they used, so their cookies keep matching (o2g-wire.md §1.2)."""
        host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
        return f"{request.url.scheme}://{host}/api/rest"

    # -- events -----------------------------------------------------------------------

    def publish(self, event: dict[str, Any], *, login: str | None, package: str) -> None:
        """Deliver ``event`` (a JSON object with ``eventName`` first) about
        user ``login`` (None: not user-specific) of event package
        ``package`` (its Selector name: ``telephony``, ``eventSummary``,
        ``routingManagement``/``routing``, ``unifiedComLog``/``comlog``,
        ``user``/``users``, ...) to every subscription that selects it.
        Queues and returns at once; see hub.py for what a full queue does."""
        self.hub.publish(event, login=login, package=package)
