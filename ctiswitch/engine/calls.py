"""Calls, parties and connections: the CSTA call model (call-model §2.1).

A call has parties; a party is a user, a bare device, an external number or a
PBX service; a party has one connection per device it is present on (a user
whose desk phone and softphone both ring is one party with two connections).
Party ids survive a move to another call, so every face can follow a person
through transfers and conferences.
"""
from __future__ import annotations

from typing import Any

from .states import (
    PARTY_STATE_RANK,
    Cause,
    ConnectionState,
    ConsultPurpose,
    HoldKind,
    PartyKind,
    RecordingState,
    Role,
)
from .directory import Device, Group, User


class Connection:
    __slots__ = ("id", "party", "dn", "device", "state", "hold_kind", "prompt", "since", "audio", "failure")

    def __init__(self, id: int, party: "Party", dn: str, device: Device | None, now: float) -> None:
        self.id = id
        self.party = party
        self.dn = dn
        self.device = device
        self.state = ConnectionState.NULL
        self.hold_kind: HoldKind | None = None
        #: A ring-first ("prompt") alert at the caller's own phone.
        self.prompt = False
        self.since = now
        #: (turret name, speech unit id) that talks on this connection, or held
        #: it, set by the turret face (call-model §4.3: the audio owner decides
        #: Conversation vs ConversationByAnother); None when no turret has it.
        self.audio: tuple[str, int] | None = None
        #: Why the connection last moved to FAILED (busy, DND, invalid
        #: number...), None if it never did: a face's snapshot of a failed
        #: call shows it, and the Failed event that said so is gone by the
        #: time a late subscriber asks.
        self.failure: Cause | None = None

    @property
    def call(self) -> "Call":
        return self.party.call

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.dn} {self.state.value}>"


class Party:
    __slots__ = (
        "id", "call", "kind", "number", "name", "user", "group", "role", "connections",
        "created_at", "alerted_at", "answered_at", "muted", "privacy", "silenced",
        "anonymous", "coverage_of", "slot", "timer", "offered", "declined", "message_since",
    )

    def __init__(
        self, id: int, call: "Call", kind: PartyKind, number: str, role: Role, now: float,
        *, user: User | None = None, name: str | None = None,
    ) -> None:
        self.id = id
        self.call = call
        self.kind = kind
        self.number = number
        self.name = name
        self.user = user
        self.group: Group | None = None
        self.role = role
        self.connections: list[Connection] = []
        self.created_at = now
        self.alerted_at: float | None = None
        self.answered_at: float | None = None
        self.muted = False
        self.privacy = False
        self.silenced = False
        self.anonymous = False
        #: The user whose coverage (forward, voicemail) routed the call here.
        self.coverage_of: User | None = None
        #: Park slot name, for PARK parties.
        self.slot: str | None = None
        #: The one timer a party may own (no answer, group ring, park recall).
        self.timer: Any = None
        #: For GROUP parties: logins of members already offered this call.
        self.offered: set[str] | None = None
        #: For GROUP parties: logins of members who declined this call; they
        #: are not offered it again (a new round would ring them at once).
        self.declined: set[str] = set()
        #: For VOICEMAIL parties of a mailbox: when the caller's message began
        #: to be recorded, after the greeting; None while the greeting plays
        #: and for voicemail that takes no message (a call flow, an owner
        #: listening to its own mailbox). The owner's MTCTI-3 line tells
        #: ANSWEREDBYVOICEMAIL from LEAVINGVOICEMAILMESSAGE by it.
        self.message_since: float | None = None

    @property
    def state(self) -> ConnectionState:
        best = ConnectionState.NULL
        for conn in self.connections:
            if PARTY_STATE_RANK[conn.state] > PARTY_STATE_RANK[best]:
                best = conn.state
        return best

    def __repr__(self) -> str:
        return f"<Party {self.id} {self.kind.value} {self.number} {self.state.value}>"


class CallData:
    """What applications attach to a call; fields each face shows its way."""

    __slots__ = ("associated_data", "tags", "label", "account_code", "auth_code", "priority", "calling_number")

    def __init__(self) -> None:
        self.associated_data: bytes | None = None
        #: The number presented to the public network instead of the
        #: caller's own (O2G `callingNumber`, call-model §2.1
        #: calling_number_override); only a far end beyond the trunk sees it.
        self.calling_number: str | None = None
        self.tags: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.label: str | None = None
        self.account_code: str | None = None
        self.auth_code: str | None = None
        self.priority: int | None = None

    def absorb(self, other: "CallData") -> None:
        """Merge after transfer/conference: this call's fields win, the other
        fills the gaps, tags are united (call-model §2.5)."""
        for name in ("associated_data", "label", "account_code", "auth_code", "priority", "calling_number"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))
        for key, value in other.tags.items():
            self.tags.setdefault(key, value)


class Call:
    __slots__ = (
        "id", "gcid", "parties", "origin", "dialled", "initial_called", "redirects",
        "data", "recordings", "group", "queue_assoc", "consult_peer", "consult_purpose", "absorbed",
        "created_at", "device_call", "answered", "seen", "rerouted",
    )

    def __init__(self, id: int, gcid: bytes, now: float) -> None:
        self.id = id
        self.gcid = gcid
        self.parties: dict[int, Party] = {}
        self.origin: Party | None = None
        self.dialled: str | None = None
        self.initial_called: str | None = None
        #: (from number, to number, cause) for each diversion, in order.
        self.redirects: list[tuple[str, str, str]] = []
        self.data = CallData()
        self.recordings: dict[str, RecordingState] = {}
        #: The hunt group or queue this call came through last, kept after answer.
        self.group: Group | None = None
        #: The queue whose CTI monitoring follows the call (call-model
        #: `queue_assoc`): the first group it entered, kept while it moves
        #: on to other groups, until `end_queue_association`.
        self.queue_assoc: Group | None = None
        self.consult_peer: "Call | None" = None
        self.consult_purpose = ConsultPurpose.NONE
        #: Calls merged into this one by transfer or conference.
        self.absorbed: list[int] = []
        self.created_at = now
        #: A device number was dialled rather than a user's number.
        self.device_call = False
        #: Someone other than the originator has answered.
        self.answered = False
        #: Every party that was ever in the call: (number, name, role), for
        #: the call log, which outlives the parties.
        self.seen: dict[int, tuple[str, str | None, str]] = {}
        #: Numbers of the parties rerouted away before answering, in order
        #: (the call log names them as no participant).
        self.rerouted: list[str] = []

    def live_parties(self) -> list[Party]:
        return [p for p in self.parties.values() if p.connections]

    def connections(self) -> list[Connection]:
        return [c for p in self.parties.values() for c in p.connections]

    def __repr__(self) -> str:
        return f"<Call {self.id} {list(self.parties.values())}>"
