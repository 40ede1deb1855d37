"""The communication log: append, per-user listing, paging, delete, acknowledge."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest

from ctiswitch.store import CallRecord, Store, StoreError, open_store


def record(login: str = "1001", **changes: Any) -> CallRecord:
    """A finished, answered incoming call for ``login``, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "id": None,
        "login": login,
        "call_ref": "call-1",
        "started_at": 1_700_000_000.25,
        "ended_at": 1_700_000_042.5,
        "answered": True,
        "direction": "incoming",
        "reason": "normal",
        "acknowledged": False,
        "parties": [{"role": "caller", "number": "+33123456789", "name": {"first": "Ann", "last": "Lee"}}],
    }
    fields.update(changes)
    return CallRecord(**fields)


def ids(records: list[CallRecord]) -> list[int | None]:
    return [r.id for r in records]


def test_append_returns_increasing_positive_ids_and_get_round_trips(store: Store) -> None:
    first = store.call_log.append(record(call_ref="a"))
    second = store.call_log.append(record(login="1002", call_ref="b", direction="outgoing", answered=False))
    assert 0 < first < second
    assert store.call_log.get(first) == record(id=first, call_ref="a")
    assert store.call_log.get(second) == record(
        id=second, login="1002", call_ref="b", direction="outgoing", answered=False
    )


def test_for_user_lists_only_that_users_records_newest_first(store: Store) -> None:
    mine = [store.call_log.append(record(call_ref=f"c{n}")) for n in range(4)]
    store.call_log.append(record(login="1002"))
    assert ids(store.call_log.for_user("1001")) == mine[::-1]
    assert [r.call_ref for r in store.call_log.for_user("1001")] == ["c3", "c2", "c1", "c0"]
    assert store.call_log.for_user("9999") == []


def test_since_id_and_limit_page_through_the_log(store: Store) -> None:
    mine = [store.call_log.append(record()) for _ in range(5)]
    assert ids(store.call_log.for_user("1001", since_id=mine[1])) == mine[:1:-1]
    assert ids(store.call_log.for_user("1001", limit=2)) == [mine[4], mine[3]]
    assert ids(store.call_log.for_user("1001", since_id=mine[1], limit=2)) == [mine[4], mine[3]]
    assert ids(store.call_log.for_user("1001", since_id=mine[4])) == []
    assert ids(store.call_log.for_user("1001", limit=0)) == []
    assert ids(store.call_log.for_user("1001", since_id=-5, limit=2**80)) == mine[::-1]
    assert ids(store.call_log.for_user("1001", since_id=2**80)) == []


def test_ids_beyond_keep_are_the_older_records_newest_first(store: Store) -> None:
    mine = [store.call_log.append(record()) for _ in range(5)]
    store.call_log.append(record(login="1002"))
    assert store.call_log.ids_beyond("1001", 2) == mine[2::-1]
    assert store.call_log.ids_beyond("1001", 5) == []
    assert store.call_log.ids_beyond("9999", 0) == []


def test_oldest_unsettled_missed_is_the_oldest_unanswered_unacknowledged_incoming(store: Store) -> None:
    store.call_log.append(record(answered=False, acknowledged=True))
    store.call_log.append(record(answered=False, direction="outgoing"))
    assert store.call_log.oldest_unsettled_missed("1001") is None
    first = store.call_log.append(record(answered=False))
    store.call_log.append(record(answered=False))
    store.call_log.append(record(login="1002", answered=False))
    assert store.call_log.oldest_unsettled_missed("1001") == first
    assert store.call_log.oldest_unsettled_missed("9999") is None


def test_get_of_an_unknown_or_impossible_id_is_none(store: Store) -> None:
    store.call_log.append(record())
    assert store.call_log.get(999) is None
    assert store.call_log.get(0) is None
    assert store.call_log.get(-1) is None
    assert store.call_log.get(2**80) is None


