"""Call-control features in allowed and refused states, MakeCall, and the
user and queue configuration changes (DND, forwarding, membership)."""
from __future__ import annotations

from typing import Any

from mtcti3_face_support import Client, Sim, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.constants import ACTION_FEATURE
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State
INVALID, ALREADY, UNSUPPORTED, BADFORMAT, NOTFOUND, CALLNOTFOUND = 609, 617, 616, 608, 4, 602


async def latest(client: Client, sid: int) -> dict[int, Any]:
    merged: dict[int, Any] = {}
    message = await client.recv()
    while message is not None:
        control = await client.acknowledge(message, sid, "callcontrol")
        merged.update({i.callid: i for i in control.callinfo})
        for lost in control.calllost:
            merged.pop(lost.callid, None)
        message = await client.maybe()
    return merged


def test_every_feature_is_refused_where_its_bit_is_clear(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.subscribe_user(1, "1003")
            sim.incoming("0633333333", "1003")
            (ring,) = (await latest(client, 1)).values()
            assert ring.state == S.RINGING
            allowed = [a for a, f in ACTION_FEATURE.items() if ring.featuresavailable & f]
            assert sorted(allowed) == [A.DropCall, A.AnswerCall, A.Redirect]
            for action in A.Action.values():
                if action in allowed:
                    continue
                result = await client.function(1, ring.callid, action, "1")
                expected = UNSUPPORTED if action in (0, A.SetNotes, A.ShortCodeAction, 21, 31, 33) else INVALID
                assert result == expected, (A.Action.Name(action), result)
            assert await client.function(1, 4242, A.DropCall) == NOTFOUND
            assert await client.function(1, 4242, A.HoldCall) == CALLNOTFOUND
            assert await client.function(1, ring.callid, A.Redirect, "") == BADFORMAT
            assert await client.function(1, ring.callid, A.Redirect, "1004") == 0
            assert (await latest(client, 1)) == {}
            sim.act("1004", "answer")
            sim.act("1004", "hangup")

    run(scenario)
    sim.hangup_all()


def test_features_work_where_their_bit_is_set(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.subscribe_user(1, "1004")
            # MakeCall with dial tone, then Dial.
            assert await client.command(1, referencecallid=7, makecall={"target": ""}) == 0
            (tone,) = (await latest(client, 1)).values()
            assert tone.state == S.DIALTONE and tone.referencecallid == 7
            assert await client.function(1, tone.callid, A.Dial, "0644444444") == 0
            (call,) = (await latest(client, 1)).values()
            assert call.state == S.RINGBACK and call.calledparty == "0644444444"
            sim.advance(3)  # the far end answers after 2 s
            (call,) = (await latest(client, 1)).values()
            assert call.state == S.CONNECTED
            cid = call.callid
            steps: list[tuple[int, str, Any]] = [
                (A.HoldCall, "", lambda i: i.state == S.ONHOLD),
                (A.UnHoldCall, "", lambda i: i.state == S.CONNECTED),
                (A.SetTag, "VIP\x00ignored", lambda i: i.tag == "VIP"),
                (A.SetAccountCode, "1234", lambda i: i.accountcode == "1234"),
                (A.CallRecordingOn, "", lambda i: i.recording),
                (A.AgentRecordingControl, "", lambda i: i.recordingpaused),
                (A.CallRecordingOff, "", lambda i: not i.recording),
                (A.PrivacyOn, "", lambda i: i.calldata.privacy),
                (A.PrivacyOff, "", lambda i: not i.calldata.privacy),
            ]
            for action, arg1, check in steps:
                extra = {"agentrecording": {"pause": True}} if action == A.AgentRecordingControl else {}
                assert await client.function(1, cid, action, arg1, **extra) == 0, A.Action.Name(action)
                assert check((await latest(client, 1))[cid]), A.Action.Name(action)
            assert await client.function(1, cid, A.SetAuthCode, "99") == 0
            assert await client.function(1, cid, A.GenerateDigits, "12#") == 0
            assert await client.function(1, cid, A.GenerateDigits, "12A") == BADFORMAT
            assert await client.function(1, cid, A.SetAccountCode, "abc") == 604
            assert await client.function(1, cid, A.UnHoldCall) == ALREADY
            assert await client.function(1, cid, A.BlindTransfer, "/116/20987") == 612
            assert await client.function(1, cid, A.BlindTransfer, "2999") == 612
            assert await client.function(1, cid, A.BlindTransfer, "/105/1008") == 0
            assert (await latest(client, 1)) == {}
            sim.act("1008", "answer")
            sim.act("1008", "hangup")
            # MakeCall refusals.
            assert await client.command(1, referencecallid=8, makecall={"target": "12x"}) == BADFORMAT
            assert await client.command(1, callid=3, referencecallid=8, makecall={"target": "1001"}) == 5002
            assert await client.command(1, referencecallid=9, unparkcall={"parkid": "99"}) == 606

    run(scenario)
    sim.hangup_all()


def test_queue_actions_on_a_waiting_call(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.subscribe_queue(2)
            for agent in ("1005", "1006", "1007"):  # nobody free: the call waits
                await client.send(subscribecmd={"requestid": 3, "subscribe_id": 2,
                                                "queue": {"addmember": [{"extn": agent, "disabled": True}]}})
                assert await client.response(3) == 0
                await client.notify(2, "queue")
            sim.incoming("0655555555", "3100")
            (call,) = (await latest(client, 2)).values()
            # The DOC's QUEUEING value: the base set + BlindTransfer + Park.
            assert call.state == S.QUEUEING and call.featuresavailable == 0x6060E091
            assert await client.function(2, call.callid, A.SetPriority, "3") == 0
            assert (await latest(client, 2))[call.callid].queueinfo.priority == 3
            assert await client.function(2, call.callid, A.SetPriority, "4") == BADFORMAT
            assert await client.function(2, call.callid, A.HoldCall) == INVALID
            assert await client.function(2, call.callid, A.Finish, "2") == BADFORMAT
            assert await client.function(2, call.callid, A.Finish) == 0
            control = await client.calls(2)
            assert control.calllost[0].callid == call.callid and control.calllost[0].description == "finished"
            assert await client.function(2, call.callid, A.DropCall) == NOTFOUND
            await client.send(subscribecmd={"requestid": 4, "subscribe_id": 2, "queue": {"members": {"member": [
                {"extn": "1005"}, {"extn": "1006"}, {"extn": "1007"}]}}})
            assert await client.response(4) == 0
            queue = await client.notify(2, "queue")
            assert [(m.extn, m.disabled) for m in queue.queuemembers.member] == [
                ("1005", False), ("1006", False), ("1007", False)]
            await client.send(subscribecmd={"requestid": 5, "subscribe_id": 2,
                                            "queue": {"deletemember": [{"extn": "9999"}]}})
            assert await client.response(5) == 7
            sim.act(sim.ringing(), "answer")  # re-enabled agents take the waiting call

    run(scenario)
    sim.hangup_all()


def test_user_settings_change_in_the_engine_and_are_notified(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            user = await client.subscribe_user(1, "1008", flags=0x02)
            assert not user.dnd and user.featuresavailable & 0x0C3 == 0x0C3
            await client.send(subscribecmd={"requestid": 2, "subscribe_id": 1, "user": {"sac": {"set": 1}}})
            assert await client.response(2) == 0
            assert (await client.notify(1, "user")).dnd
            await client.send(subscribecmd={"requestid": 3, "subscribe_id": 1,
                                            "user": {"fwdu": {"set": True, "fwdu_number": "1001"}}})
            assert await client.response(3) == 0
            user = await client.notify(1, "user")
            assert user.fwdu and user.fwdunumber == "1001"
            await client.send(subscribecmd={"requestid": 4, "subscribe_id": 1, "user": {
                "shortcodedata": [{"code": 1}, {"code": 8}]}})
            assert await client.response(4) == 0
            user = await client.notify(1, "user")
            assert not user.fwdu and not user.dnd
            await client.send(subscribecmd={"requestid": 5, "subscribe_id": 1, "user": {"ec500": {"set": 1}}})
            assert await client.response(5) == 9
            await client.send(subscribecmd={"requestid": 6, "subscribe_id": 1, "queue": {}})
            assert await client.response(6) == 5003
            assert await client.silent()

    run(scenario)
