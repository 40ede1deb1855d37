"""Nothing acknowledged is lost when the process is killed with SIGKILL mid-stream.

A child process writes records of every kind as fast as it can and prints an
acknowledgement line after each write returns. The test reads some of those
lines, kills the child without warning (while it is, most likely, inside a
write), collects whatever acknowledgements were already printed, then reopens
the store and checks that every acknowledged record is there, intact, and
that the file passes ``PRAGMA integrity_check``. Three rounds on the same
folder also check recovery of a hot WAL and that ids keep growing across
crashes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import ctiswitch
from ctiswitch.store import Callback, CallRecord, Message, open_store

WRITER = """
import sys
from pathlib import Path
from ctiswitch.store import Callback, CallRecord, Message, open_store

store = open_store(Path(sys.argv[1]))
round_ = sys.argv[2]
for n in range(1_000_000):
    tag = f"{round_}-{n}"
    store.settings.put(f"user:{tag}", "preferences", {"tag": tag, "n": n})
    print("ok setting", tag, flush=True)
    record_id = store.call_log.append(CallRecord(
        None, "1001", tag, float(n), float(n) + 1.5, n % 2 == 0, "incoming", "normal", False, [{"tag": tag}]
    ))
    print("ok call", tag, record_id, flush=True)
    message_id = store.messages.add(Message(None, "1001", "mini", "1002", float(n), False, {"text": tag}))
    print("ok message", tag, message_id, flush=True)
    callback_id = store.callbacks.add(Callback(None, "1001", "1002", tag, float(n)))
    print("ok callback", tag, callback_id, flush=True)
"""


def expected_call(tag: str, record_id: int) -> CallRecord:
    n = int(tag.split("-")[1])
    return CallRecord(
        record_id, "1001", tag, float(n), n + 1.5, n % 2 == 0, "incoming", "normal", False, [{"tag": tag}]
    )


def expected_message(tag: str, message_id: int) -> Message:
    return Message(message_id, "1001", "mini", "1002", float(tag.split("-")[1]), False, {"text": tag})


def expected_callback(tag: str, callback_id: int) -> Callback:
    return Callback(callback_id, "1001", "1002", tag, float(tag.split("-")[1]))


def write_then_kill(data_dir: Path, round_: int, acknowledgements_before_kill: int) -> list[list[str]]:
    """Run the writer, SIGKILL it after that many acknowledgements, return every acknowledgement printed."""
    project_root = Path(ctiswitch.__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(project_root), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), str(round_)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    seen: list[str] = []
    while len(seen) < acknowledgements_before_kill:
        line = child.stdout.readline()
        if not line:
            child.wait()
            pytest.fail(f"the writer stopped before being killed:\n{child.stderr.read() if child.stderr else ''}")
        seen.append(line)
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate()
    assert child.returncode == -signal.SIGKILL
    seen.extend(rest.splitlines(keepends=True))
    complete = [line.split() for line in seen if line.endswith("\n")]
    assert all(words[0] == "ok" for words in complete)
    return complete


def test_every_acknowledged_write_survives_kill_9(data_dir: Path) -> None:
    chooser = random.Random(9)
    highest = {"call": 0, "message": 0, "callback": 0}
    for round_ in range(3):
        acknowledged = write_then_kill(data_dir, round_, chooser.randint(40, 400))
        assert acknowledged, "the writer acknowledged nothing"
        with open_store(data_dir) as store:
            assert store._db.read("PRAGMA integrity_check") == [("ok",)]
            callbacks = {c.id: c for c in store.callbacks.for_user("1001")}
            round_ids: dict[str, list[int]] = {"call": [], "message": [], "callback": []}
            for _, kind, tag, *rest in acknowledged:
                n = int(tag.split("-")[1])
                if kind == "setting":
                    assert store.settings.get(f"user:{tag}", "preferences") == {"tag": tag, "n": n}
                    continue
                stored_id = int(rest[0])
                round_ids[kind].append(stored_id)
                if kind == "call":
                    assert store.call_log.get(stored_id) == expected_call(tag, stored_id)
                elif kind == "message":
                    assert store.messages.get(stored_id) == expected_message(tag, stored_id)
                else:
                    assert callbacks.get(stored_id) == expected_callback(tag, stored_id)
            for kind, stored in round_ids.items():
                assert stored == sorted(stored)
                assert not stored or stored[0] > highest[kind], f"{kind} ids were reused after a crash"
                highest[kind] = max([highest[kind], *stored])
