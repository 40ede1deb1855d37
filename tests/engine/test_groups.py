"""Hunt groups and queues (call-model §2.4 R4).

Demo: hunt group 3000 rings 1005-1007 in parallel; queue 3100 offers one
agent at a time, longest idle first, and lets callers wait when nobody is
free. Ring modes other than the demo's are set on the group directly: they
are configuration, not run-time commands.
"""
from __future__ import annotations

import pytest
from engine_support import Harness, only, steps

from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import Delivered, MemberChanged
from ctiswitch.engine.states import (
    Cause,
    ConnectionState,
    ForwardKind,
    PartyKind,
    RingMode,
)

S = ConnectionState
AGENTS = ("1005", "1006", "1007")


def offered(events) -> list[str]:
    """Devices a batch offered the call to."""
    return [e.dn for e in only(events, Delivered) if e.cause is Cause.DISTRIBUTED]


def busy(h: Harness, *agents: str) -> None:
    """Put agents in a call each (to 1008, still ringing): not free."""
    for agent in agents:
        h.switch.make_call(agent, "1008")


class TestHuntGroupParallel:
    def test_every_free_member_rings(self, h: Harness) -> None:
        call = h.switch.make_call("1001", "3000")
        assert steps(h.take())[3:] == [
            ("Queued", "3000", "new_call"),
            ("Delivered", "1005", "distributed"),
            ("Delivered", "1006", "distributed"),
            ("Delivered", "1007", "distributed"),
        ]
        group_party = h.party(call, "3000")
        assert group_party.kind is PartyKind.GROUP and group_party.state is S.QUEUED
        assert call.group is h.switch.groups["3000"]

    def test_first_to_answer_takes_it_the_others_are_cleared(self, h: Harness) -> None:
        call = h.switch.make_call("1001", "3000")
        h.take()
        h.switch.answer(h.conn("1006").id)
        assert steps(h.take()) == [
            ("Established", "1006", "new_call"),
            ("ConnectionCleared", "1005", "distributed"),
            ("CallLogged", "1005", "incoming", "missed"),
            ("ConnectionCleared", "1007", "distributed"),
            ("CallLogged", "1007", "incoming", "missed"),
            ("ConnectionCleared", "3000", "distributed"),
        ]
        assert h.states(call) == {"1001": "connected", "1006": "connected"}
        assert call.group is h.switch.groups["3000"]  # kept after the answer
        assert not h.switch._waiting.get("3000")

    def test_busy_dnd_and_logged_off_members_are_skipped(self, h: Harness) -> None:
        busy(h, "1005")
        h.switch.set_dnd("1006", True)
        h.switch.set_logged_on("3000", "1007", False)
        h.switch.add_member("3000", "1004")
        h.take()
        h.switch.make_call("1001", "3000")
        assert offered(h.take()) == ["1004"]

    def test_nobody_free_gives_busy(self, h: Harness) -> None:
        busy(h, *AGENTS)
        call = h.switch.make_call("1001", "3000")
        assert steps(h.take())[-1] == ("Failed", "1001", "busy")
        assert h.states(call) == {"1001": "failed"}

    def test_a_member_declining_leaves_the_others_ringing(self, h: Harness) -> None:
        call = h.switch.make_call("1001", "3000")
        h.take()
        h.switch.reject(h.conn("1005").id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1005", "rejected"),
            ("CallLogged", "1005", "incoming", "missed"),
        ]
        assert h.states(call) == {"1001": "connected", "3000": "queued", "1006": "alerting", "1007": "alerting"}

    def test_caller_hanging_up_clears_the_group(self, h: Harness) -> None:
        h.switch.make_call("1001", "3000")
        h.switch.clear_connection(h.conn("1001").id)
        assert not h.switch.calls and not h.switch._waiting.get("3000")
        assert h.clock.pending() == 0

    def test_members_ignore_personal_forwarding(self, h: Harness) -> None:
        h.switch.set_forward("1005", ForwardKind.IMMEDIATE, "1008")
        h.take()
        h.switch.make_call("1001", "3000")
        assert offered(h.take()) == list(AGENTS)


