"""Actions on queued calls that replace the queueing (spec/mtcti3.md §4.4):
BlindTransfer of a call still waiting, Redirect of one ringing agents."""
from __future__ import annotations

from mtcti3_face_support import Sim, latest_calls, open_client, run, set_agents
from server_process import RunningServer

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State
TRANSFERFAILED = 612


def test_mtcti3_face_queue_sends_waiting_and_ringing_calls_on(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        ws2, user = await open_client(switch_server)
        async with ws, ws2:
            await client.subscribe_queue(2)
            await user.subscribe_user(8, "1008")

            # A waiting call (no agent free) is blind-transferred to 1008.
            await set_agents(client, False)
            sim.incoming("0655555555", "3100")
            (call,) = (await latest_calls(client, 2)).values()
            assert call.state == S.QUEUEING and call.featuresavailable & 0x10
            assert await client.function(2, call.callid, A.BlindTransfer, "0600000486") == TRANSFERFAILED
            assert await client.function(2, call.callid, A.BlindTransfer, "1008") == 0
            (ring,) = (await latest_calls(user, 8)).values()
            assert ring.state == S.RINGING and ring.callingparty.number == "0655555555"
            sim.act("1008", "answer")
            sim.act("1008", "hangup")
            await latest_calls(user, 8)
            await latest_calls(client, 2)

            # A call ringing an agent is redirected: the agent stops ringing.
            await set_agents(client, True)
            sim.incoming("0655555555", "3100")
            (call,) = (await latest_calls(client, 2)).values()
            assert call.state == S.RINGING and call.featuresavailable & 0x30 == 0x30
            assert await client.function(2, call.callid, A.Redirect, "1008") == 0
            (ring,) = (await latest_calls(user, 8)).values()
            assert ring.state == S.RINGING
            assert all(c["state"] != "alerting" for call_ in sim.calls() for p in call_["parties"]
                       if p["number"] in ("1005", "1006", "1007") for c in p["connections"])
            sim.act("1008", "answer")
            sim.act("1008", "hangup")

    run(scenario)
    sim.hangup_all()


def test_mtcti3_face_queue_follows_its_call_ringing_where_it_sent_it(switch_server: RunningServer) -> None:
    """After the queue sends its call to someone who is not an agent, the
    queue line shows it RINGING there, with that target, and may still
    send it on (BlindTransfer, Redirect); then CONNECTED once answered."""
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.subscribe_queue(2)
            await set_agents(client, False)
            sim.incoming("0655555555", "3100")
            (call,) = (await latest_calls(client, 2)).values()
            assert await client.function(2, call.callid, A.BlindTransfer, "1008") == 0
            sent = (await latest_calls(client, 2))[call.callid]
            assert sent.state == S.RINGING and sent.featuresavailable == 0x6060E031
            assert [t.partyinfo.number for t in sent.targets.target] == ["1008"]
            assert await client.function(2, call.callid, A.Park, "5") == 609  # a ringing call cannot be parked

            assert await client.function(2, call.callid, A.Redirect, "1002") == 0
            moved = (await latest_calls(client, 2))[call.callid]
            assert moved.state == S.RINGING and [t.partyinfo.number for t in moved.targets.target] == ["1002"]
            sim.act("1002", "answer")
            talking = (await latest_calls(client, 2))[call.callid]
            assert talking.state == S.CONNECTED and talking.connectedparty.number == "1002"
            assert not talking.targets.target
            sim.act("1002", "hangup")
            await latest_calls(client, 2)
            await set_agents(client, True)

    run(scenario)
    sim.hangup_all()


def test_mtcti3_face_owner_queue_follows_its_call_into_another_queue(switch_server: RunningServer) -> None:
    """spec/mtcti3.md §5.3 "to another queue": the owner queue's line keeps
    the call QUEUEING while another queue handles it, with that queue as
    queueinfo's overflow and its ringing agents as targets; the other
    queue's own line does not show it (one queue follows a call at a time)
    until the owner sends Finish "1"."""
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws, client), (ws3, support) = [await open_client(switch_server) for _ in range(2)]
        async with ws, ws3:
            await client.subscribe_queue(2)
            await support.subscribe_queue(3, name="Support")
            await set_agents(client, False)
            sim.incoming("0655555555", "3100")
            (call,) = (await latest_calls(client, 2)).values()
            assert await client.function(2, call.callid, A.BlindTransfer, "3000") == 0
            moved = (await latest_calls(client, 2))[call.callid]
            assert moved.state == S.QUEUEING and moved.featuresavailable == 0x6060E091
            assert (moved.queueinfo.number, moved.queueinfo.overflow_number, moved.queueinfo.overflow_name) == (
                "3100", "3000", "Support")
            assert sorted(t.partyinfo.number for t in moved.targets.target) == ["1005", "1006", "1007"]
            assert not await support.maybe()  # Support does not follow it

            # Finish "1": Support, where the call now rings, follows it at once.
            assert await client.function(2, call.callid, A.Finish, "1") == 0
            control = await client.notify(2, "callcontrol")
            assert [c.description for c in control.calllost] == ["finished"]
            (there,) = (await latest_calls(support, 3)).values()
            assert there.state == S.RINGING and there.queueinfo.number == "3000"
            assert not there.queueinfo.overflow_number
            sim.act("1006", "answer")
            answered = (await latest_calls(support, 3))[there.callid]
            assert answered.state == S.CONNECTED and answered.connectedparty.number == "1006"
            sim.act("1006", "hangup")
            await latest_calls(support, 3)
            await set_agents(client, True)

    run(scenario)
    sim.hangup_all()
