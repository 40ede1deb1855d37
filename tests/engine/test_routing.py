"""Routing and coverage (call-model §2.4): the dial plan, forwarding, DND,
busy and no-answer coverage, voicemail and forwarding loops.

The no-answer timer runs in virtual time: 15 s for every demo user.
"""
from __future__ import annotations

import itertools

import pytest
from engine_support import Harness, digest, only, steps

from ctiswitch.engine.events import CallLogged, Diverted, MessageDeposited
from ctiswitch.engine.routing import MAX_DIVERSIONS
from ctiswitch.engine.states import Cause, ConnectionState, ForwardKind, PartyKind

S = ConnectionState
F = ForwardKind


class TestDialPlan:
    """`plan` is pure: it answers where a number goes without changing state."""

    @pytest.mark.parametrize(("number", "kind", "target"), [
        ("1004", "user", "1004"),
        ("2001", "device", "2001"),      # a softphone dialled by its own number
        ("5001", "device", "5001"),      # a turret line
        ("3000", "group", "3000"),
        ("3100", "group", "3100"),
        ("6465551004", "user", "1004"),  # a DID
        ("0612345678", "external", "0612345678"),
        ("1234567", "external", "1234567"),    # seven digits is outside
        ("+33612345678", "external", "+33612345678"),
        ("123456", "fail", "123456"),    # six digits, not a number here
        ("1999", "fail", "1999"),
        ("0600000486", "fail", "0600000486"),
    ])
    def test_plan(self, h: Harness, number: str, kind: str, target: str) -> None:
        before = digest(h.switch)
        plan = h.switch.plan(number)
        assert (plan.kind, plan.number) == (kind, target)
        assert digest(h.switch) == before and not h.batches

    def test_voicemail_pilot_needs_a_caller_with_a_mailbox(self, h: Harness) -> None:
        assert h.switch.plan("8000").cause is Cause.INVALID_NUMBER
        assert h.switch.plan("8000", caller=h.switch.users["1003"]).kind == "voicemail"

    def test_hunt_group_with_nobody_free_is_busy(self, h: Harness) -> None:
        for login in ("1005", "1006", "1007"):
            h.switch.set_dnd(login, True)
        plan = h.switch.plan("3000")
        assert plan.failed and plan.cause is Cause.BUSY
        assert h.switch.plan("3100").kind == "group"  # a queue lets callers wait


class TestForwardImmediate:
    def test_forward_to_another_user(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "1008")
        h.take()
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take())[3:] == [
            ("Diverted", "1004", "1008", "forward_immediate"),
            ("Delivered", "1008", "forward_immediate"),
        ]
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}
        assert call.redirects == [("1004", "1008", "forward_immediate")]
        assert call.initial_called == "1004"

    def test_forward_to_an_external_number(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "0612345678")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "0612345678": "alerting"}
        assert h.switch.trunks_in_use == 1

    def test_forward_to_voicemail(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "voicemail")
        h.take()
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take())[3:] == [
            ("Diverted", "1004", "8000", "forward_immediate"),
            ("Delivered", "8000", "forward_immediate"),
            ("Established", "8000", "forward_immediate"),
        ]
        assert h.party(call, "8000").coverage_of is h.switch.users["1004"]

    def test_immediate_forward_beats_dnd(self, h: Harness) -> None:
        h.switch.set_dnd("1004", True)
        h.switch.set_forward("1004", F.IMMEDIATE, "1008")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}

    def test_forward_to_a_busy_number_fails_the_caller(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "0600000486")
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take())[-2:] == [
            ("Diverted", "1004", "0600000486", "forward_immediate"),
            ("Failed", "1003", "busy"),
        ]
        assert h.states(call) == {"1003": "failed"}

    def test_forward_chain_follows_each_hop(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "1008")
        h.switch.set_forward("1008", F.IMMEDIATE, "1002")
        call = h.switch.make_call("1003", "1004")
        assert [(d.from_number, d.to_number) for d in only(h.take(), Diverted)] == [("1004", "1008"), ("1008", "1002")]
        assert h.states(call) == {"1003": "connected", "1002": "alerting", "2002": "alerting"}


