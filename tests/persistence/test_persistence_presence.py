"""Presence, the no-answer time and group service settings survive a
restart: the bridge stores each change as it happens and re-applies it."""
from __future__ import annotations

from pathlib import Path

from ctiswitch.config.load import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.directory import Absence
from ctiswitch.engine.states import ServiceMode
from ctiswitch.engine.switch import Switch
from ctiswitch.persistence import attach_store
from ctiswitch.store import Store, open_store


def start(data_dir: Path) -> tuple[Switch, Store]:
    switch = build_switch(load_demo(), VirtualClock())
    store = open_store(data_dir)
    attach_store(switch, store)
    return switch, store


def test_presence_and_group_settings_survive_a_restart(tmp_path: Path) -> None:
    switch, store = start(tmp_path)
    switch.set_absence("1001", 2, "3pm")
    switch.set_app_presence("1001", "Busy with customer")
    switch.set_mailbox_counts("1002", (3, 0, 1))
    switch.set_no_answer_time("1003", 9)
    switch.set_service_mode("3100", ServiceMode.OUT_OF_SERVICE)
    switch.set_group_voicemail("3000", False)
    store.close()

    again, store2 = start(tmp_path)
    alice = again.users["1001"].presence
    assert alice.absence == Absence(2, "3pm") and alice.app == "Busy with customer"
    assert again.users["1002"].presence.mailbox_counts == (3, 0, 1)
    assert again.users["1003"].no_answer_seconds == 9.0
    assert again.groups["3100"].service_mode is ServiceMode.OUT_OF_SERVICE
    assert again.groups["3000"].voicemail_enabled is False
    # the restored mode drives routing: the queue takes no calls
    call = again.make_call("1004", "3100")
    assert [c.state.value for c in call.connections()] == ["failed"]
    again.clear_call(call.id)
    # clearing is stored too
    again.set_absence("1001", None)
    store2.close()
    third, store3 = start(tmp_path)
    assert third.users["1001"].presence.absence is None
    assert third.users["1001"].presence.app == "Busy with customer"
    store3.close()
