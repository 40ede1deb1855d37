"""Telephony event sequences on the chunked channel over HTTPS: who gets
which event, in which order, with which cause (o2g.md §2.4, call-model
§4.1/§4.6), and session-scoped filtering."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from o2g_client import EventChannel, O2GClient
from o2g_tel_support import (
    advance,
    call_events,
    hang_up_everything,
    listening,
    ok,
    phone,
    summary,
)
from server_process import RunningServer

ALL_USERS = [{"ids": ["*"], "names": ["telephony"]}]


@pytest.fixture(autouse=True)
def clean(switch_server: RunningServer) -> Iterator[None]:
    yield
    hang_up_everything(switch_server)


@pytest.fixture
def admin_events(switch_server: RunningServer) -> Iterator[EventChannel]:
    with listening(switch_server, "admin", "admin", ALL_USERS) as (_, channel):
        yield channel


def brief(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["eventName"], e["loginName"], e.get("cause")) for e in events]


def test_basic_call_sequence(switch_server: RunningServer, admin_events: EventChannel) -> None:
    phone(switch_server, "1001", "dial", "1002")
    created = call_events(admin_events, 2)
    assert [summary(e)[0] for e in created] == ["OnCallCreated", "OnCallCreated"]
    assert [(e["loginName"], e["callData"]["state"]) for e in created] == [("1001", "RINGING_OUTGOING"),
                                                                             ("1002", "RINGING_INCOMING")]
    ref = created[0]["callRef"]
    phone(switch_server, "1002", "answer")
    modified = call_events(admin_events, 2)
    assert [(e["eventName"], e["callData"]["state"]) for e in modified] == [("OnCallModified", "ACTIVE")] * 2
    phone(switch_server, "1001", "hold")
    held = call_events(admin_events, 1)[0]
    assert (held["loginName"], held["modifiedLegs"][0]["state"]) == ("1001", "HELD")
    phone(switch_server, "1001", "retrieve")
    assert call_events(admin_events, 1)[0]["modifiedLegs"][0]["state"] == "ACTIVE"
    phone(switch_server, "1002", "hangup")
    removed = call_events(admin_events, 2)
    assert [(e["eventName"], e["callRef"], e["cause"]) for e in removed] == [("OnCallRemoved", ref, "CLEARED")] * 2


def test_user_session_sees_only_its_own_events(switch_server: RunningServer) -> None:
    with listening(switch_server, "1003") as (_, events):
        phone(switch_server, "1001", "dial", "1002")
        phone(switch_server, "1004", "dial", "1003")
        first = events.wait_for("OnCallCreated")
        assert (first["loginName"], first["legs"][0]["deviceId"]) == ("1003", "1003")
        hang_up_everything(switch_server)
        removed = events.wait_for("OnCallRemoved")
        assert removed["loginName"] == "1003"
        assert all(e["loginName"] == "1003" for e in events.drain())


def test_consultation_and_transfer_rename_the_call(switch_server: RunningServer,
                                                   admin_events: EventChannel) -> None:
    phone(switch_server, "1001", "dial", "1002")
    phone(switch_server, "1002", "answer")
    call_events(admin_events, 4)
    with O2GClient(switch_server, "1001", "1234") as alice:
        consult = str(ok(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "1003",
                                                              "autoAnswer": True}), 201))
        events = call_events(admin_events, 3)
        assert [(e["eventName"], e["loginName"], e["callRef"]) for e in events][1:] == [
            ("OnCallCreated", "1001", consult), ("OnCallCreated", "1003", consult)]
        first = events[0]["callRef"]
        phone(switch_server, "1003", "answer")
        call_events(admin_events, 2)
        ok(alice.post(f"/telephony/calls/{consult}/transfer", json={"heldCallRef": first}))
    events = call_events(admin_events, 4)
    assert [(e["eventName"], e["loginName"], e["callRef"], e["cause"]) for e in events] == [
        ("OnCallRemoved", "1001", consult, "TRANSFERRED"), ("OnCallRemoved", "1001", first, "TRANSFERRED"),
        ("OnCallModified", "1002", first, "TRANSFERRED"), ("OnCallModified", "1003", first, "TRANSFERRED")]
    assert events[3]["previousCallRef"] == consult
    assert "previousCallRef" not in events[2]


def test_conference_of_three_then_drop(switch_server: RunningServer, admin_events: EventChannel) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        first = str(ok(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "1002",
                                                            "autoAnswer": True}), 201))
        phone(switch_server, "1002", "answer")
        second = str(ok(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "1003",
                                                             "autoAnswer": True}), 201))
        phone(switch_server, "1003", "answer")
        ok(alice.post(f"/telephony/calls/{second}/merge", json={"heldCallRef": first}))
        events = [admin_events.wait_for(lambda e: e.get("cause") == "CONFERENCED") for _ in range(4)]
        assert [(e["loginName"], e["callRef"], e.get("replacedByCallRef"), e.get("previousCallRef"))
                for e in events] == [("1001", second, first, None), ("1001", first, None, None),
                                     ("1002", first, None, None), ("1003", first, None, second)]
        chloe = next(p for p in events[1]["addedParticipants"] if p["identity"]["id"]["loginName"] == "1003")
        ok(alice.delete(f"/telephony/calls/{first}/participants/{chloe['participantId']}"))
    events = call_events(admin_events, 3)
    assert brief(events) == [("OnCallModified", "1001", "PARTICIPANT_LEFT"), ("OnCallModified", "1002", "PARTICIPANT_LEFT"),
                             ("OnCallRemoved", "1003", "PARTICIPANT_LEFT")]


def test_blind_transfer_redirect_pickup(switch_server: RunningServer, admin_events: EventChannel) -> None:
    with O2GClient(switch_server, "1002", "1234") as bruno:
        phone(switch_server, "1001", "dial", "1002")
        ref = call_events(admin_events, 2)[0]["callRef"]
        ok(bruno.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "1003"}))
        events = call_events(admin_events, 3)
        assert brief(events) == [("OnCallModified", "1001", "REDIRECTED"), ("OnCallRemoved", "1002", "REDIRECTED"),
                                 ("OnCallCreated", "1003", "REDIRECTED")]
        assert events[1]["newDestination"] == "1003"
        with O2GClient(switch_server, "1004", "1234") as david:
            ok(david.post("/telephony/devices/1004/pickup", json={"otherPhoneNumber": "1003", "autoAnswer": True}))
        events = call_events(admin_events, 3)
        assert brief(events) == [("OnCallModified", "1001", "PICKED_UP"), ("OnCallRemoved", "1003", "PICKED_UP"),
                                 ("OnCallCreated", "1004", "PICKED_UP")]
        with O2GClient(switch_server, "1004", "1234") as david:
            ok(david.post(f"/telephony/calls/{ref}/blindtransfer", json={"transferTo": "1002"}))
        events = call_events(admin_events, 3)
        assert brief(events) == [("OnCallModified", "1001", "TRANSFERRED"), ("OnCallCreated", "1002", "TRANSFERRED"),
                                 ("OnCallRemoved", "1004", "TRANSFERRED")]


def test_park_and_unpark(switch_server: RunningServer, admin_events: EventChannel) -> None:
    phone(switch_server, "1001", "dial", "1002")
    phone(switch_server, "1002", "answer")
    ref = call_events(admin_events, 4)[0]["callRef"]
    with O2GClient(switch_server, "1002", "1234") as bruno:
        ok(bruno.post(f"/telephony/calls/{ref}/park", json={"parkTo": "1005"}))
        events = call_events(admin_events, 2)
        assert brief(events) == [("OnCallModified", "1001", "UNKNOWN"), ("OnCallRemoved", "1002", "UNKNOWN")]
    with O2GClient(switch_server, "1005", "1234") as emma:
        ok(emma.post("/telephony/devices/1005/unpark", json={"unParkFrom": "1005"}))
    events = call_events(admin_events, 2)
    assert brief(events) == [("OnCallModified", "1001", "PICKED_UP"), ("OnCallCreated", "1005", "PICKED_UP")]
    assert events[1]["legs"][0]["state"] == "ACTIVE"


def test_forward_on_no_answer_advancing_the_clock(switch_server: RunningServer, admin_events: EventChannel) -> None:
    with O2GClient(switch_server, "1002", "1234") as bruno:
        ok(bruno.post("/routing/forwardroute", json={"forwardRoute": {
            "forwardType": "NO_ANSWER", "destinations": [{"type": "NUMBER", "number": "1003"}]}}))
        try:
            phone(switch_server, "1001", "dial", "1002")
            call_events(admin_events, 2)
            advance(switch_server, 15)
            events = call_events(admin_events, 3)
            assert brief(events) == [("OnCallModified", "1001", "FORWARDED"), ("OnCallRemoved", "1002", "FORWARDED"),
                                     ("OnCallCreated", "1003", "FORWARDED")]
            assert events[1]["newDestination"] == "1003"
        finally:
            ok(bruno.delete("/routing/forwardroute"))


def test_hunt_group_distribution(switch_server: RunningServer, admin_events: EventChannel) -> None:
    phone(switch_server, "1001", "dial", "3000")
    created = call_events(admin_events, 4)
    assert [(e["loginName"], e.get("cause")) for e in created] == [
        ("1001", None), ("1005", "DISTRIBUTED"), ("1006", "DISTRIBUTED"), ("1007", "DISTRIBUTED")]
    assert created[0]["legs"][0]["ringingRemote"] is True
    phone(switch_server, "1006", "answer")
    events = call_events(admin_events, 4)
    assert {(e["eventName"], e["loginName"], e.get("cause")) for e in events} == {
        ("OnCallModified", "1001", None), ("OnCallRemoved", "1005", "DISTRIBUTED"),
        ("OnCallModified", "1006", None), ("OnCallRemoved", "1007", "DISTRIBUTED")}


def _normalised(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with the call-dependent identifiers taken out."""
    out = []
    for event in events:
        event = {k: v for k, v in event.items() if k not in ("callRef", "initiator")}
        if "callData" in event:
            event["callData"] = {k: v for k, v in event["callData"].items() if k != "callUUID"}
        for key in ("participants", "addedParticipants"):
            if key in event:
                event[key] = [{k: v for k, v in p.items() if k != "participantId"} for p in event[key]]
        out.append(event)
    return out


