"""Which users an engine batch concerns, so a face recomputes only their views.

MTCTI-3 and Sky recompute each subscriber's view from the engine after a
batch and send the difference (DESIGN.md: a face keeps no call model). Done
for every subscription on every batch, that is O(subscriptions) per batch:
with 10,000 monitored users, tens to hundreds of milliseconds per batch.
A user's call views show every party of the user's calls, so an event about
a call concerns every user in it; a call that the batch cleared is no longer
in the engine, so the users of each live call are remembered here until it
ends. Whatever this cannot place (a device changing hands, a group's
settings, a call that ended before this object saw it) answers None, and
the face then recomputes everything, as before.
"""
from __future__ import annotations

from ctiswitch.engine.events import Batch, DeskSharingChanged, DeviceChanged, Event
from ctiswitch.engine.switch import Switch


class Affected:
    """The logins each batch concerns, for one listener of one switch."""

    def __init__(self, switch: Switch) -> None:
        self.switch = switch
        #: Logins of each live call's users, as last seen.
        self.call_logins: dict[int, set[str]] = {
            call.id: {p.user.login for p in call.parties.values() if p.user is not None}
            for call in switch.calls.values()}

    def of_batch(self, batch: Batch) -> set[str] | None:
        """The logins whose views the batch may change; None: anyone's."""
        logins: set[str] | None = set()
        named: set[int] = set()
        for event in batch.events:
            concerned = self.of_event(event)
            logins = None if concerned is None or logins is None else logins | concerned
            named.update(getattr(event, name) for name in ("call", "secondary") if hasattr(event, name))
        # Only a call some event named can have ended in this batch: forgetting
        # just those keeps the batch's cost off the number of held calls.
        calls = self.switch.calls
        for call in named:
            if call not in calls:
                self.call_logins.pop(call, None)
        return logins

    def of_event(self, event: Event) -> set[str] | None:
        if isinstance(event, DeskSharingChanged):
            return None  # the device's previous user changes too
        call_ids = [getattr(event, name) for name in ("call", "secondary") if hasattr(event, name)]
        if call_ids:
            logins: set[str] = set()
            for call_id in call_ids:
                call = self.switch.calls.get(call_id)
                known = self.call_logins.get(call_id)
                if call is not None:
                    known = self.call_logins.setdefault(call_id, set())
                    known.update(p.user.login for p in call.parties.values() if p.user is not None)
                elif known is None:
                    return None
                logins |= known
            login = getattr(event, "login", None)
            if isinstance(login, str):
                logins.add(login)
            return logins
        if isinstance(event, DeviceChanged):
            device = self.switch.devices.get(event.number)
            owner = device.user if device is not None else None
            return {owner.login} if owner is not None else None
        login = getattr(event, "login", None)
        return {login} if isinstance(login, str) else None