class TestForwardLoops:
    def test_a_loop_stops_at_the_user_it_comes_back_to(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "1008")
        h.switch.set_forward("1008", F.IMMEDIATE, "1004")
        h.take()
        call = h.switch.make_call("1003", "1004")
        assert [(d.from_number, d.to_number) for d in only(h.take(), Diverted)] == [("1004", "1008"), ("1008", "1004")]
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}

    def test_a_long_chain_stops_after_five_hops(self, h: Harness) -> None:
        chain = ["1001", "1002", "1003", "1004", "1008", "1005", "1006"]
        for user, target in itertools.pairwise(chain):
            h.switch.set_forward(user, F.IMMEDIATE, target)
        h.take()
        call = h.switch.make_call("1007", "1001")
        diverted = only(h.take(), Diverted)
        assert len(diverted) == MAX_DIVERSIONS == 5
        assert diverted[-1].to_number == "1005"
        # 1005 forwards too, but routing stops at the current target.
        assert h.states(call) == {"1007": "connected", "1005": "alerting"}

    def test_no_answer_forwards_cannot_ping_pong_for_ever(self, h: Harness) -> None:
        """Regression: each no-answer forward used to start a fresh plan, so
        two users forwarding to each other on no answer rang each other in
        turn for as long as the caller waited."""
        h.switch.set_forward("1004", F.NO_ANSWER, "1008")
        h.switch.set_forward("1008", F.NO_ANSWER, "1004")
        call = h.switch.make_call("1003", "1004")
        h.advance(15 * 10)
        assert [cause for _, _, cause in call.redirects] == ["forward_no_answer"] * MAX_DIVERSIONS + ["voicemail"]
        assert h.states(call) == {"1003": "connected", "8000": "connected"}

    def test_rejections_count_hops_too(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.NO_ANSWER, "1008")
        h.switch.set_forward("1008", F.NO_ANSWER, "1004")
        call = h.switch.make_call("1003", "1004")
        for _ in range(MAX_DIVERSIONS):
            ringing = next(c for c in call.connections() if c.state is S.ALERTING)
            h.switch.reject(ringing.id)
        ringing = next(c for c in call.connections() if c.state is S.ALERTING)
        h.switch.reject(ringing.id)
        assert h.states(call) == {"1003": "connected", "8000": "connected"}


class TestBusyCoverage:
    def _fill(self, h: Harness, number: str) -> None:
        for _ in range(3):
            h.switch.off_hook(number)

    def test_busy_user_without_coverage_gives_busy(self, h: Harness) -> None:
        self._fill(h, "1004")
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take())[-1] == ("Failed", "1003", "busy")
        assert h.states(call) == {"1003": "failed"}

    def test_forward_on_busy(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.BUSY, "1008")
        self._fill(h, "1004")
        h.take()
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take())[-2:] == [
            ("Diverted", "1004", "1008", "forward_busy"),
            ("Delivered", "1008", "forward_busy"),
        ]
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}

    def test_forward_on_busy_ignored_when_free(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.BUSY, "1008")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}

    def test_busy_no_answer_covers_busy(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.BUSY_NO_ANSWER, "1008")
        self._fill(h, "1004")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}

    def test_overflow_to_voicemail_on_busy(self, h: Harness) -> None:
        h.switch.set_overflow("1004", F.BUSY)
        self._fill(h, "1004")
        h.take()
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take())[-3:] == [
            ("Diverted", "1004", "8000", "overflow"),
            ("Delivered", "8000", "overflow"),
            ("Established", "8000", "overflow"),
        ]
        assert h.states(call) == {"1003": "connected", "8000": "connected"}


class TestDnd:
    def test_dnd_gives_the_caller_busy(self, h: Harness) -> None:
        h.switch.set_dnd("1004", True)
        h.take()
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take())[-1] == ("Failed", "1003", "dnd")
        assert h.states(call) == {"1003": "failed"}

    def test_dnd_follows_busy_coverage(self, h: Harness) -> None:
        h.switch.set_dnd("1004", True)
        h.switch.set_forward("1004", F.BUSY, "1008")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}
        h.switch.set_forward("1004", None)
        h.switch.set_overflow("1004", F.BUSY_NO_ANSWER)
        call = h.switch.make_call("1002", "1004")
        assert h.states(call) == {"1002": "connected", "8000": "connected"}

    def test_dnd_off_rings_again(self, h: Harness) -> None:
        h.switch.set_dnd("1004", True)
        h.switch.set_dnd("1004", False)
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}


