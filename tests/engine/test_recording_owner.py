"""A personal recording belongs to its user (call-model §7 #16): it stops
when that user leaves the call, and the call says so."""
from __future__ import annotations

from ctiswitch.config.load import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.events import CallChanged


def test_recording_stops_when_its_owner_leaves_a_conference() -> None:
    switch = build_switch(load_demo(), VirtualClock())
    call = switch.make_call("1001", "1002")
    switch.answer(switch.connection_at("1002", call.id).id)
    a = switch.connection_at("1001", call.id)
    switch.add_party(a.id, "1003")
    switch.answer(switch.connection_at("1003", call.id).id)
    switch.set_recording(call.id, "1002", "start")
    batches = []
    switch.subscribe(batches.append)
    switch.clear_connection(switch.connection_at("1002", call.id).id)
    assert call.id in switch.calls and "1002" not in call.recordings
    (batch,) = batches
    assert CallChanged(call.id, ("recordings",)) in batch.events


def test_another_users_recording_goes_on() -> None:
    switch = build_switch(load_demo(), VirtualClock())
    call = switch.make_call("1001", "1002")
    switch.answer(switch.connection_at("1002", call.id).id)
    a = switch.connection_at("1001", call.id)
    switch.add_party(a.id, "1003")
    switch.answer(switch.connection_at("1003", call.id).id)
    switch.set_recording(call.id, "1001", "start")
    switch.clear_connection(switch.connection_at("1002", call.id).id)
    assert call.recordings == {"1001": call.recordings["1001"]}
