"""The O2G communication log: one record per user per finished call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from .connection import Connection
from .errors import StoreError
from .records import DIRECTIONS, CallRecord, JsonValue
from .values import (
    MAX_ROW_ID,
    bounded,
    choice,
    flag,
    from_json,
    id_list,
    instant,
    json_object_list,
    possible_id,
    row_id,
    text,
)

_COLUMNS = "id, login, call_ref, started_at, ended_at, answered, direction, reason, acknowledged, parties"


class CallLog:
    """Communication log records, each owned by one ``login``.

    Ids come from an AUTOINCREMENT column: they only grow and are never
    handed out twice, even after the newest record is deleted, so an O2G
    client that remembers an id can never act on a different record by
    mistake, and ``since_id`` paging never skips or repeats.
    """

    def __init__(self, db: Connection) -> None:
        self._db = db

    def append(self, record: CallRecord) -> int:
        """Store a new record (its ``id`` must be ``None``) and return the id it was given."""
        return self._db.insert(
            f"INSERT INTO call_record ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _columns(record),
        )

    def for_user(self, login: str, *, since_id: int | None = None, limit: int | None = None) -> list[CallRecord]:
        """``login``'s records, newest (highest id) first.

        ``since_id`` keeps only records stored after that one (ids greater
        than it); ``limit`` keeps at most that many of the newest.
        """
        after = 0 if since_id is None else min(max(row_id(since_id, "since_id"), 0), MAX_ROW_ID)
        most = -1 if limit is None else bounded(limit, "limit")
        rows = self._db.read(
            f"SELECT {_COLUMNS} FROM call_record WHERE login = ? AND id > ? ORDER BY id DESC LIMIT ?",
            (text(login, "login"), after, most),
        )
        return [_record(row) for row in rows]

    def oldest_unsettled_missed(self, login: str) -> int | None:
        """The id of ``login``'s oldest incoming, unanswered, unacknowledged
        record, or ``None``. Only records from that one on can change the
        missed-call counter, so its refresh after every call need not read
        (and decode) the whole log, which grows with every call."""
        return cast("int | None", self._db.scalar(
            "SELECT MIN(id) FROM call_record "
            "WHERE login = ? AND direction = 'incoming' AND answered = 0 AND acknowledged = 0",
            (text(login, "login"),),
        ))

    def ids_beyond(self, login: str, keep: int) -> list[int]:
        """The ids of ``login``'s records after the newest ``keep``, newest
        first: what a log capped at ``keep`` records must drop, found from
        the index alone instead of reading every record."""
        rows = self._db.read(
            "SELECT id FROM call_record WHERE login = ? ORDER BY id DESC LIMIT -1 OFFSET ?",
            (text(login, "login"), bounded(keep, "keep")),
        )
        return [row[0] for row in rows]

    def get(self, record_id: int) -> CallRecord | None:
        """The record with ``record_id``, whoever owns it, or ``None``."""
        if not possible_id(row_id(record_id, "record id")):
            return None
        rows = self._db.read(f"SELECT {_COLUMNS} FROM call_record WHERE id = ?", (record_id,))
        return _record(rows[0]) if rows else None

    def delete(self, login: str, record_ids: Iterable[int] | None = None) -> int:
        """Delete ``login``'s records with these ids (all of them for ``None``); how many went.

        Ids that are not ``login``'s are left alone: a user deletes only
        their own log.
        """
        if record_ids is None:
            cursor = self._db.write("DELETE FROM call_record WHERE login = ?", (text(login, "login"),))
        else:
            cursor = self._db.write(
                "DELETE FROM call_record WHERE login = ? AND id IN (SELECT value FROM json_each(?))",
                (text(login, "login"), id_list(record_ids, "record_ids")),
            )
        return cursor.rowcount

    def acknowledge(self, login: str, record_ids: Iterable[int], unacknowledged: bool = False) -> int:
        """Mark ``login``'s records acknowledged (or not, with ``unacknowledged``).

        Returns how many records changed state; acknowledging an already
        acknowledged record counts zero, so the caller can tell whether to
        emit a change event.
        """
        wanted = 1 - flag(unacknowledged, "unacknowledged")
        cursor = self._db.write(
            "UPDATE call_record SET acknowledged = ? "
            "WHERE login = ? AND acknowledged <> ? AND id IN (SELECT value FROM json_each(?))",
            (wanted, text(login, "login"), wanted, id_list(record_ids, "record_ids")),
        )
        return cursor.rowcount


def _columns(record: CallRecord) -> tuple[Any, ...]:
    """The checked column values (after the id) of a record about to be appended."""
    if not isinstance(record, CallRecord):
        raise StoreError(f"append takes a CallRecord, not {type(record).__name__}")
    if record.id is not None:
        raise StoreError(f"the store assigns call record ids; append one with id=None, not {record.id!r}")
    started_at = instant(record.started_at, "started_at")
    ended_at = instant(record.ended_at, "ended_at")
    if ended_at < started_at:
        raise StoreError(f"ended_at ({ended_at}) is before started_at ({started_at})")
    return (
        text(record.login, "login"),
        text(record.call_ref, "call_ref", empty=True),
        started_at,
        ended_at,
        flag(record.answered, "answered"),
        choice(record.direction, DIRECTIONS, "direction"),
        text(record.reason, "reason", empty=True),
        flag(record.acknowledged, "acknowledged"),
        json_object_list(record.parties, "parties"),
    )


def _record(row: tuple[Any, ...]) -> CallRecord:
    """A ``call_record`` row (in ``_COLUMNS`` order) as a CallRecord."""
    record_id, login, call_ref, started_at, ended_at, answered, direction, reason, acknowledged, parties = row
    return CallRecord(
        id=record_id,
        login=login,
        call_ref=call_ref,
        started_at=started_at,
        ended_at=ended_at,
        answered=bool(answered),
        direction=direction,
        reason=reason,
        acknowledged=bool(acknowledged),
        parties=cast("list[dict[str, JsonValue]]", from_json(parties)),
    )
