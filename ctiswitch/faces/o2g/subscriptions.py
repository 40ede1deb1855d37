"""The Subscriptions service (o2g.md §1.8-1.9, §2.3; o2g-wire.md §3.3).

One subscription per session: ``PUT /subscriptions`` names none, so a new
``POST`` replaces the session's previous subscription. Malformed requests
answer 400 naming the field; a well-formed request the server will not
serve (another user's events, an administrator-only package, too few
licences) answers 200 with ``status: "REFUSED"`` and a message, as the
O2G document's refused-subscription example does.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .api import O2GApi, Session
from .body import Body
from .channel import ChannelEndpoint
from .errors import O2GError, bad_parameter
from .hub import (
    ADMIN_PACKAGES,
    EVENTS,
    PACKAGES,
    USER_PACKAGES,
    Selector,
    canonical_package,
)
from .webhook import WebhookSender

#: Packages whose events need a TELEPHONY_ADVANCED licence per user (o2g.md §1.6).
LICENSED_PACKAGES = frozenset({"telephony", "eventSummary", "routingManagement", "unifiedComLog"})
LICENCE = "TELEPHONY_ADVANCED"
EVENT_VERSION = "1.0"


class Refused(Exception):
    """A well-formed subscription the server refuses; the message says why."""


def parse_selectors(api: O2GApi, session: Session, filter_: Body | None) -> tuple[Selector, ...]:
    """The filter's selectors; raises O2GError 400 for malformed ones and
    Refused for those this session may not have."""
    items = filter_.objects("selectors") if filter_ is not None else []
    if not items:
        if session.is_admin:
            raise Refused("an administrator subscription needs a filter naming users and packages")
        return (Selector(frozenset({session.login or ""}), USER_PACKAGES),)
    return tuple(_selector(api, session, item) for item in items)


def _selector(api: O2GApi, session: Session, item: Body) -> Selector:
    names = item.strings("names", required=True)
    if not names:
        raise bad_parameter(item.name("names"), "must not be empty")
    canonical = frozenset(canonical_package(name) for name in names)
    unknown = sorted(name for name in canonical if name not in PACKAGES and name not in EVENTS)
    if unknown:
        raise bad_parameter(item.name("names"), f"unknown event package or event {unknown[0]!r}")
    packages = {name if name in PACKAGES else EVENTS[name] for name in canonical}
    if len(packages) > 1:
        raise bad_parameter(item.name("names"), "one selector may not mix event packages")
    package = packages.pop()
    ids = item.strings("ids")
    if package in ADMIN_PACKAGES:
        if not session.is_admin:
            raise Refused(f"the {package} package is for administrator sessions")
        return Selector(None, canonical)
    if not session.is_admin:
        if any(login != session.login for login in ids):
            raise Refused("a user session receives only its own events")
        return Selector(frozenset({session.login or ""}), canonical)
    if not ids:
        raise Refused(f"{item.name('ids')}: an administrator selector needs login names or \"*\"")
    if "*" in ids:
        return Selector(None, canonical)
    for login in ids:
        if login not in api.board.switch.users:
            raise Refused(f"{item.name('ids')}: no user {login!r}")
    return Selector(frozenset(ids), canonical)


def check_licences(api: O2GApi, session: Session, selectors: tuple[Selector, ...]) -> None:
    """Licences for the licensed packages selected: a user takes one
    TELEPHONY_ADVANCED; an administrator may supervise at most as many
    users as there are TELEPHONY_ADVANCED licences (o2g.md §1.6)."""
    licensed = [s for s in selectors if s.names & LICENSED_PACKAGES or
                any(EVENTS.get(name) in LICENSED_PACKAGES for name in s.names)]
    if not licensed:
        return
    if not session.is_admin:
        assert session.login is not None
        if not api.licences.take(LICENCE, session.login, session.token):
            raise Refused(f"license count exceeded: no {LICENCE} licence left for {session.login}")
        return
    supervised: set[str] = set()
    for selector in licensed:
        supervised |= set(api.board.switch.users) if selector.ids is None else selector.ids
    if len(supervised) > api.licences.count(LICENCE):
        raise Refused(f"license count exceeded: {len(supervised)} users supervised, "
                      f"{api.licences.count(LICENCE)} {LICENCE} licences installed")


def _webhook_url(body: Body) -> str | None:
    url = body.string("webHookUrl", required=False)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_parameter("webHookUrl", "must be an absolute http or https URL")
    return url


def install(api: O2GApi) -> None:
    webhooks = WebhookSender(api.hub)
    api.on_stop.append(webhooks.close)

    async def create(request: Request) -> Response:
        """Create the session's event subscription (replacing a previous one)."""
        session = await api.session(request)
        body = await api.json_body(request)
        version = body.string("version")
        if version != EVENT_VERSION:
            raise bad_parameter("version", f"only event version {EVENT_VERSION} exists")
        timeout = body.integer("timeout", 10)
        if timeout != 0 and not 2 <= timeout <= 60:
            raise bad_parameter("timeout", "must be 0 or between 2 and 60 minutes")
        webhook_url = _webhook_url(body)
        filter_ = body.object("filter", required=False)
        try:
            selectors = parse_selectors(api, session, filter_)
            check_licences(api, session, selectors)
        except Refused as refusal:
            return JSONResponse({"status": "REFUSED", "message": str(refusal)})
        subscription = api.hub.add(session.token, selectors, version, timeout, webhook_url)
        result: dict[str, object] = {"subscriptionId": subscription.id, "status": "ACCEPTED",
                                     "format": "JSON", "message": "subscription accepted"}
        if webhook_url is None:
            polling = f"{api.base_url(request)}/1.0/events/{subscription.id}"
            result.update(mode="CHUNK", publicPollingUrl=polling, privatePollingUrl=polling)
        else:
            result["mode"] = "WEBHOOK"
            webhooks.start(subscription)
        return JSONResponse(result)

    async def update(request: Request) -> Response:
        """Replace the filter of the session's subscription (other parameters unchanged)."""
        session = await api.session(request)
        body = await api.json_body(request)
        subscription = api.hub.of_session(session.token)
        if subscription is None:
            raise O2GError(404, "NOT_FOUND", "this session has no subscription")
        try:
            selectors = parse_selectors(api, session, body)
            check_licences(api, session, selectors)
        except Refused as refusal:
            raise O2GError(403, "NOT_ALLOWED", str(refusal)) from None
        subscription.selectors = selectors
        return Response(status_code=204)

    async def delete(request: Request) -> Response:
        """Delete a subscription: its channel closes and its queued events are dropped."""
        session = await api.session(request)
        subscription = api.hub.subscriptions.get(request.path_params["subscriptionId"])
        if subscription is None or subscription.token != session.token:
            raise O2GError(404, "NOT_FOUND", "subscriptionId: no such subscription in this session")
        api.hub.terminate(subscription)
        return Response(status_code=204)

    api.add_service("Subscriptions", [
        Route("/subscriptions", create, methods=["POST"]),
        Route("/subscriptions", update, methods=["PUT"]),
        Route("/subscriptions/{subscriptionId}", delete, methods=["DELETE"]),
        Route("/events/{subscriptionId}", ChannelEndpoint(api.hub), methods=["GET", "POST"],
              name="event channel"),
    ])
