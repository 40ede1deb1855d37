"""The O2G routing service (o2g.md §2.6): do-not-disturb, forward and
overflow routes, and OnRoutingStateChanged.

Every change goes through the engine (set_dnd, set_forward, set_overflow),
so it drives the engine's coverage, is persisted by the store bridge and is
announced by the engine's RoutingChanged event, whichever API made it.

Presentation routes: OFFICE always presents calls; MOBILE (the Remote
Extension) is selected or not through `POST /routing`. Selecting it is the
engine's mobile twinning (set_twinning), the one setting that makes the
user's mobile ring with the desk (call-model §2.4 R2d) and that MTCTI-3
shows as EC500, so both APIs see one truth. It is persisted with the user's
presence, and a change announced by PresenceChanged is an
OnRoutingStateChanged here.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ctiswitch.engine.directory import OVERFLOW_ASSOCIATE, OVERFLOW_VOICEMAIL, User
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.events import Batch, PresenceChanged, RoutingChanged
from ctiswitch.engine.states import DeviceType, ForwardKind
from ctiswitch.engine.switch import Switch

from .api import O2GApi, Session
from .body import Body
from .errors import O2GError

log = logging.getLogger("ctiswitch.o2g.routing")
PACKAGE = "routingManagement"
#: o2g.md §2.6: [+]?[0-9A-D*#\(\) ]{1,49}
_PHONE = re.compile(r"^\+?[0-9A-D*#() ]{1,49}$")
_KINDS = {"BUSY": ForwardKind.BUSY, "NO_ANSWER": ForwardKind.NO_ANSWER,
          "BUSY_NO_ANSWER": ForwardKind.BUSY_NO_ANSWER}


def routing_error(error_type: str, cause: str, message: str, status: int = 400,
                  type: str = "BAD_PARAMETER") -> O2GError:
    return O2GError(status, type, message, routing={"errorType": error_type, "errorCause": cause, "message": message})


def _destination(switch: Switch, target: str) -> dict[str, Any]:
    if target == "voicemail":
        return {"type": "VOICEMAIL", "number": switch.voicemail_number}
    return {"type": "NUMBER", "number": target}


def routing_state(switch: Switch, user: User) -> dict[str, Any]:
    """RoutingState from the user's engine routing."""
    routing = user.routing
    presentation = [{"type": "OFFICE", "deviceId": user.number, "number": user.number, "selected": True}]
    presentation += [{"type": "MOBILE", "deviceId": d.number, "number": d.number,
                      "selected": user.presence.twinning}
                     for d in user.devices if d.type is DeviceType.MOBILE]
    state: dict[str, Any] = {"presentationRoutes": [{"destinations": presentation}],
                             "forwardRoutes": [], "overflowRoutes": [], "dndState": {"activate": routing.dnd}}
    if routing.forward is not None:
        state["forwardRoutes"] = [forward_route(switch, user)]
    if routing.overflow is not None:
        state["overflowRoutes"] = [overflow_route(switch, user)]
    return state


def forward_route(switch: Switch, user: User) -> dict[str, Any]:
    """ForwardRoute; no forward is a route without destinations, which both
    SDKs read as "none" (o2g-wire.md §3.5)."""
    fwd = user.routing.forward
    if fwd is None:
        return {"destinations": []}
    route: dict[str, Any] = {"destinations": [_destination(switch, fwd.destination)]}
    if fwd.kind is not ForwardKind.IMMEDIATE:
        route["forwardType"] = fwd.kind.name
    return route


def overflow_route(switch: Switch, user: User) -> dict[str, Any]:
    """OverflowRoute: to VOICEMAIL, or to ASSOCIATE with the associate's
    number filled by the server (o2g.md §2.6 Destination.number)."""
    kind = user.routing.overflow
    if kind is None:
        return {"destinations": []}
    if user.routing.overflow_destination == OVERFLOW_ASSOCIATE and user.associate:
        return {"overflowType": kind.name, "destinations": [{"type": "ASSOCIATE", "number": user.associate}]}
    return {"overflowType": kind.name, "destinations": [_destination(switch, "voicemail")]}


