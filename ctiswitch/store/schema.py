"""The database schema, as an ordered list of migration steps.

``PRAGMA user_version`` records how many steps a database file has had.
Opening a file applies the missing ones in order, each in its own
transaction together with the version bump, so a crash mid-migration leaves
the file at the previous version, never in between. A step, once released,
is never edited: a schema change is a new step appended to ``MIGRATIONS``.

The CHECK constraints repeat what :mod:`ctiswitch.store.values` enforces in
Python. They are the last line, for rows written by some other hand (an
operator with the sqlite3 shell, a future migration).
"""

from __future__ import annotations

from collections.abc import Sequence

from .connection import Connection
from .errors import StoreError

Migration = Sequence[str]
"""One migration step: SQL statements applied together."""

MIGRATIONS: Sequence[Migration] = (
    # 1: settings overrides, communication log, messages, callbacks.
    (
        """
        CREATE TABLE setting (
            scope TEXT NOT NULL CHECK (scope <> ''),
            key   TEXT NOT NULL CHECK (key <> ''),
            value TEXT NOT NULL CHECK (json_valid(value)),
            PRIMARY KEY (scope, key)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE call_record (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            login        TEXT NOT NULL CHECK (login <> ''),
            call_ref     TEXT NOT NULL,
            started_at   REAL NOT NULL,
            ended_at     REAL NOT NULL,
            answered     INTEGER NOT NULL CHECK (answered IN (0, 1)),
            direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
            reason       TEXT NOT NULL,
            acknowledged INTEGER NOT NULL CHECK (acknowledged IN (0, 1)),
            parties      TEXT NOT NULL CHECK (json_valid(parties) AND json_type(parties) = 'array'),
            CHECK (ended_at >= started_at)
        )
        """,
        "CREATE INDEX call_record_by_login ON call_record (login, id)",
        """
        CREATE TABLE message (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            login      TEXT NOT NULL CHECK (login <> ''),
            kind       TEXT NOT NULL CHECK (kind IN ('voicemail', 'mini')),
            sender     TEXT NOT NULL,
            created_at REAL NOT NULL,
            read       INTEGER NOT NULL CHECK (read IN (0, 1)),
            body       TEXT NOT NULL CHECK (json_valid(body) AND json_type(body) = 'object')
        )
        """,
        "CREATE INDEX message_by_login ON message (login, id)",
        """
        CREATE TABLE callback (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            login       TEXT NOT NULL CHECK (login <> ''),
            caller      TEXT NOT NULL CHECK (caller <> ''),
            caller_name TEXT,
            created_at  REAL NOT NULL
        )
        """,
        "CREATE INDEX callback_by_login ON callback (login, id)",
    ),
)


def schema_version(db: Connection) -> int:
    """How many migration steps the open database has had."""
    version: int = db.scalar("PRAGMA user_version")
    return version


def migrate(db: Connection, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to ``len(steps)`` and return that version.

    Each step runs in its own ``BEGIN IMMEDIATE`` transaction and re-reads the
    version inside it, so a second process migrating the same file at the
    same moment waits and then finds nothing left to do. A file from a newer
    ctiswitch (a version beyond ``len(steps)``) is refused rather than
    written by code that does not know its shape.
    """
    target = len(steps)
    current = schema_version(db)
    if current > target:
        raise StoreError(
            f"the database has schema version {current}, but this ctiswitch "
            f"knows only up to {target}; use a newer ctiswitch or another data folder"
        )
    for number, step in enumerate(steps[current:], start=current + 1):
        with db.transaction():
            if schema_version(db) >= number:
                continue
            for statement in step:
                db.write(statement)
            db.write(f"PRAGMA user_version = {number}")
    return target
