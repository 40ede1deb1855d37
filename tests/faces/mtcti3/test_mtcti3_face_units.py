"""Units behind the MTCTI-3 face's hot paths, without a server: the guid
index, user appearances found through the user's devices, the app-presence
handler count, and the failure cause the engine keeps on a connection."""
from __future__ import annotations

from collections.abc import Iterator

from ctiswitch.config.load import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.calls import Party
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.directory import User
from ctiswitch.engine.states import Cause, ConnectionState, PartyKind
from ctiswitch.engine.switch import Switch
from ctiswitch.faces.mtcti3 import translate_calls as tc
from ctiswitch.faces.mtcti3 import translate_config as tcfg
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo
from ctiswitch.faces.mtcti3.subscriptions import AppHandlers


def demo_switch() -> Switch:
    return build_switch(load_demo(), VirtualClock())


def walk_every_call(switch: Switch, user: User) -> Iterator[tuple[tc.AppearanceKey, Party]]:
    """The appearances as the face found them before: a walk over every live call."""
    for call in switch.calls.values():
        for party in call.parties.values():
            if party.user is user and party.kind is PartyKind.USER and party.connections:
                yield ("p", party.id), party


def conn_of(switch: Switch, dn: str, state: ConnectionState) -> int:
    return next(c.id for c in switch.connections.values() if c.dn == dn and c.state is state)


def test_mtcti3_face_find_user_index_follows_users_added_and_removed() -> None:
    switch = demo_switch()
    for login, user in switch.users.items():
        assert tcfg.find_user(switch, tcfg.user_guid(login)) is user
    assert tcfg.find_user(switch, b"\x00" * 16) is None
    assert tcfg.find_user(switch, b"") is None
    gone = switch.users.pop("1002")
    assert tcfg.find_user(switch, tcfg.user_guid("1002")) is None
    switch.users["1002"] = gone
    assert tcfg.find_user(switch, tcfg.user_guid("1002")) is gone
    # Another switch has its own index.
    other = demo_switch()
    assert tcfg.find_user(other, tcfg.user_guid("1001")) is other.users["1001"]


def test_mtcti3_face_user_appearances_equal_a_walk_over_every_call() -> None:
    switch = demo_switch()
    users = list(switch.users.values())

    def same() -> None:
        for user in users:
            assert list(tc.user_appearances(switch, user)) == list(walk_every_call(switch, user))

    first = switch.make_call("1001", "1002")
    switch.answer(conn_of(switch, "1002", ConnectionState.ALERTING))
    switch.desk_log_on("1003", "1901")
    switch.incoming_call("0612345678", "1003")  # rings the home phone and the desk set: one appearance
    same()
    held = conn_of(switch, "1001", ConnectionState.CONNECTED)
    switch.consult(held, "1004")
    switch.answer(conn_of(switch, "1004", ConnectionState.ALERTING))
    same()
    switch.conference(held, conn_of(switch, "1001", ConnectionState.CONNECTED))
    same()
    switch.make_call("1005", "1001")  # a second appearance of 1001, in a later call
    same()
    switch.clear_call(first.id)
    same()


def test_mtcti3_face_app_handlers_count_each_subscription() -> None:
    handlers = AppHandlers()
    assert handlers.logins() == frozenset()
    handlers.change(None, "1001")
    handlers.change(None, "1001")
    handlers.change(None, "1002")
    assert handlers.logins() == {"1001", "1002"}
    handlers.change("1001", None)
    assert handlers.logins() == {"1001", "1002"}  # one subscription still handles it
    handlers.change("1001", "1003")
    handlers.change("1002", "1002")
    assert handlers.logins() == {"1002", "1003"}


def test_mtcti3_face_failure_cause_comes_from_the_engine_connection() -> None:
    switch = demo_switch()
    switch.set_dnd("1002", True)
    switch.make_call("1001", "1002")
    conn = switch.connections[conn_of(switch, "1001", ConnectionState.FAILED)]
    assert conn.failure is Cause.DND
    assert tc.user_state(conn.party, tc.Seen())[0] == CallInfo.BUSY
