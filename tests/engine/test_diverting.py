"""Moving a call elsewhere: deflect, overflow to voicemail, pickup, park,
unpark and park recall (call-model §2.3 #20-25). The call keeps its id."""
from __future__ import annotations

from engine_support import Harness, steps

from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.states import ConnectionState, PartyKind, Role

S = ConnectionState


def talking(h: Harness, caller: str = "1003", callee: str = "1004"):
    call = h.switch.make_call(caller, callee)
    h.switch.answer(h.conn(callee).id)
    h.take()
    return call


class TestDeflect:
    def test_deflect_a_ringing_call(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        h.switch.deflect(h.conn("1004").id, "1008")
        assert steps(h.take()) == [
            ("Diverted", "1004", "1008", "redirected"),
            ("ConnectionCleared", "1004", "redirected"),
            ("CallLogged", "1004", "incoming", "missed"),
            ("Delivered", "1008", "redirected"),
        ]
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}

    def test_deflect_to_ones_own_voicemail(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.switch.deflect(h.conn("1004").id, "8000")
        assert h.states(call) == {"1003": "connected", "8000": "connected"}
        assert h.party(call, "8000").coverage_of is h.switch.users["1004"]

    def test_deflect_a_multi_device_user(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1001")
        h.switch.deflect(h.conn("2001").id, "1008")
        # The whole party leaves, the desk phone stops ringing too.
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}

    def test_deflect_refusals(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        ringing = h.conn("1004")
        h.refused(Refusal.INVALID_STATE, h.switch.deflect, h.conn("1003").id, "1008")
        h.refused(Refusal.BAD_DESTINATION, h.switch.deflect, ringing.id, "1999")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.deflect, ringing.id, "0600000404")
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.deflect, 999, "1008")
        h.switch.users["1004"].external_calls = False
        h.refused(Refusal.NOT_OWNER, h.switch.deflect, ringing.id, "0612345678")
        h.switch.answer(ringing.id)
        h.refused(Refusal.INVALID_STATE, h.switch.deflect, ringing.id, "1008")
        assert h.states(call) == {"1003": "connected", "1004": "connected"}

    def test_deflected_group_call_leaves_the_group(self, h: Harness) -> None:
        """Regression: after a member redirected a hunt-group call, the other
        members kept ringing and the group party stayed queued, so a second
        member could answer the same call alongside the redirect target."""
        call = h.switch.make_call("1001", "3000")
        h.take()
        h.switch.deflect(h.conn("1006").id, "1008")
        assert steps(h.take()) == [
            ("Diverted", "1006", "1008", "redirected"),
            ("ConnectionCleared", "1005", "distributed"),
            ("CallLogged", "1005", "incoming", "missed"),
            ("ConnectionCleared", "1007", "distributed"),
            ("CallLogged", "1007", "incoming", "missed"),
            ("ConnectionCleared", "3000", "distributed"),
            ("ConnectionCleared", "1006", "redirected"),
            ("CallLogged", "1006", "incoming", "missed"),
            ("Delivered", "1008", "redirected"),
        ]
        assert h.states(call) == {"1001": "connected", "1008": "alerting"}
        assert not h.switch._waiting["3000"]


