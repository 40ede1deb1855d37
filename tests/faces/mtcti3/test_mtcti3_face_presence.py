"""Presence subscriptions (spec/mtcti3.md §4.1) and the user and queue
settings behind them: absence, app presence, short codes, service mode and
queue voicemail, over real TLS websockets."""
from __future__ import annotations

from typing import Any

from mtcti3_face_support import Client, Sim, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.constants import UserFeature
from ctiswitch.faces.mtcti3.mtcti3_pb2 import NotifyQueue, SetServiceMode

IDLE, DIALLING, RINGING, CONNECTED, UNKNOWN = 0, 1, 2, 4, 8
TIMEOUT_TOO_SMALL, TOOMANY, NOTALLOWED, INVALID_PAYLOAD = 102, 5, 9, 5002


def by_lref(presence: Any) -> dict[int, Any]:
    return {entry.lref: entry for entry in presence.entry}


async def presence_update(client: Client, sid: int) -> dict[int, Any]:
    """The next presence Notify (changes only), acknowledged, by lref."""
    presence = await client.notify(sid, "presence")
    assert presence.full == 0
    return by_lref(presence)


async def user_update(client: Client, sid: int, requestid: int, **user: Any) -> int:
    await client.send(subscribecmd={"requestid": requestid, "subscribe_id": sid, "user": user})
    return await client.response(requestid)


