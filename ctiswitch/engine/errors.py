"""Why the engine refuses a command. Each face maps a Refusal to its own
error code (call-model §5.3), so the reasons are few and API-neutral."""
from __future__ import annotations

from enum import Enum


class Refusal(str, Enum):
    CALL_NOT_FOUND = "call_not_found"
    CONNECTION_NOT_FOUND = "connection_not_found"
    DEVICE_NOT_FOUND = "device_not_found"
    USER_NOT_FOUND = "user_not_found"
    GROUP_NOT_FOUND = "group_not_found"
    INVALID_STATE = "invalid_state"
    ALREADY_DONE = "already_done"
    NO_FREE_APPEARANCE = "no_free_appearance"
    OUT_OF_SERVICE = "out_of_service"
    BAD_DESTINATION = "bad_destination"
    TARGET_UNREACHABLE = "target_unreachable"
    NOT_OWNER = "not_owner"
    NO_VOICEMAIL = "no_voicemail"
    CANT_COMPLETE = "cant_complete"
    PARK_SLOT_BUSY = "park_slot_busy"
    SLOT_EMPTY = "slot_empty"
    CAPACITY = "capacity"
    BAD_VALUE = "bad_value"


class CommandError(Exception):
    """A command was refused before it changed anything."""

    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.message = message

    def __repr__(self) -> str:
        return f"CommandError({self.refusal.value}: {self.message})"


class InvariantError(AssertionError):
    """The engine tried an illegal internal move: a bug, never user input."""
