"""Hunt groups and queues: offering a waiting call to members.

A call to a group is a GROUP party in QUEUED state; members are offered the
call as USER parties of their own. The first member to answer takes it, and
the group party and the other offers are cleared (DISTRIBUTED).
"""
from __future__ import annotations

from .calls import Party
from .directory import Group, Member, User
from .errors import CommandError, Refusal
from .events import CallChanged, MemberChanged
from .routing import Routing
from .core import command
from .states import Cause, ConnectionState, RingMode, Role

S = ConnectionState


class Groups(Routing):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        #: Group number -> GROUP parties waiting there, oldest first.
        self._waiting = {}
        #: User login -> the groups it belongs to.
        self._memberships: dict[str, list[Group]] = {}

    def _index_member(self, group: Group, user: User) -> None:
        self._memberships.setdefault(user.login, []).append(group)

    def eligible_members(self, group: Group) -> list[User]:
        """Members a call may be offered to now: logged on, not on DND, and
        not already in a call (a hunt-group member takes one call at a time)."""
        return [m.user for m in group.members if self._eligible(m)]

    def _eligible(self, member: Member) -> bool:
        user = member.user
        return (
            member.logged_on
            and not user.routing.dnd
            and not user.is_in_call()
            and bool(self.presentation_devices(user))
        )

    def _offers(self, gparty: Party) -> list[Party]:
        """Member parties currently ringing on behalf of this group party."""
        return [p for p in gparty.call.parties.values() if p.group is not None and p.state is S.ALERTING]

    def _distribute(self, gparty: Party) -> None:
        """Offer the waiting call to whoever the ring mode picks."""
        # The group party's own group: after a transfer the call may have
        # come through another group first (call.group keeps that one).
        group = self.groups.get(gparty.number)
        assert group is not None and gparty.offered is not None
        if group.ring_mode is RingMode.PARALLEL:
            for member in group.members:
                if member.user.login not in gparty.offered and self._eligible(member):
                    self._offer(gparty, group, member)
            return
        if self._offers(gparty):
            return
        member = self._next_member(group, gparty)
        if member is None:
            return
        offer = self._offer(gparty, group, member)
        offer.timer = self._timer(group.no_answer_seconds, lambda: self._offer_expired(offer), "group_ring")

    def _next_member(self, group: Group, gparty: Party) -> Member | None:
        assert gparty.offered is not None
        candidates = [m for m in group.members if self._eligible(m) and m.user.login not in gparty.declined]
        if not candidates:
            return None
        fresh = [m for m in candidates if m.user.login not in gparty.offered]
        if not fresh:  # everyone was tried: go round again
            gparty.offered.clear()
            fresh = candidates
        if group.ring_mode is RingMode.LONGEST_IDLE:
            return min(fresh, key=lambda m: m.user.idle_since)
        if group.ring_mode is RingMode.ROTARY:
            return min(fresh, key=lambda m: m.last_offered)
        return fresh[0]

    def _offer(self, gparty: Party, group: Group, member: Member) -> Party:
        assert gparty.offered is not None
        gparty.offered.add(member.user.login)
        member.last_offered = self.clock.now()
        offer = self._alert_user(gparty.call, member.user, self.presentation_devices(member.user),
                                 Role.CALLED, Cause.DISTRIBUTED, timer=False)
        offer.group = group
        return offer

    def _offer_expired(self, offer: Party) -> None:
        offer.timer = None
        call = offer.call
        if call.id not in self.calls or offer.state is not S.ALERTING:
            return
        gparty = self._group_party(call)
        self._clear_party(offer, Cause.NO_ANSWER)
        if gparty is not None:
            self._distribute(gparty)

    def _group_party(self, call) -> Party | None:  # type: ignore[no-untyped-def]
        for party in call.parties.values():
            if party.offered is not None:
                return party
        return None

    def _group_overflow(self, gparty: Party) -> None:
        """Nobody took the call in time: send it to the group's overflow."""
        gparty.timer = None
        call = gparty.call
        group = self.groups.get(gparty.number)
        if call.id not in self.calls or gparty.call.parties.get(gparty.id) is not gparty or group is None:
            return
        plan = self.plan(group.overflow or "")
        if plan.failed:
            return
        self._stop_waiting(gparty)
        for offer in self._offers(gparty):
            self._clear_party(offer, Cause.OVERFLOW)
        self._clear_party(gparty, Cause.OVERFLOW)
        self._execute(call, plan, Role.CALLED, Cause.OVERFLOW)

    def _stop_waiting(self, gparty: Party) -> None:
        """Take a group party off the waiting list before clearing its
        offers: clearing an offer frees a member, and a call still waiting
        would be offered to the next member in the same breath."""
        waiting = self._waiting.get(gparty.number)
        if waiting and gparty in waiting:
            waiting.remove(gparty)

    def _answered_from_group(self, party: Party) -> None:
        """A member took a group call: the group and other offers clear."""
        call = party.call
        gparty = self._group_party(call)
        if gparty is None:
            return
        self._stop_waiting(gparty)
        for offer in self._offers(gparty):
            if offer is not party:
                self._clear_party(offer, Cause.DISTRIBUTED)
        self._clear_party(gparty, Cause.DISTRIBUTED)

    def _leave(self, party: Party, cause: Cause) -> None:
        if party.offered is not None:
            # The group gives the call up (its connection was cleared or the
            # party dropped): its members stop ringing for it.
            self._stop_waiting(party)
            for offer in self._offers(party):
                self._clear_party(offer, cause)
        super()._leave(party, cause)

    def _user_freed(self, user: User) -> None:
        for group in self._memberships.get(user.login, ()):
            self._redistribute(group)

    def _redistribute(self, group: Group) -> None:
        for gparty in list(self._waiting.get(group.number, ())):
            if gparty.connections and gparty.call.id in self.calls:
                self._distribute(gparty)

    def _clear_party(self, party: Party, cause: Cause, *, log: bool = True) -> None:
        if party.offered is not None:
            waiting = self._waiting.get(party.number)
            if waiting and party in waiting:
                waiting.remove(party)
        super()._clear_party(party, cause, log=log)

    # -- the queue that follows a call ---------------------------------------

    @command
    def end_queue_association(self, call_id: int, group_number: str, *, at_once: bool = False) -> None:
        """The queue `group_number` stops following the call (MTCTI-3 Finish):
        the call goes on, and is followed by one queue at a time. With
        `at_once`, the group the call waits in now (if another) follows it
        from now on; otherwise the next group the call enters does."""
        call = self.call(call_id)
        group = self.group(group_number)
        self._require(call.queue_assoc is group, Refusal.INVALID_STATE,
                      f"call {call_id} is not followed by {group_number}")
        waiting = self._group_party(call)
        now = self.groups.get(waiting.number) if at_once and waiting is not None else None
        call.queue_assoc = now if now is not group else None
        self._emit(CallChanged(call.id, ("queue_assoc",)))

    # -- membership commands ------------------------------------------------

    @command
    def set_logged_on(self, group_number: str, login: str, logged_on: bool) -> None:
        """Hunt-group log on/off, or agent log on/off for a queue."""
        group = self.group(group_number)
        member = group.member(login)
        if member is None:
            raise CommandError(Refusal.USER_NOT_FOUND, f"{login} is not a member of {group_number}")
        if member.logged_on == logged_on:
            return
        member.logged_on = logged_on
        self._emit(MemberChanged(group.number, login, ("logged_on",)))
        if logged_on:
            self._redistribute(group)

    @command
    def add_member(self, group_number: str, login: str) -> None:
        group = self.group(group_number)
        user = self.user(login)
        if group.member(login) is not None:
            raise CommandError(Refusal.ALREADY_DONE, f"{login} is already a member of {group_number}")
        group.members.append(Member(user))
        self._index_member(group, user)
        self._emit(MemberChanged(group.number, login, ("added",)))
        self._redistribute(group)

    @command
    def remove_member(self, group_number: str, login: str) -> None:
        group = self.group(group_number)
        member = group.member(login)
        if member is None:
            raise CommandError(Refusal.USER_NOT_FOUND, f"{login} is not a member of {group_number}")
        group.members.remove(member)
        self._memberships[login].remove(group)
        self._emit(MemberChanged(group.number, login, ("removed",)))
