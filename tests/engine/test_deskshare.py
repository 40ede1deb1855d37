"""Desk sharing, presentation options and call-log rerouting in the engine
(o2g.md §2.4 #31-32, §2.7; call-model §2.1)."""
from __future__ import annotations

from pathlib import Path

from engine_support import Harness, only

from ctiswitch.config.load import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import CallLogged, DeskSharingChanged
from ctiswitch.persistence import attach_store
from ctiswitch.store import open_store


def test_demo_has_two_free_desk_sharing_sets(h: Harness) -> None:
    for number in ("1901", "1902"):
        device = h.switch.devices[number]
        assert device.desk_sharing and device.user is None


def test_log_on_makes_the_set_ring_for_the_user(h: Harness) -> None:
    h.switch.desk_log_on("1003", "1901")
    assert only(h.take(), DeskSharingChanged) == [DeskSharingChanged("1901", "1003", True)]
    assert [d.number for d in h.switch.users["1003"].devices] == ["1003", "1901"]
    call = h.switch.make_call("1001", "1003")
    assert h.states(call) == {"1001": "connected", "1003": "alerting", "1901": "alerting"}
    h.switch.answer(h.conn("1901").id)
    assert h.states(call) == {"1001": "connected", "1901": "connected"}
    h.switch.clear_call(call.id)


def test_log_off_gives_the_set_back(h: Harness) -> None:
    h.switch.desk_log_on("1003", "1901")
    h.take()
    h.switch.desk_log_off("1003")
    assert only(h.take(), DeskSharingChanged) == [DeskSharingChanged("1901", "1003", False)]
    assert h.switch.devices["1901"].user is None
    assert [d.number for d in h.switch.users["1003"].devices] == ["1003"]
    call = h.switch.make_call("1001", "1003")
    assert h.states(call) == {"1001": "connected", "1003": "alerting"}
    h.switch.clear_call(call.id)


def test_a_user_is_on_one_set_at_a_time(h: Harness) -> None:
    h.switch.desk_log_on("1003", "1901")
    h.switch.desk_log_on("1003", "1902")
    assert h.switch.devices["1901"].user is None
    assert h.switch.devices["1902"].user is h.switch.users["1003"]
    h.take()
    h.switch.desk_log_on("1003", "1902")  # already there: nothing happens
    assert h.take() == []


def test_refusals(h: Harness) -> None:
    h.refused(Refusal.BAD_VALUE, h.switch.desk_log_on, "1003", "1004")
    h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.desk_log_on, "1003", "1999")
    h.refused(Refusal.INVALID_STATE, h.switch.desk_log_off, "1003")
    h.switch.desk_log_on("1003", "1901")
    h.refused(Refusal.NOT_OWNER, h.switch.desk_log_on, "1004", "1901")
    call = h.switch.make_call("1901", "1002")
    h.refused(Refusal.INVALID_STATE, h.switch.desk_log_off, "1003")
    h.switch.clear_call(call.id)
    free_call = h.switch.make_call("1902", "1002")
    h.refused(Refusal.INVALID_STATE, h.switch.desk_log_on, "1004", "1902")
    h.switch.clear_call(free_call.id)


def test_log_on_survives_a_restart(tmp_path: Path) -> None:
    switch = build_switch(load_demo(), VirtualClock())
    store = open_store(tmp_path)
    attach_store(switch, store)
    switch.desk_log_on("1005", "1902")
    store.close()
    again = build_switch(load_demo(), VirtualClock())
    store = open_store(tmp_path)
    attach_store(again, store)
    assert again.devices["1902"].user is again.users["1005"]
    assert again.desk_of(again.users["1005"]) is again.devices["1902"]
    again.desk_log_off("1005")
    store.close()
    third = build_switch(load_demo(), VirtualClock())
    store = open_store(tmp_path)
    attach_store(third, store)
    assert third.devices["1902"].user is None
    store.close()


def test_presented_number(h: Harness) -> None:
    call = h.switch.make_call("1001", "0612345678", calling_number="0140000000")
    assert h.switch.describe_call(call)["calling_number"] == "0140000000"
    h.refused(Refusal.BAD_DESTINATION, h.switch.make_call, "1002", "1003", calling_number="not a number")
    h.switch.clear_call(call.id)


def test_call_log_names_the_rerouted_party(h: Harness) -> None:
    call = h.switch.make_call("1001", "1002")
    h.switch.deflect(h.conn("1002").id, "1003")
    h.switch.answer(h.conn("1003").id)
    h.switch.clear_call(call.id)
    logged = {e.login: e for e in only(h.take(), CallLogged)}
    assert logged["1002"].rerouted == ("1002",)
    assert logged["1001"].initial_called == "1002"
    assert logged["1001"].rerouted == ("1002",)
    assert logged["1003"].initial_called == "1002"


def test_set_anonymous_withholds_a_party(h: Harness) -> None:
    call = h.switch.make_call("1001", "1002")
    origin = call.origin
    assert origin is not None
    h.switch.set_anonymous(call.id, origin.id, True)
    assert origin.anonymous
    assert h.switch.describe_call(call)["parties"][0]["anonymous"] is True
    h.refused(Refusal.CALL_NOT_FOUND, h.switch.set_anonymous, call.id, 9999, True)
    h.switch.clear_call(call.id)
