"""What a user may do with a call, a leg or a device (call-model §5.1).

Pure functions of engine state and the viewing user; advisory only, since
every command re-checks its own preconditions in the engine.
"""
from __future__ import annotations

from typing import Any

from ctiswitch.engine.calls import Call, Connection
from ctiswitch.engine.core import MAX_CONFERENCE
from ctiswitch.engine.directory import Device, User
from ctiswitch.engine.states import ConnectionState, DeviceType, PartyKind
from ctiswitch.engine.switch import Switch

from .media import leg_state

S = ConnectionState


def leg_capabilities(conn: Connection) -> dict[str, bool]:
    state, ringing_remote = leg_state(conn)
    party = conn.party
    device = conn.device
    return {
        "answer": state == "RINGING_INCOMING" and device is not None and device.type is not DeviceType.ANALOG,
        "drop": state in ("DIALING", "RINGING_OUTGOING", "ACTIVE", "HELD", "RELEASING"),
        "hold": device is not None and (state == "ACTIVE" or (state == "RINGING_OUTGOING" and ringing_remote)),
        "retrieve": state == "HELD",
        "reconnect": state == "HELD" and _enquiry(conn) is not None,
        "mute": state == "ACTIVE" and not party.muted,
        "unMute": state == "ACTIVE" and party.muted,
        "sendDtmf": state == "ACTIVE",
        "switchDevice": state in ("ACTIVE", "HELD") and party.user is not None and any(
            d is not device and d.has_free_appearance() for d in party.user.devices),
    }


def _enquiry(held: Connection) -> Connection | None:
    """The live connection of the same device in the held call's consult peer."""
    peer = held.call.consult_peer
    if peer is None or held.device is None:
        return None
    for conn in held.device.connections:
        if conn.call is peer and conn.state in (S.CONNECTED, S.INITIATED, S.FAILED):
            return conn
    return None


def _held_elsewhere(call: Call, legs: list[Connection]) -> Call | None:
    """A held call on one of the devices carrying this call's legs."""
    for conn in legs:
        if conn.device is None:
            continue
        for other in conn.device.connections:
            if other.call is not call and other.state is S.HELD:
                return other.call
    return None


def call_capabilities(switch: Switch, user: User, call: Call, legs: list[Connection], state: str) -> dict[str, bool]:
    """CallCapabilities of `call` for `user`, whose best leg state is `state`."""
    live = call.live_parties()
    count = len(live)
    private = any(p.privacy for p in live)
    active = state == "ACTIVE"
    ringing_in = state == "RINGING_INCOMING"
    ringing_remote = any(leg_state(c) == ("RINGING_OUTGOING", True) for c in legs)
    held = _held_elsewhere(call, legs) if state in ("ACTIVE", "RINGING_OUTGOING") else None
    recording = call.recordings.get(user.login)
    may_record = active and user.has_mailbox and not private
    in_call = {c.device for c in legs}
    spare = any(d.in_service and d not in in_call for d in user.devices)
    return {
        "addDevice": active and spare and count < MAX_CONFERENCE,
        "addParticipant": active and count < MAX_CONFERENCE,
        "intruded": active and count == 2 and not private,
        "transfer": held is not None,
        "blindTransfer": active,
        "merge": held is not None and count + len(held.live_parties()) - 1 <= MAX_CONFERENCE,
        "redirect": ringing_in,
        "pickedUp": ringing_in and not private,
        "redirectToVoiceMail": ringing_in and user.has_mailbox,
        "redirectToDVA": ringing_in and switch.dva_number is not None,
        "overflowToVoiceMail": state == "RINGING_OUTGOING" and ringing_remote and _ringing_user_with_mailbox(call, user),
        "dropMe": bool(legs),
        "terminate": not ringing_in,
        "reject": ringing_in,
        "callBack": state in ("RINGING_OUTGOING", "RELEASING") and callback_target(switch, call, user) is not None,
        "park": active and count == 2,
        "startRecord": may_record and recording is None,
        "stopRecord": may_record and recording is not None,
        "pauseRecord": may_record and recording is not None and recording.value == "recording",
        "resumeRecord": may_record and recording is not None and recording.value == "paused",
        "dropParticipant": active and count >= 3,
        "muteParticipant": active and count >= 3,
        "holdParticipant": False,
    }


def _ringing_user_with_mailbox(call: Call, user: User) -> bool:
    return any(p.kind is PartyKind.USER and p.user is not user and p.state is S.ALERTING
               and p.user is not None and p.user.has_mailbox for p in call.parties.values())


def callback_target(switch: Switch, call: Call, user: User) -> User | None:
    """The internal user this outgoing call was for, if any: who a callback
    request made during the call goes to."""
    if call.origin is None or call.origin.user is not user or call.dialled is None:
        return None
    device = switch.devices.get(call.dialled)
    target = device.user if device is not None else switch.dids.get(call.dialled)
    return target if target is not user else None


def device_capabilities(switch: Switch, device: Device) -> dict[str, Any]:
    may_call = device.in_service and len(device.connections) < device.max_calls
    user = device.user
    return {
        "deviceId": device.number,
        "makeCall": may_call,
        "makeBusinessCall": may_call and bool(switch.business_codes),
        "makePrivateCall": may_call and user is not None and bool(user.pin),
        "unParkCall": device.number in switch.parks,
    }
