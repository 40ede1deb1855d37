"""Parking a queue call (MTCTI-3 Park on a queue line, spec/mtcti3.md §4.4):
a call still waiting in the group or ringing its agents is parked through
the group party's QUEUED connection and leaves the queue as a blind
transfer out of it does; a queue call answered by voicemail is parked
through the voicemail party. Nobody unparks it: it recalls to the queue
and is distributed again (call-model §2.3 #23-25, a DECISION in
Switch.park). A parked call can also be sent on from its slot."""
from __future__ import annotations

from engine_support import Harness, steps

from ctiswitch.engine.calls import Call, Party
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.states import ConnectionState, PartyKind, Role, ServiceMode

S = ConnectionState
CALLER = "0655555555"
AGENTS = ("1005", "1006", "1007")


def away(h: Harness, group: str = "3100") -> None:
    """Every agent logged off: a queue call waits (QUEUEING)."""
    for login in AGENTS:
        h.switch.set_logged_on(group, login, False)


def back(h: Harness, group: str = "3100") -> None:
    for login in AGENTS:
        h.switch.set_logged_on(group, login, True)


def group_party(call: Call) -> Party:
    (party,) = [p for p in call.parties.values() if p.kind is PartyKind.GROUP]
    return party


def waiting_call(h: Harness) -> Call:
    away(h)
    call = h.switch.incoming_call(CALLER, "3100")
    h.take()
    return call


class TestParkingAWaitingCall:
    def test_the_call_leaves_the_queue_for_the_slot(self, h: Harness) -> None:
        call = waiting_call(h)
        queued = group_party(call)
        assert h.switch.park(queued.connections[0].id, "7") == "7"
        assert steps(h.take()) == [
            ("Diverted", "3100", "7", "park"),
            ("Queued", "7", "park"),
            ("ConnectionCleared", "3100", "park"),
        ]
        assert h.states(call) == {CALLER: "connected", "7": "queued"}
        assert h.switch.parks["7"].call is call and not h.switch._waiting.get("3100")
        assert call.group is h.switch.groups["3100"]  # the queue keeps following the call

    def test_the_default_slot_is_the_groups_number(self, h: Harness) -> None:
        call = waiting_call(h)
        assert h.switch.park(group_party(call).connections[0].id) == "3100"

    def test_a_ringing_queue_call_stops_ringing_its_agent(self, h: Harness) -> None:
        call = h.switch.incoming_call(CALLER, "3100")
        ringing = [p for p in call.parties.values() if p.kind is PartyKind.USER]
        assert [p.state for p in ringing] == [S.ALERTING]
        h.take()
        h.switch.park(group_party(call).connections[0].id, "7")
        agent = ringing[0].number
        assert steps(h.take()) == [
            ("Diverted", "3100", "7", "park"),
            ("ConnectionCleared", agent, "park"),
            ("CallLogged", agent, "incoming", "missed"),
            ("Queued", "7", "park"),
            ("ConnectionCleared", "3100", "park"),
        ]
        assert h.states(call) == {CALLER: "connected", "7": "queued"}

    def test_a_parallel_hunt_group_call_stops_ringing_every_member(self, h: Harness) -> None:
        call = h.switch.incoming_call(CALLER, "3000")
        assert sorted(h.states(call)) == sorted([CALLER, "3000", *AGENTS])
        h.switch.park(group_party(call).connections[0].id, "7")
        assert h.states(call) == {CALLER: "connected", "7": "queued"}
        assert all(not h.switch.device(a).connections for a in AGENTS)

    def test_unpark_takes_it_like_any_parked_call(self, h: Harness) -> None:
        call = waiting_call(h)
        h.switch.park(group_party(call).connections[0].id, "7")
        party = h.switch.unpark("1008", "7")
        assert party.role is Role.UNPARK and party.call is call
        assert h.states(call) == {CALLER: "connected", "1008": "connected"}
        assert not h.switch.parks and h.clock.pending() == 0


