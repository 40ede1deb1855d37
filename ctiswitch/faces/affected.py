"""Which users or lines an engine batch concerns, so a face recomputes only
the views that may have changed.

MTCTI-3, Sky and the Turret face recompute each subscriber's view from the
engine after a batch and send the difference (DESIGN.md: a face keeps no
call model). Done for every subscription on every batch, that is
O(subscriptions) per batch: with 10,000 monitored users, tens to hundreds
of milliseconds per batch. A view of a call shows every party of the call,
so an event about a call concerns every user (or line) in it; a call that
the batch cleared is no longer in the engine, so what each live call
concerned is remembered here until it ends. Whatever this cannot place (a
device changing hands, a group's settings, a call that ended before this
object saw it) answers None, and the face then recomputes everything.

`Affected` answers in logins (MTCTI-3 user subscriptions, Sky DIDs),
`AffectedLines` in device numbers (a turret shows lines, not users).
"""
from __future__ import annotations

from collections.abc import Iterable

from ctiswitch.engine.calls import Party
from ctiswitch.engine.events import Batch, ConnectionEvent, DeskSharingChanged, DeviceChanged, Event
from ctiswitch.engine.states import PartyKind
from ctiswitch.engine.switch import Switch


class Affected:
    """The logins each batch concerns, for one listener of one switch."""

    def __init__(self, switch: Switch) -> None:
        self.switch = switch
        #: What each live call concerns, as last seen.
        self.call_keys: dict[int, set[str]] = {call.id: self._call_keys(call.parties.values())
                                               for call in switch.calls.values()}

    def of_batch(self, batch: Batch) -> set[str] | None:
        """The keys whose views the batch may change; None: anyone's."""
        keys: set[str] | None = set()
        named: set[int] = set()
        for event in batch.events:
            concerned = self.of_event(event)
            keys = None if concerned is None or keys is None else keys | concerned
            named.update(getattr(event, name) for name in ("call", "secondary") if hasattr(event, name))
        # Only a call some event named can have ended in this batch: forgetting
        # just those keeps the batch's cost off the number of held calls.
        calls = self.switch.calls
        for call in named:
            if call not in calls:
                self.call_keys.pop(call, None)
        return keys

    def of_event(self, event: Event) -> set[str] | None:
        if isinstance(event, DeskSharingChanged):
            return None  # the device's previous user changes too
        call_ids = [getattr(event, name) for name in ("call", "secondary") if hasattr(event, name)]
        if not call_ids:
            return self._keys_of_event(event)
        keys: set[str] = set()
        for call_id in call_ids:
            call = self.switch.calls.get(call_id)
            known = self.call_keys.get(call_id)
            if call is not None:
                known = self.call_keys.setdefault(call_id, set())
                known.update(self._call_keys(call.parties.values()))
            elif known is None:
                return None
            keys |= known
        keys.update(self._keys_of_call_event(event))
        return keys

    # -- what a key is: a login here ---------------------------------------------------

    def _call_keys(self, parties: Iterable[Party]) -> set[str]:
        """The users in the call, and the owners of the mailboxes answering
        in it: a user's MTCTI-3 line shows a call in its own voicemail
        (call-model §4.2) even when the user never was in that call."""
        keys: set[str] = set()
        for p in parties:
            if p.user is not None:
                keys.add(p.user.login)
            elif p.kind is PartyKind.VOICEMAIL and p.coverage_of is not None:
                keys.add(p.coverage_of.login)
        return keys

    def _keys_of_call_event(self, event: Event) -> set[str]:
        """Keys a call event names besides the call's parties (a call log
        record's owner, who may have left the call)."""
        login = getattr(event, "login", None)
        return {login} if isinstance(login, str) else set()

    def _keys_of_event(self, event: Event) -> set[str] | None:
        """Keys of an event that names no call."""
        if isinstance(event, DeviceChanged):
            device = self.switch.devices.get(event.number)
            owner = device.user if device is not None else None
            return {owner.login} if owner is not None else None
        login = getattr(event, "login", None)
        return {login} if isinstance(login, str) else None


class AffectedLines(Affected):
    """The device numbers each batch concerns: the devices of every
    connection of the calls it names (a line shows its calls' far ends), a
    device whose settings changed, and the devices of a user whose settings
    changed."""

    def _call_keys(self, parties: Iterable[Party]) -> set[str]:
        return {conn.dn for party in parties for conn in party.connections}

    def _keys_of_call_event(self, event: Event) -> set[str]:
        # A cleared connection has already left its party.
        return {event.dn} if isinstance(event, ConnectionEvent) else set()

    def _keys_of_event(self, event: Event) -> set[str] | None:
        if isinstance(event, DeviceChanged):
            return {event.number}
        login = getattr(event, "login", None)
        user = self.switch.users.get(login) if isinstance(login, str) else None
        return {device.number for device in user.devices} if user is not None else None
