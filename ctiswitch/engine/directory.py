"""The switch's directory: who and what can be called.

These are the PBX's configured entities. Their run-time settings (routing,
membership, passwords) change through engine commands, which emit events so
the store can persist them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .states import DeviceType, ForwardKind, GroupKind, RingMode, ServiceMode

if TYPE_CHECKING:
    from .calls import Connection


@dataclass(slots=True)
class Forward:
    kind: ForwardKind
    destination: str  # a number, or "voicemail"


@dataclass(slots=True)
class Routing:
    """A user's coverage settings (call-model §2.4)."""

    dnd: bool = False
    forward: Forward | None = None
    #: Overflow of unanswered/busy calls: None, or a ForwardKind of BUSY,
    #: NO_ANSWER or BUSY_NO_ANSWER.
    overflow: ForwardKind | None = None
    #: Calling numbers that ring through DND (MTCTI-3 short codes 9, 10).
    dnd_exceptions: tuple[str, ...] = ()
    #: The user's voicemail switch (short codes 17, 18): off, no coverage
    #: goes to the mailbox, which still exists for its owner to dial.
    voicemail: bool = True
    #: Where the overflow goes: OVERFLOW_VOICEMAIL or OVERFLOW_ASSOCIATE
    #: (the user's configured associate, O2G ASSOCIATE overflow). Kept
    #: apart from `overflow` so that routing stored before associates
    #: existed still reads as the voicemail overflow it was.
    overflow_destination: str = "voicemail"

    def to_json(self) -> dict[str, Any]:
        """DND exceptions, the voicemail switch and an associate overflow
        appear only when set, so the routing every other face and stored
        setting knows keeps its shape."""
        data: dict[str, Any] = {
            "dnd": self.dnd,
            "forward": None
            if self.forward is None
            else {"kind": self.forward.kind.value, "destination": self.forward.destination},
            "overflow": None if self.overflow is None else self.overflow.value,
        }
        if self.dnd_exceptions:
            data["dnd_exceptions"] = list(self.dnd_exceptions)
        if not self.voicemail:
            data["voicemail"] = False
        if self.overflow_destination != OVERFLOW_VOICEMAIL:
            data["overflow_destination"] = self.overflow_destination
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Routing":
        fwd = data.get("forward")
        overflow = data.get("overflow")
        return cls(
            dnd=bool(data.get("dnd", False)),
            forward=None if not fwd else Forward(ForwardKind(fwd["kind"]), str(fwd["destination"])),
            overflow=None if overflow is None else ForwardKind(overflow),
            dnd_exceptions=tuple(str(n) for n in data.get("dnd_exceptions", ())),
            voicemail=bool(data.get("voicemail", True)),
            overflow_destination=_overflow_destination(data.get("overflow_destination")),
        )


#: The destinations of a user's overflow (Routing.overflow_destination).
OVERFLOW_VOICEMAIL = "voicemail"
OVERFLOW_ASSOCIATE = "associate"
OVERFLOW_DESTINATIONS = (OVERFLOW_VOICEMAIL, OVERFLOW_ASSOCIATE)


def _overflow_destination(value: Any) -> str:
    """A stored overflow destination; absent (routing stored before
    associates existed) is voicemail, and an unknown value is refused
    rather than silently read as voicemail."""
    if value is None:
        return OVERFLOW_VOICEMAIL
    if value not in OVERFLOW_DESTINATIONS:
        raise ValueError(f"unknown overflow destination {value!r}")
    return str(value)


@dataclass(slots=True)
class Absence:
    """A user's absence note: `msg` picks the phrase a handset shows (1-10:
    "ON HOLIDAY UNTIL"..."BACK TOMORROW", 11: the text alone), `text`
    completes it (spec/mtcti3.md §4.1)."""

    msg: int
    text: str


