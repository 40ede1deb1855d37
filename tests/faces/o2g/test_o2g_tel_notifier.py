"""The telephony projection and notifier in virtual time, without a server:
each scenario drives the engine and checks the O2G events every user gets
(call-model §4.1, §4.6; o2g.md §2.4)."""
from __future__ import annotations

from typing import Any

import pytest

from ctiswitch.config import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.states import ForwardKind
from ctiswitch.engine.switch import Switch
from ctiswitch.faces.o2g.telephony.events import TelephonyNotifier, diff_calls
from ctiswitch.faces.o2g.telephony.views import call_view, telephonic_state, user_calls

DEMO = load_demo()


class Harness:
    def __init__(self) -> None:
        self.clock = VirtualClock()
        self.switch: Switch = build_switch(DEMO, self.clock)
        self.events: list[dict[str, Any]] = []
        self.notifier = TelephonyNotifier(self.switch, lambda event, login: self.events.append(event))
        self.switch.subscribe(self.notifier.on_batch)

    def take(self, login: str | None = None, *, calls_only: bool = True) -> list[dict[str, Any]]:
        names = ("OnCallCreated", "OnCallModified", "OnCallRemoved")
        taken = [e for e in self.events if (login is None or e["loginName"] == login)
                 and (not calls_only or e["eventName"] in names)]
        self.events.clear()
        return taken

    def conn(self, number: str, call: int | None = None) -> int:
        return self.switch.connection_at(number, call).id

    def answer(self, number: str) -> None:
        self.switch.answer(self.conn(number))

    def view(self, login: str, ref: int) -> dict[str, Any]:
        return call_view(self.switch, self.switch.users[login], self.switch.calls[ref])


def brief(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["eventName"], e["loginName"], e["callRef"], e.get("cause")) for e in events]


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_basic_call_created_answered_cleared(h: Harness) -> None:
    call = h.switch.make_call("1001", "1002")
    events = h.take()
    assert brief(events) == [("OnCallCreated", "1001", "1", None), ("OnCallCreated", "1002", "1", None)]
    caller, callee = events
    assert caller["legs"][0] | {"capabilities": None} == {"deviceId": "1001", "state": "RINGING_OUTGOING",
                                                          "ringingRemote": True, "capabilities": None}
    assert caller["initiator"] == callee["initiator"] == str(call.origin.id)
    assert [leg["deviceId"] for leg in callee["legs"]] == ["1002", "2002"]
    assert callee["callData"]["capabilities"]["redirect"] is True
    assert [p["identity"]["id"]["loginName"] for p in callee["participants"]] == ["1001"]
    h.answer("1002")
    caller, callee = h.take()
    assert [(l["deviceId"], l["state"]) for l in caller["modifiedLegs"]] == [("1001", "ACTIVE")]
    assert [l["deviceId"] for l in callee["removedLegs"]] == ["2002"] == [l["deviceId"] for l in callee["removedLeg"]]
    assert callee["callData"]["state"] == "ACTIVE"
    h.switch.clear_connection(h.conn("1002"))
    assert brief(h.take()) == [("OnCallRemoved", "1001", "1", "CLEARED"), ("OnCallRemoved", "1002", "1", "CLEARED")]