class TestQueue:
    def test_one_agent_at_a_time_longest_idle_first(self, h: Harness) -> None:
        call = h.switch.make_call("1001", "3100")
        assert offered(h.take()) == ["1005"]  # all equally idle: list order
        h.advance(15)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1005", "no_answer"),
            ("CallLogged", "1005", "incoming", "missed"),
            ("Delivered", "1006", "distributed"),
        ]
        h.switch.answer(h.conn("1006").id)
        assert steps(h.take()) == [("Established", "1006", "new_call"), ("ConnectionCleared", "3100", "distributed")]
        assert h.states(call) == {"1001": "connected", "1006": "connected"}

    def test_the_agent_idle_longest_is_offered_first(self, h: Harness) -> None:
        # 1005 and 1007 finish calls after 1006 does.
        for agent, t in (("1006", 1), ("1005", 2), ("1007", 3)):
            c = h.switch.make_call(agent, "1008")
            h.advance(t)
            h.switch.clear_call(c.id)
        h.take()
        h.switch.make_call("1001", "3100")
        assert offered(h.take()) == ["1006"]

    def test_round_robin_after_everyone_was_tried(self, h: Harness) -> None:
        h.switch.make_call("1001", "3100")
        seen = offered(h.take())
        for _ in range(3):
            h.advance(15)
            seen += offered(h.take())
        assert seen == ["1005", "1006", "1007", "1005"]

    def test_caller_waits_when_no_agent_is_free(self, h: Harness) -> None:
        busy(h, *AGENTS)
        h.take()
        call = h.switch.make_call("1001", "3100")
        assert steps(h.take())[-1] == ("Queued", "3100", "new_call")
        assert h.states(call) == {"1001": "connected", "3100": "queued"}
        h.advance(600)
        assert h.states(call) == {"1001": "connected", "3100": "queued"}

    def test_a_freed_agent_gets_the_waiting_call(self, h: Harness) -> None:
        busy(h, *AGENTS)
        call = h.switch.make_call("1001", "3100")
        h.take()
        h.switch.clear_connection(h.conn("1007").id)
        assert offered(h.take()) == ["1007"]
        assert h.states(call) == {"1001": "connected", "3100": "queued", "1007": "alerting"}

    def test_waiting_calls_are_served_oldest_first(self, h: Harness) -> None:
        busy(h, *AGENTS)
        first = h.switch.make_call("1001", "3100")
        second = h.switch.make_call("1002", "3100")
        h.take()
        h.switch.clear_connection(h.conn("1006").id)
        (delivered,) = [e for e in only(h.take(), Delivered) if e.cause is Cause.DISTRIBUTED]
        assert delivered.call == first.id
        h.switch.clear_connection(h.conn("1005").id)
        (delivered,) = [e for e in only(h.take(), Delivered) if e.cause is Cause.DISTRIBUTED]
        assert delivered.call == second.id

    def test_logging_on_redistributes(self, h: Harness) -> None:
        for agent in AGENTS:
            h.switch.set_logged_on("3100", agent, False)
        call = h.switch.make_call("1001", "3100")
        h.take()
        h.switch.set_logged_on("3100", "1006", True)
        events = h.take()
        assert only(events, MemberChanged) == [MemberChanged("3100", "1006", ("logged_on",))]
        assert offered(events) == ["1006"]
        assert h.states(call)["1006"] == "alerting"

    def test_dnd_off_redistributes(self, h: Harness) -> None:
        for agent in AGENTS:
            h.switch.set_dnd(agent, True)
        h.switch.make_call("1001", "3100")
        h.take()
        h.switch.set_dnd("1007", False)
        assert offered(h.take()) == ["1007"]

    def test_a_new_member_gets_the_waiting_call(self, h: Harness) -> None:
        busy(h, *AGENTS)
        h.switch.make_call("1001", "3100")
        h.take()
        h.switch.add_member("3100", "1004")
        events = h.take()
        assert only(events, MemberChanged) == [MemberChanged("3100", "1004", ("added",))]
        assert offered(events) == ["1004"]

    def test_an_agent_declining_passes_to_the_next(self, h: Harness) -> None:
        h.switch.make_call("1001", "3100")
        h.take()
        h.switch.reject(h.conn("1005").id)
        assert offered(h.take()) == ["1006"]

    def test_an_agent_who_declined_is_not_offered_the_call_again(self, h: Harness) -> None:
        """Regression: when every agent had been tried, a new round started
        at once, so the agent who had just declined rang again immediately."""
        for agent in ("1006", "1007"):
            h.switch.set_logged_on("3100", agent, False)
        call = h.switch.make_call("1001", "3100")
        h.switch.reject(h.conn("1005").id)
        h.take()
        h.advance(60)
        assert offered(h.take()) == []
        assert h.states(call) == {"1001": "connected", "3100": "queued"}
        # Another agent still gets it.
        h.switch.set_logged_on("3100", "1006", True)
        assert offered(h.take()) == ["1006"]

    def test_a_phone_that_always_declines_does_not_hang_the_switch(self, hs: Harness) -> None:
        """Regression: with the Simulator declining at once, the re-offer
        and the decline chased each other without virtual time passing, so
        `advance` never returned."""
        for agent in ("1006", "1007"):
            hs.switch.set_logged_on("3100", agent, False)
        hs.switch.set_behaviour("1005", "reject", 0)
        call = hs.switch.make_call("1001", "3100")
        hs.advance(1)
        assert hs.states(call) == {"1001": "connected", "3100": "queued"}

    def test_sequential_round_skips_decliners_but_not_the_unanswered(self, h: Harness) -> None:
        h.switch.groups["3000"].ring_mode = RingMode.SEQUENTIAL
        h.switch.make_call("1001", "3000")
        h.switch.reject(h.conn("1005").id)  # 1005 declines: 1006 next
        seen = offered(h.take())
        for _ in range(3):
            h.advance(15)
            seen += offered(h.take())
        assert seen == ["1005", "1006", "1007", "1006", "1007"]

    def test_caller_abandoning_a_waiting_call_leaves_the_queue(self, h: Harness) -> None:
        busy(h, *AGENTS)
        call = h.switch.make_call("1001", "3100")
        h.switch.clear_connection(h.conn("1001", call=call).id)
        assert call.id not in h.switch.calls and not h.switch._waiting["3100"]
        h.switch.clear_connection(h.conn("1005").id)
        assert offered(h.take()) == []


