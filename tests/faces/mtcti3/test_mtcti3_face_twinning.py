"""The MTCTI-3 features added on engine support, over real TLS WebSockets,
each in a state that offers it and one that refuses it: PushToEC500
(§5.2, call-model §2.3 #26), CompleteConf naming several calls (§5.2), DND
exceptions and the voicemail switch (short codes 9, 10, 17, 18, §4.3), and
the mailbox counts of the user's real voicemail messages (§2.5 Mailbox,
§2.3 vmunread_messages)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mtcti3_face_support import Client, Sim, latest_calls, open_client, run
from server_process import RunningServer, start_server

import ctiswitch.config
from ctiswitch.faces.mtcti3.constants import CallFeature
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State
SUCCESS, INVALID, NOCOVERAGE, OTHERNOTFOUND, CANTCOMPLETE, INVALID_PAYLOAD = 0, 609, 611, 614, 615, 5002
DESK = '      - {number: "1003", type: deskphone, mac: "00:0a:dd:00:10:03"}\n'
MOBILE = "7003"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The demo company, with a mobile twin for user 1003."""
    demo = (Path(ctiswitch.config.__file__).parent / "demo.yaml").read_text()
    assert DESK in demo
    workdir = tmp_path_factory.mktemp("twinning")
    (workdir / "twin.yaml").write_text(demo.replace(DESK, DESK + f'      - {{number: "{MOBILE}", type: mobile}}\n'))
    with start_server(workdir, "--virtual-clock", "--config", str(workdir / "twin.yaml")) as running:
        yield running


async def user_update(client: Client, sid: int, requestid: int, **user: Any) -> int:
    await client.send(subscribecmd={"requestid": requestid, "subscribe_id": sid, "user": user})
    return await client.response(requestid)


def user_devices(sim: Sim, login_number: str) -> list[str]:
    """The devices the user's party of the one live call is on."""
    return [c["dn"] for call in sim.calls() for p in call["parties"] if p["number"] == login_number
            for c in p["connections"]]


def test_mtcti3_face_push_to_ec500(server: RunningServer) -> None:
    sim = Sim(server)

    async def scenario() -> None:
        ws, client = await open_client(server)
        async with ws:
            user = await client.subscribe_user(1, "1003")
            assert not user.ec500
            sim.incoming("0633333333", "1003")
            await latest_calls(client, 1)
            sim.act("1003", "answer")
            (call,) = (await latest_calls(client, 1)).values()
            assert call.state == S.CONNECTED and not call.featuresavailable & CallFeature.PushToEC500
            assert await client.function(1, call.callid, A.PushToEC500) == INVALID  # twinning is off
            assert await user_update(client, 1, 2, ec500={"set": 1}) == SUCCESS
            assert (await client.notify(1, "user")).ec500
            (call,) = (await latest_calls(client, 1)).values()
            assert call.featuresavailable & CallFeature.PushToEC500
            # Unanswered, the push leaves the call on the desk phone.
            assert await client.function(1, call.callid, A.PushToEC500) == SUCCESS
            (pushing,) = (await latest_calls(client, 1)).values()
            assert pushing.callid == call.callid and pushing.state == S.CONNECTED
            assert not pushing.featuresavailable & CallFeature.PushToEC500
            assert await client.function(1, call.callid, A.PushToEC500) == INVALID  # already ringing
            assert sorted(user_devices(sim, "1003")) == ["1003", MOBILE]
            sim.advance(16)
            (call,) = (await latest_calls(client, 1)).values()
            assert call.featuresavailable & CallFeature.PushToEC500
            assert user_devices(sim, "1003") == ["1003"]
            # Answered, the move completes: the same appearance, still
            # CONNECTED, now on the mobile (a snapshot equal to the last one
            # sent is not resent, §3.8).
            assert await client.function(1, call.callid, A.PushToEC500) == SUCCESS
            (moved,) = (await latest_calls(client, 1)).values()
            sim.act(MOBILE, "answer")
            assert await client.silent()
            assert moved.callid == call.callid and moved.state == S.CONNECTED
            assert not moved.featuresavailable & CallFeature.PushToEC500
            assert user_devices(sim, "1003") == [MOBILE]
            assert await client.function(1, call.callid, A.PushToEC500) == INVALID  # on the mobile already
            assert await user_update(client, 1, 3, ec500={"set": 0}) == SUCCESS
            assert not (await client.notify(1, "user")).ec500
            sim.act(MOBILE, "hangup")
            assert await latest_calls(client, 1) == {}

    run(scenario)
    sim.hangup_all()


