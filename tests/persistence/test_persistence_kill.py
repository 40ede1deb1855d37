"""A killed switch process loses nothing it had acknowledged.

The server is driven over its real sockets, killed with SIGKILL (no chance
to flush or close anything), and the store is then read cold; a restarted
server on the same data folder comes up on the same records.
"""
from __future__ import annotations

import signal
from pathlib import Path

from server_process import launch, serve_args, wait_ready

from ctiswitch.store import open_store


def test_kill_9_keeps_call_log_and_messages(tmp_path: Path) -> None:
    server = wait_ready(launch(tmp_path / "run1", *serve_args(tmp_path / "data", "--virtual-clock")))
    try:
        with server.client() as sim:
            # an answered call 1001 -> 1002, then hung up
            assert sim.post("/sim/devices/1001/dial", json={"digits": "1002"}).status_code == 200
            assert sim.post("/sim/devices/1002/answer").status_code == 200
            assert sim.post("/sim/clock/advance", json={"seconds": 7}).status_code == 200
            assert sim.post("/sim/devices/1002/hangup").status_code == 200
            # 1003 calls 1004, nobody answers: voicemail picks up after 15 s,
            # 1003 talks for 4 s and hangs up, which deposits a message
            assert sim.post("/sim/devices/1003/dial", json={"digits": "1004"}).status_code == 200
            assert sim.post("/sim/clock/advance", json={"seconds": 15}).status_code == 200
            (call,) = sim.get("/sim/state").json()["calls"]
            assert [p["kind"] for p in call["parties"]] == ["user", "voicemail"]
            assert sim.post("/sim/clock/advance", json={"seconds": 4}).status_code == 200
            assert sim.post("/sim/devices/1003/hangup").status_code == 200
            assert sim.get("/sim/state").json()["calls"] == []
    finally:
        server.stop(signal.SIGKILL)

    store = open_store(tmp_path / "data")
    try:
        assert [r.answered for r in store.call_log.for_user("1001")] == [True]
        assert [(r.direction, r.answered) for r in store.call_log.for_user("1002")] == [("incoming", True)]
        # 1004 never answered: a missed call, diverted to voicemail
        assert [(r.direction, r.answered, r.reason) for r in store.call_log.for_user("1004")] == \
            [("incoming", False, "voicemail")]
        (message,) = store.messages.for_user("1004", "voicemail")
        assert message.sender == "1003" and message.body == {"duration": 4.0}
    finally:
        store.close()

    again = wait_ready(launch(tmp_path / "run2", *serve_args(tmp_path / "data", "--virtual-clock")))
    try:
        with again.client() as sim:
            assert sim.get("/health").json()["status"] == "ok"
    finally:
        assert again.stop() == 0
    store = open_store(tmp_path / "data")
    try:
        assert len(store.call_log.for_user("1001")) == 1
    finally:
        store.close()