class TestOverflowToVoicemail:
    def test_caller_sends_the_call_to_the_callees_mailbox(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        h.switch.overflow_to_voicemail(h.conn("1003").id)
        assert steps(h.take()) == [
            ("Diverted", "1004", "8000", "overflow"),
            ("ConnectionCleared", "1004", "overflow"),
            ("CallLogged", "1004", "incoming", "missed"),
            ("Delivered", "8000", "overflow"),
            ("Established", "8000", "overflow"),
        ]
        vm = h.party(call, "8000")
        assert vm.coverage_of is h.switch.users["1004"]
        assert h.clock.pending() == 0  # the callee's no-answer timer went with it

    def test_overflow_refusals(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.refused(Refusal.INVALID_STATE, h.switch.overflow_to_voicemail, h.conn("1004").id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.overflow_to_voicemail, 999)
        h.switch.users["1004"].has_mailbox = False
        h.refused(Refusal.NO_VOICEMAIL, h.switch.overflow_to_voicemail, h.conn("1003").id)
        h.switch.answer(h.conn("1004").id)
        h.refused(Refusal.INVALID_STATE, h.switch.overflow_to_voicemail, h.conn("1003").id)
        line = h.switch.make_call("1008", "5001")  # a ringing device, not a user
        h.refused(Refusal.INVALID_STATE, h.switch.overflow_to_voicemail, h.conn("1008", call=line).id)
        assert h.states(call) == {"1003": "connected", "1004": "connected"}


class TestPickup:
    def test_pickup_answers_on_the_picking_device(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.take()
        party = h.switch.pickup("1008", "1004")
        assert steps(h.take()) == [
            ("Diverted", "1004", "1008", "pickup"),
            ("ConnectionCleared", "1004", "pickup"),
            ("CallLogged", "1004", "incoming", "missed"),
            ("Established", "1008", "pickup"),
        ]
        assert party.role is Role.PICKUP and party.kind is PartyKind.USER
        assert h.states(call) == {"1003": "connected", "1008": "connected"}
        assert h.clock.pending() == 0

    def test_pickup_without_answer_rings_the_picker(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.switch.pickup("1008", "1004", answer=False)
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}
        h.switch.answer(h.conn("1008").id)
        assert h.states(call) == {"1003": "connected", "1008": "connected"}

    def test_pickup_holds_the_pickers_call(self, h: Harness) -> None:
        first = talking(h, "1008", "1002")
        h.switch.make_call("1003", "1004")
        h.switch.pickup("1008", "1004")
        assert h.states(first)["1008"] == "held"

    def test_pickup_of_a_multi_device_user_clears_all_its_ringing(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1001")
        h.switch.pickup("1008", "2001")
        assert h.states(call) == {"1003": "connected", "1008": "connected"}

    def test_picking_up_a_hunt_group_call_takes_it_out_of_the_group(self, h: Harness) -> None:
        """Regression: the group party stayed queued and the other members
        kept ringing after a pickup, so a second member could answer too."""
        call = h.switch.make_call("1001", "3000")
        h.take()
        h.switch.pickup("1008", "1005")
        assert steps(h.take()) == [
            ("Diverted", "1005", "1008", "pickup"),
            ("ConnectionCleared", "1006", "distributed"),
            ("CallLogged", "1006", "incoming", "missed"),
            ("ConnectionCleared", "1007", "distributed"),
            ("CallLogged", "1007", "incoming", "missed"),
            ("ConnectionCleared", "3000", "distributed"),
            ("ConnectionCleared", "1005", "pickup"),
            ("CallLogged", "1005", "incoming", "missed"),
            ("Established", "1008", "pickup"),
        ]
        assert h.states(call) == {"1001": "connected", "1008": "connected"}
        assert not h.switch._waiting["3000"]

    def test_picking_up_a_queue_call_stops_its_offering(self, h: Harness) -> None:
        call = h.switch.make_call("1001", "3100")
        h.switch.pickup("1008", "1005", answer=False)
        h.advance(60)  # no further offers to 1006/1007 while 1008 rings
        assert h.states(call) == {"1001": "connected", "1008": "alerting"}

    def test_pickup_refusals(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004", ring_first=True)
        h.refused(Refusal.INVALID_STATE, h.switch.pickup, "1008", "1003")  # a prompt
        h.switch.answer(h.conn("1003").id)
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.pickup, "1008", "1002")  # nothing ringing
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.pickup, "1008", "9999")
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.pickup, "9999", "1004")
        h.switch.set_privacy(call.id, h.party(call, "1004").id, True)
        h.refused(Refusal.NOT_OWNER, h.switch.pickup, "1008", "1004")
        h.switch.set_privacy(call.id, h.party(call, "1004").id, False)
        h.switch.set_in_service("1008", False)
        h.refused(Refusal.OUT_OF_SERVICE, h.switch.pickup, "1008", "1004")
        for _ in range(3):
            h.switch.off_hook("1002")
        h.refused(Refusal.NO_FREE_APPEARANCE, h.switch.pickup, "1002", "1004")


class TestPark:
    def test_park_and_unpark(self, h: Harness) -> None:
        call = talking(h)
        slot = h.switch.park(h.conn("1004").id, "77")
        assert slot == "77"
        assert steps(h.take()) == [
            ("Diverted", "1004", "77", "park"),
            ("Queued", "77", "park"),
            ("ConnectionCleared", "1004", "park"),
            ("CallLogged", "1004", "incoming", "answered"),
        ]
        parked = h.switch.parks["77"]
        assert parked.kind is PartyKind.PARK and parked.call is call
        assert h.states(call) == {"1003": "connected", "77": "queued"}
        party = h.switch.unpark("1008", "77")
        assert steps(h.take()) == [
            ("Diverted", "77", "1008", "unpark"),
            ("ConnectionCleared", "77", "unpark"),
            ("Established", "1008", "unpark"),
        ]
        assert party.role is Role.UNPARK and party.call is call
        assert h.states(call) == {"1003": "connected", "1008": "connected"}
        assert not h.switch.parks and h.clock.pending() == 0

    def test_default_slot_is_the_parkers_number(self, h: Harness) -> None:
        talking(h)
        assert h.switch.park(h.conn("1004").id) == "1004"
        assert "1004" in h.switch.parks

    def test_recall_after_120s(self, h: Harness) -> None:
        call = talking(h)
        h.switch.park(h.conn("1004").id, "77")
        h.advance(119.9)
        h.take()
        assert h.states(call) == {"1003": "connected", "77": "queued"}
        h.advance(0.1)
        assert steps(h.take()) == [
            ("Diverted", "77", "1004", "recall"),
            ("Delivered", "1004", "recall"),
            ("ConnectionCleared", "77", "recall"),
        ]
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        assert not h.switch.parks
        h.switch.answer(h.conn("1004").id)
        assert h.states(call) == {"1003": "connected", "1004": "connected"}

    def test_recall_waits_while_the_parker_is_busy(self, h: Harness) -> None:
        call = talking(h)
        h.switch.park(h.conn("1004").id, "77")
        for _ in range(3):
            h.switch.off_hook("1004")
        h.advance(120)
        assert h.states(call)["77"] == "queued"
        for conn in list(h.switch.device("1004").connections):
            h.switch.clear_connection(conn.id)
        h.advance(120)
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}

    def test_parked_caller_hanging_up_empties_the_slot(self, h: Harness) -> None:
        call = talking(h)
        h.switch.park(h.conn("1004").id, "77")
        h.switch.clear_connection(h.conn("1003").id)
        assert call.id not in h.switch.calls and not h.switch.parks
        assert h.clock.pending() == 0

    def test_park_refusals(self, h: Harness) -> None:
        call = talking(h)
        me = h.conn("1004")
        h.switch.park(h.conn("1003").id, "77")
        other = talking(h, "1002", "1008")
        h.refused(Refusal.PARK_SLOT_BUSY, h.switch.park, h.conn("1008").id, "77")
        h.refused(Refusal.BAD_VALUE, h.switch.park, h.conn("1008").id, "x" * 17)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.park, 999)
        h.switch.hold(h.conn("1008").id)
        h.refused(Refusal.INVALID_STATE, h.switch.park, h.conn("1008").id)
        h.switch.retrieve(h.conn("1008").id)
        h.switch.add_party(h.conn("1008").id, "1005")
        h.refused(Refusal.INVALID_STATE, h.switch.park, h.conn("1008").id, "88")  # three parties
        assert me.state is S.CONNECTED and call.id in h.switch.calls and other.id in h.switch.calls

    def test_unpark_refusals(self, h: Harness) -> None:
        talking(h)
        h.refused(Refusal.SLOT_EMPTY, h.switch.unpark, "1008", "77")
        h.switch.park(h.conn("1004").id, "77")
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.unpark, "9999", "77")
        h.switch.set_in_service("1008", False)
        h.refused(Refusal.OUT_OF_SERVICE, h.switch.unpark, "1008", "77")
