"""The Notify/NotifyAck window: one outstanding Notify per subscription,
later changes coalesced into the next snapshot, nothing lost once acked."""
from __future__ import annotations

from mtcti3_face_support import Sim, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State


def test_no_ack_means_no_second_notify_and_nothing_is_lost_once_acked(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.subscribe_user(3, "1002")
            sim.incoming("0611111111", "1002")
            ringing = await client.notify(3, "callcontrol", ack=False)
            (info,) = ringing.callinfo
            assert info.state == S.RINGING
            sim.act("1002", "answer")
            sim.act("1002", "hold")
            assert await client.silent(), "a second Notify came before the ack"
            await client.send(notifyack={"subscribe_id": 3, "notify_id": 999})  # not the outstanding id
            assert await client.silent()
            await client.send(notifyack={"subscribe_id": 3, "notify_id": client.last_notify_id})
            held = await client.notify(3, "callcontrol", ack=False)
            assert [(i.callid, i.state) for i in held.callinfo] == [(info.callid, S.ONHOLD)]
            assert held.refreshinstance == ringing.refreshinstance + 1
            sim.act("1002", "retrieve")
            sim.act("1002", "hangup")
            assert await client.silent()
            await client.send(notifyack={"subscribe_id": 3, "notify_id": client.last_notify_id})
            ended = await client.notify(3, "callcontrol")
            assert list(ended.callinfo) == [] and [c.callid for c in ended.calllost] == [info.callid]
            assert await client.silent()

    run(scenario)
    sim.hangup_all()


def test_a_client_that_never_acks_sees_each_first_notify_only(switch_server: RunningServer) -> None:
    """gomtcti3's behaviour (§7.3): it must not be disconnected for it."""
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            assert await client.subscribe(1, lines={"flags": 7}) == 0
            await client.notify(1, "lines", ack=False)
            assert await client.subscribe(2, queue={"name": "Sales", "flags": 3, "ccflags": 0x40039}) == 0
            await client.notify(2, "queue", ack=False)
            sim.incoming("0622222222", "3100")
            sim.act(sim.ringing(), "answer")
            assert await client.silent()
            assert await client.subscribe(9, lines={"flags": 1}) == 5  # still connected, still one Lines
            queued = [c for c in sim.calls() if c["group"] == "3100"]
            await client.send(subscribeend={"requestid": 4, "subscribe_id": 2})
            assert await client.response(4) == 0
            assert queued

    run(scenario)
    sim.hangup_all()


def test_a_subscription_expires_with_subscribeterminated_unless_refreshed(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            assert await client.subscribe(1, timeout=100, lines={"flags": 1}) == 0
            await client.notify(1, "lines")
            assert await client.subscribe(2, timeout=100, queue={"name": "Sales"}) == 0
            await client.notify(2, "queue")
            sim.advance(60)
            await client.send(subscribe={"requestid": 5, "subscribe_id": 1, "timeout": 100})  # refresh
            assert await client.response(5) == 0
            await client.send(subscribecmd={"requestid": 6, "subscribe_id": 2, "timeout": 0})  # A9: no expiry
            assert await client.response(6) == 0
            sim.advance(60)
            assert await client.silent()
            sim.advance(60)
            message = await client.recv()
            assert message.subscribeterminated.subscribe_id == 1
            await client.send(subscribeend={"requestid": 7, "subscribe_id": 1})
            assert await client.response(7) == 101
            await client.send(subscribeend={"requestid": 8, "subscribe_id": 2})
            assert await client.response(8) == 0

    run(scenario)
