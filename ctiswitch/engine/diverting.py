"""Moving a call to another place: deflect, overflow to voicemail, pickup,
park and unpark (call-model §2.3 #20-25). The call keeps its id."""
from __future__ import annotations

from .calls import Party
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
        plan = self._reachable(destination, conn)
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
        """Park the other party of a two-party call; returns the slot."""
        conn = self.connection(conn_id)
        self._require_state(conn, S.CONNECTED)
        call = conn.call
        self._require(len(call.live_parties()) == 2, Refusal.INVALID_STATE, "only a two-party call can be parked")
        slot = slot or conn.dn
        self._require(bool(slot) and len(slot) <= 16, Refusal.BAD_VALUE, f"{slot!r} is not a park slot")
        self._require(slot not in self.parks, Refusal.PARK_SLOT_BUSY, f"park slot {slot} is taken")
        parker = conn.party
        self._emit(Diverted(call.id, parker.number, slot, Cause.PARK))
        party = self._new_party(call, PartyKind.PARK, slot, Role.CALLED, name=f"Park {slot}")
        party.slot = slot
        party.coverage_of = parker.user
        self.parks[slot] = party
        self._new_connection(party, slot, None, S.QUEUED, Queued, Cause.PARK)
        recall_to = conn.dn
        party.timer = self._timer(self.park_recall_seconds, lambda: self._recall(party, recall_to), "park_recall")
        self._clear_party(parker, Cause.PARK)
        return slot

    def _recall(self, party: Party, number: str) -> None:
        """Nobody unparked the call in time: it rings back at the parker."""
        party.timer = None
        if self.parks.get(party.slot or "") is not party:
            return
        device = self.devices.get(number)
        if device is None or not device.has_free_appearance():
            party.timer = self._timer(self.park_recall_seconds, lambda: self._recall(party, number), "park_recall")
            return
        call = party.call
        self._emit(Diverted(call.id, party.number, number, Cause.RECALL))
        self._alert_device(call, device, Role.CALLED, Cause.RECALL)
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
