"""Callback requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ctiswitch.store import Callback, Store, StoreError, open_store


def callback(login: str = "1001", **changes: Any) -> Callback:
    fields: dict[str, Any] = {
        "id": None,
        "login": login,
        "caller": "+33123456789",
        "caller_name": "Ann Lee",
        "created_at": 1_700_000_000.0,
    }
    fields.update(changes)
    return Callback(**fields)


def test_add_and_list_newest_first(store: Store) -> None:
    first = store.callbacks.add(callback())
    second = store.callbacks.add(callback(caller="1003", caller_name=None))
    other = store.callbacks.add(callback(login="1002"))
    assert 0 < first < second < other
    assert store.callbacks.for_user("1001") == [
        callback(id=second, caller="1003", caller_name=None),
        callback(id=first),
    ]
    assert store.callbacks.for_user("1002") == [callback(id=other, login="1002")]


def test_delete_one_and_delete_all(store: Store) -> None:
    ids = [store.callbacks.add(callback()) for _ in range(3)]
    theirs = store.callbacks.add(callback(login="1002"))
    assert store.callbacks.delete(ids[1]) is True
    assert store.callbacks.delete(ids[1]) is False
    assert store.callbacks.delete(0) is False
    assert [c.id for c in store.callbacks.for_user("1001")] == [ids[2], ids[0]]
    assert store.callbacks.delete_all("1001") == 2
    assert store.callbacks.delete_all("1001") == 0
    assert [c.id for c in store.callbacks.for_user("1002")] == [theirs]


def test_ids_are_never_reused(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        newest = store.callbacks.add(callback())
        store.callbacks.delete_all("1001")
    with open_store(data_dir) as store:
        assert store.callbacks.add(callback()) > newest


@pytest.mark.parametrize(
    ("request_", "complaint"),
    [
        (callback(id=1), "store assigns callback ids"),
        (callback(login=""), "login must not be empty"),
        (callback(caller=""), "caller must not be empty"),
        (callback(caller_name=42), "caller_name must be a string"),
        (callback(created_at=True), "created_at must be a number"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(store: Store, request_: Callback, complaint: str) -> None:
    with pytest.raises(StoreError, match=complaint):
        store.callbacks.add(request_)
    assert store._db.scalar("SELECT count(*) FROM callback") == 0


def test_bad_arguments_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="add takes a Callback"):
        store.callbacks.add(None)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="callback id must be an int"):
        store.callbacks.delete(1.0)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="login must be a string"):
        store.callbacks.delete_all(None)  # type: ignore[arg-type]
