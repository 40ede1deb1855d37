"""Engine state to Turret API values, and engine refusals to Turret codes.

Pure functions of (switch state, viewing turret, profile): no I/O, no face
state beyond what is passed in. The face never keeps a call model of its own;
it recomputes a `TurretView` from the engine after every batch and sends each
subscriber the difference from the last view it sent (call-model principle 3).

Line state sets follow call-model §4.3 (spec turret-and-sky.md A3, C1 A-15):

    no connection                      {Idle}
    device out of service              {Inactive}
    ALERTING                           {Ringing}
    INITIATED/CONNECTED/FAILED         {Connected, Conversation} for the turret
                                       owning the audio, else ConversationByAnother
    HELD COMMON / PRIVATE              {Connected, CommonHold} / {Connected, PrivateHold}
                                       for the holding turret, else ...ByAnother
    primary held + consultation        {Connected, Conversation, HostingConsultation}
                                       (+ConsultationConnected once answered)
    >= 3 parties                       {Connected, Conversation, HostingPbxConference}
    privacy                            + Privacy / PrivacyByAnother
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ctiswitch.config.model import Line, TurretProfile
from ctiswitch.engine.calls import Connection, Party
from ctiswitch.engine.directory import Device
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.states import ConnectionState, HoldKind

from .idl import load_idl

S = ConnectionState
T = load_idl()
B = T.BasicLineState

#: Connection states in which the line carries speech (or is trying to).
TALKING = frozenset({S.INITIATED, S.CONNECTED, S.FAILED})

#: Config speech unit types to Thrift DeviceType (config/model.py SpeechUnit).
DEVICE_TYPES: Mapping[str, int] = {
    "handset": T.DeviceType.Handset,
    "headset": T.DeviceType.Headset,
    "microphone": T.DeviceType.MicrophoneWithoutSpeaker,
    "loudspeaker": T.DeviceType.MicrophoneWithSpeaker,
}

#: Engine refusal to Turret error code, where a request has no more specific
#: code of its own (call-model §5.3).
REFUSAL_CODES: Mapping[Refusal, int] = {
    Refusal.CALL_NOT_FOUND: T.SpeechUnitHasNoCall,
    Refusal.CONNECTION_NOT_FOUND: T.SpeechUnitHasNoCall,
    Refusal.DEVICE_NOT_FOUND: T.InvalidLine,
    Refusal.NO_FREE_APPEARANCE: T.LineBusy,
    Refusal.OUT_OF_SERVICE: T.LineUnavailable,
    Refusal.BAD_DESTINATION: T.InvalidArgument,
    Refusal.BAD_VALUE: T.InvalidArgument,
}

#: DTMF digits as sent in `dtmf(suId, i8 digit)`: spec C1 A-14 accepts both
#: encodings, the values 0-11 (10 = *, 11 = #) and ASCII codes.
_DTMF_VALUES = {**{n: str(n) for n in range(10)}, 10: "*", 11: "#"}
_DTMF_ASCII = frozenset("0123456789*#ABCD")


def refusal_code(refusal: Refusal) -> int:
    """The Turret code for an engine refusal: FunctionUnavailable unless mapped."""
    return REFUSAL_CODES.get(refusal, T.FunctionUnavailable)


def dtmf_digit(value: int) -> str | None:
    """The DTMF character for an i8 digit, or None when it is not one."""
    if value in _DTMF_VALUES:
        return _DTMF_VALUES[value]
    char = chr(value) if 0 <= value < 128 else ""
    return char if char in _DTMF_ASCII else None


def owned_by(conn: Connection, turret: str) -> bool:
    """Whether `turret` has this connection's audio (or holds it)."""
    return conn.audio is not None and conn.audio[0] == turret


def _peer_connection(conn: Connection) -> Connection | None:
    """The same line's connection in the consultation-linked call, if any."""
    peer = conn.call.consult_peer
    if peer is None or conn.device is None:
        return None
    return next((c for c in conn.device.connections if c.call is peer), None)


def _others_connected(conn: Connection) -> bool:
    """Whether someone else in the call is CONNECTED (the far end answered)."""
    return any(
        p is not conn.party and p.state is S.CONNECTED for p in conn.call.parties.values()
    )


