"""The call methods of the telephony service (o2g.md §2.4 #1-30), each
mapped to one engine command (call-model §2.3, O2G column)."""
from __future__ import annotations

import binascii

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ctiswitch.engine.calls import Call, Connection
from ctiswitch.engine.directory import User
from ctiswitch.engine.settings import MAX_ASSOCIATED_DATA
from ctiswitch.engine.states import ConnectionState

from ..body import Body
from ..errors import bad_parameter
from .capabilities import callback_target
from .context import BASIC, Telephony
from .errors import bad_value, no_leg, telephony_error
from .media import leg_state
from .views import call_view, leg_view, public_call, user_calls, user_legs

S = ConnectionState
NO_CONTENT = 204
#: What "my current call" means for dropme: the one I am talking in first.
_CURRENT = (S.CONNECTED, S.INITIATED, S.FAILED, S.HELD, S.ALERTING)
_RECORDING = ("start", "stop", "pause", "resume")


def _done() -> Response:
    return Response(status_code=NO_CONTENT)


def _created(call: Call) -> Response:
    """201 with the new callRef as a JSON string (o2g.md §2.4 #1, #5)."""
    return JSONResponse(str(call.id), status_code=201)


def associated_data(body: Body) -> bytes | None:
    """`associatedData` (text) or `hexaBinaryAssociatedData` (hex from the
    Node SDK, raw text from the Java one: o2g-wire.md §3.4), ≤ 32 bytes."""
    text = body.string("associatedData", required=False, empty=True)
    hexa = body.string("hexaBinaryAssociatedData", required=False, empty=True)
    if text is None and hexa is None:
        return None
    if hexa is not None:
        try:
            data = binascii.unhexlify(hexa)
        except (binascii.Error, ValueError):
            data = hexa.encode("utf-8")
    else:
        data = text.encode("utf-8")
    if len(data) > MAX_ASSOCIATED_DATA:
        raise bad_value(f"associated data is {len(data)} bytes; at most {MAX_ASSOCIATED_DATA}")
    return data


