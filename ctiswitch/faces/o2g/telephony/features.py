"""The device, hunting-group, callback, mini-message and state methods of the
telephony service (o2g.md §2.4 #33-50)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ctiswitch.engine.directory import Group, User
from ctiswitch.engine.states import GroupKind

from ..api import O2GApi
from ..errors import O2GError
from ..eventsummary import summaries
from .context import Telephony
from .dates import iso_date
from .errors import bad_value, telephony_error
from .events import TelephonyNotifier
from .identity import number_info, owner_of
from .views import device_states, telephonic_state

PACKAGE = "telephony"


def _done() -> Response:
    return Response(status_code=204)


class FeatureMethods(Telephony):
    """Endpoints addressed to devices and to the user rather than a call."""

    def __init__(self, api: O2GApi, notifier: TelephonyNotifier) -> None:
        super().__init__(api)
        self.notifier = notifier

    def routes(self) -> list[Route]:
        t = "/telephony"
        return [
            Route(t + "/deskSharing", self.desk_log_on, methods=["POST"]),
            Route(t + "/deskSharing", self.desk_log_off, methods=["DELETE"]),
            Route(t + "/devices", self.devices, methods=["GET"]),
            Route(t + "/devices/{deviceId}", self.device, methods=["GET"]),
            Route(t + "/devices/{deviceId}/pickup", self.pickup, methods=["POST"]),
            Route(t + "/devices/{deviceId}/unpark", self.unpark, methods=["POST"]),
            Route(t + "/huntingGroupLogOn", self.hunting_logon_state, methods=["GET"]),
            Route(t + "/huntingGroupLogOn", self.hunting_logon, methods=["POST"]),
            Route(t + "/huntingGroupLogOn", self.hunting_logoff, methods=["DELETE"]),
            Route(t + "/huntingGroupMember/{hgNumber}", self.join_group, methods=["POST"]),
            Route(t + "/huntingGroupMember/{hgNumber}", self.leave_group, methods=["DELETE"]),
            Route(t + "/huntingGroups", self.hunting_groups, methods=["GET"]),
            Route(t + "/incomingCallbacks", self.callbacks, methods=["GET"]),
            Route(t + "/incomingCallbacks", self.delete_callbacks, methods=["DELETE"]),
            Route(t + "/incomingCallbacks/{callbackId}", self.delete_callback, methods=["DELETE"]),
            Route(t + "/outgoingCallbacks", self.request_callback, methods=["POST"]),
            Route(t + "/miniMessages", self.read_mini_message, methods=["GET"]),
            Route(t + "/miniMessages", self.send_mini_message, methods=["POST"]),
            Route(t + "/state", self.state, methods=["GET"]),
            Route(t + "/state/snapshot", self.snapshot, methods=["POST"]),
        ]

    # -- desk sharing -----------------------------------------------------------------

    async def desk_log_on(self, request: Request) -> Response:
        """Log the user (DSU) on to a desk-sharing set (DSS): the set rings
        for the user's calls until the user logs off."""
        user = await self.user(request)
        body = await self.api.json_body(request)
        number = body.string("dssDeviceNumber")
        device = self.switch.devices.get(number)
        if device is None or not device.desk_sharing:
            raise bad_value(f"{number!r} is not a desk-sharing set", "INVALID_DEVICE")
        self.run(self.switch.desk_log_on, user.login, number)
        return _done()

    async def desk_log_off(self, request: Request) -> Response:
        """Log the user off its desk-sharing set."""
        user = await self.user(request)
        self.run(self.switch.desk_log_off, user.login)
        return _done()

    # -- devices ----------------------------------------------------------------------

    async def devices(self, request: Request) -> Response:
        """Operational state of the user's devices."""
        user = await self.user(request)
        return JSONResponse({"deviceStates": device_states(user)})

    async def device(self, request: Request) -> Response:
        """Operational state of one of the user's devices."""
        user = await self.user(request)
        number = request.path_params["deviceId"]
        for state in device_states(user):
            if state["deviceId"] == number:
                return JSONResponse(state)
        raise telephony_error(404, "NOT_FOUND", "BAD_PARAMETER_VALUE", "INVALID_DEVICE",
                              f"{number!r} is not one of {user.login}'s devices")

    async def pickup(self, request: Request) -> Response:
        """Take a call ringing at another number onto this device."""
        _, device, _ = await self.device_user(request, request.path_params["deviceId"])
        body = await self.api.json_body(request)
        target = body.string("otherPhoneNumber")
        ref = body.string("otherCallRef", required=False, empty=True)
        answer = body.boolean("autoAnswer")
        ringing = self.switch.devices.get(target)
        if ref and ringing is not None and not any(str(c.call.id) == ref for c in ringing.connections):
            raise telephony_error(404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND", "INVALID_CALL_ID",
                                  f"call {ref} is not at {target}")
        self.run(self.switch.pickup, device.number, target, answer=answer)
        return _done()

    async def unpark(self, request: Request) -> Response:
        """Take a parked call onto this device: from `unParkFrom`, the park
        slot of `heldCallRef` (what the SDKs send), or this device's own."""
        _, device, _ = await self.device_user(request, request.path_params["deviceId"])
        body = await self.api.json_body(request)
        slot = body.string("unParkFrom", required=False)
        ref = body.string("heldCallRef", required=False)
        if slot is None and ref is not None:
            slot = next((s for s, party in self.switch.parks.items() if str(party.call.id) == ref), None)
            if slot is None:
                raise telephony_error(404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND", "INVALID_CALL_ID",
                                      f"call {ref} is not parked")
        self.run(self.switch.unpark, device.number, slot or device.number)
        return _done()

    # -- hunting groups --------------------------------------------------------------

    def _hunt_groups(self) -> list[Group]:
        return [g for g in self.switch.groups.values() if g.kind is GroupKind.HUNT]

    def _current(self, user: User) -> Group:
        for group in self._hunt_groups():
            if group.member(user.login) is not None:
                return group
        raise telephony_error(400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "UNKNOWN",
                              f"{user.login} is in no hunting group")

    def _hunt_group(self, number: str) -> Group:
        group = self.switch.groups.get(number)
        if group is None or group.kind is not GroupKind.HUNT:
            raise O2GError(404, "NOT_FOUND", f"no hunting group {number!r}")
        return group

    async def hunting_logon_state(self, request: Request) -> Response:
        """Is the user logged on in its hunting group?"""
        user = await self.user(request)
        member = next((g.member(user.login) for g in self._hunt_groups() if g.member(user.login)), None)
        return JSONResponse({"logon": member is not None and member.logged_on})

    async def hunting_logon(self, request: Request) -> Response:
        """Log the user on in its hunting group."""
        user = await self.user(request)
        self.run(self.switch.set_logged_on, self._current(user).number, user.login, True)
        return _done()

    async def hunting_logoff(self, request: Request) -> Response:
        """Log the user off its hunting group."""
        user = await self.user(request)
        self.run(self.switch.set_logged_on, self._current(user).number, user.login, False)
        return _done()

    async def join_group(self, request: Request) -> Response:
        """Make the user a member of a hunting group (already one: fine)."""
        user = await self.user(request)
        group = self._hunt_group(request.path_params["hgNumber"])
        if group.member(user.login) is None:
            self.run(self.switch.add_member, group.number, user.login)
        return _done()

    async def leave_group(self, request: Request) -> Response:
        """Remove the user from a hunting group (not a member: fine)."""
        user = await self.user(request)
        group = self._hunt_group(request.path_params["hgNumber"])
        if group.member(user.login) is not None:
            self.run(self.switch.remove_member, group.number, user.login)
        return _done()

    async def hunting_groups(self, request: Request) -> Response:
        """The node's hunting groups and the user's current one."""
        user = await self.user(request)
        groups = self._hunt_groups()
        result: dict[str, object] = {"hgList": [g.number for g in groups]}
        current = next((g.number for g in groups if g.member(user.login) is not None), None)
        if current is not None:
            result["currentHg"] = current
        return JSONResponse(result)

    # -- callbacks ----------------------------------------------------------------------

    async def callbacks(self, request: Request) -> Response:
        """Callback requests the user received."""
        user = await self.user(request)
        return JSONResponse({"callbacks": [
            {"callbackId": str(cb.id), "partyInfo": number_info(self.switch, cb.caller, cb.caller_name)}
            for cb in self.api.board.store.callbacks.for_user(user.login)
        ]})

    async def delete_callbacks(self, request: Request) -> Response:
        """Delete all the user's callback requests."""
        user = await self.user(request)
        self.api.board.store.callbacks.delete_all(user.login)
        summaries(self.api).refresh(user.login)
        return _done()

    async def delete_callback(self, request: Request) -> Response:
        """Delete one callback request."""
        user = await self.user(request)
        wanted = request.path_params["callbackId"]
        store = self.api.board.store.callbacks
        if not any(str(cb.id) == wanted for cb in store.for_user(user.login)):
            raise bad_value(f"no callback request {wanted!r} for {user.login}")
        store.delete(int(wanted))
        summaries(self.api).refresh(user.login)
        return _done()

    async def request_callback(self, request: Request) -> Response:
        """Ask another user to call this one back."""
        user = await self.user(request)
        body = await self.api.json_body(request)
        callee = body.string("callee")
        target = owner_of(self.switch, callee)
        if target is None or target is user:
            raise bad_value(f"{callee!r} is not another user's number", "INVALID_DESTINATION")
        self.run(self.switch.request_callback, target.login, user.number, user.name)
        return _done()

    # -- mini messages ------------------------------------------------------------------

    async def read_mini_message(self, request: Request) -> Response:
        """The newest mini message, erased as it is read; 400 when none is left."""
        user = await self.user(request)
        messages = self.api.board.store.messages
        newest = next(iter(messages.for_user(user.login, "mini")), None)
        if newest is None or newest.id is None:
            raise O2GError(400, "NOT_EXPECTED", f"{user.login} has no mini message")
        messages.delete(newest.id)
        summaries(self.api).refresh(user.login)
        date = iso_date(newest.created_at)
        return JSONResponse({"sender": newest.sender, "date": date, "dateTime": date,
                             "message": str(newest.body.get("text", ""))})

    async def send_mini_message(self, request: Request) -> Response:
        """Send a mini message to another user's number."""
        user = await self.user(request)
        body = await self.api.json_body(request)
        recipient, text = body.string("recipient"), body.string("message")
        target = owner_of(self.switch, recipient)
        if target is None:
            raise bad_value(f"{recipient!r} is not a user's number", "INVALID_DESTINATION")
        self.run(self.switch.send_message, target.login, user.number, text)
        return _done()

    # -- state -----------------------------------------------------------------------------

    async def state(self, request: Request) -> Response:
        """The user's calls, device capabilities and states at once."""
        user = await self.user(request)
        return JSONResponse(telephonic_state(self.switch, user, wrapped=True))

    async def snapshot(self, request: Request) -> Response:
        """Ask for OnTelephonyState; an administrator without loginName gets every user's."""
        session = await self.api.session(request)
        if session.is_admin and not request.query_params.get("loginName"):
            users = list(self.switch.users.values())
        else:
            login = self.api.acting_login(session, request)
            self.api.require_licence(session, login, "TELEPHONY_ADVANCED")
            users = [self.switch.users[login]]
        for user in users:
            self.api.publish(self.notifier.snapshot(user), login=user.login, package=PACKAGE)
        return _done()
