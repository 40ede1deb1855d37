"""The O2G routing service over HTTPS: DND, forward and overflow routes,
state and snapshot, OnRoutingStateChanged, and that the routes drive the
engine's coverage and persist (o2g.md §2.6, o2g-wire.md §3.5)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from o2g_client import O2GClient
from o2g_tel_support import (
    calls_in_switch,
    hang_up_everything,
    listening,
    ok,
    phone,
    refused,
)
from server_process import RunningServer

ROUTING = [{"ids": [], "names": ["routingManagement"]}]


@pytest.fixture
def bruno(switch_server: RunningServer) -> Iterator[O2GClient]:
    with O2GClient(switch_server, "1002", "1234") as client:
        yield client
        client.delete("/routing/forwardroute")
        client.delete("/routing/overflowroute")
        client.delete("/routing/dnd")
    hang_up_everything(switch_server)


def test_capabilities_and_initial_state(bruno: O2GClient) -> None:
    assert ok(bruno.get("/routing"), 200) == {"presentationRoute": False, "forwardRoute": True,
                                              "overflowRoute": True, "dnd": True}
    state = ok(bruno.get("/routing/state"), 200)
    assert state == {"presentationRoutes": [{"destinations": [{"type": "OFFICE", "deviceId": "1002",
                                                               "number": "1002", "selected": True}]}],
                     "forwardRoutes": [], "overflowRoutes": [], "dndState": {"activate": False}}
    assert ok(bruno.get("/routing/forwardroute"), 200) == {"destinations": []}


def test_dnd_makes_callers_busy_and_is_announced(switch_server: RunningServer, bruno: O2GClient) -> None:
    with listening(switch_server, "1002", selectors=ROUTING) as (_, events):
        ok(bruno.post("/routing/dnd"))
        event = events.wait_for("OnRoutingStateChanged")
        assert event["loginName"] == "1002" and event["routingState"]["dndState"] == {"activate": True}
        assert ok(bruno.get("/routing/dnd"), 200) == {"activate": True}
        phone(switch_server, "1003", "dial", "1002")
        caller = calls_in_switch(switch_server)[0]["parties"]
        assert [(p["number"], p["state"]) for p in caller] == [("1003", "failed")]  # busy tone
        hang_up_everything(switch_server)
        ok(bruno.delete("/routing/dnd"))
        assert events.wait_for("OnRoutingStateChanged")["routingState"]["dndState"] == {"activate": False}


def test_forward_routes_drive_the_engine(switch_server: RunningServer, bruno: O2GClient) -> None:
    ok(bruno.post("/routing/forwardroute", json={"forwardRoute": {
        "destinations": [{"type": "NUMBER", "number": "1004"}]}}))
    assert ok(bruno.get("/routing/forwardroute"), 200) == {"destinations": [{"type": "NUMBER", "number": "1004"}]}
    phone(switch_server, "1003", "dial", "1002")
    assert [p["number"] for p in calls_in_switch(switch_server)[0]["parties"]] == ["1003", "1004"]
    hang_up_everything(switch_server)
    ok(bruno.post("/routing/forwardroute", json={"forwardRoute": {"forwardType": "BUSY",
                                                                  "destinations": [{"type": "VOICEMAIL"}]}}))
    route = ok(bruno.get("/routing/state"), 200)["forwardRoutes"]
    assert route == [{"forwardType": "BUSY", "destinations": [{"type": "VOICEMAIL", "number": "8000"}]}]
    ok(bruno.delete("/routing/forwardroute"))
    assert ok(bruno.get("/routing/state"), 200)["forwardRoutes"] == []


def test_forward_route_refusals(bruno: O2GClient) -> None:
    body = refused(bruno.post("/routing/forwardroute", json={"forwardRoute": {
        "destinations": [{"type": "NUMBER", "number": "1002"}]}}), 400, "BAD_PARAMETER")
    assert body["routing"]["errorType"] == "UNKNOWN_PHONE_NUMBER"
    body = refused(bruno.post("/routing/forwardroute", json={"forwardRoute": {
        "destinations": [{"type": "NUMBER", "number": "12?"}]}}), 400, "BAD_PARAMETER")
    assert body["routing"]["errorCause"] == "BAD_PHONE_NUMBER_FORMAT"
    body = refused(bruno.post("/routing/forwardroute", json={"forwardRoute": {
        "destinations": [{"type": "VOICEMAIL"}, {"type": "NUMBER", "number": "1003"}]}}), 400, "BAD_PARAMETER")
    assert body["routing"]["errorCause"] == "INVALID_FORWARD_ROUTE"
    refused(bruno.post("/routing/forwardroute", json={"forwardRoute": {
        "forwardType": "SOMETIMES", "destinations": [{"type": "VOICEMAIL"}]}}), 400, "BAD_PARAMETER")


def test_set_routes_for_compatibility(bruno: O2GClient) -> None:
    ok(bruno.post("/routing", json={"forwardRoutes": [{"destinations": [{"type": "VOICEMAIL"}]}]}))
    assert ok(bruno.get("/routing/forwardroute"), 200)["destinations"][0]["type"] == "VOICEMAIL"
    body = refused(bruno.post("/routing", json={"presentationRoutes": [{"destinations": [
        {"type": "MOBILE", "selected": True}]}]}), 400, "BAD_PARAMETER")
    assert body["routing"]["errorCause"] == "INVALID_CURRENT_DEVICE"


def test_overflow_routes_in_both_sdk_shapes(bruno: O2GClient) -> None:
    ok(bruno.post("/routing/overflowroute", json={"overflowRoutes": [
        {"overflowType": "NO_ANSWER", "destinations": [{"type": "VOICEMAIL"}]}]}))
    assert ok(bruno.get("/routing/overflowroute"), 200) == {
        "overflowType": "NO_ANSWER", "destinations": [{"type": "VOICEMAIL", "number": "8000"}]}
    ok(bruno.post("/routing/overflowroute", json={"overflowRoutes": {
        "overflowType": "BUSY", "destinations": [{"type": "VOICEMAIL", "selected": True}]}}))
    assert ok(bruno.get("/routing/state"), 200)["overflowRoutes"][0]["overflowType"] == "BUSY"
    body = refused(bruno.post("/routing/overflowroute", json={"overflowRoutes": [
        {"overflowType": "BUSY", "destinations": [{"type": "ASSOCIATE", "number": "0612345678"}]}]}),
        400, "BAD_PARAMETER")  # an associate must be internal
    assert body["routing"]["errorCause"] == "INVALID_OVERFLOW_ROUTE"
    ok(bruno.delete("/routing/overflowroute"))
    assert ok(bruno.get("/routing/overflowroute"), 200) == {"destinations": []}


def test_snapshot_for_one_user_and_for_all(switch_server: RunningServer, bruno: O2GClient) -> None:
    everyone = [{"ids": ["*"], "names": ["routingManagement"]}]
    with listening(switch_server, "admin", "admin", everyone) as (admin, events):
        ok(bruno.post("/routing/state/snapshot"))
        assert events.wait_for("OnRoutingStateChanged")["loginName"] == "1002"
        ok(admin.post("/routing/state/snapshot"))
        logins = [events.wait_for("OnRoutingStateChanged")["loginName"] for _ in range(8)]
        assert logins == [f"100{i}" for i in range(1, 9)]
        refused(admin.post("/routing/state/snapshot?loginName=ghost"), 404, "NOT_FOUND")