async def settle(client: Client) -> dict[tuple[int, str], Any]:
    """Acknowledge every Notify until a quiet moment; the last payload of
    each (subscription, kind), and the merged live calls under (sid, "calls")."""
    last: dict[tuple[int, str], Any] = {}
    message = await client.maybe()
    while message is not None:
        sid, kind = message.notify.subscribe_id, message.notify.WhichOneof("payload")
        payload = await client.acknowledge(message, sid, kind)
        last[(sid, kind)] = payload
        if kind == "callcontrol":
            calls = last.setdefault((sid, "calls"), {})
            calls.update({i.callid: i for i in payload.callinfo})
            for lost in payload.calllost:
                calls.pop(lost.callid, None)
        message = await client.maybe()
    return last


async def calls_of(client: Client, sid: int) -> dict[int, Any]:
    """The calls that changed on `sid` until a quiet moment, whatever
    NotifyUser (MAKECALL comes and goes with free appearances) came too."""
    return dict((await settle(client)).get((sid, "calls"), {}))


def test_mtcti3_face_complete_conf_of_several_calls(server: RunningServer) -> None:
    sim = Sim(server)

    async def scenario() -> None:
        ws, client = await open_client(server)
        async with ws:
            await client.subscribe_user(1, "1004")
            assert await client.command(1, referencecallid=1, makecall={"target": "0644444444"}) == SUCCESS
            await calls_of(client, 1)
            sim.advance(3)  # the far end answers after 2 s
            (outside,) = (await calls_of(client, 1)).values()
            assert await client.function(1, outside.callid, A.HoldCall) == SUCCESS
            await calls_of(client, 1)
            assert await client.command(1, referencecallid=2, makecall={"target": "1001"}) == SUCCESS
            await calls_of(client, 1)
            sim.act("1001", "answer")
            calls = await calls_of(client, 1)
            first = next(i for i in calls.values() if i.referencecallid == 2)
            assert await client.function(1, first.callid, A.SetupConf, "1002") == SUCCESS
            await calls_of(client, 1)
            sim.act("1002", "answer")
            calls = await calls_of(client, 1)
            consult = next(i for i in calls.values() if i.relatedcallid == first.callid)
            assert consult.state == S.CONNECTED and consult.featuresavailable & CallFeature.CompleteConf
            several = [{"callid": first.callid}, {"callid": outside.callid}]
            # Refused: a transfer joins one other call; an unknown call; the
            # same call twice. Nothing changes.
            assert await client.function(1, consult.callid, A.CompleteTransfer, callinst=several) == CANTCOMPLETE
            assert await client.function(1, consult.callid, A.CompleteConf,
                                         callinst=[{"callid": first.callid}, {"callid": 999}]) == OTHERNOTFOUND
            assert await client.function(1, consult.callid, A.CompleteConf,
                                         callinst=[{"callid": first.callid}, {"callid": first.callid}]) \
                == OTHERNOTFOUND
            assert len(sim.calls()) == 3
            # Allowed: all three calls become one conference.
            assert await client.function(1, consult.callid, A.CompleteConf, callinst=several) == SUCCESS
            (conference,) = (await calls_of(client, 1)).values()
            assert conference.state == S.CONNECTED and len(conference.conferencemember) == 3
            assert conference.featuresavailable & CallFeature.AddToConf
            assert len(sim.calls()) == 1
            sim.act("1004", "hangup")
            await calls_of(client, 1)

    run(scenario)
    sim.hangup_all()


