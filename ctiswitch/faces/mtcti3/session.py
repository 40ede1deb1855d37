"""One MTCTI-3 connection: routes each client Message and owns its
subscriptions (spec/mtcti3.md §3, §7.1 items 3-4).

The session never touches the socket: it hands finished Messages to `send`
and asks the hub to recompute views with `changed`. Every request with a
non-zero requestid gets exactly one RequestResponse, sent before any Notify
the request causes (A6); requestid 0 means "no answer wanted" (A5).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from ctiswitch.engine.clock import Clock
from ctiswitch.engine.errors import CommandError
from ctiswitch.engine.events import Batch
from ctiswitch.engine.switch import Switch
from ctiswitch.faces.affected import Affected

from . import translate_calls as tc
from . import translate_commands as cmd
from . import translate_config as tcfg
from . import translate_presence as tp
from . import translate_settings as tset
from .constants import PRESENCE_TIMEOUT_MAX, PRESENCE_TIMEOUT_MIN, SINGLE_SUBSCRIPTIONS
from .constants import ResultCode as R
from .mtcti3_pb2 import (
    GeneralCmd,
    GeneralData,
    Message,
    Presentity,
    RequestResponse,
    Subscribe,
    SubscribeCmd,
    SubscribeEnd,
    SubscribeTerminated,
    UpdatePresence,
)
from .subscriptions import AppHandlers, Changes, Subscription, Watched

log = logging.getLogger("ctiswitch.mtcti3")

#: Subscriptions one connection may hold; past it, Subscribe gets TOOMANY.
MAX_SUBSCRIPTIONS = 1000
#: Presentities one presence subscription may watch (the DOC's limit is the
#: system's user count; this bounds what one client can make us track).
MAX_PRESENTITIES = 1000
#: The one documented pseudo-file (GeneralCmd GetFile, §2.2).
ACCOUNT_CODE_FILE = "nasystem/AccountCode"


class Session:
    def __init__(self, switch: Switch, clock: Clock, send: Callable[[Message], None],
                 changed: Callable[[], None], peer: str, handlers: AppHandlers) -> None:
        self.switch = switch
        #: The app-presence handlers of every connection (the hub's), told
        #: of each change to this session's user subscriptions.
        self.handlers = handlers
        self.clock = clock
        self._send = send
        self._changed = changed
        self.peer = peer
        self.subs: dict[int, Subscription] = {}
        #: Logins whose user subscriptions may see a change since the last
        #: refresh; None: every subscription (see `_on_batch`).
        self._dirty: set[str] | None = None
        #: Subscriptions a client message touched since the last refresh.
        self._touched: set[int] = set()
        self._affected = Affected(switch)
        self._app_handlers: frozenset[str] = frozenset()
        #: `subs` indexed for `refresh`; None after any change to `subs`.
        self._index: _Index | None = None
        self._unlisten = switch.subscribe(self._on_batch)

    # -- in -----------------------------------------------------------------

    def handle(self, message: Message) -> None:
        """Dispatch one client Message; server-to-client payloads sent by a
        client carry no requestid to answer, so they are logged and ignored."""
        kind = message.WhichOneof("payload")
        if kind == "subscribe":
            self._touched.add(message.subscribe.subscribe_id)
            self._subscribe(message.subscribe)
        elif kind == "subscribecmd":
            self._touched.add(message.subscribecmd.subscribe_id)
            self._command(message.subscribecmd)
        elif kind == "subscribeend":
            self._end(message.subscribeend)
        elif kind == "notifyack":
            sub = self.subs.get(message.notifyack.subscribe_id)
            if sub is not None and sub.ack(message.notifyack.notify_id):
                self.flush([sub])
            # An ack changes no view: what waits was computed at the last
            # refresh, and flush has sent what the window now allows.
            return
        elif kind == "generalcmd":
            self._general(message.generalcmd)
        else:
            log.info("mtcti3 %s: ignored a %s message, which only the server sends", self.peer, kind)
        self._changed()

    def _answer(self, requestid: int, result: int) -> None:
        if requestid:
            self._send(Message(response=RequestResponse(requestid=requestid, result=result)))

    def _subscribe(self, request: Subscribe) -> None:
        payload = request.WhichOneof("payload")
        existing = self.subs.get(request.subscribe_id)
        if payload is None:  # a refresh (§3.3)
            if existing is None:
                self._answer(request.requestid, R.MTCTISESS_SUBSCRIPTION_INVALID_ID)
                return
            if existing.kind == "presence" and not PRESENCE_TIMEOUT_MIN <= request.timeout <= PRESENCE_TIMEOUT_MAX:
                self._answer(request.requestid, R.MTCTISESS_SUBSCRIPTION_TIMEOUT_TOO_SMALL)
                return
            self._arm(existing, request.timeout)
            self._answer(request.requestid, R.MTCTISESS_SUCCESS)
            return
        result = self._validate(request, payload, existing)
        if result is not R.MTCTISESS_SUCCESS:
            self._answer(request.requestid, result)
            return
        body = getattr(request, payload)
        sub = existing or Subscription(request.subscribe_id, payload)
        before = sub.handles()
        sub.flags = getattr(body, "flags", 0)
        sub.ccflags = getattr(body, "ccflags", 0)
        if payload == "user":
            sub.user = tcfg.find_user(self.switch, body.guid)
            sub.app_live = bool(sub.flags & tcfg.USER_ACTIVE_APP)
        elif payload == "presence":
            sub.watch = [self._watched(p) for p in body.entry]
            sub.presence_full = True
        elif payload == "queue":
            sub.group = tcfg.find_group(self.switch, body.guid, body.name)
        sub.config = None
        sub.config_sent = None  # a new or modified subscription gets a full snapshot (A8)
        self.subs[sub.sid] = sub
        self._index = None
        self.handlers.change(before, sub.handles())
        self._arm(sub, request.timeout)
        self._answer(request.requestid, R.MTCTISESS_SUCCESS)

    def _validate(self, request: Subscribe, payload: str, existing: Subscription | None) -> R:
        if request.subscribe_id == 0:
            return R.MTCTISESS_REQUEST_INVALID_PAYLOAD
        if existing is not None and existing.kind != payload:
            return R.MTCTISESS_SUBSCRIPTION_INVALID
        if payload == "presence":
            if not PRESENCE_TIMEOUT_MIN <= request.timeout <= PRESENCE_TIMEOUT_MAX:
                return R.MTCTISESS_SUBSCRIPTION_TIMEOUT_TOO_SMALL
            if len(request.presence.entry) > MAX_PRESENTITIES:
                return R.MTCTISESS_TOOMANY
        if request.timeout < 0:
            return R.MTCTISESS_SUBSCRIPTION_TIMEOUT_TOO_SMALL
        if existing is None:
            if len(self.subs) >= MAX_SUBSCRIPTIONS:
                return R.MTCTISESS_TOOMANY
            if payload in SINGLE_SUBSCRIPTIONS and any(s.kind == payload for s in self.subs.values()):
                return R.MTCTISESS_TOOMANY
        if payload == "user" and tcfg.find_user(self.switch, request.user.guid) is None:
            return R.MTCTISESS_USERNOTFOUND
        if payload == "queue" and tcfg.find_group(self.switch, request.queue.guid, request.queue.name) is None:
            return R.MTCTISESS_NOTFOUND
        return R.MTCTISESS_SUCCESS

    def _watched(self, entry: Presentity) -> Watched:
        return Watched(entry.presentity, entry.lref, tp.find_user(self.switch, entry.presentity))

    def _update_presence(self, sub: Subscription, update: UpdatePresence) -> int:
        """UpdatePresence: remove first, then add; the added entries' state
        is notified at once (§3.5). Past the limit nothing changes."""
        kept = [w for w in sub.watch if not any(
            (r.lref and w.lref == r.lref) or (not r.lref and w.name == r.presentity) for r in update.remove)]
        if len(kept) + len(update.add) > MAX_PRESENTITIES:
            return R.MTCTISESS_TOOMANY
        if not update.add and not update.remove:
            return R.MTCTISESS_REQUEST_INVALID_PAYLOAD
        sub.watch = kept + [self._watched(p) for p in update.add]
        return R.MTCTISESS_SUCCESS

    def _arm(self, sub: Subscription, timeout: int) -> None:
        """(Re)start the expiry timer; 0 means no expiry (§3.3)."""
        if sub.timer is not None:
            sub.timer.cancel()
            sub.timer = None
        if timeout > 0:
            sub.timer = self.clock.call_later(float(timeout), lambda: self.terminate(sub.sid, "timeout"))

    def _end(self, request: SubscribeEnd) -> None:
        sub = self.subs.pop(request.subscribe_id, None)
        if sub is None:
            self._answer(request.requestid, R.MTCTISESS_SUBSCRIPTION_INVALID_ID)
            return
        self._index = None
        if sub.timer is not None:
            sub.timer.cancel()
        self.handlers.change(sub.handles(), None)
        self._answer(request.requestid, R.MTCTISESS_SUCCESS)

    def _command(self, request: SubscribeCmd) -> None:
        sub = self.subs.get(request.subscribe_id)
        if sub is None:
            self._answer(request.requestid, R.MTCTISESS_SUBSCRIPTION_INVALID_ID)
            return
        payload = request.WhichOneof("payload")
        if payload == "timeout":  # the PROTO's alternative refresh (A9)
            if sub.kind == "presence" and not PRESENCE_TIMEOUT_MIN <= request.timeout <= PRESENCE_TIMEOUT_MAX:
                self._answer(request.requestid, R.MTCTISESS_SUBSCRIPTION_TIMEOUT_TOO_SMALL)
                return
            self._arm(sub, request.timeout)
            self._answer(request.requestid, R.MTCTISESS_SUCCESS)
            return
        self._answer(request.requestid, self._run(sub, request, payload))

    def _run(self, sub: Subscription, request: SubscribeCmd, payload: str | None) -> int:
        try:
            if payload == "callcontrol" and sub.call_control:
                return self._call_control(sub, request)
            if payload == "presence" and sub.kind == "presence":
                return self._update_presence(sub, request.presence)
            if payload == "user" and sub.kind == "user":
                assert sub.user is not None
                before = sub.handles()
                try:
                    return tset.update_user(self.switch, sub, request.user)
                finally:  # makelive / makedead, also when a later change was refused
                    self.handlers.change(before, sub.handles())
            if payload == "queue" and sub.kind == "queue":
                assert sub.group is not None
                return tset.update_queue(self.switch, sub.group, request.queue)
        except CommandError as error:
            log.info("mtcti3 %s: refused %s: %r", self.peer, payload, error)
            return R.MTCTISESS_REQUESTFAILED
        return R.MTCTISESS_REQUEST_INVALID_CONTEXT

    def _call_control(self, sub: Subscription, request: SubscribeCmd) -> int:
        update = request.callcontrol
        commands = [f for f in ("makecall", "callfunction", "unparkcall") if update.HasField(f)]
        if len(commands) > 1:
            return R.MTCTISESS_REQUEST_INVALID_PAYLOAD
        if not commands:
            return self._set_reference(sub, update.callid, update.referencecallid)
        if commands[0] == "callfunction":
            return cmd.call_function(self.switch, sub, update)
        if sub.kind != "user" or update.callid or not update.referencecallid:
            return R.MTCTISESS_REQUEST_INVALID_PAYLOAD
        if commands[0] == "makecall":
            return cmd.make_call(self.switch, sub, update.referencecallid, update.makecall)
        return cmd.unpark(self.switch, sub, update.referencecallid, update.unparkcall)

    def _set_reference(self, sub: Subscription, callid: int, reference: int) -> int:
        """An update with ids and no command asserts the referencecallid."""
        if not callid or callid not in sub.callids.values():
            return R.MTCTISESS_CALLCONTROL_CALLNOTFOUND
        sub.refs[callid] = reference
        return R.MTCTISESS_SUCCESS

    def _general(self, request: GeneralCmd) -> None:
        """GetFile: only the account-code list exists; it is empty because
        the switch accepts any numeric account code (A27)."""
        if request.WhichOneof("payload") != "getfile":
            self._answer(request.requestid, R.MTCTISESS_GENCMD_INVALID_PAYLOAD)
            return
        getfile = request.getfile
        if getfile.fname != ACCOUNT_CODE_FILE:
            self._answer(request.requestid, R.MTCTISESS_NOTFOUND)
            return
        data = GeneralData(responseid=request.requestid)
        data.getfile.cmdinst = getfile.cmdinst
        data.getfile.fname = getfile.fname
        self._send(Message(generaldata=data))

    # -- out --------------------------------------------------------------------

    def _on_batch(self, batch: Batch) -> None:
        """Note whose user subscriptions the batch may change (`refresh`)."""
        logins = self._affected.of_batch(batch)
        self._dirty = None if logins is None or self._dirty is None else self._dirty | logins

    def refresh(self, seen: tc.Seen, changes: Changes) -> None:
        """Recompute the views that may have changed and send what the
        windows allow.

        Every batch used to recompute every subscription of every
        connection (with 10,000 user subscriptions, about 0.2 s per batch,
        and again after each Subscribe and NotifyAck). A user subscription
        is now recomputed only when a batch concerned its user
        (ctiswitch/faces/affected.py), a client message named it, or its
        user gained or lost an app-presence handler; the other kinds (presence, queue,
        lines, park server) watch many users and are always recomputed.
        The user subscriptions to recompute are found through an index by
        login rather than by walking every subscription (a walk per batch
        was 29% of the scale server's time with 1,000 per connection).
        """
        dirty, self._dirty = self._dirty, set()
        touched, self._touched = self._touched, set()
        if dirty is not None and seen.app_handlers != self._app_handlers:
            dirty |= seen.app_handlers ^ self._app_handlers
        self._app_handlers = seen.app_handlers
        refreshed = list(self.subs.values()) if dirty is None else self._concerned(dirty, touched)
        for sub in refreshed:
            sub.refresh(self.switch, seen, changes)
        self.flush(refreshed)

    def _concerned(self, logins: set[str], touched: set[int]) -> list[Subscription]:
        """The subscriptions a refresh must recompute, in `subs` order (the
        order Notifies of one batch go out in): every one that is not a
        user subscription, those of the `logins` and the `touched` ones."""
        if self._index is None:
            self._index = _Index(self.subs)
        index = self._index
        chosen = {sub.sid: sub for sub in index.wide}
        for login in logins:
            chosen.update((sub.sid, sub) for sub in index.by_login.get(login, ()))
        for sid in touched:
            sub = self.subs.get(sid)
            if sub is not None:
                chosen[sid] = sub
        return sorted(chosen.values(), key=lambda sub: index.rank[sub.sid])

    def flush(self, subs: list[Subscription] | None = None) -> None:
        """Send what each open window allows; end overflowing subscriptions.
        ``subs``: only those (the ones a refresh recomputed; the others have
        nothing new), else all."""
        for sub in list(self.subs.values()) if subs is None else subs:
            if self.subs.get(sub.sid) is not sub:
                continue
            if sub.overflowed:
                self.terminate(sub.sid, "notify backlog overflow")
                continue
            message = sub.next_message()
            if message is not None:
                self._send(message)

    def terminate(self, sid: int, reason: str) -> None:
        """The server ends a subscription (expiry, overflow): A10."""
        sub = self.subs.pop(sid, None)
        if sub is None:
            return
        self._index = None
        if sub.timer is not None:
            sub.timer.cancel()
        self.handlers.change(sub.handles(), None)
        log.info("mtcti3 %s: subscription %d ended: %s", self.peer, sid, reason)
        self._send(Message(subscribeterminated=SubscribeTerminated(subscribe_id=sid, reason=reason)))

    def close(self) -> None:
        self._unlisten()
        for sub in self.subs.values():
            if sub.timer is not None:
                sub.timer.cancel()
            self.handlers.change(sub.handles(), None)
        self.subs.clear()
        self._index = None


class _Index:
    """A connection's subscriptions as `Session.refresh` looks them up: the
    user subscriptions by their user's login, the rest ("wide": presence,
    queue, lines, park server, and a user subscription without a user),
    and each one's position in `subs`."""

    def __init__(self, subs: dict[int, Subscription]) -> None:
        self.wide: list[Subscription] = []
        self.by_login: dict[str, list[Subscription]] = {}
        self.rank: dict[int, int] = {}
        for position, sub in enumerate(subs.values()):
            self.rank[sub.sid] = position
            if sub.kind == "user" and sub.user is not None:
                self.by_login.setdefault(sub.user.login, []).append(sub)
            else:
                self.wide.append(sub)

