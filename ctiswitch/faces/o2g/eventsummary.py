"""The O2G event summary service (o2g.md §2.8): message-waiting counters
and OnEventSummaryUpdated whenever one of them changes.

Counters come from the store, which the persistence bridge fills from the
engine (call log, messages, callbacks): missed calls are the unanswered,
unacknowledged incoming comlog records, as O2G computes them from its own
comlog rather than from the PBX. Other services that change those records
(comlog acknowledgement, reading a mini message, deleting a callback) call
``summaries(api).refresh(login)`` so the event follows at once.
"""
from __future__ import annotations

import logging
import weakref
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ctiswitch.engine.events import (
    Batch,
    CallbackRequested,
    CallLogged,
    MessageDeposited,
)
from ctiswitch.store import CallRecord, Store

from .api import O2GApi

log = logging.getLogger("ctiswitch.o2g.eventsummary")
PACKAGE = "eventSummary"
_REGISTRY: weakref.WeakKeyDictionary[O2GApi, EventSummaries] = weakref.WeakKeyDictionary()


def is_missed(record: CallRecord) -> bool:
    """An incoming call nobody answered: what the LED and the badge count."""
    return record.direction == "incoming" and not record.answered


def missed_calls(records: list[CallRecord]) -> int:
    """Unacknowledged missed calls, except those followed by an answered
    call with the same party: calling back settles them (o2g.md §2.8)."""
    settled: set[str] = set()
    count = 0
    for record in records:  # newest first
        numbers = {str(p.get("number")) for p in record.parties}
        if is_missed(record) and not record.acknowledged and not numbers & settled:
            count += 1
        if record.answered:
            settled |= numbers
    return count


def event_summary(store: Store, login: str) -> dict[str, Any]:
    """EventSummary for one user. faxNb is left out: absent means "this
    server cannot tell", and there is no fax here."""
    # Records older than the oldest unsettled missed call cannot change the count.
    oldest = store.call_log.oldest_unsettled_missed(login)
    missed = 0 if oldest is None else missed_calls(store.call_log.for_user(login, since_id=oldest - 1))
    voice = sum(1 for m in store.messages.for_user(login, "voicemail") if not m.read)
    minis = store.messages.for_user(login, "mini")
    callbacks = len(store.callbacks.for_user(login))
    return {
        "missedCallsNb": missed,
        "voiceMessagesNb": voice,
        "callBackRequestsNb": callbacks,
        "newTextNb": sum(1 for m in minis if not m.read),
        "oldTextNb": sum(1 for m in minis if m.read),
        "eventWaiting": voice > 0 or callbacks > 0,
    }


class EventSummaries:
    """The last summary sent to each user, and the refresh that diffs it."""

    def __init__(self, api: O2GApi) -> None:
        self.api = api
        self._last = {login: event_summary(api.board.store, login) for login in api.board.switch.users}

    @property
    def store(self) -> Store:
        return self.api.board.store

    def refresh(self, login: str) -> None:
        """Recompute a user's counters; publish them if they changed."""
        summary = event_summary(self.store, login)
        if self._last.get(login) == summary:
            return
        self._last[login] = summary
        self.api.publish({"eventName": "OnEventSummaryUpdated", "loginName": login, "eventSummary": summary},
                         login=login, package=PACKAGE)

    def on_batch(self, batch: Batch) -> None:
        logins = [e.login for e in batch.events if isinstance(e, (CallLogged, MessageDeposited, CallbackRequested))]
        try:
            for login in dict.fromkeys(logins):
                if login in self.api.board.switch.users:
                    self.refresh(login)
        except Exception:  # a listener must never break the engine's transaction
            log.exception("event summary update failed")


def summaries(api: O2GApi) -> EventSummaries:
    """The face's one EventSummaries, created on first use."""
    found = _REGISTRY.get(api)
    if found is None:
        found = _REGISTRY[api] = EventSummaries(api)
    return found


def install(api: O2GApi) -> None:
    service = summaries(api)
    unsubscribe = api.board.switch.subscribe(service.on_batch)

    async def stop() -> None:
        unsubscribe()

    api.on_stop.append(stop)

    async def get_summary(request: Request) -> Response:
        """The user's message-waiting counters."""
        session = await api.session(request)
        login = api.acting_login(session, request)
        api.require_licence(session, login, "TELEPHONY_ADVANCED")
        return JSONResponse(event_summary(api.board.store, login))

    api.add_service("EventSummary", [Route("/eventSummary", get_summary, methods=["GET"])])
