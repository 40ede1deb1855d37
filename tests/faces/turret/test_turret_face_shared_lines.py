"""Two turrets sharing lines (call-model §7 #12): a line one turret talks on
or holds is "...ByAnother" on the other, privately held lines stay with
their holder, commonly held ones can be taken over, and a profile is loaded
on one turret at a time. The server runs the demo company plus a second
turret and a second profile listing L1 and L2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_process import RunningServer, start_server
from turret_face_support import B, Receiver, T, login, turret_client

import ctiswitch.config

EXTRA_PROFILE = """turret_profiles:
  - name: Trader2
    password: "5678"
    lines:
      - {name: L1, number: "5001"}
      - {name: L2, number: "5002"}
"""
EXTRA_TURRET = """turrets:
  - name: turret2
    user: "1004"
    speech_units:
      - {id: 7, type: loudspeaker}
"""


@pytest.fixture(scope="module")
def two_turrets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    demo = (Path(ctiswitch.config.__file__).parent / "demo.yaml").read_text(encoding="utf-8")
    assert demo.count("\nturret_profiles:\n") == 1 and demo.count("\nturrets:\n") == 1
    text = demo.replace("\nturret_profiles:\n", "\n" + EXTRA_PROFILE).replace("\nturrets:\n", "\n" + EXTRA_TURRET)
    workdir = tmp_path_factory.mktemp("two-turrets")
    config = workdir / "company.yaml"
    config.write_text(text, encoding="utf-8")
    with start_server(workdir, "--virtual-clock", "--config", str(config)) as server:
        yield server


def test_shared_lines_seen_from_both_turrets(two_turrets: RunningServer) -> None:
    # Each receiver speaks its client's dialect: notifications follow it.
    one, two = Receiver("framed"), Receiver("unframed")
    # turret2 comes first in the company file, so it has the "turret" listener.
    with (turret_client(two_turrets.urls["turret-turret1"]) as first,
          turret_client(two_turrets.urls["turret"], "unframed") as second,
          httpx.Client(base_url=two_turrets.http_url) as sim):
        first.requestNotifications(one.subscriber_info("t1"))
        second.requestNotifications(two.subscriber_info("t2"))
        login(first, one)
        with pytest.raises(T.TurretApiException) as taken:
            second.login("Trader1", "1234")
        assert taken.value.ErrorCode == T.FunctionUnavailable
        login(second, two, "Trader2", "5678")
        assert [(u.id, u.deviceType) for u in second.getSpeechUnits()] == [(7, T.DeviceType.MicrophoneWithSpeaker)]
        assert second.getAvailableLines() == ["L1", "L2"]

        assert sim.post("/sim/calls", json={"from": "0633333333", "to": "5001"}).status_code == 201
        for receiver in (one, two):
            receiver.expect_line("L1", B.Ringing)
            assert receiver.expect("onTopOfCallQueueChanged").args == ("L1",)
        first.answerCall(1)
        one.expect_line("L1", B.Connected, B.Conversation)
        two.expect_line("L1", B.Connected, B.ConversationByAnother)
        assert refused(second.answerSpecificCall, 7, "L1") == T.LineIsNotRinging

        first.privateHold(1)
        one.expect_line("L1", B.Connected, B.PrivateHold)
        two.expect_line("L1", B.Connected, B.PrivateHoldByAnother)
        assert refused(second.retrieveSpecific, 7, "L1") == T.FunctionUnavailable
        first.retrieveSpecific(1, "L1")
        one.expect_line("L1", B.Connected, B.Conversation)

        first.commonHold(1)
        two.expect_line("L1", B.Connected, B.CommonHoldByAnother)
        second.retrieveSpecific(7, "L1")
        two.expect_line("L1", B.Connected, B.Conversation)
        one.expect_line("L1", B.Connected, B.ConversationByAnother)
        assert refused(first.disconnectCall, 1) == T.SpeechUnitHasNoCall
        second.disconnectCall(7)
        for receiver in (one, two):
            receiver.expect_line("L1", B.Idle)
        first.logout()
        second.logout()
    one.close()
    two.close()


def refused(call: Any, *args: Any) -> int:
    with pytest.raises(T.TurretApiException) as error:
        call(*args)
    return error.value.ErrorCode
