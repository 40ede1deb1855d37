"""The engine's vocabulary: connection states, party kinds, causes, and the
legal connection-state transitions as a table.

CSTA (ECMA-269) names are used because every vendor API is a projection of
the same model: a call has connections, one per device, each in a state.
"""
from __future__ import annotations

from enum import Enum


class ConnectionState(str, Enum):
    """CSTA LocalConnectionState of one connection (call x device)."""

    NULL = "null"
    INITIATED = "initiated"
    ALERTING = "alerting"
    CONNECTED = "connected"
    HELD = "held"
    QUEUED = "queued"
    FAILED = "failed"


C = ConnectionState

#: Every legal move of a connection. A move not listed here is a bug in a
#: command, never a user error, so the engine refuses it loudly.
TRANSITIONS: dict[ConnectionState, frozenset[ConnectionState]] = {
    C.NULL: frozenset({C.INITIATED, C.ALERTING, C.CONNECTED, C.QUEUED, C.FAILED}),
    C.INITIATED: frozenset({C.CONNECTED, C.FAILED, C.NULL}),
    C.ALERTING: frozenset({C.CONNECTED, C.FAILED, C.NULL}),
    C.CONNECTED: frozenset({C.HELD, C.FAILED, C.NULL}),
    C.HELD: frozenset({C.CONNECTED, C.NULL}),
    C.QUEUED: frozenset({C.CONNECTED, C.NULL}),
    C.FAILED: frozenset({C.NULL}),
}

#: A party's state is the best of its connections (call-model §2.2).
PARTY_STATE_RANK: dict[ConnectionState, int] = {
    C.CONNECTED: 6,
    C.HELD: 5,
    C.ALERTING: 4,
    C.INITIATED: 3,
    C.QUEUED: 2,
    C.FAILED: 1,
    C.NULL: 0,
}


class ServiceMode(str, Enum):
    """A group's service mode (call-model §1.1 Group): in night service or
    out of service it takes no calls itself."""

    ACTIVE = "active"
    NIGHT = "night"
    OUT_OF_SERVICE = "out_of_service"


class PartyKind(str, Enum):
    """Who a party is: a user (one or more devices), a bare device such as a
    turret line, a number beyond the trunk, or a PBX service."""

    USER = "user"
    DEVICE = "device"
    EXTERNAL = "external"
    VOICEMAIL = "voicemail"
    GROUP = "group"
    PARK = "park"
    #: The digital voice announcement (call-model §1.1 DialPlan "DVA"):
    #: a service that answers like voicemail but records nothing.
    DVA = "dva"
    #: A MeetMe room (call-model §2.4 R6): each call dialled or transferred
    #: into the room is CONNECTED to this service party.
    CONFERENCE = "conference"


class Role(str, Enum):
    """Why the party is in the call; the comlog and O2G initiator need it."""

    CALLER = "caller"
    CALLED = "called"
    ADDED = "added"
    PICKUP = "pickup"
    UNPARK = "unpark"


class HoldKind(str, Enum):
    COMMON = "common"
    PRIVATE = "private"


class ConsultPurpose(str, Enum):
    """Why a second call was made while the first was put on hold."""

    NONE = "none"
    TRANSFER = "transfer"
    CONFERENCE = "conference"


class RemoteStatus(str, Enum):
    """What a party hears from the rest of the call (call-model §2.2)."""

    FAILED = "failed"
    CONNECTED = "connected"
    HELD_BY_FAR_END = "held_by_far_end"
    ALERTING = "alerting"
    QUEUED = "queued"
    NONE = "none"


class Cause(str, Enum):
    """Internal causes; each face maps them to its own (call-model §2.6)."""

    NEW_CALL = "new_call"
    CONSULTATION = "consultation"
    NORMAL = "normal"
    FORCED_CLEAR = "forced_clear"
    ABANDONED = "abandoned"
    BUSY = "busy"
    DND = "dnd"
    INVALID_NUMBER = "invalid_number"
    DEST_NOT_OBTAINABLE = "dest_not_obtainable"
    TRUNKS_BUSY = "trunks_busy"
    REJECTED = "rejected"
    NO_ANSWER = "no_answer"
    FORWARD_IMMEDIATE = "forward_immediate"
    FORWARD_BUSY = "forward_busy"
    FORWARD_NO_ANSWER = "forward_no_answer"
    REDIRECTED = "redirected"
    OVERFLOW = "overflow"
    VOICEMAIL = "voicemail"
    DISTRIBUTED = "distributed"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    PICKUP = "pickup"
    PARK = "park"
    UNPARK = "unpark"
    RECALL = "recall"
    TRANSFER = "transfer"
    SINGLE_STEP = "single_step"
    CONFERENCE = "conference"
    PARTICIPANT_LEFT = "participant_left"


class DeviceType(str, Enum):
    DESKPHONE = "deskphone"
    SOFTPHONE = "softphone"
    MOBILE = "mobile"
    ANALOG = "analog"
    TURRET_LINE = "turret_line"


#: Simultaneous connections a device can carry (call-model §1.1).
MAX_CALLS: dict[DeviceType, int] = {
    DeviceType.DESKPHONE: 3,
    DeviceType.SOFTPHONE: 3,
    DeviceType.MOBILE: 3,
    DeviceType.ANALOG: 1,
    DeviceType.TURRET_LINE: 2,
}


class ForwardKind(str, Enum):
    """When a user's calls are forwarded."""

    IMMEDIATE = "immediate"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    BUSY_NO_ANSWER = "busy_no_answer"


class RingMode(str, Enum):
    PARALLEL = "parallel"
    SEQUENTIAL = "sequential"
    ROTARY = "rotary"
    LONGEST_IDLE = "longest_idle"


class GroupKind(str, Enum):
    HUNT = "hunt"
    QUEUE = "queue"


class RecordingState(str, Enum):
    RECORDING = "recording"
    PAUSED = "paused"
