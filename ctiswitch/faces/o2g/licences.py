"""O2G licence counting (o2g.md §1.6) from ``board.company.licenses``.

A licence of a given name is held per user: the first session that uses a
licensed service for a user takes one, further sessions acting for the same
user share it, and it is released when the last of them closes. A name the
company does not list has a count of 0, so every request needing it is
refused, as on a server where that licence is not installed.
"""
from __future__ import annotations

from collections.abc import Mapping


class Licences:
    """Counts and current holders of each licence name."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = dict(counts)
        #: licence name -> user login -> tokens of the sessions holding it.
        self._holders: dict[str, dict[str, set[str]]] = {}

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def holders(self, name: str) -> dict[str, set[str]]:
        """Who holds ``name``: user login -> tokens of the sessions using it."""
        return self._holders.get(name, {})

    def in_use(self, name: str) -> int:
        return len(self._holders.get(name, {}))

    def take(self, name: str, login: str, token: str) -> bool:
        """Take (or share) ``name`` for ``login`` on behalf of session ``token``;
        False when every licence of that name is held by other users."""
        holders = self._holders.setdefault(name, {})
        if login not in holders and len(holders) >= self.count(name):
            return False
        holders.setdefault(login, set()).add(token)
        return True

    def release(self, token: str) -> None:
        """Release every licence session ``token`` took (at session close)."""
        for holders in self._holders.values():
            for login in [login for login, tokens in holders.items() if token in tokens]:
                holders[login].discard(token)
                if not holders[login]:
                    del holders[login]
