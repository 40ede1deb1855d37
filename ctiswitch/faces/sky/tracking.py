"""What a subscription has already told its client, and what it owes it next.

The face keeps no call model of its own: after each engine batch it
recomputes the user's Call views from the switch and pushes the difference
from the last views it sent (call-model principle 3). A call that vanished
is pushed once as DELETED, then forgotten.
"""
from __future__ import annotations

from dataclasses import replace

from ctiswitch.engine.directory import User

from .translate import call_view, same_call_view, user_parties
from .wire import CallState, CallView


class CallTracker:
    """The last views pushed for one user's calls.

    Primed with the calls that exist at subscribe time without pushing them:
    the guide says subscribe "only sends out new call events", so a client
    learns the current calls from listCalls; their later changes, DELETED
    included, are still pushed.
    """

    def __init__(self, user: User, now: float) -> None:
        self.user = user
        self._last: dict[int, CallView] = {}
        self._created: dict[int, float] = {}
        self.changes(now)

    def changes(self, now: float) -> list[CallView]:
        """The views that changed since the last call (Duration aside), then
        DELETED for each call that is gone; remembers the new state."""
        current: dict[int, CallView] = {}
        for party in user_parties(self.user):
            view = call_view(party, now)
            if view is not None:
                current[view.id] = view
                self._created.setdefault(view.id, party.created_at)
        changed = [
            view for key, view in current.items()
            if key not in self._last or not same_call_view(view, self._last[key])
        ]
        for key in self._last.keys() - current.keys():
            created = self._created.pop(key)
            changed.append(replace(self._last[key], state=CallState.DELETED,
                                   duration=max(0, int(now - created))))
        self._last = current
        return sorted(changed, key=lambda view: view.id)
