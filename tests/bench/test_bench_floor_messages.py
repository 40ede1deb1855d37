"""The fan-out floor (bench/load_baselines.py) sends what the switch sent.

The floor is only a fair measure if each call carries the calibrated
messages: the same count per channel and the same bytes, serialised again
from structured data for every call. Samples here are made by the switch's
own serialisers (as the bench captures them from its subscribers); the
floor's outboxes must hold them byte for byte, an MTCTI-3 Notify differing
only in its notify_id, once per call whatever the phase the call is in.
"""
from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from ctiswitch.faces.mtcti3.mtcti3_pb2 import Message
from ctiswitch.faces.mtcti3.wire import decode, encode
from ctiswitch.faces.o2g.hub import line
from ctiswitch.faces.sky.wire.responses import CallState, CallView, render_call_event
from ctiswitch.faces.turret.wire import Dialect, encode_notification

ROOT = Path(__file__).resolve().parents[2]
CALLS = 2


def _load_baselines() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_baselines", ROOT / "bench" / "load_baselines.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_baselines"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _samples() -> dict[str, list[bytes]]:
    """One quiet call's worth of messages per channel, as the bench captures them."""
    events = [line({"eventName": name, "loginName": "2000", "callRef": str(ref), "text": "a<b & \u00e9"}).rstrip(b"\n")
              for ref, name in enumerate(("OnCallCreated", "OnCallModified", "OnCallModified", "OnCallRemoved"))]
    notifies = [encode(Message(notify={"subscribe_id": 3, "notify_id": 9, "callcontrol": {
        "refreshinstance": k, "callinfo": [{"callid": 5, "gcid": b"\x01\x02", "state": state}]}}), True)
        for k, state in enumerate((4, 6, 10), 1)]
    notes = [encode_notification("onCallDataChanged", "turret0", "L60000", "2001", "User <1>", "",
                                 dialect=Dialect.FRAMED)[4:],
             encode_notification("onTopOfCallQueueChanged", "turret0", "", dialect=Dialect.FRAMED)[4:]]
    documents = [render_call_event(7, [CallView(11, state, "2000", "6460002000", 0, "000add000001", True, "A & B")])
                 for state in (CallState.PENDING, CallState.CONNECTED, CallState.DELETED)]
    return {"o2g-chunk": events, "o2g-webhook": events, "mtcti3": notifies, "turret": notes, "sky": documents}


def test_each_call_sends_the_calibrated_messages_byte_for_byte() -> None:
    floor_module = _load_baselines()
    samples = _samples()
    floor = floor_module.Floor({"webhook": "http://127.0.0.1:9/events", "turret": 9, "faces": {"o2g": {
        channel: [base64.b64encode(raw).decode() for raw in raws] for channel, raws in samples.items()}}})
    for _ in range(CALLS * floor_module.REQUESTS_PER_CALL):
        floor.fan_out("o2g")
    assert list(floor.chunks.items) == [event + b"\n" for event in samples["o2g-chunk"]] * CALLS
    assert list(floor.webhook.items) == samples["o2g-webhook"] * CALLS
    assert list(floor.turret.items) == [len(note).to_bytes(4, "big") + note for note in samples["turret"]] * CALLS
    assert list(floor.sky.items) == samples["sky"] * CALLS
    sent = [decode(data, True) for data in floor.notifies.items]
    assert [message.notify.notify_id for message in sent] == list(range(1, len(sent) + 1))
    assert floor.unacked == set(range(1, len(sent) + 1))
    for message in sent:
        message.notify.notify_id = 9
    assert [encode(message, True) for message in sent] == samples["mtcti3"] * CALLS
