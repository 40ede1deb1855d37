"""A company of its own, two turrets and two profiles, to exercise what the
demo cannot: a ring transfer presenting another profile's lines, the
receive-calls-only mode, and the `turret:` settings (two controllers, forced
unframed notifications, private hold behaviour, no deprecated
onCallDataChanged). Real sockets against a running switch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_process import RunningServer, start_server
from thriftpy2.thrift import TApplicationException
from turret_face_support import B, Receiver, T, login, turret_client

COMPANY = """\
name: Desk
users:
  - {login: "1001", first_name: A, last_name: A, secret: s, devices: [{number: "1001", type: deskphone}]}
  - {login: "1002", first_name: B, last_name: B, secret: s, devices: [{number: "1002", type: deskphone}]}
turret_profiles:
  - name: Trader1
    password: "1"
    receive_calls_only: true
    lines: [{name: L1, number: "5001"}]
    ring_transfers:
      - {api_name: FromT2, controlled_profile: Trader2, lines: [M1]}
    ring_transfer_sequences:
      - {api_name: All, members: [{ring_transfer: FromT2}]}
  - name: Trader2
    password: "2"
    lines: [{name: M1, number: "5101"}, {name: M2, number: "5102"}]
turrets:
  - {name: t1, user: "1001", speech_units: [{id: 1, type: handset}]}
  - {name: t2, user: "1002", speech_units: [{id: 1, type: handset}]}
turret:
  max_controllers: 2
  notification_dialect: unframed
  hold_behaviour: private
  legacy_call_data: false
