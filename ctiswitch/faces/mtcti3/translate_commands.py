"""MTCTI-3 call-control commands -> engine commands, with the documented
result codes (spec/mtcti3.md §5.2, §6.1; spec/call-model.md §5.3).

Each function validates the request against the subscription's current view
(the featuresavailable bit is re-checked when the command arrives, A18), runs
the engine command and returns a RequestResponse result code. The real
outcome reaches the client through later Notifies (§3.5).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ctiswitch.engine.calls import Call, Connection, Party
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.states import ConnectionState, ConsultPurpose, DeviceType, PartyKind
from ctiswitch.engine.switch import Switch

from . import translate_calls as tc
from .constants import (
    ACTION_FEATURE,
    ARG1_LENGTH,
    FINISH_ARG1,
    SET_PRIORITY_ARG1,
    TAG_MAX,
    CallFeature,
)
from .constants import ResultCode as R
from .mtcti3_pb2 import (
    CallFunction,
    MakeCall,
    MemberFunctionData,
    UnParkCall,
    UpdateCallControl,
)
from .subscriptions import Subscription

S = ConnectionState
A = CallFunction

REFUSAL_CODE: dict[Refusal, R] = {
    Refusal.CALL_NOT_FOUND: R.MTCTISESS_CALLCONTROL_CALLNOTFOUND,
    Refusal.CONNECTION_NOT_FOUND: R.MTCTISESS_CALLCONTROL_CALLNOTFOUND,
    Refusal.DEVICE_NOT_FOUND: R.MTCTISESS_CALLCONTROL_TARGETNOTFOUND,
    Refusal.USER_NOT_FOUND: R.MTCTISESS_CALLCONTROL_TARGETNOTFOUND,
    Refusal.GROUP_NOT_FOUND: R.MTCTISESS_CALLCONTROL_TARGETNOTFOUND,
    Refusal.INVALID_STATE: R.MTCTISESS_CALLCONTROL_INVALIDCALLSTATE,
    Refusal.ALREADY_DONE: R.MTCTISESS_CALLCONTROL_ALREADYDONE,
    Refusal.NO_FREE_APPEARANCE: R.MTCTISESS_CALLCONTROL_MAXCALLS,
    Refusal.OUT_OF_SERVICE: R.MTCTISESS_CALLCONTROL_EXTNFAULT,
    Refusal.BAD_DESTINATION: R.MTCTISESS_CALLCONTROL_BADFORMATTING,
    Refusal.TARGET_UNREACHABLE: R.MTCTISESS_CALLCONTROL_TRANSFERFAILED,
    Refusal.NOT_OWNER: R.MTCTISESS_CALLCONTROL_PERMISSION,
    Refusal.NO_VOICEMAIL: R.MTCTISESS_CALLCONTROL_PERMISSION,
    Refusal.CANT_COMPLETE: R.MTCTISESS_CALLCONTROL_CANTCOMPLETE,
    Refusal.PARK_SLOT_BUSY: R.MTCTISESS_CALLCONTROL_PARKFAILED,
    Refusal.SLOT_EMPTY: R.MTCTISESS_CALLCONTROL_TARGETNOTFOUND,
    Refusal.CAPACITY: R.MTCTISESS_CALLCONTROL_CANTCOMPLETE,
    Refusal.BAD_VALUE: R.MTCTISESS_CALLCONTROL_BADFORMATTING,
}

#: Actions "not supported in this release" and the unused numbers (§5.2).
UNSUPPORTED = frozenset({0, A.SetNotes, A.ShortCodeAction, A.Unused21, A.Unused31, A.Unused33})
_DIGITS = re.compile(r"^[0-9*#]+$")
_DESTINATION = re.compile(r"^\+?[0-9*#]{1,32}$")
#: BlindTransfer "/<type>/<destination>" (§5.3); a ";suffix" is ignored
#: except a MeetMe PIN.
_TYPED = re.compile(r"^/(\d{3})/([^;]*)(;.*)?$")
#: The PIN suffix of a protected MeetMe room: "/116/2005;MODEFROMPIN(123456)".
_PIN_SUFFIX = re.compile(r"^;MODEFROMPIN\(([0-9]+)\)$")
_MEETME_TYPE = "116"
#: Types whose modifier (page, force answer, intrude, priority, camp-on,
#: whisper, inclusion, FNE) the engine does not model: the call is simply
#: transferred to the destination.
_PLAIN_TYPES = frozenset({"104", "105", "106", "107", "109", "111", "112", "120"})
_VOICEMAIL_TYPE = "102"
#: A VMPro call flow's name after "/102/" (DECISION): letters and digits of
#: any script, space, and _ - . # * +; no '/' or ';' (they delimit arg1),
#: no control characters, no space at either end. arg1's 78 characters
#: bound it (73 after "/102/").
_CALL_FLOW = re.compile(r"[\w#*+.\-](?:[\w #*+.\-]*[\w#*+.\-])?")


class Refused(Exception):
    """A command refused with a result code; nothing was changed."""

    def __init__(self, code: R) -> None:
        super().__init__(code.name)
        self.code = code


def engine(action: Callable[[], object], **overrides: R) -> None:
    """Run an engine command, turning its refusal into a result code;
    `overrides` maps Refusal names to a feature-specific code."""
    try:
        action()
    except CommandError as error:
        code = overrides.get(error.refusal.name) or REFUSAL_CODE.get(error.refusal, R.MTCTISESS_REQUESTFAILED)
        raise Refused(code) from error


def _party_by_id(switch: Switch, party_id: int) -> Party | None:
    for call in switch.calls.values():
        party = call.parties.get(party_id)
        if party is not None:
            return party
    return None


def resolve(switch: Switch, sub: Subscription, callid: int, reference: int) -> tuple[tc.AppearanceKey, object] | None:
    """The appearance a command names, by callid (preferred, A20) or by the
    client's referencecallid."""
    if not callid and reference:
        callid = next((c for c, r in sub.refs.items() if r == reference), 0)
    key = next((k for k, c in sub.callids.items() if c == callid), None) if callid else None
    if key is None:
        return None
    kind, ident = key
    thing = switch.calls.get(ident) if kind == "c" else _party_by_id(switch, ident)
    return (key, thing) if thing is not None else None


