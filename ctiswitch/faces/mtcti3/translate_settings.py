"""UpdateUser and UpdateQueue -> engine settings commands (spec/mtcti3.md
§4.3, §4.4). The engine emits RoutingChanged/MemberChanged for each change,
which is how the store persists them and every other face sees them.

Everything a request asks is validated before the first engine command, so a
refused request changes nothing. Options the engine does not model
(absence text, mobile twinning, hot-desking, app presence, voicemail
switches, night service) are refused with MTCTISESS_NOTALLOWED, and their
bits stay clear in NotifyUser.featuresavailable.
"""
from __future__ import annotations

from collections.abc import Callable

from ctiswitch.engine.directory import Group, User
from ctiswitch.engine.states import ForwardKind
from ctiswitch.engine.switch import Switch

from .constants import ResultCode as R
from .mtcti3_pb2 import QueueMember, SetServiceMode, UpdateQueue, UpdateUser

Change = Callable[[], None]


class _Refused(Exception):
    def __init__(self, code: R) -> None:
        super().__init__(code.name)
        self.code = code


def _forward_change(switch: Switch, user: User, kind: ForwardKind | None, destination: str | None) -> Change:
    """Set forwarding of `kind` (None cancels) to `destination`, or to the
    current destination when none is given."""
    current = user.routing.forward
    target = destination or (current.destination if current is not None else "")
    if kind is not None and not target:
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    return lambda: switch.set_forward(user.login, kind, target if kind is not None else "")


def _unset(switch: Switch, user: User, kinds: tuple[ForwardKind, ...]) -> Change:
    current = user.routing.forward
    if current is None or current.kind not in kinds:
        return lambda: None
    return lambda: switch.set_forward(user.login, None)


def _short_code(switch: Switch, user: User, code: int, val: str) -> Change:
    """The forwarding and DND short codes of §4.3 (0-8)."""
    login = user.login
    if code == 0:
        return _forward_change(switch, user, ForwardKind.IMMEDIATE, None)
    if code == 1:
        return _unset(switch, user, (ForwardKind.IMMEDIATE,))
    if code == 2:
        return _forward_change(switch, user, ForwardKind.BUSY, None)
    if code == 3:
        return _unset(switch, user, (ForwardKind.BUSY, ForwardKind.BUSY_NO_ANSWER))
    if code == 4:
        return _forward_change(switch, user, ForwardKind.NO_ANSWER, None)
    if code == 5:
        return _unset(switch, user, (ForwardKind.NO_ANSWER, ForwardKind.BUSY_NO_ANSWER))
    if code == 6:
        current = user.routing.forward
        if current is None or not val:
            raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
        return lambda: switch.set_forward(login, current.kind, val)
    if code in (7, 8):
        return lambda: switch.set_dnd(login, code == 7)
    raise _Refused(R.MTCTISESS_NOTALLOWED)


def update_user(switch: Switch, user: User, update: UpdateUser) -> int:
    """Apply an UpdateUser: DND (`sac`), forward unconditional (`fwdu`) and
    the forwarding/DND short codes."""
    try:
        changes: list[Change] = []
        if update.HasField("sac"):
            on = update.sac.set != 0
            changes.append(lambda: switch.set_dnd(user.login, on))
        if update.HasField("fwdu"):
            fwdu = update.fwdu
            if fwdu.set:
                destination = "voicemail" if fwdu.fwdtovm else fwdu.fwdu_number
                changes.append(_forward_change(switch, user, ForwardKind.IMMEDIATE, destination))
            else:
                changes.append(_unset(switch, user, (ForwardKind.IMMEDIATE,)))
        for data in update.shortcodedata:
            changes.append(_short_code(switch, user, data.code, data.val))
        if any(update.HasField(f) for f in ("absence", "ec500", "loginextn", "app")):
            raise _Refused(R.MTCTISESS_NOTALLOWED)
        if not changes:
            raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    except _Refused as refused:
        return refused.code
    for change in changes:
        change()
    return R.MTCTISESS_SUCCESS


def _login(switch: Switch, member: QueueMember) -> str:
    user = next((u for u in switch.users.values() if u.number == member.extn), None)
    if user is None:
        raise _Refused(R.MTCTISESS_USERNOTFOUND)
    return user.login


def _member_changes(switch: Switch, group: Group, wanted: dict[str, bool], replace: bool) -> list[Change]:
    """Add, update (enable/disable = log on/off) and, when replacing, remove
    members so that the group matches `wanted` (login -> enabled)."""
    number = group.number
    changes: list[Change] = []
    if replace:
        for member in group.members:
            if member.user.login not in wanted:
                login = member.user.login
                changes.append(lambda login=login: switch.remove_member(number, login))  # type: ignore[misc]
    for login, enabled in wanted.items():
        member = group.member(login)
        if member is None:
            changes.append(lambda login=login: switch.add_member(number, login))  # type: ignore[misc]
        changes.append(lambda login=login, on=enabled: switch.set_logged_on(number, login, on))  # type: ignore[misc]
    return changes


def update_queue(switch: Switch, group: Group, update: UpdateQueue) -> int:
    """Apply an UpdateQueue: member list replace, add/update, delete. The
    service mode can only be confirmed as Active."""
    try:
        changes: list[Change] = []
        if update.HasField("setservicemode") and update.setservicemode.servicemode != SetServiceMode.Active:
            raise _Refused(R.MTCTISESS_NOTALLOWED)
        if update.HasField("setvoicemail"):
            raise _Refused(R.MTCTISESS_NOTALLOWED)
        if update.HasField("members"):
            wanted = {_login(switch, m): not m.disabled for m in update.members.member}
            changes += _member_changes(switch, group, wanted, replace=True)
        if update.addmember:
            wanted = {_login(switch, m): not m.disabled for m in update.addmember}
            changes += _member_changes(switch, group, wanted, replace=False)
        for member in update.deletemember:
            login = _login(switch, member)
            if group.member(login) is not None:
                changes.append(lambda login=login: switch.remove_member(group.number, login))  # type: ignore[misc]
        if not changes and not update.HasField("setservicemode"):
            raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    except _Refused as refused:
        return refused.code
    for change in changes:
        change()
    return R.MTCTISESS_SUCCESS



