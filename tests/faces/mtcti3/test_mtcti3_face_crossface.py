"""One switch, two faces: a call made through O2G shows in an MTCTI-3 user
subscription, and an MTCTI-3 MakeCall shows in O2G events (DESIGN.md: all
faces read and change the same state)."""
from __future__ import annotations

import sys
from pathlib import Path

from mtcti3_face_support import Sim, latest_calls, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

# The O2G test client lives with the O2G tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "o2g"))
from o2g_client import O2GClient

S = CallInfo.State
TELEPHONY = [{"ids": [], "names": ["telephony"]}]


def test_mtcti3_face_sees_o2g_calls_and_o2g_sees_mtcti3_calls(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            with O2GClient(switch_server, "1001", "1234") as alice:
                alice.subscribe(TELEPHONY)
                with alice.channel() as events:
                    await client.subscribe_user(1, "1002")
                    await client.subscribe_user(2, "1003")

                    # O2G makes the call; MTCTI-3 sees 1002 ring and answers.
                    made = alice.post("/telephony/calls", json={"deviceId": "1001", "callee": "1002",
                                                                "autoAnswer": True})
                    assert made.status_code == 201, made.text
                    (ring,) = (await latest_calls(client, 1)).values()
                    assert ring.state == S.RINGING and ring.callingparty.number == "1001"
                    created = events.wait_for("OnCallCreated")
                    assert await client.function(1, ring.callid, A.AnswerCall) == 0
                    (talk,) = (await latest_calls(client, 1)).values()
                    assert talk.state == S.CONNECTED and talk.gcid == ring.gcid
                    active = events.wait_for(lambda e: e.get("eventName") == "OnCallModified"
                                             and (e.get("callData") or {}).get("state") == "ACTIVE")
                    assert active["callRef"] == created["callRef"]
                    assert await client.function(1, talk.callid, A.DropCall) == 0
                    assert await latest_calls(client, 1) == {}
                    events.wait_for("OnCallRemoved")

                    # MTCTI-3 makes the call; O2G sees 1001 ring.
                    assert await client.command(2, referencecallid=5, makecall={"target": "1001"}) == 0
                    (out,) = (await latest_calls(client, 2)).values()
                    assert out.referencecallid == 5 and out.state == S.RINGBACK
                    incoming = events.wait_for("OnCallCreated")
                    assert incoming["callData"]["state"] == "RINGING_INCOMING"
                    assert {leg["deviceId"] for leg in incoming["legs"]} >= {"1001"}
                    sim.act("1001", "answer")
                    (out,) = (await latest_calls(client, 2)).values()
                    assert out.state == S.CONNECTED and out.connectedparty.number == "1001"
                    hangup = alice.post("/telephony/basicCall/dropme")
                    assert hangup.status_code < 300, hangup.text
                    assert await latest_calls(client, 2) == {}

    run(scenario)
    sim.hangup_all()
