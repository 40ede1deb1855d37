"""Presentation routes (call-model §1.1 Routing "presentation (OFFICE +
MOBILE selected)", §2.4 R2d): the office phone always presents a call to the
user; the MOBILE one does while it is selected. The selection is the user's
mobile twinning, the one engine setting that decides whether the mobile
rings with the desk (O2G's Remote Extension and MTCTI-3's EC500 are two
views of it), so it persists with the user's presence."""
from __future__ import annotations

import pytest
from engine_support import Harness, only
from test_twinning import MOBILE, give_mobile

from ctiswitch.engine.directory import Presence
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.events import ConnectionCleared, PresenceChanged
from ctiswitch.engine.states import Cause, ConnectionState

S = ConnectionState


class TestRinging:
    def test_an_unselected_mobile_stays_quiet(self, h: Harness) -> None:
        give_mobile(h)
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        h.switch.clear_call(call.id)

    def test_a_selected_mobile_rings_in_the_same_party(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting", MOBILE: "alerting"}
        assert h.conn("1004").party is h.conn(MOBILE).party
        h.take()
        h.switch.answer(h.conn(MOBILE).id)
        assert h.states(call) == {"1003": "connected", MOBILE: "connected"}
        (cleared,) = only(h.take(), ConnectionCleared)
        assert (cleared.dn, cleared.cause) == ("1004", Cause.ANSWERED_ELSEWHERE)
        h.switch.clear_call(call.id)

    def test_unselecting_stops_the_mobile_ringing_for_new_calls(self, h: Harness) -> None:
        give_mobile(h)
        h.switch.set_twinning("1004", True)
        h.switch.set_twinning("1004", False)
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        h.switch.clear_call(call.id)


class TestSetting:
    def test_a_user_without_a_mobile_cannot_select_one(self, h: Harness) -> None:
        with pytest.raises(CommandError) as refused:
            h.switch.set_twinning("1004", True)
        assert refused.value.refusal is Refusal.DEVICE_NOT_FOUND
        assert h.switch.users["1004"].presence.twinning is False

    def test_the_selection_is_announced_and_round_trips_for_the_store(self, h: Harness) -> None:
        give_mobile(h)
        h.take()
        h.switch.set_twinning("1004", True)
        (changed,) = only(h.take(), PresenceChanged)
        assert changed.login == "1004" and changed.presence["twinning"] is True
        assert Presence.from_json(changed.presence) == h.switch.users["1004"].presence
        h.switch.set_twinning("1004", True)
        assert not only(h.take(), PresenceChanged)  # no change, no event
