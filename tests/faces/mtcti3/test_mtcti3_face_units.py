"""Units behind the MTCTI-3 face's hot paths, without a server: the guid
index, user appearances found through the user's devices, the app-presence
handler count, the failure cause the engine keeps on a connection, and
the voicemail states of a user and a queue line."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ctiswitch.config.load import load_demo
from ctiswitch.engine.build import build_switch
from ctiswitch.engine.calls import Party
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.directory import User
from ctiswitch.engine.states import Cause, ConnectionState, PartyKind
from ctiswitch.engine.switch import Switch
from ctiswitch.faces.mtcti3 import translate_calls as tc
from ctiswitch.faces.mtcti3 import translate_config as tcfg
from ctiswitch.faces.mtcti3.constants import CallFeature
from ctiswitch.faces.mtcti3.mtcti3_pb2 import CallInfo
from ctiswitch.faces.mtcti3.subscriptions import AppHandlers, Changes, Subscription
from ctiswitch.faces.mtcti3.wire import to_int32


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


def callcontrol(sub: Subscription, switch: Switch) -> Any:
    """Recompute a subscription and take the callcontrol Notify it would
    send now (after the configuration snapshot a new one sends first)."""
    sub.refresh(switch, tc.Seen(), Changes())
    while True:
        message = sub.next_message()
        assert message is not None, "no callcontrol Notify is waiting"
        assert sub.ack(message.notify.notify_id)
        if message.notify.WhichOneof("payload") == "callcontrol":
            return message.notify.callcontrol


def test_mtcti3_face_voicemail_states_on_the_owners_line_and_on_the_queue() -> None:
    """With an answer delay and a greeting, a call in a user's own voicemail
    goes RINGING -> RINGINGVOICEMAIL -> ANSWEREDBYVOICEMAIL ->
    LEAVINGVOICEMAILMESSAGE on one callid (call-model §4.2); a queue sees a
    voicemail that rings, then one that answered (the DOC's state)."""
    clock = VirtualClock()
    switch = build_switch(load_demo(), clock)
    switch.voicemail_answer_delay = 2
    switch.voicemail_greeting_seconds = 3
    owner = Subscription(1, "user", ccflags=0x99, user=switch.users["1004"])
    switch.incoming_call("0611111111", "1004")
    (ring,) = callcontrol(owner, switch).callinfo
    assert ring.state == CallInfo.RINGING
    states = []
    for seconds in (15, 2, 3):
        clock.advance(seconds)
        control = callcontrol(owner, switch)
        assert not control.calllost
        (info,) = control.callinfo
        assert info.callid == ring.callid and info.featuresavailable == CallFeature.Drop
        states.append(info.state)
    assert states == [CallInfo.RINGINGVOICEMAIL, CallInfo.ANSWEREDBYVOICEMAIL, CallInfo.LEAVINGVOICEMAILMESSAGE]

    queue = Subscription(2, "queue", ccflags=0x01, group=switch.groups["3100"])
    for member in switch.groups["3100"].members:
        member.logged_on = False
    call = switch.incoming_call("0622222222", "3100")
    (waiting,) = callcontrol(queue, switch).callinfo
    assert waiting.state == CallInfo.QUEUEING
    gparty = tc.group_party(call)
    assert gparty is not None
    switch.transfer_to_voicemail(gparty.connections[0].id, "1004")
    (ringing,) = callcontrol(queue, switch).callinfo
    assert ringing.state == CallInfo.RINGINGVOICEMAIL
    assert ringing.featuresavailable == tc.QUEUE_BASE | CallFeature.BlindTransfer
    clock.advance(2)
    (answered,) = callcontrol(queue, switch).callinfo
    assert answered.state == CallInfo.ANSWEREDBYVOICEMAIL and answered.featuresavailable == to_int32(0xE060E091)
    clock.advance(3)  # the message is being left: the queue's view does not change
    queue.refresh(switch, tc.Seen(), Changes())
    assert queue.next_message() is None
    # 1004 saw the queue call arrive in its voicemail as a new appearance.
    infos = {i.callid: i for i in callcontrol(owner, switch).callinfo}
    assert [i.state for i in infos.values() if i.callid != ring.callid] == [CallInfo.LEAVINGVOICEMAILMESSAGE]


def test_mtcti3_face_voicemail_takes_over_the_callid_only_of_the_same_call() -> None:
    """The owner's own ringing party hands its callid to the voicemail that
    replaces it; a call arriving in the mailbox from elsewhere in the same
    refresh gets a callid of its own, and the party that left is lost."""
    clock = VirtualClock()
    switch = build_switch(load_demo(), clock)
    owner = Subscription(1, "user", ccflags=0x99, user=switch.users["1004"])
    first = switch.incoming_call("0611111111", "1004")
    (ring,) = callcontrol(owner, switch).callinfo
    second = switch.incoming_call("0622222222", "1003")
    switch.answer(conn_of(switch, "1003", ConnectionState.ALERTING))
    switch.transfer_to_voicemail(conn_of(switch, "1003", ConnectionState.CONNECTED), "1004")
    clock.advance(15)  # the first call goes to 1004's voicemail too
    control = callcontrol(owner, switch)
    assert not control.calllost
    by_gcid = {i.gcid: i for i in control.callinfo}
    assert by_gcid[first.gcid].callid == ring.callid
    assert by_gcid[second.gcid].callid not in (0, ring.callid)
    assert owner.call_of == {("v", p.id): p.call.id for p in switch.voicemail_parties(switch.users["1004"])}