def test_mtcti3_face_dnd_exceptions(server: RunningServer) -> None:
    sim = Sim(server)

    async def scenario() -> None:
        ws, client = await open_client(server)
        async with ws:
            await client.subscribe_user(1, "1005")
            assert await user_update(client, 1, 2, shortcodedata=[{"code": 7}, {"code": 9, "val": "1002"}]) \
                == SUCCESS
            assert (await client.notify(1, "user")).dnd
            assert await user_update(client, 1, 3, shortcodedata=[{"code": 9, "val": "10-02"}]) == INVALID_PAYLOAD
            sim.act("1008", "dial", digits="1005")  # not an exception: DND holds
            assert await client.silent()
            sim.act("1008", "hangup")
            sim.act("1002", "dial", digits="1005")  # the exception rings through
            (ring,) = (await latest_calls(client, 1)).values()
            assert ring.state == S.RINGING
            sim.act("1002", "hangup")
            assert await latest_calls(client, 1) == {}
            assert await user_update(client, 1, 4, shortcodedata=[{"code": 10}]) == SUCCESS
            assert await client.silent()  # the exceptions are not a NotifyUser field
            sim.act("1002", "dial", digits="1005")
            assert await client.silent()
            sim.act("1002", "hangup")
            assert await user_update(client, 1, 5, shortcodedata=[{"code": 8}]) == SUCCESS
            assert not (await client.notify(1, "user")).dnd

    run(scenario)
    sim.hangup_all()


def test_mtcti3_face_voicemail_switch(server: RunningServer) -> None:
    sim = Sim(server)

    async def scenario() -> None:
        ws, client = await open_client(server)
        async with ws:
            assert (await client.subscribe_user(1, "1006")).voicemail
            assert await user_update(client, 1, 2, shortcodedata=[{"code": 18}]) == SUCCESS
            assert not (await client.notify(1, "user")).voicemail
            sim.act("1002", "dial", digits="1006")
            (ring,) = (await latest_calls(client, 1)).values()
            # Voicemail off: a ringing call has no coverage to drop it to.
            assert await client.function(1, ring.callid, A.DropCall) == NOCOVERAGE
            assert await user_update(client, 1, 3, shortcodedata=[{"code": 17}]) == SUCCESS
            assert (await client.notify(1, "user")).voicemail
            assert await client.function(1, ring.callid, A.DropCall) == SUCCESS
            # The coverage is 1006's own voicemail: the line keeps the call,
            # with its callid, until it ends (call-model §4.2).
            (vm,) = (await latest_calls(client, 1)).values()
            assert vm.callid == ring.callid and vm.state == S.LEAVINGVOICEMAILMESSAGE
            assert vm.featuresavailable == CallFeature.Drop
            sim.act("1002", "hangup")
            # The message 1002 left is counted, and the call is lost.
            assert (await client.notify(1, "user")).mailbox.newmessages == 1
            assert [lost.callid for lost in (await client.calls(1)).calllost] == [vm.callid]

    run(scenario)
    sim.hangup_all()


def test_mtcti3_face_mailbox_counts_real_messages(server: RunningServer) -> None:
    sim = Sim(server)

    async def scenario() -> None:
        ws, client = await open_client(server)
        async with ws:
            user = await client.subscribe_user(1, "1007", ccflags=0, flags=0x01)
            assert user.mailbox.newmessages == 0
            assert await client.subscribe(2, timeout=3600, presence={
                "flags": 0x01, "entry": [{"presentity": "1007", "lref": 5}]}) == 0
            entry = (await client.notify(2, "presence")).entry[0]
            assert entry.vmunread_messages == 0
            # 1002 reaches 1007's voicemail and leaves a message.
            sim.act("1002", "dial", digits="1007")
            sim.advance(16)
            sim.act("1002", "hangup")
            last = await settle(client)
            assert last[(1, "user")].mailbox.newmessages == 1
            assert last[(2, "presence")].entry[0].vmunread_messages == 1
            # An application's own counters (short code 70) replace them.
            assert await user_update(client, 1, 3, shortcodedata=[{"code": 70, "val": ";5,2,1"}]) == SUCCESS
            last = await settle(client)
            mailbox = last[(1, "user")].mailbox
            assert (mailbox.newmessages, mailbox.oldmessages, mailbox.savedmessages) == (5, 2, 1)
            assert last[(2, "presence")].entry[0].vmunread_messages == 5
            assert await user_update(client, 1, 4, shortcodedata=[{"code": 70, "val": ""}]) == SUCCESS
            last = await settle(client)
            assert last[(1, "user")].mailbox.newmessages == 1
            assert last[(2, "presence")].entry[0].vmunread_messages == 1

    run(scenario)
    sim.hangup_all()
