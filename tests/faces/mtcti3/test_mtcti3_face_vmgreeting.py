"""A user's line through every voicemail state, over a real TLS WebSocket,
on a company whose voicemail takes time to answer and plays a greeting
(`voicemail: {answer_delay, greeting}`; call-model §4.2: VM alerting /
connected / message being left -> RINGINGVOICEMAIL / ANSWEREDBYVOICEMAIL /
LEAVINGVOICEMAILMESSAGE, one callid until the call ends)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mtcti3_face_support import Sim, open_client, run
from server_process import RunningServer, start_server

from ctiswitch.config import demo_text
from ctiswitch.faces.mtcti3.constants import CallFeature
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State
CALLER = "1001"  # a phone the sim API can hang up
DEMO_VOICEMAIL = '  answer_delay: 0             # default 0\n  greeting: 0                 # default 0\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir: Path = tmp_path_factory.mktemp("greeting")
    demo = demo_text()
    assert DEMO_VOICEMAIL in demo
    (workdir / "company.yaml").write_text(demo.replace(DEMO_VOICEMAIL, "  answer_delay: 2\n  greeting: 3\n"))
    with start_server(workdir, "--virtual-clock", "--config", str(workdir / "company.yaml")) as running:
        yield running


def test_ringing_answered_then_recording_on_one_callid(server: RunningServer) -> None:
    sim = Sim(server)

    async def scenario() -> None:
        ws, user = await open_client(server)
        async with ws:
            before = (await user.subscribe_user(1, "1004", flags=0x01)).mailbox.newmessages
            sim.act(CALLER, "dial", digits="1004")
            ring = (await user.notify(1, "callcontrol")).callinfo[0]
            assert ring.state == S.RINGING

            seen = []
            for seconds in (15, 2, 3):  # no answer; voicemail picks up; the greeting ends
                sim.advance(seconds)
                info = (await user.notify(1, "callcontrol")).callinfo[0]
                assert info.callid == ring.callid and info.featuresavailable == CallFeature.Drop
                seen.append(info.state)
            assert seen == [S.RINGINGVOICEMAIL, S.ANSWEREDBYVOICEMAIL, S.LEAVINGVOICEMAILMESSAGE]

            sim.advance(5)
            sim.act(CALLER, "hangup")
            ends = {}
            for _ in range(2):  # the message counted and the call lost, in either order
                message = await user.recv()
                kind = message.notify.WhichOneof("payload")
                ends[kind] = await user.acknowledge(message, 1, kind)
            assert [c.callid for c in ends["callcontrol"].calllost] == [ring.callid]
            assert ends["user"].mailbox.newmessages == before + 1

    run(scenario)
    sim.hangup_all()


def test_a_caller_who_hangs_up_during_the_greeting_leaves_no_message(server: RunningServer) -> None:
    sim = Sim(server)

    async def scenario() -> None:
        ws, user = await open_client(server)
        async with ws:
            before = (await user.subscribe_user(1, "1003", flags=0x01)).mailbox.newmessages
            sim.act(CALLER, "dial", digits="1003")
            ring = (await user.notify(1, "callcontrol")).callinfo[0]
            sim.advance(17)  # ringing, then answered by voicemail
            while (info := (await user.notify(1, "callcontrol")).callinfo[0]).state != S.ANSWEREDBYVOICEMAIL:
                assert info.callid == ring.callid
            sim.advance(1)
            sim.act(CALLER, "hangup")
            assert [c.callid for c in (await user.notify(1, "callcontrol")).calllost] == [ring.callid]
            assert await user.silent()  # no mailbox change to notify
            assert sim.calls() == []
            ws2, again = await open_client(server)
            async with ws2:
                assert (await again.subscribe_user(1, "1003", flags=0x01)).mailbox.newmessages == before

    run(scenario)
    sim.hangup_all()
