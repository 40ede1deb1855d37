"""Moving a call to another place: deflect, overflow to voicemail, pickup,
park and unpark (call-model §2.3 #20-25). The call keeps its id."""
from __future__ import annotations

from .calls import Connection, Party
from .core import command
from .errors import Refusal
from .events import Delivered, Diverted, Established, Queued
from .joining import Joining
from .states import Cause, ConnectionState, PartyKind, Role

S = ConnectionState


class Diverting(Joining):
    @command
    def deflect(self, conn_id: int, destination: str) -> None:
        """Send a ringing call elsewhere before answering (redirect)."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.ALERTING)
        self._require(not conn.prompt and conn.party is not conn.call.origin, Refusal.INVALID_STATE,
                      "only an incoming ringing call can be redirected")
        plan = self._reachable(destination, conn, conn.party)
        party = conn.party
        call = party.call
        self._emit(Diverted(call.id, party.number, plan.number, Cause.REDIRECTED))
        if party.group is not None:
            self._answered_from_group(party)  # a redirected group call leaves the group
        self._clear_party(party, Cause.REDIRECTED)
        self._execute(call, plan, Role.CALLED, Cause.REDIRECTED)

    @command
    def overflow_to_voicemail(self, conn_id: int) -> None:
        """The caller sends its call to the ringing callee's voicemail."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        call = conn.call
        callee = next((p for p in call.parties.values()
                       if p is not conn.party and p.kind is PartyKind.USER and p.state is S.ALERTING), None)
        self._require(callee is not None, Refusal.INVALID_STATE, "no user is ringing in this call")
        assert callee is not None and callee.user is not None
        self._require(callee.user.has_mailbox, Refusal.NO_VOICEMAIL, f"{callee.user.login} has no voicemail")
        owner = callee.user
        self._emit(Diverted(call.id, callee.number, self.voicemail_number, Cause.OVERFLOW))
        self._clear_party(callee, Cause.OVERFLOW)
        self._voicemail(call, owner, Role.CALLED, Cause.OVERFLOW)

    @command
    def pickup(self, number: str, target: str, *, answer: bool = True) -> Party:
        """Take a call ringing at device `target` onto device `number`."""
        device = self.device(number)
        self._require_free(device)
        ringing = self.connection_at(target, states=(S.ALERTING,))
        self._require(not ringing.prompt and ringing.party is not ringing.call.origin, Refusal.INVALID_STATE,
                      f"{target} is not ringing with an incoming call")
        self._require(not ringing.party.privacy, Refusal.NOT_OWNER, "the call is private")
        call = ringing.call
        victim = ringing.party
        self._emit(Diverted(call.id, target, number, Cause.PICKUP))
        party = self._new_party(call, *self._identity(device), Role.PICKUP, user=device.user)
        if victim.group is not None:
            # A picked-up group call leaves the group: the other members stop
            # ringing and the group party goes, as if the member had answered.
            self._answered_from_group(victim)
        self._clear_party(victim, Cause.PICKUP)
        if answer:
            self._hold_others(device, keep=None, cause=Cause.PICKUP)
            conn = self._new_connection(party, device.number, device, S.CONNECTED, Established, Cause.PICKUP)
            self._answered(party, conn)
        else:
            self._new_connection(party, device.number, device, S.ALERTING, Delivered, Cause.PICKUP)
        return party

    def _identity(self, device) -> tuple[PartyKind, str]:  # type: ignore[no-untyped-def]
        if device.user is not None:
            return PartyKind.USER, device.user.number
        return PartyKind.DEVICE, device.number

    @command
    def park(self, conn_id: int, slot: str | None = None) -> str:
        """Park the other party of a two-party call; returns the slot
        (default: the parking connection's number).

        The parker is usually a phone talking on the call, and a call nobody
        unparks in `park_recall_seconds` recalls to that phone. A queue may
        park its call too (MTCTI-3 Park on a queue line): while the call
        waits in the group (QUEUEING) or rings agents (RINGING), through the
        group party's QUEUED connection, and once the voicemail server
        answered it (ANSWEREDBYVOICEMAIL), through the voicemail party.
        Parking a waiting call takes it out of the queue exactly as a blind
        transfer out of the queue does: the agents stop ringing and the
        group party goes.

        DECISION: a service that parks has no phone to recall to, so a call
        parked by its queue or by the voicemail that answered a queue call
        recalls to the queue: nobody unparks it, it re-enters the group (the
        one it waited in, else the one it came through) and is distributed
        again, through the normal routing plan (night service included).
        Anything else with no phone (a far end, voicemail of a call that
        came through no queue) cannot park: INVALID_STATE."""
        conn = self.connection(conn_id)
        parker = conn.party
        waiting = parker.offered is not None  # a group party: the call waits in its queue
        self._require_state(conn, S.QUEUED if waiting else S.CONNECTED)
        call = conn.call
        offers = self._offers(parker) if waiting else []
        staying = [p for p in call.live_parties() if p is not parker and p not in offers]
        self._require(len(staying) == 1, Refusal.INVALID_STATE, "only a two-party call can be parked")
        recall_to = self._recall_destination(conn)
        self._require(recall_to is not None, Refusal.INVALID_STATE,
                      f"{parker.number} has no phone or queue for a parked call to recall to")
        assert recall_to is not None
        slot = slot or conn.dn
        self._require(bool(slot) and len(slot) <= 16, Refusal.BAD_VALUE, f"{slot!r} is not a park slot")
        self._require(slot not in self.parks, Refusal.PARK_SLOT_BUSY, f"park slot {slot} is taken")
        self._emit(Diverted(call.id, parker.number, slot, Cause.PARK))
        if waiting:
            self._stop_waiting(parker)
            for offer in offers:
                self._clear_party(offer, Cause.PARK)
        party = self._new_party(call, PartyKind.PARK, slot, Role.CALLED, name=f"Park {slot}")
        party.slot = slot
        party.coverage_of = parker.user
        self.parks[slot] = party
        self._new_connection(party, slot, None, S.QUEUED, Queued, Cause.PARK)
        party.timer = self._timer(self.park_recall_seconds, lambda: self._recall(party, recall_to), "park_recall")
        self._clear_party(parker, Cause.PARK)
        return slot

    @staticmethod
    def _recall_destination(conn: Connection) -> str | None:
        """Where a call parked through `conn` recalls to: the parker's phone;
        for a group party, its own group; for the voicemail that answered a
        queue call, the queue the call came through; else nowhere."""
        if conn.device is not None:
            return conn.dn
        party = conn.party
        if party.offered is not None:
            return party.number
        group = party.call.group
        if party.kind is PartyKind.VOICEMAIL and group is not None:
            return group.number
        return None

    def _recall(self, party: Party, number: str) -> None:
        """Nobody unparked the call in time: it goes back to where it was
        parked from. A phone rings with it (RECALL); any other number (a
        queue) takes it through the normal routing plan, so a queue queues
        and distributes it again. A phone with no free appearance or a plan
        that fails (a hunt group with nobody free) leaves the call parked
        for another `park_recall_seconds`."""
        party.timer = None
        if self.parks.get(party.slot or "") is not party:
            return
        call = party.call
        device = self.devices.get(number)
        plan = None if device is not None else self.plan(number)
        if (device is not None and not device.has_free_appearance()) or (plan is not None and plan.failed):
            party.timer = self._timer(self.park_recall_seconds, lambda: self._recall(party, number), "park_recall")
            return
        self._emit(Diverted(call.id, party.number, number, Cause.RECALL))
        if device is not None:
            self._alert_device(call, device, Role.CALLED, Cause.RECALL)
        else:
            assert plan is not None
            self._execute(call, plan, Role.CALLED, Cause.RECALL)
        self._clear_party(party, Cause.RECALL)

    @command
    def unpark(self, number: str, slot: str) -> Party:
        """Take the call parked in `slot` onto device `number`."""
        device = self.device(number)
        parked = self.parks.get(slot)
        self._require(parked is not None, Refusal.SLOT_EMPTY, f"nothing is parked in {slot}")
        assert parked is not None
        self._require_free(device)
        call = parked.call
        self._emit(Diverted(call.id, slot, number, Cause.UNPARK))
        party = self._new_party(call, *self._identity(device), Role.UNPARK, user=device.user)
        self._clear_party(parked, Cause.UNPARK)
        self._hold_others(device, keep=None, cause=Cause.UNPARK)
        self._new_connection(party, device.number, device, S.CONNECTED, Established, Cause.UNPARK)
        return party
