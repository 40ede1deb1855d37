"""Subscriptions and the events waiting for them.

``Hub.publish`` runs inside the engine's batch listener (or a request), so
it only serialises the event once and appends the line to the bounded queue
of every subscription whose filter selects it; a channel (channel.py) or a
webhook sender (webhook.py) drains the queue on the event loop.

Each queue holds at most MAX_QUEUE events. Events wait there while no
channel is connected (o2g-wire.md §2: the client re-POSTs the same polling
URL and must not lose what happened meanwhile). When a queue is full the
subscription is terminated: the queue is dropped, the channel is aborted and
the polling URL answers 404 from then on. ALE's Node SDK treats that as a
lost session and logs in, subscribes and snapshots again, which is the
only way a client can get back a state it missed (DESIGN.md). Terminations
are counted in ``Hub.overflows``.

Time is the engine clock's, so the virtual clock drives it in tests: one
tick every TICK_SECONDS sends the KeepAlive line on every connected
channel, and a timer per channel aborts it once it has been idle for its
subscription's timeout.
"""
from __future__ import annotations

import asyncio
import json
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ctiswitch.engine.clock import Clock, TimerHandle

#: Events a subscription may have waiting before it is terminated.
MAX_QUEUE = 1000
#: Seconds between KeepAlive lines; ALE's Node SDK gives up after 300 s of silence.
TICK_SECONDS = 60.0

#: Other spellings of package names, mapped to the Selector names ALE's SDKs send.
PACKAGE_ALIASES = {"routing": "routingManagement", "comlog": "unifiedComLog", "users": "user",
                   "eventsummary": "eventSummary"}
#: Packages whose events concern no particular user; only administrators may ask for them.
ADMIN_PACKAGES = frozenset({"system", "pbxManagement", "userManagement", "rsi", "pilot", "rti", "acdstats"})
#: Packages whose events concern one user, selected by login.
USER_PACKAGES = frozenset({"telephony", "eventSummary", "unifiedComLog", "user", "routingManagement",
                           "agent"})
PACKAGES = ADMIN_PACKAGES | USER_PACKAGES
#: Every event the O2G document defines, by package (o2g.md §3), so a
#: selector may name single events as well as packages.
EVENTS: dict[str, str] = {
    **dict.fromkeys(("OnCallCreated", "OnCallModified", "OnCallRemoved", "OnDeviceStateModified",
                     "OnDynamicStateChanged", "OnTelephonyState", "OnUserStateModified"), "telephony"),
    "OnEventSummaryUpdated": "eventSummary",
    "OnUserInfoChanged": "user",
    "OnUserCreated": "userManagement",
    "OnUserDeleted": "userManagement",
    "OnRoutingStateChanged": "routingManagement",
    **dict.fromkeys(("OnComRecordCreated", "OnComRecordModified", "OnComRecordsAck", "OnComRecordsDeleted",
                     "OnComRecordsUnAck"), "unifiedComLog"),
    **dict.fromkeys(("OnCtiLinkDown", "OnCtiLinkUp", "OnLicenseExpiration", "OnPbxLoaded"), "system"),
    **dict.fromkeys(("OnPbxObjectInstanceCreated", "OnPbxObjectInstanceDeleted",
                     "OnPbxObjectInstanceModified"), "pbxManagement"),
    **dict.fromkeys(("OnAgentStateChanged", "OnSupervisorHelpRequested", "OnSupervisorHelpCancelled"), "agent"),
}


def canonical_package(name: str) -> str:
    """The Selector spelling of a package name (``comlog`` -> ``unifiedComLog``)."""
    return PACKAGE_ALIASES.get(name, name)