@dataclass(slots=True)
class Target:
    """The appearance a CallFunction acts on, and the engine objects behind it."""

    switch: Switch
    sub: Subscription
    call: Call
    party: Party | None  # the user (or park) party; the agent on a queue call
    features: int

    def conn(self) -> Connection:
        conn = tc.best_connection(self.party) if self.party is not None else None
        if conn is None:
            raise Refused(R.MTCTISESS_CALLCONTROL_INVALIDCALLSTATE)
        return conn


def _target(switch: Switch, sub: Subscription, thing: object) -> Target:
    if sub.kind == "queue":
        assert isinstance(thing, Call) and sub.group is not None
        # The queue acts through its group party while the call waits, then
        # through the agent, the voicemail or the park slot that has it.
        return Target(switch, sub, thing, tc.queue_actor(thing, sub.group), tc.queue_features(thing, sub.group))
    assert isinstance(thing, Party)
    if sub.kind == "parkserver":
        return Target(switch, sub, thing.call, thing, tc.PARK_FEATURES)
    state = tc.user_state(thing, tc.Seen({}))[0]
    return Target(switch, sub, thing.call, thing, tc.user_features(thing, state, switch))


def call_function(switch: Switch, sub: Subscription, update: UpdateCallControl) -> R:
    """Carry out `callfunction` on the appearance the update names."""
    function = update.callfunction
    action = function.action
    found = resolve(switch, sub, update.callid, update.referencecallid)
    if found is None:
        return R.MTCTISESS_NOTFOUND if action == A.DropCall else R.MTCTISESS_CALLCONTROL_CALLNOTFOUND
    if action in UNSUPPORTED or action not in A.Action.values():
        return R.MTCTISESS_CALLCONTROL_UNSUPPORTED
    arg1 = function.arg1
    low, high = ARG1_LENGTH.get(action, (0, 10_000))
    if not low <= len(arg1) <= high:
        return R.MTCTISESS_CALLCONTROL_BADFORMATTING
    target = _target(switch, sub, found[1])
    feature = ACTION_FEATURE.get(action)
    handler = _ACTIONS.get(action)
    # AnswerPage has no handler: the engine has no page calls, so its bit
    # (featuresavailable2 bit 0) is never set.
    if handler is None or feature is None or not target.features & feature:
        already = {A.HoldCall: CallFeature.UnHoldCall, A.UnHoldCall: CallFeature.HoldCall}.get(action)
        if already is not None and target.features & already:
            return R.MTCTISESS_CALLCONTROL_ALREADYDONE
        return R.MTCTISESS_CALLCONTROL_INVALIDCALLSTATE
    try:
        handler(target, function, update)
    except Refused as refused:
        return refused.code
    return R.MTCTISESS_SUCCESS