def line_states(device: Device, turret: str) -> frozenset[int]:
    """The composite BasicLineState set of one line as `turret` sees it."""
    if not device.in_service:
        return frozenset({B.Inactive})
    if not device.connections:
        return frozenset({B.Idle})
    states: set[int] = set()
    for conn in device.connections:
        mine = owned_by(conn, turret)
        if conn.state is S.ALERTING:
            states.add(B.Ringing)
            continue
        states.add(B.Connected)
        peer = _peer_connection(conn)
        if conn.state is S.HELD:
            if peer is not None and peer.state in TALKING:
                continue  # the host of a consultation: its active leg speaks for it
            private = conn.hold_kind is HoldKind.PRIVATE
            if private:
                states.add(B.PrivateHold if mine else B.PrivateHoldByAnother)
            else:
                states.add(B.CommonHold if mine else B.CommonHoldByAnother)
        elif conn.state in TALKING:
            states.add(B.Conversation if mine else B.ConversationByAnother)
            if mine and peer is not None and peer.state is S.HELD:
                states.add(B.HostingConsultation)
                if _consultation_answered(conn, peer):
                    states.add(B.ConsultationConnected)
            if mine and len(conn.call.live_parties()) >= 3:
                states.add(B.HostingPbxConference)
        if conn.party.privacy:
            states.add(B.Privacy if mine else B.PrivacyByAnother)
    return frozenset(states)


def _consultation_answered(active: Connection, held: Connection) -> bool:
    """The consultation call (the newer of the two linked calls) is answered."""
    consultation = active if active.call.id > held.call.id else held
    return _others_connected(consultation)


def remote_party(conn: Connection) -> Party | None:
    """The party a line connection talks to: the first other live party."""
    return next(
        (p for p in conn.call.parties.values() if p is not conn.party and p.connections),
        None,
    )


def call_data(line: str, conn: Connection, contacts: Mapping[str, str]) -> Any:
    """The CallData of one call on a line (call-model §4.3).

    `callId` is the line's own party id: unique within the line and stable
    while the call stays on it. The remote party is the first other live one
    (the original far end in a conference); before it exists, the number
    dialled stands in for it.
    """
    remote = remote_party(conn)
    if remote is None:
        number, name = conn.call.dialled or "", ""
    elif remote.anonymous:
        number, name = "", ""
    else:
        number, name = remote.number, remote.name or ""
    return T.CallData(
        lineName=line,
        partyNumber=number,
        partyName=name,
        contactName=contacts.get(number, "") if number else "",
        callId=str(conn.party.id),
        active=conn.state in TALKING,
    )


@dataclass(frozen=True, slots=True)
class Extras:
    """What a loaded profile shows besides its own lines and calls.

    `lines` are other profiles' lines its active ring transfers present
    (their priorities follow the profile's own); the three mappings are the
    states of its ring transfers and sequences, keyed by RingTransferId
    (apiName, controlledProfileName), and of its interface actions, keyed by
    api name, as (state, labelText, firstLineText, secondLineText).
    """

    lines: tuple[Line, ...] = ()
    ring_transfers: Mapping[tuple[str, str], int] = field(default_factory=dict)
    sequences: Mapping[tuple[str, str], int] = field(default_factory=dict)
    actions: Mapping[str, tuple[int, str, str, str]] = field(default_factory=dict)


NO_EXTRAS = Extras()


