"""Mailboxes: voicemail and O2G mini messages."""

from __future__ import annotations

from typing import Any, cast

from .connection import Connection
from .errors import StoreError
from .records import MESSAGE_KINDS, JsonValue, Message
from .values import choice, flag, from_json, instant, json_object, possible_id, row_id, text

_COLUMNS = "id, login, kind, sender, created_at, read, body"


class Messages:
    """Messages in each user's mailbox.

    Ids are never reused (AUTOINCREMENT), so a client holding the id of a
    deleted message cannot mark or delete someone else's by accident.
    """

    def __init__(self, db: Connection) -> None:
        self._db = db

    def add(self, message: Message) -> int:
        """Store a new message (its ``id`` must be ``None``) and return the id it was given."""
        return self._db.insert(
            f"INSERT INTO message ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?)",
            _columns(message),
        )

    def for_user(self, login: str, kind: str | None = None) -> list[Message]:
        """``login``'s messages, of one ``kind`` or all, newest (highest id) first."""
        if kind is None:
            rows = self._db.read(
                f"SELECT {_COLUMNS} FROM message WHERE login = ? ORDER BY id DESC",
                (text(login, "login"),),
            )
        else:
            rows = self._db.read(
                f"SELECT {_COLUMNS} FROM message WHERE login = ? AND kind = ? ORDER BY id DESC",
                (text(login, "login"), choice(kind, MESSAGE_KINDS, "kind")),
            )
        return [_message(row) for row in rows]

    def get(self, message_id: int) -> Message | None:
        """The message with ``message_id``, or ``None``; a face checks its owner with it."""
        if not possible_id(row_id(message_id, "message id")):
            return None
        rows = self._db.read(f"SELECT {_COLUMNS} FROM message WHERE id = ?", (message_id,))
        return _message(rows[0]) if rows else None

    def update(self, message_id: int, *, read: bool | None = None) -> bool:
        """Change the given fields of a message (``None`` leaves one as it is); whether it exists."""
        if not possible_id(row_id(message_id, "message id")):
            return False
        new_read = None if read is None else flag(read, "read")
        cursor = self._db.write(
            "UPDATE message SET read = coalesce(?, read) WHERE id = ?",
            (new_read, message_id),
        )
        return cursor.rowcount > 0

    def delete(self, message_id: int) -> bool:
        """Delete a message; whether there was one."""
        if not possible_id(row_id(message_id, "message id")):
            return False
        cursor = self._db.write("DELETE FROM message WHERE id = ?", (message_id,))
        return cursor.rowcount > 0


def _columns(message: Message) -> tuple[Any, ...]:
    """The checked column values (after the id) of a message about to be added."""
    if not isinstance(message, Message):
        raise StoreError(f"add takes a Message, not {type(message).__name__}")
    if message.id is not None:
        raise StoreError(f"the store assigns message ids; add one with id=None, not {message.id!r}")
    return (
        text(message.login, "login"),
        choice(message.kind, MESSAGE_KINDS, "kind"),
        text(message.sender, "sender", empty=True),
        instant(message.created_at, "created_at"),
        flag(message.read, "read"),
        json_object(message.body, "body"),
    )


def _message(row: tuple[Any, ...]) -> Message:
    """A ``message`` row (in ``_COLUMNS`` order) as a Message."""
    message_id, login, kind, sender, created_at, read, body = row
    return Message(
        id=message_id,
        login=login,
        kind=kind,
        sender=sender,
        created_at=created_at,
        read=bool(read),
        body=cast("dict[str, JsonValue]", from_json(body)),
    )