"""
FROM_T2 = T.RingTransferId(apiName="FromT2", controlledProfileName="Trader2")
ALL = T.RingTransferId(apiName="All", controlledProfileName="Trader1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("settings")
    (workdir / "desk.yaml").write_text(COMPANY)
    with start_server(workdir, "--virtual-clock", "--config", str(workdir / "desk.yaml")) as running:
        yield running


@pytest.fixture
def sim(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def refused(call: Any, *args: Any) -> int:
    with pytest.raises(T.TurretApiException) as error:
        call(*args)
    return error.value.ErrorCode


def test_turret_face_ring_transfer_presents_another_profiles_line(server: RunningServer, sim: httpx.Client) -> None:
    # The receivers are unframed although the clients are framed: the dialect is forced.
    mine, theirs = Receiver("unframed"), Receiver("unframed")
    with turret_client(server.urls["turret"]) as t1, turret_client(server.urls["turret-t2"]) as t2:
        t1.requestNotifications(mine.subscriber_info("t1"))
        t2.requestNotifications(theirs.subscriber_info("t2"))
        login(t1, mine, "Trader1", "1")
        assert t1.getAvailableLines() == ["L1"]
        # Trader2 is logged out: the ring transfer cannot change (thrown), and
        # the sequence reports its member's failure by notification.
        assert refused(t1.setRingTransferActive, FROM_T2, True) == T.RingTransferControlledProfileLoggedOut
        t1.setRingTransferSequenceActive(ALL, True)
        assert mine.expect("onRingTransferStateChangeError").args[:2] == (
            FROM_T2, T.RingTransferControlledProfileLoggedOut)
        assert mine.expect("onRingTransferSequenceStateChangeError").args[:2] == (
            ALL, T.RingTransferSequenceStateChangeTimeout)

        login(t2, theirs, "Trader2", "2")
        t1.setRingTransferActive(FROM_T2, True)
        mine.expect("onRingTransferStateChanged", lambda n: n.args == (FROM_T2, T.RingTransferState.Active))
        mine.expect("onRingTransferSequenceStateChanged", lambda n: n.args == (ALL, T.RingTransferSequenceState.Active))
        mine.expect_line("M1", B.Idle)
        assert t1.getAvailableLines() == ["L1", "M1"]

        assert sim.post("/sim/calls", json={"from": "0633333333", "to": "5101"}).status_code == 201
        mine.expect_line("M1", B.Ringing)
        assert mine.expect("onTopOfCallQueueChanged").args == ("M1",)
        theirs.expect_line("M1", B.Ringing)
        t1.answerCall(1)
        mine.expect_line("M1", B.Connected, B.Conversation)
        theirs.expect_line("M1", B.Connected, B.ConversationByAnother)

        # Private hold behaviour: hold is private, commonHold is unavailable.
        assert refused(t1.commonHold, 1) == T.FunctionUnavailable
        t1.hold(1)
        mine.expect_line("M1", B.Connected, B.PrivateHold)
        theirs.expect_line("M1", B.Connected, B.PrivateHoldByAnother)
        t1.retrieveSpecific(1, "M1")
        mine.expect_line("M1", B.Connected, B.Conversation)
        t1.disconnectCall(1)
        mine.expect_line("M1", B.Idle)

        t1.setRingTransferActive(FROM_T2, False)
        mine.expect("onRingTransferStateChanged", lambda n: n.args == (FROM_T2, T.RingTransferState.Inactive))
        assert t1.getAvailableLines() == ["L1"]
        assert refused(t1.snapshotLineRequest, "M1") == T.InvalidLine
        # legacy_call_data: false sends onCallDataChangedEx but never the deprecated onCallDataChanged.
        methods = {note.method for note in mine.pending()}
        assert "onCallDataChangedEx" in methods and "onCallDataChanged" not in methods
        t2.logout()
        t1.logout()
        mine.expect("onLoginStateChanged", lambda n: n.args == (T.TurretState.ReceiveCallsOnly,))
        t1.logout()
        mine.expect("onLoginStateChanged", lambda n: n.args == (T.TurretState.Logout,))
    mine.close()
    theirs.close()


def test_turret_face_receive_calls_only_and_two_controllers(server: RunningServer, sim: httpx.Client) -> None:
    receiver = Receiver("unframed")
    url = server.urls["turret"]
    with turret_client(url) as first, turret_client(url, "unframed") as second:
        # max_controllers: 2 lets both control the turret; a third is refused.
        first.requestNotifications(receiver.subscriber_info())
        assert second.getLoginState() == T.TurretState.Logout
        with turret_client(url) as third, pytest.raises(TApplicationException):
            third.getLoginState()
        login(first, receiver, "Trader1", "1")

        first.logout()  # Trader1 is receive-calls-only: it stays loaded
        receiver.expect("onLoginStateChanged", lambda n: n.args == (T.TurretState.ReceiveCallsOnly,))
        assert second.getLoginState() == T.TurretState.ReceiveCallsOnly
        assert second.getLoggedInProfileName() == "Trader1"
        assert second.getAvailableLines() == ["L1"]
        assert refused(second.makeCall, 1, "1001") == T.WrongLoginState
        assert refused(second.setInterfaceActionState, "x", T.InterfaceActionState(state=0)) == T.WrongLoginState

        assert sim.post("/sim/calls", json={"from": "0644444444", "to": "5001"}).status_code == 201
        receiver.expect_line("L1", B.Ringing)
        second.answerSpecificCall(1, "L1")
        receiver.expect_line("L1", B.Connected, B.Conversation)
        second.disconnectCall(1)
        receiver.expect_line("L1", B.Idle)

        first.login("Trader1", "1")  # from receive-calls-only: the lines were shown all along
        assert receiver.expect("onLoginResponse").args[0] == T.LoginSuccessful
        receiver.expect("onLoginStateChanged", lambda n: n.args == (T.TurretState.Login,))
        assert first.getLoginState() == T.TurretState.Login
        first.logout()
        receiver.expect("onLoginStateChanged", lambda n: n.args == (T.TurretState.ReceiveCallsOnly,))
        first.logout()
        receiver.expect("onLoginStateChanged", lambda n: n.args == (T.TurretState.Logout,))
        assert refused(first.logout) == T.WrongLoginState
    receiver.close()


def test_turret_face_notification_tls_that_cannot_load_gives_407(tmp_path: Path) -> None:
    (tmp_path / "bad-ca.pem").write_text("not a certificate")
    company = COMPANY.replace("  legacy_call_data: false\n",
                              "  legacy_call_data: false\n  notify_tls: {enabled: true, ca: bad-ca.pem}\n")
    (tmp_path / "bad.yaml").write_text(company)
    receiver = Receiver()
    with start_server(tmp_path, "--config", str(tmp_path / "bad.yaml")) as running, \
            turret_client(running.urls["turret"]) as turret:
        assert refused(turret.requestNotifications, receiver.subscriber_info()) == T.LoadTLSCertError
    receiver.close()