def test_delete_some_or_all_of_one_users_records(store: Store) -> None:
    mine = [store.call_log.append(record()) for _ in range(4)]
    theirs = store.call_log.append(record(login="1002"))
    assert store.call_log.delete("1001", [mine[0], mine[2], theirs, 12345, -1, 2**80]) == 2
    assert ids(store.call_log.for_user("1001")) == [mine[3], mine[1]]
    assert store.call_log.delete("1001", []) == 0
    assert store.call_log.delete("1001") == 2
    assert store.call_log.for_user("1001") == []
    assert ids(store.call_log.for_user("1002")) == [theirs]


def test_ids_are_never_reused_even_after_deleting_the_newest_and_reopening(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        newest = max(store.call_log.append(record()) for _ in range(3))
        store.call_log.delete("1001")
        again = store.call_log.append(record())
        assert again > newest
        store.call_log.delete("1001", [again])
    with open_store(data_dir) as store:
        assert store.call_log.append(record()) > again


def test_acknowledge_and_unacknowledge_count_only_real_changes(store: Store) -> None:
    mine = [store.call_log.append(record()) for _ in range(3)]
    theirs = store.call_log.append(record(login="1002"))
    assert store.call_log.acknowledge("1001", [mine[0], mine[1], theirs]) == 2
    assert store.call_log.acknowledge("1001", [mine[0], mine[1]]) == 0
    assert [r.acknowledged for r in store.call_log.for_user("1001")] == [False, True, True]
    assert store.call_log.get(theirs) == record(id=theirs, login="1002")
    assert store.call_log.acknowledge("1001", mine, unacknowledged=True) == 2
    assert [r.acknowledged for r in store.call_log.for_user("1001")] == [False, False, False]
    assert store.call_log.acknowledge("1001", {mine[2]}) == 1


def test_a_large_id_list_is_one_statement(store: Store) -> None:
    mine = [store.call_log.append(record()) for _ in range(3)]
    many = list(range(1, 50_001))
    assert store.call_log.acknowledge("1001", many) == 3
    assert store.call_log.delete("1001", many) == len(mine)


def test_parties_and_flags_round_trip(store: Store) -> None:
    parties = [
        {"role": "caller", "number": "1002", "tags": ["vip", None, 3.5], "nested": {"a": {"b": []}}},
        {},
    ]
    written = record(parties=parties, acknowledged=True, answered=False, call_ref="", reason="")
    record_id = store.call_log.append(written)
    assert store.call_log.get(record_id) == dataclasses.replace(written, id=record_id)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"id": 7}, "store assigns call record ids"),
        ({"login": ""}, "login must not be empty"),
        ({"login": 1001}, "login must be a string"),
        ({"call_ref": None}, "call_ref must be a string"),
        ({"direction": "sideways"}, "direction must be one of"),
        ({"answered": 1}, "answered must be a bool"),
        ({"acknowledged": "no"}, "acknowledged must be a bool"),
        ({"started_at": "yesterday"}, "started_at must be a number"),
        ({"ended_at": math.nan}, "ended_at must be finite"),
        ({"started_at": 10**400}, "started_at is out of range"),
        ({"ended_at": 1_600_000_000.0}, "ended_at .* is before started_at"),
        ({"parties": {"role": "caller"}}, "parties must be a list of dicts"),
        ({"parties": ["1002"]}, r"parties\[0\] must be a dict"),
        ({"parties": [{"when": math.inf}]}, r"parties\[0\]\['when'\] is inf"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(store: Store, changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(StoreError, match=complaint):
        store.call_log.append(record(**changes))
    assert store.call_log.for_user("1001") == []
    assert store._db.scalar("SELECT count(*) FROM call_record") == 0


def test_bad_arguments_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="append takes a CallRecord"):
        store.call_log.append({"login": "1001"})  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="record id must be an int"):
        store.call_log.get("1")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="record_ids must be a collection of ints"):
        store.call_log.delete("1001", "123")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="each of record_ids must be an int"):
        store.call_log.acknowledge("1001", [1, True])
    with pytest.raises(StoreError, match="limit must not be negative"):
        store.call_log.for_user("1001", limit=-1)
    with pytest.raises(StoreError, match="since_id must be an int"):
        store.call_log.for_user("1001", since_id=1.5)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="unacknowledged must be a bool"):
        store.call_log.acknowledge("1001", [1], unacknowledged=None)  # type: ignore[arg-type]
