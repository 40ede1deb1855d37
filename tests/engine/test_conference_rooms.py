"""MeetMe rooms (call-model §1.1 ConferenceRoom, §2.4 R6) and blind transfer
into a user's mailbox: a call dialled or transferred into a room is CONNECTED
to a CONFERENCE party, the room lists the calls in it, and a full room, a
wrong PIN or an unknown room refuses before anything changes."""
from __future__ import annotations

from engine_support import Harness

from ctiswitch.engine.calls import Call, Party
from ctiswitch.engine.directory import ConferenceRoom
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import Conferenced
from ctiswitch.engine.states import ConnectionState, PartyKind

S = ConnectionState
ROOM = "8200"  # the demo company's MeetMe room, capacity 6


def room_party(call: Call) -> Party:
    return next(p for p in call.parties.values() if p.kind is PartyKind.CONFERENCE)


def talking(h: Harness, caller: str, to: str) -> Call:
    """An outside caller talking to a user."""
    call = h.switch.incoming_call(caller, to)
    h.switch.answer(h.conn(to, S.ALERTING, call).id)
    return call


class TestDialled:
    def test_the_demo_has_a_room(self, h: Harness) -> None:
        assert h.switch.conference_rooms[ROOM] == ConferenceRoom(ROOM, 6, None)

    def test_dialling_a_room_connects_to_it(self, h: Harness) -> None:
        call = h.switch.make_call("1003", ROOM)
        assert h.states(call) == {"1003": "connected", ROOM: "connected"}
        party = room_party(call)
        assert (party.number, party.name) == (ROOM, f"Conf {ROOM}")
        assert h.switch.room_calls(ROOM) == [call]

    def test_a_second_caller_joins_the_first_in_one_call(self, h: Harness) -> None:
        first = h.switch.make_call("1003", ROOM)
        h.take()
        second = h.switch.make_call("1004", ROOM)
        assert second is first
        assert h.states(first) == {"1003": "connected", "1004": "connected", ROOM: "connected"}
        assert h.switch.room_calls(ROOM) == [first]
        assert h.switch.room_occupants(ROOM) == 2
        merged = [e for e in h.take() if isinstance(e, Conferenced)]
        assert len(merged) == 1 and merged[0].call == first.id and merged[0].secondary != first.id
        assert merged[0].secondary not in h.switch.calls  # the second caller's own call was absorbed
        assert len([p for p in first.live_parties() if p.kind is PartyKind.CONFERENCE]) == 1

    def test_a_third_caller_joins_too_and_callers_leave_one_by_one(self, h: Harness) -> None:
        call = h.switch.make_call("1003", ROOM)
        h.switch.make_call("1004", ROOM)
        h.switch.make_call("1005", ROOM)
        assert h.states(call) == {"1003": "connected", "1004": "connected", "1005": "connected",
                                  ROOM: "connected"}
        h.switch.clear_connection(h.conn("1003").id)  # the room call's originator leaves
        assert h.states(call) == {"1004": "connected", "1005": "connected", ROOM: "connected"}
        h.switch.clear_connection(h.conn("1005").id)
        assert h.switch.room_calls(ROOM) == [call]
        h.switch.clear_connection(h.conn("1004").id)  # the last one: the room empties
        assert call.id not in h.switch.calls
        assert h.switch.room_calls(ROOM) == []
        assert h.switch.room_occupants(ROOM) == 0
        again = h.switch.make_call("1003", ROOM)
        assert h.switch.room_calls(ROOM) == [again]

    def test_a_full_room_is_busy(self, h: Harness) -> None:
        h.switch.conference_rooms[ROOM] = ConferenceRoom(ROOM, 2)
        h.switch.make_call("1003", ROOM)
        h.switch.make_call("1004", ROOM)
        third = h.switch.make_call("1005", ROOM)
        assert h.states(third) == {"1005": "failed"}
        assert len(h.switch.room_calls(ROOM)) == 1
        assert h.switch.room_occupants(ROOM) == 2
        h.switch.clear_connection(h.conn("1004").id)  # a seat frees up
        h.switch.clear_connection(h.conn("1005").id)
        room_call = h.switch.make_call("1005", ROOM)
        assert h.states(room_call) == {"1003": "connected", "1005": "connected", ROOM: "connected"}

    def test_a_pin_room_refuses_plain_dialling(self, h: Harness) -> None:
        h.switch.conference_rooms[ROOM] = ConferenceRoom(ROOM, 6, "1234")
        call = h.switch.make_call("1003", ROOM)
        assert h.states(call) == {"1003": "failed"}
        assert h.switch.room_calls(ROOM) == []


