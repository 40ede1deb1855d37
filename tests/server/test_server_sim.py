"""The sim API and /health over real sockets, against one running server.

Tests share the module's server, so each one ends with no call left.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_process import RunningServer


@pytest.fixture(scope="module")
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client


@pytest.fixture(autouse=True)
def no_call_left(sim: httpx.Client) -> Iterator[None]:
    yield
    assert sim.get("/sim/state").json()["calls"] == []


def post(sim: httpx.Client, path: str, body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    response = sim.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


def call_states(sim: httpx.Client, call_id: int) -> dict[str, str] | None:
    """{dn: state} of every connection of the call, or None once it is cleared."""
    for call in sim.get("/sim/state").json()["calls"]:
        if call["id"] == call_id:
            return {c["dn"]: c["state"] for p in call["parties"] for c in p["connections"]}
    return None


def test_health_over_https_verifies_against_the_printed_certificate(switch_server: RunningServer) -> None:
    assert switch_server.certificate is not None
    assert switch_server.certificate.parent == switch_server.data_dir.resolve()
    with switch_server.client(https=True) as client:
        response = client.get("/health")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["version"] == "0.1.0"
    assert health["clock"] == "virtual"
    assert health["uptime"] >= 0
    assert (health["users"], health["devices"], health["calls"]) == (8, 16, 0)  # with the 2 desk-sharing sets


def test_https_refuses_a_client_that_does_not_trust_the_certificate(switch_server: RunningServer) -> None:
    with httpx.Client(base_url=switch_server.https_url) as client, pytest.raises(httpx.ConnectError):
        client.get("/health")


def test_health_over_plain_http(sim: httpx.Client) -> None:
    response = sim.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_internal_call_rings_connects_holds_and_clears(sim: httpx.Client) -> None:
    call = post(sim, "/sim/devices/1001/dial", {"digits": "1002"})["call"]
    assert call_states(sim, call) == {"1001": "connected", "1002": "alerting", "2002": "alerting"}

    assert post(sim, "/sim/devices/1002/answer") == {"call": call}
    assert call_states(sim, call) == {"1001": "connected", "1002": "connected"}

    assert post(sim, "/sim/devices/1001/hold") == {"call": call}
    assert call_states(sim, call) == {"1001": "held", "1002": "connected"}

    assert post(sim, "/sim/devices/1001/retrieve") == {"call": call}
    assert call_states(sim, call) == {"1001": "connected", "1002": "connected"}

    assert post(sim, "/sim/devices/1002/hangup") == {"call": call}
    assert call_states(sim, call) is None


def test_offhook_then_dial_then_dtmf(sim: httpx.Client) -> None:
    call = post(sim, "/sim/devices/1003/offhook")["call"]
    assert call_states(sim, call) == {"1003": "initiated"}
    assert post(sim, "/sim/devices/1003/dial", {"digits": "1004"}) == {"call": call}
    post(sim, "/sim/devices/1004/answer")
    assert post(sim, "/sim/devices/1003/dtmf", {"digits": "12#"}) == {"call": call}
    post(sim, "/sim/devices/1003/hangup")
    assert call_states(sim, call) is None


def test_incoming_external_call_is_answered(sim: httpx.Client) -> None:
    call = post(sim, "/sim/calls", {"from": "0612345678", "to": "1001", "name": "Zoé Client"}, status=201)["call"]
    assert call_states(sim, call) == {"0612345678": "connected", "1001": "alerting", "2001": "alerting"}
    caller = next(p for c in sim.get("/sim/state").json()["calls"] if c["id"] == call
                  for p in c["parties"] if p["kind"] == "external")
    assert caller["name"] == "Zoé Client"

    post(sim, "/sim/devices/1001/answer")
    assert call_states(sim, call) == {"0612345678": "connected", "1001": "connected"}
    post(sim, "/sim/devices/1001/hangup")
    assert call_states(sim, call) is None


def test_auto_answer_behaviour_fires_when_the_virtual_clock_advances(sim: httpx.Client) -> None:
    response = sim.put("/sim/devices/1005/behaviour", json={"mode": "auto-answer", "delay": 3})
    assert response.status_code == 200
    assert response.json() == {"number": "1005", "behaviour": {"mode": "auto-answer", "delay": 3.0}}
    try:
        call = post(sim, "/sim/calls", {"from": "0698765432", "to": "1005"}, status=201)["call"]
        before = post(sim, "/sim/clock/advance", {"seconds": 2.5})["now"]
        assert call_states(sim, call) == {"0698765432": "connected", "1005": "alerting"}
        assert post(sim, "/sim/clock/advance", {"seconds": 0.5})["now"] == before + 0.5
        assert call_states(sim, call) == {"0698765432": "connected", "1005": "connected"}
        post(sim, "/sim/devices/1005/hangup")
    finally:
        sim.put("/sim/devices/1005/behaviour", json={"mode": "manual"})
    device = next(d for d in sim.get("/sim/state").json()["devices"] if d["number"] == "1005")
    assert device["behaviour"] == {"mode": "manual", "delay": 0.0}


# -- every error path: 400 for the body, 404 for what does not exist, 409 for refusals


@pytest.mark.parametrize(("method", "path", "content", "error", "names"), [
    ("POST", "/sim/calls", b"{not json", "invalid_json", "not valid JSON"),
    ("POST", "/sim/calls", b"[1, 2]", "invalid_json", "an array"),
    ("POST", "/sim/calls", b'{"from": NaN, "to": "1001"}', "invalid_json", "NaN"),
    ("POST", "/sim/calls", b"\xff\xfe\xfa", "invalid_json", "not valid JSON"),
    ("POST", "/sim/calls", b"[" * 60_000, "invalid_json", "not valid JSON"),
    ("POST", "/sim/calls", b'{"to": "1001"}', "missing_field", "'from'"),
    ("POST", "/sim/calls", b'{"from": "0612345678"}', "missing_field", "'to'"),
    ("POST", "/sim/calls", b'{"from": 612345678, "to": "1001"}', "invalid_field", "'from' must be a string"),
    ("POST", "/sim/calls", b'{"from": "0612345678", "to": "1001", "name": 7}', "invalid_field", "'name'"),
    ("POST", "/sim/calls", b'{"from": "0612345678", "to": "1001", "form": "x"}', "invalid_field", "'form'"),
    ("POST", "/sim/devices/1001/dial", b"{}", "missing_field", "'digits'"),
    ("POST", "/sim/devices/1001/dial", b'{"digits": ["1", "0"]}', "invalid_field", "'digits' must be a string"),
    ("POST", "/sim/devices/1001/answer", b'{"digits": "1"}', "invalid_field", "unknown field 'digits'"),
    ("PUT", "/sim/devices/1001/behaviour", b"{}", "missing_field", "'mode'"),
    ("PUT", "/sim/devices/1001/behaviour", b'{"mode": "auto-answer", "delay": "2"}', "invalid_field", "'delay'"),
    ("PUT", "/sim/devices/1001/behaviour", b'{"mode": "auto-answer", "delay": true}', "invalid_field", "'delay'"),
    ("PUT", "/sim/devices/1001/behaviour", b'{"mode": "auto-answer", "delay": -1}', "invalid_field", "at least"),
    ("PUT", "/sim/devices/1001/behaviour", b'{"mode": "dance"}', "bad_value", "mode must be one of"),
    ("PUT", "/sim/devices/1001/behaviour", b'{"mode": "busy", "delay": 1e9}', "bad_value", "delay"),
    ("POST", "/sim/clock/advance", b"{}", "missing_field", "'seconds'"),
    ("POST", "/sim/clock/advance", b'{"seconds": -5}', "invalid_field", "'seconds' must be at least 0"),
    ("POST", "/sim/clock/advance", b'{"seconds": 1e999}', "invalid_field", "finite"),
])
def test_bad_bodies_are_400_naming_the_field(sim: httpx.Client, method: str, path: str, content: bytes,
                                             error: str, names: str) -> None:
    response = sim.request(method, path, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == error
    assert names in body["message"]


def test_a_huge_body_is_refused_without_reading_it_all(sim: httpx.Client) -> None:
    response = sim.post("/sim/calls", content=b" " * (1024 * 1024))
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


@pytest.mark.parametrize(("method", "path", "body", "error"), [
    ("POST", "/sim/devices/9999/answer", None, "device_not_found"),
    ("POST", "/sim/devices/9999/dial", {"digits": "1002"}, "device_not_found"),
    ("PUT", "/sim/devices/9999/behaviour", {"mode": "manual"}, "device_not_found"),
    ("POST", "/sim/devices/1001/fly", None, "unknown_action"),
    ("POST", "/sim/devices/1001/behaviour", None, "unknown_action"),
    ("GET", "/sim/nothing-here", None, "not_found"),
    ("GET", "/", None, "not_found"),
])
def test_unknown_things_are_404(sim: httpx.Client, method: str, path: str, body: Any, error: str) -> None:
    response = sim.request(method, path, json=body)
    assert response.status_code == 404, response.text
    assert response.json()["error"] == error


def test_wrong_method_is_405_json(sim: httpx.Client) -> None:
    response = sim.delete("/sim/state")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize(("path", "body", "error"), [
    ("/sim/devices/1006/answer", None, "invalid_state"),
    ("/sim/devices/1006/hold", None, "invalid_state"),
    ("/sim/devices/1006/retrieve", None, "invalid_state"),
    ("/sim/devices/1006/hangup", None, "invalid_state"),
    ("/sim/devices/1006/dtmf", {"digits": "1"}, "invalid_state"),
    ("/sim/devices/1006/dial", {"digits": "not a number"}, "bad_destination"),
    ("/sim/calls", {"from": "06 12", "to": "1001"}, "bad_destination"),
])
def test_engine_refusals_are_409_with_the_refusal(sim: httpx.Client, path: str, body: Any, error: str) -> None:
    response = sim.post(path, json=body)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == error
    assert response.json()["message"]


def test_a_second_offhook_on_a_busy_phone_is_refused(sim: httpx.Client) -> None:
    """A refusal that depends on state: 1007 in behaviour busy has no free appearance."""
    sim.put("/sim/devices/1007/behaviour", json={"mode": "busy"})
    try:
        response = sim.post("/sim/devices/1007/offhook")
        assert response.status_code == 409
        assert response.json()["error"] == "no_free_appearance"
    finally:
        sim.put("/sim/devices/1007/behaviour", json={"mode": "manual"})


def test_an_outside_caller_gives_up_while_queued_then_hangs_up_a_call(sim: httpx.Client) -> None:
    queued = post(sim, "/sim/calls", {"from": "0611111111", "to": "3100"}, status=201)["call"]
    assert call_states(sim, queued) is not None
    assert post(sim, f"/sim/calls/{queued}/hangup") == {"call": queued}
    assert call_states(sim, queued) is None

    talking = post(sim, "/sim/calls", {"from": "0622222222", "to": "1002", "name": "Caller"}, status=201)["call"]
    post(sim, "/sim/devices/1002/answer")
    assert post(sim, f"/sim/calls/{talking}/hangup", {"number": "0622222222"}) == {"call": talking}
    assert call_states(sim, talking) is None


def test_far_end_hangup_refusals(sim: httpx.Client) -> None:
    assert post(sim, "/sim/calls/999999/hangup", status=404)["error"] == "call_not_found"
    internal = post(sim, "/sim/devices/1001/dial", {"digits": "1002"})["call"]
    assert "no outside party" in post(sim, f"/sim/calls/{internal}/hangup", status=409)["message"]
    outside = post(sim, "/sim/calls", {"from": "0633333333", "to": "1003"}, status=201)["call"]
    assert "no outside party 0600" in post(sim, f"/sim/calls/{outside}/hangup", {"number": "0600"}, status=409)["message"]
    assert post(sim, f"/sim/calls/{outside}/hangup", {"numbr": "x"}, status=400)["error"]
    assert call_states(sim, outside) is not None  # a refused hang-up changes nothing
    post(sim, "/sim/devices/1001/hangup")
    post(sim, f"/sim/calls/{outside}/hangup")
