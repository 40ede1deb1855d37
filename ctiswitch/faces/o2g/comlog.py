"""The O2G communication log (o2g.md §2.7): records, filters, paging,
acknowledgement, deletion, and the five comlog events.

Records come from the store, where the persistence bridge writes one per
user from the engine's CallLogged events, so they survive restarts. This
module projects them as ComHistoryRecord, announces each new one
(OnComRecordCreated) and keeps at most 100 per user, as O2G does.
"""
from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ctiswitch.engine.events import Batch, CallLogged
from ctiswitch.engine.switch import Switch
from ctiswitch.store import CallRecord, Store

from .api import O2GApi
from .body import query_flag
from .errors import O2GError, bad_parameter
from .eventsummary import is_missed, summaries
from .telephony.causes import COMLOG_REASON
from .telephony.dates import iso_date, parse_date
from .telephony.identity import number_info, user_info

log = logging.getLogger("ctiswitch.o2g.comlog")
PACKAGE = "unifiedComLog"
#: Records kept per user (o2g.md §2.7).
MAX_RECORDS = 100
_ROLES = ("CALLER", "CALLEE")


def role(record: CallRecord) -> str:
    return "CALLER" if record.direction == "outgoing" else "CALLEE"


def acknowledged(record: CallRecord) -> bool:
    """Only a missed call waits for acknowledgement; the rest are settled."""
    return record.acknowledged or not is_missed(record)


def record_view(switch: Switch, record: CallRecord, *, in_event: bool = False,
                seen: set[str] | None = None) -> dict[str, Any]:
    """ComHistoryRecord. In events the owner is named by login only; with
    `seen` (optimized=true) a party's identity is complete only the first
    time its number appears."""
    user = switch.users.get(record.login)
    owner_identity = {"id": {"loginName": record.login}} if in_event or user is None else user_info(user)
    owner = {"role": role(record), "answered": record.answered, "identity": owner_identity,
             "anonymous": False, "reason": COMLOG_REASON.get(record.reason, "UNKNOWN")}
    # Set only on records of rerouted calls (persistence._parties): the
    # owner learns which number the call was first placed to.
    initial = next((str(p["initialCalled"]) for p in record.parties if p.get("initialCalled")), None)
    if initial is not None:
        owner["initialCalled"] = number_info(switch, initial)
    participants = [owner]
    for party in record.parties:
        if party.get("rerouted"):
            continue  # a party the call was rerouted away from is no participant (o2g.md §2.7)
        number = str(party.get("number", ""))
        name = party.get("name")
        if seen is not None and number in seen:
            identity: dict[str, Any] = {"id": {"phoneNumber": number}}
        else:
            identity = number_info(switch, number, name if isinstance(name, str) else None)
            if seen is not None:
                seen.add(number)
        participants.append({"identity": identity, "anonymous": False})
    return {
        "recordId": record.id,
        "comRef": record.call_ref,
        "acknowledged": acknowledged(record),
        "participants": participants,
        "beginDate": iso_date(record.started_at),
        "endDate": iso_date(record.ended_at),
        "medias": ["AUDIO"],
    }


def _remote(switch: Switch, record: CallRecord, wanted: str) -> bool:
    for party in record.parties:
        number = str(party.get("number", ""))
        owner = switch.devices.get(number)
        if number == wanted or (owner is not None and owner.user is not None and owner.user.login == wanted):
            return True
    return False


