"""Overflow to the user's associate (o2g.md §2.6 ASSOCIATE overflow,
call-model §2.4 R2b/R2n): busy and no-answer coverage divert to the
associate with cause OVERFLOW instead of voicemail, the setting is refused
without an associate, and the routing keeps reading stored JSON from before
associates existed.

Demo users have no associate: each test gives 1004 the associate 1008.
"""
from __future__ import annotations

import pytest
from engine_support import Harness, steps

from ctiswitch.engine.directory import OVERFLOW_ASSOCIATE, OVERFLOW_VOICEMAIL, Routing
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import RoutingChanged
from ctiswitch.engine.states import ForwardKind

F = ForwardKind


def _with_associate(h: Harness) -> None:
    h.switch.users["1004"].associate = "1008"


def _fill(h: Harness, number: str) -> None:
    """Take every appearance of the number's phone, so it is busy."""
    for _ in range(3):
        h.switch.off_hook(number)


def test_busy_overflow_rings_the_associate(h: Harness) -> None:
    _with_associate(h)
    h.switch.set_overflow("1004", F.BUSY, OVERFLOW_ASSOCIATE)
    _fill(h, "1004")
    h.take()
    call = h.switch.make_call("1003", "1004")
    assert ("Diverted", "1004", "1008", "overflow") in steps(h.take())
    assert h.states(call) == {"1003": "connected", "1008": "alerting"}


def test_no_answer_overflow_rings_the_associate(h: Harness) -> None:
    _with_associate(h)
    h.switch.set_overflow("1004", F.NO_ANSWER, OVERFLOW_ASSOCIATE)
    call = h.switch.make_call("1003", "1004")
    h.take()
    h.advance(15)
    assert steps(h.take()) == [
        ("ConnectionCleared", "1004", "overflow"),
        ("CallLogged", "1004", "incoming", "missed"),
        ("Diverted", "1004", "1008", "overflow"),
        ("Delivered", "1008", "overflow"),
    ]
    assert h.states(call) == {"1003": "connected", "1008": "alerting"}
    # The associate's own no-answer coverage follows: its voicemail.
    h.advance(15)
    assert h.states(call) == {"1003": "connected", "8000": "connected"}
    assert h.party(call, "8000").coverage_of is h.switch.users["1008"]


def test_busy_no_answer_overflow_covers_both(h: Harness) -> None:
    _with_associate(h)
    h.switch.set_overflow("1004", F.BUSY_NO_ANSWER, OVERFLOW_ASSOCIATE)
    first = h.switch.make_call("1003", "1004")
    h.advance(15)
    assert h.states(first) == {"1003": "connected", "1008": "alerting"}
    _fill(h, "1004")
    second = h.switch.make_call("1002", "1004")
    assert h.states(second) == {"1002": "connected", "1008": "alerting"}


def test_voicemail_overflow_is_unchanged(h: Harness) -> None:
    _with_associate(h)
    h.switch.set_overflow("1004", F.NO_ANSWER)
    call = h.switch.make_call("1003", "1004")
    h.advance(15)
    assert h.states(call) == {"1003": "connected", "8000": "connected"}


def test_a_busy_associate_leaves_the_voicemail_overflow(h: Harness) -> None:
    _with_associate(h)
    h.switch.set_overflow("1004", F.BUSY, OVERFLOW_ASSOCIATE)
    _fill(h, "1004")
    _fill(h, "1008")
    call = h.switch.make_call("1003", "1004")
    assert h.states(call) == {"1003": "connected", "8000": "connected"}
    assert h.party(call, "8000").coverage_of is h.switch.users["1004"]


def test_refused_without_an_associate_and_nothing_changes(h: Harness) -> None:
    h.switch.set_overflow("1004", F.BUSY)
    h.take()
    before = h.switch.users["1004"].routing
    h.refused(Refusal.BAD_VALUE, h.switch.set_overflow, "1004", F.NO_ANSWER, OVERFLOW_ASSOCIATE)
    h.refused(Refusal.BAD_VALUE, h.switch.set_overflow, "1004", F.NO_ANSWER, "mobile")
    assert h.switch.users["1004"].routing == before
    assert h.take() == []


def test_associate_needs_no_mailbox_and_cancel_resets(h: Harness) -> None:
    _with_associate(h)
    h.switch.users["1004"].has_mailbox = False
    h.switch.set_overflow("1004", F.BUSY, OVERFLOW_ASSOCIATE)
    assert h.take() == [RoutingChanged("1004", {"dnd": False, "forward": None, "overflow": "busy",
                                                "overflow_destination": "associate"})]
    h.switch.set_overflow("1004", None)
    assert h.switch.users["1004"].routing.overflow_destination == OVERFLOW_VOICEMAIL
    assert h.take() == [RoutingChanged("1004", {"dnd": False, "forward": None, "overflow": None})]


def test_json_round_trip_and_old_json() -> None:
    routing = Routing(overflow=F.NO_ANSWER, overflow_destination=OVERFLOW_ASSOCIATE)
    data = routing.to_json()
    assert data["overflow_destination"] == "associate"
    assert Routing.from_json(data) == routing
    # Stored before associates existed: no key, a voicemail overflow.
    old = Routing.from_json({"dnd": False, "forward": None, "overflow": "busy"})
    assert old == Routing(overflow=F.BUSY)
    assert old.overflow_destination == OVERFLOW_VOICEMAIL
    assert "overflow_destination" not in old.to_json()


def test_an_associate_number_with_the_overflow_changes_the_associate() -> None:
    """O2G: an ASSOCIATE overflow route with a number updates the associate,
    in the same transaction as the overflow."""
    from ctiswitch.config.load import load_demo
    from ctiswitch.engine.build import build_switch
    from ctiswitch.engine.clock import VirtualClock
    from ctiswitch.engine.directory import OVERFLOW_ASSOCIATE
    from ctiswitch.engine.events import RoutingChanged, UserChanged
    from ctiswitch.engine.states import ForwardKind

    switch = build_switch(load_demo(), VirtualClock())
    batches = []
    switch.subscribe(batches.append)
    switch.set_overflow("1002", ForwardKind.BUSY, OVERFLOW_ASSOCIATE, associate="1004")
    assert switch.users["1002"].associate == "1004"
    (batch,) = batches
    assert [type(e) for e in batch.events] == [UserChanged, RoutingChanged]


def test_a_bad_associate_number_is_refused_and_changes_nothing() -> None:
    from ctiswitch.config.load import load_demo
    from ctiswitch.engine.build import build_switch
    from ctiswitch.engine.clock import VirtualClock
    from ctiswitch.engine.directory import OVERFLOW_ASSOCIATE, OVERFLOW_VOICEMAIL
    from ctiswitch.engine.errors import CommandError, Refusal
    from ctiswitch.engine.states import ForwardKind

    switch = build_switch(load_demo(), VirtualClock())
    batches = []
    switch.subscribe(batches.append)
    for number, destination in (("0612345678", OVERFLOW_ASSOCIATE), ("1002", OVERFLOW_ASSOCIATE),
                                ("1004", OVERFLOW_VOICEMAIL)):
        with pytest.raises(CommandError) as refused:
            switch.set_overflow("1002", ForwardKind.BUSY, destination, associate=number)
        assert refused.value.refusal in (Refusal.BAD_DESTINATION, Refusal.BAD_VALUE)
    assert switch.users["1002"].associate is None and switch.users["1002"].routing.overflow is None
    assert batches == []
