"""Making, answering, holding and clearing calls (call-model §2.3 #1-13, #30).

Users 1003, 1004 and 1008 have one desk phone each, so their calls have one
connection per party; 1001 and 1002 also have softphones (2001, 2002) and are
used where several devices matter.
"""
from __future__ import annotations

import pytest
from engine_support import Harness, kinds, only, steps

from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import (
    CallCleared,
    CallLogged,
    DigitsGenerated,
    Held,
    PartyChanged,
    Retrieved,
)
from ctiswitch.engine.states import (
    Cause,
    ConnectionState,
    ConsultPurpose,
    HoldKind,
    PartyKind,
    Role,
)

S = ConnectionState


def connected_call(h: Harness, caller: str = "1003", callee: str = "1004"):
    """caller calls callee, callee answers; the events are consumed."""
    call = h.switch.make_call(caller, callee)
    h.switch.answer(h.conn(callee, S.ALERTING).id)
    h.take()
    return call


# -- make call ------------------------------------------------------------------

class TestDirectMakeCall:
    def test_internal_call_rings_the_callee(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        assert steps(h.take()) == [
            ("CallCreated", "new_call"),
            ("ServiceInitiated", "1003", "new_call"),
            ("Originated", "1003", "new_call"),
            ("Delivered", "1004", "new_call"),
        ]
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        assert call.dialled == call.initial_called == "1004"
        caller = h.party(call, "1003")
        assert call.origin is caller and caller.role is Role.CALLER and caller.kind is PartyKind.USER
        assert h.party(call, "1004").role is Role.CALLED

    def test_one_command_is_one_batch(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004")
        batches = h.take_batches()
        assert len(batches) == 1 and batches[0].origin == "make_call"

    def test_answer_connects_both(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        h.switch.answer(h.conn("1004").id)
        assert steps(h.take()) == [("Established", "1004", "new_call")]
        assert h.states(call) == {"1003": "connected", "1004": "connected"}
        assert call.answered

    def test_gcid_embeds_node_and_call_id(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        assert call.gcid == bytes([0x01, 127, 0, 0, 1]) + call.id.to_bytes(4, "big")

    def test_make_call_holds_the_active_call(self, h: Harness) -> None:
        first = connected_call(h)
        second = h.switch.make_call("1003", "1008")
        assert steps(h.take())[:3] == [
            ("CallCreated", "new_call"),
            ("Held", "1003", "new_call"),
            ("ServiceInitiated", "1003", "new_call"),
        ]
        assert h.states(first)["1003"] == "held"
        assert h.states(second) == {"1003": "connected", "1008": "alerting"}

    def test_calling_an_unknown_internal_number_fails_the_caller(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1999")
        assert steps(h.take())[-1] == ("Failed", "1003", "invalid_number")
        # The caller hears reorder tone until it hangs up.
        assert h.states(call) == {"1003": "failed"}
        h.switch.clear_connection(h.conn("1003").id)
        assert kinds(h.take()) == ["ConnectionCleared", "CallLogged", "CallCleared"]
        assert not h.switch.calls

    @pytest.mark.parametrize("number", ["", "abc", "10 01", "1001x", "+", "1" * 33])
    def test_undiallable_destination_is_refused(self, h: Harness, number: str) -> None:
        h.refused(Refusal.BAD_DESTINATION, h.switch.make_call, "1003", number)

    def test_unknown_device_is_refused(self, h: Harness) -> None:
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.make_call, "9999", "1004")

    def test_out_of_service_device_is_refused(self, h: Harness) -> None:
        h.switch.set_in_service("1003", False)
        h.refused(Refusal.OUT_OF_SERVICE, h.switch.make_call, "1003", "1004")

    def test_barred_user_may_not_call_outside(self, h: Harness) -> None:
        h.switch.users["1003"].external_calls = False
        h.refused(Refusal.NOT_OWNER, h.switch.make_call, "1003", "0612345678")
        h.switch.make_call("1003", "1004")  # internal calls stay allowed


class TestRingFirst:
    def test_prompt_rings_the_caller_first(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004", ring_first=True)
        assert steps(h.take()) == [("CallCreated", "new_call"), ("Delivered", "1003", "new_call")]
        conn = h.conn("1003")
        assert conn.state is S.ALERTING and conn.prompt
        assert call.dialled == "1004" and call.initial_called is None

    def test_answering_the_prompt_proceeds(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004", ring_first=True)
        h.take()
        h.switch.answer(h.conn("1003").id)
        assert steps(h.take()) == [("Originated", "1003", "new_call"), ("Delivered", "1004", "new_call")]
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        assert call.initial_called == "1004"
        assert not call.answered  # the caller answering its own prompt is not an answer
        # The prompt timer was cancelled: the call survives past 30 s (the
        # callee's voicemail takes it at 15 s).
        h.advance(31)
        assert call.id in h.switch.calls

    def test_unanswered_prompt_clears_the_call_after_30s(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004", ring_first=True)
        h.take()
        h.advance(29.9)
        assert h.take() == []
        h.advance(0.1)
        events = h.take()
        assert steps(events) == [
            ("ConnectionCleared", "1003", "no_answer"),
            ("CallLogged", "1003", "outgoing", "missed"),
            ("CallCleared", "no_answer"),
        ]
        assert call.id not in h.switch.calls and not h.switch.connections

    def test_prompt_can_be_declined_by_hanging_up(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004", ring_first=True)
        h.take()
        h.switch.clear_connection(h.conn("1003").id)
        assert steps(h.take())[-1] == ("CallCleared", "abandoned")
        assert h.clock.pending() == 0  # the prompt timer went with the call

    def test_a_prompt_cannot_be_rejected_or_deflected(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004", ring_first=True)
        conn = h.conn("1003")
        h.refused(Refusal.INVALID_STATE, h.switch.reject, conn.id)
        h.refused(Refusal.INVALID_STATE, h.switch.deflect, conn.id, "1008")


class TestOffHookAndDial:
    def test_off_hook_then_dial(self, h: Harness) -> None:
        call = h.switch.off_hook("1003")
        assert steps(h.take()) == [("CallCreated", "new_call"), ("ServiceInitiated", "1003", "new_call")]
        assert h.states(call) == {"1003": "initiated"}
        assert h.switch.dial("1003", "1004") is call
        assert steps(h.take()) == [("Originated", "1003", "new_call"), ("Delivered", "1004", "new_call")]
        assert call.dialled == "1004"

    def test_dial_without_off_hook_makes_a_call(self, h: Harness) -> None:
        call = h.switch.dial("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}

    def test_off_hook_alone_stays_initiated(self, h: Harness) -> None:
        call = h.switch.off_hook("1003")
        h.advance(600)
        assert h.states(call) == {"1003": "initiated"}

    def test_off_hook_holds_the_active_call(self, h: Harness) -> None:
        first = connected_call(h)
        h.switch.off_hook("1003")
        assert h.states(first)["1003"] == "held"

    def test_dialling_after_answering_another_call_holds_it(self, h: Harness) -> None:
        """Regression: a phone that went off hook, then answered a call,
        then dialled, ended up talking on two calls at once."""
        dialling = h.switch.off_hook("1003")
        ringing = h.switch.make_call("1004", "1003")
        h.switch.answer(h.conn("1003", S.ALERTING).id)
        h.take()
        h.switch.dial("1003", "1008")
        assert steps(h.take())[:2] == [("Held", "1003", "new_call"), ("Originated", "1003", "new_call")]
        assert h.states(ringing)["1003"] == "held"
        assert h.states(dialling)["1003"] == "connected"

    def test_dial_refusals(self, h: Harness) -> None:
        h.switch.off_hook("1003")
        h.take()
        h.refused(Refusal.BAD_DESTINATION, h.switch.dial, "1003", "12a")
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.dial, "9999", "1004")
        h.switch.users["1003"].external_calls = False
        h.refused(Refusal.NOT_OWNER, h.switch.dial, "1003", "0612345678")

    def test_off_hook_refused_when_every_appearance_is_taken(self, h: Harness) -> None:
        for _ in range(3):
            h.switch.off_hook("1003")
        h.refused(Refusal.NO_FREE_APPEARANCE, h.switch.off_hook, "1003")
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.off_hook, "nope")


class TestIncomingTrunkCall:
    def test_did_rings_the_user(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "6465551003", name="Broker")
        assert steps(h.take()) == [
            ("CallCreated", "new_call"),
            ("ServiceInitiated", "0612345678", "new_call"),
            ("Originated", "0612345678", "new_call"),
            ("Delivered", "1003", "new_call"),
        ]
        caller = call.origin
        assert caller is not None and caller.kind is PartyKind.EXTERNAL and caller.name == "Broker"
        assert h.switch.trunks_in_use == 1
        h.switch.answer(h.conn("1003").id)
        assert h.states(call) == {"0612345678": "connected", "1003": "connected"}

    def test_extension_dialled_directly(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "1004")
        assert h.states(call) == {"0612345678": "connected", "1004": "alerting"}

    def test_trunk_is_released_when_the_call_ends(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "1004")
        h.switch.clear_call(call.id)
        assert h.switch.trunks_in_use == 0

    def test_no_free_channel_is_refused(self, h: Harness) -> None:
        h.switch.trunk_channels = 1
        h.switch.incoming_call("0612345678", "1004")
        h.refused(Refusal.CAPACITY, h.switch.incoming_call, "0698765432", "1003")

    def test_bad_numbers_are_refused(self, h: Harness) -> None:
        h.refused(Refusal.BAD_DESTINATION, h.switch.incoming_call, "anonymous", "1004")
        h.refused(Refusal.BAD_DESTINATION, h.switch.incoming_call, "0612345678", "")


class TestExternalOutcomes:
    """The demo's magic numbers script the public network (call-model R1)."""

    def test_plain_external_number_answers_after_2s(self, hs: Harness) -> None:
        call = hs.switch.make_call("1003", "0612345678")
        assert hs.states(call) == {"1003": "connected", "0612345678": "alerting"}
        hs.advance(1.9)
        assert hs.states(call)["0612345678"] == "alerting"
        hs.advance(0.1)
        assert hs.states(call) == {"1003": "connected", "0612345678": "connected"}
        assert hs.switch.trunks_in_use == 1

    def test_busy_number(self, hs: Harness) -> None:
        call = hs.switch.make_call("1003", "0600000486")
        assert steps(hs.take())[-1] == ("Failed", "1003", "busy")
        assert hs.states(call) == {"1003": "failed"}
        assert hs.switch.trunks_in_use == 0  # no channel was seized

    def test_unobtainable_number(self, hs: Harness) -> None:
        call = hs.switch.make_call("1003", "0600000404")
        assert steps(hs.take())[-1] == ("Failed", "1003", "dest_not_obtainable")
        assert hs.states(call) == {"1003": "failed"}

    def test_rejecting_number(self, hs: Harness) -> None:
        call = hs.switch.make_call("1003", "0600000603")
        hs.take()
        hs.clock.settle()  # the far end declines at once, in its own transaction
        assert steps(hs.take()) == [
            ("Failed", "1003", "rejected"),
            ("ConnectionCleared", "0600000603", "rejected"),
        ]
        assert hs.states(call) == {"1003": "failed"}
        assert hs.switch.trunks_in_use == 0

    def test_never_answering_number(self, hs: Harness) -> None:
        call = hs.switch.make_call("1003", "0600000408")
        hs.advance(3600)
        assert hs.states(call) == {"1003": "connected", "0600000408": "alerting"}

    def test_no_free_trunk_fails_the_caller(self, h: Harness) -> None:
        h.switch.trunk_channels = 0
        call = h.switch.make_call("1003", "0612345678")
        assert steps(h.take())[-1] == ("Failed", "1003", "trunks_busy")
        assert h.states(call) == {"1003": "failed"}


# -- answer, reject, silence -------------------------------------------------------

class TestAnswer:
    def test_answer_refusals(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.refused(Refusal.INVALID_STATE, h.switch.answer, h.conn("1003").id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.answer, 999)
        h.switch.set_in_service("1004", False)
        h.refused(Refusal.OUT_OF_SERVICE, h.switch.answer, h.conn("1004").id)
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}

    def test_answering_holds_the_call_in_progress(self, h: Harness) -> None:
        first = connected_call(h, "1003", "1004")
        second = h.switch.make_call("1008", "1004")
        h.take()
        h.switch.answer(h.conn("1004", S.ALERTING).id)
        assert steps(h.take()) == [("Held", "1004", "new_call"), ("Established", "1004", "new_call")]
        assert h.states(first)["1004"] == "held"
        assert h.states(second)["1004"] == "connected"


class TestMultiDeviceUser:
    def test_desk_and_softphone_both_ring(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1001")
        assert steps(h.take())[-2:] == [("Delivered", "1001", "new_call"), ("Delivered", "2001", "new_call")]
        callee = h.party(call, "1001")
        assert [c.dn for c in callee.connections] == ["1001", "2001"]  # one party, two connections

    def test_answering_one_clears_the_other(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1001")
        h.take()
        party_id = h.party(call, "1001").id
        h.switch.answer(h.conn("2001").id)
        assert steps(h.take()) == [
            ("Established", "2001", "new_call"),
            ("ConnectionCleared", "1001", "answered_elsewhere"),
        ]
        assert h.states(call) == {"1003": "connected", "2001": "connected"}
        assert h.party(call, "1001").id == party_id

    def test_declining_on_one_device_keeps_the_other_ringing(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1001")
        h.take()
        h.switch.reject(h.conn("1001").id)
        assert steps(h.take()) == [("ConnectionCleared", "1001", "rejected")]
        assert h.states(call) == {"1003": "connected", "2001": "alerting"}

    def test_a_full_desk_phone_leaves_the_softphone_ringing(self, h: Harness) -> None:
        for _ in range(3):
            h.switch.off_hook("1001")
        call = h.switch.make_call("1003", "1001")
        assert h.states(call) == {"1003": "connected", "2001": "alerting"}

    def test_calling_the_softphone_number_rings_only_it(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "2001")
        assert h.states(call) == {"1003": "connected", "2001": "alerting"}
        assert call.device_call


class TestReject:
    def test_reject_sends_the_call_to_voicemail_at_once(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        h.switch.reject(h.conn("1004").id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1004", "voicemail"),
            ("CallLogged", "1004", "incoming", "missed"),
            ("Diverted", "1004", "8000", "voicemail"),
            ("Delivered", "8000", "voicemail"),
            ("Established", "8000", "voicemail"),
        ]
        assert h.states(call) == {"1003": "connected", "8000": "connected"}

    def test_reject_without_coverage_gives_the_caller_busy(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "5001")  # a turret line: no user, no voicemail
        h.take()
        h.switch.reject(h.conn("5001").id)
        assert steps(h.take()) == [
            ("Failed", "1003", "rejected"),
            ("ConnectionCleared", "5001", "rejected"),
        ]
        assert h.states(call) == {"1003": "failed"}

    def test_hanging_up_a_ringing_incoming_call_rejects_it(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "5001")
        h.switch.clear_connection(h.conn("5001").id)
        assert h.states(call) == {"1003": "failed"}

    def test_reject_refusals(self, h: Harness) -> None:
        call = connected_call(h)
        h.refused(Refusal.INVALID_STATE, h.switch.reject, h.conn("1004").id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.reject, 12345)
        h.switch.clear_call(call.id)
        h.switch.make_call("1003", "1004", ring_first=True)
        h.refused(Refusal.INVALID_STATE, h.switch.reject, h.conn("1003").id)


class TestSilence:
    def test_silence_stops_the_ringer_but_coverage_still_runs(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        conn = h.conn("1004")
        h.switch.silence(conn.id)
        events = h.take()
        assert events == [PartyChanged(call.id, conn.party.id, ("silenced",))]
        assert conn.party.silenced and conn.state is S.ALERTING
        h.switch.silence(conn.id)  # already silent: nothing to say
        assert h.take() == []
        h.advance(15)
        assert h.states(call) == {"1003": "connected", "8000": "connected"}

    def test_silence_refusals(self, h: Harness) -> None:
        connected_call(h)
        h.refused(Refusal.INVALID_STATE, h.switch.silence, h.conn("1004").id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.silence, 777)


# -- clearing: the release rules ----------------------------------------------------

class TestClear:
    def test_two_party_call_clears_when_one_hangs_up(self, h: Harness) -> None:
        call = connected_call(h)
        h.switch.clear_connection(h.conn("1003").id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1003", "normal"),
            ("CallLogged", "1003", "outgoing", "answered"),
            ("ConnectionCleared", "1004", "normal"),
            ("CallLogged", "1004", "incoming", "answered"),
            ("CallCleared", "normal"),
        ]
        assert call.id not in h.switch.calls and not h.switch.connections

    def test_caller_hanging_up_before_answer_abandons(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004")
        h.take()
        h.switch.clear_connection(h.conn("1003").id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1003", "normal"),
            ("CallLogged", "1003", "outgoing", "missed"),
            ("ConnectionCleared", "1004", "abandoned"),
            ("CallLogged", "1004", "incoming", "missed"),
            ("CallCleared", "abandoned"),
        ]
        assert h.clock.pending() == 0  # the callee's no-answer timer went too

    def test_call_continues_while_two_parties_remain(self, h: Harness) -> None:
        call = connected_call(h)
        h.switch.add_party(h.conn("1003").id, "1008")
        h.switch.answer(h.conn("1008").id)
        h.take()
        h.switch.clear_connection(h.conn("1004").id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1004", "normal"),
            ("CallLogged", "1004", "incoming", "answered"),
        ]
        assert h.states(call) == {"1003": "connected", "1008": "connected"}

    def test_clear_connection_refusal(self, h: Harness) -> None:
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.clear_connection, 1)

    def test_clear_call_forces_everyone_out(self, h: Harness) -> None:
        call = connected_call(h)
        h.switch.clear_call(call.id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1003", "forced_clear"),
            ("CallLogged", "1003", "outgoing", "answered"),
            ("ConnectionCleared", "1004", "forced_clear"),
            ("CallLogged", "1004", "incoming", "answered"),
            ("CallCleared", "forced_clear"),
        ]
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.clear_call, call.id)


class TestCallLog:
    """CallLogged: one record per user per call, with direction and answered."""

    def test_answered_internal_call(self, h: Harness) -> None:
        call = connected_call(h)
        h.advance(42)
        h.switch.clear_connection(h.conn("1004").id)
        logs = {e.login: e for e in only(h.take(), CallLogged)}
        assert set(logs) == {"1003", "1004"}
        out, inc = logs["1003"], logs["1004"]
        assert (out.direction, out.answered, out.call) == ("outgoing", True, call.id)
        assert (inc.direction, inc.answered) == ("incoming", True)
        assert out.ended_at - out.started_at == pytest.approx(42)
        assert out.ended_at == h.clock.wall()
        assert out.parties == (("1004", "David Petit", "called"),)
        assert inc.parties == (("1003", "Chloé Bernard", "caller"),)

    def test_missed_call_to_voicemail(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004")
        h.advance(15)
        missed = only(h.take(), CallLogged)
        assert [(e.login, e.direction, e.answered, e.reason) for e in missed] == [
            ("1004", "incoming", False, Cause.VOICEMAIL)]
        h.switch.clear_connection(h.conn("1003").id)
        (caller,) = only(h.take(), CallLogged)
        # The caller reached someone (the mailbox), so its record is answered.
        assert (caller.login, caller.direction, caller.answered) == ("1003", "outgoing", True)
        assert ("8000", "Voicemail", "called") in caller.parties

    def test_external_caller_is_not_logged(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "1003")
        h.switch.answer(h.conn("1003").id)
        h.switch.clear_call(call.id)
        logs = only(h.take(), CallLogged)
        assert [(e.login, e.direction, e.answered) for e in logs] == [("1003", "incoming", True)]
        assert logs[0].parties == (("0612345678", None, "caller"),)


# -- capacity ---------------------------------------------------------------------

class TestCapacity:
    def test_desk_phone_carries_three_calls(self, h: Harness) -> None:
        for callee in ("1004", "1008", "1002"):
            h.switch.make_call("1003", callee)
        assert len(h.switch.device("1003").connections) == 3
        h.refused(Refusal.NO_FREE_APPEARANCE, h.switch.make_call, "1003", "1001")

    def test_a_full_phone_is_busy_to_callers(self, h: Harness) -> None:
        for callee in ("1004", "1008", "1002"):
            h.switch.make_call("1003", callee)
        h.switch.set_overflow("1003", None)
        call = h.switch.make_call("1001", "1003")
        assert h.states(call) == {"1001": "failed"}
        assert steps(h.take())[-1] == ("Failed", "1001", "busy")

    def test_turret_line_carries_two(self, h: Harness) -> None:
        h.switch.make_call("5001", "1003")
        h.switch.make_call("5001", "1004")
        h.refused(Refusal.NO_FREE_APPEARANCE, h.switch.make_call, "5001", "1008")

    def test_busy_behaviour_makes_the_phone_busy(self, h: Harness) -> None:
        h.switch.set_behaviour("1004", "busy")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "failed"}


# -- hold, retrieve, alternate, reconnect, consult ------------------------------------

class TestHold:
    def test_hold_and_retrieve(self, h: Harness) -> None:
        call = connected_call(h)
        conn = h.conn("1003")
        h.switch.hold(conn.id)
        assert h.take() == [Held(call.id, conn.party.id, conn.id, "1003", S.HELD, Cause.NORMAL)]
        assert conn.hold_kind is HoldKind.COMMON
        h.switch.retrieve(conn.id)
        assert h.take() == [Retrieved(call.id, conn.party.id, conn.id, "1003", S.CONNECTED, Cause.NORMAL)]
        assert conn.hold_kind is None

    def test_private_hold(self, h: Harness) -> None:
        connected_call(h)
        conn = h.conn("1003")
        h.switch.hold(conn.id, HoldKind.PRIVATE)
        assert conn.hold_kind is HoldKind.PRIVATE

    def test_retrieve_holds_the_other_active_call(self, h: Harness) -> None:
        first = connected_call(h, "1003", "1004")
        second = h.switch.make_call("1003", "1008")
        h.take()
        h.switch.retrieve(h.conn("1003", S.HELD).id)
        assert steps(h.take()) == [("Held", "1003", "normal"), ("Retrieved", "1003", "normal")]
        assert h.states(first)["1003"] == "connected" and h.states(second)["1003"] == "held"

    def test_hold_refusals(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "1003")
        h.refused(Refusal.INVALID_STATE, h.switch.hold, h.conn("1003").id)  # ringing
        h.switch.answer(h.conn("1003").id)
        external = next(c for c in call.connections() if c.device is None)
        h.refused(Refusal.INVALID_STATE, h.switch.hold, external.id)  # only a phone holds
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.hold, 999)
        h.switch.hold(h.conn("1003").id)
        h.refused(Refusal.INVALID_STATE, h.switch.hold, h.conn("1003").id)

    def test_retrieve_refusals(self, h: Harness) -> None:
        connected_call(h)
        h.refused(Refusal.INVALID_STATE, h.switch.retrieve, h.conn("1003").id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.retrieve, 999)


class TestConsult:
    def test_consult_holds_and_links(self, h: Harness) -> None:
        first = connected_call(h, "1003", "1004")
        second = h.switch.consult(h.conn("1003").id, "1008", ConsultPurpose.TRANSFER)
        assert steps(h.take()) == [
            ("Held", "1003", "consultation"),
            ("CallCreated", "consultation"),
            ("CallChanged",),
            ("ServiceInitiated", "1003", "consultation"),
            ("Originated", "1003", "new_call"),
            ("Delivered", "1008", "new_call"),
        ]
        assert first.consult_peer is second and second.consult_peer is first
        assert first.consult_purpose is second.consult_purpose is ConsultPurpose.TRANSFER
        assert h.states(first) == {"1003": "held", "1004": "connected"}
        assert h.states(second) == {"1003": "connected", "1008": "alerting"}

    def test_consult_refusals(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.refused(Refusal.INVALID_STATE, h.switch.consult, h.conn("1004").id, "1008")  # ringing
        h.switch.answer(h.conn("1004").id)
        conn = h.conn("1003")
        h.refused(Refusal.BAD_DESTINATION, h.switch.consult, conn.id, "x")
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.consult, 999, "1008")
        external = h.switch.incoming_call("0612345678", "1008")
        h.switch.answer(h.conn("1008").id)
        trunk = next(c for c in external.connections() if c.device is None)
        h.refused(Refusal.INVALID_STATE, h.switch.consult, trunk.id, "1002")
        h.switch.off_hook("1003")
        h.switch.off_hook("1003")
        h.switch.retrieve(h.conn("1003", S.HELD, call).id)  # talking again, with all three lines taken
        h.refused(Refusal.NO_FREE_APPEARANCE, h.switch.consult, h.conn("1003", S.CONNECTED).id, "1008")

    def test_a_new_consultation_replaces_the_old_link(self, h: Harness) -> None:
        first = connected_call(h, "1003", "1004")
        second = h.switch.consult(h.conn("1003").id, "1008")
        h.switch.answer(h.conn("1008").id)
        third = h.switch.consult(h.conn("1003", S.CONNECTED).id, "1002")
        assert second.consult_peer is third and third.consult_peer is second
        assert first.consult_peer is None


class TestAlternateAndReconnect:
    def _two_calls(self, h: Harness):
        first = connected_call(h, "1003", "1004")
        second = h.switch.consult(h.conn("1003").id, "1008")
        h.switch.answer(h.conn("1008").id)
        h.take()
        return first, second

    def test_alternate_swaps(self, h: Harness) -> None:
        first, second = self._two_calls(h)
        held, active = h.conn("1003", S.HELD), h.conn("1003", S.CONNECTED)
        h.switch.alternate(held.id, active.id)
        assert steps(h.take()) == [("Held", "1003", "normal"), ("Retrieved", "1003", "normal")]
        assert h.states(first)["1003"] == "connected" and h.states(second)["1003"] == "held"

    def test_alternate_refusals(self, h: Harness) -> None:
        self._two_calls(h)
        held, active = h.conn("1003", S.HELD), h.conn("1003", S.CONNECTED)
        h.refused(Refusal.INVALID_STATE, h.switch.alternate, active.id, held.id)
        h.refused(Refusal.INVALID_STATE, h.switch.alternate, held.id, h.conn("1004").id)  # same call
        other = connected_call(h, "1002", "1001")
        h.switch.hold(h.conn("1002", S.CONNECTED, other).id)
        h.refused(Refusal.NOT_OWNER, h.switch.alternate, h.conn("1002", S.HELD).id, active.id)

    def test_alternate_to_a_consultation_still_ringing(self, h: Harness) -> None:
        connected_call(h, "1003", "1004")
        h.switch.consult(h.conn("1003").id, "1008")
        held, active = h.conn("1003", S.HELD), h.conn("1003", S.CONNECTED)
        # The consultation's own leg is connected; its far end is ringing:
        # alternating is allowed, toggling back to a ringing party.
        h.switch.alternate(held.id, active.id)
        assert active.state is S.HELD

    def test_alternate_across_a_users_devices_keeps_one_call_per_phone(self, h: Harness) -> None:
        """Regression: retrieving on the desk phone while it talked on a
        third call left it connected on two calls."""
        desk_held = h.switch.make_call("1001", "1004")
        h.switch.answer(h.conn("1004").id)
        soft = h.switch.make_call("2001", "1008")
        h.switch.answer(h.conn("1008").id)
        desk_active = h.switch.make_call("1001", "1003")  # holds the first desk call
        h.switch.answer(h.conn("1003").id)
        h.switch.alternate(h.conn("1001", S.HELD).id, h.conn("2001").id)
        assert h.states(desk_held)["1001"] == "connected"
        assert h.states(desk_active)["1001"] == "held"
        assert h.states(soft)["2001"] == "held"

    def test_reconnect_across_a_users_devices_keeps_one_call_per_phone(self, h: Harness) -> None:
        desk_held = h.switch.make_call("1001", "1004")
        h.switch.answer(h.conn("1004").id)
        h.switch.make_call("2001", "1008")
        desk_active = h.switch.make_call("1001", "1003")
        h.switch.answer(h.conn("1003").id)
        h.switch.reconnect(h.conn("1001", S.HELD).id, h.conn("2001").id)
        assert h.states(desk_held)["1001"] == "connected"
        assert h.states(desk_active)["1001"] == "held"

    def test_reconnect_drops_the_consultation(self, h: Harness) -> None:
        first, second = self._two_calls(h)
        h.switch.reconnect(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        events = h.take()
        assert steps(events)[-1] == ("Retrieved", "1003", "normal")
        assert only(events, CallCleared) == [CallCleared(second.id, Cause.NORMAL)]
        assert second.id not in h.switch.calls
        assert h.states(first) == {"1003": "connected", "1004": "connected"}
        assert first.consult_peer is None

    def test_reconnect_before_the_consulted_party_answers(self, h: Harness) -> None:
        first = connected_call(h, "1003", "1004")
        second = h.switch.consult(h.conn("1003").id, "1008")
        h.take()
        h.switch.reconnect(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        assert only(h.take(), CallCleared) == [CallCleared(second.id, Cause.ABANDONED)]
        assert h.states(first) == {"1003": "connected", "1004": "connected"}

    def test_reconnect_refusals(self, h: Harness) -> None:
        self._two_calls(h)
        held, active = h.conn("1003", S.HELD), h.conn("1003", S.CONNECTED)
        h.refused(Refusal.INVALID_STATE, h.switch.reconnect, active.id, held.id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.reconnect, held.id, 999)


class TestDtmf:
    def test_digits_are_generated(self, h: Harness) -> None:
        call = connected_call(h)
        conn = h.conn("1003")
        h.switch.send_dtmf(conn.id, "0123456789*#ABCD")
        assert h.take() == [DigitsGenerated(call.id, conn.id, "0123456789*#ABCD")]

    @pytest.mark.parametrize("digits", ["", "12e", "a", " 1", "1-2", "½"])
    def test_bad_digits_are_refused(self, h: Harness, digits: str) -> None:
        connected_call(h)
        h.refused(Refusal.BAD_VALUE, h.switch.send_dtmf, h.conn("1003").id, digits)

    def test_dtmf_needs_a_connected_leg(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004")
        h.refused(Refusal.INVALID_STATE, h.switch.send_dtmf, h.conn("1004").id, "1")
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.send_dtmf, 99, "1")
