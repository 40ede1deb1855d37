"""Engine directory -> MTCTI-3 Lines, NotifyUser and NotifyQueue (pure).

Users and queues are identified on the wire by a 16-byte guid (A25). It is
derived from the entity's stable key with UUIDv5, so it is the same after a
restart and on every connection without being stored anywhere.
"""
from __future__ import annotations

import functools
import uuid
import weakref

from ctiswitch.engine.directory import Group, User
from ctiswitch.engine.states import ForwardKind, RingMode, ServiceMode
from ctiswitch.engine.switch import Switch

from . import translate_presence as tp
from .constants import UserFeature
from .mtcti3_pb2 import NotifyLines, NotifyQueue, NotifyUser
from .translate_calls import NO_MESSAGES, Counts, language

_NAMESPACE = uuid.UUID("5a3c1f0e-6d0b-4f38-9a51-4d7469737763")

#: SubscribeUser.flags bits (spec/mtcti3.md §4.3).
USER_MAILBOX = 0x01
USER_FWD = 0x02
USER_APP = 0x04
USER_ABSENCE = 0x08
#: The subscription handles the user's app presence (ACTIVAPP).
USER_ACTIVE_APP = 0x800
#: SubscribeQueue.flags bits (§4.4).
QUEUE_MAILBOX = 0x01
QUEUE_MEMBERS = 0x02
#: SubscribeLines.flags bits (§4.2).
LINES_USERS = 0x01
LINES_QUEUES = 0x02

SERVICE_MODE = {ServiceMode.ACTIVE: NotifyQueue.Active, ServiceMode.NIGHT: NotifyQueue.NS,
                ServiceMode.OUT_OF_SERVICE: NotifyQueue.OOS}
RING_MODE = {RingMode.LONGEST_IDLE: 0, RingMode.SEQUENTIAL: 1, RingMode.ROTARY: 1, RingMode.PARALLEL: 2}


@functools.cache
def user_guid(login: str) -> bytes:
    """Remembered per login: a uuid5 (SHA-1) costs about 4 us, and the Lines
    table and every rebuild of the guid index need all of them."""
    return uuid.uuid5(_NAMESPACE, f"user:{login}").bytes


def group_guid(number: str) -> bytes:
    return uuid.uuid5(_NAMESPACE, f"group:{number}").bytes


#: Each switch's users by guid (guid -> login), as far as last built.
_BY_GUID: weakref.WeakKeyDictionary[Switch, dict[bytes, str]] = weakref.WeakKeyDictionary()


def find_user(switch: Switch, guid: bytes) -> User | None:
    """The user whose guid is `guid`, through an index of guid -> login.

    Hashing every login per lookup made subscribing each of 10,000 users
    cost 10^8 uuid5 calls (BENCHMARKS.md). A guid the index lacks, or whose
    user is gone, rebuilds it from the users as they are now, so users added
    or removed since are found exactly as a full scan would find them."""
    index = _BY_GUID.get(switch)
    login = index.get(guid) if index is not None else None
    user = switch.users.get(login) if login is not None else None
    if user is None:
        index = _BY_GUID[switch] = {user_guid(name): name for name in switch.users}
        login = index.get(guid)
        user = switch.users.get(login) if login is not None else None
    return user


def find_group(switch: Switch, guid: bytes, name: str) -> Group | None:
    """By guid, or by name when no guid is given (§4.4)."""
    for group in switch.groups.values():
        if (guid and group_guid(group.number) == guid) or (not guid and name and group.name == name):
            return group
    return None


def lines(switch: Switch, flags: int) -> NotifyLines:
    """The full Lines table. NotifyLines.flags echoes the subscribed bits 0-1
    and sets bit 0 because a park server can always be subscribed (A13)."""
    notify = NotifyLines(flags=(flags & (LINES_USERS | LINES_QUEUES)) | LINES_USERS)
    if flags & LINES_USERS:
        for user in switch.users.values():
            notify.adduser.add(guid=user_guid(user.login), extn=user.number, name=user.name)
    if flags & LINES_QUEUES:
        for group in switch.groups.values():
            notify.addqueue.add(guid=group_guid(group.number), extn=group.number, name=group.name)
    return notify