def parse_overflow_destination(switch: Switch, user: User, dest: Body) -> tuple[str, str | None]:
    """The engine's overflow destination from an OverflowRoute destination,
    VOICEMAIL (or UNKNOWN with the voicemail number) or ASSOCIATE, and for
    ASSOCIATE the new associate number when one is given (o2g.md: an
    ASSOCIATE route updates the associate); the engine checks that it is an
    internal number other than the user's own."""
    type_ = dest.string("type")
    number = dest.string("number", required=False)
    if type_ == "VOICEMAIL" or (type_ == "UNKNOWN" and number == switch.voicemail_number):
        return OVERFLOW_VOICEMAIL, None
    if type_ != "ASSOCIATE":
        raise routing_error("BAD_PARAMETER_VALUE", "INVALID_OVERFLOW_ROUTE",
                            f"the overflow destination is VOICEMAIL or ASSOCIATE, not {type_}")
    associate = re.sub(r"[ ()]", "", number) if number else None
    if associate is None and user.associate is None:
        raise routing_error("BAD_PARAMETER_VALUE", "INVALID_OVERFLOW_ROUTE",
                            f"{user.login} has no associate: give its number")
    return OVERFLOW_ASSOCIATE, associate


def parse_forward(switch: Switch, route: Body) -> tuple[ForwardKind | None, str]:
    """(kind, destination) from a ForwardRoute; no destination cancels."""
    destinations = route.objects("destinations")
    if not destinations:
        return None, ""
    if len(destinations) > 1:
        raise routing_error("BAD_PARAMETER_VALUE", "INVALID_FORWARD_ROUTE", "only one forward destination")
    kind_name = route.string("forwardType", required=False)
    if kind_name is not None and kind_name not in _KINDS:
        raise routing_error("BAD_PARAMETER_VALUE", "INVALID_FORWARD_ROUTE", f"unknown forwardType {kind_name!r}")
    kind = _KINDS[kind_name] if kind_name else ForwardKind.IMMEDIATE
    dest = destinations[0]
    type_ = dest.string("type")
    number = dest.string("number", required=False)
    if type_ == "VOICEMAIL" or (type_ == "UNKNOWN" and number == switch.voicemail_number):
        return kind, "voicemail"
    if type_ not in ("NUMBER", "USER", "OTHER", "UNKNOWN"):
        raise routing_error("BAD_PARAMETER_VALUE", "INVALID_FORWARD_ROUTE", f"cannot forward to a {type_} destination")
    if not number:
        raise routing_error("BAD_PARAMETER_VALUE", "NULL_OR_EMPTY_PARAMETER", "the destination needs a number")
    if not _PHONE.match(number):
        raise routing_error("BAD_PARAMETER_VALUE", "BAD_PHONE_NUMBER_FORMAT", f"{number!r} is not a phone number")
    number = re.sub(r"[ ()]", "", number)
    if type_ == "USER" and (switch.devices.get(number) is None or switch.devices[number].user is None):
        raise routing_error("UNAUTHORIZED", "UNAUTHORIZED_NOT_A_USER", f"{number} is not a user", 403, "NOT_ALLOWED")
    return kind, number


def parse_presentation(user: User, routes: list[Body]) -> bool | None:
    """Whether the MOBILE presentation is to be selected, from at most one
    PresentationRoute (o2g.md §2.6 SetRoutesRequest); None leaves it as it
    is. OFFICE is always on, and only a user with a mobile has a MOBILE."""
    if len(routes) > 1:
        raise routing_error("BAD_PARAMETER_VALUE", "UNKNOWN", "at most one presentation route")
    mobile: bool | None = None
    for route in routes:
        for dest in route.objects("destinations", required=True):
            type_, selected = dest.string("type"), dest.boolean("selected", True)
            if type_ == "OFFICE" and selected:
                continue
            if type_ == "MOBILE" and user.twin is not None:
                mobile = selected
                continue
            why = "the OFFICE device always presents calls" if type_ == "OFFICE" else \
                f"{user.login} has no {type_} presentation device"
            raise routing_error("INVALID_OPERATION", "INVALID_CURRENT_DEVICE", why)
    return mobile


def refused(error: CommandError) -> O2GError:
    """Engine refusals of routing commands as RoutingErrorInfo."""
    if error.refusal is Refusal.NO_VOICEMAIL:
        return routing_error("UNAUTHORIZED", "UNAUTHORIZED_PHONE_NUMBER", error.message, 403, "NOT_ALLOWED")
    if error.refusal is Refusal.BAD_DESTINATION:
        return routing_error("UNKNOWN_PHONE_NUMBER", "UNAUTHORIZED_PHONE_NUMBER", error.message)
    return routing_error("INVALID_OPERATION", "UNKNOWN", error.message, type="NOT_EXPECTED")


