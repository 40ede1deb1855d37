"""Settings and call data: routing, passwords, preferences, phone behaviour,
attached data, recording, mute, privacy, messages, callbacks, restore.

Every change emits an event (that is how the store persists it); a change to
the current value emits nothing; a bad value is refused with nothing changed.
"""
from __future__ import annotations

import pytest
from engine_support import Harness

from ctiswitch.engine.errors import Refusal
from ctiswitch.engine.events import (
    CallbackRequested,
    CallChanged,
    DeviceChanged,
    MessageDeposited,
    PartyChanged,
    RoutingChanged,
    UserChanged,
)
from ctiswitch.engine.states import ConnectionState, ForwardKind, RecordingState

S = ConnectionState
F = ForwardKind


def talking(h: Harness):
    call = h.switch.make_call("1003", "1004")
    h.switch.answer(h.conn("1004").id)
    h.take()
    return call


class TestRouting:
    def test_dnd(self, h: Harness) -> None:
        h.switch.set_dnd("1004", True)
        assert h.take() == [RoutingChanged("1004", {"dnd": True, "forward": None, "overflow": None})]
        h.switch.set_dnd("1004", True)
        assert h.take() == []
        h.switch.set_dnd("1004", False)
        assert h.take() == [RoutingChanged("1004", {"dnd": False, "forward": None, "overflow": None})]

    def test_forward_and_cancel(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.BUSY_NO_ANSWER, "1008")
        assert h.take() == [RoutingChanged("1004", {
            "dnd": False, "forward": {"kind": "busy_no_answer", "destination": "1008"}, "overflow": None})]
        h.switch.set_forward("1004", None)
        assert h.switch.users["1004"].routing.forward is None
        assert len(h.take()) == 1

    def test_forward_to_voicemail_or_outside(self, h: Harness) -> None:
        h.switch.set_forward("1004", F.IMMEDIATE, "voicemail")
        h.switch.set_forward("1003", F.NO_ANSWER, "0612345678")
        h.switch.set_forward("1008", F.BUSY, "0600000486")  # busy now, may not be later
        assert len(h.take()) == 3

    @pytest.mark.parametrize(("login", "destination", "refusal"), [
        ("nobody", "1008", Refusal.USER_NOT_FOUND),
        ("1004", "1004", Refusal.BAD_DESTINATION),
        ("1001", "2001", Refusal.BAD_DESTINATION),  # one's own softphone is oneself
        ("1004", "1999", Refusal.BAD_DESTINATION),
        ("1004", "12x", Refusal.BAD_DESTINATION),
        ("1004", "", Refusal.BAD_DESTINATION),
    ])
    def test_forward_refusals(self, h: Harness, login: str, destination: str, refusal: Refusal) -> None:
        h.refused(refusal, h.switch.set_forward, login, F.IMMEDIATE, destination)

    def test_forward_to_voicemail_needs_a_mailbox(self, h: Harness) -> None:
        h.switch.users["1004"].has_mailbox = False
        h.refused(Refusal.NO_VOICEMAIL, h.switch.set_forward, "1004", F.IMMEDIATE, "voicemail")

    def test_overflow(self, h: Harness) -> None:
        h.switch.set_overflow("1004", F.BUSY_NO_ANSWER)
        assert h.take() == [RoutingChanged("1004", {"dnd": False, "forward": None, "overflow": "busy_no_answer"})]
        h.refused(Refusal.BAD_VALUE, h.switch.set_overflow, "1004", F.IMMEDIATE)
        h.refused(Refusal.USER_NOT_FOUND, h.switch.set_overflow, "nobody", F.BUSY)
        h.switch.users["1003"].has_mailbox = False
        h.refused(Refusal.NO_VOICEMAIL, h.switch.set_overflow, "1003", F.BUSY)
        h.switch.set_overflow("1003", None)  # cancelling needs no mailbox

    def test_dnd_refusal(self, h: Harness) -> None:
        h.refused(Refusal.USER_NOT_FOUND, h.switch.set_dnd, "nobody", True)


class TestUserSettings:
    def test_password(self, h: Harness) -> None:
        h.switch.set_password("1004", "s3cret")
        assert h.take() == [UserChanged("1004", ("secret",))]
        assert h.switch.users["1004"].secret == "s3cret"
        h.refused(Refusal.BAD_VALUE, h.switch.set_password, "1004", "")
        h.refused(Refusal.BAD_VALUE, h.switch.set_password, "1004", "x" * 65)
        h.refused(Refusal.USER_NOT_FOUND, h.switch.set_password, "nobody", "x")

    def test_preferences_merge(self, h: Harness) -> None:
        h.switch.set_preferences("1004", {"lang": "fr"})
        h.switch.set_preferences("1004", {"tz": "UTC"})
        assert h.switch.users["1004"].preferences == {"lang": "fr", "tz": "UTC"}
        assert h.take() == [UserChanged("1004", ("preferences",))] * 2
        h.switch.set_preferences("1004", {"tz": "UTC"})
        assert h.take() == []
        h.refused(Refusal.BAD_VALUE, h.switch.set_preferences, "1004", ["tz"])
        h.refused(Refusal.USER_NOT_FOUND, h.switch.set_preferences, "nobody", {})


