"""Desk sharing (o2g.md §2.4 #31-32): a desk-sharing user (DSU) logs on to
a desk-sharing set (DSS), a phone configured without an owner. While logged
on, the set is one of the user's devices and rings for the user's calls;
logging off gives it back. A real PBX keeps who is logged on where across a
restart, so every change emits DeskSharingChanged for the store and
`restore` re-applies it silently.
"""
from __future__ import annotations

from typing import Any

from .core import command
from .directory import Device, User
from .errors import Refusal
from .events import DeskSharingChanged
from .settings import Settings

#: Store key of the login logged on to a set (scope "device:<number>").
DESK_USER = "desk_user"


class DeskSharing(Settings):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._desk_sets: list[Device] = []
        self._desk_sets_of = 0

    def desk_sets(self) -> list[Device]:
        """Every desk-sharing set. Sets come from the configuration, so the
        list is rebuilt only when the number of devices changes instead of
        scanning every device each time a face shows a user (MTCTI-3 asks
        per user view whether a set is free)."""
        if self._desk_sets_of != len(self.devices):
            self._desk_sets = [d for d in self.devices.values() if d.desk_sharing]
            self._desk_sets_of = len(self.devices)
        return self._desk_sets

    def desk_of(self, user: User) -> Device | None:
        """The desk-sharing set the user is logged on to, if any."""
        return next((d for d in user.devices if d.desk_sharing), None)

    @command
    def desk_log_on(self, login: str, number: str) -> None:
        """Log `login` on to the desk-sharing set `number`. A user is on one
        set at a time, so a log-on elsewhere first logs off the old set;
        logging on again where the user already is changes nothing."""
        user = self.user(login)
        device = self.device(number)
        self._require(device.desk_sharing, Refusal.BAD_VALUE, f"{number} is not a desk-sharing set")
        if device.user is user:
            return
        self._require(device.user is None, Refusal.NOT_OWNER,
                      f"desk-sharing set {number} is in use by another user")
        self._require(not device.connections, Refusal.INVALID_STATE, f"desk-sharing set {number} is in a call")
        current = self.desk_of(user)
        if current is not None:
            self._require(not current.connections, Refusal.INVALID_STATE,
                          f"{login} is in a call on desk-sharing set {current.number}")
            self._detach(current, user)
        device.user = user
        user.devices.append(device)
        self._emit(DeskSharingChanged(number, login, True))
        # A user who had no free phone may now take a waiting group call.
        self._user_freed(user)

    @command
    def desk_log_off(self, login: str) -> None:
        """Log `login` off its desk-sharing set; the set becomes free."""
        user = self.user(login)
        device = self.desk_of(user)
        self._require(device is not None, Refusal.INVALID_STATE, f"{login} is logged on to no desk-sharing set")
        assert device is not None
        self._require(not device.connections, Refusal.INVALID_STATE,
                      f"desk-sharing set {device.number} is in a call")
        self._detach(device, user)

    def _detach(self, device: Device, user: User) -> None:
        user.devices.remove(device)
        device.user = None
        self._emit(DeskSharingChanged(device.number, user.login, False))

    def restore(self, scope: str, key: str, value: Any) -> bool:
        """Also re-apply who was logged on to each desk-sharing set."""
        kind, _, number = scope.partition(":")
        if kind != "device" or key != DESK_USER:
            return super().restore(scope, key, value)
        device = self.devices.get(number)
        user = self.users.get(str(value)) if value is not None else None
        if device is None or not device.desk_sharing or user is None or device.user is not None \
                or self.desk_of(user) is not None:
            return False
        device.user = user
        user.devices.append(device)
        return True
