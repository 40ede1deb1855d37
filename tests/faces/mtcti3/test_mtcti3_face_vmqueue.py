"""Queue calls parked and sent to voicemail, and calls in a user's own
voicemail, over real TLS WebSockets (spec/mtcti3.md §4.4, §4.5, §5.3;
call-model §4.2, §5.2):

* a queue parks its call while it waits (QUEUEING, 0x6060E091) or rings
  agents (RINGING, 0x6060E0B1); the park server shows it with its slot, a
  user unparks it, and a call nobody unparks recalls to the queue;
* BlindTransfer `/102/Callflow` hands a queue call to a VMPro call flow:
  ANSWEREDBYVOICEMAIL, connectedparty{number="Callflow"}, and every bit it
  offers works (BlindTransfer back out, Park); CallRecordingOn is not
  offered (the queue has no mailbox to record to), so the value is the
  DOC's 0xE0E0E091 without it;
* a user's line keeps a call that goes to the user's own voicemail, with the
  same callid, in the voicemail states until the call ends; Drop only.
"""
from __future__ import annotations

from typing import Any

from mtcti3_face_support import Client, Sim, open_client, run, set_agents
from server_process import RunningServer

from ctiswitch.faces.mtcti3.constants import CallFeature
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo
from ctiswitch.faces.mtcti3.wire import to_int32

S = CallInfo.State
SUCCESS, NOTFOUND, TARGETNOTFOUND, BADFORMAT, INVALID = 0, 4, 606, 608, 609
CALLER = "0655555555"
QUEUEING_BITS = 0x6060E091  # DROP BLINDXFER PARK TAG ACCT (bit15) FORCECLEAR AUTH PRIO FINISH
RINGING_BITS = 0x6060E0B1  # the same + REDIRECT
PARKED_BITS = 0x6060E011  # the base set + BLINDXFER (out of the slot)
#: The DOC's 0xE0E0E091 without REC+ (0x00800000): nowhere honest to record.
VOICEMAIL_BITS = to_int32(0xE060E091)


class View:
    """Everything one subscription received until it went quiet."""

    def __init__(self) -> None:
        self.calls: dict[int, Any] = {}
        self.lost: list[Any] = []
        self.config: list[Any] = []


async def settle(client: Client, sid: int) -> View:
    """Acknowledge every Notify of `sid` until a quiet moment: the latest
    CallInfo per callid, every CallLost and every configuration payload."""
    view = View()
    message = await client.recv()
    while message is not None:
        kind = message.notify.WhichOneof("payload")
        payload = await client.acknowledge(message, sid, kind)
        if kind == "callcontrol":
            view.calls.update({i.callid: i for i in payload.callinfo})
            view.lost += list(payload.calllost)
        else:
            view.config.append(payload)
        message = await client.maybe()
    return view


async def park_server(client: Client, sid: int = 4) -> None:
    assert await client.subscribe(sid, parkserver={"ccflags": 1}) == SUCCESS
    await client.notify(sid, "parkserver")


async def waiting_call(sim: Sim, queue: Client) -> Any:
    """An outside call into queue 3100 with its agents disabled: it waits,
    and the queue line (subscription 2) shows it QUEUEING."""
    await set_agents(queue, False)
    sim.incoming(CALLER, "3100")
    (call,) = (await settle(queue, 2)).calls.values()
    assert call.state == S.QUEUEING
    return call


def ringing_agents(sim: Sim) -> list[str]:
    return [c["dn"] for call in sim.calls() for p in call["parties"] if p["kind"] == "user"
            for c in p["connections"] if c["state"] == "alerting"]


