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
KeyKind = Literal["push", "switch"]
NotificationDialect = Literal["auto", "framed", "unframed"]
HoldBehaviour = Literal["common", "private"]

DEVICE_TYPES: tuple[str, ...] = get_args(DeviceType)
BEHAVIOUR_MODES: tuple[str, ...] = get_args(BehaviourMode)
GROUP_KINDS: tuple[str, ...] = get_args(GroupKind)
RING_MODES: tuple[str, ...] = get_args(RingMode)
SPEECH_UNIT_TYPES: tuple[str, ...] = get_args(SpeechUnitType)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
KEY_KINDS: tuple[str, ...] = get_args(KeyKind)
NOTIFICATION_DIALECTS: tuple[str, ...] = get_args(NotificationDialect)
HOLD_BEHAVIOURS: tuple[str, ...] = get_args(HoldBehaviour)
#: The Turret API's InterfaceActionStateValue names, in enum order (Active=0 ... State_Z=27).
INTERFACE_ACTION_STATES: tuple[str, ...] = (
    "Active", "Inactive", *(f"State_{chr(letter)}" for letter in range(ord("A"), ord("Z") + 1))
)


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
class DeskSharingSet:
    """A desk phone that belongs to nobody: a desk-sharing user logs on to
    it (O2G ``/telephony/deskSharing``) and it rings for that user's calls
    until the user logs off."""

    number: str
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
    #: The user's associate: an internal number (not the user's own) that
    #: overflow may send calls to instead of voicemail (o2g.md §2.6
    #: ASSOCIATE overflow, call-model §2.4 R2b/R2n). None: no associate.
    associate: str | None = None


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
    """The voicemail pilot number, how long the service takes to pick up,
    and how long a mailbox's greeting plays before the caller's message is
    recorded (MTCTI-3 shows ANSWEREDBYVOICEMAIL, then
    LEAVINGVOICEMAILMESSAGE)."""

    number: str = "8000"
    answer_delay: float = 0.0
    greeting: float = 0.0


@dataclass(frozen=True, slots=True)
class Dva:
    """The digital voice announcement (call-model §1.1 DialPlan "DVA"): a
    number in the plan that answers calls with a recorded message. O2G may
    redirect a ringing call to it (redirectTo "DVA", o2g.md §2.4), so it
    exists only when the company configures one."""

    number: str
    answer_delay: float = 0.0


@dataclass(frozen=True, slots=True)
class ConferenceRoom:
    """A MeetMe room (call-model §1.1 ConferenceRoom): its number is in the
    plan, `capacity` is how many calls it seats, and a room with a `pin` is
    entered only by a request that carries it (MTCTI-3 §5.3 MODEFROMPIN)."""

    number: str
    capacity: int
    pin: str | None = None


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
class RingTransfer:
    """A ring transfer key of a profile: while active, calls ringing on the
    ``controlled_profile``'s lines (``lines``, or all of them when empty) also
    ring on the turret where this profile is loaded.

    The Turret API names it by (``api_name``, ``controlled_profile``). A
    ``signalization_only`` key shows the state but the API cannot change it;
    of the ring transfers sharing a ``keep_active_group``, the last active one
    cannot be switched off, so those lines always ring somewhere.
    """

    api_name: str
    controlled_profile: str
    lines: tuple[str, ...] = ()
    signalization_only: bool = False
    keep_active_group: str | None = None
    active: bool = False


@dataclass(frozen=True, slots=True)
class SequenceMember:
    """One step of a ring transfer sequence: the profile's ring transfer
    (``api_name``, ``controlled_profile``) and the state the sequence puts it in."""

    api_name: str
    controlled_profile: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class RingTransferSequence:
    """A key that switches several ring transfers at once. It is Active when
    every member is in its target state, Inactive when none is, else
    PartiallyActive; only an ``inverting`` sequence can be deactivated (each
    member then goes to the opposite of its target state)."""

    api_name: str
    controlled_profile: str
    members: tuple[SequenceMember, ...]
    inverting: bool = False
    signalization_only: bool = False


@dataclass(frozen=True, slots=True)
class InterfaceAction:
    """A turret button an application drives: it sets the state (one of
    ``states``, InterfaceActionStateValue names) and may override the three
    texts; a person's presses are reported as key events, Pressed/Released
    for a ``push`` key, Clicked for a ``switch`` key. The API cannot set a
    ``signalization_only`` action: its switch key steps through ``states``
    itself and the application is told."""

    api_name: str
    states: tuple[str, ...] = ("Active", "Inactive")
    label: str = ""
    first_line: str = ""
    second_line: str = ""
    key: KeyKind = "switch"
    signalization_only: bool = False
    _: KW_ONLY
    state: str


@dataclass(frozen=True, slots=True)
class TurretProfile:
    """What a trader logs in to on a turret; ``contacts`` maps a number to the
    name the turret shows for it. With ``receive_calls_only``, logging out
    leaves the profile loaded in ReceiveCallsOnly mode: its lines still ring
    and calls can be answered, but nothing can be dialled."""

    name: str
    password: str
    lines: tuple[Line, ...] = ()
    contacts: dict[str, str] = field(default_factory=dict)
    ring_transfers: tuple[RingTransfer, ...] = ()
    ring_transfer_sequences: tuple[RingTransferSequence, ...] = ()
    interface_actions: tuple[InterfaceAction, ...] = ()
    receive_calls_only: bool = False


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
class TurretTls:
    """TLS on each turret's request socket (the System Manager's "Use TLS").
    ``cert``/``key`` None mean the switch's own certificate; with
    ``client_ca`` a client must present a certificate that CA signed."""

    enabled: bool = False
    cert: str | None = None
    key: str | None = None
    client_ca: str | None = None


@dataclass(frozen=True, slots=True)
class NotifyTls:
    """TLS on the connections the turret opens to notification subscribers:
    ``ca`` verifies the subscriber (None: the system's trusted CAs);
    ``cert``/``key`` are the turret's client certificate, if one is wanted."""

    enabled: bool = False
    ca: str | None = None
    cert: str | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class TurretSettings:
    """How the Turret face behaves where the vendor leaves a choice
    (turret-and-sky.md C1): controlling connections per turret (A-4), the
    notification framing (A-2; auto is each subscriber's own request dialect),
    what ``hold`` does (A3), the deprecated onCallDataChanged (A-16) and TLS (A-9)."""

    max_controllers: int = 1
    notification_dialect: NotificationDialect = "auto"
    hold_behaviour: HoldBehaviour = "common"
    legacy_call_data: bool = True
    tls: TurretTls = TurretTls()
    notify_tls: NotifyTls = NotifyTls()


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
    desk_sharing_sets: tuple[DeskSharingSet, ...] = ()
    groups: tuple[Group, ...] = ()
    voicemail: Voicemail = Voicemail()
    dva: Dva | None = None
    conference_rooms: tuple[ConferenceRoom, ...] = ()
    #: Cost-centre codes an O2G business call may carry (MakeCallRequest
    #: businessCode, o2g.md §2.4); none means no business calls.
    business_codes: tuple[str, ...] = ()
    administrators: tuple[Administrator, ...] = ()
    service_users: tuple[ServiceUser, ...] = ()
    turret_profiles: tuple[TurretProfile, ...] = ()
    turrets: tuple[Turret, ...] = ()
    turret: TurretSettings = TurretSettings()
    external: External = External()
    sky: Sky = Sky()
    licenses: dict[str, int] = field(default_factory=dict)