class TestRecallToTheQueue:
    def test_nobody_unparks_it_so_it_queues_again(self, h: Harness) -> None:
        call = waiting_call(h)
        h.switch.park(group_party(call).connections[0].id, "7")
        h.advance(119.9)
        assert h.states(call) == {CALLER: "connected", "7": "queued"}
        h.take()
        h.advance(0.1)
        assert steps(h.take()) == [
            ("Diverted", "7", "3100", "recall"),
            ("Queued", "3100", "recall"),
            ("ConnectionCleared", "7", "recall"),
        ]
        assert h.states(call) == {CALLER: "connected", "3100": "queued"}
        assert not h.switch.parks and h.switch._waiting["3100"] == [group_party(call)]
        back(h)  # an agent logs on: the recalled call is distributed again
        offers = [p for p in call.parties.values() if p.kind is PartyKind.USER]
        assert len(offers) == 1 and offers[0].state is S.ALERTING and offers[0].group is h.switch.groups["3100"]
        h.switch.answer(offers[0].connections[0].id)
        assert h.states(call) == {CALLER: "connected", offers[0].number: "connected"}

    def test_a_recall_rings_a_free_agent_at_once(self, h: Harness) -> None:
        call = h.switch.incoming_call(CALLER, "3100")
        h.switch.park(group_party(call).connections[0].id, "7")
        h.advance(120)
        ringing = [p for p in call.parties.values() if p.kind is PartyKind.USER]
        assert len(ringing) == 1 and ringing[0].state is S.ALERTING
        assert group_party(call).state is S.QUEUED

    def test_a_hunt_group_with_nobody_free_keeps_it_parked(self, h: Harness) -> None:
        call = h.switch.incoming_call(CALLER, "3000")
        h.switch.park(group_party(call).connections[0].id, "7")
        away(h, "3000")  # a hunt group does not queue: its plan fails
        h.advance(120)
        assert h.states(call) == {CALLER: "connected", "7": "queued"}
        back(h, "3000")
        h.advance(120)
        assert sorted(h.states(call)) == sorted([CALLER, "3000", *AGENTS])

    def test_the_recall_follows_the_groups_routing_plan(self, h: Harness) -> None:
        call = waiting_call(h)
        h.switch.park(group_party(call).connections[0].id, "7")
        group = h.switch.groups["3100"]
        group.service_mode = ServiceMode.NIGHT
        group.overflow = "1008"  # night service sends calls to 1008
        h.take()
        h.advance(120)
        assert steps(h.take())[:3] == [
            ("Diverted", "7", "3100", "recall"),
            ("Diverted", "3100", "1008", "forward_immediate"),
            ("Delivered", "1008", "forward_immediate"),
        ]
        assert h.states(call) == {CALLER: "connected", "1008": "alerting"}

    def test_a_caller_hanging_up_in_the_slot_cancels_the_recall(self, h: Harness) -> None:
        call = waiting_call(h)
        h.switch.park(group_party(call).connections[0].id, "7")
        assert call.origin is not None
        h.switch.clear_connection(call.origin.connections[0].id)
        assert call.id not in h.switch.calls and not h.switch.parks and h.clock.pending() == 0


class TestParkingFromVoicemail:
    def test_a_queue_call_in_a_call_flow_parks_and_recalls_to_the_queue(self, h: Harness) -> None:
        call = waiting_call(h)
        h.switch.transfer_to_call_flow(group_party(call).connections[0].id, "Callflow")
        flow = next(p for p in call.parties.values() if p.kind is PartyKind.VOICEMAIL)
        h.switch.park(flow.connections[0].id, "8")
        assert h.states(call) == {CALLER: "connected", "8": "queued"}
        h.advance(120)
        assert h.states(call) == {CALLER: "connected", "3100": "queued"}

    def test_voicemail_of_a_call_that_came_through_no_queue_cannot_park(self, h: Harness) -> None:
        call = h.switch.incoming_call(CALLER, "1004")
        h.advance(15)  # no answer: 1004's voicemail takes it
        vm = next(p for p in call.parties.values() if p.kind is PartyKind.VOICEMAIL)
        h.refused(Refusal.INVALID_STATE, h.switch.park, vm.connections[0].id, "8")


class TestParkRefusals:
    def test_what_cannot_park(self, h: Harness) -> None:
        call = waiting_call(h)
        queued = group_party(call)
        caller = call.origin
        assert caller is not None
        # A far end has no phone here and no queue to recall to.
        h.refused(Refusal.INVALID_STATE, h.switch.park, caller.connections[0].id, "7")
        h.refused(Refusal.BAD_VALUE, h.switch.park, queued.connections[0].id, "x" * 17)
        h.switch.park(queued.connections[0].id, "7")
        parked = h.switch.parks["7"]
        # A park slot is not a parker.
        h.refused(Refusal.INVALID_STATE, h.switch.park, parked.connections[0].id, "8")
        second = h.switch.incoming_call(CALLER, "3100")
        h.refused(Refusal.PARK_SLOT_BUSY, h.switch.park, group_party(second).connections[0].id, "7")


class TestSendingAParkedCallOn:
    def test_a_blind_transfer_from_the_slot(self, h: Harness) -> None:
        call = waiting_call(h)
        h.switch.park(group_party(call).connections[0].id, "7")
        h.take()
        h.switch.single_step_transfer(h.switch.parks["7"].connections[0].id, "1008")
        assert steps(h.take()) == [
            ("Diverted", "7", "1008", "single_step"),
            ("Delivered", "1008", "single_step"),
            ("ConnectionCleared", "7", "single_step"),
        ]
        assert h.states(call) == {CALLER: "connected", "1008": "alerting"}
        assert not h.switch.parks and h.clock.pending() == 1  # 1008's no-answer timer, no recall

    def test_an_unreachable_destination_leaves_it_parked(self, h: Harness) -> None:
        call = waiting_call(h)
        h.switch.park(group_party(call).connections[0].id, "7")
        h.refused(Refusal.BAD_DESTINATION, h.switch.single_step_transfer, h.switch.parks["7"].connections[0].id, "1999")
        assert h.states(call) == {CALLER: "connected", "7": "queued"}
