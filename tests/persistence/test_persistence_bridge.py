"""The bridge persists what a PBX keeps and restores settings on restart."""
from __future__ import annotations

from pathlib import Path

from ctiswitch.config.load import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.states import ForwardKind
from ctiswitch.engine.switch import Switch
from ctiswitch.persistence import attach_store
from ctiswitch.sim.phones import perform
from ctiswitch.store import open_store


def start(data_dir: Path) -> tuple[Switch, VirtualClock, object]:
    clock = VirtualClock()
    switch = build_switch(load_demo(), clock)
    store = open_store(data_dir)
    attach_store(switch, store)
    return switch, clock, store


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    switch, _, store = start(tmp_path)
    switch.set_forward("1001", ForwardKind.BUSY, "1002")
    switch.set_dnd("1003", True)
    switch.set_password("1004", "9876")
    switch.set_preferences("1005", {"guiLanguage": "fr"})
    switch.set_logged_on("3100", "1006", False)
    switch.remove_member("3000", "1007")
    store.close()

    again, _, store2 = start(tmp_path)
    assert again.users["1001"].routing.forward is not None
    assert again.users["1001"].routing.forward.kind is ForwardKind.BUSY
    assert again.users["1001"].routing.forward.destination == "1002"
    assert again.users["1003"].routing.dnd is True
    assert again.users["1004"].secret == "9876"
    assert again.users["1005"].preferences == {"guiLanguage": "fr"}
    assert again.groups["3100"].member("1006").logged_on is False
    assert again.groups["3000"].member("1007") is None
    # restored membership still drives distribution: 1007 is not offered
    call = again.incoming_call("0611223344", "3000")
    ringing = {p.number for p in call.parties.values() if p.state.value == "alerting"}
    assert ringing == {"1005", "1006"}
    store2.close()


def test_call_log_messages_and_callbacks_are_stored(tmp_path: Path) -> None:
    switch, clock, store = start(tmp_path)
    perform(switch, "1001", "dial", "1002")
    clock.advance(3)
    perform(switch, "1002", "answer")
    clock.advance(10)
    perform(switch, "1001", "hangup")
    # an unanswered call goes to voicemail after 15 s; the caller leaves a message
    perform(switch, "1003", "dial", "1004")
    clock.advance(15)  # no answer: voicemail picks up
    clock.advance(5)
    perform(switch, "1003", "hangup")
    switch.request_callback("1002", "0612345678", "Mme Client")
    switch.send_message("1001", "1002", "call me")
    store.close()

    store = open_store(tmp_path)
    (rec,) = store.call_log.for_user("1001")
    assert rec.direction == "outgoing" and rec.answered
    assert rec.ended_at - rec.started_at == 13
    assert rec.parties == [{"number": "1002", "name": "Bruno Dubois", "role": "called"}]
    (missed,) = store.call_log.for_user("1004")
    assert missed.direction == "incoming" and not missed.answered
    (voicemail,) = store.messages.for_user("1004", "voicemail")
    assert voicemail.sender == "1003" and voicemail.body == {"duration": 5.0}
    (mini,) = store.messages.for_user("1001", "mini")
    assert mini.body == {"text": "call me"} and mini.sender == "1002"
    (callback,) = store.callbacks.for_user("1002")
    assert callback.caller == "0612345678" and callback.caller_name == "Mme Client"
    store.close()


def test_a_changed_associate_survives_a_restart(tmp_path: Path) -> None:
    from ctiswitch.engine.directory import OVERFLOW_ASSOCIATE

    switch, _, store = start(tmp_path)
    switch.set_overflow("1002", ForwardKind.NO_ANSWER, OVERFLOW_ASSOCIATE, associate="1004")
    store.close()
    again, _, store2 = start(tmp_path)
    assert again.users["1002"].associate == "1004"
    assert again.users["1002"].routing.overflow_destination == OVERFLOW_ASSOCIATE
    store2.close()


def test_a_batch_with_several_records_is_one_transaction(tmp_path: Path) -> None:
    """A call's end logs it for each of its users in one batch: both
    records are committed together (one fsync), not one commit each."""
    switch, clock, store = start(tmp_path)
    perform(switch, "1001", "dial", "1002")
    perform(switch, "1002", "answer")
    statements: list[str] = []
    store._db._raw.set_trace_callback(statements.append)  # the sqlite3 connection under the store
    perform(switch, "1001", "hangup")
    store._db._raw.set_trace_callback(None)
    inserts = [i for i, sql in enumerate(statements) if sql.startswith("INSERT INTO call_record")]
    assert len(inserts) == 2
    begin = statements.index("BEGIN IMMEDIATE")
    commit = statements.index("COMMIT")
    assert begin < inserts[0] < inserts[1] < commit
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert {r.login for r in store.call_log.for_user("1001") + store.call_log.for_user("1002")} == {"1001", "1002"}
    store.close()
