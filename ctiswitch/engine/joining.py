"""Joining and splitting calls: transfer, single-step transfer, conference,
adding and dropping parties (call-model §2.3 #14-18, §2.5).

Transfer and conference keep the held (primary) call P and absorb the active
call S: P keeps the original caller's identity and data, S's remaining
parties move into P with their party ids, and S disappears without a
CallCleared (the Transferred/Conferenced event says where it went).
"""
from __future__ import annotations

from .calls import Call, Connection, Party
from .calling import CallControl
from .core import MAX_CONFERENCE, command
from .errors import CommandError, Refusal
from .events import Conferenced, Diverted, Retrieved, Transferred
from .routing import Plan, check_dialable
from .states import Cause, ConnectionState, PartyKind, Role

S = ConnectionState
#: Characters of a voicemail call flow's name (the longest MTCTI-3 arg1).
MAX_CALL_FLOW = 78


class Joining(CallControl):
    def _reachable(self, destination: str, conn: Connection, leaving: Party | None) -> Plan:
        """Plan a destination for a call already in progress; unreachable
        destinations are refused before anything changes. `leaving` is the
        party that leaves as the call goes there (None: everyone stays, as
        when a party is added), which decides how many seats a MeetMe room
        must have free."""
        destination = check_dialable(destination)
        if conn.device is not None:
            self._require_may_dial(conn.device, destination)
        plan = self.plan(destination, caller=conn.party.user)
        if plan.failed:
            refusal = Refusal.BAD_DESTINATION if plan.cause is Cause.INVALID_NUMBER else Refusal.TARGET_UNREACHABLE
            raise CommandError(refusal, f"{destination} cannot be reached ({plan.cause.value if plan.cause else ''})")
        if plan.room is not None:
            seats = self.seats_of(conn.call, leaving)
            self._require(self.room_has_seats(plan.room, seats), Refusal.TARGET_UNREACHABLE,
                          f"room {plan.room.number} has no seat for each of the {seats} parties of call {conn.call.id}")
        # A call waits in one group at a time (a member passing its offer on
        # takes the call out of its group first, so that is allowed, and so
        # does the waiting group party sending its call on).
        self._require(plan.kind != "group" or conn.party.group is not None or conn.party.offered is not None
                      or self._group_party(conn.call) is None,
                      Refusal.CANT_COMPLETE, f"call {conn.call.id} is already waiting in a group")
        return plan

    def _merge(self, primary: Call, secondary: Call, leaver: Party, cause: Cause) -> tuple[int, ...]:
        """Move every party of `secondary` except `leaver` into `primary`."""
        self._clear_party(leaver, cause)
        moved = []
        for party in list(secondary.parties.values()):
            del secondary.parties[party.id]
            party.call = primary
            primary.parties[party.id] = party
            primary.seen[party.id] = secondary.seen.get(party.id, (party.number, party.name, party.role.value))
            moved.append(party.id)
        primary.data.absorb(secondary.data)
        for user, state in secondary.recordings.items():
            primary.recordings.setdefault(user, state)
        primary.absorbed.append(secondary.id)
        primary.answered = primary.answered or secondary.answered
        if primary.group is None:
            primary.group = secondary.group
        if primary.queue_assoc is None:
            primary.queue_assoc = secondary.queue_assoc
        self._unlink(secondary)
        del self.calls[secondary.id]
        return tuple(moved)

    def _require_one_group(self, primary: Call, secondary: Call) -> None:
        """Two calls both waiting in groups cannot become one call."""
        self._require(self._group_party(primary) is None or self._group_party(secondary) is None,
                      Refusal.CANT_COMPLETE, f"calls {primary.id} and {secondary.id} are both waiting in a group")

    @command
    def transfer(self, held_id: int, active_id: int) -> Call:
        """Connect the held call's parties with the active call's; the
        transferring user leaves both. Returns the surviving call."""
        held, active = self._pair(held_id, active_id)
        self._require_state(active, S.CONNECTED)
        primary, secondary = held.call, active.call
        others = [p for p in secondary.parties.values() if p is not active.party and p.connections]
        self._require(bool(others), Refusal.CANT_COMPLETE, f"call {secondary.id} has nobody to transfer to")
        self._require_one_group(primary, secondary)
        self._clear_party(held.party, Cause.TRANSFER)
        moved = self._merge(primary, secondary, active.party, Cause.TRANSFER)
        self._emit(Transferred(primary.id, secondary.id, moved, Cause.TRANSFER))
        self._release(primary, Cause.TRANSFER)
        return primary

    @command
    def conference(self, held_id: int, active_id: int) -> Call:
        """Join the held and the active call into one conference."""
        held, active = self._pair(held_id, active_id)
        self._require_state(active, S.CONNECTED)
        primary, secondary = held.call, active.call
        size = len(primary.live_parties()) + len(secondary.live_parties()) - 1
        self._require(size <= MAX_CONFERENCE, Refusal.CAPACITY,
                      f"a conference holds at most {MAX_CONFERENCE} parties")
        self._require_one_group(primary, secondary)
        if held.device is not active.device:
            # One user's two devices: the held call's phone may be talking
            # on a third call (on one device, that can only be `active`).
            self._hold_others(held.device, keep=held, cause=Cause.CONFERENCE)
        held.hold_kind = None
        self._move(held, S.CONNECTED, Retrieved, Cause.CONFERENCE)
        moved = self._merge(primary, secondary, active.party, Cause.CONFERENCE)
        self._emit(Conferenced(primary.id, secondary.id, moved, Cause.CONFERENCE))
        return primary

    @command
    def conference_all(self, conn_ids: list[int]) -> Call:
        """Join several calls of one user into one conference (MTCTI-3
        CompleteConf with several calls): the user talks on exactly one of
        them and holds the others. All or nothing: everything is checked
        before the first join, so a refusal changes nothing. The call with
        the most parties survives (an existing conference; the others join
        it), each further call joining it as in `conference`."""
        self._require(len(conn_ids) >= 2 and len(set(conn_ids)) == len(conn_ids), Refusal.BAD_VALUE,
                      "a conference joins two or more distinct calls")
        conns = [self.connection(conn_id) for conn_id in conn_ids]
        for conn in conns:
            self._require_state(conn, S.CONNECTED, S.HELD)
        talking = [c for c in conns if c.state is S.CONNECTED]
        self._require(len(talking) == 1, Refusal.INVALID_STATE, "the user must be talking on exactly one of the calls")
        calls = [c.call for c in conns]
        self._require(len({call.id for call in calls}) == len(calls), Refusal.INVALID_STATE,
                      "two of the connections are in one call")
        user = conns[0].party.user
        self._require(user is not None and all(c.party.user is user for c in conns), Refusal.NOT_OWNER,
                      "the calls belong to different users")
        size = sum(len(call.live_parties()) for call in calls) - (len(calls) - 1)
        self._require(size <= MAX_CONFERENCE, Refusal.CAPACITY, f"a conference holds at most {MAX_CONFERENCE} parties")
        self._require(sum(self._group_party(call) is not None for call in calls) <= 1, Refusal.CANT_COMPLETE,
                      "several of the calls are waiting in a group")
        held = [c for c in conns if c.state is S.HELD]
        primary = max(held, key=lambda c: len(c.call.live_parties()))
        survivor = self.conference(primary.id, talking[0].id)
        for other in held:
            if other is primary:
                continue
            # Join as `conference` does: the survivor's leg held, the
            # joining call's leg active, so the survivor keeps its id.
            if primary.state is S.CONNECTED:
                self.hold(primary.id)
            self.retrieve(other.id)
            survivor = self.conference(primary.id, other.id)
        return survivor

    @command
    def single_step_transfer(self, conn_id: int, destination: str) -> None:
        """Blind transfer: the destination is routed into the same call and
        the transferring party leaves at once. A call still waiting in a
        queue is sent on by its group party (MTCTI-3 actions on queued calls):
        the queue stops offering it first."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED, S.ALERTING, S.QUEUED)
        self._single_step(conn, self._reachable(destination, conn, conn.party))

    @command
    def transfer_to_room(self, conn_id: int, number: str, pin: str | None = None) -> None:
        """Blind transfer into a MeetMe room (MTCTI-3 `/116/room[;MODEFROMPIN(pin)]`).
        A separate command because the PIN travels with the request, not
        in the dialled digits; an unknown room, a wrong PIN and a full room
        are refused before anything changes."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED, S.ALERTING, S.QUEUED)
        room = self.conference_rooms.get(number)
        self._require(room is not None, Refusal.TARGET_UNREACHABLE, f"{number!r} is not a conference room")
        assert room is not None
        if conn.device is not None:
            self._require_may_dial(conn.device, room.number)
        plan = self._plan_room(room, [], pin, self.seats_of(conn.call, conn.party))
        self._require(plan.cause is not Cause.REJECTED, Refusal.TARGET_UNREACHABLE,
                      f"room {number} needs its PIN")
        self._require(plan.cause is not Cause.BUSY, Refusal.CAPACITY,
                      f"room {number} has no seat for each party of call {conn.call.id} "
                      f"({room.capacity} parties at most)")
        self._single_step(conn, plan)

    @command
    def transfer_to_voicemail(self, conn_id: int, owner_number: str) -> None:
        """Blind transfer into a user's mailbox (MTCTI-3 `/102/<user>`): the
        caller leaves a message for that user, whoever was talking to it.
        A number that is no user's, or a user without a mailbox, refuses."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED, S.ALERTING, S.QUEUED)
        device = self.devices.get(owner_number)
        owner = device.user if device is not None else self.dids.get(owner_number)
        self._require(owner is not None, Refusal.TARGET_UNREACHABLE, f"{owner_number!r} is no user's number")
        assert owner is not None
        self._require(owner.has_mailbox, Refusal.TARGET_UNREACHABLE, f"{owner.login} has no mailbox")
        self._single_step(conn, Plan("voicemail", self.voicemail_number, user=owner))

    @command
    def transfer_to_call_flow(self, conn_id: int, flow: str) -> None:
        """Blind transfer into a call flow of the voicemail server (MTCTI-3
        `/102/<Callflow>`, a VMPro module): the voicemail server answers
        and runs the flow. No mailbox owns the call, so it is connected to
        a VOICEMAIL party whose number is the flow's name, and the caller
        hanging up deposits nothing. The engine knows no flow list (the
        flows live on the voicemail server), so any sane name is taken:
        printable, no surrounding spaces, at most MAX_CALL_FLOW characters."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED, S.ALERTING, S.QUEUED)
        self._require(isinstance(flow, str) and 0 < len(flow) <= MAX_CALL_FLOW and flow.isprintable()
                      and flow == flow.strip(), Refusal.BAD_VALUE, f"{flow!r} is not a call flow name")
        self._single_step(conn, Plan("callflow", flow))

    def _single_step(self, conn: Connection, plan: Plan) -> None:
        """Send the call to a planned destination and take the transferring
        party out; shared by every blind-transfer form. A QUEUED connection
        transfers the call it holds: a group party sends its waiting call on,
        a park slot sends its parked call on (MTCTI-3 BlindTransfer on a
        ParkServer or queue line), which empties the slot."""
        self._require(conn.state is not S.QUEUED or conn.party.offered is not None
                      or conn.party.kind is PartyKind.PARK, Refusal.INVALID_STATE,
                      f"connection {conn.id} is not a call waiting in a group or a park slot")
        call = conn.call
        party = conn.party
        self._emit(Diverted(call.id, party.number, plan.number, Cause.SINGLE_STEP))
        if party.group is not None:
            self._answered_from_group(party)  # a ringing group call transferred on leaves the group
        elif party.offered is not None:
            self._stop_waiting(party)
            for offer in self._offers(party):
                self._clear_party(offer, Cause.SINGLE_STEP)
        if plan.kind == "conference":
            # Entering a room may merge this call into the room's call, and
            # the transferring party must not be carried into the meeting.
            self._clear_party(party, Cause.SINGLE_STEP)
            self._execute(call, plan, Role.CALLED, Cause.SINGLE_STEP)
        else:
            self._execute(call, plan, Role.CALLED, Cause.SINGLE_STEP)
            self._clear_party(party, Cause.SINGLE_STEP)
        self._release(call, Cause.SINGLE_STEP)

    @command
    def add_party(self, conn_id: int, destination: str) -> Party:
        """Bring another party into a connected call (a conference)."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        call = conn.call
        self._require(len(call.live_parties()) < MAX_CONFERENCE, Refusal.CAPACITY,
                      f"a conference holds at most {MAX_CONFERENCE} parties")
        plan = self._reachable(destination, conn, None)
        party = self._execute(call, plan, Role.ADDED, Cause.CONFERENCE)
        assert party is not None
        return party

    @command
    def drop_party(self, conn_id: int, party_id: int) -> None:
        """A participant of a call removes another participant."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        call = conn.call
        target = call.parties.get(party_id)
        self._require(target is not None, Refusal.CALL_NOT_FOUND, f"party {party_id} is not in call {call.id}")
        assert target is not None
        self._require(target is not conn.party, Refusal.INVALID_STATE, "use clear_connection to leave a call")
        self._leave(target, Cause.PARTICIPANT_LEFT)
