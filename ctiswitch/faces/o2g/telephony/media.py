"""A user's leg as O2G sees it: MediaState and ringingRemote (call-model
§2.2 remote status, §4.1 table), computed from the engine's connections."""
from __future__ import annotations

from ctiswitch.engine.calls import Connection, Party
from ctiswitch.engine.states import ConnectionState, PartyKind

S = ConnectionState

#: callData.state is the user's best leg state, in this order (§4.1).
STATE_RANK = ("ACTIVE", "RINGING_INCOMING", "RINGING_OUTGOING", "DIALING", "HELD", "RELEASING")


def remote_status(party: Party) -> str:
    """What the party hears from the rest of the call (call-model §2.2)."""
    others = [p for p in party.call.parties.values() if p is not party and p.connections]
    if not others:
        return "none"
    states = [p.state for p in others]
    if S.CONNECTED in states:
        return "connected"
    if all(p.state is S.HELD or p.kind is PartyKind.PARK for p in others):
        return "held_by_far_end"
    if S.ALERTING in states:
        return "alerting"
    if S.HELD in states:
        return "held_by_far_end"
    if S.QUEUED in states:
        return "queued"
    return "none"


def leg_state(conn: Connection) -> tuple[str, bool]:
    """(MediaState, ringingRemote) of one of the user's connections."""
    state = conn.state
    if state is S.INITIATED:
        return "DIALING", False
    if state is S.ALERTING:
        return "RINGING_INCOMING", False
    if state is S.HELD:
        return "HELD", False
    if state is S.CONNECTED:
        remote = remote_status(conn.party)
        if remote in ("connected", "held_by_far_end"):
            return "ACTIVE", False
        return "RINGING_OUTGOING", remote == "alerting"
    return "RELEASING", False


def best_state(states: list[str]) -> str:
    """The call's state for the user: the best of its legs."""
    for candidate in STATE_RANK:
        if candidate in states:
            return candidate
    return "UNKNOWN"


def participant_state(party: Party) -> str:
    """A participant's MediaState, shown in multi-party calls only."""
    return "RINGING_INCOMING" if party.state is S.ALERTING else "ACTIVE"
