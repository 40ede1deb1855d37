"""Engine calls -> MTCTI-3 call appearances and CallInfo snapshots (pure).

A face keeps no call model of its own (DESIGN.md): every CallInfo is
recomputed from the engine's state each time it may have changed, and the
subscription diffs it against what it last sent (spec/call-model.md §4.2,
spec/mtcti3.md §3.8). This module knows which engine objects make up an
appearance on each subscription kind and how one looks on the wire; it
allocates nothing and sends nothing.

Appearance keys (stable while the appearance lives, so its callid is too):
  user subscription    ("p", party id) of each USER party of the user;
                       party ids survive transfers, so callids do too;
                       ("v", party id) of each VOICEMAIL party answering
                       the user's own mailbox in a call the user is not
                       in (call-model §4.2 VM states); when it replaces the
                       user's ringing party the subscription hands it that
                       party's callid (Subscription._carry_over);
  queue subscription   ("c", call id) of each call that came through the
                       queue, until it ends or the client sends Finish;
  parkserver           ("p", party id) of each PARK party.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ctiswitch.engine.calls import Call, Connection, Party
from ctiswitch.engine.directory import Group, User
from ctiswitch.engine.states import (
    Cause,
    ConnectionState,
    ConsultPurpose,
    DeviceType,
    PartyKind,
    RecordingState,
    Role,
)
from ctiswitch.engine.switch import Switch

from .constants import CallFeature
from .mtcti3_pb2 import CallInfo, ConferenceMember, PartyInfo
from .wire import to_int32

S = ConnectionState
State = CallInfo.State
AppearanceKey = tuple[str, int]

#: Bit 15 is "reserved" yet set in every DOC example next to SetAccountCode
#: (0x23 aside); real clients see it, so the face sets it the same way.
RESERVED_BIT15 = 0x8000
#: Bit 31 is undocumented, yet the DOC's only example of a queue call
#: answered by voicemail (0xE0E0E091) sets it; the face sets it in that
#: state the same way. Like bit 15 it names no action.
UNDOCUMENTED_BIT31 = 0x80000000

#: ccflags bits that unlock optional CallInfo parts (spec/mtcti3.md §4.3).
CC_TARGETS = 0x04
CC_CONFERENCE = 0x08
CC_QUEUEINFO = 0x40
CC_CALLDATA = 0x80

#: PartyInfo.nametype values copied from the DOC's examples (A23).
NAMETYPE_USER = 5
NAMETYPE_EXTERNAL = 9
NAMETYPE_CONFERENCE = 110

#: CallLost.reason: Q.850 causes (A22, call-model §2.6).
Q850_NORMAL = 16
LOST_REASON: dict[Cause, int] = {
    Cause.BUSY: 17, Cause.DND: 17, Cause.INVALID_NUMBER: 1, Cause.DEST_NOT_OBTAINABLE: 27,
    Cause.TRUNKS_BUSY: 34, Cause.REJECTED: 21, Cause.NO_ANSWER: 19,
    Cause.DISTRIBUTED: 26, Cause.ANSWERED_ELSEWHERE: 26,
}

FAILED_CAUSE: dict[Cause, int] = {
    Cause.INVALID_NUMBER: CallInfo.UNALLOCATEDNUMBER,
    Cause.DEST_NOT_OBTAINABLE: CallInfo.NUMBEROOO,
    Cause.TRUNKS_BUSY: CallInfo.NOCHANNEL,
    Cause.REJECTED: CallInfo.REJECTED,
    Cause.NO_ANSWER: CallInfo.NORESPONSE,
}

#: Languages as IP Office names them (NotifyUser/CallData "eng", "dan").
LANGUAGES = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "nl": "nld", "da": "dan"}


def language(code: str) -> str:
    return LANGUAGES.get(code.split("-")[0].lower(), code)


# -- appearances --------------------------------------------------------------


def user_appearances(switch: Switch, user: User) -> Iterator[tuple[AppearanceKey, Party]]:
    """Every USER party of `user` in a live call: one appearance each, even
    when several of its devices ring (call-model §7 #1).

    A user's parties only ever have connections on the user's own devices,
    so those devices' connections find them without walking every live call
    (which cost O(calls) per recomputed subscription under load). They come
    in call order, then party order within the call, as a walk over the
    calls would give them: the order in which new appearances get callids."""
    parties: dict[int, Party] = {}
    for device in user.devices:
        for conn in device.connections:
            party = conn.party
            if party.user is user and party.kind is PartyKind.USER:
                parties[party.id] = party
    if len(parties) > 1:
        ordered = sorted(parties.values(), key=lambda p: (p.call.id, list(p.call.parties).index(p.id)))
    else:
        ordered = list(parties.values())
    for party in ordered:
        yield ("p", party.id), party


def voicemail_appearances(switch: Switch, user: User) -> Iterator[tuple[AppearanceKey, Party]]:
    """Calls in `user`'s own voicemail that the user is not in: a call that
    rang the user and went to its mailbox, or one transferred there
    (`/102/<user>`). The user's line keeps showing it in the voicemail
    states until the call ends (call-model §4.2). A call the user is in
    itself (dialling in to listen to its messages) shows as that call."""
    for party in switch.voicemail_parties(user):
        if party.connections and not any(p.user is user and p.kind is PartyKind.USER and p.connections
                                         for p in party.call.parties.values()):
            yield ("v", party.id), party


def queue_appearances(switch: Switch, group: Group) -> Iterator[tuple[AppearanceKey, Call]]:
    """Calls the queue follows (the engine's `queue_assoc`): from when they
    first enter it, through other queues they are sent on to and after
    answer, until they end or the client sends Finish (spec/mtcti3.md
    §4.4, §5.3 "to another queue")."""
    for call in switch.calls.values():
        if call.queue_assoc is group and call.live_parties():
            yield ("c", call.id), call


def park_appearances(switch: Switch) -> Iterator[tuple[AppearanceKey, Party]]:
    for party in switch.parks.values():
        if party.connections:
            yield ("p", party.id), party


# -- helpers on engine state ------------------------------------------------------


def best_connection(party: Party) -> Connection | None:
    """The connection a command on this appearance acts on: the one in the
    best state, the user's first device on a tie (desk phone before softphone)."""
    rank = {S.CONNECTED: 6, S.HELD: 5, S.ALERTING: 4, S.INITIATED: 3, S.QUEUED: 2, S.FAILED: 1}
    best: Connection | None = None
    for conn in party.connections:
        if best is None or rank.get(conn.state, 0) > rank.get(best.state, 0):
            best = conn
    return best


def others(party: Party) -> list[Party]:
    return [p for p in party.call.parties.values() if p is not party and p.connections]


def group_party(call: Call) -> Party | None:
    return next((p for p in call.parties.values() if p.kind is PartyKind.GROUP and p.connections), None)


def voicemail_party(call: Call) -> Party | None:
    """The voicemail server in the call (a mailbox or a call flow)."""
    return next((p for p in call.parties.values() if p.kind is PartyKind.VOICEMAIL and p.connections), None)


def parked_party(call: Call) -> Party | None:
    """The park slot holding the call, if it is parked."""
    return next((p for p in call.parties.values() if p.kind is PartyKind.PARK and p.connections), None)


def waiting_offers(call: Call, waiting: Party) -> list[Party]:
    """The members ringing on behalf of the group party `waiting`."""
    return [p for p in call.parties.values() if p is not waiting and p.group is not None and p.state is S.ALERTING]


def parkable_while_waiting(call: Call, waiting: Party) -> bool:
    """A waiting queue call can be parked when, besides the group and the
    members it rings, exactly one party (the caller) is in it: the one the
    park slot will hold (the engine's `park` checks the same)."""
    offers = waiting_offers(call, waiting)
    return len([p for p in call.live_parties() if p is not waiting and p not in offers]) == 1


def agent_party(call: Call, group: Group) -> Party | None:
    """Who has the queue call: the member who took it, else (after a
    transfer) whoever talks to the caller; while it rings, the first offer,
    else whoever the queue sent it on to and is ringing now."""
    live = [p for p in call.parties.values() if p.connections and p is not call.origin]
    members = [p for p in live if p.group is group]
    talking = [p for p in members + live if p.kind is PartyKind.USER and p.state in (S.CONNECTED, S.HELD)]
    if talking:
        return talking[0]
    if members:
        return members[0]
    return next((p for p in live if p.state is S.ALERTING and p.kind is not PartyKind.VOICEMAIL), None)


def is_conference(call: Call) -> bool:
    return len(call.live_parties()) >= 3


def in_meetme(call: Call) -> bool:
    """The call is connected to a MeetMe room, which offers the conference
    features (AddToConf, AdminConfMember, spec §5.3) even with two parties."""
    return any(p.kind is PartyKind.CONFERENCE and p.state is S.CONNECTED for p in call.live_parties())


def party_info(party: Party) -> PartyInfo:
    """A room shows as the conference it is, {room, "Conf <room>", 110}
    (call-model §4.2), which its party's number and name already carry."""
    nametype = {PartyKind.USER: NAMETYPE_USER, PartyKind.EXTERNAL: NAMETYPE_EXTERNAL,
                PartyKind.CONFERENCE: NAMETYPE_CONFERENCE}.get(party.kind, 0)
    return PartyInfo(number="" if party.anonymous else party.number, name=party.name or "",
                     nametype=nametype, withheld=party.anonymous)


def conference_info(call: Call) -> PartyInfo:
    return PartyInfo(number=str(call.id), name=f"Conf {call.id}", nametype=NAMETYPE_CONFERENCE)


# -- state of a user appearance -------------------------------------------------------


Counts = tuple[int, int, int]
NO_MESSAGES: Counts = (0, 0, 0)


def _no_mailbox(login: str) -> Counts:
    return NO_MESSAGES


@dataclass(frozen=True, slots=True)
class Seen:
    """What only the hub knows across connections: the logins whose app
    presence some live subscription handles (flag 0x800 or makelive, §4.3),
    and the (new, old, saved) voicemail counts of a login's mailbox, which
    the store keeps and the hub reads only for the subscriptions that show
    them."""

    app_handlers: frozenset[str] = frozenset()
    mailbox: Callable[[str], Counts] = _no_mailbox


def voicemail_state(party: Party) -> int:
    """A call in voicemail: the server rings (RINGINGVOICEMAIL, the DOC's
    RINGINVOICEMAIL), has answered and plays the greeting or runs a call
    flow (ANSWEREDBYVOICEMAIL), or records the caller's message
    (LEAVINGVOICEMAILMESSAGE)."""
    if party.state is S.ALERTING:
        return State.RINGINGVOICEMAIL
    if party.message_since is not None:
        return State.LEAVINGVOICEMAILMESSAGE
    return State.ANSWEREDBYVOICEMAIL


def user_state(party: Party, seen: Seen) -> tuple[int, int, bool, int]:
    """(State, Direction, activeheld, FailedCause) of a user appearance, per
    the table of spec/call-model.md §4.2; a VOICEMAIL party is the user's
    own voicemail answering an incoming call."""
    conn = best_connection(party)
    call = party.call
    if party.kind is PartyKind.VOICEMAIL:
        return (voicemail_state(party) if conn is not None else State.UNKNOWN), CallInfo.INBOUND, False, 0
    direction = CallInfo.OUTBOUND if party is call.origin else CallInfo.INBOUND
    if party.role in (Role.PICKUP, Role.UNPARK):
        direction = CallInfo.PICKUP
    if conn is None:
        return State.UNKNOWN, direction, False, 0
    if conn.state is S.INITIATED:
        return State.DIALLING if call.dialled else State.DIALTONE, CallInfo.OUTBOUND, False, 0
    if conn.state is S.ALERTING:
        return State.RINGING, CallInfo.OUTBOUND if conn.prompt else direction, False, 0
    if conn.state is S.HELD:
        if call.consult_peer is not None and call.consult_purpose is ConsultPurpose.TRANSFER:
            return State.ONHOLDPENDTRANSFER, direction, False, 0
        if call.consult_peer is not None and call.consult_purpose is ConsultPurpose.CONFERENCE:
            return State.ONHOLDPENDCONF, direction, False, 0
        return State.ONHOLD, direction, False, 0
    if conn.state is S.FAILED:
        cause = conn.failure or Cause.INVALID_NUMBER
        if cause in (Cause.BUSY, Cause.DND):
            return State.BUSY, direction, False, 0
        return State.FAILED, direction, False, FAILED_CAUSE.get(cause, CallInfo.UNSPECIFIED)
    rest = others(party)
    states = [p.state for p in rest]
    if not rest:
        return State.DIALLED, direction, False, 0
    if any(s is S.CONNECTED for s in states):
        return State.CONNECTED, direction, False, 0
    if all(s is S.HELD for s in states) or all(p.kind is PartyKind.PARK for p in rest):
        return State.CONNECTED, direction, True, 0
    return State.RINGBACK, direction, False, 0


# -- featuresavailable ------------------------------------------------------------------

F = CallFeature


def held_partner(party: Party) -> Party | None:
    """The same user's party in the consult peer call (SetupTransfer or
    SetupConf): what CompleteTransfer/Conf joins by default (relatedcallid)."""
    user = party.user
    peer = party.call.consult_peer
    if peer is not None and user is not None:
        for p in peer.parties.values():
            if p.user is user and p.connections:
                return p
    return None


def user_features(party: Party, state: int, switch: Switch) -> int:
    """The CallFunction actions this face can carry out now on a user
    appearance (spec/call-model.md §5.2, limited to what the engine does)."""
    conn = best_connection(party)
    user = party.user
    if conn is not None and party.kind is PartyKind.VOICEMAIL:
        return int(F.Drop)  # call-model §5.2 "VM states: Drop": the call is cleared
    if conn is None or user is None:
        return 0
    bits = F.Drop
    account = F.SetAccountCode | RESERVED_BIT15 | F.SetAuthCode
    partner = held_partner(party)
    complete = F.CompleteTransfer | F.CompleteConf if partner is not None and partner.state in (
        S.HELD, S.CONNECTED) else 0
    if state == State.RINGING:
        if conn.prompt:
            return int(bits | F.AnswerCall)
        answer = F.AnswerCall if conn.device is not None and conn.device.type is not DeviceType.ANALOG else 0
        return int(bits | answer | F.Redirect)
    if state in (State.DIALTONE, State.DIALLING):
        return int(bits | F.Dial | account)
    if state in (State.DIALLED, State.RINGBACK):
        hold = F.HoldCall if state == State.RINGBACK else 0
        return int(bits | F.SetTag | account | hold | complete)
    if state in (State.ONHOLD, State.ONHOLDPENDTRANSFER, State.ONHOLDPENDCONF):
        return int(bits | F.UnHoldCall | F.SetTag | account | complete)
    if state != State.CONNECTED:
        return int(bits)
    call = party.call
    bits |= F.HoldCall | F.BlindTransfer | F.SetTag | account | F.GenerateDigits | complete
    if len(call.live_parties()) == 2:
        bits |= F.Park
    if conn.device is not None and conn.device.has_free_appearance():
        bits |= F.SetupTransfer
    recording = call.recordings.get(user.login)
    if user.has_mailbox:
        bits |= F.CallRecordingOff if recording is not None else F.CallRecordingOn
    if recording is not None:
        bits |= F.RecordingPauseControl
    bits |= F.PrivacyOff if party.privacy else F.PrivacyOn
    if is_conference(call) or in_meetme(call):
        bits |= F.AddToConf | F.AdminConfMember | (F.MuteOff if party.muted else F.MuteOn)
    if can_push(party, conn):
        bits |= F.PushToEC500
    return int(bits)


def can_push(party: Party, conn: Connection) -> bool:
    """PushToEC500 (call-model §5.2: "PushToEC500 (ec500)"): twinning is on,
    the user has a mobile that can take a call, the call is not on it, and
    no push is ringing already."""
    user = party.user
    twin = user.twin if user is not None else None
    return (user is not None and twin is not None and user.presence.twinning and conn.device is not twin
            and twin.in_service and twin.has_free_appearance()
            and all(c.state is not S.ALERTING for c in party.connections))


QUEUE_BASE = int(F.Drop | F.SetTag | F.SetAccountCode | F.ForceClear | F.SetAuthCode | F.SetPriority
                 | F.Finish) | RESERVED_BIT15


def queue_actor(call: Call, group: Group) -> Party | None:
    """The party through which the queue acts on its call: the group party
    while the call waits or rings agents, else the agent who has it, else
    the voicemail server that answered it, else the park slot holding it."""
    waiting = group_party(call)
    if waiting is not None:
        return waiting
    agent = agent_party(call, group)
    if agent is not None and agent.state in (S.CONNECTED, S.HELD):
        return agent
    return voicemail_party(call) or parked_party(call) or agent


def queue_state(call: Call, group: Group) -> int:
    """The call as its queue sees it (call-model §4.2 queue appearance):
    QUEUEING while it waits, RINGING while members are offered it, the
    agent's CONNECTED/ONHOLD once one has it, ANSWEREDBYVOICEMAIL (or
    RINGINGVOICEMAIL) in voicemail or a call flow, and ONHOLD while it is
    parked (the caller hears music until it is unparked or recalls).
    DECISION: parked shows ONHOLD; the DOC keeps parkslot for ParkServer."""
    actor = queue_actor(call, group)
    if actor is None:
        return State.CONNECTED
    if actor.kind is PartyKind.GROUP:
        return State.RINGING if any(p.group is group and p.state is S.ALERTING for p in call.parties.values()) \
            else State.QUEUEING
    if actor.kind is PartyKind.VOICEMAIL:
        # A message being left shows as answered here: the queue's view is
        # the DOC's, which knows only ANSWEREDBYVOICEMAIL for its calls.
        return State.RINGINGVOICEMAIL if actor.state is S.ALERTING else State.ANSWEREDBYVOICEMAIL
    if actor.kind is PartyKind.PARK or actor.state is S.HELD:
        return State.ONHOLD
    if actor.state is S.ALERTING:  # sent on by the queue, still ringing there
        return State.RINGING
    return State.CONNECTED


def queue_features(call: Call, group: Group) -> int:
    """Queue actions the face can carry out: the base set on any queue call
    (0x6060E001, spec/call-model.md §5.2) plus, by state:
      QUEUEING/RINGING   BlindTransfer and Park (0x6060E091), and Redirect
                         while agents ring (0x6060E0B1): the queue sends or
                         parks its call, which stops the queueing;
      agent CONNECTED    BlindTransfer, Park (two parties), the agent's
                         recording;
      ANSWEREDBYVOICEMAIL  BlindTransfer (back out of voicemail), Park (two
                         parties) and bit 31, as in the DOC's 0xE0E0E091
                         but without CallRecordingOn: a queue has no
                         mailbox in this switch and nobody who talks in
                         the call owns one, so there is nowhere honest to
                         record to (0xE060E091);
      RINGINGVOICEMAIL   BlindTransfer;
      parked             BlindTransfer (out of the park slot);
      sent on, ringing   BlindTransfer and Redirect (the queue may still
                         send its call elsewhere, 0x6060E031).
    A parked queue call recalls to the queue (Switch.park)."""
    actor = queue_actor(call, group)
    bits = QUEUE_BASE
    if actor is None:
        return bits
    if actor.kind is PartyKind.GROUP:
        bits |= int(F.BlindTransfer)
        if parkable_while_waiting(call, actor):
            bits |= int(F.Park)
        if any(p.group is group and p.state is S.ALERTING for p in call.parties.values()):
            bits |= int(F.Redirect)
    elif actor.kind is PartyKind.VOICEMAIL:
        bits |= int(F.BlindTransfer)
        if actor.state is S.CONNECTED:
            bits |= UNDOCUMENTED_BIT31
            if len(call.live_parties()) == 2:
                bits |= int(F.Park)
    elif actor.kind is PartyKind.PARK:
        bits |= int(F.BlindTransfer)
    elif actor.state is S.ALERTING:
        bits |= int(F.BlindTransfer | F.Redirect)
    elif actor.state is S.CONNECTED and actor.user is not None:
        bits |= int(F.BlindTransfer)
        if len(call.live_parties()) == 2:
            bits |= int(F.Park)
        if actor.user.has_mailbox:
            bits |= int(F.CallRecordingOff if actor.user.login in call.recordings else F.CallRecordingOn)
    return bits


PARK_FEATURES = int(F.Drop | F.BlindTransfer | F.SetTag | F.ForceClear)


# -- CallInfo ---------------------------------------------------------------------------

CallIdOf = Callable[[Party], int]


def _common(info: CallInfo, call: Call, ccflags: int) -> None:
    info.gcid = call.gcid
    info.calledparty = call.dialled or ""
    if call.data.label:
        info.tag = call.data.label
    if call.data.account_code:
        info.accountcode = call.data.account_code
    if call.group is not None and ccflags & CC_QUEUEINFO:
        info.queueinfo.number = call.group.number
        info.queueinfo.name = call.group.name
        info.queueinfo.priority = call.data.priority or 1


def user_call_info(party: Party, callid: int, reference: int, related: int, seen: Seen,
                   switch: Switch, ccflags: int) -> CallInfo:
    """The complete snapshot of one user appearance."""
    if party.kind is PartyKind.VOICEMAIL:
        return voicemail_call_info(party, callid, reference, switch, ccflags)
    call = party.call
    state, direction, activeheld, failed = user_state(party, seen)
    info = CallInfo(callid=callid, referencecallid=reference, relatedcallid=related, state=state,
                    direction=direction, activeheld=activeheld)
    _common(info, call, ccflags)
    info.featuresavailable = to_int32(user_features(party, state, switch))
    if failed:
        info.failedcause = failed
    origin = call.origin
    if origin is not None and origin is not party:
        info.callingparty.CopyFrom(party_info(origin))
    rest = others(party)
    if is_conference(call):
        info.connectedparty.CopyFrom(conference_info(call))
        info.mute = party.muted
    elif len(rest) == 1 and rest[0].kind is not PartyKind.PARK:
        info.connectedparty.CopyFrom(party_info(rest[0]))
    if call.initial_called and party.user is not None and call.initial_called != party.user.number \
            and party is not origin:
        info.originalcalledparty.number = call.initial_called
    user = party.user
    if user is not None:
        recording = call.recordings.get(user.login)
        info.recording = recording is not None
        info.recordingpaused = recording is RecordingState.PAUSED
    if ccflags & CC_CONFERENCE and is_conference(call):
        for other in rest:
            member = ConferenceMember(lref=other.id, state=_member_state(other),
                                      direction=ConferenceMember.INBOUND if other is not origin
                                      else ConferenceMember.OUTBOUND, mute=other.muted)
            member.connectedparty.CopyFrom(party_info(other))
            info.conferencemember.append(member)
    if ccflags & CC_CALLDATA:
        info.calldata.language = language(user.language) if user is not None else ""
        info.calldata.privacy = party.privacy
    return info


def voicemail_call_info(party: Party, callid: int, reference: int, switch: Switch, ccflags: int) -> CallInfo:
    """A call in the user's own voicemail, on the user's line: the caller,
    and the voicemail it is connected to (call-model §4.2); Drop only."""
    call = party.call
    info = CallInfo(callid=callid, referencecallid=reference, state=voicemail_state(party),
                    direction=CallInfo.INBOUND)
    _common(info, call, ccflags)
    info.featuresavailable = to_int32(user_features(party, info.state, switch))
    origin = call.origin
    if origin is not None and origin is not party:
        info.callingparty.CopyFrom(party_info(origin))
    info.connectedparty.CopyFrom(party_info(party))
    owner = party.coverage_of
    if call.initial_called and owner is not None and call.initial_called != owner.number:
        info.originalcalledparty.number = call.initial_called
    if ccflags & CC_CALLDATA and owner is not None:
        info.calldata.language = language(owner.language)
    return info


def _member_state(party: Party) -> int:
    return {S.CONNECTED: ConferenceMember.CONNECTED, S.HELD: ConferenceMember.ONHOLD,
            S.ALERTING: ConferenceMember.RINGING, S.INITIATED: ConferenceMember.DIALTONE,
            S.FAILED: ConferenceMember.FAILED}.get(party.state, ConferenceMember.UNKNOWN)


def queue_call_info(call: Call, group: Group, callid: int, switch: Switch, ccflags: int) -> CallInfo:
    """The snapshot of a call as its queue sees it (`queue_state`); in
    voicemail its connectedparty is the mailbox or call flow, as in the
    DOC's `/102/Callflow` example: {number="Callflow"}."""
    waiting = group_party(call)
    # The members ringing for the group the call waits in, this queue or
    # another it was sent on to (the DOC's example lists the other
    # queue's agent as a target of the owner queue's QUEUEING call).
    offers = [p for p in call.parties.values() if p.group is not None and p.state is S.ALERTING]
    agent = agent_party(call, group)
    if not offers and agent is not None and agent.state is S.ALERTING:
        offers = [agent]  # the queue sent its call on to someone still ringing
    state = queue_state(call, group)
    info = CallInfo(callid=callid, state=state, direction=CallInfo.INBOUND)
    _common(info, call, ccflags | CC_QUEUEINFO)
    info.queueinfo.number = group.number
    info.queueinfo.name = group.name
    if waiting is not None and waiting.number != group.number:
        info.queueinfo.overflow_number = waiting.number
        info.queueinfo.overflow_name = waiting.name or ""
    info.featuresavailable = to_int32(queue_features(call, group))
    if call.origin is not None:
        info.callingparty.CopyFrom(party_info(call.origin))
    info.originalcalledparty.number = group.number
    info.originalcalledparty.name = group.name
    if agent is not None and agent.state in (S.CONNECTED, S.HELD):
        info.connectedparty.CopyFrom(party_info(agent))
        recording = call.recordings.get(agent.user.login) if agent.user is not None else None
        info.recording = recording is not None
        info.recordingpaused = recording is RecordingState.PAUSED
    elif state in (State.ANSWEREDBYVOICEMAIL, State.RINGINGVOICEMAIL):
        voicemail = voicemail_party(call)
        assert voicemail is not None
        info.connectedparty.CopyFrom(party_info(voicemail))
    if state in (State.RINGING, State.QUEUEING):
        for offer in offers:
            info.targets.target.add().partyinfo.CopyFrom(party_info(offer))
    return info


def park_call_info(party: Party, callid: int, ccflags: int) -> CallInfo:
    """A parked call as the park server shows it, with its slot."""
    call = party.call
    info = CallInfo(callid=callid, state=State.CONNECTED, direction=CallInfo.INBOUND, activeheld=True,
                    parkslot=party.slot or party.number)
    _common(info, call, ccflags)
    info.featuresavailable = to_int32(PARK_FEATURES)
    rest = others(party)
    if rest:
        info.connectedparty.CopyFrom(party_info(rest[0]))
    return info
