"""Every O2G telephony call method over HTTPS, in a state where it is
allowed and in one where it is refused (o2g.md §2.4, call-model §5.3)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from o2g_client import O2GClient
from o2g_tel_support import hang_up_everything, ok, open_user, phone, refused
from server_process import RunningServer


@pytest.fixture(scope="module")
def users(switch_server: RunningServer) -> Iterator[dict[str, O2GClient]]:
    clients = {login: open_user(switch_server, login) for login in ("1001", "1002", "1003", "1004")}
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture(autouse=True)
def clean(switch_server: RunningServer) -> Iterator[None]:
    yield
    hang_up_everything(switch_server)


def dial(client: O2GClient, callee: str, device: str | None = None, **extra: Any) -> str:
    body = {"deviceId": device or client.login_name, "callee": callee, "autoAnswer": True, **extra}
    return str(ok(client.post("/telephony/calls", json=body), 201))


def connected(server: RunningServer, users: dict[str, O2GClient], a: str = "1001", b: str = "1002") -> str:
    ref = dial(users[a], b)
    phone(server, b, "answer")
    return ref


def call(client: O2GClient, ref: str) -> dict[str, Any]:
    return ok(client.get(f"/telephony/calls/{ref}"), 200)


def test_basic_call_answer_and_dropme(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno = users["1001"], users["1002"]
    ref = ok(alice.post("/telephony/basicCall", json={"deviceId": "1001", "callee": "1002", "autoAnswer": True}), 201)
    ok(bruno.post("/telephony/basicCall/answer", json={"deviceId": "1002"}))
    assert call(alice, ref)["callData"]["state"] == "ACTIVE"
    ok(alice.post("/telephony/basicCall/dropme"))
    assert alice.get("/telephony/calls").json() == {"calls": []}
    refused(bruno.post("/telephony/basicCall/answer", json={"deviceId": "1002"}), 400, "NOT_EXPECTED", "LEG_NOT_FOUND")
    refused(alice.post("/telephony/basicCall/dropme"), 400, "NOT_EXPECTED", "LEG_NOT_FOUND")
    refused(alice.post("/telephony/basicCall", json={"deviceId": "1002", "callee": "1003"}), 403, "NOT_ALLOWED",
            "UNAUTHORIZED")
    refused(alice.post("/telephony/basicCall", json={"deviceId": "1001"}), 400, "BAD_PARAMETER")


def test_basic_call_without_auto_answer_rings_the_caller_first(switch_server: RunningServer,
                                                               users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    ref = ok(alice.post("/telephony/basicCall", json={"deviceId": "1001", "callee": "1002"}), 201)
    assert call(alice, ref)["legs"][0]["state"] == "RINGING_INCOMING"
    ok(alice.post(f"/telephony/calls/{ref}/answer", json={"deviceId": "1001"}))
    assert call(alice, ref)["legs"][0]["state"] == "RINGING_OUTGOING"


def test_make_call_list_get_and_release(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno = users["1001"], users["1002"]
    ref = dial(alice, "1002", associatedData="order-7")
    calls = ok(alice.get("/telephony/calls"), 200)["calls"]
    assert [c["callRef"] for c in calls] == [ref]
    assert calls[0]["callData"]["associateData"] == "order-7"
    assert call(bruno, ref)["legs"][0]["state"] == "RINGING_INCOMING"
    ok(alice.delete(f"/telephony/calls/{ref}"))
    refused(alice.get(f"/telephony/calls/{ref}"), 404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND")
    refused(alice.delete(f"/telephony/calls/{ref}"), 404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND")
    refused(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "12ab"}), 400, "BAD_PARAMETER",
            "BAD_PARAMETER_VALUE")
    refused(alice.post("/telephony/calls", json={"deviceId": "1002", "callee": "1003"}), 403, "NOT_ALLOWED")
    refused(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "1003", "associatedData": "x" * 33}),
            400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE")


def test_private_call_checks_the_pin(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    dial(alice, "1003", pin="1234")
    refused(alice.post("/telephony/calls", json={"deviceId": "2001", "callee": "1004", "pin": "9999"}),
            403, "NOT_ALLOWED", "UNAUTHORIZED")


def test_answer_hold_retrieve(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno = users["1001"], users["1002"]
    ref = dial(alice, "1002")
    refused(bruno.post(f"/telephony/calls/{ref}/hold", json={"deviceId": "1002"}), 400, "NOT_EXPECTED", "LEG_NOT_FOUND")
    ok(bruno.post(f"/telephony/calls/{ref}/answer", json={"deviceId": "2002"}))
    refused(bruno.post(f"/telephony/calls/{ref}/answer", json={"deviceId": "2002"}), 400, "NOT_EXPECTED")
    refused(bruno.post(f"/telephony/calls/{ref}/retrieve", json={"deviceId": "2002"}), 400, "NOT_EXPECTED")
    ok(bruno.post(f"/telephony/calls/{ref}/hold", json={"deviceId": "2002"}))
    assert call(bruno, ref)["legs"] [0]["state"] == "HELD"
    ok(bruno.post(f"/telephony/calls/{ref}/retrieve", json={"deviceId": "2002"}))
    assert call(bruno, ref)["legs"][0]["state"] == "ACTIVE"
    refused(bruno.post(f"/telephony/calls/{ref}/hold", json={"deviceId": "1003"}), 403, "NOT_ALLOWED", "UNAUTHORIZED")


def test_consult_alternate_reconnect(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    first = connected(switch_server, users)
    refused(alice.post(f"/telephony/calls/{first}/alternate", json={"deviceId": "1001"}), 400, "NOT_EXPECTED")
    second = dial(alice, "1003")
    phone(switch_server, "1003", "answer")
    assert call(alice, first)["legs"][0]["capabilities"]["reconnect"] is True
    ok(alice.post(f"/telephony/calls/{first}/alternate", json={"deviceId": "1001"}))
    assert call(alice, first)["legs"][0]["state"] == "ACTIVE"
    assert call(alice, second)["legs"][0]["state"] == "HELD"
    refused(alice.post(f"/telephony/calls/{second}/reconnect", json={"deviceId": "1001", "enquiryCallRef": "999"}),
            404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND")
    ok(alice.post(f"/telephony/calls/{second}/reconnect", json={"deviceId": "1001", "enquiryCallRef": first}))
    assert [c["callRef"] for c in alice.get("/telephony/calls").json()["calls"]] == [second]


def test_transfer_and_merge(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno, chloe = users["1001"], users["1002"], users["1003"]
    first = connected(switch_server, users)
    refused(alice.post(f"/telephony/calls/{first}/transfer", json={"heldCallRef": "999"}), 404, "NOT_FOUND")
    second = dial(alice, "1003")
    phone(switch_server, "1003", "answer")
    refused(alice.post(f"/telephony/calls/{first}/merge", json={"heldCallRef": second}), 400, "NOT_EXPECTED")
    ok(alice.post(f"/telephony/calls/{second}/merge", json={"heldCallRef": first}))
    participants = ok(alice.get(f"/telephony/calls/{first}/participants"), 200)["participants"]
    assert sorted(p["identity"]["id"]["loginName"] for p in participants) == ["1002", "1003"]
    ok(alice.post(f"/telephony/calls/{first}/dropme"))
    assert call(bruno, first)["participants"][0]["identity"]["id"]["loginName"] == "1003"
    hang_up_everything(switch_server)
    first = connected(switch_server, users)
    second = dial(alice, "1003")
    phone(switch_server, "1003", "answer")
    ok(alice.post(f"/telephony/calls/{second}/transfer", json={"heldCallRef": first}))
    assert alice.get("/telephony/calls").json() == {"calls": []}
    assert call(chloe, first)["participants"][0]["identity"]["id"]["loginName"] == "1002"


def test_participants_and_drop_participant(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    first = connected(switch_server, users)
    second = dial(alice, "1003")
    phone(switch_server, "1003", "answer")
    ok(alice.post(f"/telephony/calls/{second}/merge", json={"heldCallRef": first}))
    participants = ok(alice.get(f"/telephony/calls/{first}/participants"), 200)["participants"]
    chloe = next(p for p in participants if p["identity"]["id"]["loginName"] == "1003")
    assert ok(alice.get(f"/telephony/calls/{first}/participants/{chloe['participantId']}"), 200) == chloe
    refused(alice.get(f"/telephony/calls/{first}/participants/999"), 404, "NOT_FOUND")
    refused(alice.delete(f"/telephony/calls/{first}/participants/999"), 400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE")
    ok(alice.delete(f"/telephony/calls/{first}/participants/{chloe['participantId']}"))
    left = ok(alice.get(f"/telephony/calls/{first}/participants"), 200)["participants"]
    assert [p["identity"]["id"]["loginName"] for p in left] == ["1002"]


def test_legs(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    bruno = users["1002"]
    ref = dial(users["1001"], "1002")
    legs = ok(bruno.get(f"/telephony/calls/{ref}/deviceLegs"), 200)["legs"]
    assert [leg["deviceId"] for leg in legs] == ["1002", "2002"]
    assert ok(bruno.get(f"/telephony/calls/{ref}/deviceLegs/2002"), 200)["state"] == "RINGING_INCOMING"
    refused(bruno.get(f"/telephony/calls/{ref}/deviceLegs/1001"), 404, "NOT_FOUND", "LEG_NOT_FOUND")
    refused(bruno.get("/telephony/calls/999/deviceLegs"), 404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND")


def test_blind_transfer(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    bruno, chloe = users["1002"], users["1003"]
    ref = connected(switch_server, users)
    refused(bruno.post(f"/telephony/calls/{ref}/blindtransfer", json={"transferTo": "99"}), 400, "BAD_PARAMETER",
            "BAD_PARAMETER_VALUE")
    ok(bruno.post(f"/telephony/calls/{ref}/blindtransfer", json={"transferTo": "1003"}))
    assert call(chloe, ref)["legs"][0]["state"] == "RINGING_INCOMING"
    refused(bruno.get(f"/telephony/calls/{ref}"), 404, "NOT_FOUND")


def test_redirect_and_overflow_to_voicemail(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno, chloe = users["1001"], users["1002"], users["1003"]
    ref = dial(alice, "1002")
    ok(bruno.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "1003"}))
    assert call(chloe, ref)["legs"][0]["state"] == "RINGING_INCOMING"
    refused(alice.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "1004"}), 400, "NOT_EXPECTED",
            "LEG_NOT_FOUND")
    ok(alice.post(f"/telephony/calls/{ref}/overflowToVoiceMail"))
    participants = call(alice, ref)["participants"]
    assert participants[0]["identity"]["type"] == {"main": "SERVICE", "subType": "voicemail"}
    refused(alice.post(f"/telephony/calls/{ref}/overflowToVoiceMail"), 400, "NOT_EXPECTED")
    hang_up_everything(switch_server)
    ref = dial(alice, "1002")
    ok(bruno.post(f"/telephony/calls/{ref}/redirect", json={"redirectTo": "VOICEMAIL"}))
    assert call(alice, ref)["participants"][0]["identity"]["type"]["subType"] == "voicemail"


def test_park_and_unpark(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, chloe = users["1001"], users["1003"]
    ref = dial(alice, "1002")
    refused(alice.post(f"/telephony/calls/{ref}/park", json={}), 400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE")
    phone(switch_server, "1002", "answer")
    ok(alice.post(f"/telephony/calls/{ref}/park", json={"parkTo": "1003"}))
    state = ok(chloe.get("/telephony/state"), 200)
    assert {c["deviceId"]: c["unParkCall"] for c in state["deviceCapabilities"]} == {"1003": True}
    refused(chloe.post("/telephony/devices/1003/unpark", json={"unParkFrom": "1004"}), 400, "NOT_EXPECTED")
    ok(chloe.post("/telephony/devices/1003/unpark", json={}))
    assert call(chloe, ref)["legs"][0]["state"] == "ACTIVE"


def test_unpark_by_held_call_ref_as_the_sdks_send_it(switch_server: RunningServer,
                                                     users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    ref = connected(switch_server, users)
    ok(alice.post(f"/telephony/calls/{ref}/park", json={"parkTo": "1001"}))
    refused(users["1004"].post("/telephony/devices/1004/unpark", json={"heldCallRef": "999"}), 404, "NOT_FOUND")
    ok(users["1004"].post("/telephony/devices/1004/unpark", json={"heldCallRef": ref}))


def test_pickup(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    chloe = users["1003"]
    refused(chloe.post("/telephony/devices/1003/pickup", json={"otherPhoneNumber": "1002"}), 404, "NOT_FOUND",
            "CALL_REFERENCE_NOT_FOUND")
    ref = dial(users["1001"], "1002")
    ok(chloe.post("/telephony/devices/1003/pickup", json={"otherCallRef": ref, "otherPhoneNumber": "1002",
                                                          "autoAnswer": True}))
    assert call(chloe, ref)["legs"][0]["state"] == "ACTIVE"


def test_call_data_dtmf_account_info_recording(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    ref = connected(switch_server, users)
    ok(alice.post(f"/telephony/calls/{ref}/attachdata", json={"deviceId": "1001",
                                                              "hexaBinaryAssociatedData": b"\x01\x02".hex()}))
    assert call(alice, ref)["callData"]["hexaBinaryAssociatedData"] == "0102"
    refused(alice.post(f"/telephony/calls/{ref}/attachdata", json={"associatedData": "y" * 40}), 400, "BAD_PARAMETER")
    ok(alice.post(f"/telephony/calls/{ref}/sendaccountinfo", json={"deviceId": "1001", "accountInfo": "4711"}))
    assert call(alice, ref)["callData"]["accountInfo"] == "4711"
    refused(alice.post(f"/telephony/calls/{ref}/sendaccountinfo", json={"accountInfo": "abc"}), 400, "BAD_PARAMETER",
            "BAD_PARAMETER_VALUE")
    ok(alice.post(f"/telephony/calls/{ref}/sendDtmf", json={"deviceId": "1001", "number": "12#"}))
    refused(alice.post(f"/telephony/calls/{ref}/sendDtmf", json={"deviceId": "1001", "number": "xyz"}), 400,
            "BAD_PARAMETER", "BAD_PARAMETER_VALUE")
    ok(alice.post(f"/telephony/calls/{ref}/recording?action=Start"))
    data = call(alice, ref)["callData"]
    assert data["recordState"] == "RECORDING" and data["capabilities"]["pauseRecord"] is True
    ok(alice.post(f"/telephony/calls/{ref}/recording?action=pause"))
    assert call(alice, ref)["callData"]["recordState"] == "PAUSED"
    refused(alice.post(f"/telephony/calls/{ref}/recording?action=start"), 400, "NOT_EXPECTED")
    refused(alice.post(f"/telephony/calls/{ref}/recording?action=rewind"), 400, "BAD_PARAMETER")
    ok(alice.post(f"/telephony/calls/{ref}/recording?action=stop"))
    assert "recordState" not in call(alice, ref)["callData"]


def test_callback_during_a_call(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice, bruno = users["1001"], users["1002"]
    ok(bruno.delete("/telephony/incomingCallbacks"))
    ref = dial(alice, "1002")
    refused(bruno.post(f"/telephony/calls/{ref}/callback"), 400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE")
    ok(alice.post(f"/telephony/calls/{ref}/callback"))
    callbacks = ok(bruno.get("/telephony/incomingCallbacks"), 200)["callbacks"]
    assert [c["partyInfo"]["id"]["loginName"] for c in callbacks] == ["1001"]


def test_telephony_methods_need_a_session(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as anonymous:
        response = anonymous.get("/api/rest/1.0/telephony/calls")
    assert response.status_code in (401, 403) and response.json()["type"] == "INVALID_SESSION"


def test_administrator_acts_for_a_user(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    with O2GClient(switch_server, "admin", "admin") as admin:
        refused(admin.get("/telephony/calls"), 400, "BAD_PARAMETER")
        ref = ok(admin.post("/telephony/calls?loginName=1004", json={"deviceId": "1004", "callee": "1003",
                                                                       "autoAnswer": True}), 201)
        assert [c["callRef"] for c in admin.get("/telephony/calls?loginName=1004").json()["calls"]] == [ref]
        ok(admin.post(f"/telephony/calls/{ref}/answer", json={"deviceId": "1003"}))
        refused(admin.get("/telephony/calls?loginName=nobody"), 404, "NOT_FOUND")
        # A set with no user (a turret line) calls without a callRef: 204 (o2g.md §2.4 #1 *2).
        ok(admin.post("/telephony/basicCall", json={"deviceId": "5001", "callee": "1004", "autoAnswer": True}))


#: Methods with the loginName† parameter: mandatory in an administrator session.
ON_BEHALF = [
    ("GET", "/telephony/calls"), ("POST", "/telephony/calls"), ("POST", "/telephony/basicCall/dropme"),
    ("GET", "/telephony/devices"), ("GET", "/telephony/state"), ("GET", "/telephony/huntingGroups"),
    ("GET", "/telephony/huntingGroupLogOn"), ("POST", "/telephony/huntingGroupLogOn"),
    ("DELETE", "/telephony/huntingGroupLogOn"), ("POST", "/telephony/huntingGroupMember/3000"),
    ("GET", "/telephony/incomingCallbacks"), ("DELETE", "/telephony/incomingCallbacks"),
    ("POST", "/telephony/outgoingCallbacks"), ("GET", "/telephony/miniMessages"), ("POST", "/telephony/miniMessages"),
    ("GET", "/telephony/calls/1"), ("POST", "/telephony/calls/1/dropme"), ("POST", "/telephony/calls/1/park"),
]


def test_administrator_must_name_the_user(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "admin", "admin") as admin:
        for method, path in ON_BEHALF:
            refused(admin.request(method, path, json={}), 400, "BAD_PARAMETER")
        ok(admin.get("/telephony/state?loginName=1003"), 200)
        ok(admin.post("/telephony/state/snapshot"))
        refused(admin.post("/telephony/state/snapshot?loginName=ghost"), 404, "NOT_FOUND")


def test_bad_input_is_a_clear_error(switch_server: RunningServer, users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    response = alice.post("/telephony/calls", content=b"{not json", headers={"Content-Type": "application/json"})
    assert refused(response, 400, "BAD_PARAMETER")["innerMessage"].startswith("body")
    body = refused(alice.post("/telephony/calls", json={"deviceId": 1001, "callee": "1002"}), 400, "BAD_PARAMETER")
    assert "deviceId" in body["innerMessage"]
    refused(alice.post("/telephony/calls", json={"callee": "1002", "autoAnswer": "yes"}), 400, "BAD_PARAMETER")
    refused(alice.post("/telephony/calls", json=["1002"]), 400, "BAD_PARAMETER")
    refused(alice.get("/telephony/calls/abc"), 404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND")
    refused(alice.post("/telephony/calls/abc/dropme"), 404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND")
    refused(alice.post("/telephony/calls/1/hold", json={"deviceId": "9999"}), 400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE")
    refused(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "1002", "acdCall": {}}),
            400, "NOT_SUPPORTED", "SERVICE_NOT_PROVIDED")
    refused(alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "1002", "businessCode": "7"}),
            400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE")


def test_switch_device_moves_the_call_between_the_users_phones(switch_server: RunningServer,
                                                               users: dict[str, O2GClient]) -> None:
    alice = users["1001"]
    ref = connected(switch_server, users)
    assert call(alice, ref)["legs"][0]["capabilities"]["switchDevice"] is True
    ok(alice.post(f"/telephony/calls/{ref}/deviceLegs/1001", json={"otherDeviceId": "2001"}))
    assert [(leg["deviceId"], leg["state"]) for leg in call(alice, ref)["legs"]] == [("2001", "ACTIVE")]
    refused(alice.post(f"/telephony/calls/{ref}/deviceLegs/2001", json={"otherDeviceId": "1002"}), 403,
            "NOT_ALLOWED", "UNAUTHORIZED")
    refused(alice.post(f"/telephony/calls/{ref}/deviceLegs/1001", json={"otherDeviceId": "2001"}), 400,
            "NOT_EXPECTED", "LEG_NOT_FOUND")
