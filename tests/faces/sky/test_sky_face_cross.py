"""One switch, several faces: calls made through O2G REST or at another phone are seen and handled on Sky."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_process import RunningServer
from sky_face_support import SkyStream, command, hang_up_everything

ALICE = "6465551001"


@pytest.fixture
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client
        hang_up_everything(client)


def o2g_session(client: httpx.Client, login: str, password: str) -> str:
    """Log in the way ALE's SDKs do (root, Basic authenticate, open a session); the session's base URL."""
    version = next(v for v in client.get("/api/rest").json()["versions"] if v["id"] == "1.0")
    auth = client.get(version["internalUrl"], auth=(login, password))
    auth.raise_for_status()
    session = client.post(auth.json()["internalUrl"], json={"applicationName": "sky-cross-test"})
    session.raise_for_status()
    base: str = session.json()["privateBaseUrl"]
    return base


def o2g(client: httpx.Client, method: str, url: str, body: dict[str, Any] | None = None) -> httpx.Response:
    response = client.request(method, url, json=body)
    assert response.is_success, response.text
    return response


def test_an_o2g_call_to_1001_is_seen_and_answered_on_sky(switch_server: RunningServer, sim: httpx.Client) -> None:
    with switch_server.client(https=True) as rest, SkyStream(switch_server.http_url) as sky:
        sky.send(command("subscribe", ALICE, id="1"))
        assert sky.reply().result_text == "0"
        base = o2g_session(rest, "1002", "1234")
        o2g(rest, "POST", base + "/telephony/calls", {"deviceId": "1002", "callee": "1001", "autoAnswer": True})
        ringing = sky.reply().calls[0]
        assert (ringing["State"], ringing["Ani"], ringing["CLID"], ringing["Originated"]) == (
            "RINGING", "1002", "1001", "false")
        sky.send(command("answer", ALICE, ringing["Id"], "", id="2"))
        answered, connected = sky.replies(2)
        assert answered.result_text == "true" and connected.calls[0]["State"] == "CONNECTED"
        [call] = o2g(rest, "GET", base + "/telephony/calls").json()["calls"]
        o2g(rest, "DELETE", base + f"/telephony/calls/{call['callRef']}")
        assert sky.reply().calls[0]["State"] == "DELETED"


def test_a_call_from_another_phone_is_seen_and_answered_on_sky(switch_server: RunningServer,
                                                               sim: httpx.Client) -> None:
    with SkyStream(switch_server.http_url) as sky:
        sky.send(command("subscribe", ALICE, id="3"))
        assert sky.reply().result_text == "0"
        sim.post("/sim/devices/1002/dial", json={"digits": "1001"}).raise_for_status()
        ringing = sky.reply().calls[0]
        assert (ringing["State"], ringing["Ani"], ringing["CLID"]) == ("RINGING", "1002", "1001")
        sky.send(command("answer", ALICE, "", "", id="4"))
        answered, connected = sky.replies(2)
        assert answered.result_text == "true" and connected.calls[0]["State"] == "CONNECTED"
        sim.post("/sim/devices/1002/hangup").raise_for_status()
        assert sky.reply().calls[0]["State"] == "DELETED"
