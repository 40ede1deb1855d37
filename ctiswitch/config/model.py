"""The company a switch serves, as plain immutable values.

The engine and the four faces read these objects and nothing else, so the
field names are the contract between configuration and call control. They are
frozen because a loaded company is a fact the switch starts from; changes made
at run time belong to the engine and the store, not to this snapshot.

Fields whose sensible default depends on other fields (a group's queueing, a
line's priority) are keyword-only and have no default here: the loader works
them out, and code that builds a company by hand must say what it means.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Literal, get_args

DeviceType = Literal["deskphone", "softphone", "mobile", "analog"]
BehaviourMode = Literal["manual", "auto-answer", "busy", "no-answer", "reject"]
GroupKind = Literal["hunt", "queue"]
RingMode = Literal["parallel", "sequential", "rotary", "longest_idle"]
SpeechUnitType = Literal["handset", "headset", "loudspeaker", "microphone"]
Outcome = Literal["answer", "busy", "no-answer", "unobtainable", "reject"]

DEVICE_TYPES: tuple[str, ...] = get_args(DeviceType)
BEHAVIOUR_MODES: tuple[str, ...] = get_args(BehaviourMode)
GROUP_KINDS: tuple[str, ...] = get_args(GroupKind)
RING_MODES: tuple[str, ...] = get_args(RingMode)
SPEECH_UNIT_TYPES: tuple[str, ...] = get_args(SpeechUnitType)
OUTCOMES: tuple[str, ...] = get_args(Outcome)


@dataclass(frozen=True, slots=True)
class Node:
    """The switch itself: MTCTI-3 sees it as the SCN, O2G as a node, and its
    IPv4 address goes into every global call id (gcid)."""

    id: int = 1
    name: str = "ctiswitch"
    ip: str = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What the simulated phone does when a call rings it, so a demo or a test
    can run without a person at the phone. ``delay`` is seconds before it acts."""

    mode: BehaviourMode = "manual"
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Device:
    """A phone with its own number; ``mac`` identifies a ShoreTel Sky endpoint."""

    number: str
    type: DeviceType
    mac: str | None = None
    behaviour: Behaviour = Behaviour()


@dataclass(frozen=True, slots=True)
class User:
    """A person: O2G logs in with ``login``/``secret``, ShoreTel Sky with
    ``did``/``pin``. The first device is the user's main number."""

    login: str
    first_name: str
    last_name: str
    secret: str
    language: str = "en"
    email: str | None = None
    devices: tuple[Device, ...] = ()
    did: str | None = None
    pin: str | None = None
    mailbox: bool = True
    no_answer_seconds: float = 15.0
    external_calls: bool = True


@dataclass(frozen=True, slots=True)
class Group:
    """A hunt group or an ACD queue; ``members`` are user logins, in ring order."""

    number: str
    name: str
    kind: GroupKind
    ring_mode: RingMode
    members: tuple[str, ...] = ()
    no_answer_seconds: float = 15.0
    _: KW_ONLY
    queue_enabled: bool
    voicemail_seconds: float | None = None
    overflow: str | None = None


@dataclass(frozen=True, slots=True)
class Voicemail:
    """The voicemail pilot number and how long the service takes to pick up."""

    number: str = "8000"
    answer_delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Administrator:
    """An O2G administrator account (admin sessions, supervision of all users)."""

    login: str
    password: str


@dataclass(frozen=True, slots=True)
class ServiceUser:
    """An MTCTI-3 service user: the Basic-auth credentials of the WebSocket."""

    name: str
    password: str


@dataclass(frozen=True, slots=True)
class Line:
    """A turret line; lines with the same name in several profiles are one
    shared line. ``priority`` orders the profile's call queue (1 first)."""

    name: str
    number: str
    outgoing: bool = True
    _: KW_ONLY
    priority: int


@dataclass(frozen=True, slots=True)
class TurretProfile:
    """What a trader logs in to on a turret; ``contacts`` maps a number to the
    name the turret shows for it."""

    name: str
    password: str
    lines: tuple[Line, ...] = ()
    contacts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SpeechUnit:
    """A handset, headset or loudspeaker of a turret, addressed by its i16 id.
    Thrift's MicrophoneWithSpeaker is ``loudspeaker``, MicrophoneWithoutSpeaker
    is ``microphone``."""

    id: int
    type: SpeechUnitType


@dataclass(frozen=True, slots=True)
class Turret:
    """An OpenScape Xpert client, placed at a user's desk."""

    name: str
    user: str
    speech_units: tuple[SpeechUnit, ...] = ()


@dataclass(frozen=True, slots=True)
class ExternalNumber:
    """A far end with scripted behaviour, so tests can dial a busy line or one
    that never answers. ``delay`` is seconds before the outcome happens."""

    number: str
    outcome: Outcome
    delay: float = 0.0
    name: str | None = None


@dataclass(frozen=True, slots=True)
class External:
    """The trunk to the outside world and the far ends behind it."""

    outside_prefix: str = "0"
    min_digits: int = 7
    answer_after: float = 2.0
    trunk_channels: int = 60
    numbers: tuple[ExternalNumber, ...] = ()

    def is_external(self, dialled: str) -> bool:
        """Whether a dialled string leaves the switch: it starts with the
        outside prefix or is too long to be an internal number."""
        return dialled.startswith(self.outside_prefix) or len(dialled) >= self.min_digits


@dataclass(frozen=True, slots=True)
class Sky:
    """ShoreTel Sky limits: the listCalls rate, blocked DIDs, international calls."""

    list_calls_per_minute: int = 60
    blocked: tuple[str, ...] = ()
    international_blocked: bool = False


@dataclass(frozen=True, slots=True)
class Company:
    """Everything the switch needs to know about the company it serves."""

    name: str
    node: Node = Node()
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    voicemail: Voicemail = Voicemail()
    administrators: tuple[Administrator, ...] = ()
    service_users: tuple[ServiceUser, ...] = ()
    turret_profiles: tuple[TurretProfile, ...] = ()
    turrets: tuple[Turret, ...] = ()
    external: External = External()
    sky: Sky = Sky()
    licenses: dict[str, int] = field(default_factory=dict)
