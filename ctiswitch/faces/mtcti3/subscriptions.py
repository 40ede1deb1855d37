"""One MTCTI-3 subscription: its view of the engine and its Notify window.

A subscription keeps only per-subscription wire state: which callid each
call appearance has, the referencecallid the client gave it, the snapshot
last sent per callid, and what is waiting to be sent. Everything else is
recomputed from the engine by ``refresh`` (DESIGN.md: a face never keeps its
own call model).

Flow control (spec/mtcti3.md §3.4, DECISION A7 option b): every Notify
carries a notify_id and the window is one Notify per subscription. While a
Notify is unacknowledged, changes accumulate as *the latest* snapshot per
callid (coalesced) and the CallLost entries of appearances the client has
seen (never dropped). A snapshot equal to the one last sent is not resent.
The backlog is therefore bounded by the appearances alive at once, plus the
losses of callids the client knows; past ``MAX_PENDING`` entries the
subscription is ended with SubscribeTerminated, which tells the client to
subscribe again for a fresh snapshot.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ctiswitch.engine.calls import Party
from ctiswitch.engine.directory import Group, User
from ctiswitch.engine.states import Cause
from ctiswitch.engine.switch import Switch

from . import translate_calls as tc
from . import translate_config as tcfg
from . import translate_presence as tp
from .mtcti3_pb2 import (
    CallInfo,
    CallLost,
    Message,
    Notify,
    NotifyCallControl,
    NotifyPresence,
)

#: Pending callinfo + calllost entries one subscription may hold.
MAX_PENDING = 512
_INT32_MAX = 2**31 - 1


@dataclass(slots=True)
class Changes:
    """What the batches since the last refresh said that state cannot:
    why parties and calls went away (for CallLost.reason)."""

    party_cleared: dict[int, tuple[Cause, bool]] = field(default_factory=dict)
    call_cleared: dict[int, Cause] = field(default_factory=dict)


class AppHandlers:
    """The logins whose app presence some live user subscription handles, on
    any connection (flag 0x800 or makelive, §4.1, §4.3), counted per login.

    Sessions report every change to a subscription's `handles()`, so the hub
    reads the set per pass instead of walking every subscription of every
    connection (O(subscriptions) per pass under load)."""

    def __init__(self) -> None:
        self._count: dict[str, int] = {}
        self._logins: frozenset[str] | None = frozenset()

    def change(self, before: str | None, after: str | None) -> None:
        """One subscription stopped handling `before` and now handles `after`."""
        if before == after:
            return
        if before is not None:
            left = self._count[before] - 1
            if left:
                self._count[before] = left
            else:
                del self._count[before]
        if after is not None:
            self._count[after] = self._count.get(after, 0) + 1
        self._logins = None

    def logins(self) -> frozenset[str]:
        if self._logins is None:
            self._logins = frozenset(self._count)
        return self._logins


def _counter_next(value: int) -> int:
    """Ids are int32 and never 0 (spec/mtcti3.md §1.6)."""
    return 1 if value >= _INT32_MAX else value + 1


def _bytes(message: Any) -> bytes:
    return message.SerializeToString(deterministic=True)


@dataclass(slots=True, eq=False)
class Watched:
    """One presentity of a presence subscription: the client's name and
    lref, the user it resolved to when added, and the entry last sent
    (`pending` is the one waiting in the window)."""

    name: str
    lref: int
    user: User | None
    sent: bytes | None = None
    pending: bytes | None = None


@dataclass(slots=True, eq=False)
class Subscription:
    """kind is the Subscribe payload name: presence, lines, user, queue,
    parkserver or refreshwrapper. `user`/`group` is the watched entity."""

    sid: int
    kind: str
    flags: int = 0
    ccflags: int = 0
    user: User | None = None
    group: Group | None = None
    timer: Any = None
    overflowed: bool = False
    callids: dict[tc.AppearanceKey, int] = field(default_factory=dict)
    #: User: the engine call each appearance was in at the last refresh,
    #: which pairs the user's ringing party with the voicemail replacing it.
    call_of: dict[tc.AppearanceKey, int] = field(default_factory=dict)
    refs: dict[int, int] = field(default_factory=dict)
    sent: dict[int, bytes] = field(default_factory=dict)
    pending_info: dict[int, CallInfo] = field(default_factory=dict)
    pending_lost: dict[int, CallLost] = field(default_factory=dict)
    config: Any = None
    config_sent: bytes | None = None
    outstanding: int = 0
    last_notify: int = 0
    last_callid: int = 0
    refreshinstance: int = 0
    #: Presence: the watched presentities; the next Notify is the full list.
    watch: list[Watched] = field(default_factory=list)
    presence_full: bool = False
    #: User: this subscription handles the user's app presence (flag 0x800,
    #: UpdateUserApp.makelive/makedead).
    app_live: bool = False

    def handles(self) -> str | None:
        """The login whose app presence this subscription handles, if any."""
        if self.kind == "user" and self.app_live and self.user is not None:
            return self.user.login
        return None

    @property
    def call_control(self) -> bool:
        """Whether call notifications are on: any ccflags on a user, bit 0 on
        a queue (§4.3, §4.4); a park server always reports parked calls."""
        if self.kind == "user":
            return self.ccflags != 0
        if self.kind == "queue":
            return bool(self.ccflags & 0x01)
        return self.kind == "parkserver"

    # -- the view ---------------------------------------------------------

    def refresh(self, switch: Switch, seen: tc.Seen, changes: Changes) -> None:
        """Recompute the view from the engine and queue what differs."""
        self._refresh_config(switch, seen)
        if self.call_control:
            self._refresh_calls(switch, seen, changes)
        if len(self.pending_info) + len(self.pending_lost) > MAX_PENDING:
            self.overflowed = True

    def _refresh_config(self, switch: Switch, seen: tc.Seen) -> None:
        if self.kind == "lines":
            if self.config is None and self.config_sent is None:
                self.config = tcfg.lines(switch, self.flags)
            return
        if self.kind == "presence":
            self._refresh_presence(seen)
            return
        if self.kind == "user":
            assert self.user is not None
            stored = seen.mailbox(self.user.login) if self.flags & tcfg.USER_MAILBOX else tc.NO_MESSAGES
            handled = self.user.login in seen.app_handlers
            snapshot: Any = tcfg.notify_user(switch, self.user, self.flags, handled, stored)
        elif self.kind == "queue":
            assert self.group is not None
            snapshot = tcfg.notify_queue(self.group, self.flags)
        else:
            if self.config_sent is None and self.config is None:
                self.config = self.kind  # the placeholder payload, sent once
            return
        if _bytes(snapshot) != self.config_sent:
            self.config = snapshot
        else:
            self.config = None

    def _refresh_presence(self, seen: tc.Seen) -> None:
        """Queue the entries that differ from what the client last got: all
        of them after a (re)subscribe, marked full (A12)."""
        notify = NotifyPresence(full=1 if self.presence_full else 0)
        for entry in self.watch:
            handled = entry.user is not None and entry.user.login in seen.app_handlers
            unread = seen.mailbox(entry.user.login)[0] \
                if entry.user is not None and self.flags & tp.PRESENCE_VOICEMAIL else 0
            snapshot = tp.presentity(entry.name, entry.lref, entry.user, self.flags, handled, unread)
            data = _bytes(snapshot)
            entry.pending = data if self.presence_full or data != entry.sent else None
            if entry.pending is not None:
                notify.entry.append(snapshot)
        self.config = notify if notify.entry or self.presence_full else None

    def _appearances(self, switch: Switch) -> list[tuple[tc.AppearanceKey, Any]]:
        if self.kind == "user":
            assert self.user is not None
            return [*tc.user_appearances(switch, self.user), *tc.voicemail_appearances(switch, self.user)]
        if self.kind == "queue":
            assert self.group is not None
            return list(tc.queue_appearances(switch, self.group))
        return list(tc.park_appearances(switch))

    def callid_of(self, key: tc.AppearanceKey) -> int:
        """The appearance's callid, allocated on first sight (A14)."""
        callid = self.callids.get(key)
        if callid is None:
            self.last_callid = callid = _counter_next(self.last_callid)
            self.callids[key] = callid
        return callid

    def _refresh_calls(self, switch: Switch, seen: tc.Seen, changes: Changes) -> None:
        current = self._appearances(switch)
        live = {key for key, _ in current}
        if self.kind == "user":
            self._carry_over(current, live)
        for key in [k for k in self.callids if k not in live]:
            self._lose(key, changes)
        for key, _ in current:
            self.callid_of(key)
        if self.kind == "user":
            self.call_of = {key: thing.call.id for key, thing in current}
        for key, thing in current:
            callid = self.callids[key]
            info = self._info(thing, callid, switch, seen)
            if _bytes(info) == self.sent.get(callid):
                self.pending_info.pop(callid, None)
            else:
                self.pending_info[callid] = info

    def _carry_over(self, current: list[tuple[tc.AppearanceKey, Any]], live: set[tc.AppearanceKey]) -> None:
        """The user's own voicemail that takes over a call from the user's
        party (no answer, a rejection, a redirect or transfer to the own
        mailbox) is the same appearance to the client: it keeps that
        party's callid, with no CallLost, and goes on in the voicemail
        states until the call ends (call-model §4.2). The pair is found by
        the call both were in: the party's appearance ends in the refresh
        that first shows the voicemail."""
        for key, party in current:
            if key[0] != "v" or key in self.callids:
                continue
            replaced = next((k for k in self.callids if k[0] == "p" and k not in live
                             and self.call_of.get(k) == party.call.id), None)
            if replaced is not None:
                self.callids[key] = self.callids.pop(replaced)

    def _info(self, thing: Any, callid: int, switch: Switch, seen: tc.Seen) -> CallInfo:
        if self.kind == "queue":
            assert self.group is not None
            return tc.queue_call_info(thing, self.group, callid, switch, self.ccflags)
        if self.kind == "parkserver":
            return tc.park_call_info(thing, callid, self.ccflags)
        party: Party = thing  # a user's party, or its own voicemail's
        partner = tc.held_partner(party)
        related = self.callids.get(("p", partner.id), 0) if partner is not None else 0
        return tc.user_call_info(party, callid, self.refs.get(callid, 0), related, seen, switch, self.ccflags)

    def _lose(self, key: tc.AppearanceKey, changes: Changes, description: str = "") -> None:
        """An appearance ended: a CallLost if the client knows the callid or
        gave it a referencecallid; otherwise it never heard of it."""
        callid = self.callids.pop(key)
        self.pending_info.pop(callid, None)
        reference = self.refs.pop(callid, 0)
        if callid not in self.sent and not reference:
            return
        self.sent.pop(callid, None)
        kind, ident = key
        cause, this_end = changes.party_cleared.get(ident, (Cause.NORMAL, False)) if kind != "c" \
            else (changes.call_cleared.get(ident, Cause.NORMAL), False)
        self.pending_lost[callid] = CallLost(callid=callid, referencecallid=reference,
                                             reason=tc.LOST_REASON.get(cause, tc.Q850_NORMAL),
                                             thisenddropped=this_end, description=description or cause.value)

    def finish(self, call_id: int) -> None:
        """Finish (queue only): the queue no longer follows the call (the
        engine's association ended), so it is lost here now, with its
        reason (A21: CallLost)."""
        key = ("c", call_id)
        if key in self.callids:
            self._lose(key, Changes(), "finished")

    # -- the window ----------------------------------------------------------

    def ack(self, notify_id: int) -> bool:
        """A NotifyAck; one for another notify_id is ignored (§3.4)."""
        if self.outstanding and notify_id == self.outstanding:
            self.outstanding = 0
            return True
        return False

    def next_message(self) -> Message | None:
        """The next Notify to send, if the window is open and anything waits:
        the configuration snapshot first, then one callcontrol Notify."""
        if self.outstanding or self.overflowed or (
                self.config is None and not self.pending_info and not self.pending_lost):
            return None
        notify = Notify(subscribe_id=self.sid)
        if self.config is not None:
            payload = self.config
            self.config = None
            if isinstance(payload, str):
                getattr(notify, payload).SetInParent()
                self.config_sent = b""
            elif isinstance(payload, NotifyPresence):
                notify.presence.CopyFrom(payload)
                notify.presence.SetInParent()
                for entry in self.watch:
                    if entry.pending is not None:
                        entry.sent, entry.pending = entry.pending, None
                self.presence_full = False
            else:
                getattr(notify, self.kind).CopyFrom(payload)
                self.config_sent = _bytes(payload)
        elif self.pending_info or self.pending_lost:
            self.refreshinstance = _counter_next(self.refreshinstance)
            control = NotifyCallControl(refreshinstance=self.refreshinstance)
            for callid, info in self.pending_info.items():
                control.callinfo.append(info)
                self.sent[callid] = _bytes(info)
            control.calllost.extend(self.pending_lost.values())
            self.pending_info.clear()
            self.pending_lost.clear()
            notify.callcontrol.CopyFrom(control)
        else:
            return None
        self.last_notify = self.outstanding = _counter_next(self.last_notify)
        notify.notify_id = self.outstanding
        return Message(notify=notify)
