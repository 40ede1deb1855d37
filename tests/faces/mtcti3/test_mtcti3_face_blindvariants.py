"""BlindTransfer's extended destinations over the TLS websocket (spec §5.3):
`/116/<room>[;MODEFROMPIN(pin)]` puts the call in a MeetMe room, which the
remaining party sees as {room, "Conf <room>", 110} (call-model §4.2), and
`/102/<user>` leaves it in that user's mailbox (`/102/<Callflow>`, any
other name, is tested with the queue in test_mtcti3_face_vmqueue.py); each
refused target answers TRANSFERFAILED 612, a malformed one BADFORMATTING
608."""
from __future__ import annotations

from typing import Any

from mtcti3_face_support import Client, Sim, latest_calls, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.constants import CallFeature
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State
TRANSFERFAILED, BADFORMAT = 612, 608
ROOM = "8200"  # the demo's MeetMe room, capacity 6
CONF_BITS = CallFeature.AddToConf | CallFeature.AdminConfMember


async def talking(caller: Client, callee: Client, sim: Sim) -> tuple[Any, Any]:
    """1004 calls 1003 and 1003 answers: each side's CONNECTED appearance."""
    assert await caller.command(2, referencecallid=5, makecall={"target": "1003"}) == 0
    assert [c.state for c in (await latest_calls(caller, 2)).values()] == [S.RINGBACK]
    assert [c.state for c in (await latest_calls(callee, 1)).values()] == [S.RINGING]
    sim.act("1003", "answer")
    (theirs,) = (await latest_calls(callee, 1)).values()
    (mine,) = (await latest_calls(caller, 2)).values()
    assert theirs.state == mine.state == S.CONNECTED
    return mine, theirs


def test_meetme_transfer_connects_the_caller_to_the_room(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws1, callee = await open_client(switch_server)
        ws2, caller = await open_client(switch_server)
        async with ws1, ws2:
            await callee.subscribe_user(1, "1003")
            await caller.subscribe_user(2, "1004")
            mine, theirs = await talking(caller, callee, sim)
            assert await callee.function(1, theirs.callid, A.BlindTransfer, "/116/20987") == TRANSFERFAILED
            bad_pin = f"/116/{ROOM};MODEFROMPIN(12x)"
            assert await callee.function(1, theirs.callid, A.BlindTransfer, bad_pin) == BADFORMAT
            assert await callee.function(1, theirs.callid, A.BlindTransfer, "/116/82x") == BADFORMAT
            assert await callee.function(1, theirs.callid, A.BlindTransfer, f"/116/{ROOM}") == 0
            assert await latest_calls(callee, 1) == {}
            (call,) = (await latest_calls(caller, 2)).values()
            assert call.callid == mine.callid and call.state == S.CONNECTED
            party = call.connectedparty
            assert (party.number, party.name, party.nametype) == (ROOM, f"Conf {ROOM}", 110)
            assert call.featuresavailable & CONF_BITS == CONF_BITS
            assert await caller.function(2, call.callid, A.DropCall) == 0
            assert await latest_calls(caller, 2) == {}

    run(scenario)
    sim.hangup_all()


def test_a_full_room_refuses_the_transfer(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws1, callee = await open_client(switch_server)
        ws2, caller = await open_client(switch_server)
        async with ws1, ws2:
            await callee.subscribe_user(1, "1003")
            await caller.subscribe_user(2, "1004")
            for phone in ("1001", "1002", "1005", "1006", "1007", "1008"):  # six phones fill the room
                sim.act(phone, "dial", digits=ROOM)
            rooms = [c for c in sim.calls() if any(p["kind"] == "conference" for p in c["parties"])]
            assert len(rooms) == 1 and len(rooms[0]["parties"]) == 7  # one meeting: six phones and the room
            _, theirs = await talking(caller, callee, sim)
            assert await callee.function(1, theirs.callid, A.BlindTransfer, f"/116/{ROOM}") == TRANSFERFAILED
            assert await callee.function(1, theirs.callid, A.BlindTransfer, ROOM) == TRANSFERFAILED
            assert await callee.silent() and await caller.silent()  # the call stays where it was
            assert await callee.function(1, theirs.callid, A.DropCall) == 0
            assert await latest_calls(caller, 2) == {}

    run(scenario)
    sim.hangup_all()


def test_voicemail_transfer_reaches_the_named_mailbox(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws1, callee = await open_client(switch_server)
        ws2, caller = await open_client(switch_server)
        async with ws1, ws2:
            await callee.subscribe_user(1, "1003")
            await caller.subscribe_user(2, "1004")
            mine, theirs = await talking(caller, callee, sim)
            # A desk-sharing set nobody is logged on to: a phone with no mailbox.
            assert await callee.function(1, theirs.callid, A.BlindTransfer, "/102/1901") == TRANSFERFAILED
            assert await callee.function(1, theirs.callid, A.BlindTransfer, "/102/10/5") == BADFORMAT
            assert await callee.function(1, theirs.callid, A.BlindTransfer, "/102/") == BADFORMAT
            assert await callee.function(1, theirs.callid, A.BlindTransfer, "/102/1005;x") == BADFORMAT
            assert await callee.function(1, theirs.callid, A.BlindTransfer, "/102/1005") == 0
            assert await latest_calls(callee, 1) == {}
            (call,) = (await latest_calls(caller, 2)).values()
            assert call.callid == mine.callid and call.state == S.CONNECTED
            assert (call.connectedparty.number, call.connectedparty.name) == ("8000", "Voicemail")
            (engine_call,) = sim.calls()
            vm = [p for p in engine_call["parties"] if p["kind"] == "voicemail"]
            assert len(vm) == 1, engine_call

    run(scenario)
    sim.hangup_all()
