"""Across faces (call-model §7 #12): an O2G user calls a turret line's number,
the line rings on the turret (onLineStatesChanged, onTopOfCallQueueChanged),
the turret answers it, and the O2G user's hang-up leaves the line idle.

The O2G side speaks plain HTTPS as ALE's SDKs do (o2g-wire.md §1):
descriptor, Basic authenticate, session, then telephony requests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from server_process import RunningServer
from turret_face_support import B, Receiver, login, turret_client


@pytest.fixture
def alice(switch_server: RunningServer) -> Iterator[tuple[httpx.Client, str]]:
    """An O2G session of user 1001; yields the client and its private base URL."""
    with switch_server.client(https=True) as http:
        root = http.get("/api/rest")
        root.raise_for_status()
        version = next(v for v in root.json()["versions"] if v["id"] == "1.0")
        auth = http.get(version["internalUrl"], auth=("1001", "1234"))
        auth.raise_for_status()
        sessions = auth.json()["internalUrl"]
        session = http.post(sessions, json={"applicationName": "turret-cross"})
        session.raise_for_status()
        yield http, session.json()["privateBaseUrl"]
        http.delete(sessions)


def test_an_o2g_call_to_a_turret_line_rings_it(switch_server: RunningServer,
                                               alice: tuple[httpx.Client, str]) -> None:
    http, base = alice
    receiver = Receiver()
    with turret_client(switch_server.urls["turret"]) as turret:
        turret.requestNotifications(receiver.subscriber_info("desk"))
        login(turret, receiver)
        made = http.post(base + "/telephony/basicCall",
                         json={"deviceId": "1001", "callee": "5003", "autoAnswer": True})
        assert made.status_code == 201, made.text
        receiver.expect_line("L3", B.Ringing)
        assert receiver.expect("onTopOfCallQueueChanged").args == ("L3",)
        data = receiver.expect("onCallDataChangedEx").args[0]
        assert (data.lineName, data.partyNumber, data.partyName) == ("L3", "1001", "Alice Martin")

        turret.answerCall(2)
        receiver.expect_line("L3", B.Connected, B.Conversation)
        assert http.post(base + "/telephony/basicCall/dropme").status_code == 204
        receiver.expect_line("L3", B.Idle)
        turret.logout()
    receiver.close()
