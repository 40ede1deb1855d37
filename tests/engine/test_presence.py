"""User presence (absence, app presence, twinning, app-set voicemail
counters), the no-answer time, group service mode and voicemail, and
overlap dialling: the engine additions behind the MTCTI-3 user, presence and
queue settings and its digit-by-digit Dial.

These are the run-time settings an IP Office keeps for its CTI clients: each
change emits one event (PresenceChanged, UserChanged, GroupChanged) so the
store persists it, a change to the current value emits nothing, and a bad
value is refused with nothing changed.
"""
from __future__ import annotations

import pytest
from engine_support import Harness

from ctiswitch.engine.directory import Absence, Device, Presence
from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import (
    CallChanged,
    GroupChanged,
    PresenceChanged,
    UserChanged,
)
from ctiswitch.engine.states import MAX_CALLS, ConnectionState, DeviceType, ServiceMode

S = ConnectionState


def presence_json(**fields: object) -> dict[str, object]:
    return {**Presence().to_json(), **fields}


def give_mobile(h: Harness, login: str, number: str) -> Device:
    """Configure a mobile twin for `login` (the demo company has none)."""
    user = h.switch.users[login]
    device = Device(number, DeviceType.MOBILE, MAX_CALLS[DeviceType.MOBILE], user=user)
    user.devices.append(device)
    h.switch.devices[number] = device
    return device


class TestAbsence:
    def test_set_change_and_clear(self, h: Harness) -> None:
        h.switch.set_absence("1004", 3, "14:00")
        assert h.switch.users["1004"].presence.absence == Absence(3, "14:00")
        assert h.take() == [PresenceChanged("1004", presence_json(absence={"msg": 3, "text": "14:00"}))]
        h.switch.set_absence("1004", 3, "14:00")
        assert h.take() == []
        h.switch.set_absence("1004", None)
        assert h.switch.users["1004"].presence.absence is None
        assert h.take() == [PresenceChanged("1004", presence_json())]

    @pytest.mark.parametrize("msg, text", [(0, ""), (12, ""), (11, "x" * 22)])
    def test_bad_values_are_refused(self, h: Harness, msg: int, text: str) -> None:
        h.refused(Refusal.BAD_VALUE, h.switch.set_absence, "1004", msg, text)
        assert h.switch.users["1004"].presence.absence is None

    def test_unknown_user(self, h: Harness) -> None:
        h.refused(Refusal.USER_NOT_FOUND, h.switch.set_absence, "9999", 9)


class TestAppPresence:
    def test_set_and_limit(self, h: Harness) -> None:
        h.switch.set_app_presence("1001", "In a meeting")
        assert h.take() == [PresenceChanged("1001", presence_json(app="In a meeting"))]
        h.refused(Refusal.BAD_VALUE, h.switch.set_app_presence, "1001", "x" * 35)
        assert h.switch.users["1001"].presence.app == "In a meeting"

    def test_mailbox_counts(self, h: Harness) -> None:
        h.switch.set_mailbox_counts("1002", (3, 1, 0))
        assert h.take() == [PresenceChanged("1002", presence_json(mailbox_counts=[3, 1, 0]))]
        h.refused(Refusal.BAD_VALUE, h.switch.set_mailbox_counts, "1002", (1, -1, 0))
        h.switch.set_mailbox_counts("1002", None)
        assert h.switch.users["1002"].presence.mailbox_counts is None


class TestTwinning:
    def test_needs_a_mobile(self, h: Harness) -> None:
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.set_twinning, "1004", True)
        h.switch.set_twinning("1004", False)
        assert h.take() == []

    def test_the_mobile_rings_only_while_twinned(self, h: Harness) -> None:
        give_mobile(h, "1004", "0699000004")
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting"}
        h.switch.clear_connection(h.conn("1003").id)
        h.switch.set_twinning("1004", True)
        assert h.take()[-1] == PresenceChanged("1004", presence_json(twinning=True))
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "connected", "1004": "alerting", "0699000004": "alerting"}
        h.switch.answer(h.conn("0699000004").id)
        assert h.states(call) == {"1003": "connected", "0699000004": "connected"}
        h.switch.clear_connection(h.conn("1003").id)