@dataclass(slots=True)
class Presence:
    """User state a real IP Office keeps for its CTI clients (call-model
    §1.1 Presence): the absence note, the application presence string,
    mobile twinning (the twin is the user's MOBILE device) and the
    voicemail counters an application may set for the user. None of it
    comes from the configuration; all of it survives a restart."""

    absence: Absence | None = None
    app: str = ""
    twinning: bool = False
    #: (new, old, saved) counters set by an application (short code 70).
    mailbox_counts: tuple[int, int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "absence": None if self.absence is None else {"msg": self.absence.msg, "text": self.absence.text},
            "app": self.app,
            "twinning": self.twinning,
            "mailbox_counts": None if self.mailbox_counts is None else list(self.mailbox_counts),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Presence":
        absence = data.get("absence")
        counts = data.get("mailbox_counts")
        return cls(
            absence=None if not absence else Absence(int(absence["msg"]), str(absence["text"])),
            app=str(data.get("app", "")),
            twinning=bool(data.get("twinning", False)),
            mailbox_counts=None if counts is None else (int(counts[0]), int(counts[1]), int(counts[2])),
        )


@dataclass(slots=True)
class Behaviour:
    """How the simulated phone (or far end) behaves when a call arrives."""

    mode: str = "manual"  # manual | auto-answer | busy | no-answer | reject
    delay: float = 0.0


@dataclass(slots=True, eq=False)
class Device:
    number: str
    type: DeviceType
    max_calls: int
    user: "User | None" = None
    mac: str | None = None
    in_service: bool = True
    behaviour: Behaviour = field(default_factory=Behaviour)
    #: Live connections on this device, in arrival order.
    connections: list["Connection"] = field(default_factory=list)
    #: A desk-sharing set (DSS, o2g.md §2.4 #31): configured without an
    #: owner; `user` is whoever is logged on to it, None when it is free.
    desk_sharing: bool = False

    def has_free_appearance(self) -> bool:
        return (
            self.in_service
            and self.behaviour.mode != "busy"
            and len(self.connections) < self.max_calls
        )


@dataclass(slots=True, eq=False)
class User:
    login: str
    first_name: str
    last_name: str
    secret: str
    number: str  # the user's main directory number
    language: str = "en"
    email: str | None = None
    did: str | None = None
    pin: str | None = None
    has_mailbox: bool = True
    no_answer_seconds: float = 15.0
    external_calls: bool = True
    #: The configured associate number (an internal number, not the
    #: user's own): the destination of an ASSOCIATE overflow.
    associate: str | None = None
    devices: list[Device] = field(default_factory=list)
    routing: Routing = field(default_factory=Routing)
    presence: Presence = field(default_factory=Presence)
    preferences: dict[str, Any] = field(default_factory=dict)
    #: Clock time the user's last call ended; drives longest-idle hunting.
    idle_since: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def main_device(self) -> Device:
        return self.devices[0]

    def is_in_call(self) -> bool:
        return any(device.connections for device in self.devices)

    @property
    def twin(self) -> Device | None:
        """The mobile twin (EC500): the user's first MOBILE device."""
        return next((d for d in self.devices if d.type is DeviceType.MOBILE), None)


@dataclass(slots=True, eq=False)
class Member:
    user: User
    logged_on: bool = True
    #: Clock time the member was last offered a call (rotary order).
    last_offered: float = -1.0


@dataclass(slots=True, eq=False)
class Group:
    """A hunt group or an ACD queue: one entity with a kind (call-model §7 #19)."""

    number: str
    name: str
    kind: GroupKind
    ring_mode: RingMode
    members: list[Member]
    no_answer_seconds: float = 15.0
    queue_enabled: bool = False
    voicemail_seconds: float | None = None
    overflow: str | None = None
    #: Active, night service or out of service (call-model §2.4 R4); not
    #: Active sends new calls to `overflow`, or busy without one.
    service_mode: ServiceMode = ServiceMode.ACTIVE
    #: Whether unanswered calls go on to `overflow` after voicemail_seconds
    #: (the queue's voicemail switch).
    voicemail_enabled: bool = True

    def member(self, login: str) -> Member | None:
        for member in self.members:
            if member.user.login == login:
                return member
        return None


@dataclass(slots=True)
class ExternalNumber:
    """A scripted far end: what the simulated public network does."""

    number: str
    outcome: str  # answer | busy | no-answer | unobtainable | reject
    delay: float = 0.0
    name: str | None = None


@dataclass(slots=True, eq=False)
class TurretLine:
    name: str
    device: Device
    outgoing: bool = True


@dataclass(slots=True, frozen=True)
class ConferenceRoom:
    """A MeetMe room (call-model §1.1 ConferenceRoom): a number in the plan
    where calls meet. The room keeps no list of its own; its occupants are
    the calls that have a live CONFERENCE party with its number, so the
    count can never drift from the calls themselves (Routing.room_calls)."""

    number: str
    capacity: int
    pin: str | None = None
