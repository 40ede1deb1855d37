"""Engine batches -> the seven telephony events, by diffing views.

For every user a batch touches, the notifier recomputes the user's O2G view
and compares it with the last one it sent (call-model principle 3 and §4.1):
new calls give OnCallCreated, changes OnCallModified with only the changed
lists, departures OnCallRemoved. Events supply only what a diff cannot
show: the cause, the new destination, and the previous/replaced call refs
of a transfer or conference (call-model §4.1, §4.6). It also reports
device service changes, hunting-group log-on changes and FREE/BUSY.

The notifier is pure: it hands each event to a `publish(event, login)`
callable and never blocks.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ctiswitch.engine.directory import User
from ctiswitch.engine.events import (
    Batch,
    CallCleared,
    Conferenced,
    ConnectionCleared,
    ConnectionEvent,
    DeskSharingChanged,
    DeviceChanged,
    Diverted,
    Event,
    MemberChanged,
    Transferred,
)
from ctiswitch.engine.states import Cause, GroupKind
from ctiswitch.engine.switch import Switch

from .causes import DIVERTING, call_cause
from .views import (
    call_view,
    device_capability_list,
    device_states,
    telephonic_state,
    user_calls,
    user_state,
)

Publish = Callable[[dict[str, Any], str], None]
View = dict[str, Any]


def _keyed(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def diff_calls(old: View, new: View) -> dict[str, Any]:
    """The OnCallModified fields that say how `old` became `new`; absent
    lists mean "no change" (o2g.md §2.4). Removed legs and participants go
    under both SDK spellings (o2g-wire.md §6)."""
    out: dict[str, Any] = {}
    if old["callData"] != new["callData"]:
        out["callData"] = new["callData"]
    for kind, key, added, modified in (("legs", "deviceId", "addedLegs", "modifiedLegs"),
                                       ("participants", "participantId", "addedParticipants",
                                        "modifiedParticipants")):
        before, after = _keyed(old[kind], key), _keyed(new[kind], key)
        if plus := [v for k, v in after.items() if k not in before]:
            out[added] = plus
        if changed := [v for k, v in after.items() if k in before and before[k] != v]:
            out[modified] = changed
        gone = [v for k, v in before.items() if k not in after]
        if gone and kind == "legs":
            out["removedLegs"] = out["removedLeg"] = gone
        elif gone:
            ids = [v["participantId"] for v in gone]
            out["removedParticipantIds"] = out["removedParticipants"] = ids
    return out


class _BatchFacts:
    """What one batch says about calls: the order they were touched in,
    their events, and which absorbed call now lives on as which."""

    def __init__(self, batch: Batch) -> None:
        self.order: list[int] = []
        self.events: dict[int, list[Event]] = {}
        self.renamed: dict[int, int] = {}
        self.devices: set[str] = set()
        self.members: list[MemberChanged] = []
        self.desks: list[DeskSharingChanged] = []
        for event in batch.events:
            if isinstance(event, DeviceChanged):
                self.devices.add(event.number)
            elif isinstance(event, DeskSharingChanged):
                self.desks.append(event)
            elif isinstance(event, MemberChanged):
                self.members.append(event)
            call = getattr(event, "call", None)
            if not isinstance(call, int):
                continue
            self._touch(call)
            self.events[call].append(event)
            if isinstance(event, (Transferred, Conferenced)):
                self.renamed[event.secondary] = event.call
                self._touch(event.secondary)
                # The absorbed call is reported before its survivor (§4.6 step 5).
                self.order.remove(event.secondary)
                self.order.insert(self.order.index(event.call), event.secondary)
            if isinstance(event, Diverted) and event.cause in (Cause.PARK, Cause.UNPARK, Cause.RECALL):
                self.devices.update((event.from_number, event.to_number))

    def _touch(self, call: int) -> None:
        if call not in self.events:
            self.events[call] = []
            self.order.append(call)


class TelephonyNotifier:
    """Keeps each user's last-sent view and publishes the differences."""

    def __init__(self, switch: Switch, publish: Publish) -> None:
        self.switch = switch
        self.publish = publish
        self._calls: dict[str, dict[str, View]] = {}
        #: Per call ref, the logins whose last-sent views hold it: the users
        #: a batch about that call concerns, found without walking every user.
        self._holders: dict[str, set[str]] = {}
        #: Each user's place in ``switch.users`` (with the User it was taken
        #: from), so the users a batch concerns are updated in that order.
        self._rank: dict[str, tuple[User, int]] = {}
        self._caps: dict[str, list[dict[str, Any]]] = {}
        self._state: dict[str, str] = {}
        for user in switch.users.values():
            self._remember(user.login, self._views(user))
            self._caps[user.login] = device_capability_list(switch, user)
            self._state[user.login] = user_state(user)

    def _views(self, user: User) -> dict[str, View]:
        return {str(c.id): call_view(self.switch, user, c) for c in user_calls(self.switch, user)}

    def snapshot(self, user: User) -> dict[str, Any]:
        """OnTelephonyState for a user (POST /telephony/state/snapshot)."""
        return {"eventName": "OnTelephonyState", "loginName": user.login,
                "state": telephonic_state(self.switch, user, wrapped=False)}

    def on_batch(self, batch: Batch) -> None:
        facts = _BatchFacts(batch)
        touched = {str(ref) for ref in facts.order}
        logins: set[str] = set()
        for ref in facts.order:
            call = self.switch.calls.get(ref)
            if call is not None:
                logins.update(p.user.login for p in call.parties.values() if p.user is not None)
        for ref in touched:
            logins.update(self._holders.get(ref, ()))
        for number in facts.devices:
            device = self.switch.devices.get(number)
            if device is not None and device.user is not None:
                logins.add(device.user.login)
        for user in self._in_user_order(logins):
            self._update(user, facts)
        for number in sorted(facts.devices):
            self._device_state(number)
        for change in facts.members:
            self._hunting_state(change)
        for desk in facts.desks:
            self._desk_state(desk)

    def _in_user_order(self, logins: set[str]) -> list[User]:
        """The users of ``logins`` in ``switch.users`` order (the order their
        events go out in), without walking all users for a batch about two."""
        users = self.switch.users
        found = [user for login in logins if (user := users.get(login)) is not None]
        if any(self._rank.get(user.login, (None, 0))[0] is not user for user in found):
            self._rank = {user.login: (user, place) for place, user in enumerate(users.values())}
        found.sort(key=lambda user: self._rank[user.login][1])
        return found

    def _remember(self, login: str, views: dict[str, View]) -> None:
        """Record ``views`` as the last sent to ``login``, keeping ``_holders`` in step."""
        old = self._calls.get(login, {})
        for ref in old.keys() - views.keys():
            holders = self._holders.get(ref)
            if holders is not None:
                holders.discard(login)
                if not holders:
                    del self._holders[ref]
        for ref in views.keys() - old.keys():
            self._holders.setdefault(ref, set()).add(login)
        self._calls[login] = views

    # -- per user ------------------------------------------------------------

    def _update(self, user: User, facts: _BatchFacts) -> None:
        login = user.login
        old = self._calls.get(login, {})
        new = self._views(user)
        refs = [str(ref) for ref in facts.order]
        refs += sorted((old.keys() | new.keys()) - set(refs), key=int)
        numbers = {d.number for d in user.devices}
        out: list[dict[str, Any]] = []
        done: set[str] = set()
        for ref in refs:
            if ref in done:
                continue
            events = facts.events.get(int(ref), [])
            survivor = facts.renamed.get(int(ref))
            if ref in old and ref not in new and survivor is not None and str(survivor) in new:
                target = str(survivor)
                cause = _progress_cause(events, numbers)
                if target in old:
                    out.append(_event("OnCallModified", login, ref, cause, replacedByCallRef=target))
                else:
                    out.append(_event("OnCallModified", login, target, cause, previousCallRef=ref,
                                      **diff_calls(old[ref], new[target])))
                    done.add(target)
            elif ref in new and ref not in old:
                view = new[ref]
                out.append(_event("OnCallCreated", login, ref, _progress_cause(events, numbers),
                                  callData=view["callData"], initiator=view.get("initiator"),
                                  legs=view["legs"], participants=view["participants"]))
            elif ref in old and ref not in new:
                cause, destination = _ending(events, numbers)
                out.append(_event("OnCallRemoved", login, ref, cause, newDestination=destination))
            elif ref in old:
                changes = diff_calls(old[ref], new[ref])
                if changes:
                    out.append(_event("OnCallModified", login, ref, _progress_cause(events, numbers), **changes))
        caps = device_capability_list(self.switch, user)
        if out and caps != self._caps.get(login):
            out[0]["deviceCapabilities"] = caps
            self._caps[login] = caps
        self._remember(login, new)
        for event in out:
            self.publish(event, login)
        state = user_state(user)
        if state != self._state.get(login):
            self._state[login] = state
            self.publish({"eventName": "OnUserStateModified", "loginName": login, "state": state}, login)

    def _device_state(self, number: str) -> None:
        device = self.switch.devices.get(number)
        if device is None or device.user is None:
            return
        states = [s for s in device_states(device.user) if s["deviceId"] == number]
        login = device.user.login
        self.publish({"eventName": "OnDeviceStateModified", "loginName": login, "deviceStates": states}, login)

    def _desk_state(self, change: DeskSharingChanged) -> None:
        """A desk-sharing set became one of the user's devices (in service
        for the user) or stopped being one (out of service for the user).
        The device capabilities follow with the user's next call event,
        or at once with GET /telephony/state."""
        device = self.switch.devices.get(change.number)
        usable = change.logged_on and device is not None and device.in_service
        state = {"deviceId": change.number, "state": "IN_SERVICE" if usable else "OUT_OF_SERVICE"}
        self.publish({"eventName": "OnDeviceStateModified", "loginName": change.login,
                      "deviceStates": [state]}, change.login)

    def _hunting_state(self, change: MemberChanged) -> None:
        group = self.switch.groups.get(change.group)
        if group is None or group.kind is not GroupKind.HUNT or change.login not in self.switch.users:
            return
        member = group.member(change.login)
        logon = member is not None and member.logged_on
        self.publish({"eventName": "OnDynamicStateChanged", "loginName": change.login,
                      "huntingGroupState": {"logon": logon}}, change.login)


