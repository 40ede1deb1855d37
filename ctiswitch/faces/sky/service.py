"""One Sky request carried out against the switch: checks, then the engine command.

No I/O: both transports (GET and the XML stream) hand a parsed Request here
and render what comes back. The checks run in the order a client can act on
them: the name (errors 2, 3, 4), the DID and PIN (5), the user's block (5),
the arguments (13), the listCalls rate (6), the phone (8).
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from ctiswitch.config.model import Sky
from ctiswitch.engine.calls import Party
from ctiswitch.engine.clock import Clock
from ctiswitch.engine.directory import Device, User
from ctiswitch.engine.errors import CommandError
from ctiswitch.engine.switch import Switch

from .ratelimit import RateLimiter
from .translate import (
    REFUSAL_ERRORS,
    command_connection,
    endpoint_id,
    find_party,
    resolve_endpoint,
    user_views,
)
from .wire import (
    AUTHENTICATION_FAILED,
    RATE_LIMITED,
    USER_BLOCKED,
    CallView,
    DialRejected,
    Request,
    SkyError,
    check_arguments,
    normalize_dial_number,
    resolve_method,
)

Outcome = bool | list[CallView] | SkyError


@dataclass(frozen=True, slots=True)
class SubscribeGranted:
    """subscribe passed every check; the transport registers it and answers ``0``."""

    user: User


class SkyService:
    """Carries out requests for one switch under the company's Sky limits."""

    def __init__(self, switch: Switch, clock: Clock, limits: Sky) -> None:
        self._switch = switch
        self._clock = clock
        self._limits = limits
        self._list_calls = RateLimiter(clock, limits.list_calls_per_minute)

    def execute(self, request: Request, *, over_get: bool) -> Outcome | SubscribeGranted:
        """The result or error a request gets; subscribe is left to the transport."""
        method = resolve_method(request.name, over_get=over_get)
        if isinstance(method, SkyError):
            return method
        user = self._authenticate(request)
        if isinstance(user, SkyError):
            return user
        args = check_arguments(method, request.args)
        if isinstance(args, SkyError):
            return args
        if method.name == "subscribe":
            return SubscribeGranted(user)
        if method.name == "listCalls":
            return self._list(user, args[0])
        if method.name == "dial":
            return self._dial(user, args[0], args[1])
        endpoint = args[1] if method.name == "answer" else ""
        return self._act(user, method.name, args[0], endpoint)

    def _authenticate(self, request: Request) -> User | SkyError:
        """The DID's user if the PIN matches; a blocked user is told so only
        after proving who it is, so the block reveals nothing to a guesser."""
        user = self._switch.dids.get(request.user)
        pin = user.pin if user is not None else None
        if user is None or not pin or not hmac.compare_digest(pin.encode(), request.password.encode()):
            return AUTHENTICATION_FAILED
        if request.user in self._limits.blocked:
            return USER_BLOCKED
        return user

    def _list(self, user: User, endpoint: str) -> Outcome:
        did = user.did or ""
        if not self._list_calls.allow(did):
            return RATE_LIMITED
        phone = resolve_endpoint(user, endpoint)
        if isinstance(phone, SkyError):
            return phone
        views = user_views(user, self._clock.now()).values()
        if endpoint.strip():
            return [view for view in views if view.endpoint == endpoint_id(phone.mac)]
        return list(views)

    def _dial(self, user: User, number: str, endpoint: str) -> Outcome:
        phone = resolve_endpoint(user, endpoint)
        if isinstance(phone, SkyError):
            return phone
        try:
            target = normalize_dial_number(number, international_blocked=self._limits.international_blocked)
        except DialRejected as rejected:
            return rejected.error if rejected.error is not None else False
        return self._run(lambda: self._switch.make_call(phone.number, target.digits))

    def _act(self, user: User, method: str, call_id: str, endpoint: str) -> Outcome:
        """answer, ignore, release, hold or resume one of the user's calls."""
        phone = resolve_endpoint(user, endpoint)
        if isinstance(phone, SkyError):
            return phone
        party = find_party(user, method, call_id, self._clock.now())
        if party is None:
            return False
        return self._run(lambda: self._command(party, method, phone))

    def _command(self, party: Party, method: str, phone: Device) -> bool:
        conn = command_connection(party, method, phone)
        if conn is None:
            return False
        commands: dict[str, Callable[[int], None]] = {
            "answer": self._switch.answer,
            "ignore": self._switch.silence,
            "release": self._switch.clear_connection,
            "hold": self._switch.hold,
            "resume": self._switch.retrieve,
        }
        commands[method](conn.id)
        return True

    @staticmethod
    def _run(action: Callable[[], object]) -> Outcome:
        """Run an engine command: True if done; a refusal is false or an API
        error (call-model §5.3), since a call the phone could not place is
        not an API problem."""
        try:
            result = action()
        except CommandError as error:
            return REFUSAL_ERRORS.get(error.refusal, False)
        return result if isinstance(result, bool) else True

