"""The switch's directory: who and what can be called.

These are the PBX's configured entities. Their run-time settings (routing,
membership, passwords) change through engine commands, which emit events so
the store can persist them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .states import DeviceType, ForwardKind, GroupKind, RingMode

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
    #: Overflow of unanswered/busy calls to voicemail: None, or a ForwardKind
    #: of BUSY, NO_ANSWER or BUSY_NO_ANSWER.
    overflow: ForwardKind | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "dnd": self.dnd,
            "forward": None
            if self.forward is None
            else {"kind": self.forward.kind.value, "destination": self.forward.destination},
            "overflow": None if self.overflow is None else self.overflow.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Routing":
        fwd = data.get("forward")
        overflow = data.get("overflow")
        return cls(
            dnd=bool(data.get("dnd", False)),
            forward=None if not fwd else Forward(ForwardKind(fwd["kind"]), str(fwd["destination"])),
            overflow=None if overflow is None else ForwardKind(overflow),
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
    devices: list[Device] = field(default_factory=list)
    routing: Routing = field(default_factory=Routing)
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
