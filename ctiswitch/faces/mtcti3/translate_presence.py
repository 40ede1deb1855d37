"""Engine users -> MTCTI-3 presence entries (spec/mtcti3.md §2.3, §4.1;
spec/call-model.md §4.2), pure.

A presentity names a user the way a client knows it (extension, SIP URI,
email address or unique id); `find_user` resolves it once, when the client
adds it (A29). Each NotifyPresentity carries every tracked field of its user,
so a subscription diffs whole entries and sends the ones that changed.
"""
from __future__ import annotations

from ctiswitch.engine.directory import User
from ctiswitch.engine.states import ConnectionState, ForwardKind
from ctiswitch.engine.switch import Switch

from .mtcti3_pb2 import Absence, NotifyPresentity

S = ConnectionState

#: SubscribePresence.flags (§2.3).
PRESENCE_VOICEMAIL = 0x01
PRESENCE_KEEP_APP = 0x02

#: NotifyPresentity.phonestate values (§4.1).
IDLE, DIALLING, RINGING, ACW, CONNECTED, LOGOUT, FAULT, RECOVER, UNKNOWN = range(9)
#: What the app presence reads when no application can edit it (§4.1).
OFFLINE = "Offline"


def find_user(switch: Switch, presentity: str) -> User | None:
    """Extension first, then email, then name; a SIP URI is matched by its
    user part, and a unique id is the user's login (A29)."""
    text = presentity.strip()
    if text.lower().startswith(("sip:", "sips:")):
        text = text.split(":", 1)[1].split("@", 1)[0]
    users = list(switch.users.values())
    for match in (
        lambda u: u.number == text or any(d.number == text for d in u.devices),
        lambda u: bool(u.email) and (u.email or "").lower() == text.lower(),
        lambda u: u.name == text or u.login == text,
    ):
        found = next((u for u in users if match(u)), None)
        if found is not None:
            return found
    return None


def phone_state(user: User) -> int:
    """Derived from the user's phones and calls (call-model §4.2): no phone
    -> Logout; main phone out of service -> Fault; talking or holding ->
    Connected; ringing -> Ringing; dialling -> Dialling; else Idle. The
    engine has no after-call work, so ACW never shows."""
    if not user.devices:
        return LOGOUT
    if not user.devices[0].in_service:
        return FAULT
    states = {conn.state for device in user.devices for conn in device.connections}
    if states & {S.CONNECTED, S.HELD}:
        return CONNECTED
    if S.ALERTING in states:
        return RINGING
    if S.INITIATED in states:
        return DIALLING
    return IDLE


def absence(user: User) -> Absence | None:
    note = user.presence.absence
    return None if note is None else Absence(msg=note.msg, str=note.text)


def app_presence(user: User, flags: int, handled: bool) -> str:
    """The app presence string; "Offline" when no application handles it,
    unless the subscriber asked to see the string as it is (flag 0x02)."""
    if handled or flags & PRESENCE_KEEP_APP:
        return user.presence.app
    return OFFLINE


def unread_messages(user: User, stored_unread: int) -> int:
    """New voicemail messages: as an application last set them (short code
    70, for apps that provide voicemail themselves), else the unread
    messages of the user's mailbox in the store."""
    counts = user.presence.mailbox_counts
    return counts[0] if counts is not None else stored_unread


def presentity(name: str, lref: int, user: User | None, flags: int, handled: bool,
               stored_unread: int = 0) -> NotifyPresentity:
    """One entry with every tracked field; an unresolved presentity shows
    phonestate Unknown (A29). The client's name is echoed only when it gave
    no lref, which identifies the entry on its own (§2.3)."""
    entry = NotifyPresentity(lref=lref, presentity="" if lref else name)
    if user is None:
        entry.phonestate = UNKNOWN
        return entry
    routing = user.routing
    entry.sac = routing.dnd
    entry.phonestate = phone_state(user)
    note = absence(user)
    if note is not None:
        entry.absence.CopyFrom(note)
    entry.app = app_presence(user, flags, handled)
    entry.noapphandler = not handled and bool(flags & PRESENCE_KEEP_APP)
    entry.fwdu = routing.forward is not None and routing.forward.kind is ForwardKind.IMMEDIATE
    if flags & PRESENCE_VOICEMAIL:
        entry.vmunread_messages = unread_messages(user, stored_unread)
    return entry
