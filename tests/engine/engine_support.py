"""Shared machinery for the engine tests: a harness around one demo switch in
virtual time, a full-state digest for "a refusal changes nothing", an event
replay that rebuilds call structure from batches alone, and the structural
invariants every transaction must keep.

The replay and the invariants are used twice: after every unit test (the
`h` fixture's teardown) and after every step of the property-based machine,
so each hand-written scenario doubles as a consistency check.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from ctiswitch.config import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.calls import Call, Connection, Party
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.events import (
    Batch,
    CallCleared,
    CallCreated,
    CallLogged,
    Conferenced,
    ConnectionEvent,
    Diverted,
    Event,
    Transferred,
)
from ctiswitch.engine.states import ConnectionState, PartyKind
from ctiswitch.engine.switch import Switch
from ctiswitch.sim.behaviour import Simulator

S = ConnectionState

#: The demo company, parsed once: it is immutable, and parsing YAML for each
#: of the property tests' hundreds of switches would dominate their run time.
DEMO = load_demo()
#: Batches one virtual instant may hold before the harness calls it a loop.
ZERO_TIME_LIMIT = 2_000

#: {call id: {party id: {connection id: (dn, state)}}}
Structure = dict[int, dict[int, dict[int, tuple[str, ConnectionState]]]]


# -- replay -------------------------------------------------------------------

class Replay:
    """Rebuild every call's structure from the event stream alone.

    A face that joins late or a store that reloads relies on exactly this: if
    the events do not say enough to rebuild the calls, some API will show a
    call that no longer exists or miss one that does.
    """

    def __init__(self) -> None:
        self.calls: Structure = {}
        self.problems: list[str] = []
        self.last_seq = 0

    def apply(self, batch: Batch) -> None:
        # Batches are numbered without gaps and never empty: a listener can
        # tell it missed one.
        if batch.seq != self.last_seq + 1 or not batch.events:
            self.problems.append(f"batch {batch.seq} after {self.last_seq}, {len(batch.events)} events")
        self.last_seq = batch.seq
        for event in batch.events:
            self.apply_event(event)

    def apply_event(self, event: Event) -> None:
        calls = self.calls
        if isinstance(event, CallCreated):
            if event.call in calls:
                self.problems.append(f"{event}: call created twice")
            calls[event.call] = {}
        elif isinstance(event, ConnectionEvent):
            call = calls.get(event.call)
            if call is None:
                self.problems.append(f"{event}: unknown call")
                return
            # A party id is unique for the switch's lifetime: it must not
            # appear in two calls at once.
            for other_id, other in calls.items():
                if other_id != event.call and event.party in other:
                    self.problems.append(f"{event}: party also in call {other_id}")
            conns = call.setdefault(event.party, {})
            if event.state is S.NULL:
                if event.conn not in conns:
                    self.problems.append(f"{event}: clears an unknown connection")
                conns.pop(event.conn, None)
                if not conns:
                    del call[event.party]
            else:
                conns[event.conn] = (event.dn, event.state)
        elif isinstance(event, (Transferred, Conferenced)):
            primary = calls.get(event.call)
            secondary = calls.pop(event.secondary, None)
            if primary is None or secondary is None:
                self.problems.append(f"{event}: unknown call")
                return
            if set(secondary) != set(event.moved):
                self.problems.append(f"{event}: moved {event.moved} but the call held {sorted(secondary)}")
            primary.update(secondary)
        elif isinstance(event, CallCleared):
            call = calls.pop(event.call, None)
            if call is None:
                self.problems.append(f"{event}: unknown call")
            elif call:
                self.problems.append(f"{event}: parties left behind {call}")


def live_structure(switch: Switch) -> Structure:
    """The engine's calls in the replay's shape (parties without connections
    are kept, so that such a leftover shows up as a difference)."""
    return {
        call.id: {
            party.id: {conn.id: (conn.dn, conn.state) for conn in party.connections}
            for party in call.parties.values()
        }
        for call in switch.calls.values()
    }


# -- state digest ---------------------------------------------------------------

def digest(switch: Switch) -> dict[str, Any]:
    """Everything a command could change, as plain comparable data."""
    calls = {}
    for call in switch.calls.values():
        described = switch.describe_call(call)
        data = call.data
        described["data"] = (data.associated_data, dict(data.tags), data.label, data.account_code,
                             data.auth_code, data.priority)
        described["recordings"] = dict(call.recordings)
        described["redirects"] = list(call.redirects)
        described["flags"] = {p.id: (p.muted, p.privacy, p.silenced) for p in call.parties.values()}
        calls[call.id] = described
    return {
        "snapshot": switch.snapshot(),
        "calls": calls,
        "users": {login: (u.routing.to_json(), u.secret, dict(u.preferences)) for login, u in switch.users.items()},
        "groups": {n: [(m.user.login, m.logged_on) for m in g.members] for n, g in switch.groups.items()},
        "waiting": {n: [p.id for p in ps] for n, ps in switch._waiting.items()},
        "trunks": switch.trunks_in_use,
        "parks": {slot: p.id for slot, p in switch.parks.items()},
    }


# -- invariants -------------------------------------------------------------------

def check_invariants(switch: Switch) -> None:
    """The structure every transaction must leave behind (call-model §2.1)."""
    seen_conns: dict[int, Connection] = {}
    externals = 0
    park_parties: dict[str, Party] = {}
    for call_id, call in switch.calls.items():
        assert call.id == call_id
        assert call.connections(), f"call {call_id} is live with no connection: {call!r}"
        peer = call.consult_peer
        if peer is not None:  # a consultation link is mutual and between live calls
            assert switch.calls.get(peer.id) is peer and peer.consult_peer is call, f"call {call_id} links {peer!r}"
        for party_id, party in call.parties.items():
            assert party.id == party_id
            assert party.call is call, f"{party!r} points at call {party.call.id}, lives in {call_id}"
            assert party.connections, f"{party!r} in call {call_id} has no connection"
            if party.kind is PartyKind.EXTERNAL:
                externals += 1
            if party.kind is PartyKind.PARK:
                assert party.slot is not None
                park_parties[party.slot] = party
            if party.kind is PartyKind.GROUP:
                assert party in switch._waiting.get(party.number, ()), f"{party!r} is not waiting in its group"
        # A call waits in at most one group, and a member rings for a group
        # call only while the call still waits there.
        waiting_in = [p.number for p in call.parties.values() if p.kind is PartyKind.GROUP]
        assert len(waiting_in) <= 1, f"call {call_id} waits in several groups: {waiting_in}"
        for party in call.parties.values():
            if party.group is not None and party.state is S.ALERTING:
                assert waiting_in == [party.group.number], \
                    f"{party!r} rings for group {party.group.number} but call {call_id} waits in {waiting_in}"
            for conn in party.connections:
                assert conn.party is party
                assert conn.state is not S.NULL, f"{conn!r} is NULL but still attached"
                assert conn.id not in seen_conns, f"{conn!r} attached twice"
                seen_conns[conn.id] = conn
                assert switch.connections.get(conn.id) is conn, f"{conn!r} not registered"
                if conn.device is not None:
                    assert conn in conn.device.connections, f"{conn!r} missing from device {conn.dn}"
                    assert conn.device.number == conn.dn
    assert set(switch.connections) == set(seen_conns), "registered connections outside any live call"
    for device in switch.devices.values():
        for conn in device.connections:
            assert conn.device is device
            assert seen_conns.get(conn.id) is conn, f"device {device.number} carries a dead {conn!r}"
        assert len(device.connections) <= device.max_calls, \
            f"device {device.number} carries {len(device.connections)} > {device.max_calls} connections"
        # A phone talks on one call at a time: anything else is on hold.
        talking = [c for c in device.connections if c.state is S.CONNECTED]
        assert len(talking) <= 1, f"device {device.number} talks on several calls: {talking}"
    assert switch.trunks_in_use == externals, f"trunks_in_use {switch.trunks_in_use} != {externals} external parties"
    assert {slot: p.id for slot, p in switch.parks.items()} == {slot: p.id for slot, p in park_parties.items()}
    # The index of calls in each user's voicemail holds exactly the live
    # VOICEMAIL parties answering for a mailbox (call flows belong to nobody).
    in_voicemail: dict[str, set[int]] = {}
    for call in switch.calls.values():
        for party in call.parties.values():
            if party.kind is PartyKind.VOICEMAIL and party.coverage_of is not None:
                in_voicemail.setdefault(party.coverage_of.login, set()).add(party.id)
    assert {login: {p.id for p in parties} for login, parties in switch._in_voicemail.items()} == in_voicemail
    for number, waiting in switch._waiting.items():
        for gparty in waiting:
            assert gparty.call.id in switch.calls and gparty.call.parties.get(gparty.id) is gparty, \
                f"{gparty!r} waits in {number} but is not in a live call"
            assert gparty.state is S.QUEUED


def engine_timers(clock: VirtualClock) -> list[Any]:
    """Live timers the engine armed (the Simulator's are plain lambdas):
    after every call is cleared there must be none."""
    return [t for t in clock._heap
            if not t.cancelled and t.callback.__qualname__.startswith("SwitchCore._timer")]


# -- the harness --------------------------------------------------------------------

class Harness:
    """One demo switch in virtual time with a listener log.

    `take()` returns the events since the last take, so a test can assert the
    exact output of one command.
    """

    def __init__(self, *, sim: bool = False) -> None:
        self.clock = VirtualClock()
        self.switch = build_switch(DEMO, self.clock)
        self.batches: list[Batch] = []
        self.replay = Replay()
        self.switch.subscribe(self._on_batch)
        self.sim = Simulator(self.switch) if sim else None
        self._mark = 0
        self._instant = -1.0
        self._at_instant = 0

    def _on_batch(self, batch: Batch) -> None:
        self.batches.append(batch)
        self.replay.apply(batch)
        # Timers that re-arm at zero delay would spin `advance` for ever; make
        # such a loop a failure with a message instead of a hung test run.
        if batch.time != self._instant:
            self._instant, self._at_instant = batch.time, 0
        self._at_instant += 1
        if self._at_instant > ZERO_TIME_LIMIT:
            raise AssertionError(f"{ZERO_TIME_LIMIT} batches at t={batch.time} without time passing: "
                                 f"a zero-delay loop (last: {batch.origin} {batch.events})")

    # events

    def take(self) -> list[Event]:
        """Events since the previous take, in order."""
        events = [e for b in self.batches[self._mark:] for e in b.events]
        self._mark = len(self.batches)
        return events

    def take_batches(self) -> list[Batch]:
        batches = self.batches[self._mark:]
        self._mark = len(self.batches)
        return batches

    def all_events(self) -> list[Event]:
        return [e for b in self.batches for e in b.events]

    # lookups

    def conn(self, dn: str, state: ConnectionState | None = None, call: Call | int | None = None) -> Connection:
        """The connection device `dn` has (in `state`, in `call`); exactly one."""
        call_id = call.id if isinstance(call, Call) else call
        found = [c for c in self.switch.device(dn).connections
                 if (state is None or c.state is state) and (call_id is None or c.call.id == call_id)]
        assert len(found) == 1, f"device {dn}: expected one connection ({state}, {call_id}), found {found}"
        return found[0]

    def states(self, call: Call | int) -> dict[str, str]:
        """{dn: state} of a live call, for compact assertions."""
        call_id = call.id if isinstance(call, Call) else call
        live = self.switch.calls[call_id]
        return {c.dn: c.state.value for c in live.connections()}

    def party(self, call: Call, number: str) -> Party:
        found = [p for p in call.parties.values() if p.number == number]
        assert len(found) == 1, f"call {call.id}: expected one party {number}, found {found}"
        return found[0]

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # refusals

    def refused(self, refusal: Refusal, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> CommandError:
        """Run a command that must be refused with `refusal`, and check that
        it changed nothing, emitted nothing and armed no timer."""
        before = digest(self.switch)
        batches = len(self.batches)
        pending = self.clock.pending()
        with pytest.raises(CommandError) as info:
            fn(*args, **kwargs)
        assert info.value.refusal is refusal, f"refused with {info.value!r}, expected {refusal.value}"
        assert len(self.batches) == batches, f"a refused command emitted {self.batches[batches:]}"
        assert self.clock.pending() == pending, "a refused command armed a timer"
        assert digest(self.switch) == before, "a refused command changed state"
        assert self.switch._events is None, "a refused command left a transaction open"
        return info.value

    def check(self) -> None:
        """Invariants, plus: the replayed event stream equals the live calls."""
        check_invariants(self.switch)
        assert not self.replay.problems, self.replay.problems
        assert self.replay.calls == live_structure(self.switch)


def kinds(events: Iterable[Event]) -> list[str]:
    """Event class names, for sequence assertions."""
    return [type(e).__name__ for e in events]


def steps(events: Iterable[Event]) -> list[tuple[str, ...]]:
    """(event name, dn or call, cause) triples: the shape of a batch that
    matters to the faces, without ids."""
    out: list[tuple[str, ...]] = []
    for e in events:
        name = type(e).__name__
        if isinstance(e, ConnectionEvent):
            out.append((name, e.dn, e.cause.value))
        elif isinstance(e, Diverted):
            out.append((name, e.from_number, e.to_number, e.cause.value))
        elif isinstance(e, CallLogged):
            out.append((name, e.login, e.direction, "answered" if e.answered else "missed"))
        elif hasattr(e, "cause"):
            out.append((name, e.cause.value))
        else:
            out.append((name,))
    return out


def only(events: Iterable[Event], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]
