"""Ring transfers, ring transfer sequences and interface actions of the demo
profile Trader1, and the sim route that presses its keys, against a running
switch over real sockets.

The demo's ring transfers control Trader1's own lines (the demo has one
profile), so here they change state only; a ring transfer presenting
another profile's lines is in test_turret_face_settings.py. Each test puts
back the states it changed: the switch is shared by the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_process import RunningServer
from turret_face_support import Receiver, T, connect_when_free, login, turret_client

RTS = T.RingTransferState
SEQ = T.RingTransferSequenceState
IA = T.InterfaceActionStateValue
KEY = T.InterfaceActionKeyState
DESK = T.RingTransferId(apiName="RT_Desk", controlledProfileName="Trader1")
BACKUP = T.RingTransferId(apiName="RT_Backup", controlledProfileName="Trader1")
HANDOVER = T.RingTransferId(apiName="SEQ_Handover", controlledProfileName="Trader1")


@pytest.fixture
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client


@pytest.fixture
def logged_in(switch_server: RunningServer) -> Iterator[tuple[Any, Receiver]]:
    receiver = Receiver()
    connect_when_free(switch_server.urls["turret"])
    with turret_client(switch_server.urls["turret"]) as turret:
        turret.requestNotifications(receiver.subscriber_info("desk"))
        login(turret, receiver)
        yield turret, receiver
        turret.logout()
    receiver.close()


def refused(call: Any, *args: Any) -> int:
    with pytest.raises(T.TurretApiException) as error:
        call(*args)
    return error.value.ErrorCode


def rt_state(receiver: Receiver, rid: Any, state: int) -> None:
    receiver.expect("onRingTransferStateChanged", lambda n: n.args == (rid, state))


def seq_state(receiver: Receiver, state: int) -> None:
    receiver.expect("onRingTransferSequenceStateChanged", lambda n: n.args == (HANDOVER, state))


def test_turret_face_ring_transfers_change_and_refuse(logged_in: tuple[Any, Receiver]) -> None:
    turret, receiver = logged_in
    # Login sent the states once, like the lines.
    rt_state(receiver, DESK, RTS.Inactive)
    rt_state(receiver, BACKUP, RTS.Active)
    seq_state(receiver, SEQ.Inactive)
    assert turret.snapshotRingTransfer(DESK) == RTS.Inactive
    assert turret.snapshotRingTransfer(BACKUP) == RTS.Active

    unknown = T.RingTransferId(apiName="RT_Desk", controlledProfileName="Nobody")
    assert refused(turret.snapshotRingTransfer, unknown) == T.InvalidRingTransfer
    assert refused(turret.setRingTransferActive, unknown, True) == T.InvalidRingTransfer
    assert refused(turret.setRingTransferActive, BACKUP, True) == T.RingTransferIsAlreadyInThatState

    turret.setRingTransferActive(DESK, True)
    rt_state(receiver, DESK, RTS.Active)
    seq_state(receiver, SEQ.PartiallyActive)  # RT_Desk reached its target, RT_Backup not yet
    assert turret.snapshotRingTransfer(DESK) == RTS.Active

    turret.setRingTransferActive(BACKUP, False)
    rt_state(receiver, BACKUP, RTS.Inactive)
    seq_state(receiver, SEQ.Active)

    # RT_Desk is now the last active ring transfer of keep-active group Desk:
    # the request is taken, and refused by notification (spec C1 A-17).
    turret.setRingTransferActive(DESK, False)
    error = receiver.expect("onRingTransferStateChangeError")
    assert error.args[:2] == (DESK, T.RingTransferKagConflict)
    assert turret.snapshotRingTransfer(DESK) == RTS.Active

    # The inverting sequence puts both back: activations first, so the group never empties.
    assert refused(turret.setRingTransferSequenceActive, HANDOVER, True) == T.RingTransferSequenceIsAlreadyInThatState
    turret.setRingTransferSequenceActive(HANDOVER, False)
    rt_state(receiver, BACKUP, RTS.Active)
    rt_state(receiver, DESK, RTS.Inactive)
    seq_state(receiver, SEQ.Inactive)
    assert turret.snapshotRingTransferSequence(HANDOVER) == SEQ.Inactive
    assert refused(turret.setRingTransferSequenceActive, HANDOVER, False) == T.RingTransferSequenceIsAlreadyInThatState
    missing = T.RingTransferId(apiName="SEQ", controlledProfileName="Trader1")
    assert refused(turret.snapshotRingTransferSequence, missing) == T.InvalidRingTransferSequence
    assert not any(n.method.endswith("Error") for n in receiver.seen)


def test_turret_face_interface_actions_states_and_texts(logged_in: tuple[Any, Receiver]) -> None:
    turret, receiver = logged_in
    shown = turret.snapshotInterfaceAction("Recording")
    assert (shown.state, shown.labelText, shown.firstLineText, shown.secondLineText) == (
        IA.Inactive, "Rec", "Recording", "")

    turret.setInterfaceActionState("Recording", T.InterfaceActionState(state=IA.Active))
    note = receiver.expect("onInterfaceActionStateChanged", lambda n: n.args[1].state == IA.Active)
    assert note.args[0] == "Recording" and note.args[1].labelText == "Rec"
    assert refused(turret.setInterfaceActionState, "Recording",
                   T.InterfaceActionState(state=IA.Active)) == T.InterfaceActionIsAlreadyInThatState
    assert refused(turret.setInterfaceActionState, "Recording",
                   T.InterfaceActionState(state=IA.State_A)) == T.InvalidInterfaceActionState
    assert refused(turret.setInterfaceActionState, "Nope",
                   T.InterfaceActionState(state=IA.Active)) == T.InvalidInterfaceAction

    # A text set overrides; a text left out stays; "" goes back to the configured one.
    turret.setInterfaceActionState("Recording", T.InterfaceActionState(state=IA.Active, secondLineText="on air"))
    note = receiver.expect("onInterfaceActionStateChanged", lambda n: n.args[1].secondLineText == "on air")
    assert note.args[1].labelText == "Rec"
    turret.setInterfaceActionState("Recording", T.InterfaceActionState(state=IA.Inactive, labelText="REC"))
    shown = turret.snapshotInterfaceAction("Recording")
    assert (shown.state, shown.labelText, shown.secondLineText) == (IA.Inactive, "REC", "on air")
    turret.setInterfaceActionState("Recording", T.InterfaceActionState(
        state=IA.Inactive, labelText="", secondLineText=""))
    shown = turret.snapshotInterfaceAction("Recording")
    assert (shown.labelText, shown.secondLineText) == ("Rec", "")

    market = turret.snapshotInterfaceAction("Market")
    assert market.state == IA.State_A
    turret.setInterfaceActionState("Market", T.InterfaceActionState(state=IA.State_C))
    receiver.expect("onInterfaceActionStateChanged", lambda n: n.args == (
        "Market", T.InterfaceActionState(IA.State_C, "Market", "Open", "")))
    turret.setInterfaceActionState("Market", T.InterfaceActionState(state=IA.State_A))


def test_turret_face_sim_route_presses_interface_action_keys(
        logged_in: tuple[Any, Receiver], sim: httpx.Client) -> None:
    turret, receiver = logged_in
    answer = sim.post("/sim/turrets/turret1/keys/Market")
    assert answer.status_code == 200, answer.text
    assert answer.json()["events"] == ["Pressed", "Released"]
    receiver.expect("onInterfaceActionKeyChanged", lambda n: n.args == ("Market", KEY.Pressed))
    receiver.expect("onInterfaceActionKeyChanged", lambda n: n.args == ("Market", KEY.Released))
    assert sim.post("/sim/turrets/turret1/keys/Market", json={"event": "down"}).json()["events"] == ["Pressed"]
    assert sim.post("/sim/turrets/turret1/keys/Market", json={"event": "up"}).json()["events"] == ["Released"]
    assert sim.post("/sim/turrets/turret1/keys/Recording").json()["events"] == ["Clicked"]
    receiver.expect("onInterfaceActionKeyChanged", lambda n: n.args == ("Recording", KEY.Clicked))
    # A key press is only reported: the application decides the state.
    assert turret.snapshotInterfaceAction("Recording").state == IA.Inactive

    bad = sim.post("/sim/turrets/turret1/keys/Recording", json={"event": "press"})
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_field")
    assert sim.post("/sim/turrets/turret1/keys/Nope").status_code == 404
    assert sim.post("/sim/turrets/nobody/keys/Market").status_code == 404
    assert sim.post("/sim/turrets/turret1/keys/Market", json={"evnt": "x"}).status_code == 400


def test_turret_face_keys_need_a_loaded_profile(switch_server: RunningServer, sim: httpx.Client) -> None:
    connect_when_free(switch_server.urls["turret"])
    with turret_client(switch_server.urls["turret"]) as turret:
        assert turret.getLoginState() == T.TurretState.Logout
        assert refused(turret.getAvailableRingTransfers) == T.WrongLoginState
        assert refused(turret.getAvailableInterfaceActions) == T.WrongLoginState
    answer = sim.post("/sim/turrets/turret1/keys/Market")
    assert (answer.status_code, answer.json()["error"]) == (409, "logged_out")
