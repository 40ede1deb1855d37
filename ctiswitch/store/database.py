"""Opening the store: one SQLite file in the data folder."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from .call_log import CallLog
from .callbacks import Callbacks
from .connection import Connection
from .errors import StoreError
from .messages import Messages
from .schema import migrate
from .settings import Settings

DATABASE_FILE = "ctiswitch.sqlite3"

BUSY_TIMEOUT_SECONDS = 5.0
"""How long a write waits for another process (say an operator's sqlite3 shell) to let go."""


class Store:
    """Everything the switch keeps across restarts, one repository per kind of record.

    Every write method is one committed transaction: when it returns, the
    record is on disk and the caller may acknowledge it. Inside
    `transaction()` the writes are committed together when the block ends. Not thread-safe by
    design; the switch calls it from its one asyncio thread.
    """

    def __init__(self, path: Path, db: Connection) -> None:
        self.path = path
        self.settings = Settings(db)
        self.call_log = CallLog(db)
        self.messages = Messages(db)
        self.callbacks = Callbacks(db)
        self._db = db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make the writes inside one transaction, committed (one fsync) when
        the block ends and rolled back whole if it raises."""
        with self._db.transaction():
            yield

    def close(self) -> None:
        """Close the database; later calls raise StoreError. Closing twice is harmless."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(data_dir: Path) -> Store:
    """Open (creating if needed) ``data_dir/ctiswitch.sqlite3`` and bring its schema up to date.

    The connection is set up for durability first:

    - ``journal_mode=WAL``: a commit appends to the write-ahead log instead of
      rewriting pages in place, so a process killed mid-write leaves at worst
      an incomplete log tail that SQLite discards on the next open; readers
      (an operator's sqlite3 shell) never block the switch.
    - ``synchronous=FULL``: every commit fsyncs the log before returning. A
      ``kill -9`` alone loses nothing once the write() reached the OS, but in
      WAL mode the default ``NORMAL`` fsyncs only at checkpoints, so a power
      cut or kernel crash could still drop commits the switch had already
      acknowledged to a client. FULL makes "the call returned" mean "it is on
      disk". (On macOS fsync stops at the drive cache; ``fullfsync`` would go
      further at a cost of tens of milliseconds a write, and is not set.)
    - ``foreign_keys=ON``: SQLite leaves them off per connection by default;
      on from the start, no migration can add a reference that goes unchecked.
    """
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {data_dir}: {exc}") from exc
    path = data_dir / DATABASE_FILE
    try:
        raw = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    db = Connection(raw)
    try:
        db.read("PRAGMA journal_mode = WAL")
        db.write("PRAGMA synchronous = FULL")
        db.write("PRAGMA foreign_keys = ON")
        migrate(db)
    except StoreError as exc:
        db.close()
        raise StoreError(f"cannot open {path}: {exc}") from exc
    return Store(path, db)
