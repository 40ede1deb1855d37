"""Helpers for the O2G telephony, routing, comlog and event summary tests:
play the phones through the sim API, and read O2G events compactly."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from o2g_client import EventChannel, O2GClient
from server_process import RunningServer

TELEPHONY = [{"ids": [], "names": ["telephony"]}]


def sim(server: RunningServer, path: str, **body: Any) -> Any:
    """POST to the sim API; returns the JSON answer."""
    with server.client() as client:
        response = client.post(path, json=body)
        response.raise_for_status()
        return response.json()


def phone(server: RunningServer, number: str, action: str, digits: str | None = None) -> Any:
    body = {"digits": digits} if digits is not None else {}
    return sim(server, f"/sim/devices/{number}/{action}", **body)


def advance(server: RunningServer, seconds: float) -> None:
    sim(server, "/sim/clock/advance", seconds=seconds)


def calls_in_switch(server: RunningServer) -> list[dict[str, Any]]:
    with server.client() as client:
        return list(client.get("/sim/state").json()["calls"])


def hang_up_everything(server: RunningServer) -> None:
    """Leave no call behind for the next test of the module."""
    for _ in range(10):
        calls = calls_in_switch(server)
        if not calls:
            return
        for call in calls:
            for party in call["parties"]:
                for conn in party["connections"]:
                    with server.client() as client:
                        client.post(f"/sim/devices/{conn['dn']}/hangup")
    raise AssertionError(f"calls left behind: {calls_in_switch(server)}")


def summary(event: dict[str, Any]) -> tuple[Any, ...]:
    """(eventName, callRef, cause, state) — the shape of a call event."""
    data = event.get("callData") or {}
    return (event["eventName"], event.get("callRef"), event.get("cause"), data.get("state"))


def legs(event: dict[str, Any], key: str = "legs") -> dict[str, str]:
    return {leg["deviceId"]: leg["state"] for leg in event.get(key, [])}


def call_events(channel: EventChannel, count: int) -> list[dict[str, Any]]:
    """The next `count` call events (skipping user-state and other events)."""
    names = ("OnCallCreated", "OnCallModified", "OnCallRemoved")
    return [channel.wait_for(lambda e: e["eventName"] in names) for _ in range(count)]


def ok(response: Any, status: int = 204) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def refused(response: Any, status: int, type_: str, error_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == type_, body
    if error_type is not None:
        assert body["telephony"]["errorType"] == error_type, body
    return body


def open_user(server: RunningServer, login: str) -> O2GClient:
    client = O2GClient(server, login, "1234")
    client.open()
    return client


@contextmanager
def listening(server: RunningServer, login: str, password: str = "1234",
              selectors: list[dict[str, Any]] | None = None) -> Iterator[tuple[O2GClient, EventChannel]]:
    """A session subscribed to `selectors` (telephony by default) with its
    channel open. The session is closed before the channel, so the server
    ends the stream and the reader stops at once instead of timing out."""
    client = O2GClient(server, login, password)
    client.open()
    channel: EventChannel | None = None
    try:
        client.subscribe(selectors or TELEPHONY)
        channel = client.channel()
        yield client, channel
    finally:
        client.close()
        if channel is not None:
            channel.close()