class TestTransferredToRoom:
    def test_the_caller_is_connected_to_the_room(self, h: Harness) -> None:
        call = talking(h, "0611111111", "1003")
        h.switch.transfer_to_room(h.conn("1003").id, ROOM)
        assert h.states(call) == {"0611111111": "connected", ROOM: "connected"}
        assert room_party(call).state is S.CONNECTED
        assert h.switch.room_calls(ROOM) == [call]

    def test_a_transferred_caller_joins_the_meeting_without_the_transferrer(self, h: Harness) -> None:
        room_call = h.switch.make_call("1004", ROOM)
        call = talking(h, "0611111111", "1003")
        h.switch.transfer_to_room(h.conn("1003").id, ROOM)
        assert call.id not in h.switch.calls
        assert h.states(room_call) == {"1004": "connected", "0611111111": "connected", ROOM: "connected"}
        assert h.switch.device("1003").connections == []
        assert h.switch.room_calls(ROOM) == [room_call]

    def test_a_plain_transfer_to_the_room_number_works_too(self, h: Harness) -> None:
        call = talking(h, "0611111111", "1003")
        h.switch.single_step_transfer(h.conn("1003").id, ROOM)
        assert h.states(call) == {"0611111111": "connected", ROOM: "connected"}

    def test_with_the_right_pin(self, h: Harness) -> None:
        h.switch.conference_rooms[ROOM] = ConferenceRoom(ROOM, 6, "1234")
        call = talking(h, "0611111111", "1003")
        h.switch.transfer_to_room(h.conn("1003").id, ROOM, "1234")
        assert h.switch.room_calls(ROOM) == [call]

    def test_wrong_or_missing_pin_is_refused(self, h: Harness) -> None:
        h.switch.conference_rooms[ROOM] = ConferenceRoom(ROOM, 6, "1234")
        talking(h, "0611111111", "1003")
        conn = h.conn("1003")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.transfer_to_room, conn.id, ROOM, "9999")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.transfer_to_room, conn.id, ROOM)
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.single_step_transfer, conn.id, ROOM)

    def test_unknown_room_is_refused(self, h: Harness) -> None:
        talking(h, "0611111111", "1003")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.transfer_to_room, h.conn("1003").id, "20987")

    def test_full_room_is_refused(self, h: Harness) -> None:
        h.switch.conference_rooms[ROOM] = ConferenceRoom(ROOM, 2)
        h.switch.make_call("1004", ROOM)
        h.switch.make_call("1005", ROOM)
        talking(h, "0611111111", "1003")
        h.refused(Refusal.CAPACITY, h.switch.transfer_to_room, h.conn("1003").id, ROOM)
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.single_step_transfer, h.conn("1003").id, ROOM)


class TestTransferredToVoicemail:
    def test_the_caller_reaches_the_named_users_mailbox(self, h: Harness) -> None:
        call = talking(h, "0611111111", "1003")
        h.switch.transfer_to_voicemail(h.conn("1003").id, "1004")
        party = next(p for p in call.parties.values() if p.kind is PartyKind.VOICEMAIL)
        assert party.coverage_of is h.switch.users["1004"]
        assert h.states(call) == {"0611111111": "connected", h.switch.voicemail_number: "connected"}

    def test_no_such_user_is_refused(self, h: Harness) -> None:
        talking(h, "0611111111", "1003")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.transfer_to_voicemail, h.conn("1003").id, "1999")

    def test_a_user_without_a_mailbox_is_refused(self, h: Harness) -> None:
        h.switch.users["1004"].has_mailbox = False
        talking(h, "0611111111", "1003")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.transfer_to_voicemail, h.conn("1003").id, "1004")


class TestSeatsPerParty:
    """A room's capacity counts parties: a call bringing several of them
    takes a seat for each, so it cannot overfill the room."""

    def fill(self, h: Harness, people: int) -> None:
        for phone in ("1001", "1002", "1004", "1005", "1006", "1007")[:people]:
            h.switch.make_call(phone, ROOM)
        assert h.switch.room_occupants(ROOM) == people

    def conference(self, h: Harness) -> Call:
        """An outside caller, 1003 and 1008 in one conference; 1003 controls it."""
        call = talking(h, "0611111111", "1003")
        held = h.conn("1003")
        h.switch.consult(held.id, "1008")
        h.switch.answer(h.conn("1008").id)
        return h.switch.conference(held.id, h.conn("1003", S.CONNECTED).id)

    def test_a_transferred_conference_needs_a_seat_for_each_party(self, h: Harness) -> None:
        self.fill(h, 5)
        call = self.conference(h)
        conn = h.conn("1003")
        # 1003 leaves; the caller and 1008 would be 7 in a room for 6.
        h.refused(Refusal.CAPACITY, h.switch.transfer_to_room, conn.id, ROOM)
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.single_step_transfer, conn.id, ROOM)
        h.switch.clear_connection(h.conn("1006").id)  # one seat frees up
        h.switch.transfer_to_room(conn.id, ROOM)
        (meeting,) = h.switch.room_calls(ROOM)
        assert call.id not in h.switch.calls  # merged into the meeting
        assert {"0611111111", "1008"} <= set(h.states(meeting)) and "1003" not in h.states(meeting)
        assert h.switch.room_occupants(ROOM) == 6

    def test_adding_a_room_brings_the_whole_call(self, h: Harness) -> None:
        self.fill(h, 5)
        talking(h, "0611111111", "1003")
        conn = h.conn("1003")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.add_party, conn.id, ROOM)
        h.switch.clear_connection(h.conn("1006").id)
        h.switch.add_party(conn.id, ROOM)
        assert h.switch.room_occupants(ROOM) == 6

    def test_one_party_entering_needs_one_seat(self, h: Harness) -> None:
        self.fill(h, 5)
        talking(h, "0611111111", "1003")
        h.switch.single_step_transfer(h.conn("1003").id, ROOM)
        assert h.switch.room_occupants(ROOM) == 6
