"""Over HTTPS: the DVA (redirectTo "DVA", redirectToDVA), business calls
(businessCode, makeBusinessCall) and presentation routes (the MOBILE Remote
Extension through POST /routing, OnRoutingStateChanged), each where the
company allows it (the demo; a user with a mobile) and where it does not (a
company without a DVA or business codes; a user without a mobile)
(o2g.md §2.4, §2.6; call-model §1.1, §2.4 R2d, §5.1)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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
from server_process import RunningServer, start_server

PLAIN = """\
name: Plain Company
users:
  - {login: "3001", first_name: Ann, last_name: One, secret: "1111",
     devices: [{number: "3001", type: deskphone}, {number: "3101", type: mobile}]}
  - {login: "3002", first_name: Ben, last_name: Two, secret: "2222", devices: [{number: "3002", type: deskphone}]}
licenses:
  TELEPHONY_ADVANCED: 10
"""
ROUTING = [{"ids": [], "names": ["routingManagement"]}]


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A company with no DVA and no business codes, whose first user has a mobile."""
    workdir = tmp_path_factory.mktemp("plain")
    config = Path(workdir) / "company.yaml"
    config.write_text(PLAIN, encoding="utf-8")
    with start_server(workdir, "--virtual-clock", "--config", str(config)) as server:
        yield server


@pytest.fixture
def demo(switch_server: RunningServer) -> Iterator[dict[str, O2GClient]]:
    clients = {login: open_user(switch_server, login) for login in ("1001", "1002")}
    yield clients
    for client in clients.values():
        client.close()
    hang_up_everything(switch_server)


@pytest.fixture
def plain(plain_server: RunningServer) -> Iterator[dict[str, O2GClient]]:
    clients = {"3001": O2GClient(plain_server, "3001", "1111"), "3002": O2GClient(plain_server, "3002", "2222")}
    for client in clients.values():
        client.open()
    yield clients
    clients["3001"].post("/routing", json={"presentationRoutes": [{"destinations": [
        {"type": "MOBILE", "selected": False}]}]})
    for client in clients.values():
        client.close()
    hang_up_everything(plain_server)


def dial(client: O2GClient, callee: str, **extra: Any) -> str:
    body = {"deviceId": client.login_name, "callee": callee, "autoAnswer": True, **extra}
    return str(ok(client.post("/telephony/calls", json=body), 201))


def capabilities(client: O2GClient, ref: str) -> dict[str, bool]:
    return dict(ok(client.get(f"/telephony/calls/{ref}"), 200)["callData"]["capabilities"])


def business_allowed(client: O2GClient) -> bool:
    state = ok(client.get("/telephony/state"), 200)
    (desk,) = [c for c in state["deviceCapabilities"] if c["deviceId"] == client.login_name]
    return bool(desk["makeBusinessCall"])


def parties(server: RunningServer) -> list[tuple[str, str, str]]:
    (call,) = calls_in_switch(server)
    return [(p["kind"], p["number"], p["state"]) for p in call["parties"]]


def mobile_selected(client: O2GClient) -> bool | None:
    destinations = ok(client.get("/routing/state"), 200)["presentationRoutes"][0]["destinations"]
    return next((d["selected"] for d in destinations if d["type"] == "MOBILE"), None)


def select_mobile(client: O2GClient, selected: bool) -> Any:
    return client.post("/routing", json={"presentationRoutes": [{"destinations": [
        {"type": "OFFICE", "selected": True}, {"type": "MOBILE", "selected": selected}]}]})


# -- the DVA ---------------------------------------------------------------------------


def test_o2g_tel_redirect_to_the_dva(switch_server: RunningServer, demo: dict[str, O2GClient]) -> None:
    alice, bruno = demo["1001"], demo["1002"]
    ref = dial(alice, "1002")
    assert capabilities(bruno, ref)["redirectToDVA"] is True
    assert capabilities(alice, ref)["redirectToDVA"] is False  # not ringing at alice
    ok(bruno.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "DVA"}))
    assert parties(switch_server) == [("user", "1001", "connected"), ("dva", "8100", "connected")]
    (dva,) = ok(alice.get(f"/telephony/calls/{ref}"), 200)["participants"]
    assert dva["identity"] == {"id": {"phoneNumber": "8100"}, "displayName": "Announcement",
                               "type": {"main": "SERVICE", "subType": "pbx"}}


