"""Desk sharing, withheld identities, the presented number and rerouted
calls in the communication log, over HTTPS (o2g.md §2.4 #26, #31-32, §2.7),
each in a state where it is allowed and in one where it is refused."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from o2g_client import O2GClient
from o2g_tel_support import (
    calls_in_switch,
    hang_up_everything,
    listening,
    ok,
    open_user,
    phone,
    refused,
)
from server_process import RunningServer

COMLOG = [{"ids": [], "names": ["unifiedComLog"]}]


@pytest.fixture(scope="module")
def users(switch_server: RunningServer) -> Iterator[dict[str, O2GClient]]:
    clients = {login: open_user(switch_server, login) for login in ("1001", "1002", "1003", "1004")}
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture(autouse=True)
def clean(switch_server: RunningServer, users: dict[str, O2GClient]) -> Iterator[None]:
    yield
    hang_up_everything(switch_server)
    for client in users.values():
        client.delete("/telephony/deskSharing")


def dial(client: O2GClient, callee: str, **extra: Any) -> str:
    body = {"deviceId": client.login_name, "callee": callee, "autoAnswer": True, **extra}
    return str(ok(client.post("/telephony/calls", json=body), 201))


def test_desk_sharing_log_on_rings_the_set_and_log_off_returns_it(switch_server: RunningServer,
                                                                   users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    with listening(switch_server, "1003") as (chloe, events):
        ok(chloe.post("/telephony/deskSharing", json={"dssDeviceNumber": "1901"}))
        assert events.wait_for("OnDeviceStateModified")["deviceStates"] == [
            {"deviceId": "1901", "state": "IN_SERVICE"}]
        assert {"deviceId": "1901", "state": "IN_SERVICE"} in ok(chloe.get("/telephony/devices"), 200)["deviceStates"]
        state = ok(chloe.get("/telephony/state"), 200)
        assert "1901" in [caps["deviceId"] for caps in state["deviceCapabilities"]]
        ref = dial(alice, "1003")
        created = events.wait_for("OnCallCreated")
        assert {leg["deviceId"] for leg in created["legs"]} == {"1003", "1901"}
        ok(chloe.post(f"/telephony/calls/{ref}/answer", json={"deviceId": "1901"}))
        refused(chloe.delete("/telephony/deskSharing"), 400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE")
        ok(alice.delete(f"/telephony/calls/{ref}"))
        ok(chloe.delete("/telephony/deskSharing"))
        assert events.wait_for("OnDeviceStateModified")["deviceStates"] == [
            {"deviceId": "1901", "state": "OUT_OF_SERVICE"}]
        assert "1901" not in [s["deviceId"] for s in ok(chloe.get("/telephony/devices"), 200)["deviceStates"]]
    dial(alice, "1003")
    rung = {c["dn"] for call in calls_in_switch(switch_server) for p in call["parties"] for c in p["connections"]}
    assert rung == {"1001", "1003"}


def test_desk_sharing_refusals(users: dict[str, O2GClient]) -> None:
    chloe, david = users["1003"], users["1004"]
    refused(chloe.delete("/telephony/deskSharing"), 400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE")
    refused(chloe.post("/telephony/deskSharing", json={"dssDeviceNumber": "1004"}), 400, "BAD_PARAMETER",
            "BAD_PARAMETER_VALUE")
    refused(chloe.post("/telephony/deskSharing", json={"dssDeviceNumber": "1999"}), 400, "BAD_PARAMETER",
            "BAD_PARAMETER_VALUE")
    refused(chloe.post("/telephony/deskSharing", json={}), 400, "BAD_PARAMETER")
    ok(chloe.post("/telephony/deskSharing", json={"dssDeviceNumber": "1902"}))
    ok(chloe.post("/telephony/deskSharing", json={"dssDeviceNumber": "1902"}))  # already there: fine
    refused(david.post("/telephony/deskSharing", json={"dssDeviceNumber": "1902"}), 403, "NOT_ALLOWED", "UNAUTHORIZED")


def test_calling_number_is_presented_beyond_the_trunk(switch_server: RunningServer,
                                                      users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    dial(alice, "0612345678", callingNumber="0140000000", inhibitProgressTone=True)
    (call,) = calls_in_switch(switch_server)
    assert call["calling_number"] == "0140000000"
    hang_up_everything(switch_server)
    refused(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "0612345678",
                                                  "callingNumber": "not a number"}), 400, "BAD_PARAMETER")
    refused(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "0612345678",
                                                  "inhibitProgressTone": "yes"}), 400, "BAD_PARAMETER")
    assert calls_in_switch(switch_server) == []


def test_anonymous_redirect_withholds_the_caller(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno, chloe = users["1001"], users["1002"], users["1003"]
    ref = dial(alice, "1002")
    refused(bruno.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "1999", "anonymous": True}),
            400, "BAD_PARAMETER")
    (seen,) = ok(bruno.get(f"/telephony/calls/{ref}/participants"), 200)["participants"]
    assert seen["anonymous"] is False and seen["identity"]["id"]["loginName"] == "1001"
    ok(bruno.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "1003", "anonymous": True}))
    (caller,) = ok(chloe.get(f"/telephony/calls/{ref}/participants"), 200)["participants"]
    assert caller["anonymous"] is True and caller["identity"] == {"id": {}, "type": {"main": "UNKNOWN"}}


def test_anonymous_blind_transfer_withholds_the_transferred_party(switch_server: RunningServer,
                                                                  users: dict[str, O2GClient]) -> None:
    alice, bruno, david = users["1001"], users["1002"], users["1004"]
    ref = dial(alice, "1002")
    phone(switch_server, "1002", "answer")
    ok(bruno.post(f"/telephony/calls/{ref}/blindtransfer", json={"transferTo": "1004", "anonymous": True}))
    (call,) = ok(david.get("/telephony/calls"), 200)["calls"]
    (caller,) = call["participants"]
    assert caller["anonymous"] is True
    refused(david.post(f"/telephony/calls/{call['callRef']}/blindtransfer", json={"transferTo": "1003"}),
            400, "NOT_EXPECTED", "LEG_NOT_FOUND")


def test_comlog_of_a_redirected_call(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno = users["1001"], users["1002"]
    with listening(switch_server, "1001", selectors=COMLOG) as (_, alice_log), \
            listening(switch_server, "1003", selectors=COMLOG) as (_, chloe_log):
        ref = dial(alice, "1002")
        ok(bruno.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "1003"}))
        phone(switch_server, "1003", "answer")
        phone(switch_server, "1001", "hangup")
        mine = alice_log.wait_for("OnComRecordCreated")["record"]
        theirs = chloe_log.wait_for("OnComRecordCreated")["record"]
    for record in (mine, theirs):
        owner, *others = record["participants"]
        assert owner["initialCalled"]["id"]["phoneNumber"] == "1002"
        assert "1002" not in [p["identity"]["id"].get("phoneNumber") for p in others]
    assert [p["identity"]["id"]["phoneNumber"] for p in mine["participants"][1:]] == ["1003"]
    plain_ref = dial(alice, "1004")
    phone(switch_server, "1004", "answer")
    ok(alice.delete(f"/telephony/calls/{plain_ref}"))
    plain = ok(alice.get("/comlog/records", params={"comRef": plain_ref}), 200)["comHistoryRecords"][0]
    assert "initialCalled" not in plain["participants"][0]


#: The 50 methods of the inventory's telephony section (o2g.md §2.4).
TELEPHONY_INVENTORY = [
    ("POST", "/telephony/basicCall"),
    ("POST", "/telephony/basicCall/answer"),
    ("POST", "/telephony/basicCall/dropme"),
    ("GET", "/telephony/calls"),
    ("POST", "/telephony/calls"),
    ("GET", "/telephony/calls/{callRef}"),
    ("DELETE", "/telephony/calls/{callRef}"),
    ("POST", "/telephony/calls/{callRef}/alternate"),
    ("POST", "/telephony/calls/{callRef}/answer"),
    ("POST", "/telephony/calls/{callRef}/attachdata"),
    ("POST", "/telephony/calls/{callRef}/blindtransfer"),
    ("POST", "/telephony/calls/{callRef}/callback"),
    ("GET", "/telephony/calls/{callRef}/deviceLegs"),
    ("GET", "/telephony/calls/{callRef}/deviceLegs/{legId}"),
    ("POST", "/telephony/calls/{callRef}/deviceLegs/{legId}"),
    ("POST", "/telephony/calls/{callRef}/dropme"),
    ("POST", "/telephony/calls/{callRef}/hold"),
    ("POST", "/telephony/calls/{callRef}/merge"),
    ("POST", "/telephony/calls/{callRef}/overflowToVoiceMail"),
    ("POST", "/telephony/calls/{callRef}/park"),
    ("GET", "/telephony/calls/{callRef}/participants"),
    ("GET", "/telephony/calls/{callRef}/participants/{participantId}"),
    ("DELETE", "/telephony/calls/{callRef}/participants/{participantId}"),
    ("POST", "/telephony/calls/{callRef}/reconnect"),
    ("POST", "/telephony/calls/{callRef}/recording"),
    ("POST", "/telephony/calls/{callRef}/redirect"),
    ("POST", "/telephony/calls/{callRef}/retrieve"),
    ("POST", "/telephony/calls/{callRef}/sendDtmf"),
    ("POST", "/telephony/calls/{callRef}/sendaccountinfo"),
    ("POST", "/telephony/calls/{callRef}/transfer"),
    ("POST", "/telephony/deskSharing"),
    ("DELETE", "/telephony/deskSharing"),
    ("GET", "/telephony/devices"),
    ("GET", "/telephony/devices/{deviceId}"),
    ("POST", "/telephony/devices/{deviceId}/pickup"),
    ("POST", "/telephony/devices/{deviceId}/unpark"),
    ("GET", "/telephony/huntingGroupLogOn"),
    ("POST", "/telephony/huntingGroupLogOn"),
    ("DELETE", "/telephony/huntingGroupLogOn"),
    ("POST", "/telephony/huntingGroupMember/{hgNumber}"),
    ("DELETE", "/telephony/huntingGroupMember/{hgNumber}"),
    ("GET", "/telephony/huntingGroups"),
    ("GET", "/telephony/incomingCallbacks"),
    ("DELETE", "/telephony/incomingCallbacks"),
    ("DELETE", "/telephony/incomingCallbacks/{callbackId}"),
    ("GET", "/telephony/miniMessages"),
    ("POST", "/telephony/miniMessages"),
    ("POST", "/telephony/outgoingCallbacks"),
    ("GET", "/telephony/state"),
    ("POST", "/telephony/state/snapshot"),
]


def test_every_telephony_method_of_the_inventory_is_served(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as http:
        paths = http.get("/api/rest/openapi.json").json()["paths"]
    missing = [(method, path) for method, path in TELEPHONY_INVENTORY
               if method.lower() not in paths.get("/api/rest/1.0" + path, {})]
    assert len(TELEPHONY_INVENTORY) == 50 and missing == []
