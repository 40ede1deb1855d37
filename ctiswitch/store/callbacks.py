"""Callback requests left for users."""

from __future__ import annotations

from typing import Any

from .connection import Connection
from .errors import StoreError
from .records import Callback
from .values import instant, possible_id, row_id, text

_COLUMNS = "id, login, caller, caller_name, created_at"


class Callbacks:
    """Callback requests, each owned by the ``login`` asked to call back.

    Ids are never reused (AUTOINCREMENT), for the same reason as messages.
    """

    def __init__(self, db: Connection) -> None:
        self._db = db

    def add(self, callback: Callback) -> int:
        """Store a new request (its ``id`` must be ``None``) and return the id it was given."""
        return self._db.insert(
            f"INSERT INTO callback ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?)",
            _columns(callback),
        )

    def for_user(self, login: str) -> list[Callback]:
        """``login``'s callback requests, newest (highest id) first."""
        rows = self._db.read(
            f"SELECT {_COLUMNS} FROM callback WHERE login = ? ORDER BY id DESC",
            (text(login, "login"),),
        )
        return [_callback(row) for row in rows]

    def delete(self, callback_id: int) -> bool:
        """Delete one request; whether there was one."""
        if not possible_id(row_id(callback_id, "callback id")):
            return False
        cursor = self._db.write("DELETE FROM callback WHERE id = ?", (callback_id,))
        return cursor.rowcount > 0

    def delete_all(self, login: str) -> int:
        """Delete all of ``login``'s requests; how many went."""
        cursor = self._db.write("DELETE FROM callback WHERE login = ?", (text(login, "login"),))
        return cursor.rowcount


def _columns(callback: Callback) -> tuple[Any, ...]:
    """The checked column values (after the id) of a request about to be added."""
    if not isinstance(callback, Callback):
        raise StoreError(f"add takes a Callback, not {type(callback).__name__}")
    if callback.id is not None:
        raise StoreError(f"the store assigns callback ids; add one with id=None, not {callback.id!r}")
    return (
        text(callback.login, "login"),
        text(callback.caller, "caller"),
        None if callback.caller_name is None else text(callback.caller_name, "caller_name", empty=True),
        instant(callback.created_at, "created_at"),
    )


def _callback(row: tuple[Any, ...]) -> Callback:
    """A ``callback`` row (in ``_COLUMNS`` order) as a Callback."""
    callback_id, login, caller, caller_name, created_at = row
    return Callback(id=callback_id, login=login, caller=caller, caller_name=caller_name, created_at=created_at)