def test_a_waiting_queue_call_is_parked_then_unparked_by_a_user(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws_q, queue), (ws_p, park), (ws_u, user) = [await open_client(switch_server) for _ in range(3)]
        async with ws_q, ws_p, ws_u:
            await queue.subscribe_queue(2)
            await park_server(park)
            await user.subscribe_user(8, "1008", flags=0)
            call = await waiting_call(sim, queue)
            assert call.state == S.QUEUEING and call.featuresavailable == QUEUEING_BITS
            assert await queue.function(2, call.callid, A.Park, "7x") == BADFORMAT
            assert await queue.function(2, call.callid, A.Park, "1234567890") == BADFORMAT

            # Park: the call leaves the queue for slot 7; the queue still
            # follows it (ONHOLD, no agent) and the park server shows it.
            assert await queue.function(2, call.callid, A.Park, "7") == SUCCESS
            view = await settle(queue, 2)
            parked = view.calls[call.callid]
            assert not view.lost and parked.state == S.ONHOLD and parked.featuresavailable == PARKED_BITS
            assert not parked.HasField("connectedparty") and not parked.targets.target
            (slot,) = (await settle(park, 4)).calls.values()
            assert slot.parkslot == "7" and slot.state == S.CONNECTED and slot.activeheld
            assert slot.connectedparty.number == CALLER and slot.gcid == call.gcid
            # Parked, it cannot be parked again: the bit is clear.
            assert await queue.function(2, call.callid, A.Park, "8") == INVALID

            # UnPark on 1008: a PICKUP appearance with the client's reference.
            assert await user.command(8, referencecallid=77, unparkcall={"parkid": "7"}) == SUCCESS
            (back,) = (await settle(user, 8)).calls.values()
            assert back.referencecallid == 77 and back.direction == CallInfo.PICKUP
            assert back.state == S.CONNECTED and back.connectedparty.number == CALLER
            assert [c.callid for c in (await settle(park, 4)).lost] == [slot.callid]
            talking = (await settle(queue, 2)).calls[call.callid]
            assert talking.state == S.CONNECTED and talking.connectedparty.number == "1008"
            assert await user.command(8, referencecallid=78, unparkcall={"parkid": "7"}) == TARGETNOTFOUND
            assert await user.function(8, back.callid, A.DropCall) == SUCCESS
            assert [c.callid for c in (await settle(user, 8)).lost] == [back.callid]
            assert [c.callid for c in (await settle(queue, 2)).lost] == [call.callid]
            await set_agents(queue, True)

    run(scenario)
    sim.hangup_all()


def test_a_ringing_queue_call_parked_and_not_unparked_recalls_to_the_queue(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws_q, queue), (ws_p, park) = [await open_client(switch_server) for _ in range(2)]
        async with ws_q, ws_p:
            await queue.subscribe_queue(2)
            await park_server(park)
            sim.incoming(CALLER, "3100")
            (call,) = (await settle(queue, 2)).calls.values()
            (agent,) = ringing_agents(sim)
            assert call.state == S.RINGING and call.featuresavailable == RINGING_BITS
            assert [t.partyinfo.number for t in call.targets.target] == [agent]

            # Park: the agent stops ringing.
            assert await queue.function(2, call.callid, A.Park, "9") == SUCCESS
            parked = (await settle(queue, 2)).calls[call.callid]
            assert parked.state == S.ONHOLD and parked.featuresavailable == PARKED_BITS
            assert not parked.targets.target and ringing_agents(sim) == []
            (slot,) = (await settle(park, 4)).calls.values()
            assert slot.parkslot == "9"

            # Nobody unparks it: after 120 s it is back in the queue, on the
            # same queue callid, offered to an agent again.
            sim.advance(120)
            view = await settle(queue, 2)
            recalled = view.calls[call.callid]
            assert not view.lost and recalled.state == S.RINGING and recalled.featuresavailable == RINGING_BITS
            (agent,) = ringing_agents(sim)
            assert [t.partyinfo.number for t in recalled.targets.target] == [agent]
            assert [c.callid for c in (await settle(park, 4)).lost] == [slot.callid]
            sim.act(agent, "answer")
            answered = (await settle(queue, 2)).calls[call.callid]
            assert answered.state == S.CONNECTED and answered.connectedparty.number == agent
            assert await queue.function(2, call.callid, A.DropCall) == SUCCESS
            assert [c.callid for c in (await settle(queue, 2)).lost] == [call.callid]

    run(scenario)
    sim.hangup_all()