class TestDeviceSettings:
    def test_behaviour(self, h: Harness) -> None:
        h.switch.set_behaviour("1004", "auto-answer", 3)
        assert h.take() == [DeviceChanged("1004", ("behaviour",))]
        behaviour = h.switch.device("1004").behaviour
        assert (behaviour.mode, behaviour.delay) == ("auto-answer", 3.0)
        h.refused(Refusal.BAD_VALUE, h.switch.set_behaviour, "1004", "dance")
        h.refused(Refusal.BAD_VALUE, h.switch.set_behaviour, "1004", "manual", -1)
        h.refused(Refusal.BAD_VALUE, h.switch.set_behaviour, "1004", "manual", 3601)
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.set_behaviour, "9999", "manual")

    def test_in_service(self, h: Harness) -> None:
        h.switch.set_in_service("1004", False)
        assert h.take() == [DeviceChanged("1004", ("in_service",))]
        h.switch.set_in_service("1004", False)
        assert h.take() == []
        # An out-of-service phone does not ring: the caller gets its coverage.
        h.switch.set_overflow("1004", None)
        call = h.switch.make_call("1003", "1004")
        assert h.states(call) == {"1003": "failed"}
        h.refused(Refusal.DEVICE_NOT_FOUND, h.switch.set_in_service, "9999", True)


class TestCallData:
    def test_set_fields(self, h: Harness) -> None:
        call = talking(h)
        h.switch.set_call_data(call.id, associated_data=b"\x00" * 32, label="L" * 127, account_code="0123",
                               auth_code="x" * 16, priority=3)
        assert h.take() == [CallChanged(call.id, ("account_code", "associated_data", "auth_code", "label", "priority"))]
        data = call.data
        assert (data.associated_data, data.label, data.account_code, data.auth_code, data.priority) == (
            b"\x00" * 32, "L" * 127, "0123", "x" * 16, 3)
        h.switch.set_call_data(call.id, label=None)  # None clears a field
        assert call.data.label is None
        h.take()
        h.switch.set_call_data(call.id)  # nothing to set: nothing to say
        assert h.take() == []

    @pytest.mark.parametrize("fields", [
        {"associated_data": b"x" * 33},
        {"associated_data": "text"},
        {"label": "L" * 128},
        {"label": 5},
        {"account_code": "12a"},
        {"account_code": ""},
        {"account_code": "1" * 17},
        {"auth_code": ""},
        {"auth_code": "x" * 17},
        {"priority": 0},
        {"priority": 4},
        {"priority": "1"},
        {"colour": "red"},
        {"label": "ok", "priority": 9},  # one bad field: none is set
    ])
    def test_bad_values_are_refused(self, h: Harness, fields: dict) -> None:
        call = talking(h)
        h.refused(Refusal.BAD_VALUE, h.switch.set_call_data, call.id, **fields)

    def test_unknown_call(self, h: Harness) -> None:
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.set_call_data, 42, label="x")
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.set_tag, 42, "a", "b")

    def test_tags(self, h: Harness) -> None:
        call = talking(h)
        h.switch.set_tag(call.id, "crm", "123", ("all",))
        assert h.take() == [CallChanged(call.id, ("tags",))]
        assert call.data.tags == {"crm": ("123", ("all",))}
        h.refused(Refusal.BAD_VALUE, h.switch.set_tag, call.id, "", "v")
        h.refused(Refusal.BAD_VALUE, h.switch.set_tag, call.id, "n", 5)


