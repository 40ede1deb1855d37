"""Pushing a call to the user's mobile twin (MTCTI-3 PushToEC500,
call-model §2.3 #26): the mobile rings as another connection of the same
party while the user keeps talking, the move completes when the mobile
answers, and an unanswered push leaves the call where it was."""
from __future__ import annotations

from engine_support import Harness, kinds

from ctiswitch.engine.directory import Device
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import ConnectionCleared, Delivered, Established
from ctiswitch.engine.states import MAX_CALLS, Cause, ConnectionState, DeviceType

S = ConnectionState
MOBILE = "0699000004"


def give_mobile(h: Harness, login: str = "1004", number: str = MOBILE) -> Device:
    """Configure a mobile twin for `login` (the demo company has none)."""
    user = h.switch.users[login]
    device = Device(number, DeviceType.MOBILE, MAX_CALLS[DeviceType.MOBILE], user=user)
    user.devices.append(device)
    h.switch.devices[number] = device
    return device


def talking(h: Harness) -> int:
    """1003 calls 1004, who answers on the desk phone; the call's id."""
    call = h.switch.make_call("1003", "1004")
    h.switch.answer(h.conn("1004", S.ALERTING).id)
    h.take()
    return call.id


class TestPush:
    def test_completes_when_the_mobile_answers(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = talking(h)
        party = h.conn("1004").party
        ringing = h.switch.push_to_twin(h.conn("1004").id)
        assert ringing.party is party and ringing.dn == MOBILE
        assert h.states(call) == {"1003": "connected", "1004": "connected", MOBILE: "alerting"}
        assert kinds(h.take()) == ["Delivered"]
        h.switch.answer(ringing.id)
        assert h.states(call) == {"1003": "connected", MOBILE: "connected"}
        events = h.take()
        assert kinds(events) == ["Established", "ConnectionCleared"]
        assert isinstance(events[1], ConnectionCleared) and events[1].cause is Cause.ANSWERED_ELSEWHERE
        assert h.conn(MOBILE).party is party
        h.switch.clear_call(call)

    def test_no_answer_leaves_the_call_where_it_was(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = talking(h)
        h.switch.push_to_twin(h.conn("1004").id)
        h.take()
        h.advance(h.switch.users["1004"].no_answer_seconds)
        assert h.states(call) == {"1003": "connected", "1004": "connected"}
        (cleared,) = h.take()
        assert isinstance(cleared, ConnectionCleared) and cleared.cause is Cause.NO_ANSWER
        h.switch.clear_call(call)

    def test_the_mobile_declining_changes_nothing_else(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = talking(h)
        ringing = h.switch.push_to_twin(h.conn("1004").id)
        h.switch.clear_connection(ringing.id)
        assert h.states(call) == {"1003": "connected", "1004": "connected"}
        h.advance(60)
        assert h.states(call) == {"1003": "connected", "1004": "connected"}
        h.switch.clear_call(call)

    def test_the_user_hanging_up_meanwhile_leaves_the_mobile_ringing(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = talking(h)
        h.switch.push_to_twin(h.conn("1004").id)
        h.switch.clear_connection(h.conn("1004").id)
        assert h.states(call) == {"1003": "connected", MOBILE: "alerting"}
        h.advance(h.switch.users["1004"].no_answer_seconds)
        assert call not in h.switch.calls

    def test_an_outgoing_call_can_be_pushed(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = h.switch.make_call("1004", "1003")
        h.switch.answer(h.conn("1003").id)
        ringing = h.switch.push_to_twin(h.conn("1004").id)
        h.take()
        h.switch.answer(ringing.id)
        assert h.states(call.id) == {MOBILE: "connected", "1003": "connected"}
        assert [type(e) for e in h.take()] == [Established, ConnectionCleared]
        h.switch.clear_call(call.id)


class TestRefusals:
    def test_needs_a_twin_with_twinning_on(self, h: Harness) -> None:
        call = talking(h)
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.push_to_twin, h.conn("1004").id)
        give_mobile(h)
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.push_to_twin, h.conn("1004").id)
        h.switch.clear_call(call)

    def test_needs_a_connected_call_not_already_pushed(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = h.switch.make_call("1003", "1004")
        h.refused(Refusal.INVALID_STATE, h.switch.push_to_twin, h.conn("1004").id)
        h.switch.answer(h.conn("1004", S.ALERTING).id)
        h.switch.push_to_twin(h.conn("1004").id)
        h.refused(Refusal.ALREADY_DONE, h.switch.push_to_twin, h.conn("1004").id)
        h.switch.answer(h.conn(MOBILE).id)
        h.refused(Refusal.ALREADY_DONE, h.switch.push_to_twin, h.conn(MOBILE).id)
        h.switch.clear_call(call.id)

    def test_a_busy_or_broken_mobile_cannot_take_it(self, h: Harness) -> None:
        mobile = give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = talking(h)
        h.switch.set_in_service(MOBILE, False)
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.push_to_twin, h.conn("1004").id)
        h.switch.set_in_service(MOBILE, True)
        h.switch.set_behaviour(mobile.number, "busy")
        h.refused(Refusal.TARGET_UNREACHABLE, h.switch.push_to_twin, h.conn("1004").id)
        h.switch.clear_call(call)

    def test_a_held_call_is_not_pushed(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = talking(h)
        h.switch.hold(h.conn("1004").id)
        h.refused(Refusal.INVALID_STATE, h.switch.push_to_twin, h.conn("1004").id)
        h.switch.clear_call(call)


def test_delivered_names_the_mobile(h: Harness) -> None:
    give_mobile(h)
    h.switch.set_twinning("1004", True)
    call = talking(h)
    ringing = h.switch.push_to_twin(h.conn("1004").id)
    (delivered,) = h.take()
    assert isinstance(delivered, Delivered) and delivered.conn == ringing.id and delivered.dn == MOBILE
    h.switch.clear_call(call)