class CallMethods(Telephony):
    """Endpoints addressed to calls, legs and participants."""

    def routes(self) -> list[Route]:
        c = "/telephony/calls/{callRef}"
        return [
            Route("/telephony/basicCall", self.basic_call, methods=["POST"]),
            Route("/telephony/basicCall/answer", self.basic_answer, methods=["POST"]),
            Route("/telephony/basicCall/dropme", self.basic_dropme, methods=["POST"]),
            Route("/telephony/calls", self.list_calls, methods=["GET"]),
            Route("/telephony/calls", self.make_call, methods=["POST"]),
            Route(c, self.get_call, methods=["GET"]),
            Route(c, self.release, methods=["DELETE"]),
            Route(c + "/alternate", self.alternate, methods=["POST"]),
            Route(c + "/answer", self.answer, methods=["POST"]),
            Route(c + "/attachdata", self.attach_data, methods=["POST"]),
            Route(c + "/blindtransfer", self.blind_transfer, methods=["POST"]),
            Route(c + "/callback", self.callback, methods=["POST"]),
            Route(c + "/deviceLegs", self.legs, methods=["GET"]),
            Route(c + "/deviceLegs/{legId}", self.leg_by_id, methods=["GET"]),
            Route(c + "/deviceLegs/{legId}", self.switch_device, methods=["POST"]),
            Route(c + "/dropme", self.dropme, methods=["POST"]),
            Route(c + "/hold", self.hold, methods=["POST"]),
            Route(c + "/merge", self.merge, methods=["POST"]),
            Route(c + "/overflowToVoiceMail", self.overflow_to_voicemail, methods=["POST"]),
            Route(c + "/park", self.park, methods=["POST"]),
            Route(c + "/participants", self.participants, methods=["GET"]),
            Route(c + "/participants/{participantId}", self.participant, methods=["GET"]),
            Route(c + "/participants/{participantId}", self.drop_participant, methods=["DELETE"]),
            Route(c + "/reconnect", self.reconnect, methods=["POST"]),
            Route(c + "/recording", self.recording, methods=["POST"]),
            Route(c + "/redirect", self.redirect, methods=["POST"]),
            Route(c + "/retrieve", self.retrieve, methods=["POST"]),
            Route(c + "/sendDtmf", self.send_dtmf, methods=["POST"]),
            Route(c + "/sendaccountinfo", self.send_account_info, methods=["POST"]),
            Route(c + "/transfer", self.transfer, methods=["POST"]),
        ]

    # -- helpers ------------------------------------------------------------

    async def _by_device(self, request: Request, body: Body, *, required: bool = True) -> tuple[User, Call, Connection | None]:
        """User, call and (with a deviceId) the device, for methods that name
        a device instead of taking loginName."""
        number = body.string("deviceId", required=required)
        if number is None:
            user = await self.user(request)
            return user, self.call(user, request.path_params["callRef"]), None
        _, device, user = await self.device_user(request, number)
        if user is None:
            raise bad_value(f"device {number} has no user", "INVALID_DEVICE")
        call = self.call(user, request.path_params["callRef"])
        return user, call, self.leg(call, user, device=device)

    async def _user_call(self, request: Request) -> tuple[User, Call]:
        user = await self.user(request)
        return user, self.call(user, request.path_params["callRef"])

    def _active_on(self, conn: Connection) -> Connection:
        """The connected call on the same device as a held leg."""
        assert conn.device is not None
        for other in conn.device.connections:
            if other.call is not conn.call and other.state is S.CONNECTED:
                return other
        raise telephony_error(400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "INVALID_CONNECTION_STATE",
                              f"no active call on {conn.dn} besides call {conn.call.id}")

    # -- making, answering, leaving -------------------------------------------------

    async def basic_call(self, request: Request) -> Response:
        """Make a call from one of the user's devices (TELEPHONY_BASIC)."""
        body = await self.api.json_body(request)
        number, callee = body.string("deviceId"), body.string("callee")
        auto = body.boolean("autoAnswer")
        _, device, user = await self.device_user(request, number, BASIC)
        call = self.run(self.switch.make_call, device.number, callee, ring_first=not auto)
        return _created(call) if user is not None else _done()

    async def basic_answer(self, request: Request) -> Response:
        """Answer the call ringing on a device (TELEPHONY_BASIC)."""
        body = await self.api.json_body(request)
        _, device, _ = await self.device_user(request, body.string("deviceId"), BASIC)
        ringing = next((c for c in device.connections if c.state is S.ALERTING), None)
        if ringing is None:
            raise no_leg(f"nothing rings on {device.number}")
        self.run(self.switch.answer, ringing.id)
        return _done()

    async def basic_dropme(self, request: Request) -> Response:
        """Leave the user's current call (TELEPHONY_BASIC)."""
        user = await self.user(request, BASIC)
        conns = [c for d in user.devices for c in d.connections if c.party.user is user]
        for state in _CURRENT:
            conn = next((c for c in conns if c.state is state), None)
            if conn is not None:
                self.run(self.switch.clear_connection, conn.id)
                return _done()
        raise no_leg(f"{user.login} has no call")

    async def list_calls(self, request: Request) -> Response:
        """The user's calls."""
        user = await self.user(request)
        return JSONResponse({"calls": [public_call(call_view(self.switch, user, c))
                                       for c in user_calls(self.switch, user)]})

    async def make_call(self, request: Request) -> Response:
        """Make a call, or a consultation call when the device is in one."""
        user = await self.user(request)
        body = await self.api.json_body(request)
        number = body.string("deviceId", required=False) or user.number
        device = self.switch.devices.get(number)
        if device is None or device.user is not user:
            raise telephony_error(403, "NOT_ALLOWED", "UNAUTHORIZED", "INVALID_DEVICE",
                                  f"device {number} is not one of {user.login}'s")
        acd = body.object("acdCall", required=False)
        if acd is not None:
            # Call center agent (ACD) is phase 2 of o2g.md §5.1 ("call center
            # agent (17/3; needs ACD state machine)"), which this switch does
            # not model, so an ACD call has nothing to start from.
            raise telephony_error(400, "NOT_SUPPORTED", "SERVICE_NOT_PROVIDED", "UNKNOWN",
                                  "ACD calls need an ACD configuration this switch does not have")
        callee = body.string("callee")
        data = associated_data(body)
        pin, secret = body.string("pin", required=False), body.string("secretCode", required=False)
        business = body.string("businessCode", required=False)
        auto_answer = body.boolean("autoAnswer")
        # Checked and accepted, as ALE's Java SDK sends it on every call
        # (o2g-wire.md §3.4), but with nothing to act on: the tones a caller
        # hears on an outside call are not simulated, so no face or sim view
        # could show whether they were inhibited.
        body.boolean("inhibitProgressTone")
        calling_number = body.string("callingNumber", required=False, empty=True) or None
        if data is not None and (pin or secret or business):
            raise bad_value("associatedData cannot go with pin, secretCode or businessCode")
        if business is not None and (pin is not None or secret is not None):
            raise bad_value("businessCode cannot go with pin or secretCode")
        if business is not None and business not in self.switch.business_codes:
            # Only the company's configured cost-centre codes (makeBusinessCall,
            # call-model §5.1) may be charged.
            raise bad_value(f"unknown business code {business!r}")
        if pin is not None and (pin != user.pin or (secret is not None and secret != user.secret)):
            raise telephony_error(403, "NOT_ALLOWED", "UNAUTHORIZED", "INVALID_CALLING",
                                  "pin or secret code does not match")
        active = next((c for c in device.connections if c.state is S.CONNECTED), None)
        if active is not None:
            call = self.run(self.switch.consult, active.id, callee, calling_number=calling_number)
        else:
            call = self.run(self.switch.make_call, device.number, callee,
                            ring_first=not auto_answer, calling_number=calling_number)
        if data is not None:
            self.run(self.switch.set_call_data, call.id, associated_data=data)
        if business is not None:
            # The business code is the cost centre the call is charged to:
            # the call's account code, which MTCTI-3 shows as accountcode.
            self.run(self.switch.set_call_data, call.id, account_code=business)
        return _created(call)

    async def get_call(self, request: Request) -> Response:
        """One of the user's calls."""
        user, call = await self._user_call(request)
        return JSONResponse(public_call(call_view(self.switch, user, call)))

    async def release(self, request: Request) -> Response:
        """Terminate the call for every party."""
        _, call = await self._user_call(request)
        self.run(self.switch.clear_call, call.id)
        return _done()

    async def answer(self, request: Request) -> Response:
        """Answer a ringing call on a device."""
        body = await self.api.json_body(request)
        user, call, leg = await self._by_device(request, body)
        conn = self.leg(call, user, device=leg.device if leg else None, states=(S.ALERTING,))
        self.run(self.switch.answer, conn.id)
        return _done()

    async def dropme(self, request: Request) -> Response:
        """Leave the call; the others stay if there are several."""
        user, call = await self._user_call(request)
        for conn in list(user_legs(call, user)):
            if conn.id in self.switch.connections:
                self.run(self.switch.clear_connection, conn.id)
        return _done()

    # -- hold and its kin ----------------------------------------------------------

    async def hold(self, request: Request) -> Response:
        """Hold the active call."""
        body = await self.api.json_body(request)
        user, call, leg = await self._by_device(request, body)
        conn = self.leg(call, user, device=leg.device if leg else None, states=(S.CONNECTED,))
        self.run(self.switch.hold, conn.id)
        return _done()

    async def retrieve(self, request: Request) -> Response:
        """Retrieve a held call."""
        body = await self.api.json_body(request)
        user, call, leg = await self._by_device(request, body)
        conn = self.leg(call, user, device=leg.device if leg else None, states=(S.HELD,))
        self.run(self.switch.retrieve, conn.id)
        return _done()

    async def alternate(self, request: Request) -> Response:
        """Hold the active call and retrieve this held one."""
        body = await self.api.json_body(request)
        user, call, leg = await self._by_device(request, body)
        held = self.leg(call, user, device=leg.device if leg else None, states=(S.HELD,))
        self.run(self.switch.alternate, held.id, self._active_on(held).id)
        return _done()

    async def reconnect(self, request: Request) -> Response:
        """Release the enquiry call and retrieve this held one."""
        body = await self.api.json_body(request)
        user, call, leg = await self._by_device(request, body)
        held = self.leg(call, user, device=leg.device if leg else None, states=(S.HELD,))
        enquiry = self.call(user, body.string("enquiryCallRef"))
        active = self.leg(enquiry, user, device=held.device)
        self.run(self.switch.reconnect, held.id, active.id)
        return _done()

    # -- joining ------------------------------------------------------------------

    async def _pair(self, request: Request) -> tuple[Connection, Connection]:
        user, call = await self._user_call(request)
        body = await self.api.json_body(request)
        active = self.leg(call, user, states=(S.CONNECTED,))
        other = self.call(user, body.string("heldCallRef"))
        held = self.leg(other, user, device=active.device, states=(S.HELD,))
        return held, active

    async def transfer(self, request: Request) -> Response:
        """Transfer: join this active call's parties with the held call's."""
        held, active = await self._pair(request)
        self.run(self.switch.transfer, held.id, active.id)
        return _done()

    async def merge(self, request: Request) -> Response:
        """Conference this active call with the held one."""
        held, active = await self._pair(request)
        self.run(self.switch.conference, held.id, active.id)
        return _done()

    async def blind_transfer(self, request: Request) -> Response:
        """Transfer the active call to a number without consulting."""
        user, call = await self._user_call(request)
        body = await self.api.json_body(request)
        target = body.string("transferTo")
        anonymous = body.boolean("anonymous")
        conn = self.leg(call, user, states=(S.CONNECTED,))
        if anonymous:
            self._withhold(call, conn, target)
        self.run(self.switch.single_step_transfer, conn.id, target)
        return _done()

    def _withhold(self, call: Call, conn: Connection, target: str) -> None:
        """`anonymous`: the parties who stay in the call reach the new
        destination with their identity withheld (Participant.anonymous).
        Not for a target the switch cannot reach: the command refuses it
        next, and a refused request must leave the call as it was."""
        if self.switch.plan(target, caller=conn.party.user).failed:
            return
        for party in call.live_parties():
            if party is not conn.party:
                self.run(self.switch.set_anonymous, call.id, party.id, True)

    # -- diverting -------------------------------------------------------------------

    async def redirect(self, request: Request) -> Response:
        """Send a ringing incoming call elsewhere: a number, VOICEMAIL or DVA."""
        user, call = await self._user_call(request)
        body = await self.api.json_body(request)
        target = body.string("redirectTo")
        anonymous = body.boolean("anonymous")
        conn = self.leg(call, user, states=(S.ALERTING,))
        if target == "DVA":
            if self.switch.dva_number is None:
                raise telephony_error(400, "NOT_EXPECTED", "SERVICE_NOT_PROVIDED", "UNKNOWN",
                                      "no DVA (digital voice announcement) is configured")
            target = self.switch.dva_number
        if target == "VOICEMAIL":
            if not user.has_mailbox:
                raise telephony_error(400, "NOT_EXPECTED", "SERVICE_UNAVAILABLE", "UNKNOWN",
                                      f"{user.login} has no voicemail")
            target = self.switch.voicemail_number
        if anonymous:
            self._withhold(call, conn, target)
        self.run(self.switch.deflect, conn.id, target)
        return _done()

    async def overflow_to_voicemail(self, request: Request) -> Response:
        """Send this outgoing ringing call to the callee's voicemail."""
        user, call = await self._user_call(request)
        conn = self.leg(call, user, states=(S.CONNECTED,))
        self.run(self.switch.overflow_to_voicemail, conn.id)
        return _done()

    async def park(self, request: Request) -> Response:
        """Park the other party (on parkTo, else on the user's own device)."""
        user, call = await self._user_call(request)
        body = await self.api.json_body(request)
        slot = body.string("parkTo", required=False)
        conn = self.leg(call, user, states=(S.CONNECTED,))
        if leg_state(conn)[0] != "ACTIVE":
            raise telephony_error(400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "INVALID_CONNECTION_STATE",
                                  f"call {call.id} is not answered yet: only an active call can be parked")
        self.run(self.switch.park, conn.id, slot)
        return _done()

    async def callback(self, request: Request) -> Response:
        """Ask the called user (busy or not answering) to call back."""
        user, call = await self._user_call(request)
        target = callback_target(self.switch, call, user)
        if target is None:
            raise telephony_error(400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "INVALID_DESTINATION",
                                  f"call {call.id} is not an outgoing call to a user")
        self.run(self.switch.request_callback, target.login, user.number, user.name)
        return _done()

    # -- call data -------------------------------------------------------------------

    async def attach_data(self, request: Request) -> Response:
        """Attach associated (correlator) data to the call."""
        body = await self.api.json_body(request)
        _, call, _ = await self._by_device(request, body, required=False)
        data = associated_data(body)
        self.run(self.switch.set_call_data, call.id, associated_data=data)
        return _done()

    async def send_account_info(self, request: Request) -> Response:
        """Attach an account (transaction) code: digits only."""
        body = await self.api.json_body(request)
        _, call, _ = await self._by_device(request, body, required=False)
        self.run(self.switch.set_call_data, call.id, account_code=body.string("accountInfo"))
        return _done()

    async def send_dtmf(self, request: Request) -> Response:
        """Send DTMF digits on the active call."""
        body = await self.api.json_body(request)
        user, call, leg = await self._by_device(request, body)
        conn = self.leg(call, user, device=leg.device if leg else None, states=(S.CONNECTED,))
        self.run(self.switch.send_dtmf, conn.id, body.string("number"))
        return _done()

    async def recording(self, request: Request) -> Response:
        """Start, stop, pause or resume recording into the user's mailbox."""
        user, call = await self._user_call(request)
        action = request.query_params.get("action", "").lower()
        if action not in _RECORDING:
            raise bad_parameter("action", f"must be one of {', '.join(_RECORDING)}")
        self.leg(call, user, states=(S.CONNECTED,))
        self.run(self.switch.set_recording, call.id, user.login, action)
        return _done()

    # -- legs and participants ---------------------------------------------------------

    async def legs(self, request: Request) -> Response:
        """The user's legs in the call."""
        user, call = await self._user_call(request)
        return JSONResponse({"legs": [leg_view(c) for c in user_legs(call, user)]})

    async def leg_by_id(self, request: Request) -> Response:
        """One leg; its id is its device number."""
        user, call = await self._user_call(request)
        leg_id = request.path_params["legId"]
        for conn in user_legs(call, user):
            if conn.dn == leg_id:
                return JSONResponse(leg_view(conn))
        raise telephony_error(404, "NOT_FOUND", "LEG_NOT_FOUND", "INVALID_DEVICE",
                              f"no leg {leg_id!r} in call {call.id}")

    async def switch_device(self, request: Request) -> Response:
        """Move the call from this leg's device to another of the user's devices."""
        body = await self.api.json_body(request)
        other = body.string("otherDeviceId")
        _, device, user = await self.device_user(request, request.path_params["legId"])
        if user is None:
            raise bad_value(f"device {device.number} has no user", "INVALID_DEVICE")
        call = self.call(user, request.path_params["callRef"])
        conn = self.leg(call, user, device=device, states=(S.CONNECTED, S.HELD))
        self.run(self.switch.switch_device, conn.id, other)
        return _done()

    async def participants(self, request: Request) -> Response:
        """The other parties of the call."""
        user, call = await self._user_call(request)
        return JSONResponse({"participants": call_view(self.switch, user, call)["participants"]})

    async def participant(self, request: Request) -> Response:
        """One participant."""
        user, call = await self._user_call(request)
        wanted = request.path_params["participantId"]
        for view in call_view(self.switch, user, call)["participants"]:
            if view["participantId"] == wanted:
                return JSONResponse(view)
        raise telephony_error(404, "NOT_FOUND", "BAD_PARAMETER_VALUE", "UNKNOWN",
                              f"no participant {wanted!r} in call {call.id}")

    async def drop_participant(self, request: Request) -> Response:
        """Drop another party from the call."""
        user, call = await self._user_call(request)
        wanted = request.path_params["participantId"]
        others = {str(p.id) for p in call.live_parties() if p.user is not user}
        if wanted not in others:
            raise bad_value(f"no participant {wanted!r} in call {call.id}")
        conn = self.leg(call, user, states=(S.CONNECTED,))
        self.run(self.switch.drop_party, conn.id, int(wanted))
        return _done()
