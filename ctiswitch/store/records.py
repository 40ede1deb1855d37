"""The records the store keeps, as plain dataclasses.

They are frozen: a record read back from the store is a snapshot, and a
caller that wants a changed copy says so with ``dataclasses.replace``. The
``id`` of a record not yet stored is ``None``; the store assigns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
"""A value that survives a JSON round trip unchanged."""

DIRECTIONS = frozenset({"incoming", "outgoing"})
"""The directions a communication log record can have."""

MESSAGE_KINDS = frozenset({"voicemail", "mini"})
"""Voicemail, and O2G mini messages (short texts between users)."""


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One O2G communication log entry, as seen by one user.

    A call between two users gives two records, one per ``login``, because
    each user acknowledges and deletes their own. ``parties`` is kept as JSON
    and its shape belongs to the O2G face.
    """

    id: int | None
    login: str
    call_ref: str
    started_at: float
    ended_at: float
    answered: bool
    direction: str
    reason: str
    acknowledged: bool
    parties: list[dict[str, JsonValue]]


@dataclass(frozen=True, slots=True)
class Message:
    """A voicemail or a mini message in ``login``'s mailbox.

    ``body`` is JSON: ``{"duration": ..., ...}`` for voicemail, ``{"text": ...}``
    for a mini message.
    """

    id: int | None
    login: str
    kind: str
    sender: str
    created_at: float
    read: bool
    body: dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class Callback:
    """A request from ``caller`` that ``login`` call them back."""

    id: int | None
    login: str
    caller: str
    caller_name: str | None
    created_at: float