class TestNoAnswerTime:
    def test_set_and_use(self, h: Harness) -> None:
        h.switch.set_no_answer_time("1004", 5)
        assert h.take() == [UserChanged("1004", ("no_answer_seconds",))]
        call = h.switch.make_call("1003", "1004")
        h.advance(5)
        assert h.states(call) == {"1003": "connected", "8000": "connected"}
        h.switch.clear_call(call.id)

    @pytest.mark.parametrize("seconds", [0, 3601, "10"])
    def test_bad_values(self, h: Harness, seconds: object) -> None:
        h.refused(Refusal.BAD_VALUE, h.switch.set_no_answer_time, "1004", seconds)


class TestServiceMode:
    def test_night_service_without_fallback_is_busy(self, h: Harness) -> None:
        h.switch.set_service_mode("3100", ServiceMode.NIGHT)
        assert h.take() == [GroupChanged("3100", ("service_mode",))]
        call = h.switch.make_call("1001", "3100")
        assert h.states(call) == {"1001": "failed"}
        h.switch.clear_call(call.id)
        h.switch.set_service_mode("3100", ServiceMode.ACTIVE)
        call = h.switch.make_call("1001", "3100")
        assert h.states(call)["3100"] == "queued"
        h.switch.clear_call(call.id)

    def test_out_of_service_goes_to_the_fallback(self, h: Harness) -> None:
        h.switch.groups["3000"].overflow = "1008"
        h.switch.set_service_mode("3000", ServiceMode.OUT_OF_SERVICE)
        call = h.switch.make_call("1001", "3000")
        assert h.states(call) == {"1001": "connected", "1008": "alerting"}
        assert call.redirects == [("3000", "1008", "forward_immediate")]
        h.switch.clear_call(call.id)

    def test_fallback_loops_end_busy(self, h: Harness) -> None:
        h.switch.groups["3000"].overflow = "3100"
        h.switch.groups["3100"].overflow = "3000"
        h.switch.set_service_mode("3000", ServiceMode.NIGHT)
        h.switch.set_service_mode("3100", ServiceMode.NIGHT)
        call = h.switch.make_call("1001", "3000")
        assert h.states(call) == {"1001": "failed"}
        h.switch.clear_call(call.id)

    def test_unknown_group_and_mode(self, h: Harness) -> None:
        h.refused(Refusal.GROUP_NOT_FOUND, h.switch.set_service_mode, "3999", ServiceMode.NIGHT)
        h.refused(Refusal.BAD_VALUE, h.switch.set_service_mode, "3000", "asleep")


class TestGroupVoicemail:
    def test_switching_it_off_keeps_calls_waiting(self, h: Harness) -> None:
        group = h.switch.groups["3100"]
        group.voicemail_seconds, group.overflow = 30.0, "1008"
        for member in group.members:
            member.logged_on = False
        h.switch.set_group_voicemail("3100", False)
        assert h.take() == [GroupChanged("3100", ("voicemail_enabled",))]
        call = h.switch.make_call("1001", "3100")
        h.advance(31)
        assert h.states(call) == {"1001": "connected", "3100": "queued"}
        h.switch.clear_call(call.id)
        h.switch.set_group_voicemail("3100", True)
        call = h.switch.make_call("1001", "3100")
        h.advance(31)
        assert h.states(call) == {"1001": "connected", "1008": "alerting"}
        h.switch.clear_call(call.id)

    def test_a_group_without_voicemail_cannot_switch_it_on(self, h: Harness) -> None:
        h.refused(Refusal.NO_VOICEMAIL, h.switch.set_group_voicemail, "3000", True)
        h.switch.set_group_voicemail("3000", False)
        assert h.take() == [GroupChanged("3000", ("voicemail_enabled",))]


