"""What every telephony endpoint does first: find the session, the user it
acts for, the call and the leg, and run engine commands with refusals
turned into O2G errors."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from starlette.requests import Request

from ctiswitch.engine.calls import Call, Connection
from ctiswitch.engine.directory import Device, User
from ctiswitch.engine.errors import CommandError
from ctiswitch.engine.states import ConnectionState
from ctiswitch.engine.switch import Switch

from ..api import O2GApi, Session
from .errors import bad_value, no_call, no_leg, not_yours, refused
from .views import user_legs

T = TypeVar("T")
ADVANCED = ("TELEPHONY_ADVANCED",)
BASIC = ("TELEPHONY_BASIC", "TELEPHONY_ADVANCED")


class Telephony:
    """Request helpers bound to one O2G face."""

    def __init__(self, api: O2GApi) -> None:
        self.api = api

    @property
    def switch(self) -> Switch:
        return self.api.board.switch

    async def user(self, request: Request, licences: tuple[str, ...] = ADVANCED) -> User:
        """The user a `loginName`† method acts for, with its licence taken."""
        session = await self.api.session(request)
        login = self.api.acting_login(session, request)
        self.api.require_licence(session, login, *licences)
        return self.switch.users[login]

    async def device_user(self, request: Request, number: str,
                          licences: tuple[str, ...] = ADVANCED) -> tuple[Session, Device, User | None]:
        """For methods addressed by device: the device must be the session
        user's; an administrator acts for the device's owner (o2g.md §2.4)."""
        session = await self.api.session(request)
        device = self.switch.devices.get(number)
        if device is None:
            raise bad_value(f"no device {number!r}", "INVALID_DEVICE")
        if not session.is_admin and (device.user is None or device.user.login != session.login):
            raise not_yours(number)
        if device.user is not None:
            self.api.require_licence(session, device.user.login, *licences)
        return session, device, device.user

    def call(self, user: User, ref: str) -> Call:
        """One of the user's calls by callRef; 404 otherwise."""
        call = self.switch.calls.get(int(ref)) if ref.isdigit() else None
        if call is None or not user_legs(call, user):
            raise no_call(ref)
        return call

    def leg(self, call: Call, user: User, *, device: Device | None = None,
            states: Iterable[ConnectionState] | None = None) -> Connection:
        """The user's connection in a call (on `device`, in one of `states`)."""
        wanted = None if states is None else frozenset(states)
        for conn in user_legs(call, user):
            if (device is None or conn.device is device) and (wanted is None or conn.state in wanted):
                return conn
        where = f" on {device.number}" if device is not None else ""
        what = "/".join(sorted(s.value for s in wanted)) if wanted else "any"
        raise no_leg(f"no {what} leg{where} in call {call.id}")

    def run(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run an engine command; a refusal becomes the O2G error."""
        try:
            return command(*args, **kwargs)
        except CommandError as error:
            raise refused(error) from None
