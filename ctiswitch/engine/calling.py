"""Making, answering, holding and clearing calls (call-model §2.3 #1-13)."""
from __future__ import annotations

import re

from .calls import Call, Connection, Party
from .core import command
from .directory import Device
from .errors import CommandError, Refusal
from .events import (
    CallChanged,
    ConnectionCleared,
    Delivered,
    DigitsGenerated,
    Established,
    Held,
    Originated,
    PartyChanged,
    Retrieved,
    ServiceInitiated,
)
from .groups import Groups
from .routing import check_dialable
from .states import Cause, ConnectionState, ConsultPurpose, HoldKind, PartyKind, Role

S = ConnectionState
_DTMF = frozenset("0123456789*#ABCD")
_OVERLAP_DIGITS = re.compile(r"^[0-9*#+]{1,32}$")
#: Digits of a full national number: an outside number this long is
#: complete without waiting for the inter-digit timer.
FULL_NUMBER_DIGITS = 10


class CallControl(Groups):
    # -- origination ------------------------------------------------------

    @command
    def make_call(self, number: str, destination: str, *, ring_first: bool = False,
                  calling_number: str | None = None) -> Call:
        """Call `destination` from device `number`.

        Direct: the caller's phone goes off hook at once. Ring first: the
        caller's phone rings and the call proceeds when it is answered.
        `calling_number` is the number presented beyond the trunk instead of
        the caller's own.
        """
        device = self.device(number)
        destination = check_dialable(destination)
        if calling_number is not None:
            calling_number = check_dialable(calling_number)
        self._require_free(device)
        self._require_may_dial(device, destination)
        call = self._new_call()
        party = self._origin_party(call, device)
        call.data.calling_number = calling_number
        call.dialled = destination
        if ring_first:
            conn = self._new_connection(party, device.number, device, S.ALERTING, Delivered, Cause.NEW_CALL)
            conn.prompt = True
            party.timer = self._timer(self.prompt_timeout, lambda: self._prompt_expired(conn), "prompt_timeout")
            return call
        self._hold_others(device, keep=None, cause=Cause.NEW_CALL)
        conn = self._new_connection(party, device.number, device, S.INITIATED, ServiceInitiated, Cause.NEW_CALL)
        self._originate(conn, destination)
        return party.call  # the call it is in now: dialling a busy MeetMe room merges it into the room's call

    def _require_may_dial(self, device: Device, destination: str) -> None:
        user = device.user
        if user is not None and not user.external_calls and self.is_external(destination):
            raise CommandError(Refusal.NOT_OWNER, f"{user.login} may not call external numbers")

    def _origin_party(self, call: Call, device: Device) -> Party:
        user = device.user
        if user is not None:
            return self._new_party(call, PartyKind.USER, user.number, Role.CALLER, user=user)
        return self._new_party(call, PartyKind.DEVICE, device.number, Role.CALLER, name=device.number)

    def _originate(self, conn: Connection, destination: str) -> None:
        """The caller's digits are complete: connect it and route."""
        call = conn.call
        call.dialled = destination
        call.initial_called = destination
        # Dialling on a phone that took another call since going off hook.
        self._hold_others(conn.device, keep=conn, cause=Cause.NEW_CALL)
        self._move(conn, S.CONNECTED, Originated, Cause.NEW_CALL)
        caller = conn.party.user
        plan = self.plan(destination, caller=caller, calling=conn.party.number)
        self._execute(call, plan, Role.CALLED, Cause.NEW_CALL)

    def _prompt_expired(self, conn: Connection) -> None:
        conn.party.timer = None
        if conn.id in self.connections and conn.state is S.ALERTING:
            # Nobody abandoned anything: the whole call ends for want of an
            # answer (call-model §2.3 #2), not ABANDONED as _leave would say.
            self._end_call(conn.call, Cause.NO_ANSWER)

    @command
    def off_hook(self, number: str) -> Call:
        """The phone goes off hook: dial tone, waiting for digits."""
        device = self.device(number)
        self._require_free(device)
        self._hold_others(device, keep=None, cause=Cause.NEW_CALL)
        call = self._new_call()
        party = self._origin_party(call, device)
        self._new_connection(party, device.number, device, S.INITIATED, ServiceInitiated, Cause.NEW_CALL)
        return call

    @command
    def dial(self, number: str, digits: str) -> Call:
        """Dial on the device's off-hook connection, or go off hook first."""
        digits = check_dialable(digits)
        device = self.device(number)
        conn = next((c for c in device.connections if c.state is S.INITIATED), None)
        if conn is None:
            return self.make_call(number, digits)
        self._require_may_dial(device, digits)
        self._originate(conn, digits)
        return conn.call

    @command
    def dial_digits(self, conn_id: int, digits: str) -> Call:
        """Overlap dialling (call-model §2.3 #3): add digits to the number an
        off-hook connection is dialling, and route it once the dial plan says
        it is complete. Until then the digits wait in `call.dialled`, and an
        inter-digit timer routes what was dialled if no more come."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.INITIATED)
        self._require(isinstance(digits, str) and bool(_OVERLAP_DIGITS.match(digits)), Refusal.BAD_DESTINATION,
                      f"{digits!r} are not dial-pad digits")
        call = conn.call
        so_far = (call.dialled or "") + digits
        ended = so_far.endswith("#") and len(so_far) > 1
        number = check_dialable(so_far[:-1] if ended else so_far)
        complete = ended or not self.number_incomplete(number)
        if complete:
            assert conn.device is not None
            self._require_may_dial(conn.device, number)
        party = conn.party
        if party.timer is not None:
            party.timer.cancel()
            party.timer = None
        if not complete:
            call.dialled = number
            party.timer = self._timer(self.interdigit_seconds, lambda: self._dialling_ended(conn), "interdigit")
            self._emit(CallChanged(call.id, ("dialled",)))
            return call
        self._originate(conn, number)
        return call

    def number_incomplete(self, digits: str) -> bool:
        """Whether more digits may still come: a longer internal number
        starts with them, or they begin an outside number shorter than a
        full national one that is not a configured far end."""
        internal = (*self.devices, *self.groups, self.voicemail_number, *self.dids,
                    *((self.dva_number,) if self.dva_number else ()))
        if any(n.startswith(digits) and n != digits for n in internal):
            return True
        if digits in internal or digits in self.externals:
            return False
        outside = digits.startswith((self.outside_prefix, "+")) or self.is_external(digits)
        return outside and len(digits.lstrip("+")) < FULL_NUMBER_DIGITS

    def _dialling_ended(self, conn: Connection) -> None:
        """No digit for `interdigit_seconds`: route what was dialled."""
        conn.party.timer = None
        call = conn.call
        if conn.id not in self.connections or conn.state is not S.INITIATED or not call.dialled:
            return
        user = conn.party.user
        if user is not None and not user.external_calls and self.is_external(call.dialled):
            self._fail_caller(call, Cause.REJECTED)
            return
        self._originate(conn, call.dialled)

    @command
    def incoming_call(self, caller: str, destination: str, *, name: str | None = None) -> Call:
        """A call arrives from the public network (the simulated trunk)."""
        caller = check_dialable(caller)
        destination = check_dialable(destination)
        self._require(self.trunks_in_use < self.trunk_channels, Refusal.CAPACITY, "all trunk channels are busy")
        call = self._new_call()
        party = self._new_party(call, PartyKind.EXTERNAL, caller, Role.CALLER, name=name)
        conn = self._new_connection(party, caller, None, S.INITIATED, ServiceInitiated, Cause.NEW_CALL)
        self._originate(conn, destination)
        return call

    # -- answering and clearing --------------------------------------------

    @command
    def answer(self, conn_id: int) -> None:
        conn = self.connection(conn_id)
        self._require_state(conn, S.ALERTING)
        if conn.device is not None:
            self._require(conn.device.in_service, Refusal.OUT_OF_SERVICE, f"device {conn.dn} is out of service")
        party = conn.party
        if party.timer is not None:
            party.timer.cancel()
            party.timer = None
        self._hold_others(conn.device, keep=conn, cause=Cause.NEW_CALL)
        if conn.prompt:
            conn.prompt = False
            # The caller's phone answered its prompt: now the call proceeds.
            self._move(conn, S.CONNECTED, Originated, Cause.NEW_CALL)
            call = conn.call
            assert call.dialled is not None
            call.initial_called = call.dialled
            plan = self.plan(call.dialled, caller=party.user, calling=party.number)
            self._execute(call, plan, Role.CALLED, Cause.NEW_CALL)
            return
        self._move(conn, S.CONNECTED, Established, Cause.NEW_CALL)
        self._answered(party, conn)

    def _answered(self, party: Party, conn: Connection) -> None:
        """After an answer: the party's other ringing devices stop, and a
        group call stops ringing at the other members."""
        for sibling in list(party.connections):
            if sibling is not conn:
                self._move(sibling, S.NULL, ConnectionCleared, Cause.ANSWERED_ELSEWHERE)
        if party.group is not None:
            self._answered_from_group(party)

    @command
    def clear_connection(self, conn_id: int) -> None:
        """Hang up. On a ringing incoming call this declines it."""
        conn = self.connection(conn_id)
        party = conn.party
        if conn.state is S.ALERTING and not conn.prompt and party is not party.call.origin:
            self._reject(conn)
            return
        if len(party.connections) > 1:
            self._move(conn, S.NULL, ConnectionCleared, Cause.NORMAL)
            return
        self._leave(party, Cause.NORMAL)

    @command
    def reject(self, conn_id: int) -> None:
        conn = self.connection(conn_id)
        self._require_state(conn, S.ALERTING)
        self._require(conn.party is not conn.call.origin, Refusal.INVALID_STATE, "cannot reject one's own call")
        self._reject(conn)

    def _reject(self, conn: Connection) -> None:
        """A ringing party declines: no-answer coverage runs at once; with
        none, the caller hears busy (cause REJECTED)."""
        party = conn.party
        call = party.call
        if len(party.connections) > 1:
            self._move(conn, S.NULL, ConnectionCleared, Cause.REJECTED)
            return
        if party.group is not None:
            gparty = self._group_party(call)
            if gparty is not None and party.user is not None:
                gparty.declined.add(party.user.login)
            self._clear_party(party, Cause.REJECTED)
            if gparty is not None:
                self._distribute(gparty)
            self._release(call, Cause.REJECTED)
            return
        plan = self.no_answer_plan(party.user, [], len(call.redirects)) if party.user is not None else None
        if plan is not None:
            self._cover(party, plan, Cause.REJECTED)
            return
        others = [p for p in call.parties.values() if p is not party and p is not call.origin and p.connections]
        if not others:
            self._fail_caller(call, Cause.REJECTED)
        self._clear_party(party, Cause.REJECTED)
        self._release(call, Cause.REJECTED)

    @command
    def silence(self, conn_id: int) -> None:
        """Stop the ringer (Sky "ignore"): the call still waits for coverage."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.ALERTING)
        if not conn.party.silenced:
            conn.party.silenced = True
            self._emit(PartyChanged(conn.call.id, conn.party.id, ("silenced",)))

    @command
    def clear_call(self, call_id: int) -> None:
        call = self.call(call_id)
        self._end_call(call, Cause.FORCED_CLEAR)

    # -- hold and friends ---------------------------------------------------

    @command
    def hold(self, conn_id: int, kind: HoldKind = HoldKind.COMMON) -> None:
        kind = self._enum(HoldKind, kind, "hold kind")
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        self._require(conn.device is not None, Refusal.INVALID_STATE, "only a phone can hold")
        conn.hold_kind = kind
        self._move(conn, S.HELD, Held, Cause.NORMAL)

    @command
    def retrieve(self, conn_id: int) -> None:
        conn = self.connection(conn_id)
        self._require_state(conn, S.HELD)
        self._hold_others(conn.device, keep=conn, cause=Cause.NORMAL)
        conn.hold_kind = None
        self._move(conn, S.CONNECTED, Retrieved, Cause.NORMAL)

    def _pair(self, held_id: int, active_id: int) -> tuple[Connection, Connection]:
        held = self.connection(held_id)
        active = self.connection(active_id)
        self._require_state(held, S.HELD)
        self._require_state(active, S.CONNECTED, S.ALERTING, S.INITIATED, S.FAILED)
        self._require(held.call is not active.call, Refusal.INVALID_STATE, "both connections are in one call")
        same_owner = held.device is active.device or (
            held.party.user is not None and held.party.user is active.party.user)
        self._require(same_owner, Refusal.NOT_OWNER, "the two calls belong to different devices")
        return held, active

    @command
    def alternate(self, held_id: int, active_id: int) -> None:
        """Swap between a held call and the active one."""
        held, active = self._pair(held_id, active_id)
        self._require_state(active, S.CONNECTED)
        active.hold_kind = HoldKind.COMMON
        self._move(active, S.HELD, Held, Cause.NORMAL)
        # The two calls may be on two devices of one user: the held call's
        # phone may be talking on a third.
        self._hold_others(held.device, keep=held, cause=Cause.NORMAL)
        held.hold_kind = None
        self._move(held, S.CONNECTED, Retrieved, Cause.NORMAL)

    @command
    def reconnect(self, held_id: int, active_id: int) -> None:
        """Drop the active (consultation) call and return to the held one."""
        held, active = self._pair(held_id, active_id)
        self._leave(active.party, Cause.NORMAL)
        self._hold_others(held.device, keep=held, cause=Cause.NORMAL)
        held.hold_kind = None
        self._move(held, S.CONNECTED, Retrieved, Cause.NORMAL)

    @command
    def consult(self, conn_id: int, destination: str | None,
                purpose: ConsultPurpose = ConsultPurpose.NONE, *,
                calling_number: str | None = None) -> Call:
        """Hold the active call and call someone else from the same phone.
        With no destination the new call stays at dial tone (INITIATED) for
        a later `dial` (MTCTI-3 SetupTransfer/SetupConf without arg1).
        `calling_number` is as for `make_call`."""
        purpose = self._enum(ConsultPurpose, purpose, "consultation purpose")
        if calling_number is not None:
            calling_number = check_dialable(calling_number)
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        device = conn.device
        self._require(device is not None, Refusal.INVALID_STATE, "only a phone can consult")
        assert device is not None
        if destination is not None:
            destination = check_dialable(destination)
        self._require_free(device)
        if destination is not None:
            self._require_may_dial(device, destination)
        conn.hold_kind = HoldKind.COMMON
        self._move(conn, S.HELD, Held, Cause.CONSULTATION)
        call = self._new_call(Cause.CONSULTATION)
        party = self._origin_party(call, device)
        call.data.calling_number = calling_number
        first = conn.call
        self._link(first, call, purpose)
        new = self._new_connection(party, device.number, device, S.INITIATED, ServiceInitiated, Cause.CONSULTATION)
        if destination is not None:
            self._originate(new, destination)
        return call

    def _link(self, first: Call, second: Call, purpose: ConsultPurpose) -> None:
        for call in (first, second):
            if call.consult_peer is not None and call.consult_peer is not first and call.consult_peer is not second:
                self._unlink(call)
        first.consult_peer, second.consult_peer = second, first
        first.consult_purpose = second.consult_purpose = purpose
        self._emit(CallChanged(first.id, ("consult",)))

    @command
    def send_dtmf(self, conn_id: int, digits: str) -> None:
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        self._require(bool(digits) and set(digits) <= _DTMF, Refusal.BAD_VALUE,
                      f"{digits!r} is not a DTMF string (0-9, *, #, A-D)")
        self._emit(DigitsGenerated(conn.call.id, conn.id, digits))


    @command
    def switch_device(self, conn_id: int, number: str) -> None:
        """Move a call to another of the same user's phones (O2G deviceLegs,
        call-model §2.3 #26): the party stays, its connection moves, and a
        held call stays held."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED, S.HELD)
        device = self.device(number)
        party = conn.party
        self._require(party.user is not None and device.user is party.user and device is not conn.device,
                      Refusal.NOT_OWNER, f"device {number} is not another device of the call's user")
        self._require_free(device)
        held = conn.state is S.HELD
        self._move(conn, S.NULL, ConnectionCleared, Cause.NORMAL)
        if not held:
            self._hold_others(device, keep=None, cause=Cause.NORMAL)
        moved = self._new_connection(party, device.number, device, S.CONNECTED, Established, Cause.NORMAL)
        if held:
            moved.hold_kind = HoldKind.COMMON
            self._move(moved, S.HELD, Held, Cause.NORMAL)

    @command
    def push_to_twin(self, conn_id: int) -> Connection:
        """Start moving a call to the user's mobile twin (MTCTI-3
        PushToEC500, call-model §2.3 #26): the mobile rings as another
        connection of the same party while the user keeps talking; when it
        answers, `answer` clears the desk connection (ANSWERED_ELSEWHERE),
        so the move completes only then. Unanswered within the user's
        no-answer time, the mobile stops ringing and the call stays where it
        was. Returns the ringing twin connection."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        party = conn.party
        user = party.user
        self._require(user is not None, Refusal.INVALID_STATE, f"connection {conn_id} is not a user's")
        assert user is not None
        twin = user.twin
        self._require(twin is not None and user.presence.twinning, Refusal.TARGET_UNREACHABLE,
                      f"{user.login} has no mobile twin, or twinning is off")
        assert twin is not None
        self._require(conn.device is not twin, Refusal.ALREADY_DONE, f"call {conn.call.id} is on the mobile already")
        self._require(all(c.state is not S.ALERTING for c in party.connections), Refusal.ALREADY_DONE,
                      f"call {conn.call.id} is already ringing on another phone of {user.login}")
        self._require(any(p is not party and p.connections for p in conn.call.parties.values()),
                      Refusal.INVALID_STATE, f"call {conn.call.id} has nobody to keep talking to")
        self._require(twin.in_service and twin.has_free_appearance(), Refusal.TARGET_UNREACHABLE,
                      f"the mobile {twin.number} cannot take a call")
        ringing = self._new_connection(party, twin.number, twin, S.ALERTING, Delivered, Cause.NORMAL)
        party.timer = self._timer(user.no_answer_seconds, lambda: self._push_expired(ringing), "push_to_twin")
        return ringing

    def _push_expired(self, ringing: Connection) -> None:
        """The mobile did not answer a push: it stops ringing and the call
        goes on where it was (or ends, if the user hung up meanwhile)."""
        party = ringing.party
        party.timer = None
        if ringing.id not in self.connections or ringing.state is not S.ALERTING:
            return
        if len(party.connections) > 1:
            self._move(ringing, S.NULL, ConnectionCleared, Cause.NO_ANSWER)
        else:
            self._leave(party, Cause.NO_ANSWER)
