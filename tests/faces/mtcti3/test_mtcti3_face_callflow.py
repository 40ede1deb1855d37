"""An external call into queue 3100 seen through user, queue and park-server
subscriptions while it is distributed, answered, transferred, conferenced,
parked and unparked (call-model §4.6 on the MTCTI-3 wire)."""
from __future__ import annotations

from typing import Any

from mtcti3_face_support import Client, Sim, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State
CALLER = "0612345678"


async def infos(client: Client, sid: int) -> tuple[dict[int, Any], list[Any]]:
    control = await client.calls(sid)
    return {i.callid: i for i in control.callinfo}, list(control.calllost)


async def settle(client: Client, sid: int) -> tuple[dict[int, Any], list[Any]]:
    """Every callcontrol Notify until the subscription goes quiet, merged:
    the latest snapshot per callid, and every loss."""
    merged, losts = await infos(client, sid)
    while (message := await client.maybe()) is not None:
        control = await client.acknowledge(message, sid, "callcontrol")
        merged.update({i.callid: i for i in control.callinfo})
        losts += list(control.calllost)
    return merged, losts


def test_a_queue_call_through_answer_transfer_conference_park_and_unpark(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws_a, agent), (ws_q, queue), (ws_b, alice), (ws_p, park) = [
            await open_client(switch_server) for _ in range(4)]
        async with ws_a, ws_q, ws_b, ws_p:
            await agent.subscribe_user(10, "1005")
            await queue.subscribe_queue(20)
            await alice.subscribe_user(30, "1001")
            assert await park.subscribe(40, parkserver={"ccflags": 1}) == 0
            await park.notify(40, "parkserver")

            # 1. The call arrives and rings the longest-idle agent, 1005.
            sim.incoming(CALLER, "3100")
            calls, _ = await infos(queue, 20)
            (qcall,) = calls.values()
            assert qcall.state == S.RINGING and qcall.callingparty.number == CALLER
            assert qcall.queueinfo.number == "3100" and qcall.queueinfo.name == "Sales"
            assert [t.partyinfo.number for t in qcall.targets.target] == ["1005"]
            assert qcall.featuresavailable & 0x6060E001 == 0x6060E001
            calls, _ = await infos(agent, 10)
            (ring,) = calls.values()
            assert ring.state == S.RINGING and ring.direction == CallInfo.INBOUND
            assert ring.featuresavailable == 0x23 and ring.gcid == qcall.gcid
            assert ring.originalcalledparty.number == "3100"

            # 2. The agent answers through MTCTI-3.
            assert await agent.function(10, ring.callid, A.AnswerCall) == 0
            calls, _ = await infos(agent, 10)
            assert calls[ring.callid].state == S.CONNECTED
            assert calls[ring.callid].connectedparty.number == CALLER
            calls, _ = await infos(queue, 20)
            assert calls[qcall.callid].state == S.CONNECTED
            assert calls[qcall.callid].connectedparty.number == "1005"

            # 3. SetupTransfer to 1001: the original is pending transfer, the
            # assistant call rings back; each points at the other (A16).
            assert await agent.function(10, ring.callid, A.SetupTransfer, "1001") == 0
            calls, _ = await infos(agent, 10)
            held = calls[ring.callid]
            (assist,) = [i for c, i in calls.items() if c != ring.callid]
            assert held.state == S.ONHOLDPENDTRANSFER and held.relatedcallid == assist.callid
            assert assist.state == S.RINGBACK and assist.relatedcallid == held.callid
            assert assist.direction == CallInfo.OUTBOUND and assist.calledparty == "1001"
            calls, _ = await infos(alice, 30)
            (alice_ring,) = calls.values()
            assert alice_ring.state == S.RINGING

            # 4. 1001 answers at the phone; 5. the agent completes the transfer:
            # both appearances are lost in one Notify.
            sim.act("1001", "answer")
            calls, _ = await infos(agent, 10)
            assert calls[assist.callid].state == S.CONNECTED
            await infos(alice, 30)
            assert await agent.function(10, assist.callid, A.CompleteTransfer) == 0
            calls, lost = await infos(agent, 10)
            assert calls == {} and sorted(c.callid for c in lost) == sorted([held.callid, assist.callid])
            calls, _ = await infos(alice, 30)
            talk = calls[alice_ring.callid]
            assert talk.state == S.CONNECTED and talk.connectedparty.number == CALLER
            calls, _ = await settle(queue, 20)
            assert calls[qcall.callid].connectedparty.number == "1001"

            # Conference: 1001 brings in 1006, then drops it again.
            assert await alice.function(30, talk.callid, A.SetupConf, "1006") == 0
            calls, _ = await infos(alice, 30)
            assert calls[talk.callid].state == S.ONHOLDPENDCONF
            (conf_leg,) = [c for c in calls if c != talk.callid]
            sim.act("1006", "answer")
            calls, _ = await infos(alice, 30)
            assert calls[conf_leg].state == S.CONNECTED
            assert await alice.function(30, conf_leg, A.CompleteConf) == 0
            calls, lost = await infos(alice, 30)
            conf = calls[talk.callid]
            assert [c.callid for c in lost] == [conf_leg]
            assert conf.state == S.CONNECTED and conf.connectedparty.nametype == 110
            members = {m.connectedparty.number: m.lref for m in conf.conferencemember}
            assert set(members) == {CALLER, "1006"}
            assert conf.featuresavailable & 0x1800 == 0x1800  # AddToConf, AdminConfMember
            assert await alice.function(30, talk.callid, A.MemberFunction,
                                        memberfunctiondata={"lref": members["1006"], "action": 1}) == 0
            calls, _ = await infos(alice, 30)
            assert calls[talk.callid].connectedparty.number == CALLER

            # Park in slot 7: 1001 loses the call, the park server shows it.
            assert await alice.function(30, talk.callid, A.Park, "7") == 0
            calls, lost = await infos(alice, 30)
            assert [c.callid for c in lost] == [talk.callid]
            calls, _ = await infos(park, 40)
            (parked,) = calls.values()
            assert parked.parkslot == "7" and parked.gcid == qcall.gcid

            # UnPark onto 1001 with the client's referencecallid: a new callid.
            assert await alice.command(30, referencecallid=55, unparkcall={"parkid": "7"}) == 0
            calls, _ = await infos(alice, 30)
            (back,) = calls.values()
            assert back.referencecallid == 55 and back.callid != talk.callid
            assert back.direction == CallInfo.PICKUP and back.state == S.CONNECTED
            _, lost = await infos(park, 40)
            assert [c.callid for c in lost] == [parked.callid]

            # The queue still follows the call; ForceClear from the queue ends it.
            await settle(queue, 20)
            assert await queue.function(20, qcall.callid, A.ForceClear) == 0
            _, lost = await infos(queue, 20)
            assert [c.callid for c in lost] == [qcall.callid]
            _, lost = await infos(alice, 30)
            assert [c.callid for c in lost] == [back.callid] and lost[0].reason == 16

    run(scenario)
    sim.hangup_all()