class TestRingModes:
    def test_sequential_offers_in_member_order(self, h: Harness) -> None:
        h.switch.groups["3000"].ring_mode = RingMode.SEQUENTIAL
        h.switch.make_call("1001", "3000")
        seen = offered(h.take())
        for _ in range(3):
            h.advance(15)
            seen += offered(h.take())
        assert seen == ["1005", "1006", "1007", "1005"]

    def test_rotary_starts_after_the_last_offered(self, h: Harness) -> None:
        h.switch.groups["3000"].ring_mode = RingMode.ROTARY
        first = h.switch.make_call("1001", "3000")
        h.switch.answer(h.conn("1005").id)
        h.advance(1)
        h.take()
        h.switch.make_call("1002", "3000")
        assert offered(h.take()) == ["1006"]
        h.switch.clear_call(first.id)

    def test_group_overflow_after_its_waiting_time(self, h: Harness) -> None:
        group = h.switch.groups["3000"]
        group.voicemail_seconds, group.overflow = 30, "1008"
        call = h.switch.make_call("1001", "3000")
        h.advance(29)
        h.take()
        h.advance(1)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1005", "overflow"),
            ("CallLogged", "1005", "incoming", "missed"),
            ("ConnectionCleared", "1006", "overflow"),
            ("CallLogged", "1006", "incoming", "missed"),
            ("ConnectionCleared", "1007", "overflow"),
            ("CallLogged", "1007", "incoming", "missed"),
            ("ConnectionCleared", "3000", "overflow"),
            ("Delivered", "1008", "overflow"),
        ]
        assert h.states(call) == {"1001": "connected", "1008": "alerting"}
        assert not h.switch._waiting["3000"]

    def test_answered_group_call_cancels_the_overflow(self, h: Harness) -> None:
        group = h.switch.groups["3000"]
        group.voicemail_seconds, group.overflow = 30, "1008"
        call = h.switch.make_call("1001", "3000")
        h.switch.answer(h.conn("1005").id)
        h.advance(60)
        assert h.states(call) == {"1001": "connected", "1005": "connected"}