def user_features(user: User, switch: Switch) -> int:
    """User-level actions this face carries out: DND, absence, short codes,
    forward unconditional, app presence, twinning when the user has a mobile
    twin, MakeCall while the user has a working phone with a free
    appearance, and hot-desking (LOGIN) while the user is logged on to a
    desk-sharing set (and may log off or move) or one is free to log on to."""
    bits = (UserFeature.VALID | UserFeature.SAC | UserFeature.ABSENCE | UserFeature.SHORTCODE
            | UserFeature.FWDU | UserFeature.APP)
    if user.twin is not None:
        bits |= UserFeature.EC500
    if any(d.has_free_appearance() for d in user.devices):
        bits |= UserFeature.MAKECALL
    if switch.desk_of(user) is not None or any(d.user is None for d in switch.desk_sets()):
        bits |= UserFeature.LOGIN
    return int(bits)


def notify_user(switch: Switch, user: User, flags: int, handled: bool = False,
                stored: Counts = NO_MESSAGES) -> NotifyUser:
    """The full NotifyUser: it always carries every field (§4.3); `handled`
    says whether some live subscription handles the user's app presence, and
    `stored` holds the (new, old, saved) counts of the user's mailbox in the
    store. Counters an application set with short code 70 replace them: that
    code exists for apps that provide voicemail themselves. `voicemail` is
    the user's voicemail switch (short codes 17, 18) on a user with a
    mailbox. A user hot-desked to a desk-sharing set is logged in there
    (`loggedinextn`), and `extnfault` is about that set."""
    routing = user.routing
    main = switch.desk_of(user) or (user.devices[0] if user.devices else None)
    notify = NotifyUser(
        extn=user.number, name=user.login, fullname=user.name, email=user.email or "",
        featuresavailable=user_features(user, switch), language=language(user.language), dnd=routing.dnd,
        barred=not user.external_calls, voicemail=Switch.voicemail_covers(user),
        loggedinextn=main.number if main is not None else "", extnfault=main is not None and not main.in_service,
        loggedoff=main is None, offswitch=user.external_calls,
    )
    notify.ec500 = user.presence.twinning
    if flags & USER_MAILBOX:
        notify.mailbox.SetInParent()
        counts = user.presence.mailbox_counts or stored
        notify.mailbox.newmessages, notify.mailbox.oldmessages, notify.mailbox.savedmessages = counts
    if flags & USER_APP:
        notify.app = user.presence.app
        notify.noapphandler = not handled
    note = tp.absence(user)
    if flags & USER_ABSENCE and note is not None:
        notify.absence.CopyFrom(note)
    fwd = routing.forward
    if flags & USER_FWD and fwd is not None:
        notify.fwdu = fwd.kind is ForwardKind.IMMEDIATE
        notify.fwdb = fwd.kind in (ForwardKind.BUSY, ForwardKind.BUSY_NO_ANSWER)
        notify.fwdna = fwd.kind in (ForwardKind.NO_ANSWER, ForwardKind.BUSY_NO_ANSWER)
        notify.fwdtovm = fwd.destination == "voicemail"
        number = "" if notify.fwdtovm else fwd.destination
        if notify.fwdu:
            notify.fwdunumber = number
        else:
            notify.fwdbnumber = number
    return notify


def notify_queue(group: Group, flags: int) -> NotifyQueue:
    """The full NotifyQueue: voicemail is on when the group has voicemail
    (an overflow after a waiting time) and it is switched on."""
    notify = NotifyQueue(
        extn=group.number, name=group.name, ringmode=RING_MODE[group.ring_mode],
        noanswertime=int(group.no_answer_seconds),
        voicemail=group.voicemail_enabled and group.voicemail_seconds is not None and bool(group.overflow),
        voicemailtime=int(group.voicemail_seconds or 0), servicemode=SERVICE_MODE[group.service_mode],
    )
    if flags & QUEUE_MEMBERS:
        notify.queuemembers.SetInParent()
        for member in group.members:
            notify.queuemembers.member.add(extn=member.user.number, disabled=not member.logged_on)
    if flags & QUEUE_MAILBOX:
        notify.mailbox.SetInParent()
    return notify