def test_o2g_tel_redirect_to_the_dva_refused_without_one(plain_server: RunningServer,
                                                         plain: dict[str, O2GClient]) -> None:
    ann, ben = plain["3001"], plain["3002"]
    ref = dial(ann, "3002")
    assert capabilities(ben, ref)["redirectToDVA"] is False
    refused(ben.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "DVA"}), 400, "NOT_EXPECTED",
            "SERVICE_NOT_PROVIDED")
    assert parties(plain_server) == [("user", "3001", "connected"), ("user", "3002", "alerting")]


# -- business calls ---------------------------------------------------------------------


def test_o2g_tel_business_call_charges_its_code(switch_server: RunningServer, demo: dict[str, O2GClient]) -> None:
    alice = demo["1001"]
    assert business_allowed(alice) is True
    dial(alice, "1002", businessCode="200")
    (call,) = calls_in_switch(switch_server)
    assert call["account_code"] == "200"


def test_o2g_tel_business_call_refusals(switch_server: RunningServer, plain: dict[str, O2GClient],
                                        demo: dict[str, O2GClient]) -> None:
    alice = demo["1001"]
    for extra in ({"businessCode": "300"}, {"businessCode": "100", "pin": "1234", "secretCode": "1234"},
                  {"businessCode": "100", "associatedData": "aa"}):
        body = {"deviceId": "1001", "callee": "1002", **extra}
        refused(alice.post("/telephony/calls", json=body), 400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE")
    assert calls_in_switch(switch_server) == []
    ann = plain["3001"]
    assert business_allowed(ann) is False
    refused(ann.post("/telephony/calls", json={"deviceId": "3001", "callee": "3002", "businessCode": "100"}),
            400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE")


# -- presentation routes (Remote Extension) ---------------------------------------------------------


def test_o2g_tel_mobile_presentation_rings_the_mobile(plain_server: RunningServer,
                                                      plain: dict[str, O2GClient]) -> None:
    ann, ben = plain["3001"], plain["3002"]
    assert ok(ann.get("/routing"), 200)["presentationRoute"] is True
    assert mobile_selected(ann) is False
    with listening(plain_server, "3001", "1111", selectors=ROUTING) as (_, events):
        ok(select_mobile(ann, True))
        event = events.wait_for("OnRoutingStateChanged")
        assert event["routingState"]["presentationRoutes"] == [{"destinations": [
            {"type": "OFFICE", "deviceId": "3001", "number": "3001", "selected": True},
            {"type": "MOBILE", "deviceId": "3101", "number": "3101", "selected": True}]}]
        assert mobile_selected(ann) is True
        dial(ben, "3001")
        (call,) = calls_in_switch(plain_server)
        ringing = [c["dn"] for p in call["parties"] if p["number"] == "3001" for c in p["connections"]]
        assert ringing == ["3001", "3101"]
        phone(plain_server, "3101", "answer")
        assert parties(plain_server) == [("user", "3002", "connected"), ("user", "3001", "connected")]
        hang_up_everything(plain_server)
        ok(select_mobile(ann, False))
        assert events.wait_for("OnRoutingStateChanged")["routingState"]["presentationRoutes"][0][
            "destinations"][1]["selected"] is False
    dial(ben, "3001")
    (call,) = calls_in_switch(plain_server)
    assert [c["dn"] for p in call["parties"] if p["number"] == "3001" for c in p["connections"]] == ["3001"]


def test_o2g_tel_presentation_refusals(plain: dict[str, O2GClient]) -> None:
    ann, ben = plain["3001"], plain["3002"]
    assert ok(ben.get("/routing"), 200)["presentationRoute"] is False
    body = refused(select_mobile(ben, True), 400, "BAD_PARAMETER")
    assert body["routing"]["errorCause"] == "INVALID_CURRENT_DEVICE"
    body = refused(ann.post("/routing", json={"presentationRoutes": [{"destinations": [
        {"type": "OFFICE", "selected": False}]}]}), 400, "BAD_PARAMETER")
    assert body["routing"]["errorCause"] == "INVALID_CURRENT_DEVICE"
    # Nothing changes when any part of the request is wrong.
    refused(ann.post("/routing", json={"presentationRoutes": [{"destinations": [{"type": "MOBILE", "selected": True}]}],
                                       "forwardRoutes": [{"destinations": [{"type": "NUMBER", "number": "12?"}]}]}),
            400, "BAD_PARAMETER")
    assert mobile_selected(ann) is False
