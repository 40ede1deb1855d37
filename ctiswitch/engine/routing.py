"""Where a dialled number goes: the dial plan and coverage (call-model §2.4).

Routing is split into a pure *plan* and its *execution*. Commands that must
refuse an unreachable destination without changing anything (transfer,
deflect, add party) plan first and raise; a new call executes a failing plan
by leaving its caller FAILED with the cause, as a real PBX plays busy tone.
"""
from __future__ import annotations

import re
from typing import Callable
from dataclasses import dataclass, field

from .calls import Call, Connection, Party
from .core import SwitchCore
from .directory import OVERFLOW_ASSOCIATE, ConferenceRoom, Device, ExternalNumber, Group, User
from .errors import CommandError, Refusal
from .events import Conferenced, Delivered, Diverted, Established, Failed, PartyChanged, Queued
from .states import Cause, ConnectionState, DeviceType, ForwardKind, PartyKind, Role, ServiceMode

S = ConnectionState

#: Forwarding hops before routing stops at the current target.
MAX_DIVERSIONS = 5
_DIALLABLE = re.compile(r"^\+?[0-9*#]{1,32}$")


@dataclass(slots=True)
class Plan:
    """The outcome of routing a number, computed without changing state."""

    kind: str  # user | device | external | group | voicemail | callflow | dva | conference | fail
    number: str
    user: User | None = None
    device: Device | None = None
    group: Group | None = None
    external: ExternalNumber | None = None
    cause: Cause | None = None  # for "fail"
    room: ConferenceRoom | None = None  # for "conference"
    diversions: list[tuple[str, str, Cause]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.kind == "fail"


def check_dialable(dest: str) -> str:
    """Reject strings no phone could dial, before anything changes."""
    dest = dest.strip() if isinstance(dest, str) else ""
    if not _DIALLABLE.match(dest):
        raise CommandError(Refusal.BAD_DESTINATION, f"{dest!r} is not a diallable number")
    return dest


class Routing(SwitchCore):
    """Dial plan, coverage and the no-answer timer."""

    # Provided by Groups, which distributes the calls that routing queues.
    _waiting: dict[str, list[Party]]
    _distribute: Callable[[Party], None]
    _group_overflow: Callable[[Party], None]
    eligible_members: Callable[[Group], list[User]]

    def is_external(self, number: str) -> bool:
        digits = number.lstrip("+")
        return number.startswith(self.outside_prefix) or number.startswith("+") or (
            digits.isdigit() and len(digits) >= self.external_min_digits
        )

    def plan(self, number: str, *, caller: User | None = None, via_group: bool = False,
             calling: str | None = None) -> Plan:
        """Resolve a dialled number through the dial plan and coverage.
        `calling` is the caller's number, which a DND exception lets through
        at the user it dialled."""
        return self._plan(number, caller, via_group, [], set(), calling=calling)

    def _plan(self, number: str, caller: User | None, via_group: bool,
              diversions: list[tuple[str, str, Cause]], seen: set[str], *, calling: str | None = None) -> Plan:
        device = self.devices.get(number)
        if device is not None:
            user = device.user
            if user is not None and device is user.main_device:
                return self._plan_user(user, caller, via_group, diversions, seen, calling=calling)
            busy = not device.has_free_appearance()
            if busy:
                return Plan("fail", number, user=user, device=device, cause=Cause.BUSY, diversions=diversions)
            return Plan("device", number, user=user, device=device, diversions=diversions)
        group = self.groups.get(number)
        if group is not None:
            if group.service_mode is not ServiceMode.ACTIVE:
                return self._group_fallback(group, caller, diversions, seen)
            if not group.queue_enabled and not self.eligible_members(group):
                return Plan("fail", number, group=group, cause=Cause.BUSY, diversions=diversions)
            return Plan("group", number, group=group, diversions=diversions)
        if number == self.voicemail_number:
            if caller is not None and caller.has_mailbox:
                return Plan("voicemail", number, user=caller, diversions=diversions)
            return Plan("fail", number, cause=Cause.INVALID_NUMBER, diversions=diversions)
        if number == self.dva_number:
            return Plan("dva", number, diversions=diversions)
        room = self.conference_rooms.get(number)
        if room is not None:
            return self._plan_room(room, diversions)
        user = self.dids.get(number)
        if user is not None:
            return self._plan_user(user, caller, via_group, diversions, seen, calling=calling)
        if self.is_external(number):
            ext = self.externals.get(number)
            outcome = ext.outcome if ext else "answer"
            if outcome == "busy":
                return Plan("fail", number, external=ext, cause=Cause.BUSY, diversions=diversions)
            if outcome == "unobtainable":
                return Plan("fail", number, external=ext, cause=Cause.DEST_NOT_OBTAINABLE, diversions=diversions)
            if self.trunks_in_use >= self.trunk_channels:
                return Plan("fail", number, external=ext, cause=Cause.TRUNKS_BUSY, diversions=diversions)
            return Plan("external", number, external=ext, diversions=diversions)
        return Plan("fail", number, cause=Cause.INVALID_NUMBER, diversions=diversions)

    def _plan_user(self, user: User, caller: User | None, via_group: bool,
                   diversions: list[tuple[str, str, Cause]], seen: set[str], *,
                   calling: str | None = None) -> Plan:
        routing = user.routing
        looping = user.login in seen or len(diversions) >= MAX_DIVERSIONS
        seen = seen | {user.login}
        fwd = routing.forward
        if fwd is not None and fwd.kind is ForwardKind.IMMEDIATE and not via_group and not looping:
            return self._divert(user, fwd.destination, Cause.FORWARD_IMMEDIATE, caller, diversions, seen)
        if routing.dnd and calling not in routing.dnd_exceptions:
            return self._busy_coverage(user, Cause.DND, caller, diversions, seen, looping)
        devices = self.presentation_devices(user)
        if not devices:
            return self._busy_coverage(user, Cause.BUSY, caller, diversions, seen, looping)
        return Plan("user", user.number, user=user, diversions=diversions)

    def presentation_devices(self, user: User) -> list[Device]:
        """The devices that ring for a call to the user's number; the mobile
        only while twinning (EC500) is on (call-model §2.4 R2d)."""
        return [d for d in user.devices
                if (d.type is not DeviceType.MOBILE or user.presence.twinning) and d.has_free_appearance()]

    def _group_fallback(self, group: Group, caller: User | None,
                        diversions: list[tuple[str, str, Cause]], seen: set[str]) -> Plan:
        """A group in night service or out of service takes no calls: they
        go to its fallback destination (`overflow`), else busy (R4)."""
        key = f"group:{group.number}"
        if group.overflow and key not in seen and len(diversions) < MAX_DIVERSIONS:
            hops = diversions + [(group.number, group.overflow, Cause.FORWARD_IMMEDIATE)]
            return self._plan(group.overflow, caller, False, hops, seen | {key})
        return Plan("fail", group.number, group=group, cause=Cause.BUSY, diversions=diversions)

    def _busy_coverage(self, user: User, cause: Cause, caller: User | None,
                       diversions: list[tuple[str, str, Cause]], seen: set[str], looping: bool) -> Plan:
        fwd = user.routing.forward
        if not looping and fwd is not None and fwd.kind in (ForwardKind.BUSY, ForwardKind.BUSY_NO_ANSWER):
            return self._divert(user, fwd.destination, Cause.FORWARD_BUSY, caller, diversions, seen)
        if user.routing.overflow in (ForwardKind.BUSY, ForwardKind.BUSY_NO_ANSWER):
            associate = None if looping else self._associate_overflow(user, caller, diversions, seen)
            if associate is not None:
                return associate
            if self.voicemail_covers(user):
                return Plan("voicemail", self.voicemail_number, user=user,
                            diversions=diversions + [(user.number, self.voicemail_number, Cause.OVERFLOW)])
        return Plan("fail", user.number, user=user, cause=cause, diversions=diversions)

    def _associate_overflow(self, user: User, caller: User | None,
                            diversions: list[tuple[str, str, Cause]], seen: set[str]) -> Plan | None:
        """The plan of an overflow to the user's associate (o2g.md §2.6
        ASSOCIATE, call-model §2.4 R2b/R2n), or None when the overflow goes
        to voicemail, the user has no associate any more (a configuration
        change after the setting was stored), the hop limit is reached or
        the associate cannot take the call: the caller then gets the
        voicemail overflow the user would have had before associates."""
        if user.routing.overflow_destination != OVERFLOW_ASSOCIATE or not user.associate \
                or len(diversions) >= MAX_DIVERSIONS:
            return None
        plan = self._divert(user, user.associate, Cause.OVERFLOW, caller, list(diversions), seen)
        return None if plan.failed else plan

    def _divert(self, user: User, destination: str, cause: Cause, caller: User | None,
                diversions: list[tuple[str, str, Cause]], seen: set[str]) -> Plan:
        if destination == "voicemail":
            if not self.voicemail_covers(user):
                return Plan("fail", user.number, user=user, cause=Cause.BUSY, diversions=diversions)
            return Plan("voicemail", self.voicemail_number, user=user,
                        diversions=diversions + [(user.number, self.voicemail_number, cause)])
        hops = diversions + [(user.number, destination, cause)]
        return self._plan(destination, caller, False, hops, seen)

    @staticmethod
    def voicemail_covers(user: User) -> bool:
        """Whether coverage may end in the user's mailbox: it has one and
        its voicemail switch is on (MTCTI-3 short codes 17, 18)."""
        return user.has_mailbox and user.routing.voicemail

    def no_answer_plan(self, user: User, diversions: list[tuple[str, str, Cause]],
                       hops: int = 0) -> Plan | None:
        """Coverage after the no-answer timer or a rejection, or None.
        `hops` counts the call's earlier diversions: each no-answer forward
        is a new plan, so without them two users forwarding to each other on
        no answer would ping-pong for ever (call-model §2.4: 5 hops at most)."""
        fwd = user.routing.forward
        if fwd is not None and fwd.kind in (ForwardKind.NO_ANSWER, ForwardKind.BUSY_NO_ANSWER) \
                and hops + len(diversions) < MAX_DIVERSIONS:
            plan = self._divert(user, fwd.destination, Cause.FORWARD_NO_ANSWER, None, list(diversions), {user.login})
            if not plan.failed:
                return plan
        overflowing = user.routing.overflow in (ForwardKind.NO_ANSWER, ForwardKind.BUSY_NO_ANSWER)
        if overflowing and hops + len(diversions) < MAX_DIVERSIONS:
            associate = self._associate_overflow(user, None, list(diversions), {user.login})
            if associate is not None:
                return associate
        if self.voicemail_covers(user):
            cause = Cause.OVERFLOW if overflowing else Cause.VOICEMAIL
            return Plan("voicemail", self.voicemail_number, user=user,
                        diversions=list(diversions) + [(user.number, self.voicemail_number, cause)])
        return None

    # -- execution --------------------------------------------------------

    def _execute(self, call: Call, plan: Plan, role: Role, cause: Cause) -> Party | None:
        """Carry out a plan in a call; returns the party that now represents
        the destination (None when the plan failed)."""
        for frm, to, why in plan.diversions:
            call.redirects.append((frm, to, why.value))
            self._emit(Diverted(call.id, frm, to, why))
            cause = why
        if plan.kind == "fail":
            assert plan.cause is not None
            self._fail_caller(call, plan.cause)
            return None
        if plan.kind == "user":
            assert plan.user is not None
            return self._alert_user(call, plan.user, self.presentation_devices(plan.user), role, cause)
        if plan.kind == "device":
            assert plan.device is not None
            call.device_call = plan.user is not None
            return self._alert_device(call, plan.device, role, cause)
        if plan.kind == "external":
            ext = plan.external
            party = self._new_party(call, PartyKind.EXTERNAL, plan.number, role,
                                    name=ext.name if ext else None)
            self._new_connection(party, plan.number, None, S.ALERTING, Delivered, cause)
            return party
        if plan.kind == "voicemail":
            assert plan.user is not None
            return self._voicemail(call, plan.user, role, cause)
        if plan.kind == "callflow":
            return self._call_flow(call, plan.number, role, cause)
        if plan.kind == "dva":
            return self._announcement(call, role, cause)
        if plan.kind == "conference":
            assert plan.room is not None
            return self._enter_room(call, plan.room, role, cause)
        assert plan.group is not None
        return self._enter_group(call, plan.group, role, cause)

    def _fail_caller(self, call: Call, cause: Cause) -> None:
        """The caller hears busy or reorder tone until it hangs up."""
        origin = call.origin
        if origin is None:
            return
        for conn in origin.connections:
            if conn.state in (S.CONNECTED, S.INITIATED, S.ALERTING):
                self._move(conn, S.FAILED, Failed, cause)

    def _alert_user(self, call: Call, user: User, devices: list[Device], role: Role, cause: Cause,
                    *, timer: bool = True) -> Party:
        party = self._new_party(call, PartyKind.USER, user.number, role, user=user)
        for device in devices:
            self._new_connection(party, device.number, device, S.ALERTING, Delivered, cause)
        if timer:
            party.timer = self._timer(user.no_answer_seconds, lambda: self._no_answer(party), "no_answer")
        return party

    def _alert_device(self, call: Call, device: Device, role: Role, cause: Cause) -> Party:
        user = device.user
        kind = PartyKind.USER if user is not None else PartyKind.DEVICE
        party = self._new_party(call, kind, device.number, role, user=user,
                                name=None if user is not None else device.number)
        self._new_connection(party, device.number, device, S.ALERTING, Delivered, cause)
        return party

    def _voicemail(self, call: Call, owner: User, role: Role, cause: Cause) -> Party:
        """The voicemail server answers for `owner`'s mailbox."""
        return self._voicemail_server(call, self.voicemail_number, "Voicemail", owner, role, cause)

    def _call_flow(self, call: Call, flow: str, role: Role, cause: Cause) -> Party:
        """The voicemail server answers and runs the call flow named `flow`
        (a VMPro module, MTCTI-3 `/102/<flow>`). No mailbox owns the call,
        so it shows as the flow's name alone, and nothing is deposited when
        the caller hangs up."""
        return self._voicemail_server(call, flow, None, None, role, cause)

    def _voicemail_server(self, call: Call, number: str, name: str | None, owner: User | None,
                          role: Role, cause: Cause) -> Party:
        """A VOICEMAIL party that answers after `voicemail_answer_delay`;
        one with an `owner` is indexed under it (`voicemail_parties`)."""
        party = self._new_party(call, PartyKind.VOICEMAIL, number, role, name=name)
        party.coverage_of = owner
        if owner is not None:
            self._in_voicemail.setdefault(owner.login, []).append(party)
        conn = self._new_connection(party, number, None, S.ALERTING, Delivered, cause)
        if self.voicemail_answer_delay > 0:
            party.timer = self._timer(self.voicemail_answer_delay,
                                      lambda: self._service_answers(conn, Cause.VOICEMAIL), "voicemail_answer")
        else:
            self._move(conn, S.CONNECTED, Established, cause)
            self._greet(party)
        return party

    def _service_answers(self, conn: Connection, cause: Cause) -> None:
        """A service party (voicemail, DVA) picks up after its delay, unless
        the caller gave up first."""
        conn.party.timer = None
        if conn.id in self.connections and conn.state is S.ALERTING:
            self._move(conn, S.CONNECTED, Established, cause)
            if conn.party.kind is PartyKind.VOICEMAIL:
                self._greet(conn.party)

    def _greet(self, party: Party) -> None:
        """Voicemail answered: a mailbox plays its greeting, then records the
        caller's message (at once without a greeting time). Call flows and
        an owner listening to its own mailbox record nothing."""
        if not self._takes_message(party):
            return
        if self.voicemail_greeting_seconds > 0:
            party.timer = self._timer(self.voicemail_greeting_seconds, lambda: self._message_starts(party),
                                      "voicemail_greeting")
        else:
            party.message_since = self.clock.now()

    def _message_starts(self, party: Party) -> None:
        """The greeting ended: the caller's message is being recorded."""
        party.timer = None
        if party.call.parties.get(party.id) is not party or party.call.id not in self.calls:
            return
        party.message_since = self.clock.now()
        self._emit(PartyChanged(party.call.id, party.id, ("message",)))

    def _announcement(self, call: Call, role: Role, cause: Cause) -> Party:
        """The DVA answers like voicemail (after its own delay) and plays its
        announcement until the caller hangs up; it takes no message, so no
        mailbox owner is involved (call-model §1.1 DialPlan "DVA")."""
        assert self.dva_number is not None
        party = self._new_party(call, PartyKind.DVA, self.dva_number, role, name="Announcement")
        conn = self._new_connection(party, self.dva_number, None, S.ALERTING, Delivered, cause)
        if self.dva_answer_delay > 0:
            party.timer = self._timer(self.dva_answer_delay, lambda: self._service_answers(conn, cause),
                                      "dva_answer")
        else:
            self._move(conn, S.CONNECTED, Established, cause)
        return party

    def _plan_room(self, room: ConferenceRoom, diversions: list[tuple[str, str, Cause]],
                   pin: str | None = None, seats: int = 1) -> Plan:
        """A MeetMe room takes a call while it has a seat for each of the
        `seats` parties the call brings (a dialled call brings its caller;
        a transferred conference brings everyone left in it). A dialled
        number carries no PIN (no prompt is modelled), so a PIN-protected
        room refuses plain dialling and is reached only with its PIN
        (MTCTI-3 `/116/room;MODEFROMPIN(pin)`, §5.3)."""
        if room.pin is not None and pin != room.pin:
            return Plan("fail", room.number, cause=Cause.REJECTED, diversions=diversions)
        if not self.room_has_seats(room, seats):
            return Plan("fail", room.number, cause=Cause.BUSY, diversions=diversions)
        return Plan("conference", room.number, room=room, diversions=diversions)

    def room_has_seats(self, room: ConferenceRoom, seats: int) -> bool:
        """Whether `seats` more parties fit in the room: capacity counts
        parties, never calls, so one call bringing several cannot overfill
        it."""
        return self.room_occupants(room.number) + seats <= room.capacity

    @staticmethod
    def seats_of(call: Call, leaving: Party | None = None) -> int:
        """The room seats `call` takes if it enters a MeetMe room now: its
        live parties, except `leaving` (who transfers or redirects it
        there) and the services that go or take no seat: a room's own
        party, a group the call stops waiting in and the members it rings
        on the group's behalf."""
        return sum(1 for p in call.live_parties()
                   if p is not leaving and p.kind not in (PartyKind.CONFERENCE, PartyKind.GROUP)
                   and not (p.group is not None and p.state is S.ALERTING))

    def room_calls(self, number: str) -> list[Call]:
        """The calls in a MeetMe room: those with a live CONFERENCE party
        for it. Derived from the calls, so a call that ends or leaves the
        room frees its seat without any bookkeeping. Entering a room merges
        into the call already there, so this holds at most one call."""
        return [call for call in self.calls.values()
                if any(p.kind is PartyKind.CONFERENCE and p.number == number and p.connections
                       for p in call.parties.values())]

    def room_occupants(self, number: str) -> int:
        """How many parties sit in a room: the live parties of its call,
        not counting the room's own CONFERENCE party, which is no seat."""
        return sum(1 for call in self.room_calls(number) for p in call.live_parties()
                   if p.kind is not PartyKind.CONFERENCE)

    def _enter_room(self, call: Call, room: ConferenceRoom, role: Role, cause: Cause) -> Party:
        """The room answers at once: the call is CONNECTED to a CONFERENCE
        party named like the MTCTI-3 room ("Conf <number>", call-model §2.4
        R6, §4.2). A room is one meeting, so if it already holds a call the
        new call is then merged into that call (which survives, as in a
        conference): its parties join the others and its own room party
        leaves, reported as Conferenced naming the absorbed call. Returns
        the CONFERENCE party the caller now talks to."""
        party = self._new_party(call, PartyKind.CONFERENCE, room.number, role, name=f"Conf {room.number}")
        conn = self._new_connection(party, room.number, None, S.ALERTING, Delivered, cause)
        self._move(conn, S.CONNECTED, Established, cause)
        meeting = next((other for other in self.room_calls(room.number) if other is not call), None)
        if meeting is None:
            return party
        moved = self._merge(meeting, call, party, Cause.CONFERENCE)  # type: ignore[attr-defined]
        self._emit(Conferenced(meeting.id, call.id, moved, Cause.CONFERENCE))
        return next(p for p in meeting.parties.values()
                    if p.kind is PartyKind.CONFERENCE and p.number == room.number and p.connections)

    def _enter_group(self, call: Call, group: Group, role: Role, cause: Cause) -> Party:
        """The call waits in the group (a QUEUED service party) while members
        are offered it (call-model §2.4 R4)."""
        party = self._new_party(call, PartyKind.GROUP, group.number, role, name=group.name)
        party.offered = set()
        call.group = group
        if call.queue_assoc is None:
            call.queue_assoc = group
        self._new_connection(party, group.number, None, S.QUEUED, Queued, cause)
        self._waiting.setdefault(group.number, []).append(party)
        if group.voicemail_enabled and group.voicemail_seconds is not None and group.overflow:
            party.timer = self._timer(group.voicemail_seconds, lambda: self._group_overflow(party), "group_overflow")
        self._distribute(party)
        return party

    def _no_answer(self, party: Party) -> None:
        """The no-answer timer of a ringing user party expired."""
        party.timer = None
        if party.call.id not in self.calls or party.state is not S.ALERTING or party.user is None:
            return
        plan = self.no_answer_plan(party.user, [], len(party.call.redirects))
        if plan is None:
            return
        self._cover(party, plan, Cause.NO_ANSWER)

    def _cover(self, party: Party, plan: Plan, cause: Cause) -> None:
        """Replace a ringing party by its coverage destination."""
        call = party.call
        why = plan.diversions[-1][2] if plan.diversions else cause
        self._clear_party(party, why, log=True)
        self._execute(call, plan, Role.CALLED, why)