class TestOneGroupAtATime:
    """A call waits in at most one group, and members ring only while it
    waits there (engine_support.check_invariants checks this after every
    test; these are the cases the property test found)."""

    def test_overflow_while_an_agent_rings_offers_nobody_else(self, h: Harness) -> None:
        """Regression: clearing the ringing offer freed the agent, which
        offered the still-waiting call to the next agent just before the
        call left for the overflow destination."""
        group = h.switch.groups["3100"]
        group.voicemail_seconds, group.overflow = 20, "1008"
        call = h.switch.make_call("1001", "3100")
        h.advance(15)  # 1005 did not answer: 1006 rings
        h.take()
        h.advance(5)
        assert offered(h.take()) == []
        assert h.states(call) == {"1001": "connected", "1008": "alerting"}

    def test_clearing_the_group_connection_stops_the_members_ringing(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "3000")
        h.take()
        group_conn = next(c for c in call.connections() if c.dn == "3000")
        h.switch.clear_connection(group_conn.id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1005", "normal"),
            ("CallLogged", "1005", "incoming", "missed"),
            ("ConnectionCleared", "1006", "normal"),
            ("CallLogged", "1006", "incoming", "missed"),
            ("ConnectionCleared", "1007", "normal"),
            ("CallLogged", "1007", "incoming", "missed"),
            ("ConnectionCleared", "3000", "normal"),
            ("ConnectionCleared", "0612345678", "normal"),
            ("CallCleared", "normal"),
        ]

    def test_dropping_the_queue_party_offers_the_call_to_nobody(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "3100")
        caller = next(c for c in call.connections() if c.dn == "0612345678")
        h.take()
        h.switch.drop_party(caller.id, h.party(call, "3100").id)
        assert offered(h.take()) == []
        assert call.id not in h.switch.calls

    def test_no_second_group_in_a_waiting_call(self, h: Harness) -> None:
        busy(h, *AGENTS)
        call = h.switch.make_call("1001", "3100")
        me = h.conn("1001", call=call)
        h.refused(Refusal.CANT_COMPLETE, h.switch.single_step_transfer, me.id, "3100")
        h.refused(Refusal.CANT_COMPLETE, h.switch.add_party, me.id, "3100")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.add_party, me.id, "3000")  # busy anyway
        h.switch.add_party(me.id, "1004")  # anyone else may join

    def test_two_waiting_calls_cannot_be_joined(self, h: Harness) -> None:
        busy(h, *AGENTS)
        h.switch.make_call("1001", "3100")
        h.switch.consult(h.conn("1001", S.CONNECTED).id, "3100")
        held, active = h.conn("1001", S.HELD), h.conn("1001", S.CONNECTED)
        h.refused(Refusal.CANT_COMPLETE, h.switch.transfer, held.id, active.id)
        h.refused(Refusal.CANT_COMPLETE, h.switch.conference, held.id, active.id)

    def test_a_member_may_pass_its_offer_to_another_group(self, h: Harness) -> None:
        call = h.switch.make_call("1001", "3000")
        h.switch.deflect(h.conn("1007").id, "3100")
        # The agents are equally idle, so the queue's first agent rings.
        assert h.states(call) == {"1001": "connected", "3100": "queued", "1005": "alerting"}

    def test_a_transferred_waiting_call_is_offered_by_its_own_group(self, h: Harness) -> None:
        """Regression: distribution read the call's first group, so a queue
        call transferred into a call that came through the hunt group was
        then offered to the hunt group's members in its ring mode."""
        primary = h.switch.incoming_call("0612345678", "3000")
        h.switch.answer(h.conn("1005").id)
        for agent in AGENTS:
            h.switch.set_logged_on("3100", agent, False)
        h.switch.consult(h.conn("1005").id, "3100")  # no agent logged on: it waits
        h.switch.transfer(h.conn("1005", S.HELD).id, h.conn("1005", S.CONNECTED).id)
        assert h.states(primary) == {"0612345678": "connected", "3100": "queued"}
        h.take()
        h.switch.set_logged_on("3100", "1006", True)
        assert offered(h.take()) == ["1006"]
        assert h.party(primary, "1006").group is h.switch.groups["3100"]