def test_a_queue_call_in_a_call_flow(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws_q, queue), (ws_p, park) = [await open_client(switch_server) for _ in range(2)]
        async with ws_q, ws_p:
            await queue.subscribe_queue(2)
            await park_server(park)
            call = await waiting_call(sim, queue)
            for bad in ("/102/", "/102/Call/flow", "/102/Callflow;x", "/102/ Callflow", "/102/Call\tflow"):
                assert await queue.function(2, call.callid, A.BlindTransfer, bad) == BADFORMAT, bad

            # The DOC's example: the call flow answers.
            assert await queue.function(2, call.callid, A.BlindTransfer, "/102/Callflow") == SUCCESS
            view = await settle(queue, 2)
            flow = view.calls[call.callid]
            assert not view.lost and flow.state == S.ANSWEREDBYVOICEMAIL and flow.direction == CallInfo.INBOUND
            assert flow.featuresavailable == VOICEMAIL_BITS
            party = flow.connectedparty
            assert (party.number, party.name, party.nametype) == ("Callflow", "", 0)
            assert flow.callingparty.number == CALLER and flow.calledparty == "3100"
            assert not flow.targets.target
            # Refused here: recording (no mailbox), hold, redirect.
            assert await queue.function(2, call.callid, A.CallRecordingOn) == INVALID
            assert await queue.function(2, call.callid, A.HoldCall) == INVALID
            assert await queue.function(2, call.callid, A.Redirect, "1008") == INVALID
            assert not [c for c in sim.calls()[0]["parties"] if c["kind"] == "group"]

            # BlindTransfer takes it back out of the flow, into the queue.
            assert await queue.function(2, call.callid, A.BlindTransfer, "3100") == SUCCESS
            again = (await settle(queue, 2)).calls[call.callid]
            assert again.state == S.QUEUEING and again.featuresavailable == QUEUEING_BITS
            assert await queue.function(2, call.callid, A.BlindTransfer, "/102/Sales Hours") == SUCCESS
            flow = (await settle(queue, 2)).calls[call.callid]
            assert flow.state == S.ANSWEREDBYVOICEMAIL and flow.connectedparty.number == "Sales Hours"

            # Park from the flow; the park server sends it on to 1008.
            assert await queue.function(2, call.callid, A.Park, "5") == SUCCESS
            parked = (await settle(queue, 2)).calls[call.callid]
            assert parked.state == S.ONHOLD and parked.featuresavailable == PARKED_BITS
            (slot,) = (await settle(park, 4)).calls.values()
            assert slot.parkslot == "5" and slot.connectedparty.number == CALLER
            assert slot.featuresavailable & CallFeature.BlindTransfer
            assert await park.function(4, slot.callid, A.BlindTransfer, "1999") == 612
            assert await park.function(4, slot.callid, A.BlindTransfer, "1008") == SUCCESS
            assert [c.callid for c in (await settle(park, 4)).lost] == [slot.callid]
            await settle(queue, 2)
            sim.act("1008", "answer")
            talking = (await settle(queue, 2)).calls[call.callid]
            assert talking.state == S.CONNECTED and talking.connectedparty.number == "1008"
            assert await queue.function(2, call.callid, A.ForceClear) == SUCCESS
            assert [c.callid for c in (await settle(queue, 2)).lost] == [call.callid]
            await set_agents(queue, True)

    run(scenario)
    sim.hangup_all()


def test_the_queue_sends_its_parked_call_on_from_the_slot(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws_q, queue), (ws_p, park) = [await open_client(switch_server) for _ in range(2)]
        async with ws_q, ws_p:
            await queue.subscribe_queue(2)
            await park_server(park)
            call = await waiting_call(sim, queue)
            assert await queue.function(2, call.callid, A.Park, "6") == SUCCESS
            assert (await settle(queue, 2)).calls[call.callid].featuresavailable == PARKED_BITS
            (slot,) = (await settle(park, 4)).calls.values()
            assert await queue.function(2, call.callid, A.BlindTransfer, "1999") == 612
            assert await queue.function(2, call.callid, A.BlindTransfer, "/102/Callflow") == SUCCESS
            flow = (await settle(queue, 2)).calls[call.callid]
            assert flow.state == S.ANSWEREDBYVOICEMAIL and flow.connectedparty.number == "Callflow"
            assert [c.callid for c in (await settle(park, 4)).lost] == [slot.callid]
            assert await queue.function(2, call.callid, A.DropCall) == SUCCESS
            assert [c.callid for c in (await settle(queue, 2)).lost] == [call.callid]
            assert sim.calls() == []
            await set_agents(queue, True)

    run(scenario)
    sim.hangup_all()


