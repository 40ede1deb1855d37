"""The bridge between the engine and the store.

The engine is pure and only emits events; this bridge is the one place that
knows which events are durable facts a real PBX keeps (run-time settings,
the call log, messages, callbacks) and writes them as they happen, so a
killed process loses nothing it had acknowledged. At start-up it re-applies
stored settings over the YAML configuration.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ctiswitch.engine.desksharing import DESK_USER
from ctiswitch.engine.events import (
    Batch,
    CallbackRequested,
    CallLogged,
    DeskSharingChanged,
    Event,
    GroupChanged,
    MemberChanged,
    MessageDeposited,
    PresenceChanged,
    RoutingChanged,
    UserChanged,
)
from ctiswitch.engine.switch import Switch
from ctiswitch.store import Callback, CallRecord, Message, Store

#: User fields that are run-time settings (the rest come from config).
_USER_SETTINGS = ("secret", "preferences", "no_answer_seconds", "associate")


def attach_store(switch: Switch, store: Store) -> Callable[[], None]:
    """Restore persisted settings into `switch`, then persist its changes.
    Returns a function that detaches the bridge."""
    for (scope, key), value in store.settings.all().items():
        switch.restore(scope, key, value)

    def persist(batch: Batch) -> None:
        """Write the batch's durable facts. Several land in one transaction:
        one fsync instead of one per record (a call's end logs it for each
        user in it), and a batch is stored whole or not at all."""
        facts = [event for event in batch.events if isinstance(event, _DURABLE)]
        if len(facts) == 1:
            _write(switch, store, batch, facts[0])
        elif facts:
            with store.transaction():
                for event in facts:
                    _write(switch, store, batch, event)

    return switch.subscribe(persist)


#: The events that carry something the store keeps.
_DURABLE = (CallLogged, RoutingChanged, PresenceChanged, GroupChanged, UserChanged, MemberChanged,
            MessageDeposited, DeskSharingChanged, CallbackRequested)


def _write(switch: Switch, store: Store, batch: Batch, event: Event) -> None:
    """Store one durable fact."""
    if isinstance(event, CallLogged):
        store.call_log.append(CallRecord(
            id=None, login=event.login, call_ref=str(event.call), started_at=event.started_at,
            ended_at=event.ended_at, answered=event.answered, direction=event.direction,
            reason=event.reason.value, acknowledged=False,
            parties=_parties(switch, event),
        ))
    elif isinstance(event, RoutingChanged):
        store.settings.put(f"user:{event.login}", "routing", event.routing)
    elif isinstance(event, PresenceChanged):
        store.settings.put(f"user:{event.login}", "presence", event.presence)
    elif isinstance(event, GroupChanged):
        group = switch.groups[event.group]
        store.settings.put(f"group:{event.group}", "service", {
            "service_mode": group.service_mode.value, "voicemail_enabled": group.voicemail_enabled})
    elif isinstance(event, UserChanged):
        user = switch.users[event.login]
        for field in event.fields:
            if field in _USER_SETTINGS:
                store.settings.put(f"user:{event.login}", field, getattr(user, field))
    elif isinstance(event, MemberChanged):
        group = switch.groups[event.group]
        store.settings.put(f"group:{event.group}", "members",
                           {m.user.login: m.logged_on for m in group.members})
    elif isinstance(event, MessageDeposited):
        store.messages.add(Message(id=None, login=event.login, kind=event.kind, sender=event.sender,
                                   created_at=batch.wall, read=False, body=event.body))
    elif isinstance(event, DeskSharingChanged):
        if event.logged_on:
            store.settings.put(f"device:{event.number}", DESK_USER, event.login)
        else:
            store.settings.delete(f"device:{event.number}", DESK_USER)
    elif isinstance(event, CallbackRequested):
        store.callbacks.add(Callback(id=None, login=event.login, caller=event.caller,
                                     caller_name=event.caller_name, created_at=batch.wall))


def _parties(switch: Switch, event: CallLogged) -> list[dict[str, Any]]:
    """A record's parties as stored JSON. A record has no field of its own
    for a rerouted call (o2g.md §2.7), so when the call did not simply reach
    the number first called, each party also carries that number
    (`initialCalled`) and whether it was rerouted away (`rerouted`)."""
    rerouted = set(event.rerouted)
    reached = {n for n, _, role in event.parties if role != "caller"}
    owner = switch.users.get(event.login)
    if owner is not None:  # the record's own user, whom `parties` leaves out
        reached.update([owner.number, *(d.number for d in owner.devices), *([owner.did] if owner.did else [])])
    plain = not rerouted and (event.initial_called is None or event.initial_called in reached)
    parties: list[dict[str, Any]] = []
    for number, name, role in event.parties:
        party: dict[str, Any] = {"number": number, "name": name, "role": role}
        if not plain:
            party["initialCalled"] = event.initial_called
            party["rerouted"] = number in rerouted and role != "caller"
        parties.append(party)
    return parties
