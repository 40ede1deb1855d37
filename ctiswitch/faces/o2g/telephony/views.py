"""One user's O2G view of the switch: its calls, legs and participants
(call-model §4.1), its device capabilities and states, its user state.

Pure projections of engine state. The notifier keeps the last view it sent
to each user and diffs against a fresh one (call-model principle 3); the
REST methods answer from fresh ones.
"""
from __future__ import annotations

import uuid
from typing import Any

from ctiswitch.engine.calls import Call, Connection, Party
from ctiswitch.engine.directory import User
from ctiswitch.engine.states import ConnectionState, GroupKind, PartyKind
from ctiswitch.engine.switch import Switch

from .capabilities import call_capabilities, device_capabilities, leg_capabilities
from .identity import number_info, party_info
from .media import best_state, leg_state, participant_state

S = ConnectionState
#: callUUID = UUIDv5(namespace, gcid) (call-model §1.3): stable per call and
#: the same for every user, so applications can correlate their views.
CALL_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://ctiswitch/o2g/callUUID")


def own_parties(call: Call, user: User) -> list[Party]:
    """The user's live parties in a call (two when calling its own device)."""
    return [p for p in call.parties.values() if p.user is user and p.kind is PartyKind.USER and p.connections]


def user_legs(call: Call, user: User) -> list[Connection]:
    return [c for p in own_parties(call, user) for c in p.connections]


def user_calls(switch: Switch, user: User) -> list[Call]:
    """The user's calls in call-reference order."""
    calls = {c.call.id: c.call for d in user.devices for c in d.connections
             if c.party.user is user and c.party.kind is PartyKind.USER}
    return [calls[ref] for ref in sorted(calls)]


def leg_view(conn: Connection) -> dict[str, Any]:
    state, ringing_remote = leg_state(conn)
    return {"deviceId": conn.dn, "state": state, "ringingRemote": ringing_remote,
            "capabilities": leg_capabilities(conn)}


def participant_view(switch: Switch, party: Party, multi: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "participantId": str(party.id),
        # A withheld identity is not shown at all, only that it is withheld;
        # `id` stays an object because the Node SDK dereferences it.
        "identity": {"id": {}, "type": {"main": "UNKNOWN"}} if party.anonymous else party_info(switch, party),
        "anonymous": party.anonymous,
        "undroppable": False,
    }
    if multi:
        view["state"] = participant_state(party)
    return view


def _associated(data: bytes | None) -> dict[str, Any]:
    """Associated data under the three names the SDKs read (o2g-wire.md §6)."""
    if data is None:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return {"associateData": text, "associatedData": text, "hexaBinaryAssociatedData": data.hex()}


def call_data(switch: Switch, user: User, call: Call, legs: list[Connection]) -> dict[str, Any]:
    state = best_state([leg_state(c)[0] for c in legs])
    data: dict[str, Any] = {}
    if call.initial_called:
        data["initialCalled"] = number_info(switch, call.initial_called)
    data["deviceCall"] = call.device_call
    data["anonymous"] = call.origin is not None and call.origin.anonymous
    data["callUUID"] = str(uuid.uuid5(CALL_UUID_NAMESPACE, call.gcid.hex()))
    data["state"] = state
    recording = call.recordings.get(user.login)
    if recording is not None:
        data["recordState"] = recording.value.upper()
    tags = [{"name": name, "value": value, "visibilities": list(vis)}
            for name, (value, vis) in sorted(call.data.tags.items()) if not vis or user.login in vis]
    if tags:
        data["tags"] = tags
    data["capabilities"] = call_capabilities(switch, user, call, legs, state)
    data.update(_associated(call.data.associated_data))
    if call.data.account_code is not None:
        data["accountInfo"] = call.data.account_code
    if call.group is not None and call.group.kind is GroupKind.QUEUE:
        data["acdCallData"] = {"pilotNumber": call.group.number}
    return data


def call_view(switch: Switch, user: User, call: Call) -> dict[str, Any]:
    """An O2G Call for `user`, plus `initiator` (kept for OnCallCreated)."""
    mine = own_parties(call, user)
    legs = [c for p in mine for c in p.connections]
    others = [p for p in call.parties.values() if p.connections and p not in mine]
    multi = len(call.live_parties()) >= 3
    view: dict[str, Any] = {
        "callRef": str(call.id),
        "callData": call_data(switch, user, call, legs),
        "legs": [leg_view(c) for c in legs],
        "participants": [participant_view(switch, p, multi) for p in others],
    }
    if call.origin is not None:
        view["initiator"] = str(call.origin.id)
    return view


def public_call(view: dict[str, Any]) -> dict[str, Any]:
    """A call view as the O2G `Call` object (no initiator)."""
    return {k: v for k, v in view.items() if k != "initiator"}


def device_capability_list(switch: Switch, user: User) -> list[dict[str, Any]]:
    return [device_capabilities(switch, d) for d in user.devices]


def device_states(user: User) -> list[dict[str, str]]:
    return [{"deviceId": d.number, "state": "IN_SERVICE" if d.in_service else "OUT_OF_SERVICE"}
            for d in user.devices]


def user_state(user: User) -> str:
    """BUSY when any of the user's connections is not merely ringing."""
    busy = any(c.state is not S.ALERTING for d in user.devices for c in d.connections)
    return "BUSY" if busy else "FREE"


def telephonic_state(switch: Switch, user: User, *, wrapped: bool) -> dict[str, Any]:
    """TelephonicState. GET /telephony/state wraps deviceStates in an object
    and OnTelephonyState sends a plain array (o2g-wire.md §3.4, §6)."""
    states = device_states(user)
    return {
        "calls": [public_call(call_view(switch, user, c)) for c in user_calls(switch, user)],
        "deviceCapabilities": device_capability_list(switch, user),
        "userState": user_state(user),
        "deviceStates": {"deviceStates": states} if wrapped else states,
    }
