"""The one refusal type of the Turret face.

Kept apart from the session module so that every layer that refuses
(requests, the feature state of ring transfers and interface actions)
can raise it without importing the sessions.
"""

from __future__ import annotations


class TurretError(Exception):
    """A request refused with a documented Turret error code."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
