"""Property-based tests: random command sequences over the demo company.

A hypothesis state machine plays every person, far end and API at once:
calls to random internal, external and magic numbers, answers, hang-ups,
holds, transfers, conferences, parks, pickups, deflections, routing
changes, phone behaviours and jumps in virtual time, with the Simulator
running. A refusal (CommandError) is always a legal outcome, but it must
change nothing and emit nothing.

After every step the structure must be sound (engine_support.check_invariants)
and the calls rebuilt from the event stream alone must equal the live ones.
At the end, clearing every call must leave nothing behind: no call,
connection, park, waiting group party, seized trunk or live engine timer.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from engine_support import Harness, digest, engine_timers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ctiswitch.engine.calls import Connection
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.routing import check_dialable
from ctiswitch.engine.settings import BEHAVIOURS
from ctiswitch.engine.states import (
    ConnectionState,
    ConsultPurpose,
    ForwardKind,
    HoldKind,
)
from ctiswitch.sim.phones import ACTIONS, perform

S = ConnectionState

DEVICES = ["1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008", "2001", "2002", "5001", "5002"]
LOGINS = ["1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008"]
EXTERNALS = ["0612345678", "+33612345678", "0600000486", "0600000408", "0600000404", "0600000603"]
DESTINATIONS = DEVICES + EXTERNALS + ["3000", "3100", "8000", "6465551004", "1999", "123"]
SLOTS = [None, "77", "1004"]
SECONDS = [0, 0.5, 1, 2, 3, 5, 10, 15, 30, 45, 120]

index = st.integers(min_value=0, max_value=63)
device = st.sampled_from(DEVICES)
destination = st.sampled_from(DESTINATIONS)
login = st.sampled_from(LOGINS)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.h = Harness(sim=True)
        self.sw = self.h.switch

    # -- helpers ------------------------------------------------------------

    def conns(self, *states: ConnectionState) -> list[Connection]:
        """Live connections in id order (deterministic for shrinking)."""
        return [self.sw.connections[i] for i in sorted(self.sw.connections)
                if not states or self.sw.connections[i].state in states]

    @staticmethod
    def pick(pool: list[Any], i: int) -> Any:
        return pool[i % len(pool)] if pool else None

    def do(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run a command; a refusal must leave no trace."""
        before = digest(self.sw)
        batches = len(self.h.batches)
        pending = self.h.clock.pending()
        try:
            fn(*args, **kwargs)
        except CommandError as error:
            assert isinstance(error.refusal, Refusal)
            assert len(self.h.batches) == batches, f"refused {fn.__name__} emitted {self.h.batches[batches:]}"
            assert self.h.clock.pending() == pending, f"refused {fn.__name__} armed a timer"
            assert digest(self.sw) == before, f"refused {fn.__name__} changed state"
        assert self.sw._events is None, "a transaction was left open"

    # -- origination ---------------------------------------------------------

    @rule(number=device, dest=destination, ring_first=st.booleans())
    def make_call(self, number: str, dest: str, ring_first: bool) -> None:
        self.do(self.sw.make_call, number, dest, ring_first=ring_first)

    @rule(number=device)
    def off_hook(self, number: str) -> None:
        self.do(self.sw.off_hook, number)

    @rule(number=device, dest=destination)
    def dial(self, number: str, dest: str) -> None:
        self.do(self.sw.dial, number, dest)

    @rule(caller=st.sampled_from(EXTERNALS[:2]),
          dest=st.sampled_from(["1001", "1003", "1005", "3000", "3100", "6465551002", "5003", "1999"]))
    def incoming_call(self, caller: str, dest: str) -> None:
        self.do(self.sw.incoming_call, caller, dest)

    # -- one connection --------------------------------------------------------

    @rule(i=index, action=st.sampled_from(
        ["answer", "clear", "reject", "silence", "hold", "private_hold", "retrieve", "dtmf", "overflow_vm", "park"]))
    def on_connection(self, i: int, action: str) -> None:
        wanted = {
            "answer": (S.ALERTING,), "reject": (S.ALERTING,), "silence": (S.ALERTING,),
            "hold": (S.CONNECTED,), "private_hold": (S.CONNECTED,), "retrieve": (S.HELD,),
            "dtmf": (S.CONNECTED,), "overflow_vm": (S.CONNECTED,),
            # A talking phone, or a queue parking the call waiting in it.
            "park": (S.CONNECTED, S.QUEUED),
        }.get(action, ())
        # Mostly pick a connection in a state where the command can work,
        # sometimes any connection, to exercise the refusals too.
        pool = self.conns(*wanted) if i % 4 else self.conns()
        conn = self.pick(pool, i)
        if conn is None:
            return
        sw = self.sw
        command: dict[str, Callable[[], Any]] = {
            "answer": lambda: sw.answer(conn.id),
            "clear": lambda: sw.clear_connection(conn.id),
            "reject": lambda: sw.reject(conn.id),
            "silence": lambda: sw.silence(conn.id),
            "hold": lambda: sw.hold(conn.id),
            "private_hold": lambda: sw.hold(conn.id, HoldKind.PRIVATE),
            "retrieve": lambda: sw.retrieve(conn.id),
            "dtmf": lambda: sw.send_dtmf(conn.id, "12#"),
            "overflow_vm": lambda: sw.overflow_to_voicemail(conn.id),
            "park": lambda: sw.park(conn.id, self.pick(SLOTS, i)),
        }
        self.do(command[action])

    @rule(i=index, dest=destination,
          action=st.sampled_from(["consult", "single_step", "add_party", "deflect", "call_flow"]))
    def with_destination(self, i: int, dest: str, action: str) -> None:
        wanted = {"deflect": (S.ALERTING,), "consult": (S.CONNECTED,), "add_party": (S.CONNECTED,)}.get(
            action, (S.CONNECTED, S.QUEUED))  # blind transfers also send on waiting and parked calls
        pool = self.conns(*wanted) if i % 4 else self.conns()
        conn = self.pick(pool, i)
        if conn is None:
            return
        sw = self.sw
        if action == "consult":
            self.do(sw.consult, conn.id, dest, self.pick(list(ConsultPurpose), i))
        elif action == "single_step":
            self.do(sw.single_step_transfer, conn.id, dest)
        elif action == "add_party":
            self.do(sw.add_party, conn.id, dest)
        elif action == "call_flow":
            self.do(sw.transfer_to_call_flow, conn.id, "Callflow" if i % 2 else dest)
        else:
            self.do(sw.deflect, conn.id, dest)

    # -- two connections ---------------------------------------------------------

    @rule(i=index, j=index, action=st.sampled_from(["transfer", "conference", "alternate", "reconnect"]))
    def pair(self, i: int, j: int, action: str) -> None:
        held = self.pick(self.conns(S.HELD) if i % 4 else self.conns(), i)
        if held is None:
            return
        # The partner is usually on the same device or user, as a person
        # at one phone would choose it.
        mine = [c for c in self.conns() if c is not held and (
            c.device is held.device or (c.party.user is not None and c.party.user is held.party.user))]
        active = self.pick(mine if j % 4 and mine else self.conns(), j)
        if active is None:
            return
        self.do(getattr(self.sw, action), held.id, active.id)

    @rule(i=index, dest=destination, answer=st.booleans(),
          action=st.sampled_from(["transfer", "conference", "alternate", "reconnect"]))
    def consult_then_join(self, i: int, dest: str, answer: bool, action: str) -> None:
        """The usual life of a consultation: hold and call someone, maybe
        wait for the answer, then transfer, conference, toggle or go back.
        Random single commands rarely line these steps up."""
        conn = self.pick([c for c in self.conns(S.CONNECTED) if c.device is not None], i)
        if conn is None:
            return
        before = set(self.sw.calls)
        self.do(self.sw.consult, conn.id, dest, ConsultPurpose.TRANSFER)
        new = [self.sw.calls[k] for k in set(self.sw.calls) - before]
        if not new or conn.state is not S.HELD:
            return
        if answer:
            for other in new[0].connections():
                if other.state is S.ALERTING and other.device is not None:
                    self.do(self.sw.answer, other.id)
                    break
        active = next((c for c in self.conns() if c.device is conn.device and c.call is not conn.call
                       and c.state is S.CONNECTED), None)
        if active is not None and conn.id in self.sw.connections:
            self.do(getattr(self.sw, action), conn.id, active.id)

    @rule(i=index, j=index)
    def drop_party(self, i: int, j: int) -> None:
        conn = self.pick(self.conns(S.CONNECTED), i)
        if conn is None:
            return
        parties = sorted(conn.call.parties) + [10_000]
        self.do(self.sw.drop_party, conn.id, self.pick(parties, j))

    @rule(i=index)
    def clear_call(self, i: int) -> None:
        calls = sorted(self.sw.calls) + [10_000]
        self.do(self.sw.clear_call, self.pick(calls, i))

    # -- devices ---------------------------------------------------------------------

    @rule(number=device, ringing_at=device, i=index, answer=st.booleans())
    def pickup(self, number: str, ringing_at: str, i: int, answer: bool) -> None:
        ringing = sorted({c.dn for c in self.conns(S.ALERTING) if c.device is not None})
        if ringing and i % 4:
            ringing_at = self.pick(ringing, i)
        self.do(self.sw.pickup, number, ringing_at, answer=answer)

    @rule(i=index, number=device, slot=st.sampled_from(SLOTS), unpark=st.booleans())
    def park_then_unpark(self, i: int, number: str, slot: str | None, unpark: bool) -> None:
        conn = self.pick([c for c in self.conns(S.CONNECTED) if len(c.call.live_parties()) == 2], i)
        if conn is None:
            return
        self.do(self.sw.park, conn.id, slot)
        if unpark and self.sw.parks:
            self.do(self.sw.unpark, number, self.pick(sorted(self.sw.parks), i))

    @rule(i=index, group=st.sampled_from(["3000", "3100"]), at_once=st.booleans())
    def end_queue_association(self, i: int, group: str, at_once: bool) -> None:
        calls = sorted(self.sw.calls) + [10_000]
        self.do(self.sw.end_queue_association, self.pick(calls, i), group, at_once=at_once)

    @rule(number=device, i=index)
    def unpark(self, number: str, i: int) -> None:
        slots = sorted(self.sw.parks) if self.sw.parks and i % 4 else ["99"]
        self.do(self.sw.unpark, number, self.pick(slots, i))

    @rule(number=device, action=st.sampled_from(ACTIONS), dest=destination)
    def person(self, number: str, action: str, dest: str) -> None:
        self.do(perform, self.sw, number, action, dest if action == "dial" else "5")

    @rule(number=device, mode=st.sampled_from(BEHAVIOURS), delay=st.sampled_from([0, 1, 3]))
    def behaviour(self, number: str, mode: str, delay: float) -> None:
        self.do(self.sw.set_behaviour, number, mode, delay)

    @rule(number=device, on=st.booleans())
    def in_service(self, number: str, on: bool) -> None:
        self.do(self.sw.set_in_service, number, on)

    # -- routing and groups ----------------------------------------------------

    @rule(who=login, on=st.booleans())
    def dnd(self, who: str, on: bool) -> None:
        self.do(self.sw.set_dnd, who, on)

    @rule(who=login, kind=st.sampled_from([None, *ForwardKind]),
          dest=st.sampled_from(DESTINATIONS + ["voicemail"]))
    def forward(self, who: str, kind: ForwardKind | None, dest: str) -> None:
        self.do(self.sw.set_forward, who, kind, dest)

    @rule(who=login, kind=st.sampled_from([None, *ForwardKind]))
    def overflow(self, who: str, kind: ForwardKind | None) -> None:
        self.do(self.sw.set_overflow, who, kind)

    @rule(group=st.sampled_from(["3000", "3100"]), who=login, on=st.booleans(),
          how=st.sampled_from(["log", "add", "remove"]))
    def membership(self, group: str, who: str, on: bool, how: str) -> None:
        if how == "log":
            self.do(self.sw.set_logged_on, group, who, on)
        elif how == "add":
            self.do(self.sw.add_member, group, who)
        else:
            self.do(self.sw.remove_member, group, who)

    # -- call data -------------------------------------------------------------

    @rule(i=index, who=login, what=st.sampled_from(["start", "stop", "pause", "resume", "mute", "privacy", "data"]),
          on=st.booleans())
    def call_settings(self, i: int, who: str, what: str, on: bool) -> None:
        call = self.pick([self.sw.calls[k] for k in sorted(self.sw.calls)], i)
        if call is None:
            return
        users = sorted({p.user.login for p in call.parties.values() if p.user is not None})
        if users and i % 4:
            who = self.pick(users, i)
        if what == "mute" or what == "privacy":
            party = self.pick(sorted(call.parties) + [10_000], i)
            self.do(self.sw.set_mute if what == "mute" else self.sw.set_privacy, call.id, party, on)
        elif what == "data":
            self.do(self.sw.set_call_data, call.id, label="x" if on else None, priority=i % 5)
        else:
            self.do(self.sw.set_recording, call.id, who, what)

    # -- time ------------------------------------------------------------------

    @rule(seconds=st.sampled_from(SECONDS))
    def advance(self, seconds: float) -> None:
        self.h.clock.advance(seconds)
        assert self.sw._events is None

    # -- checks ----------------------------------------------------------------

    @invariant()
    def structure_is_sound(self) -> None:
        self.h.check()

    def teardown(self) -> None:
        """Clearing every call leaves nothing behind."""
        sw, clock = self.sw, self.h.clock
        # Clearing one call can free a queue agent and offer it a waiting
        # call, so repeat until the switch is empty.
        for _ in range(100):
            if not sw.calls:
                break
            sw.clear_call(min(sw.calls))
            self.h.check()
        assert not sw.calls and not sw.connections
        assert not sw.parks
        assert not sw._in_voicemail, "calls left in a voicemail index"
        assert not any(sw._waiting.values())
        assert sw.trunks_in_use == 0
        assert all(not d.connections for d in sw.devices.values())
        assert engine_timers(clock) == [], "engine timers outlive their calls"
        # What the Simulator still has scheduled refers to connections that
        # are gone: letting it run must change nothing.
        batches = len(self.h.batches)
        clock.advance(3600)
        assert len(self.h.batches) == batches and not sw.calls
        self.h.check()


