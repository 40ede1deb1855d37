"""Dial digit by digit (spec/mtcti3.md §5.2 Dial: overlap dialling moves the
call DIALTONE -> DIALLING -> DIALLED/RINGBACK as the number resolves)."""
from __future__ import annotations

from mtcti3_face_support import Sim, latest_calls, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallFunction as A
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo

S = CallInfo.State
BADFORMAT = 608


def test_mtcti3_face_dial_digit_by_digit(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            await client.subscribe_user(1, "1004")
            assert await client.command(1, referencecallid=3, makecall={"target": ""}) == 0
            (call,) = (await latest_calls(client, 1)).values()
            assert call.state == S.DIALTONE
            for digit, state, dialled in (("1", S.DIALLING, "1"), ("0", S.DIALLING, "10"),
                                          ("0", S.DIALLING, "100"), ("2", S.RINGBACK, "1002")):
                assert await client.function(1, call.callid, A.Dial, digit) == 0
                (call,) = (await latest_calls(client, 1)).values()
                assert (call.state, call.calledparty) == (state, dialled)
                if state == S.DIALLING:
                    assert call.featuresavailable & 0x41 == 0x41  # Drop and Dial
            assert await client.function(1, call.callid, A.Dial, "3") == 609  # no longer dialling
            assert await client.function(1, call.callid, A.DropCall) == 0
            assert await latest_calls(client, 1) == {}

            # An outside number waits for the inter-digit timer.
            assert await client.command(1, referencecallid=4, makecall={"target": ""}) == 0
            (call,) = (await latest_calls(client, 1)).values()
            assert await client.function(1, call.callid, A.Dial, "x") == BADFORMAT
            assert await client.function(1, call.callid, A.Dial, "0612") == 0
            (call,) = (await latest_calls(client, 1)).values()
            assert call.state == S.DIALLING
            sim.advance(5)
            (call,) = (await latest_calls(client, 1)).values()
            assert (call.state, call.calledparty) == (S.RINGBACK, "0612")
            assert await client.function(1, call.callid, A.DropCall) == 0
            assert await latest_calls(client, 1) == {}

    run(scenario)
    sim.hangup_all()