def test_mtcti3_face_presence_follows_calls_and_settings(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        ws2, agent = await open_client(switch_server)
        async with ws, ws2:
            entries = [{"presentity": "1001", "lref": 1}, {"presentity": "bruno.dubois@demo.example", "lref": 2},
                       {"presentity": "sip:1003@ipo.example", "lref": 3}, {"presentity": "nobody", "lref": 4}]
            for timeout in (0, 59, 86401):
                assert await client.subscribe(5, timeout=timeout, presence={"entry": entries}) == TIMEOUT_TOO_SMALL
            assert await client.subscribe(5, timeout=3600, presence={"entry": entries, "flags": 1}) == 0
            first = await client.notify(5, "presence")
            assert first.full == 1
            snapshot = by_lref(first)
            assert sorted(snapshot) == [1, 2, 3, 4]
            assert [snapshot[i].phonestate for i in (1, 2, 3, 4)] == [IDLE, IDLE, IDLE, UNKNOWN]
            assert snapshot[1].app == "Offline" and not snapshot[1].HasField("absence")

            # A call: the caller is connected (ringback), the callee rings.
            sim.act("1001", "dial", digits="1002")
            changed = await presence_update(client, 5)
            assert {k: v.phonestate for k, v in changed.items()} == {1: CONNECTED, 2: RINGING}
            sim.act("1002", "answer")
            assert {k: v.phonestate for k, v in (await presence_update(client, 5)).items()} == {2: CONNECTED}
            sim.act("1001", "hangup")
            assert {k: v.phonestate for k, v in (await presence_update(client, 5)).items()} == {1: IDLE, 2: IDLE}

            # Settings made on another connection show here.
            user = await agent.subscribe_user(1, "1003", ccflags=0, flags=0x80F)
            assert user.featuresavailable & (UserFeature.ABSENCE | UserFeature.APP)
            assert not user.featuresavailable & UserFeature.EC500
            assert not user.noapphandler  # this subscription handles the app presence
            assert (await presence_update(client, 5))[3].app == ""  # a handler now exists
            assert await user_update(agent, 1, 2, absence={"set": 1, "absence": {"msg": 3, "str": "14:00"}}) == 0
            assert (await agent.notify(1, "user")).absence.str == "14:00"
            entry = (await presence_update(client, 5))[3]
            assert (entry.absence.msg, entry.absence.str) == (3, "14:00")
            assert await user_update(agent, 1, 3, app={"value": "With a customer"}) == 0
            assert (await agent.notify(1, "user")).app == "With a customer"
            assert (await presence_update(client, 5))[3].app == "With a customer"
            assert await user_update(agent, 1, 4, sac={"set": 1}) == 0
            await agent.notify(1, "user")
            assert (await presence_update(client, 5))[3].sac
            for bad in ({"absence": {"set": 1, "absence": {"msg": 12, "str": ""}}},
                        {"absence": {"set": 1, "absence": {"msg": 11, "str": "x" * 22}}},
                        {"app": {"value": "x" * 35}}):
                assert await user_update(agent, 1, 5, **bad) == INVALID_PAYLOAD
            assert await user_update(agent, 1, 6, ec500={"set": 1}) == NOTALLOWED  # no mobile twin
            assert await client.silent()

            # The handler goes away: the app presence reads Offline again.
            await ws2.close()
            assert (await presence_update(client, 5))[3].app == "Offline"

            # Add and remove presentities; added ones are notified at once.
            await client.send(subscribecmd={"requestid": 7, "subscribe_id": 5, "presence": {
                "add": [{"presentity": "1004", "lref": 9}], "remove": [{"lref": 4}, {"lref": 1}]}})
            assert await client.response(7) == 0
            assert sorted(await presence_update(client, 5)) == [9]
            sim.act("1001", "dial", digits="1004")
            assert sorted(await presence_update(client, 5)) == [9]  # 1001 is no longer watched
            sim.act("1001", "hangup")
            assert sorted(await presence_update(client, 5)) == [9]
            assert await client.subscribe(5, requestid=8, timeout=30) == TIMEOUT_TOO_SMALL  # a refresh
            # Clean up what this module's switch keeps.
            ws3, admin = await open_client(switch_server)
            async with ws3:
                await admin.subscribe_user(1, "1003", ccflags=0, flags=0)
                assert await user_update(admin, 1, 2, absence={"set": 0}, sac={"set": 0},
                                         app={"value": ""}) == 0

    run(scenario)
    sim.hangup_all()


def test_mtcti3_face_user_short_codes(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.subscribe_user(1, "1006", ccflags=0, flags=0x0B)
            codes: list[tuple[int, str]] = [(70, ";3,1,0"), (109, "1,2,5pm"), (114, "1008"), (94, "20")]
            for requestid, (code, val) in enumerate(codes, start=2):
                assert await user_update(client, 1, requestid, shortcodedata=[{"code": code, "val": val}]) == 0
                if code != 94:  # the no-answer time is not a NotifyUser field
                    await client.notify(1, "user")
            user = await client.maybe()
            assert user is None
            await client.send(subscribe={"requestid": 9, "subscribe_id": 1, "user": {
                "guid": b"", "flags": 0x0B}})
            assert await client.response(9) != 0  # unknown guid
            ws2, other = await open_client(switch_server)
            async with ws2:
                notify = await other.subscribe_user(1, "1006", ccflags=0, flags=0x0B)
                assert (notify.mailbox.newmessages, notify.mailbox.oldmessages) == (3, 1)
                assert (notify.absence.msg, notify.absence.str) == (2, "5pm")
                assert notify.fwdb and notify.fwdbnumber == "1008"
                for code, val in ((70, ";3,x"), (94, "0"), (109, "2,1,x"), (9, "10x1"), (166, "")):
                    expected = NOTALLOWED if code == 166 else INVALID_PAYLOAD
                    assert await user_update(other, 1, 3, shortcodedata=[{"code": code, "val": val}]) == expected
                # Undo: counters cleared, absence cleared, busy forward off.
                for code, val in ((70, ""), (109, "0,0"), (3, ""), (94, "15")):
                    assert await user_update(other, 1, 4, shortcodedata=[{"code": code, "val": val}]) == 0
                    if code != 94:
                        await other.notify(1, "user")
                assert await other.silent()

    run(scenario)


def test_mtcti3_face_queue_service_mode_and_voicemail(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def queue_update(client: Client, requestid: int, **queue: Any) -> int:
        await client.send(subscribecmd={"requestid": requestid, "subscribe_id": 2, "queue": queue})
        return await client.response(requestid)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            queue = await client.subscribe_queue(2)
            assert queue.servicemode == NotifyQueue.Active and not queue.voicemail
            assert await queue_update(client, 3, setservicemode={"servicemode": SetServiceMode.NS}) == 0
            assert (await client.notify(2, "queue")).servicemode == NotifyQueue.NS
            # In night service the queue takes no calls: without a fallback
            # the caller gets busy, and no call reaches the queue.
            sim.incoming("0655555555", "3100")
            assert await client.silent()
            sim.hangup_all()
            assert await queue_update(client, 4, setservicemode={"servicemode": SetServiceMode.OOS}) == 0
            assert (await client.notify(2, "queue")).servicemode == NotifyQueue.OOS
            assert await queue_update(client, 5, setservicemode={"servicemode": SetServiceMode.Unset}) \
                == INVALID_PAYLOAD
            assert await queue_update(client, 6, setvoicemail={"enabled": True}) == NOTALLOWED
            assert await queue_update(client, 7, setservicemode={"servicemode": SetServiceMode.Active},
                                      setvoicemail={"enabled": False}) == 0
            assert (await client.notify(2, "queue")).servicemode == NotifyQueue.Active
            sim.incoming("0655555555", "3100")
            control = await client.calls(2)
            assert len(control.callinfo) == 1
            agent = sim.ringing()  # an outside caller cannot be hung up by the sim: the agent ends it
            sim.act(agent, "answer")
            sim.act(agent, "hangup")

    run(scenario)
    sim.hangup_all()
