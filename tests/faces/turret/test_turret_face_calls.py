"""The Turret face against a running switch: login, calls on lines, hold,
consultation, transfer, conference and DTMF, seen by a thriftpy2 client
and a thriftpy2 notification server, as a vendor application would.

The sim API plays the people outside: callers to the lines' numbers and
the phones of the demo users the turret calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_process import RunningServer
from turret_face_support import B, Receiver, T, login, turret_client

CALLER = "0612345678"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.close()


@pytest.fixture
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client


@pytest.fixture
def turret(switch_server: RunningServer, receiver: Receiver) -> Iterator[Any]:
    """A framed client, subscribed and logged in to Trader1; logged out after."""
    with turret_client(switch_server.urls["turret"]) as client:
        client.requestNotifications(receiver.subscriber_info("desk-1"))
        login(client, receiver)
        yield client
        client.logout()


def sim_call(sim: httpx.Client, to: str, caller: str = CALLER) -> int:
    response = sim.post("/sim/calls", json={"from": caller, "to": to})
    assert response.status_code == 201, response.text
    return response.json()["call"]


def act(sim: httpx.Client, number: str, action: str) -> None:
    response = sim.post(f"/sim/devices/{number}/{action}", json={})
    assert response.status_code == 200, response.text


def no_calls(sim: httpx.Client) -> bool:
    return sim.get("/sim/state").json()["calls"] == []


def test_incoming_call_rings_answers_from_queue_top_and_releases(turret: Any, receiver: Receiver,
                                                                  sim: httpx.Client) -> None:
    sim_call(sim, "5001")
    ringing = receiver.expect_line("L1", B.Ringing)
    assert ringing.turret_name == "desk-1"
    assert receiver.expect("onTopOfCallQueueChanged").args == ("L1",)
    data = receiver.expect("onCallDataChangedEx").args[0]
    assert (data.lineName, data.partyNumber, data.active) == ("L1", CALLER, False)
    assert receiver.expect("onCallDataChanged").args[:2] == ("L1", CALLER)

    turret.answerCall(1)
    receiver.expect_line("L1", B.Connected, B.Conversation)
    assert receiver.expect("onTopOfCallQueueChanged").args == ("",)
    assert receiver.expect("onCallDataChangedEx", lambda n: n.args[0].active).args[0].callId == data.callId
    assert [c.lineName for c in turret.snapshotCalls()] == ["L1"]
    assert set(turret.snapshotLineRequest("L1").basicLineStates) == {B.Connected, B.Conversation}

    turret.disconnectCall(1)
    receiver.expect_line("L1", B.Idle)
    assert turret.snapshotCalls() == []
    assert no_calls(sim)


def test_answer_a_specific_line_and_the_refusals_around_it(turret: Any, receiver: Receiver,
                                                           sim: httpx.Client) -> None:
    with pytest.raises(T.TurretApiException) as empty:
        turret.answerCall(1)
    assert empty.value.ErrorCode == T.NoIncomingCall
    with pytest.raises(T.TurretApiException) as idle:
        turret.answerSpecificCall(1, "L2")
    assert idle.value.ErrorCode == T.LineIsNotRinging

    sim_call(sim, "5002")
    receiver.expect_line("L2", B.Ringing)
    for su, line, code in ((9, "L2", T.InvalidSpeechUnit), (1, "L9", T.InvalidLine)):
        with pytest.raises(T.TurretApiException) as refused:
            turret.answerSpecificCall(su, line)
        assert refused.value.ErrorCode == code
    turret.answerSpecificCall(2, "L2")
    receiver.expect_line("L2", B.Connected, B.Conversation)
    with pytest.raises(T.TurretApiException) as busy:
        turret.makeCall(2, "1001")
    assert busy.value.ErrorCode == T.SpeechUnitBusy
    with pytest.raises(T.TurretApiException) as no_call:
        turret.disconnectCall(1)
    assert no_call.value.ErrorCode == T.SpeechUnitHasNoCall
    turret.disconnectCall(2)
    receiver.expect_line("L2", B.Idle)


def test_make_call_from_a_free_line_and_a_specific_line(turret: Any, receiver: Receiver,
                                                        sim: httpx.Client) -> None:
    turret.makeCall(1, "1001")
    receiver.expect_line("L1", B.Connected, B.Conversation)
    data = receiver.expect("onCallDataChangedEx", lambda n: n.args[0].partyNumber == "1001").args[0]
    assert data.partyName == "Alice Martin"
    act(sim, "1001", "answer")

    turret.makeCallFromSpecificLine(2, "L3", "1002")
    receiver.expect_line("L3", B.Connected, B.Conversation)
    with pytest.raises(T.TurretApiException) as line_busy:
        turret.makeCallFromSpecificLine(2, "L3", "1004")
    assert line_busy.value.ErrorCode in (T.SpeechUnitBusy, T.LineBusy)
    turret.disconnectCall(2)
    receiver.expect_line("L3", B.Idle)
    with pytest.raises(T.TurretApiException) as line_in_use:
        turret.makeCallFromSpecificLine(2, "L1", "1004")
    assert line_in_use.value.ErrorCode == T.LineBusy

    turret.disconnectCall(1)
    receiver.expect_line("L1", B.Idle)
    assert no_calls(sim)


def test_hold_variants_and_retrieve(turret: Any, receiver: Receiver, sim: httpx.Client) -> None:
    turret.makeCallFromSpecificLine(1, "L1", "1001")
    act(sim, "1001", "answer")
    receiver.expect_line("L1", B.Connected, B.Conversation)

    turret.privateHold(1)
    receiver.expect_line("L1", B.Connected, B.PrivateHold)
    with pytest.raises(T.TurretApiException) as no_call:
        turret.hold(1)
    assert no_call.value.ErrorCode == T.SpeechUnitHasNoCall
    with pytest.raises(T.TurretApiException) as not_held:
        turret.retrieveSpecific(1, "L2")
    assert not_held.value.ErrorCode == T.LineIsNotInHold
    turret.retrieveSpecific(2, "L1")
    receiver.expect_line("L1", B.Connected, B.Conversation)

    turret.commonHold(2)
    receiver.expect_line("L1", B.Connected, B.CommonHold)
    turret.retrieveSpecific(1, "L1")
    receiver.expect_line("L1", B.Connected, B.Conversation)
    turret.hold(1)
    receiver.expect_line("L1", B.Connected, B.CommonHold)
    turret.retrieveSpecific(1, "L1")
    receiver.expect_line("L1", B.Connected, B.Conversation)

    turret.disconnectCall(1)
    receiver.expect_line("L1", B.Idle)


def test_consultation_toggle_and_transfer(turret: Any, receiver: Receiver, sim: httpx.Client) -> None:
    sim_call(sim, "5001")
    receiver.expect_line("L1", B.Ringing)
    turret.answerCall(1)
    receiver.expect_line("L1", B.Connected, B.Conversation)
    with pytest.raises(T.TurretApiException) as none:
        turret.transfer(1)
    assert none.value.ErrorCode == T.NoConsultation

    turret.createConsultation(1, "1002")
    receiver.expect_line("L1", B.Connected, B.Conversation, B.HostingConsultation)
    act(sim, "1002", "answer")
    receiver.expect_line("L1", B.Connected, B.Conversation, B.HostingConsultation, B.ConsultationConnected)
    calls = {(c.partyNumber, c.active) for c in turret.snapshotCalls()}
    assert calls == {(CALLER, False), ("1002", True)}

    turret.toggle(1)
    receiver.expect("onCallDataChangedEx", lambda n: n.args[0].partyNumber == CALLER and n.args[0].active)
    turret.toggle(1)
    receiver.expect("onCallDataChangedEx", lambda n: n.args[0].partyNumber == "1002" and n.args[0].active)

    turret.transfer(1)
    receiver.expect_line("L1", B.Idle)
    state = sim.get("/sim/state").json()
    [call] = state["calls"]
    assert sorted(p["number"] for p in call["parties"]) == sorted([CALLER, "1002"])
    act(sim, "1002", "hangup")
    assert no_calls(sim)


def test_pbx_conference_and_dtmf(turret: Any, receiver: Receiver, sim: httpx.Client) -> None:
    turret.makeCall(1, "1001")
    act(sim, "1001", "answer")
    receiver.expect_line("L1", B.Connected, B.Conversation)
    turret.dtmf(1, ord("5"))
    turret.dtmf(1, 11)
    with pytest.raises(T.TurretApiException) as bad:
        turret.dtmf(1, ord("x"))
    assert bad.value.ErrorCode == T.InvalidArgument
    with pytest.raises(T.TurretApiException) as none:
        turret.dtmf(2, 1)
    assert none.value.ErrorCode == T.SpeechUnitHasNoCall

    turret.createConsultation(1, "1002")
    act(sim, "1002", "answer")
    receiver.expect_line("L1", B.Connected, B.Conversation, B.HostingConsultation, B.ConsultationConnected)
    turret.pbxConference(1)
    receiver.expect_line("L1", B.Connected, B.Conversation, B.HostingPbxConference)
    [call] = sim.get("/sim/state").json()["calls"]
    assert len(call["parties"]) == 3

    turret.disconnectCall(1)
    receiver.expect_line("L1", B.Idle)
    act(sim, "1001", "hangup")
    assert no_calls(sim)
