"""The simulation control API: play the people at the phones over HTTP.

Tests, scenarios and the console use it to make calls arrive from outside,
act at a phone (off hook, dial, answer, hold...), set how a simulated phone
behaves, look at the whole switch, and move a virtual clock. It is the
server's first Contribution, mounted like any face's.

    POST /sim/calls                          {"from", "to", "name"?}  -> 201 {"call"}
    POST /sim/calls/{call}/hangup            {"number"?}              -> 200 {"call"}
    POST /sim/devices/{number}/{action}      {"digits"} for dial/dtmf -> 200 {"call"}
    PUT  /sim/devices/{number}/behaviour     {"mode", "delay"?}       -> 200
    GET  /sim/state                                                   -> switch.snapshot()
    POST /sim/clock/advance                  {"seconds"}              -> 200 {"now", "wall"}

Errors are ``{"error", "message"}``: 400 for bodies that are not what the
endpoint reads (and for the engine's BAD_VALUE, which is the same thing found
one layer down), 404 for unknown actions and for refusals naming something
that does not exist, 409 for every other refusal. With a sim token set,
requests without ``Authorization: Bearer <token>`` get 401.
"""
from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.sim.phones import ACTIONS, far_end_hangup, perform

from .board import Switchboard
from .contribution import Contribution
from .jsonapi import ApiError, Body, error_response, read_object

Endpoint = Callable[[Request], Awaitable[Response]]
#: Actions that dial digits and so take a "digits" field.
_DIGIT_ACTIONS = frozenset({"dial", "dtmf"})


def contribute(board: Switchboard) -> Contribution:
    """The sim API's routes, guarded by the sim token when one is set."""
    return Contribution(routes=SimulationApi(board).routes())


def refusal_status(refusal: Refusal) -> int:
    """The HTTP status for an engine refusal."""
    if refusal.name.endswith("_NOT_FOUND"):
        return 404
    if refusal is Refusal.BAD_VALUE:
        return 400
    return 409


class SimulationApi:
    """The endpoints, bound to one Switchboard."""

    def __init__(self, board: Switchboard) -> None:
        self.board = board
        token = board.settings.sim_token
        self._token = token.encode() if token else None

    def routes(self) -> list[Route]:
        guard = self._guard
        return [
            Route("/sim/calls", guard(self.place_call), methods=["POST"]),
            Route("/sim/calls/{call:int}/hangup", guard(self.far_end_hangup), methods=["POST"]),
            Route("/sim/devices/{number}/behaviour", guard(self.set_behaviour), methods=["PUT"]),
            Route("/sim/devices/{number}/{action}", guard(self.act), methods=["POST"]),
            Route("/sim/state", guard(self.state), methods=["GET"]),
            Route("/sim/clock/advance", guard(self.advance_clock), methods=["POST"]),
        ]

    def _guard(self, handler: Endpoint) -> Endpoint:
        """Check the token, then turn raised errors into JSON answers."""

        async def endpoint(request: Request) -> Response:
            if not self._authorized(request):
                return error_response(401, "unauthorized", "this API needs 'Authorization: Bearer <sim token>'",
                                      {"WWW-Authenticate": 'Bearer realm="ctiswitch-sim"'})
            try:
                return await handler(request)
            except ApiError as error:
                return error.response()
            except CommandError as error:
                return error_response(refusal_status(error.refusal), error.refusal.value, error.message)

        endpoint.__name__ = handler.__name__
        return endpoint

    def _authorized(self, request: Request) -> bool:
        if self._token is None:
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._token)

    async def place_call(self, request: Request) -> Response:
        """A call arrives from the public network."""
        body = Body(await read_object(request), ("from", "to", "name"))
        caller, destination, name = body.string("from"), body.string("to"), body.optional_string("name")
        call = self.board.switch.incoming_call(caller, destination, name=name)
        return JSONResponse({"call": call.id}, status_code=201)

    async def far_end_hangup(self, request: Request) -> Response:
        """The outside caller hangs up (say, gives up while queued)."""
        number = Body(await read_object(request), ("number",)).optional_string("number")
        call = far_end_hangup(self.board.switch, request.path_params["call"], number)
        return JSONResponse({"call": call.id})

    async def act(self, request: Request) -> Response:
        """What a person does at the phone; returns the call acted on."""
        number, action = request.path_params["number"], request.path_params["action"]
        if action not in ACTIONS:
            raise ApiError(404, "unknown_action", f"no action {action!r}; one of {', '.join(ACTIONS)}")
        takes_digits = action in _DIGIT_ACTIONS
        body = Body(await read_object(request), ("digits",) if takes_digits else ())
        digits = body.string("digits") if takes_digits else ""
        call = perform(self.board.switch, number, action, digits)
        return JSONResponse({"call": call.id if call is not None else None})

    async def set_behaviour(self, request: Request) -> Response:
        """How the simulated phone reacts when a call arrives."""
        number = request.path_params["number"]
        body = Body(await read_object(request), ("mode", "delay"))
        mode, delay = body.string("mode"), body.number("delay", default=0.0, minimum=0.0)
        switch = self.board.switch
        switch.set_behaviour(number, mode, delay)
        behaviour = switch.device(number).behaviour
        return JSONResponse({"number": number, "behaviour": {"mode": behaviour.mode, "delay": behaviour.delay}})

    async def state(self, request: Request) -> Response:
        return JSONResponse(self.board.switch.snapshot())

    async def advance_clock(self, request: Request) -> Response:
        """Move virtual time, firing every engine and simulator timer due."""
        clock = self.board.virtual_clock
        if clock is None:
            raise ApiError(409, "clock_not_virtual",
                           "the switch runs on the real clock; start it with --virtual-clock to advance time")
        seconds = Body(await read_object(request), ("seconds",)).number("seconds", minimum=0.0)
        clock.advance(seconds)
        return JSONResponse({"now": clock.now(), "wall": clock.wall()})