class TestNoAnswerCoverage:
    def test_voicemail_after_15s(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        h.advance(14.9)
        assert h.take() == []
        h.advance(0.1)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1004", "voicemail"),
            ("CallLogged", "1004", "incoming", "missed"),
            ("Diverted", "1004", "8000", "voicemail"),
            ("Delivered", "8000", "voicemail"),
            ("Established", "8000", "voicemail"),
        ]
        vm = h.party(call, "8000")
        assert vm.kind is PartyKind.VOICEMAIL and vm.coverage_of is h.switch.users["1004"]
        assert h.states(call) == {"1003": "connected", "8000": "connected"}

    def test_user_ring_time_is_per_user(self, h: Harness) -> None:
        h.switch.users["1004"].no_answer_seconds = 5
        call = h.switch.make_call("1003", "1004")
        h.advance(5)
        assert h.states(call) == {"1003": "connected", "8000": "connected"}

    def test_forward_on_no_answer(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.NO_ANSWER, "1008")
        call = h.switch.make_call("1003", "1004")
        h.take()
        h.advance(15)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1004", "forward_no_answer"),
            ("CallLogged", "1004", "incoming", "missed"),
            ("Diverted", "1004", "1008", "forward_no_answer"),
            ("Delivered", "1008", "forward_no_answer"),
        ]
        # The new target has its own no-answer timer: 15 s later, voicemail.
        h.advance(15)
        assert h.states(call) == {"1003": "connected", "8000": "connected"}
        assert h.party(call, "8000").coverage_of is h.switch.users["1008"]

    def test_forward_on_no_answer_to_a_busy_target_falls_back_to_voicemail(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.NO_ANSWER, "0600000486")
        call = h.switch.make_call("1003", "1004")
        h.advance(15)
        assert h.states(call) == {"1003": "connected", "8000": "connected"}
        assert h.party(call, "8000").coverage_of is h.switch.users["1004"]

    def test_overflow_on_no_answer_says_overflow(self, h: Harness) -> None:
        h.switch.set_overflow("1004", F.NO_ANSWER)
        h.switch.make_call("1003", "1004")
        h.take()
        h.advance(15)
        assert ("Diverted", "1004", "8000", "overflow") in steps(h.take())

    def test_no_mailbox_keeps_ringing(self, h: Harness) -> None:
        h.switch.users["1004"].has_mailbox = False
        call = h.switch.make_call("1003", "1004")
        h.advance(600)
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}

    def test_answer_in_time_cancels_the_timer(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.advance(10)
        h.switch.answer(h.conn("1004").id)
        assert h.clock.pending() == 0
        h.advance(60)
        assert h.states(call) == {"1003": "connected", "1004": "connected"}

    def test_dialling_voicemail_directly(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "8000")
        assert h.states(call) == {"1003": "connected", "8000": "connected"}
        # A turret line has no mailbox: the pilot is not a number for it.
        line = h.switch.make_call("5001", "8000")
        assert h.states(line) == {"5001": "failed"}


class TestVoicemailMessages:
    def test_message_deposited_when_the_caller_hangs_up(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004")
        h.advance(15)
        h.advance(12.5)
        h.take()
        h.switch.clear_connection(h.conn("1003").id)
        events = h.take()
        assert only(events, MessageDeposited) == [
            MessageDeposited("1004", "voicemail", "1003", {"duration": 12.5})]
        assert steps(events)[-1] == ("CallCleared", "normal")

    def test_external_caller_leaves_a_message(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "6465551004")
        h.advance(20)
        h.switch.clear_call(call.id)
        (message,) = only(h.take(), MessageDeposited)
        assert (message.login, message.sender) == ("1004", "0612345678")

    def test_no_message_before_voicemail_answers(self, h: Harness) -> None:
        h.switch.voicemail_answer_delay = 3
        call = h.switch.make_call("1003", "1004")
        h.advance(15)
        assert h.states(call) == {"1003": "connected", "8000": "alerting"}
        h.switch.clear_connection(h.conn("1003").id)
        assert not only(h.take(), MessageDeposited)

    def test_voicemail_answers_after_its_delay(self, h: Harness) -> None:
        h.switch.voicemail_answer_delay = 3
        call = h.switch.make_call("1003", "1004")
        h.advance(15)
        h.take()
        h.advance(3)
        assert steps(h.take()) == [("Established", "8000", "voicemail")]
        h.switch.clear_connection(h.conn("1003").id)
        assert len(only(h.take(), MessageDeposited)) == 1
        assert call.id not in h.switch.calls

    def test_listening_to_ones_own_mailbox_leaves_no_message(self, h: Harness) -> None:
        """Regression: dialling the voicemail pilot to hear one's messages
        deposited a message from oneself on hanging up."""
        h.switch.make_call("1003", "8000")
        h.advance(30)
        h.switch.clear_connection(h.conn("1003").id)
        events = h.take()
        assert not only(events, MessageDeposited)
        assert [e.login for e in only(events, CallLogged)] == ["1003"]

    def test_forwarding_to_voicemail_deposits_for_the_forwarder(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "voicemail")
        call = h.switch.make_call("1003", "1004")
        h.switch.clear_call(call.id)
        (message,) = only(h.take(), MessageDeposited)
        assert (message.login, message.sender) == ("1004", "1003")
