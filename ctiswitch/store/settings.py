"""Run-time configuration overrides (forwarding, DND, group members, ...)."""

from __future__ import annotations

from .connection import Connection
from .records import JsonValue
from .values import from_json, text, to_json


class Settings:
    """One JSON value per ``(scope, key)``, laid over the YAML company at start-up.

    Scopes name what a value belongs to (``user:1001``, ``group:3000``), keys
    name the setting (``routing``, ``dnd``, ``password``, ``preferences``,
    ``members``). A key that is absent means "no override: the YAML value
    stands". A stored JSON ``null`` is an override like any other (for
    example "forwarding cleared"), which is why :meth:`get` takes a default
    and :meth:`scope` and :meth:`all` list it.
    """

    def __init__(self, db: Connection) -> None:
        self._db = db

    def put(self, scope: str, key: str, value: JsonValue) -> None:
        """Store ``value`` for ``(scope, key)``, replacing any previous one."""
        self._db.write(
            "INSERT INTO setting (scope, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
            (
                text(scope, "setting scope"),
                text(key, "setting key"),
                to_json(value, f"setting {scope}/{key}"),
            ),
        )

    def get(self, scope: str, key: str, default: JsonValue = None) -> JsonValue:
        """The value stored for ``(scope, key)``, or ``default`` if there is none."""
        rows = self._db.read(
            "SELECT value FROM setting WHERE scope = ? AND key = ?",
            (text(scope, "setting scope"), text(key, "setting key")),
        )
        return from_json(rows[0][0]) if rows else default

    def delete(self, scope: str, key: str) -> bool:
        """Drop the override for ``(scope, key)``; whether there was one."""
        cursor = self._db.write(
            "DELETE FROM setting WHERE scope = ? AND key = ?",
            (text(scope, "setting scope"), text(key, "setting key")),
        )
        return cursor.rowcount > 0

    def all(self) -> dict[tuple[str, str], JsonValue]:
        """Every override, keyed by ``(scope, key)``, in scope then key order."""
        rows = self._db.read("SELECT scope, key, value FROM setting ORDER BY scope, key")
        return {(scope, key): from_json(value) for scope, key, value in rows}

    def scope(self, scope: str) -> dict[str, JsonValue]:
        """The overrides of one scope, keyed by key, in key order."""
        rows = self._db.read(
            "SELECT key, value FROM setting WHERE scope = ? ORDER BY key",
            (text(scope, "setting scope"),),
        )
        return {key: from_json(value) for key, value in rows}