def line(event: dict[str, Any]) -> bytes:
    """One event as the channel frames it: compact JSON on one line, ``\\n``-terminated."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


CHANNEL_OPENED = line({"eventName": "OnChannelInformation", "text": "channel established"})
KEEPALIVE = line({"eventName": "OnChannelInformation", "text": "keepalive"})


@dataclass(frozen=True, slots=True)
class Selector:
    """One selector of a filter: ``names`` are packages or event names,
    ``ids`` the logins it selects (None: every user, the admin ``*``)."""

    ids: frozenset[str] | None
    names: frozenset[str]

    def matches(self, event_name: str, login: str | None, package: str) -> bool:
        if package not in self.names and event_name not in self.names:
            return False
        return login is None or self.ids is None or login in self.ids


@dataclass(eq=False)
class Subscription:
    """One subscription: its filter, its queue and how it is delivered."""

    id: str
    token: str
    selectors: tuple[Selector, ...]
    version: str
    #: Minutes without an event after which the channel is aborted; 0 = never.
    timeout: int
    webhook_url: str | None = None
    queue: deque[bytes] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    #: Incremented each time a new channel takes over, so the older one leaves.
    generation: int = 0
    connected: bool = False
    keepalive_due: bool = False
    idle_abort: bool = False
    last_activity: float = 0.0
    delivered: int = 0
    webhook_failures: int = 0

    def selects(self, event_name: str, login: str | None, package: str) -> bool:
        return any(selector.matches(event_name, login, package) for selector in self.selectors)


class Hub:
    """Every live subscription, by id, in creation order."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.subscriptions: dict[str, Subscription] = {}
        self.overflows = 0
        self._tick: TimerHandle | None = None
        #: Called with a subscription when it ends, to stop its webhook sender.
        self.on_terminate: list[Callable[[Subscription], None]] = []

    def add(self, token: str, selectors: Iterable[Selector], version: str, timeout: int,
            webhook_url: str | None) -> Subscription:
        """A new subscription of session ``token``; it replaces the session's
        previous one, since ``PUT /subscriptions`` names none (o2g.md §1.9)."""
        self.drop_session(token)
        subscription = Subscription(secrets.token_urlsafe(18), token, tuple(selectors), version, timeout,
                                    webhook_url)
        self.subscriptions[subscription.id] = subscription
        return subscription

    def of_session(self, token: str) -> Subscription | None:
        return next((s for s in self.subscriptions.values() if s.token == token), None)

    def terminate(self, subscription: Subscription) -> None:
        """End a subscription: drop its queue, abort its channel, forget it."""
        if subscription.closed:
            return
        subscription.closed = True
        subscription.queue.clear()
        subscription.wakeup.set()
        self.subscriptions.pop(subscription.id, None)
        for callback in self.on_terminate:
            callback(subscription)

    def drop_session(self, token: str) -> None:
        for subscription in [s for s in self.subscriptions.values() if s.token == token]:
            self.terminate(subscription)

    def publish(self, event: dict[str, Any], *, login: str | None, package: str) -> None:
        package = canonical_package(package)
        name = str(event.get("eventName", ""))
        encoded: bytes | None = None
        for subscription in list(self.subscriptions.values()):
            if not subscription.selects(name, login, package):
                continue
            if len(subscription.queue) >= MAX_QUEUE:
                self.overflows += 1
                self.terminate(subscription)
                continue
            encoded = encoded or line(event)
            subscription.queue.append(encoded)
            subscription.wakeup.set()

    # -- channel bookkeeping (channel.py) ----------------------------------------

    def connect(self, subscription: Subscription) -> int:
        """A channel opens on ``subscription``; returns its generation. A
        channel already open on it is told to leave (the client reconnected)."""
        subscription.generation += 1
        subscription.connected = True
        subscription.idle_abort = False
        subscription.last_activity = self.clock.now()
        subscription.wakeup.set()
        if self._tick is None:
            self._tick = self.clock.call_later(TICK_SECONDS, self._on_tick)
        if subscription.timeout:
            self._watch_idle(subscription, subscription.generation, subscription.timeout * 60)
        return subscription.generation

    def _watch_idle(self, subscription: Subscription, generation: int, delay: float) -> None:
        """Abort the channel once it has delivered nothing for the
        subscription's timeout; re-armed for the time left after activity."""

        def check() -> None:
            if subscription.closed or subscription.generation != generation or not subscription.connected:
                return
            left = subscription.last_activity + subscription.timeout * 60 - self.clock.now()
            if left > 0:
                self._watch_idle(subscription, generation, left)
            else:
                subscription.idle_abort = True
                subscription.wakeup.set()

        self.clock.call_later(delay, check)

    def _on_tick(self) -> None:
        self._tick = None
        channels = [s for s in self.subscriptions.values() if s.connected]
        for subscription in channels:
            subscription.keepalive_due = True
            subscription.wakeup.set()
        if channels:
            self._tick = self.clock.call_later(TICK_SECONDS, self._on_tick)

    async def close(self) -> None:
        """At server stop: end every subscription so channels return at once."""
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        for subscription in list(self.subscriptions.values()):
            self.terminate(subscription)
