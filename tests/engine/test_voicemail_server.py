"""The voicemail server: call flows (MTCTI-3 BlindTransfer `/102/<Callflow>`),
the mailbox greeting before a message is recorded, and the index of the
calls in each user's own voicemail that faces show on the user's line
(call-model §2.4 R5, §4.2)."""
from __future__ import annotations

from engine_support import Harness, only, steps

from ctiswitch.engine.calls import Call, Party
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import MessageDeposited, PartyChanged
from ctiswitch.engine.states import ConnectionState, PartyKind

S = ConnectionState
CALLER = "0611111111"


def talking(h: Harness, to: str = "1003") -> Call:
    call = h.switch.incoming_call(CALLER, to)
    h.switch.answer(h.conn(to, S.ALERTING, call).id)
    h.take()
    return call


def voicemail(call: Call) -> Party:
    (party,) = [p for p in call.parties.values() if p.kind is PartyKind.VOICEMAIL]
    return party


class TestCallFlow:
    def test_the_voicemail_server_answers_with_the_flow(self, h: Harness) -> None:
        call = talking(h)
        h.switch.transfer_to_call_flow(h.conn("1003").id, "Callflow")
        assert steps(h.take()) == [
            ("Diverted", "1003", "Callflow", "single_step"),
            ("Delivered", "Callflow", "single_step"),
            ("Established", "Callflow", "single_step"),
            ("ConnectionCleared", "1003", "single_step"),
            ("CallLogged", "1003", "incoming", "answered"),
        ]
        flow = voicemail(call)
        assert (flow.number, flow.name, flow.coverage_of) == ("Callflow", None, None)
        assert h.states(call) == {CALLER: "connected", "Callflow": "connected"}

    def test_a_flow_takes_no_message(self, h: Harness) -> None:
        call = talking(h)
        h.switch.transfer_to_call_flow(h.conn("1003").id, "Sales Hours")
        h.advance(30)
        assert call.origin is not None
        h.switch.clear_connection(call.origin.connections[0].id)
        assert call.id not in h.switch.calls
        assert only(h.take(), MessageDeposited) == []

    def test_a_waiting_queue_call_leaves_the_queue_for_the_flow(self, h: Harness) -> None:
        for login in ("1005", "1006", "1007"):
            h.switch.set_logged_on("3100", login, False)
        call = h.switch.incoming_call(CALLER, "3100")
        queued = next(p for p in call.parties.values() if p.kind is PartyKind.GROUP)
        h.switch.transfer_to_call_flow(queued.connections[0].id, "Callflow")
        assert h.states(call) == {CALLER: "connected", "Callflow": "connected"}
        assert not h.switch._waiting.get("3100") and call.group is h.switch.groups["3100"]

    def test_a_blind_transfer_takes_the_call_back_out_of_the_flow(self, h: Harness) -> None:
        call = talking(h)
        h.switch.transfer_to_call_flow(h.conn("1003").id, "Callflow")
        h.switch.single_step_transfer(voicemail(call).connections[0].id, "1008")
        assert h.states(call) == {CALLER: "connected", "1008": "alerting"}

    def test_refusals(self, h: Harness) -> None:
        talking(h)
        conn = h.conn("1003")
        for bad in ("", " Callflow", "Callflow ", "Call\nflow", "x" * 79):
            h.refused(Refusal.BAD_VALUE, h.switch.transfer_to_call_flow, conn.id, bad)
        h.switch.hold(conn.id)
        h.refused(Refusal.INVALID_STATE, h.switch.transfer_to_call_flow, conn.id, "Callflow")
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.transfer_to_call_flow, 999, "Callflow")


class TestGreeting:
    def test_without_a_greeting_time_the_message_starts_at_answer(self, h: Harness) -> None:
        call = h.switch.incoming_call(CALLER, "1004")
        h.advance(15)
        vm = voicemail(call)
        assert vm.message_since == vm.answered_at == 15

    def test_the_message_is_recorded_after_the_greeting(self, h: Harness) -> None:
        h.switch.voicemail_greeting_seconds = 4
        call = h.switch.incoming_call(CALLER, "1004")
        h.advance(15)
        vm = voicemail(call)
        assert vm.state is S.CONNECTED and vm.message_since is None
        h.take()
        h.advance(4)
        assert h.take() == [PartyChanged(call.id, vm.id, ("message",))]
        assert vm.message_since == 19
        h.advance(6)
        assert call.origin is not None
        h.switch.clear_connection(call.origin.connections[0].id)
        assert only(h.take(), MessageDeposited) == [
            MessageDeposited("1004", "voicemail", CALLER, {"duration": 6.0})]

    def test_hanging_up_during_the_greeting_leaves_no_message(self, h: Harness) -> None:
        h.switch.voicemail_greeting_seconds = 4
        call = h.switch.incoming_call(CALLER, "1004")
        h.advance(17)
        assert call.origin is not None
        h.switch.clear_connection(call.origin.connections[0].id)
        assert only(h.take(), MessageDeposited) == []
        assert h.clock.pending() == 0

    def test_an_owner_listening_to_its_mailbox_records_nothing(self, h: Harness) -> None:
        h.switch.voicemail_greeting_seconds = 4
        call = h.switch.make_call("1004", "8000")
        h.advance(10)
        assert voicemail(call).message_since is None and h.clock.pending() == 0


class TestCallsInAUsersVoicemail:
    def test_no_answer_coverage_and_transfers_are_indexed_until_they_end(self, h: Harness) -> None:
        user = h.switch.users["1004"]
        covered = h.switch.incoming_call(CALLER, "1004")
        h.advance(15)
        transferred = talking(h, "1003")
        h.switch.transfer_to_voicemail(h.conn("1003").id, "1004")
        assert h.switch.voicemail_parties(user) == [voicemail(covered), voicemail(transferred)]
        h.switch.clear_call(covered.id)
        assert h.switch.voicemail_parties(user) == [voicemail(transferred)]
        h.switch.single_step_transfer(voicemail(transferred).connections[0].id, "1008")
        assert h.switch.voicemail_parties(user) == []
        assert h.switch._in_voicemail == {}

    def test_call_flows_belong_to_nobody(self, h: Harness) -> None:
        talking(h)
        h.switch.transfer_to_call_flow(h.conn("1003").id, "Callflow")
        assert h.switch._in_voicemail == {}
