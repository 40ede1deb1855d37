"""What the engine says happened. Each transaction yields one Batch.

Connection events carry (call, party, connection, dn, state) so that a
listener replaying them from the start rebuilds every call's structure; the
rest of a call's identity (names, data) is read from the engine's state when
the batch is delivered. Faces translate batches into their own wire events.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .states import Cause, ConnectionState


@dataclass(frozen=True, slots=True)
class Event:
    pass


@dataclass(frozen=True, slots=True)
class CallCreated(Event):
    call: int
    cause: Cause


@dataclass(frozen=True, slots=True)
class ConnectionEvent(Event):
    """A connection changed state; subclasses name the CSTA event."""

    call: int
    party: int
    conn: int
    dn: str
    state: ConnectionState
    cause: Cause


@dataclass(frozen=True, slots=True)
class ServiceInitiated(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Originated(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Delivered(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Established(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Failed(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Queued(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Held(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Retrieved(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class ConnectionCleared(ConnectionEvent):
    pass


@dataclass(frozen=True, slots=True)
class Diverted(Event):
    """The call went elsewhere on someone's behalf (forward, pickup, park...)."""

    call: int
    from_number: str
    to_number: str
    cause: Cause


@dataclass(frozen=True, slots=True)
class Transferred(Event):
    """Secondary call S merged into surviving call P; S's remaining parties
    moved. The transferring party's connections were cleared just before."""

    call: int
    secondary: int
    moved: tuple[int, ...]
    cause: Cause


@dataclass(frozen=True, slots=True)
class Conferenced(Event):
    call: int
    secondary: int
    moved: tuple[int, ...]
    cause: Cause


@dataclass(frozen=True, slots=True)
class CallCleared(Event):
    call: int
    cause: Cause


@dataclass(frozen=True, slots=True)
class CallChanged(Event):
    """Call-level data changed: names of the fields, values read from state."""

    call: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartyChanged(Event):
    call: int
    party: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DigitsGenerated(Event):
    call: int
    conn: int
    digits: str


@dataclass(frozen=True, slots=True)
class CallLogged(Event):
    """A user's part in a call ended: one communication-log record."""

    login: str
    call: int
    started_at: float
    ended_at: float
    answered: bool
    direction: str  # "incoming" | "outgoing"
    reason: Cause
    parties: tuple[tuple[str, str | None, str], ...]  # (number, name, role)
    #: The number the call was first placed to, so a record can tell that
    #: it reached someone else (O2G comlog `initialCalled`, o2g.md §2.7).
    initial_called: str | None = None
    #: Numbers of the parties the call was rerouted away from before they
    #: answered (redirect, pickup, forward or overflow on no answer): O2G
    #: lists them as no participant of the record (o2g.md §2.7).
    rerouted: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoutingChanged(Event):
    login: str
    routing: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PresenceChanged(Event):
    """A user's presence (absence, app presence, twinning, counters) changed;
    `presence` is its new JSON form, as RoutingChanged carries routing."""

    login: str
    presence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GroupChanged(Event):
    """A group's run-time settings (service mode, voicemail) changed."""

    group: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UserChanged(Event):
    login: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeviceChanged(Event):
    number: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeskSharingChanged(Event):
    """A user logged on to (or off) the desk-sharing set `number`; carries
    the login because after a log-off the set no longer names its user."""

    number: str
    login: str
    logged_on: bool


@dataclass(frozen=True, slots=True)
class MemberChanged(Event):
    """A hunt-group/queue member was added, removed, logged on or off."""

    group: str
    login: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MessageDeposited(Event):
    """A caller left a voicemail message (or a mini message was sent)."""

    login: str
    kind: str  # "voicemail" | "mini"
    sender: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallbackRequested(Event):
    login: str
    caller: str
    caller_name: str | None


@dataclass(frozen=True, slots=True)
class Batch:
    """One transaction's events, in causal order, delivered atomically."""

    seq: int
    time: float
    wall: float
    origin: str
    events: tuple[Event, ...]