class TestRecording:
    def test_state_machine(self, h: Harness) -> None:
        call = talking(h)
        sw = h.switch
        sw.set_recording(call.id, "1003", "start")
        assert call.recordings == {"1003": RecordingState.RECORDING}
        assert h.take() == [CallChanged(call.id, ("recordings",))]
        h.refused(Refusal.INVALID_STATE, sw.set_recording, call.id, "1003", "start")
        h.refused(Refusal.INVALID_STATE, sw.set_recording, call.id, "1003", "resume")
        sw.set_recording(call.id, "1003", "pause")
        assert call.recordings == {"1003": RecordingState.PAUSED}
        h.refused(Refusal.INVALID_STATE, sw.set_recording, call.id, "1003", "pause")
        sw.set_recording(call.id, "1003", "resume")
        assert call.recordings == {"1003": RecordingState.RECORDING}
        sw.set_recording(call.id, "1004", "start")  # personal: one per user
        sw.set_recording(call.id, "1003", "stop")
        assert call.recordings == {"1004": RecordingState.RECORDING}
        h.refused(Refusal.INVALID_STATE, sw.set_recording, call.id, "1003", "stop")
        h.refused(Refusal.INVALID_STATE, sw.set_recording, call.id, "1003", "rewind")

    def test_recording_refusals(self, h: Harness) -> None:
        call = h.switch.make_call("1003", "1004")
        h.refused(Refusal.INVALID_STATE, h.switch.set_recording, call.id, "1004", "start")  # ringing
        h.refused(Refusal.INVALID_STATE, h.switch.set_recording, call.id, "1008", "start")  # not in it
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.set_recording, 99, "1003", "start")
        h.refused(Refusal.USER_NOT_FOUND, h.switch.set_recording, call.id, "nobody", "start")
        h.switch.answer(h.conn("1004").id)
        h.switch.hold(h.conn("1003").id)
        h.refused(Refusal.INVALID_STATE, h.switch.set_recording, call.id, "1003", "start")  # on hold
        h.switch.users["1004"].has_mailbox = False
        h.refused(Refusal.NO_VOICEMAIL, h.switch.set_recording, call.id, "1004", "start")

    def test_recordings_survive_a_transfer(self, h: Harness) -> None:
        call = talking(h)
        h.switch.set_recording(call.id, "1004", "start")
        secondary = h.switch.consult(h.conn("1003").id, "1008")
        h.switch.answer(h.conn("1008").id)
        h.switch.set_recording(secondary.id, "1008", "start")
        h.switch.transfer(h.conn("1003", S.HELD).id, h.conn("1003", S.CONNECTED).id)
        assert call.recordings == {"1004": RecordingState.RECORDING, "1008": RecordingState.RECORDING}


class TestMuteAndPrivacy:
    def test_mute(self, h: Harness) -> None:
        call = talking(h)
        party = h.party(call, "1003")
        h.switch.set_mute(call.id, party.id, True)
        assert h.take() == [PartyChanged(call.id, party.id, ("muted",))]
        assert party.muted
        h.switch.set_mute(call.id, party.id, True)
        assert h.take() == []
        h.switch.set_mute(call.id, party.id, False)
        assert not party.muted

    def test_privacy(self, h: Harness) -> None:
        call = talking(h)
        party = h.party(call, "1004")
        h.switch.set_privacy(call.id, party.id, True)
        assert h.take() == [PartyChanged(call.id, party.id, ("privacy",))]
        assert party.privacy

    def test_refusals(self, h: Harness) -> None:
        call = talking(h)
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.set_mute, call.id, 999, True)
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.set_mute, 999, 1, True)
        h.refused(Refusal.CALL_NOT_FOUND, h.switch.set_privacy, call.id, 999, True)


class TestMessagesAndCallbacks:
    def test_mini_message(self, h: Harness) -> None:
        h.switch.send_message("1004", "1003", "call me")
        assert h.take() == [MessageDeposited("1004", "mini", "1003", {"text": "call me"})]
        h.refused(Refusal.BAD_VALUE, h.switch.send_message, "1004", "1003", "")
        h.refused(Refusal.BAD_VALUE, h.switch.send_message, "1004", "1003", "x" * 161)
        h.refused(Refusal.USER_NOT_FOUND, h.switch.send_message, "nobody", "1003", "hi")

    def test_callback_request(self, h: Harness) -> None:
        h.switch.request_callback("1004", "0612345678", "Broker")
        assert h.take() == [CallbackRequested("1004", "0612345678", "Broker")]
        h.refused(Refusal.BAD_DESTINATION, h.switch.request_callback, "1004", "not a number")
        h.refused(Refusal.USER_NOT_FOUND, h.switch.request_callback, "nobody", "1003")


class TestRestore:
    """Start-up replays persisted settings silently (no events)."""

    def test_restore_routing_secret_preferences(self, h: Harness) -> None:
        sw = h.switch
        assert sw.restore("user:1004", "routing", {"dnd": True, "forward": {"kind": "busy", "destination": "1008"},
                                                    "overflow": "no_answer"})
        assert sw.restore("user:1004", "secret", "9999")
        assert sw.restore("user:1004", "preferences", {"a": 1})
        user = sw.users["1004"]
        assert user.routing.dnd and user.routing.forward.destination == "1008"
        assert user.routing.overflow is F.NO_ANSWER
        assert (user.secret, user.preferences) == ("9999", {"a": 1})
        assert not h.batches

    def test_restore_group_members(self, h: Harness) -> None:
        sw = h.switch
        assert sw.restore("group:3000", "members", {"1005": False, "1008": True, "ghost": True})
        assert [(m.user.login, m.logged_on) for m in sw.groups["3000"].members] == [("1005", False), ("1008", True)]
        h.switch.make_call("1001", "3000")
        assert h.states(next(iter(sw.calls.values()))) == {"1001": "connected", "3000": "queued", "1008": "alerting"}

    def test_unknown_settings_are_skipped(self, h: Harness) -> None:
        assert not h.switch.restore("user:ghost", "secret", "x")
        assert not h.switch.restore("user:1004", "colour", "x")
        assert not h.switch.restore("group:3999", "members", {})
        assert not h.switch.restore("device:1004", "behaviour", {})
        assert not h.batches
