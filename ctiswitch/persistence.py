"""The bridge between the engine and the store.

The engine is pure and only emits events; this bridge is the one place that
knows which events are durable facts a real PBX keeps (run-time settings,
the call log, messages, callbacks) and writes them as they happen, so a
killed process loses nothing it had acknowledged. At start-up it re-applies
stored settings over the YAML configuration.
"""
from __future__ import annotations

from typing import Callable

from ctiswitch.engine.events import (
    Batch,
    CallbackRequested,
    CallLogged,
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
_USER_SETTINGS = ("secret", "preferences", "no_answer_seconds")


def attach_store(switch: Switch, store: Store) -> Callable[[], None]:
    """Restore persisted settings into `switch`, then persist its changes.
    Returns a function that detaches the bridge."""
    for (scope, key), value in store.settings.all().items():
        switch.restore(scope, key, value)

    def persist(batch: Batch) -> None:
        for event in batch.events:
            if isinstance(event, CallLogged):
                store.call_log.append(CallRecord(
                    id=None, login=event.login, call_ref=str(event.call), started_at=event.started_at,
                    ended_at=event.ended_at, answered=event.answered, direction=event.direction,
                    reason=event.reason.value, acknowledged=False,
                    parties=[{"number": n, "name": name, "role": role} for n, name, role in event.parties],
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
            elif isinstance(event, CallbackRequested):
                store.callbacks.add(Callback(id=None, login=event.login, caller=event.caller,
                                             caller_name=event.caller_name, created_at=batch.wall))

    return switch.subscribe(persist)
