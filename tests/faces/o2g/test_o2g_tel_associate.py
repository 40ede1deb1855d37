"""O2G overflow to the associate over HTTPS (o2g.md §2.6: overflow routes
to VOICEMAIL or ASSOCIATE; call-model §2.4 R2n): the route is set, shown in
GET routing, the state and OnRoutingStateChanged, and a call to the user
that is not answered rings the associate; a user without an associate is
refused.

The demo company gives nobody an associate, so this module runs its own
server on the demo company with 1001 (Alice) given the associate 1002.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from o2g_client import O2GClient
from o2g_tel_support import (
    advance,
    call_events,
    calls_in_switch,
    hang_up_everything,
    listening,
    ok,
    phone,
    refused,
)
from server_process import RunningServer, start_server

from ctiswitch.config import demo_text

ROUTING = [{"ids": [], "names": ["routingManagement"]}]
ALL_TELEPHONY = [{"ids": ["*"], "names": ["telephony"]}]
ASSOCIATE_ROUTE = {"overflowType": "NO_ANSWER", "destinations": [{"type": "ASSOCIATE"}]}


def _company_with_an_associate() -> str:
    """The demo company, with 1001's associate 1002 (the first user's block)."""
    text = demo_text()
    marker = "    external_calls: true\n"
    assert marker in text
    return text.replace(marker, marker + '    associate: "1002"\n', 1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("associate")
    config = Path(workdir) / "company.yaml"
    config.write_text(_company_with_an_associate(), encoding="utf-8")
    with start_server(workdir, "--virtual-clock", "--config", str(config)) as running:
        yield running


@pytest.fixture
def alice(server: RunningServer) -> Iterator[O2GClient]:
    with O2GClient(server, "1001", "1234") as client:
        yield client
        client.delete("/routing/overflowroute")
    hang_up_everything(server)


def _brief(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["eventName"], e["loginName"], e.get("cause")) for e in events]


def test_associate_route_is_set_shown_and_announced(server: RunningServer, alice: O2GClient) -> None:
    with listening(server, "1001", selectors=ROUTING) as (_, events):
        ok(alice.post("/routing/overflowroute", json={"overflowRoutes": [ASSOCIATE_ROUTE]}))
        shown = {"overflowType": "NO_ANSWER", "destinations": [{"type": "ASSOCIATE", "number": "1002"}]}
        event = events.wait_for("OnRoutingStateChanged")
        assert event["loginName"] == "1001" and event["routingState"]["overflowRoutes"] == [shown]
        assert ok(alice.get("/routing/overflowroute"), 200) == shown
        assert ok(alice.get("/routing/state"), 200)["overflowRoutes"] == [shown]
        ok(alice.post("/routing/state/snapshot"))
        assert events.wait_for("OnRoutingStateChanged")["routingState"]["overflowRoutes"] == [shown]
        # What a client read back may be sent again, the associate's number included.
        ok(alice.post("/routing/overflowroute", json={"overflowRoutes": {
            "overflowType": "BUSY_NO_ANSWER", "destinations": [{"type": "ASSOCIATE", "number": "1002"}]}}))
        assert ok(alice.get("/routing/overflowroute"), 200)["overflowType"] == "BUSY_NO_ANSWER"
        ok(alice.delete("/routing/overflowroute"))
        assert ok(alice.get("/routing/overflowroute"), 200) == {"destinations": []}


def test_unanswered_call_rings_the_associate(server: RunningServer, alice: O2GClient) -> None:
    ok(alice.post("/routing/overflowroute", json={"overflowRoutes": [ASSOCIATE_ROUTE]}))
    with listening(server, "admin", "admin", ALL_TELEPHONY) as (_, events):
        phone(server, "1003", "dial", "1001")
        assert sorted(_brief(call_events(events, 2))) == [("OnCallCreated", "1001", None),
                                                          ("OnCallCreated", "1003", None)]
        advance(server, 15)
        moved = {e["loginName"]: e for e in call_events(events, 3)}
        assert sorted(_brief(list(moved.values()))) == [
            ("OnCallCreated", "1002", "FORWARDED"), ("OnCallModified", "1003", "FORWARDED"),
            ("OnCallRemoved", "1001", "FORWARDED")]
        assert moved["1001"]["newDestination"] == "1002"
        assert moved["1002"]["callData"]["state"] == "RINGING_INCOMING"
    parties = [(p["number"], p["state"]) for p in calls_in_switch(server)[0]["parties"]]
    assert parties == [("1003", "connected"), ("1002", "alerting")]


def test_refused_without_an_associate(server: RunningServer, alice: O2GClient) -> None:
    with O2GClient(server, "1002", "1234") as bruno:
        body = refused(bruno.post("/routing/overflowroute", json={"overflowRoutes": [ASSOCIATE_ROUTE]}),
                       400, "BAD_PARAMETER")
        assert body["routing"]["errorCause"] == "INVALID_OVERFLOW_ROUTE"
        assert ok(bruno.get("/routing/overflowroute"), 200) == {"destinations": []}
    # A number that is not internal cannot become the associate; nothing changes.
    body = refused(alice.post("/routing/overflowroute", json={"overflowRoutes": [
        {"overflowType": "BUSY", "destinations": [{"type": "ASSOCIATE", "number": "0612345678"}]}]}),
        400, "BAD_PARAMETER")
    assert body["routing"]["errorCause"] == "INVALID_OVERFLOW_ROUTE"
    assert ok(alice.get("/routing/overflowroute"), 200) == {"destinations": []}


def test_an_associate_route_with_another_number_updates_the_associate(
        server: RunningServer, alice: O2GClient) -> None:
    """o2g.md §2.6: an ASSOCIATE overflow route updates the associate."""
    with O2GClient(server, "1002", "1234") as bruno:
        ok(bruno.post("/routing/overflowroute", json={"overflowRoutes": [
            {"overflowType": "BUSY", "destinations": [{"type": "ASSOCIATE", "number": "1004"}]}]}))
        assert ok(bruno.get("/routing/overflowroute"), 200) == {
            "overflowType": "BUSY", "destinations": [{"type": "ASSOCIATE", "number": "1004"}]}
        ok(bruno.delete("/routing/overflowroute"))
