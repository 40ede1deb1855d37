"""UpdateUser and UpdateQueue -> engine settings commands (spec/mtcti3.md
§4.3, §4.4). The engine emits RoutingChanged, PresenceChanged, UserChanged,
MemberChanged and GroupChanged for each change, which is how the store
persists them and every other face sees them.

Everything a request asks is validated before the first engine command, so a
refused request changes nothing. What the engine does not model is refused
with MTCTISESS_NOTALLOWED and its bit stays clear in
NotifyUser.featuresavailable: twinning for a user without a mobile twin,
and voicemail for a user without a mailbox.

Hot-desking (`loginextn`) is the engine's desk sharing, the same log-on O2G
makes: `extn` names a desk-sharing set to log on to; an empty `extn` or the
user's own extension logs the user off (back home). Only the engine knows
whether the set is free and idle, so the log-on runs before every other
change of the request and its refusal leaves them undone:
    unknown extension                                 NOTFOUND (4)
    not a desk-sharing set, or another user's set,
    or a teleworker connection (not modelled)         NOTALLOWED (9)
    the set (or the user's current set) is in a call  CALLCONTROL_INVALIDCALLSTATE (609)
The login code (`password`) is not checked: the MTCTI-3 client is a
service user, trusted as a system service (§1.1), as O2G's desk sharing
asks for none either.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ctiswitch.engine.directory import Group, User
from ctiswitch.engine.errors import CommandError, Refusal
from ctiswitch.engine.settings import (
    ABSENCE_MESSAGES,
    MAX_DND_EXCEPTIONS,
    MAX_MAILBOX_COUNT,
    NO_ANSWER_SECONDS,
)
from ctiswitch.engine.states import ForwardKind, ServiceMode
from ctiswitch.engine.switch import Switch

from .constants import ABSENCE_TEXT_MAX, APP_PRESENCE_MAX
from .constants import ResultCode as R
from .mtcti3_pb2 import (
    Absence,
    QueueMember,
    SetServiceMode,
    UpdateQueue,
    UpdateUser,
    UpdateUserApp,
    UpdateUserLoginExtn,
)
from .subscriptions import Subscription

Change = Callable[[], None]
#: A number the dial plan could route (engine `check_dialable`).
_NUMBER = re.compile(r"^\+?[0-9*#]{1,32}$")


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


def _absence(switch: Switch, user: User, on: bool, absence: Absence) -> Change:
    """Set (msg 1..11, at most 21 characters) or clear the absence note."""
    if not on:
        return lambda: switch.set_absence(user.login, None)
    if absence.msg not in ABSENCE_MESSAGES or len(absence.str) > ABSENCE_TEXT_MAX:
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    msg, text = absence.msg, absence.str
    return lambda: switch.set_absence(user.login, msg, text)


def _twinning(switch: Switch, user: User, on: bool) -> Change:
    """Mobile twinning needs a twin: a user without a mobile cannot."""
    if on and user.twin is None:
        raise _Refused(R.MTCTISESS_NOTALLOWED)
    return lambda: switch.set_twinning(user.login, on)


def _app(switch: Switch, sub: Subscription, app: UpdateUserApp) -> Change:
    """Set the app presence string, and make this subscription an app
    handler or stop it being one. A request with only makelive/makedead
    leaves the string alone (proto3 cannot tell an absent value from "")."""
    if len(app.value) > APP_PRESENCE_MAX or (app.makelive and app.makedead):
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    assert sub.user is not None
    login, value = sub.user.login, app.value
    set_value = bool(value) or not (app.makelive or app.makedead)

    def change() -> None:
        if set_value:
            switch.set_app_presence(login, value)
        if app.makelive or app.makedead:
            sub.app_live = app.makelive
    return change


#: Engine refusals of a desk-sharing log-on or log-off, as MTCTI-3 codes.
DESK_REFUSAL: dict[Refusal, R] = {
    Refusal.DEVICE_NOT_FOUND: R.MTCTISESS_NOTFOUND,
    Refusal.BAD_VALUE: R.MTCTISESS_NOTALLOWED,
    Refusal.NOT_OWNER: R.MTCTISESS_NOTALLOWED,
    Refusal.INVALID_STATE: R.MTCTISESS_CALLCONTROL_INVALIDCALLSTATE,
}


def _login_extn(switch: Switch, user: User, login: UpdateUserLoginExtn) -> Change:
    """Hot-desk to the desk-sharing set `extn`, or back home (log off) for
    an empty `extn` or the user's own extension; back home while on no set
    changes nothing, as a log-on to the set the user is on already."""
    if login.HasField("teleworkerconnection"):
        raise _Refused(R.MTCTISESS_NOTALLOWED)
    extn = login.extn
    home = not extn or any(d.number == extn and not d.desk_sharing for d in user.devices)
    if home:
        if switch.desk_of(user) is None:
            return lambda: None
        return lambda: switch.desk_log_off(user.login)
    return lambda: switch.desk_log_on(user.login, extn)


def _mailbox_counts(switch: Switch, user: User, val: str) -> Change:
    """Short code 70: ";new,old,saved" (an empty value clears them)."""
    text = val.lstrip(";")
    if not text:
        return lambda: switch.set_mailbox_counts(user.login, None)
    parts = text.split(",")
    if len(parts) != 3 or not all(p.isdigit() and int(p) <= MAX_MAILBOX_COUNT for p in parts):
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    counts = (int(parts[0]), int(parts[1]), int(parts[2]))
    return lambda: switch.set_mailbox_counts(user.login, counts)


def _no_answer_time(switch: Switch, user: User, val: str) -> Change:
    """Short code 94: the no-answer time in seconds."""
    low, high = NO_ANSWER_SECONDS
    if not val.isdigit() or not low <= int(val) <= high:
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    seconds = int(val)
    return lambda: switch.set_no_answer_time(user.login, seconds)


def _absence_code(switch: Switch, user: User, val: str) -> Change:
    """Short code 109: "set,msg,text" (set 1 or 0; the text may hold commas)."""
    parts = val.lstrip("$").split(",", 2)
    if len(parts) < 2 or parts[0] not in ("0", "1") or not parts[1].isdigit():
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    return _absence(switch, user, parts[0] == "1", Absence(msg=int(parts[1]), str=parts[2] if len(parts) > 2 else ""))


def _forward_busy_number(switch: Switch, user: User, val: str) -> Change:
    """Short code 114: the forward-on-busy destination. The engine keeps one
    forwarding rule: a busy or no-answer rule takes the new number, no rule
    becomes forward on busy, and forward unconditional is left alone
    (refused) rather than silently replaced."""
    current = user.routing.forward
    if not val:
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    if current is not None and current.kind is ForwardKind.IMMEDIATE:
        raise _Refused(R.MTCTISESS_NOTALLOWED)
    kind = current.kind if current is not None else ForwardKind.BUSY
    return lambda: switch.set_forward(user.login, kind, val)


def _dnd_exception(switch: Switch, user: User, val: str) -> Change:
    """Short code 9: a calling number that rings through DND."""
    if not _NUMBER.match(val):
        raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    if val not in user.routing.dnd_exceptions and len(user.routing.dnd_exceptions) >= MAX_DND_EXCEPTIONS:
        raise _Refused(R.MTCTISESS_TOOMANY)
    return lambda: switch.add_dnd_exception(user.login, val)


def _voicemail(switch: Switch, user: User, on: bool) -> Change:
    """Short codes 17/18: a user without a mailbox cannot switch it on."""
    if on and not user.has_mailbox:
        raise _Refused(R.MTCTISESS_NOTALLOWED)
    return lambda: switch.set_voicemail(user.login, on)


def _short_code(switch: Switch, user: User, code: int, val: str) -> Change:
    """The short codes of §4.3 the engine models."""
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
    if code == 9:
        return _dnd_exception(switch, user, val)
    if code == 10:
        return lambda: switch.clear_dnd_exceptions(login)
    if code in (17, 18):
        return _voicemail(switch, user, code == 17)
    if code == 70:
        return _mailbox_counts(switch, user, val)
    if code == 94:
        return _no_answer_time(switch, user, val)
    if code == 109:
        return _absence_code(switch, user, val)
    if code == 114:
        return _forward_busy_number(switch, user, val)
    if code in (166, 167):
        return _twinning(switch, user, code == 166)
    raise _Refused(R.MTCTISESS_NOTALLOWED)


def update_user(switch: Switch, sub: Subscription, update: UpdateUser) -> int:
    """Apply an UpdateUser: DND (`sac`), absence, twinning (`ec500`), app
    presence, forward unconditional (`fwdu`), the short codes and
    hot-desking (`loginextn`)."""
    user = sub.user
    assert user is not None
    try:
        changes: list[Change] = []
        if update.HasField("sac"):
            on = update.sac.set != 0
            changes.append(lambda: switch.set_dnd(user.login, on))
        if update.HasField("absence"):
            changes.append(_absence(switch, user, update.absence.set != 0, update.absence.absence))
        if update.HasField("ec500"):
            changes.append(_twinning(switch, user, update.ec500.set != 0))
        if update.HasField("app"):
            changes.append(_app(switch, sub, update.app))
        if update.HasField("fwdu"):
            fwdu = update.fwdu
            if fwdu.set:
                destination = "voicemail" if fwdu.fwdtovm else fwdu.fwdu_number
                changes.append(_forward_change(switch, user, ForwardKind.IMMEDIATE, destination))
            else:
                changes.append(_unset(switch, user, (ForwardKind.IMMEDIATE,)))
        for data in update.shortcodedata:
            changes.append(_short_code(switch, user, data.code, data.val))
        if update.HasField("loginextn"):
            changes.insert(0, _login_extn(switch, user, update.loginextn))
        if not changes:
            raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    except _Refused as refused:
        return refused.code
    if update.HasField("loginextn"):
        try:
            changes.pop(0)()  # first: the engine may refuse it, and nothing has changed yet
        except CommandError as error:
            return DESK_REFUSAL.get(error.refusal, R.MTCTISESS_REQUESTFAILED)
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


SERVICE_MODES = {SetServiceMode.Active: ServiceMode.ACTIVE, SetServiceMode.NS: ServiceMode.NIGHT,
                 SetServiceMode.OOS: ServiceMode.OUT_OF_SERVICE}


def update_queue(switch: Switch, group: Group, update: UpdateQueue) -> int:
    """Apply an UpdateQueue: service mode, voicemail on/off (a group without
    voicemail cannot switch it on: NOTALLOWED), member list replace,
    add/update and delete."""
    number = group.number
    try:
        changes: list[Change] = []
        if update.HasField("setservicemode"):
            mode = SERVICE_MODES.get(update.setservicemode.servicemode)
            if mode is None:
                raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
            changes.append(lambda: switch.set_service_mode(number, mode))
        if update.HasField("setvoicemail"):
            on = update.setvoicemail.enabled
            if on and (group.voicemail_seconds is None or not group.overflow):
                raise _Refused(R.MTCTISESS_NOTALLOWED)
            changes.append(lambda: switch.set_group_voicemail(number, on))
        if update.HasField("members"):
            wanted = {_login(switch, m): not m.disabled for m in update.members.member}
            changes += _member_changes(switch, group, wanted, replace=True)
        if update.addmember:
            wanted = {_login(switch, m): not m.disabled for m in update.addmember}
            changes += _member_changes(switch, group, wanted, replace=False)
        for member in update.deletemember:
            login = _login(switch, member)
            if group.member(login) is not None:
                changes.append(lambda login=login: switch.remove_member(number, login))  # type: ignore[misc]
        if not changes and not update.ListFields():
            raise _Refused(R.MTCTISESS_REQUEST_INVALID_PAYLOAD)
    except _Refused as refused:
        return refused.code
    for change in changes:
        change()
    return R.MTCTISESS_SUCCESS
