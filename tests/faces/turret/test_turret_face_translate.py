"""The Turret face's pure parts, in process on the demo company: the line
state sets of call-model §4.3 row by row, CallData, the call queue order,
view differences, DTMF digits, refusal codes, and the subscriber queue's
overflow and drop rules."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from turret_face_support import B, T

from ctiswitch.config import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.states import ConsultPurpose, HoldKind
from ctiswitch.engine.switch import Switch
from ctiswitch.faces.turret import notifier
from ctiswitch.faces.turret.session import Turrets
from ctiswitch.faces.turret.translate import (
    TurretView,
    build_view,
    call_queue,
    dtmf_digit,
    line_states,
    refusal_code,
    view_changes,
)
from ctiswitch.faces.turret.wire import Dialect

ME, OTHER = "turret1", "turret9"


@pytest.fixture
def switch() -> Switch:
    return build_switch(load_demo(), VirtualClock())


def ring(switch: Switch, number: str = "5001", caller: str = "0612345678") -> Any:
    switch.incoming_call(caller, number)
    return next(c for c in switch.device(number).connections)


def answered(switch: Switch) -> Any:
    conn = ring(switch)
    switch.answer(conn.id)
    conn.audio = (ME, 1)
    return conn


def seen(switch: Switch, number: str = "5001") -> tuple[frozenset[int], frozenset[int]]:
    device = switch.device(number)
    return line_states(device, ME), line_states(device, OTHER)


def test_idle_inactive_and_ringing(switch: Switch) -> None:
    assert seen(switch) == ({B.Idle}, {B.Idle})
    ring(switch)
    assert seen(switch) == ({B.Ringing}, {B.Ringing})
    switch.device("5002").in_service = False
    assert seen(switch, "5002") == ({B.Inactive}, {B.Inactive})


def test_conversation_and_holds_depend_on_the_audio_owner(switch: Switch) -> None:
    conn = answered(switch)
    assert seen(switch) == ({B.Connected, B.Conversation}, {B.Connected, B.ConversationByAnother})
    conn.audio = None  # answered elsewhere (another API): ByAnother everywhere
    assert seen(switch)[0] == {B.Connected, B.ConversationByAnother}
    conn.audio = (ME, 1)
    conn.party.privacy = True
    assert seen(switch) == ({B.Connected, B.Conversation, B.Privacy},
                            {B.Connected, B.ConversationByAnother, B.PrivacyByAnother})
    conn.party.privacy = False
    switch.hold(conn.id, HoldKind.PRIVATE)
    assert seen(switch) == ({B.Connected, B.PrivateHold}, {B.Connected, B.PrivateHoldByAnother})
    switch.retrieve(conn.id)
    switch.hold(conn.id, HoldKind.COMMON)
    assert seen(switch) == ({B.Connected, B.CommonHold}, {B.Connected, B.CommonHoldByAnother})


def test_consultation_and_conference_rows(switch: Switch) -> None:
    conn = answered(switch)
    consultation = switch.consult(conn.id, "1002", ConsultPurpose.TRANSFER)
    leg = next(c for c in conn.device.connections if c.call is consultation)
    leg.audio = (ME, 1)
    hosting = {B.Connected, B.Conversation, B.HostingConsultation}
    assert seen(switch) == (hosting, {B.Connected, B.ConversationByAnother})
    switch.answer(switch.connection_at("1002").id)
    assert seen(switch)[0] == hosting | {B.ConsultationConnected}
    switch.conference(conn.id, leg.id)
    assert seen(switch) == ({B.Connected, B.Conversation, B.HostingPbxConference},
                            {B.Connected, B.ConversationByAnother})


def test_call_queue_orders_by_line_priority_then_ring_time(switch: Switch) -> None:
    profile = load_demo().turret_profiles[0]
    ring(switch, "5003")
    switch.clock.advance(1)
    ring(switch, "5002", "0698765432")
    assert [line for line, _ in call_queue(profile, switch.devices)] == ["L2", "L3"]
    view = build_view(ME, T.TurretState.Login, profile, switch.devices)
    assert view.top == "L2"
    assert {key[0] for key in view.calls} == {"L2", "L3"}


def test_view_changes_send_only_differences() -> None:
    login = T.TurretState.Login
    idle = TurretView(login, {"L1": frozenset({B.Idle})})
    full = view_changes(None, idle)
    assert [method for method, _ in full] == ["onLoginStateChanged", "onLineStatesChanged"]
    assert view_changes(idle, idle) == []
    call = ("L1", "0612345678", "", "Broker", "7", False)
    ringing = TurretView(login, {"L1": frozenset({B.Ringing})}, {("L1", "7"): call}, "L1")
    methods = [method for method, _ in view_changes(idle, ringing)]
    assert methods == ["onLineStatesChanged", "onCallDataChangedEx", "onCallDataChanged", "onTopOfCallQueueChanged"]
    assert [m for m, _ in view_changes(idle, ringing, legacy_call_data=False)].count("onCallDataChanged") == 0
    assert view_changes(ringing, idle)[-1] == ("onTopOfCallQueueChanged", ("",))


@pytest.mark.parametrize(("value", "digit"), [
    (0, "0"), (9, "9"), (10, "*"), (11, "#"), (ord("5"), "5"), (ord("*"), "*"), (ord("#"), "#"),
    (ord("A"), "A"), (ord("D"), "D"), (12, None), (ord("E"), None), (-1, None), (127, None),
])
def test_dtmf_digits_accept_both_encodings(value: int, digit: str | None) -> None:
    assert dtmf_digit(value) == digit


def test_refusal_codes() -> None:
    assert refusal_code(Refusal.BAD_DESTINATION) == T.InvalidArgument
    assert refusal_code(Refusal.OUT_OF_SERVICE) == T.LineUnavailable
    assert refusal_code(Refusal.CALL_NOT_FOUND) == T.SpeechUnitHasNoCall
    assert refusal_code(Refusal.CANT_COMPLETE) == T.FunctionUnavailable


def test_overflow_discards_the_queue_and_resends_the_whole_state(switch: Switch,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifier, "MAX_QUEUED", 10)
    turrets = Turrets(switch, load_demo().turret_profiles, lambda callback: callback())
    session = turrets.add(ME, {1: T.DeviceType.Handset})
    sub = notifier.Subscriber("127.0.0.1", 9, "", Dialect.FRAMED, lambda s: None)
    session.subscribers[sub.address] = sub
    sub.last = session.view()
    session.broadcast("onLoginResponse", T.LoginSuccessful, "ok")
    session.logged_in(load_demo().turret_profiles[0])  # 1 pending + 10 new > 10
    assert sub.overflows == 1
    assert sub.last == session.view()
    # Login state, four lines, two ring transfers, a sequence, two interface actions; nothing older.
    assert len(sub._queue) == 10


def test_a_subscriber_nobody_listens_to_is_dropped(switch: Switch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: connections are refused

    async def scenario() -> bool:
        turrets = Turrets(switch, load_demo().turret_profiles, lambda callback: callback())
        session = turrets.add(ME, {1: T.DeviceType.Handset})
        session.subscribe("127.0.0.1", port, "", Dialect.UNFRAMED)
        session.broadcast("onLoginResponse", T.LoginSuccessful, "ok")
        for _ in range(200):
            if not session.subscribers:
                return True
            await asyncio.sleep(0.05)
        return False

    assert asyncio.run(scenario())
