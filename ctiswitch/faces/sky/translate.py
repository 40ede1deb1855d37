"""Engine state seen as Sky calls, and Sky arguments resolved to engine objects.

Pure: functions of the switch's state and the time passed in, no I/O. One Sky
call is one USER party of the DID's user (call-model §4.4); its ``Id`` is the
party id, which survives transfers, so a client keeps following the person it
was talking to.
"""
from __future__ import annotations

from dataclasses import replace

from ctiswitch.engine.calls import Connection, Party
from ctiswitch.engine.directory import Device, User
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.states import ConnectionState, PartyKind, Role

from .wire import BAD_ARGUMENTS, ENDPOINT_NOT_FOUND, CallState, CallView, SkyError

S = ConnectionState

#: The states a blank Call ID picks from, in order of preference (call-model §5.3).
BLANK_ID_STATES: dict[str, tuple[CallState, ...]] = {
    "answer": (CallState.RINGING,),
    "ignore": (CallState.RINGING,),
    "hold": (CallState.CONNECTED,),
    "resume": (CallState.HOLDING,),
    "release": (CallState.CONNECTED, CallState.HOLDING, CallState.PENDING),
}

#: The engine connection state each Sky command needs on the call it acts on.
COMMAND_STATES: dict[str, frozenset[ConnectionState]] = {
    "answer": frozenset({S.ALERTING}),
    "ignore": frozenset({S.ALERTING}),
    "hold": frozenset({S.CONNECTED}),
    "resume": frozenset({S.HELD}),
    "release": frozenset({S.ALERTING, S.CONNECTED, S.HELD, S.INITIATED, S.FAILED}),
}

#: Engine refusals that are API errors; every other refusal is a call that
#: could not be placed or changed, which the guide says is Result false.
REFUSAL_ERRORS: dict[Refusal, SkyError] = {
    Refusal.OUT_OF_SERVICE: ENDPOINT_NOT_FOUND,
    Refusal.BAD_DESTINATION: BAD_ARGUMENTS,
    Refusal.BAD_VALUE: BAD_ARGUMENTS,
}


def endpoint_id(mac: str | None) -> str:
    """A MAC as Sky writes it: 12 lower-case hex digits, no separators (``0010492e1234``)."""
    if not mac:
        return ""
    return "".join(ch for ch in mac.lower() if ch in "0123456789abcdef")


def user_phones(user: User) -> list[Device]:
    """The user's Sky endpoints: in-service devices with a MAC, main device first."""
    return [device for device in user.devices if device.mac and device.in_service]


def resolve_endpoint(user: User, argument: str) -> Device | SkyError:
    """The phone an ``<Endpoint>`` argument names; blank means the user's phone.

    Error 8 when the user has no phone logged in, or none with that MAC; the
    MAC is compared in any case and with any separators.
    """
    phones = user_phones(user)
    wanted = endpoint_id(argument)
    if argument.strip() and not wanted:
        return ENDPOINT_NOT_FOUND
    for phone in phones:
        if not wanted or endpoint_id(phone.mac) == wanted:
            return phone
    return ENDPOINT_NOT_FOUND


def user_parties(user: User) -> list[Party]:
    """The user's live parties, oldest first (one per call the user is in)."""
    parties: dict[int, Party] = {}
    for device in user.devices:
        for conn in device.connections:
            party = conn.party
            if party.kind is PartyKind.USER and party.user is user:
                parties[party.id] = party
    return [parties[key] for key in sorted(parties)]


def _far_end_answered(party: Party) -> bool:
    """Whether anyone else in the call is talking or holding (remote status CONNECTED or HELD)."""
    return any(
        other is not party and other.state in (S.CONNECTED, S.HELD)
        for other in party.call.live_parties()
    )


def call_state(party: Party) -> CallState | None:
    """The Sky state of a party, or None when the user no longer sees it (ignored).

    PENDING covers everything a caller goes through before the far end
    answers: the ring-first prompt, dialling, busy or reorder tone, and
    ringback (call-model §4.4).
    """
    if party.silenced:
        return None
    state = party.state
    if state is S.HELD:
        return CallState.HOLDING
    caller = party.role is Role.CALLER
    if state is S.ALERTING and not (caller and any(c.prompt for c in party.connections)):
        return CallState.RINGING
    if state is S.CONNECTED and (not caller or _far_end_answered(party)):
        return CallState.CONNECTED
    if state is S.NULL:
        return None
    return CallState.PENDING


def _ani(party: Party) -> str:
    """The other party's number: what was dialled on an outbound call, the
    caller on an inbound one, whoever is left after a transfer; "" if withheld."""
    call = party.call
    if party is call.origin and call.dialled:
        return call.dialled
    origin = call.origin
    if origin is not None and origin is not party and origin.connections:
        return "" if origin.anonymous else origin.number
    for other in call.live_parties():
        if other is not party:
            return "" if other.anonymous else other.number
    return ""


def _shown_connection(party: Party) -> Connection:
    """The connection whose device the call is shown on: in the party's state, a phone first."""
    best = [c for c in party.connections if c.state is party.state] or party.connections
    return next((c for c in best if c.device is not None and c.device.mac), best[0])


def call_view(party: Party, now: float) -> CallView | None:
    """The Sky Call item for one party, or None when it is not shown."""
    state = call_state(party)
    if state is None or not party.connections or party.user is None:
        return None
    conn = _shown_connection(party)
    inbound = party.role is not Role.CALLER
    return CallView(
        id=party.id,
        state=state,
        ani=_ani(party),
        did=party.user.did or "",
        duration=max(0, int(now - party.created_at)),
        endpoint=endpoint_id(conn.device.mac if conn.device else None),
        originated=not inbound,
        clid=party.call.initial_called if inbound else None,
    )


def user_views(user: User, now: float) -> dict[int, CallView]:
    """Every call the user sees now, by Id, oldest first."""
    views: dict[int, CallView] = {}
    for party in user_parties(user):
        view = call_view(party, now)
        if view is not None:
            views[view.id] = view
    return views


def same_call_view(a: CallView, b: CallView) -> bool:
    """Whether two views differ only in Duration, which moves with the clock
    and alone is no reason to push."""
    return replace(a, duration=0) == replace(b, duration=0)


def find_party(user: User, method: str, call_id: str, now: float) -> Party | None:
    """The call a command acts on: the given Id among the user's visible calls,
    or, for a blank Id, the oldest call in the first state the command prefers."""
    parties = {party.id: party for party in user_parties(user)}
    views = user_views(user, now)
    if call_id:
        return parties.get(int(call_id)) if int(call_id) in views else None
    for wanted in BLANK_ID_STATES[method]:
        for view in views.values():
            if view.state is wanted:
                return parties[view.id]
    return None


def command_connection(party: Party, method: str, phone: Device | None) -> Connection | None:
    """The connection of ``party`` a command acts on: the one on ``phone`` if it
    is in a usable state, else the party's first usable one."""
    usable = [c for c in party.connections if c.state in COMMAND_STATES[method]]
    return next((c for c in usable if c.device is phone), usable[0] if usable else None)