def test_a_queue_call_sent_to_a_users_mailbox_shows_on_both_lines(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws_q, queue), (ws_u, user) = [await open_client(switch_server) for _ in range(2)]
        async with ws_q, ws_u:
            await queue.subscribe_queue(2)
            await user.subscribe_user(5, "1004", flags=0)
            call = await waiting_call(sim, queue)
            assert await queue.function(2, call.callid, A.BlindTransfer, "/102/1004") == SUCCESS
            box = (await settle(queue, 2)).calls[call.callid]
            assert box.state == S.ANSWEREDBYVOICEMAIL and box.featuresavailable == VOICEMAIL_BITS
            assert (box.connectedparty.number, box.connectedparty.name) == ("8000", "Voicemail")
            # 1004 was never in the call, yet its line shows the call in its
            # voicemail, a message being left; Drop is all it can do.
            (mine,) = (await settle(user, 5)).calls.values()
            assert mine.state == S.LEAVINGVOICEMAILMESSAGE and mine.direction == CallInfo.INBOUND
            assert mine.featuresavailable == CallFeature.Drop and mine.gcid == box.gcid
            assert mine.callingparty.number == CALLER and mine.originalcalledparty.number == "3100"
            assert (mine.connectedparty.number, mine.connectedparty.name) == ("8000", "Voicemail")
            assert await user.function(5, mine.callid, A.BlindTransfer, "1008") == INVALID

            # The queue takes it back out of the mailbox: 1004's line loses it.
            assert await queue.function(2, call.callid, A.BlindTransfer, "1008") == SUCCESS
            lost = (await settle(user, 5)).lost
            assert [(c.callid, c.reason) for c in lost] == [(mine.callid, 16)]
            await settle(queue, 2)
            sim.act("1008", "answer")
            talking = (await settle(queue, 2)).calls[call.callid]
            assert talking.state == S.CONNECTED and talking.connectedparty.number == "1008"
            sim.act("1008", "hangup")
            assert [c.callid for c in (await settle(queue, 2)).lost] == [call.callid]
            await set_agents(queue, True)

    run(scenario)
    sim.hangup_all()


def test_an_unanswered_call_stays_on_the_users_line_in_its_voicemail(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, user = await open_client(switch_server)
        async with ws:
            await user.subscribe_user(1, "1004", flags=0x01)  # with the mailbox counts
            sim.incoming(CALLER, "1004")
            (ring,) = (await settle(user, 1)).calls.values()
            assert ring.state == S.RINGING and ring.featuresavailable == 0x23

            # No answer in 15 s: voicemail answers, on the same callid.
            sim.advance(15)
            view = await settle(user, 1)
            vm = view.calls[ring.callid]
            assert not view.lost and list(view.calls) == [ring.callid]
            assert vm.state == S.LEAVINGVOICEMAILMESSAGE and vm.direction == CallInfo.INBOUND
            assert vm.featuresavailable == CallFeature.Drop
            assert (vm.connectedparty.number, vm.connectedparty.name) == ("8000", "Voicemail")
            assert vm.callingparty.number == CALLER and vm.gcid == ring.gcid
            for action, arg1 in ((A.AnswerCall, ""), (A.HoldCall, ""), (A.Redirect, "1008"), (A.Park, "7"),
                                 (A.BlindTransfer, "1008"), (A.CallRecordingOn, "")):
                assert await user.function(1, vm.callid, action, arg1) == INVALID, A.Action.Name(action)

            # Drop clears the call; the message left so far is kept.
            sim.advance(4)
            assert await user.function(1, vm.callid, A.DropCall) == SUCCESS
            view = await settle(user, 1)
            assert [(c.callid, c.reason, c.thisenddropped) for c in view.lost] == [(vm.callid, 16, True)]
            assert view.config[-1].mailbox.newmessages >= 1
            assert sim.calls() == []
            assert await user.function(1, vm.callid, A.DropCall) == NOTFOUND

    run(scenario)
    sim.hangup_all()


def test_a_call_transferred_into_a_users_mailbox_appears_on_its_line(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        (ws_a, agent), (ws_u, owner) = [await open_client(switch_server) for _ in range(2)]
        async with ws_a, ws_u:
            await agent.subscribe_user(3, "1003", flags=0)
            await owner.subscribe_user(6, "1006", flags=0)
            sim.act("1002", "dial", digits="1003")
            (ring,) = (await settle(agent, 3)).calls.values()
            sim.act("1003", "answer")
            await settle(agent, 3)
            assert await agent.function(3, ring.callid, A.BlindTransfer, "/102/1006") == SUCCESS
            assert [c.callid for c in (await settle(agent, 3)).lost] == [ring.callid]
            (vm,) = (await settle(owner, 6)).calls.values()
            assert vm.state == S.LEAVINGVOICEMAILMESSAGE and vm.featuresavailable == CallFeature.Drop
            assert vm.callingparty.number == "1002" and vm.originalcalledparty.number == "1003"
            # The caller hangs up: the call ends on 1006's line.
            sim.act("1002", "hangup")
            assert [(c.callid, c.thisenddropped) for c in (await settle(owner, 6)).lost] == [(vm.callid, False)]

    run(scenario)
    sim.hangup_all()
