"""Opening, configuring, migrating and closing the SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ctiswitch.store import DATABASE_FILE, Store, StoreError, open_store
from ctiswitch.store.connection import Connection
from ctiswitch.store.schema import MIGRATIONS, migrate, schema_version


def raw_connection(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)


def tables(data_dir: Path) -> set[str]:
    connection = raw_connection(data_dir)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        connection.close()
    return {name for (name,) in rows}


def test_open_creates_the_folder_and_the_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    with open_store(data_dir) as store:
        assert store.path == data_dir / DATABASE_FILE
        assert store.path.is_file()


def test_connection_is_set_up_for_durability(store: Store) -> None:
    db = store._db
    assert db.scalar("PRAGMA journal_mode") == "wal"
    assert db.scalar("PRAGMA synchronous") == 2  # FULL
    assert db.scalar("PRAGMA foreign_keys") == 1


def test_migration_from_an_empty_file(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / DATABASE_FILE).touch()
    with open_store(data_dir) as store:
        assert schema_version(store._db) == len(MIGRATIONS)
    assert {"setting", "call_record", "message", "callback"} <= tables(data_dir)


def test_reopening_is_idempotent_and_keeps_the_data(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        store.settings.put("user:1001", "dnd", True)
    before = tables(data_dir)
    for _ in range(3):
        with open_store(data_dir) as store:
            assert schema_version(store._db) == len(MIGRATIONS)
            assert store.settings.get("user:1001", "dnd") is True
    assert tables(data_dir) == before


def test_migrate_applies_new_steps_in_order_and_keeps_existing_rows(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        store.settings.put("user:1001", "dnd", True)
    later = (
        *MIGRATIONS,
        ("CREATE TABLE extra (n INTEGER)", "INSERT INTO extra VALUES (1)"),
        ("INSERT INTO extra SELECT n + 1 FROM extra",),
    )
    db = Connection(raw_connection(data_dir))
    try:
        assert migrate(db, later) == len(MIGRATIONS) + 2
        assert db.read("SELECT n FROM extra ORDER BY n") == [(1,), (2,)]
        assert migrate(db, later) == len(MIGRATIONS) + 2
        assert db.read("SELECT n FROM extra ORDER BY n") == [(1,), (2,)]
        assert db.read("SELECT scope, key, value FROM setting") == [("user:1001", "dnd", "true")]
    finally:
        db.close()


def test_a_failing_step_leaves_the_previous_version_untouched(data_dir: Path) -> None:
    open_store(data_dir).close()
    broken = (*MIGRATIONS, ("CREATE TABLE half (n INTEGER)", "THIS IS NOT SQL"))
    db = Connection(raw_connection(data_dir))
    try:
        with pytest.raises(StoreError, match="syntax error"):
            migrate(db, broken)
        assert schema_version(db) == len(MIGRATIONS)
    finally:
        db.close()
    assert "half" not in tables(data_dir)


def test_a_database_from_a_newer_ctiswitch_is_refused(data_dir: Path) -> None:
    open_store(data_dir).close()
    connection = raw_connection(data_dir)
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer ctiswitch"):
        open_store(data_dir)


def test_a_file_that_is_not_a_database_is_refused(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / DATABASE_FILE).write_bytes(b"this is not a database, just text. " * 100)
    with pytest.raises(StoreError, match="not a database"):
        open_store(data_dir)


def test_a_data_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("in the way")
    with pytest.raises(StoreError, match="data folder"):
        open_store(blocker)


def test_a_closed_store_refuses_calls_and_closes_twice_quietly(data_dir: Path) -> None:
    store = open_store(data_dir)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.settings.get("user:1001", "dnd")
    with pytest.raises(StoreError, match="closed"):
        store.callbacks.delete_all("1001")


def test_check_constraints_reject_rows_that_bypass_the_python_checks(store: Store) -> None:
    with pytest.raises(StoreError, match="CHECK constraint failed"):
        store._db.write(
            "INSERT INTO message (login, kind, sender, created_at, read, body) VALUES (?, ?, ?, ?, ?, ?)",
            ("1001", "fax", "1002", 0.0, 0, "{}"),
        )
    with pytest.raises(StoreError, match="CHECK constraint failed"):
        store._db.write("INSERT INTO setting (scope, key, value) VALUES ('user:1', 'k', 'not json')")
    assert store._db.scalar("SELECT count(*) FROM message") == 0
    assert store._db.scalar("SELECT count(*) FROM setting") == 0


def test_a_transaction_rolls_back_everything_when_one_statement_fails(store: Store) -> None:
    with pytest.raises(StoreError), store._db.transaction():
        store._db.write("INSERT INTO setting (scope, key, value) VALUES ('user:1', 'a', '1')")
        store._db.write("INSERT INTO setting (scope, key, value) VALUES ('user:1', 'b', 'bad json')")
    assert store.settings.all() == {}
