"""The simulated world: far ends and phones that act on their own
(ctiswitch.sim.behaviour) and the person at a phone (ctiswitch.sim.phones).

Everything the Simulator does is an ordinary engine command fired by a timer
on the engine's clock, so these tests move virtual time and watch batches.
"""
from __future__ import annotations

import pytest
from engine_support import Harness, only, steps

from ctiswitch.engine.directory import ExternalNumber
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.events import DigitsGenerated
from ctiswitch.engine.states import ConnectionState
from ctiswitch.sim.behaviour import FAILED_LINGER
from ctiswitch.sim.phones import perform

S = ConnectionState


class TestFarEnds:
    def test_answers_after_the_configured_delay(self, hs: Harness) -> None:
        hs.switch.externals["0611111111"] = ExternalNumber("0611111111", "answer", 5.0, "Slow")
        call = hs.switch.make_call("1003", "0611111111")
        hs.advance(4.9)
        assert hs.states(call)["0611111111"] == "alerting"
        hs.advance(0.1)
        assert hs.states(call)["0611111111"] == "connected"
        assert hs.party(call, "0611111111").name == "Slow"

    def test_answer_is_its_own_transaction(self, hs: Harness) -> None:
        hs.switch.make_call("1003", "0612345678")
        hs.take()
        hs.advance(2)
        (batch,) = hs.take_batches()
        assert batch.origin == "answer" and batch.time == 2.0
        assert steps(batch.events) == [("Established", "0612345678", "new_call")]

    def test_reject_after_a_delay(self, hs: Harness) -> None:
        hs.switch.externals["0622222222"] = ExternalNumber("0622222222", "reject", 3.0)
        call = hs.switch.make_call("1003", "0622222222")
        hs.advance(2.9)
        assert hs.states(call)["0622222222"] == "alerting"
        hs.advance(0.1)
        assert hs.states(call) == {"1003": "failed"}

    def test_external_caller_hangs_up_on_busy(self, hs: Harness) -> None:
        hs.switch.set_dnd("1004", True)
        call = hs.switch.incoming_call("0612345678", "1004")
        assert hs.states(call) == {"0612345678": "failed"}
        hs.advance(FAILED_LINGER)
        assert call.id not in hs.switch.calls and hs.switch.trunks_in_use == 0

    def test_an_internal_caller_stays_on_busy(self, hs: Harness) -> None:
        call = hs.switch.make_call("1003", "0600000486")
        hs.advance(600)
        assert hs.states(call) == {"1003": "failed"}

    def test_external_caller_waits_while_queue_agents_ring(self, hs: Harness) -> None:
        call = hs.switch.incoming_call("0612345678", "3100")
        hs.advance(10)
        assert hs.states(call) == {"0612345678": "connected", "3100": "queued", "1005": "alerting"}


class TestPhoneBehaviour:
    def test_auto_answer_after_delay(self, hs: Harness) -> None:
        hs.switch.set_behaviour("1004", "auto-answer", 3)
        call = hs.switch.make_call("1003", "1004")
        hs.advance(2.9)
        assert hs.states(call)["1004"] == "alerting"
        hs.advance(0.1)
        assert hs.states(call) == {"1003": "connected", "1004": "connected"}

    def test_auto_answer_on_one_device_of_a_user(self, hs: Harness) -> None:
        hs.switch.set_behaviour("2001", "auto-answer", 1)
        call = hs.switch.make_call("1003", "1001")
        hs.advance(1)
        assert hs.states(call) == {"1003": "connected", "2001": "connected"}

    def test_reject_behaviour_sends_to_coverage(self, hs: Harness) -> None:
        hs.switch.set_behaviour("1004", "reject", 1)
        call = hs.switch.make_call("1003", "1004")
        hs.advance(1)
        assert hs.states(call) == {"1003": "connected", "8000": "connected"}

    def test_no_answer_behaviour_rings_until_coverage(self, hs: Harness) -> None:
        hs.switch.set_behaviour("1004", "no-answer")
        call = hs.switch.make_call("1003", "1004")
        hs.advance(14)
        assert hs.states(call)["1004"] == "alerting"
        hs.advance(1)
        assert hs.states(call) == {"1003": "connected", "8000": "connected"}

    def test_auto_answer_of_a_ring_first_prompt(self, hs: Harness) -> None:
        hs.switch.set_behaviour("1003", "auto-answer", 1)
        call = hs.switch.make_call("1003", "0612345678", ring_first=True)
        hs.advance(1)
        assert hs.states(call) == {"1003": "connected", "0612345678": "alerting"}
        hs.advance(2)
        assert hs.states(call) == {"1003": "connected", "0612345678": "connected"}

    def test_scheduled_answer_gives_up_when_the_world_moved_on(self, hs: Harness) -> None:
        hs.switch.set_behaviour("1004", "auto-answer", 5)
        call = hs.switch.make_call("1003", "1004")
        hs.switch.pickup("1008", "1004")
        hs.advance(5)
        assert hs.states(call) == {"1003": "connected", "1008": "connected"}

    def test_scheduled_answer_swallows_a_refusal(self, hs: Harness) -> None:
        hs.switch.set_behaviour("1004", "auto-answer", 5)
        call = hs.switch.make_call("1003", "1004")
        hs.switch.set_in_service("1004", False)
        hs.advance(5)  # answer refused (out of service): the person gives up
        assert hs.states(call)["1004"] == "alerting"

    def test_close_stops_the_simulation(self, hs: Harness) -> None:
        assert hs.sim is not None
        hs.sim.close()
        call = hs.switch.make_call("1003", "0612345678")
        hs.advance(60)
        assert hs.states(call)["0612345678"] == "alerting"


class TestPerform:
    def test_a_person_makes_and_ends_a_call(self, h: Harness) -> None:
        call = perform(h.switch, "1003", "offhook")
        assert perform(h.switch, "1003", "dial", "1004") is call
        assert perform(h.switch, "1004", "answer") is call
        perform(h.switch, "1003", "dtmf", "42")
        assert only(h.all_events(), DigitsGenerated)[-1].digits == "42"
        perform(h.switch, "1003", "hold")
        assert h.states(call)["1003"] == "held"
        perform(h.switch, "1003", "retrieve")
        assert h.states(call)["1003"] == "connected"
        perform(h.switch, "1004", "hangup")
        assert call.id not in h.switch.calls

    def test_hangup_prefers_the_active_call(self, h: Harness) -> None:
        first = h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        second = h.switch.make_call("1003", "1008")
        assert perform(h.switch, "1003", "hangup") is second
        assert h.states(first) == {"1003": "held", "1004": "connected"}
        assert perform(h.switch, "1003", "hangup") is first

    def test_hangup_of_a_ringing_phone_declines(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        perform(h.switch, "1004", "hangup")
        assert h.states(call) == {"1003": "connected", "8000": "connected"}

    @pytest.mark.parametrize("action", ["answer", "hangup", "hold", "retrieve", "dtmf"])
    def test_nothing_to_act_on(self, h: Harness, action: str) -> None:
        h.refused(Refusal.INVALID_STATE, perform, h.switch, "1003", action, "1")

    def test_unknown_action_and_device(self, h: Harness) -> None:
        h.refused(Refusal.BAD_VALUE, perform, h.switch, "1003", "juggle")
        with pytest.raises(CommandError) as info:
            perform(h.switch, "9999", "answer")
        assert info.value.refusal is Refusal.DEVICE_NOT_FOUND