class RoutingService:
    def __init__(self, api: O2GApi) -> None:
        self.api = api
        #: Each user's MOBILE selection as last announced, so that presence
        #: changes which are not about twinning (absence, app presence)
        #: announce no routing change. Unknown until a user's first presence
        #: change, which is then announced: at worst once too often, never
        #: missed (a store reload may set twinning without an event).
        self._mobile: dict[str, bool] = {}

    @property
    def switch(self) -> Switch:
        return self.api.board.switch

    def routes(self) -> list[Route]:
        return [
            Route("/routing", self.capabilities, methods=["GET"]),
            Route("/routing", self.set_routes, methods=["POST"]),
            Route("/routing/dnd", self.dnd, methods=["GET"]),
            Route("/routing/dnd", self.dnd_on, methods=["POST"]),
            Route("/routing/dnd", self.dnd_off, methods=["DELETE"]),
            Route("/routing/forwardroute", self.get_forward, methods=["GET"]),
            Route("/routing/forwardroute", self.set_forward, methods=["POST"]),
            Route("/routing/forwardroute", self.cancel_forward, methods=["DELETE"]),
            Route("/routing/overflowroute", self.get_overflow, methods=["GET"]),
            Route("/routing/overflowroute", self.set_overflow, methods=["POST"]),
            Route("/routing/overflowroute", self.cancel_overflow, methods=["DELETE"]),
            Route("/routing/state", self.state, methods=["GET"]),
            Route("/routing/state/snapshot", self.snapshot, methods=["POST"]),
        ]

    async def _user(self, request: Request) -> User:
        session = await self.api.session(request)
        return self._licensed(session, self.api.acting_login(session, request))

    def _licensed(self, session: Session, login: str) -> User:
        self.api.require_licence(session, login, "TELEPHONY_ADVANCED")
        return self.switch.users[login]

    def _run(self, command: Any, *args: Any) -> Response:
        try:
            command(*args)
        except CommandError as error:
            raise refused(error) from None
        return Response(status_code=204)

    def event(self, user: User) -> dict[str, Any]:
        return {"eventName": "OnRoutingStateChanged", "loginName": user.login,
                "routingState": routing_state(self.switch, user)}

    def on_batch(self, batch: Batch) -> None:
        try:
            for event in batch.events:
                if isinstance(event, PresenceChanged):
                    selected = bool(event.presence.get("twinning"))
                    if self._mobile.get(event.login) is selected:
                        continue
                    self._mobile[event.login] = selected
                elif not isinstance(event, RoutingChanged):
                    continue
                if event.login in self.switch.users:
                    user = self.switch.users[event.login]
                    self.api.publish(self.event(user), login=user.login, package=PACKAGE)
        except Exception:  # a listener must never break the engine's transaction
            log.exception("routing events failed")

    # -- endpoints -------------------------------------------------------------------

    async def capabilities(self, request: Request) -> Response:
        """What the user may change."""
        user = await self._user(request)
        return JSONResponse({"presentationRoute": user.twin is not None, "forwardRoute": True,
                             "overflowRoute": user.has_mailbox or user.associate is not None, "dnd": True})

    async def set_routes(self, request: Request) -> Response:
        """Set routes: select or unselect the MOBILE presentation (Remote
        Extension), and a forward (compatibility). Everything is checked
        before anything changes."""
        user = await self._user(request)
        body = await self.api.json_body(request)
        mobile = parse_presentation(user, body.objects("presentationRoutes"))
        forward: tuple[ForwardKind | None, str] | None = None
        if "forwardRoutes" in body.data:
            forwards = body.objects("forwardRoutes")
            if len(forwards) > 1:
                raise routing_error("BAD_PARAMETER_VALUE", "INVALID_FORWARD_ROUTE", "at most one forward route")
            forward = parse_forward(self.switch, forwards[0]) if forwards else (None, "")
        # The forward first: the engine may still refuse it (a forward to
        # oneself), while the MOBILE selection was fully checked above.
        if forward is not None:
            self._run(self.switch.set_forward, user.login, *forward)
        if mobile is not None:
            self._run(self.switch.set_twinning, user.login, mobile)
        return Response(status_code=204)

    async def dnd(self, request: Request) -> Response:
        """Is do-not-disturb on?"""
        user = await self._user(request)
        return JSONResponse({"activate": user.routing.dnd})

    async def dnd_on(self, request: Request) -> Response:
        """Turn do-not-disturb on."""
        user = await self._user(request)
        return self._run(self.switch.set_dnd, user.login, True)

    async def dnd_off(self, request: Request) -> Response:
        """Turn do-not-disturb off."""
        user = await self._user(request)
        return self._run(self.switch.set_dnd, user.login, False)

    async def get_forward(self, request: Request) -> Response:
        """The forward route."""
        user = await self._user(request)
        return JSONResponse(forward_route(self.switch, user))

    async def set_forward(self, request: Request) -> Response:
        """Forward immediately, on busy, on no answer or both."""
        user = await self._user(request)
        body = await self.api.json_body(request)
        route = body.object("forwardRoute", required=False)
        kind, target = parse_forward(self.switch, route) if route is not None else (None, "")
        return self._run(self.switch.set_forward, user.login, kind, target)

    async def cancel_forward(self, request: Request) -> Response:
        """Cancel the forward."""
        user = await self._user(request)
        return self._run(self.switch.set_forward, user.login, None)

    async def get_overflow(self, request: Request) -> Response:
        """The overflow route."""
        user = await self._user(request)
        return JSONResponse(overflow_route(self.switch, user))

    async def set_overflow(self, request: Request) -> Response:
        """Overflow to voicemail or the associate on busy, no answer or both. Accepts
        `overflowRoutes` as an array or, as the Node SDK sends it, an object."""
        user = await self._user(request)
        body = await self.api.json_body(request)
        raw = body.data.get("overflowRoutes")
        routes = [body.object("overflowRoutes")] if isinstance(raw, dict) else body.objects("overflowRoutes",
                                                                                              required=True)
        if len(routes) != 1:
            raise routing_error("BAD_PARAMETER_VALUE", "INVALID_OVERFLOW_ROUTE", "exactly one overflow route")
        route = routes[0]
        assert route is not None
        kind_name = route.string("overflowType")
        if kind_name not in _KINDS:
            raise routing_error("BAD_PARAMETER_VALUE", "INVALID_OVERFLOW_ROUTE", f"unknown overflowType {kind_name!r}")
        destinations = route.objects("destinations", required=True)
        if len(destinations) != 1:
            raise routing_error("BAD_PARAMETER_VALUE", "INVALID_OVERFLOW_ROUTE", "exactly one overflow destination")
        destination, associate = parse_overflow_destination(self.switch, user, destinations[0])
        try:
            self.switch.set_overflow(user.login, _KINDS[kind_name], destination, associate=associate)
        except CommandError as error:
            if error.refusal is Refusal.BAD_DESTINATION:
                raise routing_error("BAD_PARAMETER_VALUE", "INVALID_OVERFLOW_ROUTE", error.message) from None
            raise refused(error) from None
        return Response(status_code=204)

    async def cancel_overflow(self, request: Request) -> Response:
        """Cancel the overflow."""
        user = await self._user(request)
        return self._run(self.switch.set_overflow, user.login, None)

    async def state(self, request: Request) -> Response:
        """Presentation, forward, overflow and DND at once."""
        user = await self._user(request)
        return JSONResponse(routing_state(self.switch, user))

    async def snapshot(self, request: Request) -> Response:
        """Ask for OnRoutingStateChanged; an administrator without loginName gets every user's."""
        session = await self.api.session(request)
        if session.is_admin and not request.query_params.get("loginName"):
            users = list(self.switch.users.values())
        else:
            users = [self._licensed(session, self.api.acting_login(session, request))]
        for user in users:
            self.api.publish(self.event(user), login=user.login, package=PACKAGE)
        return Response(status_code=204)


def install(api: O2GApi) -> None:
    service = RoutingService(api)
    unsubscribe = api.board.switch.subscribe(service.on_batch)

    async def stop() -> None:
        unsubscribe()

    api.on_stop.append(stop)
    api.add_service("Routing", service.routes())
