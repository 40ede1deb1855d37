"""The store's one SQLite connection, speaking StoreError instead of sqlite3 errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from .errors import StoreError

Params = Sequence[Any]


class Connection:
    """A sqlite3 connection in autocommit mode, shared by the repositories.

    The connection is opened with ``isolation_level=None``, so a single
    ``write`` is its own transaction and is committed (and, with
    ``synchronous=FULL``, on disk) by the time it returns: the caller may
    acknowledge as soon as the call comes back. Work that needs several
    statements to land together uses :meth:`transaction`.
    """

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw
        self._closed = False

    def write(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one changing statement; a failure leaves the database as it was."""
        return self._execute(sql, params)

    def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT and return the rowid SQLite gave the new row."""
        # lastrowid is typed Optional, but every successful INSERT sets it.
        return cast(int, self._execute(sql, params).lastrowid)

    def read(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Run one query and return all its rows."""
        cursor = self._execute(sql, params)
        try:
            return cursor.fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"database error: {exc}") from exc

    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row of a query (``None`` if no row)."""
        rows = self.read(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group statements into one transaction, rolled back if anything inside raises.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so two processes
        opening the same folder at once cannot both decide to apply the same
        migration.
        """
        self._execute("BEGIN IMMEDIATE", ())
        try:
            yield
            self._execute("COMMIT", ())
        except BaseException:
            if self._raw.in_transaction:
                self._raw.rollback()
            raise

    def close(self) -> None:
        """Close the connection; later calls raise StoreError. Closing twice is harmless."""
        if not self._closed:
            self._closed = True
            self._raw.close()

    def _execute(self, sql: str, params: Params) -> sqlite3.Cursor:
        if self._closed:
            raise StoreError("the store is closed")
        try:
            return self._raw.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"database error: {exc}") from exc
