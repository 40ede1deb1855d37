"""Who a number or a party is, as O2G's PartyInfo (o2g.md §2.4).

Telephony participants, callbacks and communication-log records all name
people the same way, so the projection lives here once. ALE's Node SDK
dereferences ``PartyInfo.id`` unconditionally (o2g-wire.md §3.4), so every
PartyInfo built here has an ``id`` object.
"""
from __future__ import annotations

from typing import Any

from ctiswitch.engine.calls import Party
from ctiswitch.engine.directory import User
from ctiswitch.engine.states import PartyKind
from ctiswitch.engine.switch import Switch


def user_info(user: User) -> dict[str, Any]:
    return {
        "id": {"loginName": user.login, "phoneNumber": user.number},
        "firstName": user.first_name,
        "lastName": user.last_name,
        "type": {"main": "USER"},
    }


def _service(number: str, name: str | None, sub_type: str) -> dict[str, Any]:
    info: dict[str, Any] = {"id": {"phoneNumber": number}, "type": {"main": "SERVICE", "subType": sub_type}}
    if name:
        info["displayName"] = name
    return info


def number_info(switch: Switch, number: str, name: str | None = None) -> dict[str, Any]:
    """The identity behind a dialled or recorded number, resolved through
    the directory: a user's device or DID, a group, voicemail, the DVA, or
    outside."""
    device = switch.devices.get(number)
    if device is not None:
        if device.user is not None:
            return user_info(device.user)
        return {"id": {"phoneNumber": number}, "displayName": name or number, "type": {"main": "DEVICE"}}
    user = switch.dids.get(number)
    if user is not None:
        return user_info(user)
    group = switch.groups.get(number)
    if group is not None:
        return _service(number, group.name, "pbx")
    if number == switch.voicemail_number:
        return _service(number, "Voicemail", "voicemail")
    if number == switch.dva_number:
        return _service(number, "Announcement", "pbx")
    info: dict[str, Any] = {"id": {"phoneNumber": number}, "type": {"main": "EXTERNAL", "subType": "public"}}
    if name:
        info["displayName"] = name
    return info


def party_info(switch: Switch, party: Party) -> dict[str, Any]:
    """A live party's identity card (call-model §4.1 `type.main`)."""
    if party.user is not None:
        return user_info(party.user)
    if party.kind is PartyKind.VOICEMAIL:
        return _service(party.number, party.name, "voicemail")
    if party.kind in (PartyKind.GROUP, PartyKind.PARK, PartyKind.DVA):
        return _service(party.number, party.name, "pbx")
    if party.kind is PartyKind.DEVICE:
        return {"id": {"phoneNumber": party.number}, "displayName": party.name or party.number,
                "type": {"main": "DEVICE"}}
    info: dict[str, Any] = {"id": {"phoneNumber": party.number}, "type": {"main": "EXTERNAL", "subType": "public"}}
    if party.name:
        info["displayName"] = party.name
    return info


def owner_of(switch: Switch, number: str) -> User | None:
    """The user a phone number reaches: a device's owner or a DID's user."""
    device = switch.devices.get(number)
    if device is not None:
        return device.user
    return switch.dids.get(number)
