"""O2G subscriptions and event delivery over HTTPS: the chunked channel,
filtering by selector, keepalive, delete, and webhooks (o2g.md §1.8-1.9,
§2.3; o2g-wire.md §2, §3.3). Events come from the users service
(OnUserInfoChanged on preference changes)."""
from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from o2g_client import O2GClient
from server_process import RunningServer

USER_EVENTS = [{"ids": [], "names": ["user"]}]


def advance(server: RunningServer, seconds: float) -> None:
    with server.client() as sim:
        sim.post("/sim/clock/advance", json={"seconds": seconds}).raise_for_status()


def change_language(client: O2GClient, login: str, language: str) -> None:
    response = client.post(f"/users/{login}/preferences", json={"guiLanguage": language})
    assert response.status_code == 204, response.text


def test_channel_starts_with_channel_information_and_streams_own_events(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice, O2GClient(switch_server, "1002", "1234") as bruno:
        subscription = alice.subscribe(USER_EVENTS)
        assert subscription["status"] == "ACCEPTED"
        assert subscription["privatePollingUrl"].startswith(switch_server.https_url)
        with alice.channel() as events:
            change_language(bruno, "1002", "de")
            change_language(alice, "1001", "fr")
            event = events.next_event()
            assert event["eventName"] == "OnUserInfoChanged"
            assert event["loginName"] == "1001"
            assert event["user"]["loginName"] == "1001"
            assert events.drain() == []
            assert all("\n" not in line and line.strip() for line in events.lines)


def test_administrator_star_sees_every_user(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "admin", "admin") as admin, O2GClient(switch_server, "1003", "1234") as chloe:
        assert admin.subscribe([{"ids": ["*"], "names": ["user"]}])["status"] == "ACCEPTED"
        with admin.channel() as events:
            change_language(chloe, "1003", "it")
            change_language(admin, "1004", "es")
            seen = [events.wait_for("OnUserInfoChanged")["loginName"] for _ in range(2)]
        assert seen == ["1003", "1004"]


def test_administrator_ids_select_those_users(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "admin", "admin") as admin:
        assert admin.subscribe([{"ids": ["1005"], "names": ["OnUserInfoChanged"]}])["status"] == "ACCEPTED"
        with admin.channel() as events:
            change_language(admin, "1006", "nl")
            change_language(admin, "1005", "nl")
            assert events.wait_for("OnUserInfoChanged")["loginName"] == "1005"


def test_filter_update_replaces_selectors(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        alice.subscribe([{"ids": [], "names": ["telephony"]}])
        with alice.channel() as events:
            change_language(alice, "1001", "es")
            assert alice.put("/subscriptions", json={"selectors": USER_EVENTS}).status_code == 204
            change_language(alice, "1001", "pt")
            event = events.wait_for("OnUserInfoChanged")
            assert event["user"]["loginName"] == "1001"
            assert events.drain() == []


def test_user_session_is_refused_other_users_and_admin_packages(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        other = alice.subscribe([{"ids": ["1002"], "names": ["user"]}])
        system = alice.subscribe([{"names": ["system"]}])
    assert other["status"] == "REFUSED" and other["message"]
    assert system["status"] == "REFUSED"


def test_events_wait_while_no_channel_is_connected(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1007", "1234") as user:
        user.subscribe(USER_EVENTS)
        change_language(user, "1007", "fi")
        with user.channel() as events:
            assert events.wait_for("OnUserInfoChanged")["loginName"] == "1007"


def test_keepalive_on_the_clock(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        alice.subscribe(USER_EVENTS, timeout=0)
        with alice.channel() as events:
            advance(switch_server, 61)
            assert events.next_event() == {"eventName": "OnChannelInformation", "text": "keepalive"}


def test_idle_channel_is_aborted_after_its_timeout(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        alice.subscribe(USER_EVENTS, timeout=2)
        with alice.channel() as events:
            advance(switch_server, 121)
            assert events.ended.wait(10)
            assert events.error is not None
        with alice.channel() as again:
            change_language(alice, "1001", "en")
            assert again.wait_for("OnUserInfoChanged")["loginName"] == "1001"


def test_delete_aborts_the_channel_and_the_url_dies(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        subscription = alice.subscribe(USER_EVENTS)
        with alice.channel() as events:
            assert alice.delete(f"/subscriptions/{subscription['subscriptionId']}").status_code == 204
            assert events.ended.wait(10)
            assert events.error is not None
        with alice.channel(wait_open=False) as dead:
            assert dead.ended.wait(10)
            assert dead.status == 404


def test_session_close_ends_the_channel(switch_server: RunningServer) -> None:
    alice = O2GClient(switch_server, "1001", "1234")
    alice.open()
    alice.subscribe(USER_EVENTS)
    with alice.channel() as events:
        alice.close()
        assert events.ended.wait(10)


@pytest.mark.parametrize("body, field", [
    ({"filter": {"selectors": []}}, "version"),
    ({"version": "1.0", "timeout": 1}, "timeout"),
    ({"version": "1.0", "timeout": "ten"}, "timeout"),
    ({"version": "1.0", "filter": {"selectors": [{"ids": []}]}}, "filter.selectors[0].names"),
    ({"version": "1.0", "filter": {"selectors": [{"names": ["nonsense"]}]}}, "filter.selectors[0].names"),
    ({"version": "1.0", "filter": {"selectors": [{"names": "user"}]}}, "filter.selectors[0].names"),
    ({"version": "1.0", "webHookUrl": "not a url"}, "webHookUrl"),
])
def test_bad_subscription_names_the_field(switch_server: RunningServer, body: dict[str, Any], field: str) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        response = alice.post("/subscriptions", json=body)
    assert response.status_code == 400
    assert response.json()["type"] == "BAD_PARAMETER"
    assert response.json()["innerMessage"].startswith(field + ":")


class _Receiver(BaseHTTPRequestHandler):
    """Collects webhook POST bodies; fails the first POST when told to."""

    received: queue.Queue[dict[str, Any]]
    fail_first: list[bool]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.fail_first and self.fail_first.pop():
            self.send_response(503)
        else:
            self.received.put(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def receiver() -> Iterator[tuple[str, queue.Queue[dict[str, Any]]]]:
    received: queue.Queue[dict[str, Any]] = queue.Queue()
    handler = type("Receiver", (_Receiver,), {"received": received, "fail_first": [True]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/o2g-events", received
    server.shutdown()
    server.server_close()


def test_webhook_receives_the_same_events_as_a_channel(
        switch_server: RunningServer, receiver: tuple[str, queue.Queue[dict[str, Any]]]) -> None:
    url, received = receiver
    with O2GClient(switch_server, "1008", "1234") as hook, O2GClient(switch_server, "1008", "1234") as chunk:
        accepted = hook.subscribe(USER_EVENTS, timeout=None, webHookUrl=url)
        assert accepted["status"] == "ACCEPTED" and "privatePollingUrl" not in accepted
        chunk.subscribe(USER_EVENTS)
        with chunk.channel() as events:
            change_language(hook, "1008", "sv")
            change_language(hook, "1008", "no")
            by_channel = [events.wait_for("OnUserInfoChanged") for _ in range(2)]
        by_webhook = [received.get(timeout=10) for _ in range(2)]
    assert by_webhook == by_channel
    assert [e["user"]["loginName"] for e in by_webhook] == ["1008", "1008"]


def test_overflow_terminates_the_subscription(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1005", "1234") as user:
        user.subscribe(USER_EVENTS)
        languages = ["fr", "de"]
        for index in range(1001):
            change_language(user, "1005", languages[index % 2])
        with user.channel(wait_open=False) as dead:
            assert dead.ended.wait(10)
            assert dead.status == 404
        assert user.subscribe(USER_EVENTS)["status"] == "ACCEPTED"
