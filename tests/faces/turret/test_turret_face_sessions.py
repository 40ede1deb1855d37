"""The Turret face's sessions: login outcomes, the state-gated requests, both
transports, several subscribers, dead subscribers, the one-controller rule
and malformed input, against a running switch over real sockets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_process import RunningServer
from thriftpy2.thrift import TApplicationException
from thriftpy2.transport import TTransportException
from turret_face_support import (
    B,
    Receiver,
    T,
    connect_when_free,
    login,
    turret_address,
    turret_client,
)


@pytest.fixture
def sim(switch_server: RunningServer) -> Iterator[httpx.Client]:
    with switch_server.client() as client:
        yield client


def refused(call: Any, *args: Any) -> int:
    with pytest.raises(T.TurretApiException) as error:
        call(*args)
    return error.value.ErrorCode


def test_login_sequence_wrong_password_and_unknown_profile(switch_server: RunningServer) -> None:
    receiver = Receiver()
    with turret_client(switch_server.urls["turret"]) as turret:
        turret.requestNotifications(receiver.subscriber_info("desk"))
        assert [p.name for p in turret.getProfileList()] == ["Trader1"]
        assert turret.getVersion().startswith("ctiswitch")
        assert turret.getLoginState() == T.TurretState.Logout
        assert refused(turret.getLoggedInProfileName) == T.WrongLoginState
        assert refused(turret.getSpeechUnits) == T.WrongLoginState
        assert refused(turret.getAvailableLines) == T.WrongLoginState
        assert refused(turret.logout) == T.WrongLoginState
        assert refused(turret.makeCall, 1, "1001") == T.WrongLoginState
        assert turret.snapshotCalls() == []

        turret.login("Trader1", "wrong")
        response = receiver.expect("onLoginResponse")
        assert response.args[0] == T.AuthenticationFailed and response.turret_name == "desk"
        turret.login("Nobody", "1234")
        assert receiver.expect("onLoginResponse").args[0] == T.UnknownProfile
        assert turret.getLoginState() == T.TurretState.Logout

        login(turret, receiver)
        assert turret.getLoginState() == T.TurretState.Login
        assert turret.getLoggedInProfileName() == "Trader1"
        units = {(u.id, u.deviceType) for u in turret.getSpeechUnits()}
        assert units == {(1, T.DeviceType.Handset), (2, T.DeviceType.Headset)}
        assert turret.getAvailableLines() == ["L1", "L2", "L3", "L4"]
        assert set(turret.snapshotLineRequest("L4").basicLineStates) == {B.Idle}
        assert refused(turret.snapshotLineRequest, "nope") == T.InvalidLine
        assert refused(turret.login, "Trader1", "1234") == T.WrongLoginState

        assert [rt.apiName for rt in turret.getAvailableRingTransfers()] == ["RT_Desk", "RT_Backup"]
        assert [s.apiName for s in turret.getAvailableRingtransferSequences()] == ["SEQ_Handover"]
        assert turret.getAvailableInterfaceActions() == ["Recording", "Market"]
        rt = T.RingTransferId(apiName="rt", controlledProfileName="Trader1")
        assert refused(turret.snapshotRingTransfer, rt) == T.InvalidRingTransfer
        assert refused(turret.setRingTransferSequenceActive, rt, True) == T.InvalidRingTransferSequence
        assert refused(turret.snapshotInterfaceAction, "btn") == T.InvalidInterfaceAction

        turret.logout()
        receiver.expect("onLoginStateChanged", lambda n: n.args[0] == T.TurretState.Logout)
        assert turret.getLoginState() == T.TurretState.Logout
    receiver.close()


def test_unframed_client_gets_unframed_notifications(switch_server: RunningServer, sim: httpx.Client) -> None:
    receiver = Receiver("unframed")
    connect_when_free(switch_server.urls["turret"])
    with turret_client(switch_server.urls["turret"], "unframed") as turret:
        turret.requestNotifications(receiver.subscriber_info())
        login(turret, receiver)
        assert sim.post("/sim/calls", json={"from": "0611111111", "to": "5004"}).status_code == 201
        assert receiver.expect_line("L4", B.Ringing).turret_name == ""
        turret.answerSpecificCall(1, "L4")
        receiver.expect_line("L4", B.Connected, B.Conversation)
        turret.disconnectCall(1)
        receiver.expect_line("L4", B.Idle)
        turret.logout()
    receiver.close()


def test_two_subscribers_and_a_dead_one(switch_server: RunningServer, sim: httpx.Client) -> None:
    first, second, dead = Receiver(), Receiver(), Receiver()
    dead.close()  # nobody listens there any more
    connect_when_free(switch_server.urls["turret"])
    with turret_client(switch_server.urls["turret"]) as turret:
        turret.requestNotifications(dead.subscriber_info("dead"))
        turret.requestNotifications(first.subscriber_info("one"))
        turret.requestNotifications(second.subscriber_info("two"))
        turret.login("Trader1", "1234")
        for receiver, name in ((first, "one"), (second, "two")):
            assert receiver.expect("onLoginResponse").turret_name == name
        assert sim.post("/sim/calls", json={"from": "0622222222", "to": "5002"}).status_code == 201
        for receiver in (first, second):
            receiver.expect_line("L2", B.Ringing)
            assert receiver.expect("onTopOfCallQueueChanged").args == ("L2",)
        # The line is answered by someone else (the sim at the line itself):
        # no turret has its audio, so every turret sees ...ByAnother.
        assert sim.post("/sim/devices/5002/answer", json={}).status_code == 200
        for receiver in (first, second):
            receiver.expect_line("L2", B.Connected, B.ConversationByAnother)
        assert refused(turret.disconnectCall, 1) == T.SpeechUnitHasNoCall
        assert sim.post("/sim/devices/5002/hangup", json={}).status_code == 200
        for receiver in (first, second):
            receiver.expect_line("L2", B.Idle)
        turret.logout()
    for receiver in (first, second):
        receiver.close()


def test_a_second_controlling_connection_is_refused(switch_server: RunningServer) -> None:
    url = switch_server.urls["turret"]
    connect_when_free(url)
    with turret_client(url) as first:
        assert first.getLoginState() == T.TurretState.Logout
        with turret_client(url, "unframed") as second:
            with pytest.raises(T.TurretApiException) as error:
                second.getLoggedInProfileName()
            assert error.value.ErrorCode == T.FunctionUnavailable
            assert "another application" in error.value.ErrorAsString
            with pytest.raises((TTransportException, OSError)):
                second.getLoginState()  # the refused connection was closed
        with turret_client(url) as third, pytest.raises(TApplicationException):
            third.getLoginState()  # no exception declared: an application error
        assert first.getLoginState() == T.TurretState.Logout


def test_malformed_input_closes_only_that_connection(switch_server: RunningServer) -> None:
    url = switch_server.urls["turret"]
    connect_when_free(url)
    with turret_client(url) as good:
        with socket.create_connection(turret_address(url)) as bad:
            bad.sendall(b"\x82\x21\x00\x05hello")  # the compact protocol
            bad.settimeout(10)
            assert bad.recv(100) == b""
        assert good.getLoginState() == T.TurretState.Logout
        with pytest.raises(T.TurretApiException) as error:
            good.requestNotifications(T.SubscriberInfo(ipAddress="not-an-ip", port=1))
        assert error.value.ErrorCode == T.InvalidArgument
