"""Commands that change settings and call data rather than connections:
forwarding, do-not-disturb, passwords, preferences, attached data,
recording, mute, privacy, simulated-phone behaviour, messages, callbacks.

Every change emits an event, which is how the store learns to persist it;
`restore` re-applies a stored value at start-up without emitting.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .core import command
from .directory import (
    OVERFLOW_ASSOCIATE,
    OVERFLOW_DESTINATIONS,
    OVERFLOW_VOICEMAIL,
    Absence,
    Behaviour,
    Forward,
    Group,
    Member,
    Presence,
    Routing,
    User,
)
from .diverting import Diverting
from .errors import CommandError, Refusal
from .events import (
    CallbackRequested,
    CallChanged,
    DeviceChanged,
    GroupChanged,
    MessageDeposited,
    PartyChanged,
    PresenceChanged,
    RoutingChanged,
    UserChanged,
)
from .routing import check_dialable
from .states import ConnectionState, ForwardKind, RecordingState, ServiceMode

S = ConnectionState
BEHAVIOURS = ("manual", "auto-answer", "busy", "no-answer", "reject")
_ACCOUNT_CODE = re.compile(r"^[0-9]{1,16}$")
#: O2G associated data is at most 32 bytes (call-model §2.1).
MAX_ASSOCIATED_DATA = 32
MAX_LABEL = 127
#: Presence limits of IP Office (spec/mtcti3.md §6.2, §4.1).
ABSENCE_MESSAGES = range(1, 12)
MAX_ABSENCE_TEXT = 21
MAX_APP_PRESENCE = 34
MAX_MAILBOX_COUNT = 9999
NO_ANSWER_SECONDS = (1.0, 3600.0)
#: DND exception numbers a user may keep (bounded like every list a
#: client can grow).
MAX_DND_EXCEPTIONS = 10


class Settings(Diverting):
    # -- routing --------------------------------------------------------

    def _set_routing(self, login: str, routing: Routing) -> None:
        user = self.user(login)
        if routing == user.routing:
            return
        user.routing = routing
        self._emit(RoutingChanged(login, routing.to_json()))
        if not routing.dnd:
            self._user_freed(user)

    @command
    def set_dnd(self, login: str, on: bool) -> None:
        current = self.user(login).routing
        self._set_routing(login, replace(current, dnd=on))

    @command
    def set_forward(self, login: str, kind: ForwardKind | None, destination: str = "") -> None:
        """Forward a user's calls (kind None cancels). Destination is a
        number or "voicemail"."""
        user = self.user(login)
        forward = None
        if kind is not None:
            kind = self._enum(ForwardKind, kind, "forward kind")
            if destination != "voicemail":
                destination = check_dialable(destination)
                self._require(destination not in (user.number, *(d.number for d in user.devices)),
                              Refusal.BAD_DESTINATION, "cannot forward a user to itself")
                plan = self.plan(destination)
                self._require(not (plan.failed and plan.cause is not None and plan.cause.value == "invalid_number"),
                              Refusal.BAD_DESTINATION, f"{destination} is not a valid number")
            elif not user.has_mailbox:
                raise CommandError(Refusal.NO_VOICEMAIL, f"{login} has no voicemail")
            forward = Forward(kind, destination)
        self._set_routing(login, replace(user.routing, forward=forward))

    @command
    def set_overflow(self, login: str, kind: ForwardKind | None, destination: str = OVERFLOW_VOICEMAIL,
                     *, associate: str | None = None) -> None:
        """Overflow on busy and/or no answer (kind None cancels) to voicemail
        or to the user's associate (O2G ASSOCIATE overflow). An associate
        overflow needs an associate, not a mailbox: the refusal leaves the
        routing as it was rather than overflowing nowhere. `associate`, with
        an ASSOCIATE destination, first changes who the associate is (O2G:
        an ASSOCIATE route "updates the associate"), in the same transaction
        so a refused overflow leaves the old associate too."""
        user = self.user(login)
        if associate is not None:
            associate = check_dialable(associate)
            self._require(destination == OVERFLOW_ASSOCIATE, Refusal.BAD_VALUE,
                          "an associate number goes with an associate overflow")
            self._require(associate in self.devices or associate in self.groups, Refusal.BAD_DESTINATION,
                          f"{associate} is not an internal number")
            self._require(associate not in (user.number, *(d.number for d in user.devices)),
                          Refusal.BAD_DESTINATION, "a user cannot be its own associate")
        if kind is not None:
            kind = self._enum(ForwardKind, kind, "overflow kind")
        self._require(kind is not ForwardKind.IMMEDIATE, Refusal.BAD_VALUE, "overflow is on busy or no answer")
        self._require(destination in OVERFLOW_DESTINATIONS, Refusal.BAD_VALUE,
                      f"overflow goes to {' or '.join(OVERFLOW_DESTINATIONS)}, not {destination!r}")
        if kind is None:
            destination = OVERFLOW_VOICEMAIL
        elif destination == OVERFLOW_ASSOCIATE:
            self._require(associate is not None or user.associate is not None, Refusal.BAD_VALUE,
                          f"{login} has no associate")
        else:
            self._require(user.has_mailbox, Refusal.NO_VOICEMAIL, f"{login} has no voicemail")
        if associate is not None and associate != user.associate:
            user.associate = associate
            self._emit(UserChanged(login, ("associate",)))
        self._set_routing(login, replace(user.routing, overflow=kind, overflow_destination=destination))

    @command
    def add_dnd_exception(self, login: str, number: str) -> None:
        """Let calls from `number` ring through the user's DND (MTCTI-3
        short code 9); at most MAX_DND_EXCEPTIONS numbers."""
        user = self.user(login)
        number = check_dialable(number)
        exceptions = user.routing.dnd_exceptions
        if number in exceptions:
            return
        self._require(len(exceptions) < MAX_DND_EXCEPTIONS, Refusal.CAPACITY,
                      f"{login} has {MAX_DND_EXCEPTIONS} DND exceptions already")
        self._set_routing(login, replace(user.routing, dnd_exceptions=(*exceptions, number)))

    @command
    def clear_dnd_exceptions(self, login: str) -> None:
        """Remove every DND exception (short code 10)."""
        user = self.user(login)
        self._set_routing(login, replace(user.routing, dnd_exceptions=()))

    @command
    def set_voicemail(self, login: str, on: bool) -> None:
        """The user's voicemail switch (short codes 17, 18): off, no busy,
        no-answer or forward coverage reaches the mailbox. A user without a
        mailbox cannot switch it on."""
        user = self.user(login)
        self._require(not on or user.has_mailbox, Refusal.NO_VOICEMAIL, f"{login} has no voicemail")
        self._set_routing(login, replace(user.routing, voicemail=bool(on)))

    # -- user and device settings ---------------------------------------------

    @command
    def set_password(self, login: str, secret: str) -> None:
        user = self.user(login)
        self._require(isinstance(secret, str) and 1 <= len(secret) <= 64, Refusal.BAD_VALUE,
                      "a password is 1 to 64 characters")
        user.secret = secret
        self._emit(UserChanged(login, ("secret",)))

    @command
    def set_preferences(self, login: str, preferences: dict[str, Any]) -> None:
        user = self.user(login)
        self._require(isinstance(preferences, dict), Refusal.BAD_VALUE, "preferences are a mapping")
        merged = {**user.preferences, **preferences}
        if merged != user.preferences:
            user.preferences = merged
            self._emit(UserChanged(login, ("preferences",)))

    @command
    def set_behaviour(self, number: str, mode: str, delay: float = 0.0) -> None:
        """How the simulated phone behaves when a call arrives."""
        device = self.device(number)
        self._require(mode in BEHAVIOURS, Refusal.BAD_VALUE, f"mode must be one of {', '.join(BEHAVIOURS)}")
        self._require(isinstance(delay, (int, float)) and 0 <= delay <= 3600, Refusal.BAD_VALUE,
                      "delay is 0 to 3600 seconds")
        device.behaviour = Behaviour(mode, float(delay))
        self._emit(DeviceChanged(number, ("behaviour",)))

    @command
    def set_in_service(self, number: str, in_service: bool) -> None:
        device = self.device(number)
        if device.in_service != in_service:
            device.in_service = in_service
            self._emit(DeviceChanged(number, ("in_service",)))

    @command
    def set_no_answer_time(self, login: str, seconds: float) -> None:
        """How long the user's phones ring before no-answer coverage."""
        user = self.user(login)
        low, high = NO_ANSWER_SECONDS
        self._require(isinstance(seconds, (int, float)) and low <= seconds <= high, Refusal.BAD_VALUE,
                      f"the no-answer time is {low:g} to {high:g} seconds")
        if user.no_answer_seconds != float(seconds):
            user.no_answer_seconds = float(seconds)
            self._emit(UserChanged(login, ("no_answer_seconds",)))

    # -- presence (absence, app presence, twinning) ------------------------------

    def _set_presence(self, user: User, presence: Presence) -> None:
        if presence != user.presence:
            user.presence = presence
            self._emit(PresenceChanged(user.login, presence.to_json()))

    @command
    def set_absence(self, login: str, msg: int | None, text: str = "") -> None:
        """Set the absence note (msg 1..11 with up to 21 characters of text),
        or clear it with msg None."""
        user = self.user(login)
        absence = None
        if msg is not None:
            self._require(isinstance(msg, int) and msg in ABSENCE_MESSAGES, Refusal.BAD_VALUE,
                          "the absence message is 1 to 11")
            self._require(isinstance(text, str) and len(text) <= MAX_ABSENCE_TEXT, Refusal.BAD_VALUE,
                          f"the absence text is at most {MAX_ABSENCE_TEXT} characters")
            absence = Absence(msg, text)
        self._set_presence(user, replace(user.presence, absence=absence))

    @command
    def set_app_presence(self, login: str, text: str) -> None:
        """The application presence string ("" clears it)."""
        user = self.user(login)
        self._require(isinstance(text, str) and len(text) <= MAX_APP_PRESENCE, Refusal.BAD_VALUE,
                      f"app presence is at most {MAX_APP_PRESENCE} characters")
        self._set_presence(user, replace(user.presence, app=text))

    @command
    def set_twinning(self, login: str, on: bool) -> None:
        """Mobile twinning (EC500): the user's mobile rings with its other
        phones. Only a user with a mobile device has a twin."""
        user = self.user(login)
        self._require(not on or user.twin is not None, Refusal.DEVICE_NOT_FOUND, f"{login} has no mobile twin")
        self._set_presence(user, replace(user.presence, twinning=bool(on)))

    @command
    def set_mailbox_counts(self, login: str, counts: tuple[int, int, int] | None) -> None:
        """Voicemail counters an application shows for the user (new, old,
        saved), for apps that provide voicemail themselves; None clears."""
        user = self.user(login)
        if counts is not None:
            self._require(len(counts) == 3 and all(isinstance(c, int) and 0 <= c <= MAX_MAILBOX_COUNT
                                                   for c in counts),
                          Refusal.BAD_VALUE, f"three counters of 0 to {MAX_MAILBOX_COUNT}")
            counts = (counts[0], counts[1], counts[2])
        self._set_presence(user, replace(user.presence, mailbox_counts=counts))

    # -- group settings --------------------------------------------------------

    @command
    def set_service_mode(self, group_number: str, mode: ServiceMode) -> None:
        """Put a group in service, night service or out of service; calls
        already waiting stay, new ones follow the mode (R4)."""
        group = self.group(group_number)
        mode = self._enum(ServiceMode, mode, "service mode")
        if group.service_mode is not mode:
            group.service_mode = mode
            self._emit(GroupChanged(group.number, ("service_mode",)))

    @command
    def set_group_voicemail(self, group_number: str, on: bool) -> None:
        """Switch the group's voicemail (its overflow after voicemail time)
        on or off; a group configured without one cannot switch it on."""
        group = self.group(group_number)
        self._require(not on or (group.voicemail_seconds is not None and bool(group.overflow)),
                      Refusal.NO_VOICEMAIL, f"group {group_number} has no voicemail")
        if group.voicemail_enabled != bool(on):
            group.voicemail_enabled = bool(on)
            self._emit(GroupChanged(group.number, ("voicemail_enabled",)))

    # -- call data ----------------------------------------------------------

    @command
    def set_call_data(self, call_id: int, **fields: Any) -> None:
        """Attach data to a call. Every field is checked before any is set."""
        call = self.call(call_id)
        checks = {
            "associated_data": lambda v: isinstance(v, bytes) and len(v) <= MAX_ASSOCIATED_DATA,
            "label": lambda v: isinstance(v, str) and len(v) <= MAX_LABEL,
            "account_code": lambda v: isinstance(v, str) and bool(_ACCOUNT_CODE.match(v)),
            "auth_code": lambda v: isinstance(v, str) and 0 < len(v) <= 16,
            "priority": lambda v: isinstance(v, int) and 1 <= v <= 3,
        }
        for name, value in fields.items():
            check = checks.get(name)
            self._require(check is not None, Refusal.BAD_VALUE, f"unknown call data field {name!r}")
            self._require(value is None or check(value), Refusal.BAD_VALUE, f"bad value for {name}: {value!r}")
        for name, value in fields.items():
            setattr(call.data, name, value)
        if fields:
            self._emit(CallChanged(call.id, tuple(sorted(fields))))

    @command
    def set_tag(self, call_id: int, name: str, value: str, visibilities: tuple[str, ...] = ()) -> None:
        call = self.call(call_id)
        self._require(bool(name) and isinstance(value, str), Refusal.BAD_VALUE, "a tag needs a name and a value")
        call.data.tags[name] = (value, tuple(visibilities))
        self._emit(CallChanged(call.id, ("tags",)))

    @command
    def set_recording(self, call_id: int, login: str, action: str) -> None:
        """start, stop, pause or resume a user's recording of a call."""
        call = self.call(call_id)
        user = self.user(login)
        party = next((p for p in call.parties.values() if p.user is user), None)
        self._require(party is not None and party.state is S.CONNECTED, Refusal.INVALID_STATE,
                      f"{login} is not talking in call {call_id}")
        self._require(user.has_mailbox, Refusal.NO_VOICEMAIL, f"{login} has no mailbox to record into")
        current = call.recordings.get(login)
        moves = {
            ("start", None): RecordingState.RECORDING,
            ("pause", RecordingState.RECORDING): RecordingState.PAUSED,
            ("resume", RecordingState.PAUSED): RecordingState.RECORDING,
        }
        if action == "stop" and current is not None:
            del call.recordings[login]
        elif (action, current) in moves:
            call.recordings[login] = moves[(action, current)]
        else:
            raise CommandError(Refusal.INVALID_STATE,
                               f"cannot {action} recording when it is {current.value if current else 'off'}")
        self._emit(CallChanged(call.id, ("recordings",)))

    def _party_flag(self, call_id: int, party_id: int, flag: str, on: bool) -> None:
        call = self.call(call_id)
        party = call.parties.get(party_id)
        self._require(party is not None, Refusal.CALL_NOT_FOUND, f"party {party_id} is not in call {call_id}")
        if getattr(party, flag) != on:
            setattr(party, flag, on)
            self._emit(PartyChanged(call.id, party_id, (flag,)))

    @command
    def set_mute(self, call_id: int, party_id: int, on: bool) -> None:
        self._party_flag(call_id, party_id, "muted", on)

    @command
    def set_privacy(self, call_id: int, party_id: int, on: bool) -> None:
        self._party_flag(call_id, party_id, "privacy", on)

    @command
    def set_anonymous(self, call_id: int, party_id: int, on: bool) -> None:
        """Withhold a party's identity from the others (O2G blind transfer
        and redirect with `anonymous`: set before the new destination is
        alerted, so it never sees who is calling)."""
        self._party_flag(call_id, party_id, "anonymous", on)

    # -- messages and callbacks ----------------------------------------------

    @command
    def send_message(self, login: str, sender: str, text: str) -> None:
        """A short text message to a user (O2G mini message)."""
        self.user(login)
        self._require(isinstance(text, str) and 0 < len(text) <= 160, Refusal.BAD_VALUE,
                      "a message is 1 to 160 characters")
        self._emit(MessageDeposited(login, "mini", sender, {"text": text}))

    @command
    def request_callback(self, login: str, caller: str, caller_name: str | None = None) -> None:
        """Ask `login` to call `caller` back."""
        self.user(login)
        caller = check_dialable(caller)
        self._emit(CallbackRequested(login, caller, caller_name))

    # -- start-up -------------------------------------------------------------

    def restore(self, scope: str, key: str, value: Any) -> bool:
        """Re-apply a persisted setting over the configuration, silently.
        Returns False for a setting that no longer applies (a deleted user)."""
        kind, _, name = scope.partition(":")
        if kind == "user" and name in self.users:
            user = self.users[name]
            if key == "routing":
                user.routing = Routing.from_json(value)
            elif key == "secret":
                user.secret = str(value)
            elif key == "preferences":
                user.preferences = dict(value)
            elif key == "presence":
                user.presence = Presence.from_json(value)
            elif key == "no_answer_seconds":
                user.no_answer_seconds = float(value)
            elif key == "associate":
                user.associate = None if value is None else str(value)
            else:
                return False
            return True
        if kind == "group" and name in self.groups and key == "service":
            group = self.groups[name]
            group.service_mode = ServiceMode(value.get("service_mode", ServiceMode.ACTIVE.value))
            group.voicemail_enabled = bool(value.get("voicemail_enabled", True))
            return True
        if kind == "group" and name in self.groups and key == "members":
            group = self.groups[name]
            wanted = {login: bool(on) for login, on in value.items() if login in self.users}
            self._set_members(group, wanted)
            return True
        return False

    def _set_members(self, group: Group, wanted: dict[str, bool]) -> None:
        for member in list(group.members):
            if member.user.login not in wanted:
                group.members.remove(member)
                self._memberships[member.user.login].remove(group)
        for login, logged_on in wanted.items():
            member = group.member(login)
            if member is None:
                member = Member(self.users[login])
                group.members.append(member)
                self._index_member(group, member.user)
            member.logged_on = logged_on