class TestMembership:
    def test_log_off_and_on(self, h: Harness) -> None:
        h.switch.set_logged_on("3000", "1005", False)
        assert h.take() == [MemberChanged("3000", "1005", ("logged_on",))]
        assert not h.switch.groups["3000"].member("1005").logged_on
        h.switch.set_logged_on("3000", "1005", False)  # already off: nothing to say
        assert h.take() == []

    def test_remove_member(self, h: Harness) -> None:
        h.switch.remove_member("3000", "1007")
        assert h.take() == [MemberChanged("3000", "1007", ("removed",))]
        h.switch.make_call("1001", "3000")
        assert offered(h.take()) == ["1005", "1006"]

    @pytest.mark.parametrize(("command", "args", "refusal"), [
        ("set_logged_on", ("3999", "1005", False), Refusal.GROUP_NOT_FOUND),
        ("set_logged_on", ("3000", "1001", False), Refusal.USER_NOT_FOUND),
        ("add_member", ("3000", "1005"), Refusal.ALREADY_DONE),
        ("add_member", ("3000", "nobody"), Refusal.USER_NOT_FOUND),
        ("add_member", ("3999", "1001"), Refusal.GROUP_NOT_FOUND),
        ("remove_member", ("3000", "1001"), Refusal.USER_NOT_FOUND),
        ("remove_member", ("3999", "1005"), Refusal.GROUP_NOT_FOUND),
    ])
    def test_refusals(self, h: Harness, command: str, args: tuple, refusal: Refusal) -> None:
        h.refused(refusal, getattr(h.switch, command), *args)


class TestQueueAssociation:
    """The queue that follows a call (call-model `queue_assoc`; MTCTI-3
    §5.3 "to another queue", Finish): the first group the call entered,
    kept while it is sent on to other groups, until the association ends."""

    def waiting_in_3100(self, h: Harness):  # type: ignore[no-untyped-def]
        for agent in AGENTS:
            h.switch.set_logged_on("3100", agent, False)
        call = h.switch.incoming_call("0611223344", "3100")
        (group_party,) = [p for p in call.parties.values() if p.kind is PartyKind.GROUP]
        return call, group_party.connections[0]

    def test_the_first_queue_keeps_following_a_call_sent_to_another(self, h: Harness) -> None:
        call, waiting = self.waiting_in_3100(h)
        assert call.queue_assoc is h.switch.groups["3100"]
        h.switch.single_step_transfer(waiting.id, "3000")
        assert call.group is h.switch.groups["3000"] and call.queue_assoc is h.switch.groups["3100"]
        h.switch.answer(h.conn("1005", S.ALERTING).id)
        assert call.queue_assoc is h.switch.groups["3100"]  # and after answer
        h.switch.clear_call(call.id)

    def test_ending_it_at_once_hands_the_call_to_the_queue_it_waits_in(self, h: Harness) -> None:
        call, waiting = self.waiting_in_3100(h)
        h.switch.single_step_transfer(waiting.id, "3000")
        h.take()
        h.switch.end_queue_association(call.id, "3100", at_once=True)
        assert call.queue_assoc is h.switch.groups["3000"]
        assert [(type(e).__name__, e.fields) for e in h.take()] == [("CallChanged", ("queue_assoc",))]
        h.refused(Refusal.INVALID_STATE, h.switch.end_queue_association, call.id, "3100")
        h.switch.clear_call(call.id)

    def test_ending_it_waits_for_the_next_queue_the_call_enters(self, h: Harness) -> None:
        call, waiting = self.waiting_in_3100(h)
        h.switch.single_step_transfer(waiting.id, "1008")
        h.switch.end_queue_association(call.id, "3100")
        assert call.queue_assoc is None
        h.switch.single_step_transfer(h.conn("1008", S.ALERTING).id, "3000")
        assert call.queue_assoc is h.switch.groups["3000"]
        h.switch.clear_call(call.id)

    def test_at_once_with_no_queue_waiting_leaves_it_to_the_next(self, h: Harness) -> None:
        call, _ = self.waiting_in_3100(h)
        h.refused(Refusal.INVALID_STATE, h.switch.end_queue_association, call.id, "3000")
        h.switch.end_queue_association(call.id, "3100", at_once=True)  # it waits in 3100 itself
        assert call.queue_assoc is None
        h.switch.clear_call(call.id)
