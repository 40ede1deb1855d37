"""The switch's state and the mechanics every command shares: transactions,
id allocation, connection moves checked against the transition table, and
the release rules that decide when a call ends.

Commands live in the mixin modules (calling, joining, diverting, groups,
settings); this module holds only what they all stand on.
"""
from __future__ import annotations

import functools
import itertools
import socket
import struct
from enum import Enum
from typing import Any, Callable, Iterable, TypeVar

from .calls import Call, Connection, Party
from .clock import Clock
from .directory import ConferenceRoom, Device, ExternalNumber, Group, TurretLine, User
from .errors import CommandError, InvariantError, Refusal
from .events import (
    Batch,
    CallChanged,
    CallCleared,
    CallCreated,
    CallLogged,
    ConnectionCleared,
    ConnectionEvent,
    Event,
    Held,
    MessageDeposited,
)
from .states import TRANSITIONS, Cause, ConnectionState, PartyKind, Role

F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=Enum)
S = ConnectionState

#: Parties a call may hold at once (call-model §2.3 #16).
MAX_CONFERENCE = 6
#: Causes that take a still-ringing party out of a call because the call
#: went on elsewhere (o2g.md §2.7: overflow, redirection or pickup).
REROUTE_CAUSES = frozenset({
    Cause.REDIRECTED, Cause.PICKUP, Cause.FORWARD_NO_ANSWER, Cause.FORWARD_BUSY, Cause.OVERFLOW, Cause.VOICEMAIL,
})


def command(fn: F) -> F:
    """Run a method as one transaction: its events go out as one Batch.

    Commands that call other commands join the outer transaction, so a
    request through any face yields exactly one batch.
    """

    @functools.wraps(fn)
    def wrapper(self: "SwitchCore", *args: Any, **kwargs: Any) -> Any:
        if self._events is not None:
            return fn(self, *args, **kwargs)
        self._events = []
        try:
            return fn(self, *args, **kwargs)
        finally:
            self._flush(fn.__name__)

    return wrapper  # type: ignore[return-value]