def test_restore_reapplies_presence_and_group_settings(h: Harness) -> None:
    switch = h.switch
    assert switch.restore("user:1004", "presence", presence_json(absence={"msg": 11, "text": "away"}, app="x"))
    assert switch.users["1004"].presence == Presence(Absence(11, "away"), "x")
    assert switch.restore("user:1004", "no_answer_seconds", 7)
    assert switch.users["1004"].no_answer_seconds == 7.0
    assert switch.restore("group:3000", "service", {"service_mode": "night", "voicemail_enabled": False})
    assert switch.groups["3000"].service_mode is ServiceMode.NIGHT
    assert switch.groups["3000"].voicemail_enabled is False
    assert h.take() == []


class TestOverlapDialling:
    def test_an_internal_number_routes_when_complete(self, h: Harness) -> None:
        call = h.switch.off_hook("1001")
        conn = h.conn("1001")
        h.take()
        h.switch.dial_digits(conn.id, "1")
        assert call.dialled == "1" and conn.state is S.INITIATED
        assert h.take() == [CallChanged(call.id, ("dialled",))]
        h.switch.dial_digits(conn.id, "00")
        h.switch.dial_digits(conn.id, "4")
        assert h.states(call) == {"1001": "connected", "1004": "alerting"}
        assert call.dialled == "1004"
        h.switch.clear_call(call.id)

    def test_an_outside_number_waits_for_more_digits_or_the_timer(self, h: Harness) -> None:
        call = h.switch.off_hook("1001")
        conn = h.conn("1001")
        h.switch.dial_digits(conn.id, "0644")
        h.advance(4)
        h.switch.dial_digits(conn.id, "4444")
        h.advance(4)
        assert conn.state is S.INITIATED and call.dialled == "06444444"
        h.advance(1)
        assert h.states(call) == {"1001": "connected", "06444444": "alerting"}
        h.switch.clear_call(call.id)

    def test_hash_ends_dialling_and_a_full_number_needs_no_timer(self, h: Harness) -> None:
        call = h.switch.off_hook("1001")
        h.switch.dial_digits(h.conn("1001").id, "0612#")
        assert h.states(call) == {"1001": "connected", "0612": "alerting"}
        h.switch.clear_call(call.id)
        call = h.switch.off_hook("1001")
        h.switch.dial_digits(h.conn("1001").id, "0644444444")
        assert h.states(call) == {"1001": "connected", "0644444444": "alerting"}
        h.switch.clear_call(call.id)

    def test_an_unknown_number_fails_at_once(self, h: Harness) -> None:
        call = h.switch.off_hook("1001")
        h.switch.dial_digits(h.conn("1001").id, "9")
        assert h.states(call) == {"1001": "failed"}
        h.switch.clear_call(call.id)

    def test_refusals_change_nothing(self, h: Harness) -> None:
        call = h.switch.off_hook("1001")
        conn = h.conn("1001")
        h.switch.dial_digits(conn.id, "10")
        h.refused(Refusal.BAD_DESTINATION, h.switch.dial_digits, conn.id, "x")
        h.refused(Refusal.BAD_DESTINATION, h.switch.dial_digits, conn.id, "+")
        h.refused(Refusal.BAD_DESTINATION, h.switch.dial_digits, conn.id, "1" * 31)
        assert call.dialled == "10"
        h.switch.users["1002"].external_calls = False
        other = h.switch.off_hook("1002")
        h.refused(Refusal.NOT_OWNER, h.switch.dial_digits, h.conn("1002").id, "0644444444")
        h.switch.clear_call(other.id)
        h.switch.clear_call(call.id)
        h.refused(Refusal.CONNECTION_NOT_FOUND, h.switch.dial_digits, conn.id, "1")

    def test_barred_user_fails_when_the_timer_routes(self, h: Harness) -> None:
        h.switch.users["1001"].external_calls = False
        call = h.switch.off_hook("1001")
        h.switch.dial_digits(h.conn("1001").id, "0612")
        h.advance(5)
        assert h.states(call) == {"1001": "failed"}
        h.switch.clear_call(call.id)