def test_user_state_follows_connections(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    states = [(e["loginName"], e["state"]) for e in h.events if e["eventName"] == "OnUserStateModified"]
    assert states == [("1001", "BUSY")]  # ringing alone leaves 1002 FREE
    h.events.clear()
    h.answer("1002")
    assert [(e["loginName"], e["state"]) for e in h.events if e["eventName"] == "OnUserStateModified"] \
        == [("1002", "BUSY")]


def test_hold_and_retrieve_change_only_legs_and_capabilities(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    h.answer("1002")
    h.take()
    h.switch.hold(h.conn("1001"))
    events = h.take()
    assert brief(events) == [("OnCallModified", "1001", "1", None)]  # held by the far end is still ACTIVE
    alice = events[0]
    assert alice["modifiedLegs"][0]["state"] == "HELD"
    assert alice["modifiedLegs"][0]["capabilities"]["retrieve"] is True
    h.switch.retrieve(h.conn("1001"))
    alice, *_ = h.take("1001")
    assert alice["modifiedLegs"][0]["state"] == "ACTIVE"


def test_consultation_then_transfer_follows_the_worked_example(h: Harness) -> None:
    """call-model §4.6: A consults C, then transfers B; call 1 survives."""
    h.switch.make_call("1001", "1002")
    h.answer("1002")
    h.take()
    h.switch.consult(h.conn("1001", 1), "1003")
    assert brief(h.take()) == [("OnCallModified", "1001", "1", None), ("OnCallCreated", "1001", "2", None),
                               ("OnCallCreated", "1003", "2", None)]
    h.answer("1003")
    alice = h.take("1001")[0]
    assert alice["callData"]["capabilities"]["transfer"] is True
    assert alice["callData"]["capabilities"]["merge"] is True
    h.switch.transfer(h.conn("1001", 1), h.conn("1001", 2))
    events = h.take()
    assert brief(events) == [
        ("OnCallRemoved", "1001", "2", "TRANSFERRED"), ("OnCallRemoved", "1001", "1", "TRANSFERRED"),
        ("OnCallModified", "1002", "1", "TRANSFERRED"), ("OnCallModified", "1003", "1", "TRANSFERRED"),
    ]
    bruno, chloe = events[2], events[3]
    assert [p["identity"]["id"]["loginName"] for p in bruno["addedParticipants"]] == ["1003"]
    assert chloe["previousCallRef"] == "2"
    assert [p["identity"]["id"]["loginName"] for p in chloe["addedParticipants"]] == ["1002"]
    assert bruno["removedParticipantIds"] == ["1"]  # Alice's party in call 1
    assert chloe["removedParticipantIds"] == ["3"]  # Alice's party in call 2


def test_conference_controller_gets_replaced_by_then_drop(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    h.answer("1002")
    h.switch.consult(h.conn("1001", 1), "1003")
    h.answer("1003")
    h.take()
    h.switch.conference(h.conn("1001", 1), h.conn("1001", 2))
    events = h.take()
    assert brief(events)[:2] == [("OnCallModified", "1001", "2", "CONFERENCED"),
                                 ("OnCallModified", "1001", "1", "CONFERENCED")]
    assert events[0]["replacedByCallRef"] == "1"
    chloe = next(e for e in events if e["loginName"] == "1003")
    assert chloe["previousCallRef"] == "2" and chloe["callRef"] == "1"
    view = h.view("1001", 1)
    assert len(view["participants"]) == 2 and all(p["state"] == "ACTIVE" for p in view["participants"])
    assert view["callData"]["capabilities"]["dropParticipant"] is True
    bruno = next(p for p in view["participants"] if p["identity"]["id"]["loginName"] == "1002")
    h.switch.drop_party(h.conn("1001", 1), int(bruno["participantId"]))
    events = h.take()
    assert brief(events) == [("OnCallModified", "1001", "1", "PARTICIPANT_LEFT"),
                             ("OnCallRemoved", "1002", "1", "PARTICIPANT_LEFT"),
                             ("OnCallModified", "1003", "1", "PARTICIPANT_LEFT")]
    assert events[0]["removedParticipantIds"] == [bruno["participantId"]]


def test_blind_transfer_keeps_the_call(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    h.answer("1002")
    h.take()
    h.switch.single_step_transfer(h.conn("1002"), "1003")
    events = h.take()
    removed = next(e for e in events if e["loginName"] == "1002")
    assert (removed["eventName"], removed["cause"], removed["newDestination"]) == ("OnCallRemoved", "TRANSFERRED", "1003")
    created = next(e for e in events if e["loginName"] == "1003")
    assert created["eventName"] == "OnCallCreated" and created["callRef"] == "1"


def test_redirect_reports_new_destination(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    h.take()
    h.switch.deflect(h.conn("1002"), "1004")
    events = h.take()
    assert brief(events) == [("OnCallModified", "1001", "1", "REDIRECTED"),
                             ("OnCallRemoved", "1002", "1", "REDIRECTED"),
                             ("OnCallCreated", "1004", "1", "REDIRECTED")]
    assert events[1]["newDestination"] == "1004"


def test_pickup_removes_the_call_from_the_ringing_user(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    h.take()
    h.switch.pickup("1003", "1002")
    events = h.take()
    assert brief(events) == [("OnCallModified", "1001", "1", "PICKED_UP"),
                             ("OnCallRemoved", "1002", "1", "PICKED_UP"),
                             ("OnCallCreated", "1003", "1", "PICKED_UP")]
    assert events[2]["legs"][0]["state"] == "ACTIVE"


def test_park_and_unpark_with_device_capability(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    h.answer("1002")
    h.take()
    h.switch.park(h.conn("1001"))
    events = h.take()
    assert brief(events) == [("OnCallRemoved", "1001", "1", "UNKNOWN"), ("OnCallModified", "1002", "1", "UNKNOWN")]
    caps = {c["deviceId"]: c["unParkCall"] for c in events[0]["deviceCapabilities"]}
    assert caps == {"1001": True, "2001": False}
    h.switch.unpark("1001", "1001")
    events = h.take()
    assert brief(events) == [("OnCallCreated", "1001", "1", "PICKED_UP"), ("OnCallModified", "1002", "1", "PICKED_UP")]


def test_forward_on_no_answer_after_the_timer(h: Harness) -> None:
    h.switch.set_forward("1002", ForwardKind.NO_ANSWER, "1003")
    h.switch.make_call("1001", "1002")
    h.take()
    h.clock.advance(15)
    events = h.take()
    assert brief(events) == [("OnCallModified", "1001", "1", "FORWARDED"),
                             ("OnCallRemoved", "1002", "1", "FORWARDED"),
                             ("OnCallCreated", "1003", "1", "FORWARDED")]
    assert events[1]["newDestination"] == "1003"


def test_hunt_group_members_see_distribution(h: Harness) -> None:
    h.switch.make_call("1001", "3000")
    events = h.take()
    assert [e["loginName"] for e in events if e["eventName"] == "OnCallCreated"] == ["1001", "1005", "1006", "1007"]
    assert events[1]["cause"] == "DISTRIBUTED"
    h.answer("1006")
    events = h.take()
    removed = {e["loginName"]: e["cause"] for e in events if e["eventName"] == "OnCallRemoved"}
    assert removed == {"1005": "DISTRIBUTED", "1007": "DISTRIBUTED"}


def test_diff_reports_only_what_changed() -> None:
    leg = {"deviceId": "1001", "state": "ACTIVE"}
    old = {"callData": {"state": "ACTIVE"}, "legs": [leg], "participants": [{"participantId": "2"}]}
    new = {"callData": {"state": "ACTIVE"}, "legs": [leg], "participants": [{"participantId": "3"}]}
    assert diff_calls(old, new) == {"addedParticipants": [{"participantId": "3"}],
                                    "removedParticipantIds": ["2"], "removedParticipants": ["2"]}
    assert diff_calls(old, old) == {}


def test_associated_data_under_both_names_and_hex(h: Harness) -> None:
    call = h.switch.make_call("1001", "1002")
    h.switch.set_call_data(call.id, associated_data=b"order-42")
    data = h.view("1001", call.id)["callData"]
    assert (data["associateData"], data["associatedData"], data["hexaBinaryAssociatedData"]) \
        == ("order-42", "order-42", b"order-42".hex())


def test_snapshot_state_lists_calls_and_device_states(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    state = telephonic_state(h.switch, h.switch.users["1001"], wrapped=False)
    assert [c["callRef"] for c in state["calls"]] == ["1"]
    assert state["deviceStates"] == [{"deviceId": "1001", "state": "IN_SERVICE"},
                                     {"deviceId": "2001", "state": "IN_SERVICE"}]
    assert "initiator" not in state["calls"][0]
    assert user_calls(h.switch, h.switch.users["1003"]) == []


def test_device_service_changes_are_announced(h: Harness) -> None:
    h.switch.set_in_service("2001", False)
    assert h.take(calls_only=False) == [{"eventName": "OnDeviceStateModified", "loginName": "1001",
                                         "deviceStates": [{"deviceId": "2001", "state": "OUT_OF_SERVICE"}]}]
    h.switch.make_call("1002", "1001")
    created = h.take("1001")[0]
    assert [leg["deviceId"] for leg in created["legs"]] == ["1001"]
    assert {c["deviceId"]: c["makeCall"] for c in created["deviceCapabilities"]} == {"1001": True, "2001": False}


def test_queue_calls_carry_acd_data_and_hunt_group_calls_do_not(h: Harness) -> None:
    h.switch.make_call("1001", "3100")
    agent = next(e for e in h.take() if e["loginName"] != "1001")
    assert agent["callData"]["acdCallData"] == {"pilotNumber": "3100"}
    h.switch.clear_connection(h.conn("1001"))
    h.switch.make_call("1002", "3000")
    member = next(e for e in h.take() if e["loginName"] == "1005" and e["eventName"] == "OnCallCreated")
    assert "acdCallData" not in member["callData"]


def test_hunting_group_log_off_is_a_dynamic_state_change(h: Harness) -> None:
    h.switch.set_logged_on("3000", "1005", False)
    assert h.take(calls_only=False) == [{"eventName": "OnDynamicStateChanged", "loginName": "1005",
                                         "huntingGroupState": {"logon": False}}]
    h.switch.set_logged_on("3100", "1005", False)
    assert h.take(calls_only=False) == []  # a queue is not a hunting group


def test_switch_device_is_a_leg_change_and_keeps_hold(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    h.answer("1002")
    h.switch.hold(h.conn("1001"))
    h.take()
    h.switch.switch_device(h.conn("1001"), "2001")
    events = h.take()
    assert brief(events) == [("OnCallModified", "1001", "1", None)]
    assert [(leg["deviceId"], leg["state"]) for leg in events[0]["addedLegs"]] == [("2001", "HELD")]
    assert [leg["deviceId"] for leg in events[0]["removedLegs"]] == ["1001"]
    assert h.switch.calls[1].origin.answered_at is not None


def test_capabilities_follow_the_call_model_table(h: Harness) -> None:
    h.switch.make_call("1001", "1002")
    caller = h.view("1001", 1)["callData"]["capabilities"]
    callee = h.view("1002", 1)
    assert (caller["overflowToVoiceMail"], caller["callBack"], caller["terminate"], caller["redirect"]) \
        == (True, True, True, False)
    assert callee["legs"][0]["capabilities"]["answer"] is True
    caps = callee["callData"]["capabilities"]
    assert (caps["reject"], caps["redirectToVoiceMail"], caps["terminate"], caps["park"]) == (True, True, False, False)
    h.answer("1002")
    h.switch.consult(h.conn("1001", 1), "1003")
    held = h.view("1001", 1)["legs"][0]["capabilities"]
    assert (held["retrieve"], held["reconnect"], held["hold"]) == (True, True, False)
    active = h.view("1001", 2)["callData"]["capabilities"]
    assert (active["transfer"], active["merge"], active["park"]) == (True, True, False)