def _event(name: str, login: str, ref: str, cause: str | None, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"eventName": name, "loginName": login, "callRef": ref}
    if cause is not None:
        event["cause"] = cause
    event.update((k, v) for k, v in fields.items() if v is not None)
    return event


def _progress_cause(events: list[Event], numbers: set[str]) -> str | None:
    """Why a call changed for a user: what happened to the user's own legs
    first, else a transfer, conference or diversion, else the first event."""
    own = [e for e in events if isinstance(e, ConnectionEvent) and e.dn in numbers]
    if own:
        return call_cause(own[0].cause, ending=False)
    for event in reversed(events):
        if isinstance(event, (Transferred, Conferenced, Diverted)):
            return call_cause(event.cause, ending=False)
    for event in events:
        cause = getattr(event, "cause", None)
        if isinstance(cause, Cause):
            return call_cause(cause, ending=False)
    return None


def _ending(events: list[Event], numbers: set[str]) -> tuple[str | None, str | None]:
    """(cause, newDestination) of a call leaving a user's view."""
    cause: Cause | None = None
    for event in reversed(events):
        if isinstance(event, ConnectionCleared) and event.dn in numbers:
            cause = event.cause
            break
    if cause is None:
        cleared = [e for e in events if isinstance(e, CallCleared)]
        cause = cleared[-1].cause if cleared else Cause.NORMAL
    destination = None
    if cause in DIVERTING:
        diverted = [e for e in events if isinstance(e, Diverted)]
        if diverted:
            destination = diverted[-1].to_number
    return call_cause(cause, ending=True), destination