def test_sim_and_o2g_calls_produce_the_same_events(switch_server: RunningServer,
                                                   admin_events: EventChannel) -> None:
    """A direct call placed at the phone and one placed through O2G are the
    same call to the switch, so every user sees the same events."""
    def scenario(start: Any) -> list[dict[str, Any]]:
        start()
        events = call_events(admin_events, 2)
        phone(switch_server, "1002", "answer")
        events += call_events(admin_events, 2)
        phone(switch_server, "1001", "hangup")
        return events + call_events(admin_events, 2)

    via_sim = scenario(lambda: phone(switch_server, "1001", "dial", "1002"))
    with O2GClient(switch_server, "1001", "1234") as alice:
        via_o2g = scenario(lambda: ok(alice.post("/telephony/calls", json={
            "deviceId": "1001", "callee": "1002", "autoAnswer": True}), 201))
    assert _normalised(via_sim) == _normalised(via_o2g)
    assert via_sim[0]["callRef"] != via_o2g[0]["callRef"]


def test_snapshot_and_device_and_hunting_events(switch_server: RunningServer) -> None:
    with listening(switch_server, "1005") as (emma, events):
        phone(switch_server, "1001", "dial", "1005")
        events.wait_for("OnCallCreated")
        ok(emma.post("/telephony/state/snapshot"))
        state = events.wait_for("OnTelephonyState")["state"]
        assert [c["legs"][0]["state"] for c in state["calls"]] == ["RINGING_INCOMING"]
        assert state["deviceStates"] == [{"deviceId": "1005", "state": "IN_SERVICE"}]
        hang_up_everything(switch_server)
        ok(emma.delete("/telephony/huntingGroupLogOn"))
        assert events.wait_for("OnDynamicStateChanged")["huntingGroupState"] == {"logon": False}
        ok(emma.post("/telephony/huntingGroupLogOn"))
        assert events.wait_for("OnDynamicStateChanged")["huntingGroupState"] == {"logon": True}
