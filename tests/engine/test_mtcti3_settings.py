"""Engine additions behind MTCTI-3 user settings and CompleteConf: DND
exceptions (short codes 9, 10), the user voicemail switch (17, 18), their
persistence through RoutingChanged and `restore`, and joining more than two
calls into one conference (spec/mtcti3.md §4.3, §5.2 CompleteConf)."""
from __future__ import annotations

from pathlib import Path

from engine_support import DEMO, Harness, kinds

from ctiswitch.engine.build import build_switch
from ctiswitch.engine.clock import VirtualClock
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import RoutingChanged
from ctiswitch.engine.settings import MAX_DND_EXCEPTIONS
from ctiswitch.engine.states import ConnectionState, ForwardKind
from ctiswitch.persistence import attach_store
from ctiswitch.store import open_store

S = ConnectionState
PLAIN = {"dnd": False, "forward": None, "overflow": None}


class TestDndExceptions:
    def test_an_exception_rings_through_dnd(self, h: Harness) -> None:
        h.switch.set_dnd("1004", True)
        h.switch.add_dnd_exception("1004", "0633333333")
        assert h.take()[-1] == RoutingChanged("1004", {**PLAIN, "dnd": True, "dnd_exceptions": ["0633333333"]})
        through = h.switch.incoming_call("0633333333", "1004")
        assert h.states(through)["1004"] == "alerting"
        blocked = h.switch.make_call("1003", "1004")
        assert "1004" not in h.states(blocked)
        h.switch.clear_call(through.id)
        h.switch.clear_call(blocked.id)

    def test_an_internal_caller_by_its_number(self, h: Harness) -> None:
        h.switch.set_dnd("1004", True)
        h.switch.add_dnd_exception("1004", "1003")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call)["1004"] == "alerting"
        h.switch.clear_call(call.id)

    def test_clear_and_idempotence(self, h: Harness) -> None:
        h.switch.add_dnd_exception("1004", "1003")
        h.take()
        h.switch.add_dnd_exception("1004", "1003")
        assert h.take() == []
        h.switch.clear_dnd_exceptions("1004")
        assert h.take() == [RoutingChanged("1004", PLAIN)]
        assert h.switch.users["1004"].routing.dnd_exceptions == ()
        h.switch.clear_dnd_exceptions("1004")
        assert h.take() == []

    def test_bad_numbers_and_the_limit(self, h: Harness) -> None:
        h.refused(Refusal.BAD_DESTINATION, h.switch.add_dnd_exception, "1004", "12x")
        for n in range(MAX_DND_EXCEPTIONS):
            h.switch.add_dnd_exception("1004", f"06000000{n:02d}")
        h.refused(Refusal.CAPACITY, h.switch.add_dnd_exception, "1004", "0611111111")
        h.refused(Refusal.USER_NOT_FOUND, h.switch.add_dnd_exception, "nobody", "1003")


class TestVoicemailSwitch:
    def test_off_no_coverage_reaches_the_mailbox(self, h: Harness) -> None:
        h.switch.set_voicemail("1004", False)
        assert h.take() == [RoutingChanged("1004", {**PLAIN, "voicemail": False})]
        assert h.switch.no_answer_plan(h.switch.users["1004"], []) is None
        call = h.switch.make_call("1003", "1004")
        h.advance(h.switch.users["1004"].no_answer_seconds + 1)
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        h.switch.clear_call(call.id)

    def test_on_again_covers_as_before(self, h: Harness) -> None:
        h.switch.set_voicemail("1004", False)
        h.switch.set_voicemail("1004", True)
        assert h.take()[-1] == RoutingChanged("1004", PLAIN)
        call = h.switch.make_call("1003", "1004")
        h.advance(h.switch.users["1004"].no_answer_seconds)
        assert h.states(call) == {"1003": "connected", "8000": "connected"}
        h.switch.clear_call(call.id)

    def test_a_forward_to_voicemail_with_voicemail_off_is_busy(self, h: Harness) -> None:
        h.switch.set_forward("1004", ForwardKind.IMMEDIATE, "voicemail")
        h.switch.set_voicemail("1004", False)
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "failed"}
        h.switch.clear_call(call.id)

    def test_needs_a_mailbox_to_switch_on(self, h: Harness) -> None:
        user = h.switch.users["1004"]
        user.has_mailbox = False
        h.refused(Refusal.NO_VOICEMAIL, h.switch.set_voicemail, "1004", True)
        h.switch.set_voicemail("1004", False)


def test_restore_brings_both_back() -> None:
    switch = build_switch(DEMO, VirtualClock())
    assert switch.restore("user:1004", "routing", {**PLAIN, "dnd": True, "dnd_exceptions": ["1003"],
                                                   "voicemail": False})
    routing = switch.users["1004"].routing
    assert routing.dnd and routing.dnd_exceptions == ("1003",) and not routing.voicemail
    assert switch.restore("user:1004", "routing", PLAIN)
    routing = switch.users["1004"].routing
    assert routing.dnd_exceptions == () and routing.voicemail


class TestConferenceOfSeveralCalls:
    def three_calls(self, h: Harness) -> list[int]:
        """1004 talks to 1003, and holds calls with 1001 and an outside
        caller; the connection ids of 1004's three legs."""
        legs = []
        for number in ("1001", "0633333333"):
            call = h.switch.make_call("1004", number)
            if number == "1001":
                h.switch.answer(h.conn("1001", S.ALERTING).id)
            else:
                h.advance(3)
            legs.append(h.conn("1004", S.CONNECTED, call).id)
        call = h.switch.make_call("1004", "1003")
        h.switch.answer(h.conn("1003", S.ALERTING).id)
        legs.append(h.conn("1004", S.CONNECTED, call).id)
        return legs

    def test_joins_them_all_into_one(self, hs: Harness) -> None:
        h = hs
        legs = self.three_calls(h)
        h.take()
        survivor = h.switch.conference_all([legs[2], legs[0], legs[1]])
        assert h.switch.calls == {survivor.id: survivor}
        assert sorted(h.states(survivor).values()) == ["connected"] * 4
        assert kinds(h.take()).count("Conferenced") == 2
        h.switch.clear_call(survivor.id)

    def test_all_or_nothing(self, hs: Harness) -> None:
        h = hs
        legs = self.three_calls(h)
        extra = h.switch.add_party(legs[2], "1002")
        h.switch.answer(h.conn("1002", S.ALERTING).id)
        h.switch.add_party(legs[2], "1008")
        h.switch.add_party(legs[2], "1005")
        assert extra is not None
        h.refused(Refusal.CAPACITY, h.switch.conference_all, legs)
        h.refused(Refusal.INVALID_STATE, h.switch.conference_all, legs[:2])
        h.refused(Refusal.BAD_VALUE, h.switch.conference_all, [legs[2]])
        h.refused(Refusal.BAD_VALUE, h.switch.conference_all, [legs[2], legs[2]])
        for call in list(h.switch.calls):
            h.switch.clear_call(call)



def test_both_survive_a_restart_through_the_store(tmp_path: Path) -> None:
    """RoutingChanged carries them, so the persistence bridge stores them
    and `restore` puts them back over the configuration."""
    first = build_switch(DEMO, VirtualClock())
    store = open_store(tmp_path)
    detach = attach_store(first, store)
    first.add_dnd_exception("1004", "0633333333")
    first.set_voicemail("1004", False)
    detach()
    store.close()
    second = build_switch(DEMO, VirtualClock())
    store = open_store(tmp_path)
    attach_store(second, store)
    routing = second.users["1004"].routing
    assert routing.dnd_exceptions == ("0633333333",) and not routing.voicemail
    store.close()
