"""Mailboxes: voicemail and mini messages."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from ctiswitch.store import Message, Store, StoreError, open_store


def voicemail(login: str = "1001", **changes: Any) -> Message:
    fields: dict[str, Any] = {
        "id": None,
        "login": login,
        "kind": "voicemail",
        "sender": "1002",
        "created_at": 1_700_000_000.5,
        "read": False,
        "body": {"duration": 12, "file": "vm-1.wav", "high_priority": False},
    }
    fields.update(changes)
    return Message(**fields)


def mini(login: str = "1001", text: str = "call me", **changes: Any) -> Message:
    return voicemail(login, kind="mini", body={"text": text}, **changes)


def test_add_get_and_list_newest_first(store: Store) -> None:
    first = store.messages.add(voicemail())
    second = store.messages.add(mini(text="où es-tu ? \U0001f600"))
    other = store.messages.add(mini(login="1002"))
    assert 0 < first < second < other
    assert store.messages.get(first) == voicemail(id=first)
    assert store.messages.get(second) == mini(id=second, text="où es-tu ? \U0001f600")
    assert [m.id for m in store.messages.for_user("1001")] == [second, first]
    assert [m.id for m in store.messages.for_user("1001", kind="voicemail")] == [first]
    assert [m.id for m in store.messages.for_user("1001", kind="mini")] == [second]
    assert store.messages.for_user("9999") == []


def test_update_marks_read_and_unread(store: Store) -> None:
    message_id = store.messages.add(voicemail())
    assert store.messages.update(message_id, read=True) is True
    assert store.messages.get(message_id) == voicemail(id=message_id, read=True)
    assert store.messages.update(message_id) is True
    assert store.messages.get(message_id) == voicemail(id=message_id, read=True)
    assert store.messages.update(message_id, read=False) is True
    assert store.messages.get(message_id) == voicemail(id=message_id, read=False)
    assert store.messages.update(message_id + 1, read=True) is False
    assert store.messages.update(-1, read=True) is False


def test_delete_reports_whether_there_was_a_message(store: Store) -> None:
    keep = store.messages.add(voicemail())
    drop = store.messages.add(voicemail())
    assert store.messages.delete(drop) is True
    assert store.messages.delete(drop) is False
    assert store.messages.delete(2**80) is False
    assert store.messages.get(drop) is None
    assert [m.id for m in store.messages.for_user("1001")] == [keep]


def test_ids_are_never_reused(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        newest = store.messages.add(mini())
        store.messages.delete(newest)
    with open_store(data_dir) as store:
        assert store.messages.add(mini()) > newest


def test_messages_survive_a_reopen(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        written = voicemail(read=True)
        message_id = store.messages.add(written)
    with open_store(data_dir) as store:
        assert store.messages.for_user("1001") == [dataclasses.replace(written, id=message_id)]


@pytest.mark.parametrize(
    ("message", "complaint"),
    [
        (voicemail(id=3), "store assigns message ids"),
        (voicemail(kind="fax"), "kind must be one of"),
        (voicemail(login=""), "login must not be empty"),
        (voicemail(sender=None), "sender must be a string"),
        (voicemail(read=0), "read must be a bool"),
        (voicemail(created_at=None), "created_at must be a number"),
        (voicemail(body=["text"]), "body must be a dict"),
        (voicemail(body={"duration": {1, 2}}), r"body\['duration'\] is a set"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_written(store: Store, message: Message, complaint: str) -> None:
    with pytest.raises(StoreError, match=complaint):
        store.messages.add(message)
    assert store._db.scalar("SELECT count(*) FROM message") == 0


def test_bad_arguments_are_refused(store: Store) -> None:
    message_id = store.messages.add(mini())
    with pytest.raises(StoreError, match="add takes a Message"):
        store.messages.add(object())  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="kind must be one of"):
        store.messages.for_user("1001", kind="email")
    with pytest.raises(StoreError, match="read must be a bool"):
        store.messages.update(message_id, read="yes")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="message id must be an int"):
        store.messages.delete(str(message_id))  # type: ignore[arg-type]
    assert store.messages.get(message_id) == mini(id=message_id)
