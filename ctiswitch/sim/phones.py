"""The person at a phone: actions by device number, as a human would do them.

Each action finds the connection a person would mean (the ringing call for
"answer", the active call for "hold") and issues the engine command. Tests,
the sim HTTP API and scenarios use these instead of connection ids.
"""
from __future__ import annotations

from ctiswitch.engine.calls import Call, Connection
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.states import ConnectionState, PartyKind
from ctiswitch.engine.switch import Switch

S = ConnectionState
ACTIONS = ("offhook", "dial", "answer", "hangup", "hold", "retrieve", "dtmf")

#: What "hang up" ends, in order of preference: the call the person is in.
_HANGUP_ORDER = (S.CONNECTED, S.INITIATED, S.FAILED, S.ALERTING, S.HELD)


def _first(switch: Switch, number: str, *states: ConnectionState) -> Connection:
    device = switch.device(number)
    for state in states:
        for conn in device.connections:
            if conn.state is state:
                return conn
    wanted = " or ".join(s.value for s in states)
    raise CommandError(Refusal.INVALID_STATE, f"device {number} has no {wanted} call")


def perform(switch: Switch, number: str, action: str, digits: str = "") -> Call | None:
    """Do `action` at device `number`; returns the call acted on."""
    if action == "offhook":
        return switch.off_hook(number)
    if action == "dial":
        return switch.dial(number, digits)
    if action == "answer":
        conn = _first(switch, number, S.ALERTING)
        call = conn.call
        switch.answer(conn.id)
        return call
    if action == "hangup":
        conn = _first(switch, number, *_HANGUP_ORDER)
        call = conn.call
        switch.clear_connection(conn.id)
        return call
    if action == "hold":
        conn = _first(switch, number, S.CONNECTED)
        switch.hold(conn.id)
        return conn.call
    if action == "retrieve":
        conn = _first(switch, number, S.HELD)
        switch.retrieve(conn.id)
        return conn.call
    if action == "dtmf":
        conn = _first(switch, number, S.CONNECTED)
        switch.send_dtmf(conn.id, digits)
        return conn.call
    raise CommandError(Refusal.BAD_VALUE, f"unknown action {action!r}; one of {', '.join(ACTIONS)}")


def far_end_hangup(switch: Switch, call_id: int, number: str | None = None) -> Call:
    """The outside party of a call hangs up: a caller who gives up while
    queued or ringing, or ends a call. `number` names the party when the
    call has several outside parties."""
    call = switch.calls.get(call_id)
    if call is None:
        raise CommandError(Refusal.CALL_NOT_FOUND, f"no call {call_id}")
    outside = [p for p in call.parties.values()
               if p.kind is PartyKind.EXTERNAL and p.connections and number in (None, p.number)]
    if len(outside) != 1:
        which = f"no outside party {number}" if number is not None else (
            "no outside party" if not outside else "several outside parties; name one with 'number'")
        raise CommandError(Refusal.INVALID_STATE, f"call {call_id} has {which}")
    (conn,) = outside[0].connections
    switch.clear_connection(conn.id)
    return call