class SwitchCore:
    """State and shared mechanics. See `Switch` for the full command set."""

    def __init__(self, clock: Clock, *, node_ip: str = "127.0.0.1") -> None:
        self.clock = clock
        self.users: dict[str, User] = {}
        self.devices: dict[str, Device] = {}
        self.groups: dict[str, Group] = {}
        self.lines: dict[str, TurretLine] = {}
        self.dids: dict[str, User] = {}
        self.externals: dict[str, ExternalNumber] = {}
        self.voicemail_number = "8000"
        self.voicemail_answer_delay = 0.0
        #: Seconds the mailbox greeting plays after voicemail answers, before
        #: the caller's message is recorded (a caller who hangs up during it
        #: leaves none). 0: recording starts as voicemail answers.
        self.voicemail_greeting_seconds = 0.0
        #: The digital voice announcement's number, None when the company has
        #: none (call-model §1.1 DialPlan "DVA"; O2G redirectToDVA).
        self.dva_number: str | None = None
        self.dva_answer_delay = 0.0
        #: MeetMe rooms by number (call-model §1.1 ConferenceRoom).
        self.conference_rooms: dict[str, ConferenceRoom] = {}
        #: Business (cost-centre) codes a business call may carry (O2G
        #: makeBusinessCall, call-model §5.1); empty when none are configured.
        self.business_codes: frozenset[str] = frozenset()
        self.outside_prefix = "0"
        self.external_min_digits = 7
        self.external_answer_after = 2.0
        self.trunk_channels = 60
        self.prompt_timeout = 30.0
        self.park_recall_seconds = 120.0
        #: Seconds without a digit before overlap dialling routes the number.
        self.interdigit_seconds = 5.0

        self.calls: dict[int, Call] = {}
        self.connections: dict[int, Connection] = {}
        self.parks: dict[str, Party] = {}
        #: Owner login -> the VOICEMAIL parties answering for its mailbox, so
        #: a face can show a user the calls in its own voicemail (MTCTI-3
        #: RINGINGVOICEMAIL...) without walking every call.
        self._in_voicemail: dict[str, list[Party]] = {}
        self.trunks_in_use = 0

        self._node = socket.inet_aton(node_ip)
        self._call_ids = itertools.count(1)
        self._party_ids = itertools.count(1)
        self._conn_ids = itertools.count(1)
        self._batch_seq = itertools.count(1)
        self._events: list[Event] | None = None
        self._listeners: list[Callable[[Batch], None]] = []

    # -- events -----------------------------------------------------------

    def subscribe(self, listener: Callable[[Batch], None]) -> Callable[[], None]:
        """Register a batch listener; returns a function that removes it.

        Listeners run synchronously at the end of each transaction and must
        not block: a face copies what it needs into its own bounded queues.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: Event) -> None:
        if self._events is None:
            raise InvariantError("event emitted outside a transaction")
        self._events.append(event)

    def _flush(self, origin: str) -> None:
        events, self._events = self._events, None
        if not events:
            return
        batch = Batch(next(self._batch_seq), self.clock.now(), self.clock.wall(), origin, tuple(events))
        for listener in tuple(self._listeners):
            listener(batch)

    def _timer(self, delay: float, fn: Callable[[], None], origin: str) -> Any:
        """Arm a timer whose expiry runs as its own transaction."""

        def fire() -> None:
            self._events = []
            try:
                fn()
            finally:
                self._flush(origin)

        return self.clock.call_later(delay, fire)

    # -- lookups (each raises the refusal a face maps to its error) ---------

    def call(self, call_id: int) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise CommandError(Refusal.CALL_NOT_FOUND, f"no call {call_id}")
        return call

    def connection(self, conn_id: int) -> Connection:
        conn = self.connections.get(conn_id)
        if conn is None:
            raise CommandError(Refusal.CONNECTION_NOT_FOUND, f"no connection {conn_id}")
        return conn

    def device(self, number: str) -> Device:
        device = self.devices.get(number)
        if device is None:
            raise CommandError(Refusal.DEVICE_NOT_FOUND, f"no device {number!r}")
        return device

    def user(self, login: str) -> User:
        user = self.users.get(login)
        if user is None:
            raise CommandError(Refusal.USER_NOT_FOUND, f"no user {login!r}")
        return user

    def group(self, number: str) -> Group:
        group = self.groups.get(number)
        if group is None:
            raise CommandError(Refusal.GROUP_NOT_FOUND, f"no hunt group or queue {number!r}")
        return group

    def connection_at(self, number: str, call_id: int | None = None,
                      states: Iterable[ConnectionState] | None = None) -> Connection:
        """The connection a device has in a call (or its first one in one of
        `states`): how faces that address calls by device find them."""
        device = self.device(number)
        wanted = None if states is None else frozenset(states)
        for conn in device.connections:
            if (call_id is None or conn.party.call.id == call_id) and (wanted is None or conn.state in wanted):
                return conn
        what = f"call {call_id}" if call_id is not None else "a call"
        if wanted:
            what += " in state " + "/".join(sorted(s.value for s in wanted))
        raise CommandError(Refusal.CALL_NOT_FOUND, f"device {number} has no {what}")

    # -- construction of calls, parties, connections ------------------------

    def _new_call(self, cause: Cause = Cause.NEW_CALL) -> Call:
        call_id = next(self._call_ids)
        call = Call(call_id, b"\x01" + self._node + struct.pack(">I", call_id & 0xFFFFFFFF), self.clock.now())
        self.calls[call_id] = call
        self._emit(CallCreated(call_id, cause))
        return call

    def _new_party(self, call: Call, kind: PartyKind, number: str, role: Role, *,
                   user: User | None = None, name: str | None = None) -> Party:
        party = Party(next(self._party_ids), call, kind, number, role, self.clock.now(),
                      user=user, name=name if name is not None else (user.name if user else None))
        call.parties[party.id] = party
        call.seen[party.id] = (number, party.name, role.value)
        if call.origin is None:
            call.origin = party
        if kind is PartyKind.EXTERNAL:
            self.trunks_in_use += 1
        return party

    def _new_connection(self, party: Party, dn: str, device: Device | None,
                        state: ConnectionState, event: type[ConnectionEvent], cause: Cause) -> Connection:
        conn = Connection(next(self._conn_ids), party, dn, device, self.clock.now())
        party.connections.append(conn)
        self.connections[conn.id] = conn
        if device is not None:
            device.connections.append(conn)
        self._move(conn, state, event, cause)
        return conn

    def _move(self, conn: Connection, state: ConnectionState,
              event: type[ConnectionEvent], cause: Cause) -> None:
        """Change a connection's state, checked against TRANSITIONS."""
        if state not in TRANSITIONS[conn.state]:
            raise InvariantError(f"{conn!r} cannot move to {state.value}")
        conn.state = state
        conn.since = self.clock.now()
        party = conn.party
        if state is S.NULL:
            party.connections.remove(conn)
            del self.connections[conn.id]
            if conn.device is not None:
                conn.device.connections.remove(conn)
        elif state is S.FAILED:
            conn.failure = cause
        elif state is S.ALERTING and party.alerted_at is None:
            party.alerted_at = conn.since
        elif state is S.CONNECTED and party.answered_at is None:
            party.answered_at = conn.since
            if party is not party.call.origin:
                party.call.answered = True
        self._emit(event(party.call.id, party.id, conn.id, conn.dn, state, cause))

    # -- leaving and the release rules -------------------------------------

    def _clear_party(self, party: Party, cause: Cause, *, log: bool = True) -> None:
        """Clear every connection of a party: it leaves the call for good."""
        if party.timer is not None:
            party.timer.cancel()
            party.timer = None
        for conn in list(party.connections):
            self._move(conn, S.NULL, ConnectionCleared, cause)
        call = party.call
        del call.parties[party.id]
        if cause in REROUTE_CAUSES and party.answered_at is None and party is not call.origin:
            call.rerouted.append(party.number)
        if party.kind is PartyKind.EXTERNAL:
            self.trunks_in_use -= 1
        elif party.kind is PartyKind.PARK and party.slot is not None:
            self.parks.pop(party.slot, None)
        elif party.kind is PartyKind.VOICEMAIL:
            self._deposit_message(party)
            if party.coverage_of is not None:
                answering = self._in_voicemail.get(party.coverage_of.login, [])
                if party in answering:
                    answering.remove(party)
                if not answering:
                    self._in_voicemail.pop(party.coverage_of.login, None)
        if party.user is not None:
            party.user.idle_since = self.clock.now()
            self._stop_personal_recording(call, party.user.login)
            if log:
                self._log(party, cause)
            self._user_freed(party.user)

    def _stop_personal_recording(self, call: Call, login: str) -> None:
        """A personal recording is the user's own (call-model §7 #16): it
        stops when the user's last party leaves the call."""
        if login not in call.recordings:
            return
        if any(p.user is not None and p.user.login == login for p in call.parties.values()):
            return
        del call.recordings[login]
        if call.id in self.calls:
            self._emit(CallChanged(call.id, ("recordings",)))

    def _leave(self, party: Party, cause: Cause) -> None:
        """A party hangs up or is dropped; apply the release rules."""
        call = party.call
        abandoned = party is call.origin and not call.answered
        self._clear_party(party, cause)
        if abandoned:
            self._end_call(call, Cause.ABANDONED)
        else:
            self._release(call, cause)

    def _release(self, call: Call, cause: Cause) -> None:
        """End a call nobody is left in, or that one party is alone in and
        not still originating (two-party release is full, call-model §7 #6)."""
        if call.id not in self.calls:
            return
        live = [p for p in call.parties.values() if p.connections]
        if not live:
            self._end_call(call, cause)
        elif len(live) == 1 and not self._originating(live[0]):
            self._end_call(call, Cause.NORMAL)

    @staticmethod
    def _originating(party: Party) -> bool:
        """A lone party that may stay: dialling, prompted, or hearing a
        busy/reorder tone until it hangs up."""
        return any(
            c.state in (S.INITIATED, S.FAILED) or (c.state is S.ALERTING and c.prompt)
            for c in party.connections
        )

    def _end_call(self, call: Call, cause: Cause) -> None:
        # Unregister first, so nothing triggered while the parties clear (a
        # queue redistributing to a freed member) can join this call.
        if self.calls.pop(call.id, None) is None:
            return
        for party in list(call.parties.values()):
            self._clear_party(party, cause)
        self._unlink(call)
        self._emit(CallCleared(call.id, cause))

    def _unlink(self, call: Call) -> None:
        peer = call.consult_peer
        if peer is not None:
            peer.consult_peer = None
            call.consult_peer = None
            if peer.id in self.calls:
                self._emit(CallChanged(peer.id, ("consult",)))

    def _log(self, party: Party, cause: Cause) -> None:
        call = party.call
        user = party.user
        assert user is not None
        outgoing = party.role is Role.CALLER
        answered = call.answered if outgoing else party.answered_at is not None
        others = tuple(v for k, v in call.seen.items() if k != party.id)
        ended = self.clock.wall()
        started = ended - (self.clock.now() - party.created_at)
        self._emit(CallLogged(user.login, call.id, started, ended, answered,
                              "outgoing" if outgoing else "incoming", cause, others,
                              call.initial_called, tuple(call.rerouted)))

    def voicemail_parties(self, user: User) -> list[Party]:
        """The VOICEMAIL parties answering calls for `user`'s mailbox now:
        calls that rang the user and went to its voicemail, calls
        transferred into its mailbox, and the user's own call listening to
        its messages."""
        return list(self._in_voicemail.get(user.login, ()))

    @staticmethod
    def _takes_message(party: Party) -> bool:
        """Whether a voicemail party records a message: it answers for a
        mailbox, and not for the owner dialling in to listen to it."""
        owner = party.coverage_of
        origin = party.call.origin
        return owner is not None and not (origin is not None and origin.user is owner)

    def _deposit_message(self, party: Party) -> None:
        """A caller who reached a mailbox and got past the greeting leaves a
        message, as long as the recording ran (call flows take none)."""
        owner = party.coverage_of
        if owner is None or party.message_since is None or not self._takes_message(party):
            return
        origin = party.call.origin
        sender = origin.number if origin is not None and origin is not party else ""
        duration = round(self.clock.now() - party.message_since, 3)
        self._emit(MessageDeposited(owner.login, "voicemail", sender, {"duration": duration}))

    def _user_freed(self, user: User) -> None:
        """Hook: a user's part in a call ended (queues redistribute)."""

    # -- helpers for commands ---------------------------------------------

    def _require(self, condition: bool, refusal: Refusal, message: str) -> None:
        if not condition:
            raise CommandError(refusal, message)

    def _enum(self, kind: type[E], value: object, what: str) -> E:
        """Accept an enum member or its value; anything else is refused
        before the command changes state (faces pass wire strings)."""
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)  # type: ignore[attr-defined]
            raise CommandError(Refusal.BAD_VALUE, f"{what} must be one of {allowed}, not {value!r}") from None

    def _require_state(self, conn: Connection, *states: ConnectionState) -> None:
        if conn.state not in states:
            wanted = "/".join(s.value for s in states)
            raise CommandError(Refusal.INVALID_STATE,
                               f"connection {conn.id} of {conn.dn} is {conn.state.value}, needs {wanted}")

    def _require_free(self, device: Device) -> None:
        if not device.in_service:
            raise CommandError(Refusal.OUT_OF_SERVICE, f"device {device.number} is out of service")
        if not device.has_free_appearance():
            raise CommandError(Refusal.NO_FREE_APPEARANCE, f"device {device.number} has no free line appearance")

    def _hold_others(self, device: Device | None, keep: Connection | None, cause: Cause) -> None:
        """A phone talks on one call at a time: holding is automatic."""
        if device is None:
            return
        for other in list(device.connections):
            if other is not keep and other.state is S.CONNECTED:
                other.hold_kind = None
                self._move(other, S.HELD, Held, cause)

    # -- inspection -------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Devices, calls and connections as plain data (the sim API's view)."""
        return {
            "devices": [
                {
                    "number": d.number,
                    "type": d.type.value,
                    "user": d.user.login if d.user else None,
                    "in_service": d.in_service,
                    "behaviour": {"mode": d.behaviour.mode, "delay": d.behaviour.delay},
                    "connections": [c.id for c in d.connections],
                }
                for d in self.devices.values()
            ],
            "calls": [self.describe_call(call) for call in self.calls.values()],
            "parked": {slot: party.call.id for slot, party in self.parks.items()},
        }

    def describe_call(self, call: Call) -> dict[str, Any]:
        return {
            "id": call.id,
            "gcid": call.gcid.hex(),
            "dialled": call.dialled,
            # What a far end beyond the trunk is shown as the caller's number.
            "calling_number": call.data.calling_number,
            # The cost centre the call is charged to (an O2G business code,
            # MTCTI-3 accountcode), which no O2G representation carries.
            "account_code": call.data.account_code,
            "group": call.group.number if call.group else None,
            # The queue whose CTI monitoring follows the call (MTCTI-3 queue lines).
            "queue": call.queue_assoc.number if call.queue_assoc else None,
            "consult_peer": call.consult_peer.id if call.consult_peer else None,
            "parties": [
                {
                    "id": p.id,
                    "kind": p.kind.value,
                    "number": p.number,
                    "name": p.name,
                    "user": p.user.login if p.user else None,
                    "role": p.role.value,
                    "anonymous": p.anonymous,
                    "state": p.state.value,
                    "connections": [
                        {"id": c.id, "dn": c.dn, "state": c.state.value,
                         "hold": c.hold_kind.value if c.hold_kind else None}
                        for c in p.connections
                    ],
                }
                for p in call.parties.values()
            ],
        }