#: Examples per run; raise it for a deeper hunt on one's own machine, e.g.
#: ENGINE_PROPERTY_EXAMPLES=5000 (about 2 s per 150 here).
EXAMPLES = int(os.environ.get("ENGINE_PROPERTY_EXAMPLES", "150"))

EngineMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestEngineMachine = EngineMachine.TestCase


# -- validation properties -------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(digits=st.text(alphabet="0123456789*#ABCDabcd -+e", max_size=8))
def test_dtmf_accepts_exactly_the_keypad(digits: str) -> None:
    h = Harness()
    call = h.switch.make_call("1003", "1004")
    h.switch.answer(h.conn("1004").id)
    conn = h.conn("1003", call=call)
    valid = bool(digits) and set(digits) <= set("0123456789*#ABCD")
    if valid:
        h.switch.send_dtmf(conn.id, digits)
        assert h.all_events()[-1].digits == digits
    else:
        h.refused(Refusal.BAD_VALUE, h.switch.send_dtmf, conn.id, digits)


@settings(max_examples=200, deadline=None)
@given(number=st.text(alphabet="0123456789*#+ ax", max_size=34))
def test_dialable_numbers(number: str) -> None:
    stripped = number.strip()
    body = stripped.removeprefix("+")
    valid = 1 <= len(body) <= 32 and set(body) <= set("0123456789*#")
    try:
        assert check_dialable(number) == stripped
        assert valid
    except CommandError as error:
        assert not valid and error.refusal is Refusal.BAD_DESTINATION


@settings(max_examples=200, deadline=None)
@given(
    associated=st.one_of(st.none(), st.binary(max_size=40)),
    label=st.one_of(st.none(), st.text(max_size=130)),
    account=st.one_of(st.none(), st.text(alphabet="0123456789x", max_size=18)),
    priority=st.one_of(st.none(), st.integers(-1, 5)),
)
def test_call_data_is_all_or_nothing(associated: bytes | None, label: str | None,
                                     account: str | None, priority: int | None) -> None:
    h = Harness()
    call = h.switch.make_call("1003", "1004")
    fields = {"associated_data": associated, "label": label, "account_code": account, "priority": priority}
    valid = (
        (associated is None or len(associated) <= 32)
        and (label is None or len(label) <= 127)
        and (account is None or (1 <= len(account) <= 16 and account.isdigit()))
        and (priority is None or 1 <= priority <= 3)
    )
    if valid:
        h.switch.set_call_data(call.id, **fields)
        data = call.data
        assert (data.associated_data, data.label, data.account_code, data.priority) == (
            associated, label, account, priority)
    else:
        h.refused(Refusal.BAD_VALUE, h.switch.set_call_data, call.id, **fields)