def _ids(text: str, field: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise bad_parameter(field, "must be comma-separated record ids") from None


def select(switch: Switch, store: Store, login: str, request: Request) -> tuple[list[CallRecord], bool]:
    """The user's records matching the query filters (newest first), and
    whether any filter was given."""
    query = request.query_params
    records = store.call_log.for_user(login)
    if query.get("recordIdList"):
        ids = set(_ids(query["recordIdList"], "recordIdList"))
        return [r for r in records if r.id in ids], True
    filtered = False
    if query_flag(request, "unanswered"):
        records, filtered = [r for r in records if is_missed(r)], True
    if query_flag(request, "unacknowledged"):
        records, filtered = [r for r in records if not acknowledged(r)], True
    for name, keep in (("afterDate", lambda r, t: r.started_at >= t), ("beforeDate", lambda r, t: r.started_at < t)):
        if query.get(name):
            moment = parse_date(query[name])
            if moment is None:
                raise bad_parameter(name, "must be a date like 2024-05-01T10:00:00.000Z")
            records, filtered = [r for r in records if keep(r, moment)], True
    if query.get("role"):
        if query["role"] not in _ROLES:
            raise bad_parameter("role", "must be CALLER or CALLEE")
        records, filtered = [r for r in records if role(r) == query["role"]], True
    if query.get("comRef"):
        records, filtered = [r for r in records if r.call_ref == query["comRef"]], True
    if query.get("remotePartyId"):
        records, filtered = [r for r in records if _remote(switch, r, query["remotePartyId"])], True
    return records, filtered


def _int(request: Request, name: str) -> int:
    text = request.query_params.get(name, "0") or "0"
    if not text.isdigit():
        raise bad_parameter(name, "must be a non-negative integer")
    return int(text)


class ComlogService:
    def __init__(self, api: O2GApi) -> None:
        self.api = api
        #: Per user, the newest record already announced (or there at start).
        self._announced: dict[str, int] = {}
        for login in api.board.switch.users:
            newest = api.board.store.call_log.for_user(login, limit=1)
            self._announced[login] = (newest[0].id or 0) if newest else 0

    @property
    def switch(self) -> Switch:
        return self.api.board.switch

    @property
    def store(self) -> Store:
        return self.api.board.store

    def routes(self) -> list[Route]:
        return [
            Route("/comlog/records", self.query, methods=["GET"]),
            Route("/comlog/records", self.acknowledge, methods=["PUT"]),
            Route("/comlog/records", self.delete_many, methods=["DELETE"]),
            Route("/comlog/records/recordIds", self.record_ids, methods=["GET"]),
            Route("/comlog/records/{recordId}", self.get_one, methods=["GET"]),
            Route("/comlog/records/{recordId}", self.delete_one, methods=["DELETE"]),
        ]

    async def _login(self, request: Request) -> str:
        session = await self.api.session(request)
        login = self.api.acting_login(session, request)
        self.api.require_licence(session, login, "TELEPHONY_ADVANCED")
        return login

    def _publish(self, login: str, name: str, **fields: Any) -> None:
        self.api.publish({"eventName": name, "loginName": login, **fields}, login=login, package=PACKAGE)

    def on_batch(self, batch: Batch) -> None:
        """Announce the records the persistence bridge just stored."""
        try:
            logins = [e.login for e in batch.events if isinstance(e, CallLogged)]
            for login in dict.fromkeys(logins):
                fresh = self.store.call_log.for_user(login, since_id=self._announced.get(login, 0))
                for record in reversed(fresh):
                    self._announced[login] = max(self._announced.get(login, 0), record.id or 0)
                    self._publish(login, "OnComRecordCreated",
                                  record=record_view(self.switch, record, in_event=True))
                extra = self.store.call_log.ids_beyond(login, MAX_RECORDS)
                if extra:
                    self.store.call_log.delete(login, extra)
                    self._publish(login, "OnComRecordsDeleted", recordIds=extra)
        except Exception:  # a listener must never break the engine's transaction
            log.exception("comlog events failed")

    # -- endpoints ----------------------------------------------------------------------

    async def query(self, request: Request) -> Response:
        """The user's records, filtered and paged."""
        login = await self._login(request)
        records, _ = select(self.switch, self.store, login, request)
        offset, limit = _int(request, "offset"), _int(request, "limit")
        page = records[offset:offset + limit] if limit else records[offset:]
        seen: set[str] | None = set() if query_flag(request, "optimized") else None
        views = [record_view(self.switch, r, seen=seen) for r in page]
        return JSONResponse({"comHistoryRecords": views, "records": views, "offset": offset, "limit": limit,
                             "totalCount": len(records), "count": len(records)})

    async def record_ids(self, request: Request) -> Response:
        """Every record id of the user."""
        login = await self._login(request)
        return JSONResponse({"recordIds": [r.id for r in self.store.call_log.for_user(login)]})

    async def get_one(self, request: Request) -> Response:
        """One record."""
        login = await self._login(request)
        record = self._own(login, request.path_params["recordId"])
        if record is None:
            raise O2GError(404, "NOT_FOUND", f"no record {request.path_params['recordId']!r} for {login}")
        return JSONResponse(record_view(self.switch, record))

    def _own(self, login: str, text: str) -> CallRecord | None:
        if not text.isdigit():
            raise bad_parameter("recordId", "must be a record id")
        record = self.store.call_log.get(int(text))
        return record if record is not None and record.login == login else None

    async def delete_one(self, request: Request) -> Response:
        """Delete one record (an unknown id is ignored)."""
        login = await self._login(request)
        record = self._own(login, request.path_params["recordId"])
        if record is not None and record.id is not None:
            self.store.call_log.delete(login, [record.id])
            self._publish(login, "OnComRecordsDeleted", recordIds=[record.id])
            summaries(self.api).refresh(login)
        return Response(status_code=204)

    async def delete_many(self, request: Request) -> Response:
        """Delete the records matching the filters, or all of them."""
        login = await self._login(request)
        records, filtered = select(self.switch, self.store, login, request)
        ids = [r.id for r in records if r.id is not None]
        if not filtered:
            self.store.call_log.delete(login)
            self._publish(login, "OnComRecordsDeleted")
        elif ids:
            self.store.call_log.delete(login, ids)
            self._publish(login, "OnComRecordsDeleted", recordIds=ids)
        summaries(self.api).refresh(login)
        return Response(status_code=204)

    async def acknowledge(self, request: Request) -> Response:
        """Acknowledge (acknowledge=true) or unacknowledge missed calls."""
        login = await self._login(request)
        flag = request.query_params.get("acknowledge", "").lower()
        if flag not in ("true", "false"):
            raise bad_parameter("acknowledge", "must be true or false")
        body = await self.api.json_body(request)
        raw = body.data.get("recordIds")
        if not isinstance(raw, list) or not all(isinstance(i, (int, str)) and str(i).isdigit() for i in raw):
            raise bad_parameter("recordIds", "must be an array of record ids")
        mine = {r.id for r in self.store.call_log.for_user(login)}
        ids = [int(i) for i in raw if int(i) in mine]
        if ids:
            self.store.call_log.acknowledge(login, ids, unacknowledged=flag == "false")
            self._publish(login, "OnComRecordsAck" if flag == "true" else "OnComRecordsUnAck", recordIds=ids)
            for record_id in ids:
                record = self.store.call_log.get(record_id)
                if record is not None:
                    # Only the changed field, as the event allows (o2g.md §2.7).
                    self._publish(login, "OnComRecordModified", record={
                        "recordId": record_id, "comRef": record.call_ref, "acknowledged": acknowledged(record)})
            summaries(self.api).refresh(login)
        return Response(status_code=204)


def install(api: O2GApi) -> None:
    service = ComlogService(api)
    unsubscribe = api.board.switch.subscribe(service.on_batch)

    async def stop() -> None:
        unsubscribe()

    api.on_stop.append(stop)
    api.add_service("Comlog", service.routes(), relative_url="/comlog/records")
