"""Transfer, single-step transfer, conference, add and drop party
(call-model §2.3 #14-18, §2.5).

The recurring cast follows the worked example of call-model §4.6: A=1003
talks to B=1004 (call P), consults C=1008 (call S), then transfers or
conferences. P, the held call, survives; S is absorbed without CallCleared.
"""
from __future__ import annotations

import pytest
from engine_support import Harness, only, steps

from ctiswitch.engine.core import MAX_CONFERENCE
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import CallCleared, CallLogged, Conferenced, Transferred
from ctiswitch.engine.states import Cause, ConnectionState, ConsultPurpose, Role

S = ConnectionState


def consulted(h: Harness, a: str = "1003", b: str = "1004", c: str = "1008", *, answer: bool = True):
    """A talks to B (P), holds and consults C (S); C answers if `answer`."""
    primary = h.switch.make_call(a, b)
    h.switch.answer(h.conn(b).id)
    secondary = h.switch.consult(h.conn(a).id, c, ConsultPurpose.TRANSFER)
    if answer:
        h.switch.answer(h.conn(c).id)
    h.take()
    return primary, secondary


class TestTransfer:
    def test_transfer_joins_the_others_in_the_held_call(self, h: Harness) -> None:
        primary, secondary = consulted(h)
        b_party = h.party(primary, "1004").id
        c_party = h.party(secondary, "1008").id
        survivor = h.switch.transfer(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        events = h.take()
        assert survivor is primary
        assert steps(events) == [
            ("ConnectionCleared", "1003", "transfer"),
            ("CallLogged", "1003", "outgoing", "answered"),
            ("ConnectionCleared", "1003", "transfer"),
            ("CallLogged", "1003", "outgoing", "answered"),
            ("CallChanged",),
            ("Transferred", "transfer"),
        ]
        assert only(events, Transferred) == [Transferred(primary.id, secondary.id, (c_party,), Cause.TRANSFER)]
        # S disappears into P without a CallCleared of its own.
        assert not only(events, CallCleared)
        assert secondary.id not in h.switch.calls and primary.absorbed == [secondary.id]
        assert h.states(primary) == {"1004": "connected", "1008": "connected"}
        # Party ids survive the move, so every face can follow each person.
        assert {p.id for p in primary.parties.values()} == {b_party, c_party}
        assert h.switch.calls[primary.id].parties[c_party].call is primary
        assert primary.consult_peer is None

    def test_call_data_merges_the_primary_wins(self, h: Harness) -> None:
        primary, secondary = consulted(h)
        h.switch.set_call_data(primary.id, label="primary", account_code="111")
        h.switch.set_call_data(secondary.id, label="secondary", priority=2, associated_data=b"\x00ab")
        h.switch.set_tag(primary.id, "case", "1")
        h.switch.set_tag(secondary.id, "case", "2")
        h.switch.set_tag(secondary.id, "crm", "x", ("all",))
        h.switch.transfer(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        data = primary.data
        assert (data.label, data.account_code, data.priority, data.associated_data) == ("primary", "111", 2, b"\x00ab")
        assert data.tags == {"case": ("1", ()), "crm": ("x", ("all",))}

    def test_transfer_to_a_ringing_party(self, h: Harness) -> None:
        primary, _ = consulted(h, answer=False)
        h.switch.transfer(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        assert h.states(primary) == {"1004": "connected", "1008": "alerting"}
        # C's coverage still runs: unanswered, the call reaches C's voicemail.
        h.advance(15)
        assert h.states(primary) == {"1004": "connected", "8000": "connected"}
        assert h.party(primary, "8000").coverage_of is h.switch.users["1008"]

    def test_transfer_an_external_caller(self, h: Harness) -> None:
        primary = h.switch.incoming_call("0612345678", "1003")
        h.switch.answer(h.conn("1003").id)
        h.switch.consult(h.conn("1003").id, "1008")
        h.switch.answer(h.conn("1008").id)
        h.switch.transfer(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        assert h.states(primary) == {"0612345678": "connected", "1008": "connected"}
        assert primary.origin is not None and primary.origin.number == "0612345678"

    def test_transfer_works_without_a_consult_link(self, h: Harness) -> None:
        first = h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        h.switch.hold(h.conn("1003").id)
        h.switch.make_call("1003", "1008")
        h.switch.answer(h.conn("1008").id)
        h.switch.transfer(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        assert h.states(first) == {"1004": "connected", "1008": "connected"}

    def test_transfer_across_the_users_devices(self, h: Harness) -> None:
        first = h.switch.make_call("1001", "1004")
        h.switch.answer(h.conn("1004").id)
        h.switch.hold(h.conn("1001").id)
        h.switch.make_call("2001", "1008")
        h.switch.answer(h.conn("1008").id)
        h.switch.transfer(h.conn("1001").id, h.conn("2001").id)
        assert h.states(first) == {"1004": "connected", "1008": "connected"}

    def test_transfer_refusals(self, h: Harness) -> None:
        consulted(h, answer=False)
        held, active = h.conn("1003", S.HELD), h.conn("1003", S.CONNECTED)
        h.refused(Refusal.INVALID_STATE, h.switch.transfer, active.id, held.id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.transfer, held.id, 999)
        h.refused(Refusal.INVALID_STATE, h.switch.transfer, held.id, h.conn("1004").id)  # one call
        h.refused(Refusal.NOT_OWNER, h.switch.transfer, held.id, h.conn("1008").id)  # C's leg, not A's
        other = h.switch.make_call("1002", "1001")
        h.switch.answer(h.conn("1001").id)
        h.refused(Refusal.NOT_OWNER, h.switch.transfer, held.id, h.conn("1002", call=other).id)

    def test_the_active_leg_must_be_connected(self, h: Harness) -> None:
        primary = h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        h.switch.off_hook("1003")  # holds P; the new call has nobody else yet
        h.refused(Refusal.INVALID_STATE, h.switch.transfer, h.conn("1003", S.HELD).id,
                  h.conn("1003", S.INITIATED).id)
        h.switch.dial("1003", "0600000486")  # busy: the caller alone, FAILED
        h.refused(Refusal.INVALID_STATE, h.switch.transfer, h.conn("1003", S.HELD).id,
                  h.conn("1003", S.FAILED).id)
        assert h.states(primary) == {"1003": "held", "1004": "connected"}


class TestSingleStepTransfer:
    def test_blind_transfer_keeps_the_call(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        h.take()
        h.switch.single_step_transfer(h.conn("1004").id, "1008")
        assert steps(h.take()) == [
            ("Diverted", "1004", "1008", "single_step"),
            ("Delivered", "1008", "single_step"),
            ("ConnectionCleared", "1004", "single_step"),
            ("CallLogged", "1004", "incoming", "answered"),
        ]
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}
        assert h.party(call, "1008").role is Role.CALLED

    def test_blind_transfer_by_the_caller(self, h: Harness) -> None:
        call = h.switch.incoming_call("0612345678", "1003")
        h.switch.answer(h.conn("1003").id)
        h.switch.single_step_transfer(h.conn("1003").id, "3000")
        assert h.states(call) == {"0612345678": "connected", "3000": "queued", "1005": "alerting",
                                  "1006": "alerting", "1007": "alerting"}

    def test_blind_transfer_of_a_ringing_call(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.switch.single_step_transfer(h.conn("1004").id, "1008")
        assert h.states(call) == {"1003": "connected", "1008": "alerting"}

    def test_destination_resolved_first(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        conn = h.conn("1004")
        h.refused(Refusal.BAD_DESTINATION, h.switch.single_step_transfer, conn.id, "1999")
        h.refused(Refusal.BAD_DESTINATION, h.switch.single_step_transfer, conn.id, "#x")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.single_step_transfer, conn.id, "0600000486")
        h.switch.set_dnd("1008", True)
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.single_step_transfer, conn.id, "1008")

    def test_state_refusals(self, h: Harness) -> None:
        h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        h.switch.hold(h.conn("1003").id)
        h.refused(Refusal.INVALID_STATE, h.switch.single_step_transfer, h.conn("1003").id, "1008")
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.single_step_transfer, 999, "1008")

    def test_ringing_group_call_transferred_on_leaves_the_group(self, h: Harness) -> None:
        """Regression: the group party stayed QUEUED and the other members
        kept ringing after a member passed the ringing call on."""
        call = h.switch.make_call("1001", "3000")
        h.switch.single_step_transfer(h.conn("1005").id, "1008")
        assert h.states(call) == {"1001": "connected", "1008": "alerting"}
        assert not h.switch._waiting["3000"]


class TestConference:
    def test_conference_of_three(self, h: Harness) -> None:
        primary, secondary = consulted(h)
        c_party = h.party(secondary, "1008").id
        survivor = h.switch.conference(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        events = h.take()
        assert survivor is primary
        assert steps(events) == [
            ("Retrieved", "1003", "conference"),
            ("ConnectionCleared", "1003", "conference"),
            ("CallLogged", "1003", "outgoing", "answered"),
            ("CallChanged",),
            ("Conferenced", "conference"),
        ]
        assert only(events, Conferenced) == [Conferenced(primary.id, secondary.id, (c_party,), Cause.CONFERENCE)]
        assert h.states(primary) == {"1003": "connected", "1004": "connected", "1008": "connected"}
        assert secondary.id not in h.switch.calls

    def test_drop_party(self, h: Harness) -> None:
        primary, _ = consulted(h)
        h.switch.conference(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        h.take()
        h.switch.drop_party(h.conn("1003").id, h.party(primary, "1008").id)
        assert steps(h.take()) == [
            ("ConnectionCleared", "1008", "participant_left"),
            ("CallLogged", "1008", "incoming", "answered"),
        ]
        assert h.states(primary) == {"1003": "connected", "1004": "connected"}
        # Dropping the last other party ends the call.
        h.switch.drop_party(h.conn("1003").id, h.party(primary, "1004").id)
        assert steps(h.take())[-1] == ("CallCleared", "normal")
        assert primary.id not in h.switch.calls

    def test_drop_party_refusals(self, h: Harness) -> None:
        primary, _ = consulted(h)
        h.switch.conference(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        me = h.conn("1003")
        h.refused(Refusal.INVALID_STATE, h.switch.drop_party, me.id, me.party.id)
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.drop_party, me.id, 999)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.drop_party, 999, h.party(primary, "1004").id)
        h.switch.hold(me.id)
        h.refused(Refusal.INVALID_STATE, h.switch.drop_party, me.id, h.party(primary, "1004").id)

    def test_conference_capacity(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        for number in ("1005", "1006", "1007"):
            h.switch.add_party(h.conn("1003").id, number)
            h.switch.answer(h.conn(number).id)
        assert len(call.parties) == 5
        h.switch.consult(h.conn("1003").id, "1008")
        h.switch.add_party(h.conn("1003", S.CONNECTED).id, "1002")
        h.switch.answer(h.conn("1008").id)
        # 5 + 3 - 1 = 7 parties would exceed the maximum of 6.
        assert MAX_CONFERENCE == 6
        h.refused(Refusal.CAPACITY, h.switch.conference, h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)

    def test_conference_across_a_users_devices_keeps_one_call_per_phone(self, h: Harness) -> None:
        """Regression (found by test_properties): conferencing a held desk
        call with a softphone call retrieved the desk call while the desk
        phone talked on a third call."""
        first = h.switch.make_call("2002", "1001")
        h.switch.answer(h.conn("1001").id)
        h.switch.make_call("1002", "1004")  # 1002 talks here...
        h.switch.answer(h.conn("1004").id)
        third = h.switch.make_call("1002", "1008")  # ...then here, holding the other
        h.switch.answer(h.conn("1008").id)
        held = h.conn("1002", S.HELD)
        survivor = h.switch.conference(held.id, h.conn("2002").id)
        assert held.state is S.CONNECTED and held.call is survivor
        assert h.states(third)["1002"] == "held"
        assert first.id not in h.switch.calls

    def test_conference_refusals(self, h: Harness) -> None:
        consulted(h, answer=False)
        held, active = h.conn("1003", S.HELD), h.conn("1003", S.CONNECTED)
        h.refused(Refusal.INVALID_STATE, h.switch.conference, active.id, held.id)
        h.refused(Refusal.NOT_OWNER, h.switch.conference, held.id, h.conn("1008").id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.conference, 999, active.id)


class TestAddParty:
    def test_add_party_rings_the_new_party_in_the_same_call(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.switch.answer(h.conn("1004").id)
        h.take()
        party = h.switch.add_party(h.conn("1003").id, "1008")
        assert steps(h.take()) == [("Delivered", "1008", "conference")]
        assert party.role is Role.ADDED and party.call is call
        h.switch.answer(h.conn("1008").id)
        assert steps(h.take()) == [("Established", "1008", "new_call")]
        assert h.states(call) == {"1003": "connected", "1004": "connected", "1008": "connected"}

    def test_add_an_external_party(self, hs: Harness) -> None:
        call = hs.switch.make_call("1003", "1004")
        hs.switch.answer(hs.conn("1004").id)
        hs.switch.add_party(hs.conn("1003").id, "0612345678")
        hs.advance(2)
        assert hs.states(call) == {"1003": "connected", "1004": "connected", "0612345678": "connected"}

    def test_add_party_refusals(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.refused(Refusal.INVALID_STATE, h.switch.add_party, h.conn("1004").id, "1008")
        h.switch.answer(h.conn("1004").id)
        me = h.conn("1003")
        h.refused(Refusal.BAD_DESTINATION, h.switch.add_party, me.id, "1999")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.add_party, me.id, "0600000486")
        h.switch.users["1003"].external_calls = False
        h.refused(Refusal.NOT_OWNER, h.switch.add_party, me.id, "0612345678")
        for number in ("1008", "1005", "1006", "1007"):
            h.switch.add_party(me.id, number)
        assert len(call.parties) == MAX_CONFERENCE
        h.refused(Refusal.CAPACITY, h.switch.add_party, me.id, "1002")


class TestCallLogAfterJoining:
    def test_the_transferrer_logs_both_calls(self, h: Harness) -> None:
        primary, secondary = consulted(h)
        h.switch.transfer(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        logs = only(h.take(), CallLogged)
        assert [(e.login, e.call, e.reason) for e in logs] == [
            ("1003", primary.id, Cause.TRANSFER), ("1003", secondary.id, Cause.TRANSFER)]
        h.switch.clear_call(primary.id)
        logs = only(h.take(), CallLogged)
        assert [(e.login, e.call, e.direction, e.answered) for e in logs] == [
            ("1004", primary.id, "incoming", True), ("1008", primary.id, "incoming", True)]
        # C's record of the surviving call knows everyone it ever held.
        numbers = {number for number, _, _ in logs[1].parties}
        assert numbers == {"1003", "1004"}

    @pytest.mark.parametrize("answer", [True, False])
    def test_party_ids_are_never_reused(self, h: Harness, answer: bool) -> None:
        consulted(h, answer=answer)
        ids = [p.id for c in h.switch.calls.values() for p in c.parties.values()]
        assert len(ids) == len(set(ids))