@dataclass(frozen=True, slots=True)
class TurretView:
    """Everything a subscriber of one turret has been told, comparable by value.

    `lines` maps each line the turret shows (the logged-in profile's, then
    those its ring transfers present) to its state set; `calls` maps (line,
    callId) to the CallData fields; `top` is the line at the head of the call
    queue, "" when it is empty; the last three hold the `Extras` states, so
    a subscriber that lost messages can be brought up to date with them too.
    """

    login_state: int
    lines: Mapping[str, frozenset[int]] = field(default_factory=dict)
    calls: Mapping[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    top: str = ""
    ring_transfers: Mapping[tuple[str, str], int] = field(default_factory=dict)
    sequences: Mapping[tuple[str, str], int] = field(default_factory=dict)
    actions: Mapping[str, tuple[int, str, str, str]] = field(default_factory=dict)


def _call_tuple(data: Any) -> tuple[Any, ...]:
    return (data.lineName, data.partyNumber, data.partyName, data.contactName, data.callId, data.active)


def profile_devices(
    profile: TurretProfile, devices: Mapping[str, Device], extra: Sequence[Line] = ()
) -> list[tuple[str, Device]]:
    """(line name, engine device) for each line a profile shows, in order."""
    return [(line.name, devices[line.number]) for line in (*profile.lines, *extra) if line.number in devices]


def call_queue(
    profile: TurretProfile, devices: Mapping[str, Device], extra: Sequence[Line] = ()
) -> list[tuple[str, Connection]]:
    """The ringing lines a profile shows: by line priority, then by when they began to ring."""
    ringing: list[tuple[int, float, str, Connection]] = []
    for line in (*profile.lines, *extra):
        device = devices.get(line.number)
        if device is None:
            continue
        for conn in device.connections:
            if conn.state is S.ALERTING:
                ringing.append((line.priority, conn.party.alerted_at or conn.since, line.name, conn))
    ringing.sort(key=lambda item: (item[0], item[1]))
    return [(name, conn) for _, _, name, conn in ringing]


def build_view(
    turret: str,
    login_state: int,
    profile: TurretProfile | None,
    devices: Mapping[str, Device],
    extras: Extras = NO_EXTRAS,
) -> TurretView:
    """The current view of one turret: empty lines and calls when no profile is loaded."""
    if profile is None:
        return TurretView(login_state)
    lines: dict[str, frozenset[int]] = {}
    calls: dict[tuple[str, str], tuple[Any, ...]] = {}
    for name, device in profile_devices(profile, devices, extras.lines):
        lines[name] = line_states(device, turret)
        for conn in device.connections:
            data = call_data(name, conn, profile.contacts)
            calls[(name, data.callId)] = _call_tuple(data)
    queue = call_queue(profile, devices, extras.lines)
    return TurretView(login_state, lines, calls, queue[0][0] if queue else "",
                      extras.ring_transfers, extras.sequences, extras.actions)


Notification = tuple[str, tuple[Any, ...]]
"""A notification method name and its arguments after `turretName`."""


def view_changes(old: TurretView | None, new: TurretView, *, legacy_call_data: bool = True) -> list[Notification]:
    """The notifications that bring a subscriber from `old` to `new`.

    `old` None means the subscriber knows nothing (a new one after a queue
    overflow): it gets the login state and every line, call, the queue head
    and feature state. Order: login state, line states, call data, top of
    the queue, ring transfers, sequences, interface actions.
    `legacy_call_data` also sends the deprecated onCallDataChanged (spec C1 A-16).
    """
    out: list[Notification] = []
    if old is None or old.login_state != new.login_state:
        out.append(("onLoginStateChanged", (new.login_state,)))
    old_lines = old.lines if old is not None else {}
    for name, states in new.lines.items():
        if old_lines.get(name) != states:
            out.append(("onLineStatesChanged", (T.LineStatesData(lineName=name, basicLineStates=set(states)),)))
    old_calls = old.calls if old is not None else {}
    for key, fields in new.calls.items():
        if old_calls.get(key) != fields:
            line, number, name, contact, call_id, active = fields
            out.append(("onCallDataChangedEx", (T.CallData(line, number, name, contact, call_id, active),)))
            if legacy_call_data:
                out.append(("onCallDataChanged", (line, number, name, contact)))
    old_top = old.top if old is not None else None
    if old_top != new.top and not (old is None and new.top == ""):
        out.append(("onTopOfCallQueueChanged", (new.top,)))
    out.extend(_feature_changes(old, new))
    return out


def _feature_changes(old: TurretView | None, new: TurretView) -> list[Notification]:
    """Ring transfer, sequence and interface action states that differ from `old`."""
    out: list[Notification] = []
    old_rt = old.ring_transfers if old is not None else {}
    for (api, controlled), state in new.ring_transfers.items():
        if old_rt.get((api, controlled)) != state:
            rid = T.RingTransferId(apiName=api, controlledProfileName=controlled)
            out.append(("onRingTransferStateChanged", (rid, state)))
    old_seq = old.sequences if old is not None else {}
    for (api, controlled), state in new.sequences.items():
        if old_seq.get((api, controlled)) != state:
            rid = T.RingTransferId(apiName=api, controlledProfileName=controlled)
            out.append(("onRingTransferSequenceStateChanged", (rid, state)))
    old_actions = old.actions if old is not None else {}
    for api, fields in new.actions.items():
        if old_actions.get(api) != fields:
            state, label, first, second = fields
            shown = T.InterfaceActionState(state=state, labelText=label, firstLineText=first, secondLineText=second)
            out.append(("onInterfaceActionStateChanged", (api, shown)))
    return out

