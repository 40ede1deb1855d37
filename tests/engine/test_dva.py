"""The digital voice announcement (call-model §1.1 DialPlan "DVA"): a call
routed to the DVA number is answered by a service party, as voicemail would
answer it, whether it was dialled, deflected there (O2G redirectTo "DVA")
or forwarded there; a company without a DVA has no such number."""
from __future__ import annotations

import pytest
from engine_support import Harness, kinds, only, steps

from ctiswitch.engine.calls import Party
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.events import Diverted, MessageDeposited
from ctiswitch.engine.states import Cause, ConnectionState, ForwardKind, PartyKind

S = ConnectionState
DVA = "8100"  # the demo company's announcement


def dva_party(h: Harness, call_id: int) -> Party:
    return next(p for p in h.switch.calls[call_id].parties.values() if p.kind is PartyKind.DVA)


class TestDialled:
    def test_the_demo_has_a_dva(self, h: Harness) -> None:
        assert h.switch.dva_number == DVA

    def test_answers_at_once_and_takes_no_message(self, h: Harness) -> None:
        call = h.switch.make_call("1003", DVA)
        assert h.states(call) == {"1003": "connected", DVA: "connected"}
        assert dva_party(h, call.id).name == "Announcement"
        assert steps(h.take())[-2:] == [("Delivered", DVA, "new_call"), ("Established", DVA, "new_call")]
        h.switch.clear_connection(h.conn("1003").id)
        assert not only(h.take(), MessageDeposited)
        assert call.id not in h.switch.calls

    def test_answers_after_its_delay(self, h: Harness) -> None:
        h.switch.dva_answer_delay = 2
        call = h.switch.make_call("1003", DVA)
        assert h.states(call) == {"1003": "connected", DVA: "alerting"}
        h.take()
        h.advance(2)
        assert steps(h.take()) == [("Established", DVA, "new_call")]
        h.switch.clear_call(call.id)

    def test_a_caller_who_gives_up_first_is_never_answered(self, h: Harness) -> None:
        h.switch.dva_answer_delay = 2
        call = h.switch.make_call("1003", DVA)
        h.switch.clear_connection(h.conn("1003").id)
        h.take()
        h.advance(2)
        assert call.id not in h.switch.calls and not h.take()

    def test_is_an_internal_number_while_dialling(self, h: Harness) -> None:
        assert h.switch.number_incomplete("81") is True
        assert h.switch.number_incomplete(DVA) is False


class TestRedirected:
    def test_a_ringing_call_is_deflected_to_the_dva(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        h.switch.deflect(h.conn("1004", S.ALERTING).id, DVA)
        assert h.states(call) == {"1003": "connected", DVA: "connected"}
        events = h.take()
        (diverted,) = only(events, Diverted)
        assert (diverted.from_number, diverted.to_number, diverted.cause) == ("1004", DVA, Cause.REDIRECTED)
        assert kinds(events)[-1] == "Established"
        h.switch.clear_call(call.id)

    def test_a_forward_to_the_dva_reaches_it(self, h: Harness) -> None:
        h.switch.set_forward("1004", ForwardKind.IMMEDIATE, DVA)
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", DVA: "connected"}
        h.switch.clear_call(call.id)
        h.switch.set_forward("1004", None)


class TestWithoutADva:
    def test_the_number_is_invalid(self, h: Harness) -> None:
        h.switch.dva_number = None
        call = h.switch.make_call("1003", DVA)
        assert h.states(call) == {"1003": "failed"}
        h.switch.clear_call(call.id)

    def test_deflecting_there_is_refused_and_changes_nothing(self, h: Harness) -> None:
        h.switch.dva_number = None
        call = h.switch.make_call("1003", "1004")
        with pytest.raises(CommandError) as refused:
            h.switch.deflect(h.conn("1004", S.ALERTING).id, DVA)
        assert refused.value.refusal is Refusal.BAD_DESTINATION
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        h.switch.clear_call(call.id)