# -- the actions ------------------------------------------------------------------

Action = Callable[[Target, CallFunction, UpdateCallControl], None]


def _drop(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """User: a ringing call goes to coverage, an answered one is cleared;
    queue and park server: the call is dropped (§5.2)."""
    if t.sub.kind != "user":
        engine(lambda: t.switch.clear_call(t.call.id))
        return
    party = t.party
    assert party is not None
    if party.kind is PartyKind.VOICEMAIL:
        # The user's own voicemail has the call: dropping it on the user's
        # line clears the call (call-model §5.2, "VM states: Drop"). Once
        # voicemail answered, it hangs up (a message being left is kept, as
        # when the caller hangs up); while it still rings, the call ends.
        answered = [c for c in party.connections if c.state is S.CONNECTED]
        if answered:
            engine(lambda: t.switch.clear_connection(answered[0].id))
        else:
            engine(lambda: t.switch.clear_call(t.call.id))
        return
    assert party.user is not None
    ringing = party.state is S.ALERTING and party is not t.call.origin
    if ringing and party.group is None and t.switch.no_answer_plan(party.user, [], len(t.call.redirects)) is None:
        raise Refused(R.MTCTISESS_CALLCONTROL_NOCOVERAGE)
    for conn in list(party.connections):
        if conn.id in t.switch.connections:
            engine(lambda conn=conn: t.switch.clear_connection(conn.id))  # type: ignore[misc]


_HINTS = {
    UpdateCallControl.DESK: (DeviceType.DESKPHONE, DeviceType.ANALOG),
    UpdateCallControl.SOFTPHONEANY: (DeviceType.SOFTPHONE,),
    UpdateCallControl.MOBILEANY: (DeviceType.MOBILE,),
}


def _answer(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """Answer on the preferred ringing device, narrowed by devicehint."""
    assert t.party is not None
    ringing = [c for c in t.party.connections if c.state is S.ALERTING and c.device is not None]
    wanted = _HINTS.get(u.devicehint)
    if wanted is not None:
        ringing = [c for c in ringing if c.device is not None and c.device.type in wanted]
    ringing = [c for c in ringing if c.device is not None and c.device.type is not DeviceType.ANALOG]
    if not ringing:
        raise Refused(R.MTCTISESS_CALLCONTROL_CANTBEDONE)
    engine(lambda: t.switch.answer(ringing[0].id))


def _destination(arg1: str) -> str:
    """A plain destination, or the "/type/destination" form of §5.3."""
    typed = _TYPED.match(arg1)
    if typed is None:
        destination = arg1
    elif typed[1] in _PLAIN_TYPES:
        destination = typed[2]
    elif typed[1] in (_VOICEMAIL_TYPE, _MEETME_TYPE):
        # Only a blind transfer reaches a mailbox or a room (_blind_transfer);
        # for Redirect and AddToConf the target refuses, as a real one would.
        raise Refused(R.MTCTISESS_CALLCONTROL_TRANSFERFAILED)
    else:
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    if not _DESTINATION.match(destination):
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    return destination


_UNREACHABLE = {"BAD_DESTINATION": R.MTCTISESS_CALLCONTROL_TRANSFERFAILED}


def _blind_transfer(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """Plain and "/type/" destinations; `/102/<user>` leaves the call in that
    user's mailbox, `/102/<Callflow>` hands it to a voicemail call flow and
    `/116/<room>[;MODEFROMPIN(pin)]` puts it in a MeetMe room (§5.3). Any
    target that refuses answers TRANSFERFAILED 612."""
    typed = _TYPED.match(f.arg1)
    if typed is not None and typed[1] in (_VOICEMAIL_TYPE, _MEETME_TYPE):
        _typed_transfer(t, typed[1], typed[2], typed[3] or "")
        return
    destination = _destination(f.arg1)
    conn = t.conn()
    engine(lambda: t.switch.single_step_transfer(conn.id, destination), **_UNREACHABLE)


def _typed_transfer(t: Target, kind: str, destination: str, suffix: str) -> None:
    """A blind transfer to voicemail (102) or a MeetMe room (116). A malformed
    name, number or suffix is BADFORMATTING; a target that is not there, a
    wrong PIN or a full room is the target refusing, TRANSFERFAILED."""
    if kind == _VOICEMAIL_TYPE:
        _voicemail_transfer(t, destination, suffix)
        return
    if not _DESTINATION.match(destination):
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    conn = t.conn()
    pin = None
    if suffix:
        match = _PIN_SUFFIX.match(suffix)
        if match is None:
            raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
        pin = match[1]
    engine(lambda: t.switch.transfer_to_room(conn.id, destination, pin), **_UNREACHABLE,
           CAPACITY=R.MTCTISESS_CALLCONTROL_TRANSFERFAILED)


def _voicemail_transfer(t: Target, destination: str, suffix: str) -> None:
    """`/102/<x>`: a phone's number or a DID names that user's mailbox (the
    caller leaves a message; a number with no mailbox behind it answers
    TRANSFERFAILED); any other name, digits included, is a VMPro call flow
    (the DOC's `/102/Callflow`), which the voicemail server answers. The
    switch keeps no list of flows, so every well-formed name reaches one."""
    if suffix:
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    if destination in t.switch.devices or destination in t.switch.dids:
        conn = t.conn()
        engine(lambda: t.switch.transfer_to_voicemail(conn.id, destination), **_UNREACHABLE)
        return
    if not _CALL_FLOW.fullmatch(destination):
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    conn = t.conn()
    engine(lambda: t.switch.transfer_to_call_flow(conn.id, destination),
           BAD_VALUE=R.MTCTISESS_CALLCONTROL_BADFORMATTING)


def _redirect(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """A user deflects its ringing call; a queue sends its ringing call on
    (the agents stop ringing), which is the engine's blind transfer."""
    destination = _destination(f.arg1)
    conn = t.conn()
    if t.sub.kind == "queue":
        engine(lambda: t.switch.single_step_transfer(conn.id, destination), **_UNREACHABLE)
        return
    engine(lambda: t.switch.deflect(conn.id, destination), **_UNREACHABLE)


def _dial(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """Overlap dialling: the digits are appended to the number, which the
    engine routes once its dial plan says it is complete (§5.2 Dial)."""
    if not _DESTINATION.match(f.arg1):
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    conn = t.conn()
    engine(lambda: t.switch.dial_digits(conn.id, f.arg1))


def _park(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    if not _DIGITS.match(f.arg1):
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    conn = t.conn()
    engine(lambda: t.switch.park(conn.id, f.arg1))


def _setup(purpose: ConsultPurpose) -> Action:
    def setup(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
        """Hold the call and start an assistant call: dial tone without
        arg1, else a call to arg1 (an unreachable one fails, still SUCCESS)."""
        if f.arg1 and not _DESTINATION.match(f.arg1):
            raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
        conn = t.conn()
        engine(lambda: t.switch.consult(conn.id, f.arg1 or None, purpose))
    return setup


def _conference_all(t: Target, f: CallFunction) -> None:
    """CompleteConf naming several calls: this one and every callinst join
    one conference, all or nothing (§5.2); the engine checks everything
    before the first join."""
    conns = [t.conn()]
    for inst in f.callinst:
        other = resolve(t.switch, t.sub, inst.callid, inst.referencecallid)
        partner = other[1] if other is not None else None
        theirs = tc.best_connection(partner) if isinstance(partner, Party) else None
        if theirs is None or theirs in conns:
            raise Refused(R.MTCTISESS_CALLCONTROL_OTHERNOTFOUND)
        conns.append(theirs)
    engine(lambda: t.switch.conference_all([c.id for c in conns]), NOT_OWNER=R.MTCTISESS_CALLCONTROL_OTHERNOTFOUND)


def _complete(conference: bool) -> Action:
    def complete(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
        """Join this call with callinst[0], or with its related call;
        CompleteConf may name several calls (CompleteTransfer one at most)."""
        assert t.party is not None
        if len(f.callinst) > 1:
            if not conference:
                raise Refused(R.MTCTISESS_CALLCONTROL_CANTCOMPLETE)
            _conference_all(t, f)
            return
        if f.callinst:
            other = resolve(t.switch, t.sub, f.callinst[0].callid, f.callinst[0].referencecallid)
            partner = other[1] if other is not None else None
        else:
            partner = tc.held_partner(t.party)
        if not isinstance(partner, Party) or partner is t.party:
            raise Refused(R.MTCTISESS_CALLCONTROL_OTHERNOTFOUND)
        mine, theirs = t.conn(), tc.best_connection(partner)
        if theirs is None:
            raise Refused(R.MTCTISESS_CALLCONTROL_OTHERNOTFOUND)
        held, active = (mine, theirs) if mine.state is S.HELD else (theirs, mine)
        join = t.switch.conference if conference else t.switch.transfer
        engine(lambda: join(held.id, active.id))
    return complete


def _add_to_conf(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    destination = _destination(f.arg1)
    conn = t.conn()
    engine(lambda: t.switch.add_party(conn.id, destination), BAD_DESTINATION=R.MTCTISESS_CALLCONTROL_TARGETNOTFOUND,
           TARGET_UNREACHABLE=R.MTCTISESS_CALLCONTROL_TARGETNOTFOUND)


def _member_function(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    data = f.memberfunctiondata
    member = t.call.parties.get(data.lref) if data.lref else None
    if member is None or member is t.party:
        raise Refused(R.MTCTISESS_CALLCONTROL_OTHERNOTFOUND)
    if data.action == MemberFunctionData.DropCall:
        conn = t.conn()
        engine(lambda: t.switch.drop_party(conn.id, member.id))
    elif data.action in (MemberFunctionData.MuteOn, MemberFunctionData.MuteOff):
        engine(lambda: t.switch.set_mute(t.call.id, member.id, data.action == MemberFunctionData.MuteOn))
    else:
        raise Refused(R.MTCTISESS_CALLCONTROL_UNSUPPORTED)


def _set_tag(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """Cut at a NUL, truncated past 127 characters; empty clears (§5.2)."""
    tag = f.arg1.split("\x00", 1)[0][:TAG_MAX]
    engine(lambda: t.switch.set_call_data(t.call.id, label=tag or None))


def _set_account(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """Account codes are digits; anything else is not a configured code."""
    if f.arg1 and not f.arg1.isdigit():
        raise Refused(R.MTCTISESS_CALLCONTROL_BADACCT)
    engine(lambda: t.switch.set_call_data(t.call.id, account_code=f.arg1 or None),
           BAD_VALUE=R.MTCTISESS_CALLCONTROL_BADACCT)


def _set_auth(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    engine(lambda: t.switch.set_call_data(t.call.id, auth_code=f.arg1 or None),
           BAD_VALUE=R.MTCTISESS_CALLCONTROL_BDAUTH)


def _digits(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    if not _DIGITS.match(f.arg1):
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    conn = t.conn()
    engine(lambda: t.switch.send_dtmf(conn.id, f.arg1))


def _push_to_ec500(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """Start the move to the mobile twin; SUCCESS once it rings, and the
    move completes when the mobile answers (§5.2 PushToEC500)."""
    conn = t.conn()
    engine(lambda: t.switch.push_to_twin(conn.id))


def _force_clear(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    engine(lambda: t.switch.clear_call(t.call.id))


def _recording(action: str) -> Action:
    def recording(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
        user = t.party.user if t.party is not None else None
        if user is None:
            raise Refused(R.MTCTISESS_CALLCONTROL_INVALIDCALLSTATE)
        engine(lambda: t.switch.set_recording(t.call.id, user.login, action))
    return recording


def _agent_recording(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    control = f.agentrecording
    if control.pause == control.resume:
        raise Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    _recording("pause" if control.pause else "resume")(t, f, u)


def _party_flag(setter: str, on: bool) -> Action:
    def flag(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
        assert t.party is not None
        party_id = t.party.id
        engine(lambda: getattr(t.switch, setter)(t.call.id, party_id, on))
    return flag


def _set_priority(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    if f.arg1 not in SET_PRIORITY_ARG1:
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    engine(lambda: t.switch.set_call_data(t.call.id, priority=int(f.arg1)))


def _finish(t: Target, f: CallFunction, u: UpdateCallControl) -> None:
    """The queue stops following the call; with arg1 "1" the queue the
    call waits in now (if another) follows it at once (§5.2 Finish)."""
    if f.arg1 not in FINISH_ARG1:
        raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
    assert t.sub.group is not None
    group = t.sub.group
    engine(lambda: t.switch.end_queue_association(t.call.id, group.number, at_once=f.arg1 == "1"))
    t.sub.finish(t.call.id)


_ACTIONS: dict[int, Action] = {
    A.DropCall: _drop,
    A.AnswerCall: _answer,
    A.HoldCall: lambda t, f, u: engine(lambda: t.switch.hold(t.conn().id)),
    A.UnHoldCall: lambda t, f, u: engine(lambda: t.switch.retrieve(t.conn().id)),
    A.BlindTransfer: _blind_transfer,
    A.Redirect: _redirect,
    A.Dial: _dial,
    A.Park: _park,
    A.SetupTransfer: _setup(ConsultPurpose.TRANSFER),
    A.SetupConf: _setup(ConsultPurpose.CONFERENCE),
    A.CompleteTransfer: _complete(conference=False),
    A.CompleteConf: _complete(conference=True),
    A.AddToConf: _add_to_conf,
    A.MemberFunction: _member_function,
    A.SetTag: _set_tag,
    A.SetAccountCode: _set_account,
    A.GenerateDigits: _digits,
    A.PushToEC500: _push_to_ec500,
    A.ForceClear: _force_clear,
    A.SetAuthCode: _set_auth,
    A.CallRecordingOn: _recording("start"),
    A.CallRecordingOff: _recording("stop"),
    A.PrivacyOn: _party_flag("set_privacy", True),
    A.PrivacyOff: _party_flag("set_privacy", False),
    A.MuteOn: _party_flag("set_mute", True),
    A.MuteOff: _party_flag("set_mute", False),
    A.AgentRecordingControl: _agent_recording,
    A.SetPriority: _set_priority,
    A.Finish: _finish,
}


# -- calls that do not exist yet -----------------------------------------------------


def _user_device(sub: Subscription) -> str:
    """The user's phone for a new call: its main device, which must work."""
    user = sub.user
    if user is None or not user.devices:
        raise Refused(R.MTCTISESS_CALLCONTROL_NOPHONE)
    device = user.devices[0]
    if not device.in_service:
        raise Refused(R.MTCTISESS_CALLCONTROL_EXTNFAULT)
    return device.number


def _adopt(switch: Switch, sub: Subscription, party: Party | None, reference: int) -> None:
    """Give the new appearance its callid now, carrying the referencecallid."""
    if party is not None:
        sub.refs[sub.callid_of(("p", party.id))] = reference


def make_call(switch: Switch, sub: Subscription, reference: int, request: MakeCall) -> R:
    """MakeCall on a user subscription: an empty target gives dial tone."""
    try:
        number = _user_device(sub)
        advanced = request.advanced
        if advanced.accountcode and not advanced.accountcode.isdigit():
            raise Refused(R.MTCTISESS_CALLCONTROL_BADACCT)
        if request.target and not _DESTINATION.match(request.target):
            raise Refused(R.MTCTISESS_CALLCONTROL_BADFORMATTING)
        device = switch.devices[number]
        ring_first = device.type is DeviceType.ANALOG
        calls: list[Call] = []
        if request.target:
            engine(lambda: calls.append(switch.make_call(number, request.target, ring_first=ring_first)))
        else:
            engine(lambda: calls.append(switch.off_hook(number)))
        call = calls[0]
        _adopt(switch, sub, call.origin, reference)
        data = {"label": advanced.tag[:TAG_MAX] or None, "account_code": advanced.accountcode or None,
                "auth_code": advanced.authcode[:15] or None}
        data = {k: v for k, v in data.items() if v is not None}
        if data and call.id in switch.calls:
            engine(lambda: switch.set_call_data(call.id, **data))
    except Refused as refused:
        return refused.code
    return R.MTCTISESS_SUCCESS


def unpark(switch: Switch, sub: Subscription, reference: int, request: UnParkCall) -> R:
    """UnPark onto the user's phone; the call comes with a new callid."""
    try:
        number = _user_device(sub)
        if not request.parkid:
            raise Refused(R.MTCTISESS_CALLCONTROL_TARGETNOTFOUND)
        parties: list[Party] = []
        engine(lambda: parties.append(switch.unpark(number, request.parkid)))
        _adopt(switch, sub, parties[0], reference)
    except Refused as refused:
        return refused.code
    return R.MTCTISESS_SUCCESS
